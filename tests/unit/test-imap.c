/* SPDX-License-Identifier: MIT */
/* baton's IMAP code on scripted server conversations (from memory, through
 * baton_imap_connect_script): the answers of hostile or broken servers
 * found in issue 15 and by fuzz-imap, each as the bytes that showed it.
 * At the end, servers on 127.0.0.1 that stall or trickle, and stops
 * (baton_net_stop) that must end a connection before it is a session. */
#include "baton/error.h"
#include "baton/imap.h"
#include "baton/net.h"

#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Greeting, AUTHENTICATE PLAIN ("+" then OK), CAPABILITY, SELECT, and the
 * UID SEARCH of UIDs 1..3 with their sizes: what every fetch below starts
 * with. Tags count from 1, as libetpan numbers its commands. */
#define PROLOGUE                                                                                   \
  "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE MOVE UIDPLUS] ready\r\n"                             \
  "+ \r\n"                                                                                         \
  "1 OK Logged in\r\n"                                                                             \
  "* CAPABILITY IMAP4rev1 IDLE MOVE UIDPLUS\r\n"                                                   \
  "2 OK done\r\n"                                                                                  \
  "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 4] ok\r\n"                               \
  "3 OK [READ-WRITE] SELECT completed\r\n"                                                         \
  "* SEARCH 1 2 3\r\n4 OK done\r\n"                                                                \
  "* 1 FETCH (UID 1 RFC822.SIZE 11)\r\n* 2 FETCH (UID 2 RFC822.SIZE 11)\r\n"                       \
  "* 3 FETCH (UID 3 RFC822.SIZE 11)\r\n5 OK done\r\n"

/* Greeting, login and capabilities, for a script that goes on from there. */
#define LOGGED_IN                                                                                  \
  "* OK [CAPABILITY IMAP4rev1] ready\r\n1 OK Logged in\r\n* CAPABILITY IMAP4rev1\r\n2 OK done\r\n"

typedef struct {
  GArray *uids; /* guint32, in the order handed out */
} Seen;

static gboolean
collect (guint32 uid, const char *bytes, int fd, gsize len, gpointer data, GError **error)
{
  Seen *seen = data;
  (void) bytes, (void) fd, (void) len, (void) error;
  g_array_append_val (seen->uids, uid);
  return TRUE;
}

/* A session on @script, logged in and with the mailbox selected: the
 * script must answer both. */
