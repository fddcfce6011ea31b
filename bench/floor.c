/* SPDX-License-Identifier: MIT */
/* The floor for `baton ingest --maildir`: the least work any GMime-based
 * ingester must do, with nothing of baton in it. For every file of a
 * Maildir (new/ then cur/): parse it from a file-system stream with the
 * stream persisted (GMime leaves bodies on disk until asked), find the first
 * text/plain part (else text/html) and decode it to UTF-8. No database, no
 * commands, no rules: the ratio baton/floor is what baton adds.
 *
 *   floor MAILDIR   prints "messages=N text-bytes=M" */
#include <gmime/gmime.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static GMimeObject *
first_text (GMimeObject *part, const char *subtype)
{
  if (GMIME_IS_MULTIPART (part))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (part);
      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        {
          GMimeObject *found = first_text (g_mime_multipart_get_part (multipart, i), subtype);
          if (found != NULL)
            return found;
        }
      return NULL;
    }
  GMimeContentType *type = g_mime_object_get_content_type (part);
  return GMIME_IS_TEXT_PART (part) && g_mime_content_type_is_type (type, "text", subtype) ? part
                                                                                          : NULL;
}

/* Bytes of UTF-8 text in the message at PATH; -1 if it is not mail. */
static gssize
text_length (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  GMimeStream *stream = g_mime_stream_fs_new (fd);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_persist_stream (parser, TRUE);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);
  gssize length = -1;
  if (message != NULL)
    {
      GMimeObject *body = g_mime_message_get_mime_part (message);
      GMimeObject *text = body ? first_text (body, "plain") : NULL;
      if (text == NULL && body != NULL)
        text = first_text (body, "html");
      char *utf8 = text ? g_mime_text_part_get_text (GMIME_TEXT_PART (text)) : NULL;
      length = utf8 ? (gssize) strlen (utf8) : 0;
      g_free (utf8);
      g_object_unref (message);
    }
  g_object_unref (parser);
  g_object_unref (stream);
  return length;
}

static gint
compare (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: floor MAILDIR\n");
      return 64;
    }
  g_mime_init ();
  guint messages = 0;
  guint64 text_bytes = 0;
  const char *const subdirs[] = { "new", "cur" };
  for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++)
    {
      char *dir_path = g_build_filename (argv[1], subdirs[s], NULL);
      GDir *dir = g_dir_open (dir_path, 0, NULL);
      GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
      const char *name;
      while (dir && (name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.')
          g_ptr_array_add (names, g_build_filename (dir_path, name, NULL));
      g_ptr_array_sort (names, compare);
      for (guint i = 0; i < names->len; i++)
        {
          gssize length = text_length (names->pdata[i]);
          messages += length >= 0;
          text_bytes += length > 0 ? length : 0;
        }
      g_ptr_array_unref (names);
      if (dir)
        g_dir_close (dir);
      g_free (dir_path);
    }
  printf ("messages=%u text-bytes=%" G_GUINT64_FORMAT "\n", messages, text_bytes);
  g_mime_shutdown ();
  return 0;
}