static BatonImapSession *
selected_script (const char *script)
{
  BatonImapSettings settings = { .host = "script", .user = "u", .password = "p" };
  g_autoptr (GError) error = NULL;
  BatonImapSession *s = baton_imap_connect_script (&settings, script, strlen (script), &error);
  g_assert_no_error (error);
  g_assert_true (baton_imap_select (s, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return s;
}

/* Runs select + fetch of UIDs 1.. on @script; returns the fetch's result,
 * the UIDs handed out in @seen and the error in @error. */
static gboolean
fetch_script (const char *script, Seen *seen, GError **error)
{
  g_autoptr (BatonImapSession) s = selected_script (script);
  seen->uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  return baton_imap_fetch_range (s, 1, 0, collect, seen, error);
}

static void
test_well_behaved (void)
{
  const char *script = PROLOGUE "* 1 FETCH (UID 1 BODY[] {11}\r\nFrom: a\r\n\r\n)\r\n"
                                "* 2 FETCH (UID 2 BODY[] {11}\r\nFrom: b\r\n\r\n)\r\n"
                                "* 3 FETCH (UID 3 BODY[] {11}\r\nFrom: c\r\n\r\n)\r\n"
                                "6 OK done\r\n";
  Seen seen;
  g_autoptr (GError) error = NULL;
  gboolean fetched = fetch_script (script, &seen, &error);
  g_assert_no_error (error);
  g_assert_true (fetched);
  g_assert_cmpuint (seen.uids->len, ==, 3);
  g_array_unref (seen.uids);
}

/* Issue 15, finding 1: "{100000}", a few bytes, then the server closes.
 * libetpan's literal reader used to spin on the closed stream forever. */
static void
test_closed_mid_literal (void)
{
  const char *script = PROLOGUE "* 1 FETCH (UID 1 BODY[] {100000}\r\nFrom: bob@exa";
  Seen seen;
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_assert_false (fetch_script (script, &seen, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY);
  g_assert_nonnull (strstr (error->message, "closed the connection"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (seen.uids->len, ==, 0);
  g_array_unref (seen.uids);
}

/* Finding 3: UID 2 answered with FLAGS only. It used to be skipped, and
 * UID 3 after it applied, moving the position past UID 2 for good. */
static void
test_missing_body_stops_before_it (void)
{
  const char *script = PROLOGUE "* 1 FETCH (UID 1 BODY[] {11}\r\nFrom: a\r\n\r\n)\r\n"
                                "* 2 FETCH (UID 2 FLAGS (\\Seen))\r\n"
                                "* 3 FETCH (UID 3 BODY[] {11}\r\nFrom: c\r\n\r\n)\r\n"
                                "6 OK done\r\n";
  Seen seen;
  g_autoptr (GError) error = NULL;
  g_assert_false (fetch_script (script, &seen, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY);
  g_assert_nonnull (strstr (error->message, "UID 2"));
  g_assert_cmpuint (seen.uids->len, ==, 1);
  g_assert_cmpuint (g_array_index (seen.uids, guint32, 0), ==, 1);
  g_array_unref (seen.uids);
}

/* Finding 3: UID 99 in the reply, never asked for. It used to be applied
 * and the position jumped to 99. */
static void
test_unrequested_uid_ignored (void)
{
  const char *script = PROLOGUE "* 1 FETCH (UID 1 BODY[] {11}\r\nFrom: a\r\n\r\n)\r\n"
                                "* 2 FETCH (UID 2 BODY[] {11}\r\nFrom: b\r\n\r\n)\r\n"
                                "* 3 FETCH (UID 3 BODY[] {11}\r\nFrom: c\r\n\r\n)\r\n"
                                "* 4 FETCH (UID 99 BODY[] {11}\r\nFrom: z\r\n\r\n)\r\n"
                                "6 OK done\r\n";
  Seen seen;
  g_autoptr (GError) error = NULL;
  g_test_expect_message ("baton-imap", G_LOG_LEVEL_WARNING, "*sent UID 99*not asked for*");
  g_assert_true (fetch_script (script, &seen, &error));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (seen.uids->len, ==, 3);
  g_assert_cmpuint (g_array_index (seen.uids, guint32, 2), ==, 3);
  g_array_unref (seen.uids);
}

/* A message larger than a batch is fetched alone, in pieces, into a file;
 * the pieces' bytes arrive in order. Sizes here: 5 MB announced, the
 * server's pieces 4 MB and then 1 MB. */
static gboolean
check_large (guint32 uid, const char *bytes, int fd, gsize len, gpointer data, GError **error)
{
  (void) error;
  gsize *checked = data;
  g_assert_cmpuint (uid, ==, 1);
  g_assert_null (bytes);
  g_assert_cmpuint (len, ==, 5u << 20);
  char c;
  g_assert_cmpint (pread (fd, &c, 1, 0), ==, 1);
  g_assert_cmpint (c, ==, 'F');
  g_assert_cmpint (pread (fd, &c, 1, (4u << 20)), ==, 1);
  g_assert_cmpint (c, ==, 'y');
  *checked = len;
  return TRUE;
}

static void
test_large_in_pieces (void)
{
  gsize piece = BATON_IMAP_PIECE_BYTES, total = 5u << 20;
  g_autoptr (GString) script = g_string_new (
      "* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n1 OK Logged in\r\n"
      "* CAPABILITY IMAP4rev1 IDLE\r\n2 OK done\r\n"
      "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n3 OK [READ-WRITE] SELECT completed\r\n"
      "* SEARCH 1\r\n4 OK done\r\n");
  g_string_append_printf (script, "* 1 FETCH (UID 1 RFC822.SIZE %zu)\r\n5 OK done\r\n", total);
  g_string_append_printf (script, "* 1 FETCH (UID 1 BODY[]<0> {%zu}\r\nFrom: x\r\n\r\n", piece);
  for (gsize i = 11; i < piece; i++)
    g_string_append_c (script, 'x');
  g_string_append_printf (script, ")\r\n6 OK done\r\n* 1 FETCH (UID 1 BODY[]<%zu> {%zu}\r\n", piece,
                          total - piece);
  for (gsize i = piece; i < total; i++)
    g_string_append_c (script, 'y');
  g_string_append (script, ")\r\n7 OK done\r\n");

  BatonImapSettings settings = { .host = "script", .user = "u", .password = "p" };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s =
      baton_imap_connect_script (&settings, script->str, script->len, &error);
  g_assert_no_error (error);
  g_assert_true (baton_imap_select (s, NULL, NULL, NULL, &error));
  gsize checked = 0;
  g_assert_true (baton_imap_fetch_range (s, 1, 0, check_large, &checked, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (checked, ==, total);
}

/* Found by fuzz-imap: a greeting with an empty, malformed CAPABILITY made
 * libetpan's mailimap_has_authentication read through NULL. */
static void
test_empty_capability (void)
{
  const char *script = "* OK [CAPABILITY]R IS TEELECT completed\r\n* SEARCH 1 2 3\r\n";
  BatonImapSettings settings = { .host = "script", .user = "u", .password = "p" };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s =
      baton_imap_connect_script (&settings, script, strlen (script), &error);
  g_assert_null (s);
  g_assert_nonnull (error);
}

/* Found by fuzz-imap: an untagged "* CAPABILITY" with no names made
 * libetpan's mailimap_capability copy a NULL list. Now a protocol error. */
static void
test_untagged_capability_empty (void)
{
  const char *script = "* OK ready\r\n1 OK LOGIN done\r\n* CAPABILITY  \r\n2 OK done\r\n";
  BatonImapSettings settings = { .host = "script", .user = "u", .password = "p" };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s =
      baton_imap_connect_script (&settings, script, strlen (script), &error);
  g_assert_null (s);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_PROTOCOL);
}

/* Found by fuzz-imap: CAPABILITY answered OK without a CAPABILITY list
 * (and none in the greeting) made libetpan's mailimap_capability copy a
 * NULL list. The session now opens, knowing no capability. */
static void
test_capability_without_list (void)
{
  const char *script = "* OK ready\r\n1 OK Logged in\r\n2 OK Capability completed\r\n";
  BatonImapSettings settings = { .host = "script", .user = "u", .password = "p" };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s =
      baton_imap_connect_script (&settings, script, strlen (script), &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  g_assert_false (baton_imap_has_capability (s, "MOVE"));
}

/* Found by fuzz-imap (CI, 2026-12-06): a literal in the greeting made
 * libetpan read through a NULL parser context (SEGV in
 * mailimap_string_parse from mailimap_greeting_parse), inside a response
 * code, after one that "]" seemed to close, or with no CR LF after it; and
 * any BADCHARSET list there, "(x y)" included. Until the login is done
 * (and while IDLE starts) both are now a protocol error; a literal in an
 * ordinary response after the login passes. */
static void
test_literal_in_greeting_code (void)
{
  static const char crash[] =
      "* OK [BADCHARSET (UID 3 BODY[] {113}\r\nFrom: bob@example.com\r\nMessage-ID: "
      "<fake1@imapfake>\r\n\r\ntask: Fake task 1\r\n)\r\n* 2 FETCH (UID 2 BODY[] {113}\r\n"
      "From: bob@example&com\r\nTo: teted\r\n* SEARCH 1 2 3\r\n7%OK UID SEARCH completed\r\n";
  const char *bad[] = {
    crash,
    "* OK [BADCHARSET ({3}\r\nabc)] ready\r\n1 OK Logged in\r\n",
    "* OK [X \"q\" [Y] {0}\r\n] ready\r\n1 OK Logged in\r\n",
    "* OK [BADCHARSET (UID 3 UTF-8] {3}\r\nabc\r\n)\r\n1 OK Logged in\r\n",
    "* OK ready\r\n+ [X {3}\r\nabc]\r\n1 OK Logged in\r\n",
    "* OK [BADCHARSET (UID 3 BODY[] {113}F\nr\rm:o bb@example.com\r\n>\r\n",
    "* OK [BADCHARSET (x y)] hi\r\n1 OK Logged in\r\n",
    "* BYE [badcharset (x)] going\r\n",
    "* OK [BADCHARSET  (x)] two spaces\r\n",
    "* OK [PERmANENTFLAGS ().FCH (U-ID\r\n",
  };
  BatonImapSettings settings = { .host = "script", .user = "u", .password = "p" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BatonImapSession) s =
          baton_imap_connect_script (&settings, bad[i], strlen (bad[i]), &error);
      g_assert_null (s);
      g_assert_error (error, BATON_ERROR, BATON_ERROR_PROTOCOL);
    }
  const char *fine = "* OK [CAPABILITY IMAP4rev1] ready\r\n1 OK Logged in\r\n"
                     "* LIST () \"[\" {5}\r\nINBOX\r\n* CAPABILITY IMAP4rev1\r\n2 OK done\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s =
      baton_imap_connect_script (&settings, fine, strlen (fine), &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
}

/* Found by fuzz-imap: "* SEARCH 2 2 3" made UID 2 fetched and handed out
 * twice. */
static void
test_search_duplicate_uid (void)
{
  const char *script = LOGGED_IN
      "* 3 EXISTS\r\n3 OK [READ-WRITE] done\r\n* SEARCH 2 2 3\r\n4 OK done\r\n"
      "* 2 FETCH (UID 2 RFC822.SIZE 11)\r\n* 3 FETCH (UID 3 RFC822.SIZE 11)\r\n5 OK done\r\n"
      "* 2 FETCH (UID 2 BODY[] {11}\r\nFrom: b\r\n\r\n)\r\n"
      "* 3 FETCH (UID 3 BODY[] {11}\r\nFrom: c\r\n\r\n)\r\n6 OK done\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s = selected_script (script);
  Seen seen = { g_array_new (FALSE, FALSE, sizeof (guint32)) };
  g_assert_true (baton_imap_fetch_range (s, 1, 0, collect, &seen, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen.uids->len, ==, 2);
  g_assert_cmpuint (g_array_index (seen.uids, guint32, 0), ==, 2);
  g_assert_cmpuint (g_array_index (seen.uids, guint32, 1), ==, 3);
  g_array_unref (seen.uids);
}

/* Select on @select_answer after the usual login; the result and error. */
static gboolean
select_script (const char *select_answer, GError **error)
{
  g_autofree char *script = g_strconcat (LOGGED_IN, select_answer, NULL);
  BatonImapSettings settings = { .host = "script", .user = "u", .password = "p" };
  g_autoptr (BatonImapSession) s =
      baton_imap_connect_script (&settings, script, strlen (script), error);
  /* The script arrives in one read: a bad line fails the connect already. */
  return s != NULL && baton_imap_select (s, NULL, NULL, NULL, error);
}

/* Each of the @n answers to SELECT is a protocol error. */
static void
assert_selects_refused (const char *const *answers, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (select_script (answers[i], &error));
      g_assert_error (error, BATON_ERROR, BATON_ERROR_PROTOCOL);
    }
}

/* Found by fuzz-imap: libetpan allocates a literal's announced size at
 * once, 1 GB for "{1073741823}", 4 GB for "{1135555…5}" (which overflows
 * 32 bits). A literal over 64 MB (16 times the largest baton asks for) is
 * now a protocol error, however many digits. */
static void
test_literal_too_large (void)
{
  const char *sizes[] = { "{67108865}",    "{1073741823}",
                          "{4294967295}",  "{11355555555555555555555555555555555555555}",
                          "{99999999999}", "{ 000000000000000000000914556419}",
                          "{\t67108865 }", "{67108865+}" };
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *script = g_strdup_printf (
          LOGGED_IN
          "* 1 EXISTS\r\n3 OK [READ-WRITE] done\r\n* SEARCH 2\r\n4 OK done\r\n"
          "* 1 FETCH (UID 2 RFC822.SIZE 11)\r\n5 OK done\r\n* 1 FETCH (UID 2 BODY[] %s\r\n"
          "From: b\r\n\r\n)\r\n6 OK done\r\n",
          sizes[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (BatonImapSession) s = selected_script (script);
      Seen seen = { g_array_new (FALSE, FALSE, sizeof (guint32)) };
      g_assert_false (baton_imap_fetch_range (s, 1, 0, collect, &seen, &error));
      g_assert_error (error, BATON_ERROR, BATON_ERROR_PROTOCOL);
      g_assert_cmpuint (seen.uids->len, ==, 0);
      g_array_unref (seen.uids);
    }
}

/* Found by fuzz-imap: after a FETCH answer that did not parse, libetpan
 * stopped before the literal, and the next command read the message's
 * bytes as its answer: here a UID SEARCH would have listed UIDs 7, 8 and
 * 9 from a mail's text. Once an answer fails midway the session sends
 * nothing more. */
static void
test_session_lost_after_bad_answer (void)
{
  const char *script = LOGGED_IN
      "* 1 EXISTS\r\n3 OK [READ-WRITE] done\r\n* SEARCH 1\r\n4 OK done\r\n"
      "* 1 FETCH (UID 1 RFC822.SIZE 30)\r\n5 OK done\r\n"
      "* 1 FETCH (UIDUID 1 BODY[] {30}\r\n* SEARCH 7 8 9\r\n7 OK done\r\n)\r\n6 OK done\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s = selected_script (script);
  Seen seen = { g_array_new (FALSE, FALSE, sizeof (guint32)) };
  g_assert_false (baton_imap_fetch_range (s, 1, 0, collect, &seen, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_cmpuint (seen.uids->len, ==, 0);
  g_array_unref (seen.uids);
  g_autoptr (GArray) above = baton_imap_list_uids_above (s, 0, &error);
  g_assert_null (above);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "not sent"));
}

/* A connection closed in the middle of an answer is TEMPORARY (the poll is
 * retried); what the session then refuses to send says so too, so a
 * daemon reconnects instead of stopping. */
static void
test_session_lost_after_close (void)
{
  const char *script = PROLOGUE "* 1 FETCH (UID 1 BODY[] {100000}\r\nFrom: bob@exa";
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s = selected_script (script);
  Seen seen = { g_array_new (FALSE, FALSE, sizeof (guint32)) };
  g_assert_false (baton_imap_fetch_range (s, 1, 0, collect, &seen, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY);
  g_clear_error (&error);
  g_array_unref (seen.uids);
  guint32 uids[] = { 1 };
  g_assert_false (baton_imap_move (s, uids, 1, "Processed", &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY);
  g_assert_nonnull (strstr (error->message, "not sent"));
}

/* Found while fuzzing: a status response ends in free text, so libetpan
 * reads the bytes after "* OK hi {28}" as lines, which the screen had
 * skipped as a literal, and the line there crashed libetpan. Now they are
 * screened; a code that ends in "{N}" is refused; text that only looks
 * like a literal passes. */
static void
test_literal_in_status_text (void)
{
  const char *bad[] = {
    "* OK hi {28}\r\n* OK [PERMANENTFLAGS (\\)] x\r\n3 OK done\r\n",
    "* NO [X {5}\r\nabcde]\r\n3 OK done\r\n",
    "* OK [ALERT [X] see {3}\r\nabc\r\n3 OK done\r\n",
  };
  assert_selects_refused (bad, G_N_ELEMENTS (bad));
  g_autoptr (GError) error = NULL;
  g_assert_true (select_script ("* OK hi {3}\r\n* 2 EXISTS\r\n3 OK [READ-WRITE] {9}\r\n", &error));
  g_assert_no_error (error);
}

/* Found by fuzz-imap: a NO to UID SEARCH still hands over the UIDs its
 * answer listed, which were lost (a leak under the sanitizers). */
static void
test_search_refused (void)
{
  const char *script =
      LOGGED_IN "* 1 EXISTS\r\n3 OK [READ-WRITE] done\r\n* SEARCH 1 2\r\n4 NO busy\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s = selected_script (script);
  g_autoptr (GArray) above = baton_imap_list_uids_above (s, 0, &error);
  g_assert_null (above);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "busy"));
}

/* Found by fuzz-imap: libetpan freed a NULL list on "[PERMANENTFLAGS ("
 * followed by anything but flags: now a protocol error. Well-formed lists
 * still pass. */
static void
test_malformed_permanentflags (void)
{
  const char *bad[] = {
    "* OK [PERMANENTFLAGS (\\)] Flags permitted.\r\n3 OK done\r\n",
    "* OK [PERMANENTFLAGS (\\AnDITY 1796530268] \r\n3 OK done\r\n",
    "* OK [PERMANENTFLAGS (* OK [CAPABILITY IMAP4rev1] x\r\n3 OK done\r\n",
  };
  assert_selects_refused (bad, G_N_ELEMENTS (bad));
  g_autoptr (GError) error = NULL;
  g_assert_true (select_script ("* OK [PERMANENTFLAGS (\\Seen \\Deleted $Junk \\*)] ok\r\n"
                                "* OK [PERMANENTFLAGS ()] none\r\n3 OK done\r\n",
                                &error));
  g_assert_no_error (error);
}

/* Found by fuzz-imap (CI, 2026-12-06): libetpan lost each atom of a
 * BADCHARSET list left unclosed (18 bytes a line, for as long as a daemon
 * runs), and a second BADCHARSET for one command crashed it or freed a
 * list twice. baton's SEARCH names no CHARSET, so no server has a reason
 * to send one: any BADCHARSET is a protocol error, wherever it comes. */
static void
test_badcharset_refused (void)
{
  const char *bad[] = {
    "* OK [BADCHARSET  (,Ub@example.ceted\r\n3 OK done\r\n",
    "3 NO [BADCHARSET (UTF-8 x\r\n",
    "* OK [BADCHARSET (US-ASCII \"UTF-8\")] ok\r\n3 OK done\r\n",
    "* OK [BADCHARSET] one\r\n* OK [badcharset] two\r\n3 OK done\r\n",
  };
  assert_selects_refused (bad, G_N_ELEMENTS (bad));
}

/* Found by fuzz-imap: "[CAPABILITY]" with no names left libetpan a list it
 * later copied through NULL. */
static void
test_empty_capability_code (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_false (select_script ("* OK [CAPABILITY] x\r\n3 OK done\r\n", &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_PROTOCOL);
}

/* The screen reads protocol lines only: a message (a literal) may hold
 * any bytes, those included. */
static void
test_literal_not_screened (void)
{
  const char *body = "From: a\r\n\r\n* OK [PERMANENTFLAGS (\\)] [CAPABILITY]\r\n";
  g_autofree char *script = g_strdup_printf (
      LOGGED_IN "* 1 EXISTS\r\n3 OK [READ-WRITE] done\r\n* SEARCH 1\r\n4 OK done\r\n"
                "* 1 FETCH (UID 1 RFC822.SIZE %zu)\r\n5 OK done\r\n"
                "* 1 FETCH (UID 1 BODY[] {%zu}\r\n%s)\r\n6 OK done\r\n",
      strlen (body), strlen (body), body);
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s = selected_script (script);
  Seen seen = { g_array_new (FALSE, FALSE, sizeof (guint32)) };
  g_assert_true (baton_imap_fetch_range (s, 1, 0, collect, &seen, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen.uids->len, ==, 1);
  g_array_unref (seen.uids);
}

/* ---- live sockets on 127.0.0.1 ------------------------------------------ */

/* A listening socket on a free port of 127.0.0.1 (@port). Connections to it
 * complete in the kernel whether or not anyone accepts them. */
static int
listen_local (guint16 *port)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  struct sockaddr_in addr = { 0 };
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 4), ==, 0);
  socklen_t len = sizeof addr;
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  *port = ntohs (addr.sin_port);
  return fd;
}

static BatonImapSettings
local_settings (guint16 port, guint timeout)
{
  BatonImapSettings settings = { .host = "127.0.0.1",
                                 .port = port,
                                 .tls = BATON_IMAP_TLS_PLAIN,
                                 .allow_plaintext = TRUE,
                                 .user = "u",
                                 .password = "p",
                                 .timeout_seconds = timeout };
  return settings;
}

static gpointer
stop_soon (gpointer data)
{
  (void) data;
  g_usleep (200 * 1000);
  baton_net_stop ();
  return NULL;
}

/* A server that accepted and never greets; the stop comes while baton
 * waits for the greeting, before any session exists. Before: the wait
 * lasted the whole timeout (30 s here). Run in a subprocess: a stop is for
 * good. */
static void
test_stop_in_greeting (void)
{
  if (g_test_subprocess ())
    {
      guint16 port = 0;
      int listener = listen_local (&port);
      BatonImapSettings settings = local_settings (port, 30);
      GThread *stopper = g_thread_new ("stopper", stop_soon, NULL);
      gint64 start = g_get_monotonic_time ();
      g_autoptr (GError) error = NULL;
      g_autoptr (BatonImapSession) s = baton_imap_connect (&settings, &error);
      gint64 took = g_get_monotonic_time () - start;
      g_thread_join (stopper);
      g_assert_null (s);
      g_assert_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY);
      g_assert_nonnull (strstr (error->message, "asked to stop"));
      g_assert_cmpint (took, <, 2 * G_USEC_PER_SEC);
      close (listener);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A stop that came first: no connection is even tried. */
static void
test_stop_before_connect (void)
{
  if (g_test_subprocess ())
    {
      guint16 port = 0;
      int listener = listen_local (&port);
      BatonImapSettings settings = local_settings (port, 30);
      baton_net_stop ();
      g_autoptr (GError) error = NULL;
      g_autoptr (BatonImapSession) s = baton_imap_connect (&settings, &error);
      g_assert_null (s);
      g_assert_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY);
      g_assert_nonnull (strstr (error->message, "connect to 127.0.0.1"));
      g_assert_nonnull (strstr (error->message, "asked to stop"));
      close (listener);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A watched socket is shut down by the stop: a read on it ends at once. */
static void
test_stop_shuts_watched_socket (void)
{
  if (g_test_subprocess ())
    {
      int pair[2];
      g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, pair), ==, 0);
      baton_net_watch_fd (pair[0]);
      baton_net_stop ();
      char byte;
      g_assert_cmpint (read (pair[0], &byte, 1), ==, 0);
      baton_net_unwatch_fd (pair[0]);
      close (pair[0]);
      close (pair[1]);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Accepts one connection and sends its greeting a byte every 40 ms until
 * the client goes away. */
static gpointer
trickle_greeting (gpointer data)
{
  int listener = GPOINTER_TO_INT (data);
  int conn = accept (listener, NULL, NULL);
  const char *greeting = "* OK [CAPABILITY IMAP4rev1 IDLE] a greeting that takes its time, "
                         "one byte at a time, for as long as the client listens\r\n";
  for (const char *p = greeting; conn >= 0 && *p; p++)
    {
      if (send (conn, p, 1, MSG_NOSIGNAL) != 1)
        break;
      g_usleep (40 * 1000);
    }
  if (conn >= 0)
    close (conn);
  return NULL;
}

/* Each byte comes 40 ms after the last, well inside the 1 s timeout: only
 * the rate floor (BATON_IMAP_MIN_RATE over each timeout) ends it. Before:
 * the connection lasted as long as the server had bytes to trickle. */
static void
test_trickled_greeting_is_a_stall (void)
{
  guint16 port = 0;
  int listener = listen_local (&port);
  GThread *server = g_thread_new ("trickle", trickle_greeting, GINT_TO_POINTER (listener));
  BatonImapSettings settings = local_settings (port, 1);
  gint64 start = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s = baton_imap_connect (&settings, &error);
  gint64 took = g_get_monotonic_time () - start;
  g_assert_null (s);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY);
  g_assert_nonnull (strstr (error->message, "stalled"));
  g_assert_nonnull (strstr (error->message, "timeout = in [imap]"));
  g_assert_cmpint (took, >=, G_USEC_PER_SEC);    /* one whole window */
  g_assert_cmpint (took, <, 4 * G_USEC_PER_SEC); /* not the ~5 s of trickle */
  g_thread_join (server);
  close (listener);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/imap/well-behaved", test_well_behaved);
  g_test_add_func ("/imap/closed-mid-literal", test_closed_mid_literal);
  g_test_add_func ("/imap/missing-body-stops-before-it", test_missing_body_stops_before_it);
  g_test_add_func ("/imap/unrequested-uid-ignored", test_unrequested_uid_ignored);
  g_test_add_func ("/imap/large-in-pieces", test_large_in_pieces);
  g_test_add_func ("/imap/empty-capability", test_empty_capability);
  g_test_add_func ("/imap/capability-without-list", test_capability_without_list);
  g_test_add_func ("/imap/malformed-permanentflags", test_malformed_permanentflags);
  g_test_add_func ("/imap/empty-capability-code", test_empty_capability_code);
  g_test_add_func ("/imap/literal-not-screened", test_literal_not_screened);
  g_test_add_func ("/imap/badcharset-refused", test_badcharset_refused);
  g_test_add_func ("/imap/session-lost-after-bad-answer", test_session_lost_after_bad_answer);
  g_test_add_func ("/imap/session-lost-after-close", test_session_lost_after_close);
  g_test_add_func ("/imap/search-refused", test_search_refused);
  g_test_add_func ("/imap/literal-in-status-text", test_literal_in_status_text);
  g_test_add_func ("/imap/search-duplicate-uid", test_search_duplicate_uid);
  g_test_add_func ("/imap/literal-in-greeting-code", test_literal_in_greeting_code);
  g_test_add_func ("/imap/literal-too-large", test_literal_too_large);
  g_test_add_func ("/imap/untagged-capability-empty", test_untagged_capability_empty);
  g_test_add_func ("/imap/stop-in-greeting", test_stop_in_greeting);
  g_test_add_func ("/imap/stop-before-connect", test_stop_before_connect);
  g_test_add_func ("/imap/stop-shuts-watched-socket", test_stop_shuts_watched_socket);
  g_test_add_func ("/imap/trickled-greeting-is-a-stall", test_trickled_greeting_is_a_stall);
  return g_test_run ();
}
