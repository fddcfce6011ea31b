/* SPDX-License-Identifier: MIT */
/* iCalendar holidays through libical.
 *
 * libical parses leniently: a broken line becomes an X-LIC-ERROR property
 * and no line number survives. A sysadmin fixing a holiday file wants the
 * line, so a small scan of the text comes first: it unfolds the content
 * lines (RFC 5545 §3.1), checks each has a NAME and a ':' and that BEGIN
 * and END nest, and remembers where each VEVENT begins. Then libical
 * reads the meaning (dates, durations, recurrence rules) and whatever it
 * still rejects is reported at the line of the event it sits in.
 *
 * libical is opened on the first calendar read, not linked: it brings ICU
 * and libstdc++, and loading them took 2.4 ms and 150 page faults at every
 * start of baton (`baton --version` 5.6 ms instead of 3.2), which the
 * procmail path pays for every delivery, calendar or not.
 */
#define G_LOG_DOMAIN "baton-calendar"
#include "baton/calendar.h"

#include "baton/error.h"

#include <dlfcn.h>
#include <libical/ical.h>
#include <string.h>

#ifndef BATON_ICAL_SONAME
#define BATON_ICAL_SONAME "libical.so.3"
#endif

/* Every libical function this file calls, typed from libical's header. */
#define ICAL_FUNCTIONS(X)                                                                          \
  X (icalcomponent_free)                                                                           \
  X (icalcomponent_get_dtend)                                                                      \
  X (icalcomponent_get_dtstart)                                                                    \
  X (icalcomponent_get_first_component)                                                            \
  X (icalcomponent_get_first_property)                                                             \
  X (icalcomponent_get_next_component)                                                             \
  X (icalcomponent_get_next_property)                                                              \
  X (icalcomponent_isa)                                                                            \
  X (icalerror_set_errors_are_fatal)                                                               \
  X (icalparser_parse_string)                                                                      \
  X (icalproperty_get_exdate)                                                                      \
  X (icalproperty_get_rrule)                                                                       \
  X (icalproperty_get_xlicerror)                                                                   \
  X (icalrecur_iterator_free)                                                                      \
  X (icalrecur_iterator_new)                                                                       \
  X (icalrecur_iterator_next)                                                                      \
  X (icaltime_compare)                                                                             \
  X (icaltime_from_day_of_year)                                                                    \
  X (icaltime_is_null_time)

typedef struct {
#define ICAL_FIELD(name) __typeof__ (name) *name;
  ICAL_FUNCTIONS (ICAL_FIELD)
#undef ICAL_FIELD
} Ical;

static Ical ical;
static char *ical_failure; /* why libical could not be opened, or NULL */

static gpointer
open_ical (G_GNUC_UNUSED gpointer unused)
{
  void *handle = dlopen (BATON_ICAL_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      ical_failure = g_strdup (dlerror ());
      return NULL;
    }
#define ICAL_LOOKUP(name)                                                                          \
  if (ical_failure == NULL && (ical.name = dlsym (handle, #name)) == NULL)                         \
    ical_failure = g_strdup_printf ("%s has no %s", BATON_ICAL_SONAME, #name);
  ICAL_FUNCTIONS (ICAL_LOOKUP)
#undef ICAL_LOOKUP
  return NULL; /* never closed: the process keeps it to the end */
}

/* libical's functions, opened once; FALSE with an error naming @name when
 * the library is missing. */
static gboolean
ical_ready (const char *name, GError **error)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, open_ical, NULL);
  if (ical_failure == NULL)
    return TRUE;
  g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
               "%s: holidays cannot be read without libical (install Debian's libical3): %s", name,
               ical_failure);
  return FALSE;
}

static void
calendar_free (icalcomponent *calendar)
{
  ical.icalcomponent_free (calendar);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (icalcomponent, calendar_free)

/* Far enough for any office calendar; bounded so a rule without an end
 * (FREQ=DAILY) costs a fixed amount. */
#define LAST_YEAR 2100
#define MAX_INSTANCES 5000
/* A holiday file is small; a larger one is not a holiday file. */
#define MAX_FILE_BYTES (4 * 1024 * 1024)

typedef struct {
  const char *name;
  GArray *event_lines; /* guint: physical line of each BEGIN:VEVENT, in order */
} Scan;

G_GNUC_PRINTF (4, 5)
static gboolean
fail (GError **error, const char *name, guint line, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "%s:%u: %s", name, line, text);
  return FALSE;
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '-';
}

/* One unfolded content line starting at physical line @line. */
static gboolean
scan_line (Scan *scan, GPtrArray *open, const char *text, guint line, GError **error)
{
  gsize name_length = 0;
  while (is_name_char (text[name_length]))
    name_length++;
  if (name_length == 0 || (text[name_length] != ':' && text[name_length] != ';') ||
      strchr (text, ':') == NULL)
    return fail (error, scan->name, line,
                 "not an iCalendar line: each line is NAME:VALUE (e.g. DTSTART;VALUE=DATE:"
                 "20261225), and a continued line starts with a space");
  gboolean begin = g_ascii_strncasecmp (text, "BEGIN:", 6) == 0;
  gboolean end = g_ascii_strncasecmp (text, "END:", 4) == 0;
  if (open->len == 0 && !begin)
    return fail (error, scan->name, line, "an iCalendar file starts with BEGIN:VCALENDAR");
  if (begin)
    {
      g_autofree char *what = g_strstrip (g_ascii_strup (text + 6, -1));
      if (open->len == 0 && !g_str_equal (what, "VCALENDAR"))
        return fail (error, scan->name, line, "an iCalendar file starts with BEGIN:VCALENDAR");
      if (g_str_equal (what, "VEVENT"))
        g_array_append_val (scan->event_lines, line);
      g_ptr_array_add (open, g_steal_pointer (&what));
    }
  else if (end)
    {
      g_autofree char *what = g_strstrip (g_ascii_strup (text + 4, -1));
      if (open->len == 0 || !g_str_equal (what, open->pdata[open->len - 1]))
        return fail (error, scan->name, line, "END:%s does not close BEGIN:%s", what,
                     open->len > 0 ? (char *) open->pdata[open->len - 1] : "(nothing)");
      g_ptr_array_remove_index (open, open->len - 1);
    }
  return TRUE;
}

static gboolean
scan_text (Scan *scan, const char *text, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GPtrArray) open = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) logical = g_string_new (NULL);
  guint start = 0, number = 0, seen = 0, last = 1;
  for (guint i = 0;; i++)
    {
      char *raw = lines[i];
      if (raw != NULL)
        {
          gsize n = strlen (raw);
          if (n > 0 && raw[n - 1] == '\r')
            raw[n - 1] = '\0';
        }
      if (raw != NULL && (raw[0] == ' ' || raw[0] == '\t') && logical->len > 0)
        {
          g_string_append (logical, raw + 1);
          continue;
        }
      if (logical->len > 0 && !scan_line (scan, open, logical->str, start, error))
        return FALSE;
      if (logical->len > 0)
        seen++, last = start;
      if (raw == NULL)
        break;
      number = i + 1;
      g_string_assign (logical, raw);
      start = number;
    }
  if (seen == 0)
    return fail (error, scan->name, 1, "empty: an iCalendar file starts with BEGIN:VCALENDAR");
  if (open->len > 0)
    return fail (error, scan->name, last, "BEGIN:%s is never closed with END:%s",
                 (char *) open->pdata[open->len - 1], (char *) open->pdata[open->len - 1]);
  return TRUE;
}

static guint32
julian_of (struct icaltimetype t)
{
  if (!g_date_valid_dmy ((GDateDay) t.day, (GDateMonth) t.month, (GDateYear) t.year))
    return 0;
  GDate date;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) t.day, (GDateMonth) t.month, (GDateYear) t.year);
  return g_date_get_julian (&date);
}

/* The dates one occurrence starting at @start covers: an all-day event
 * @length days, a timed one its first date. */
static void
add_occurrence (GArray *days, GHashTable *excluded, struct icaltimetype start, guint length)
{
  guint32 first = julian_of (start);
  if (first == 0 || g_hash_table_contains (excluded, GUINT_TO_POINTER (first)))
    return;
  for (guint32 day = first; day < first + MAX (length, 1); day++)
    g_array_append_val (days, day);
}

static guint
length_in_days (icalcomponent *event, struct icaltimetype start)
{
  if (!start.is_date)
    return 1;
  struct icaltimetype end = ical.icalcomponent_get_dtend (event);
  if (ical.icaltime_is_null_time (end) || !end.is_date)
    return 1;
  guint32 a = julian_of (start), b = julian_of (end);
  return a != 0 && b > a ? MIN (b - a, 366u) : 1;
}

static GHashTable *
exdates (icalcomponent *event)
{
  GHashTable *excluded = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (icalproperty *p = ical.icalcomponent_get_first_property (event, ICAL_EXDATE_PROPERTY);
       p != NULL; p = ical.icalcomponent_get_next_property (event, ICAL_EXDATE_PROPERTY))
    {
      guint32 day = julian_of (ical.icalproperty_get_exdate (p));
      if (day != 0)
        g_hash_table_add (excluded, GUINT_TO_POINTER (day));
    }
  return excluded;
}

static gboolean
expand_rule (const Scan *scan, guint line, icalproperty *rrule, struct icaltimetype start,
             guint length, GHashTable *excluded, GArray *days, GError **error)
{
  struct icalrecurrencetype rule = ical.icalproperty_get_rrule (rrule);
  /* libical looks for the next instance without limit: a rule no instant
   * satisfies (FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30) would step through
   * every second of centuries. Days off recur by the day at the finest, and
   * an UNTIL bounds the search. */
  if (rule.freq == ICAL_SECONDLY_RECURRENCE || rule.freq == ICAL_MINUTELY_RECURRENCE ||
      rule.freq == ICAL_HOURLY_RECURRENCE)
    return fail (error, scan->name, line,
                 "this event repeats more often than daily: a day off repeats "
                 "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY");
  struct icaltimetype limit = ical.icaltime_from_day_of_year (1, LAST_YEAR + 1);
  limit.is_date = 1;
  if (ical.icaltime_is_null_time (rule.until) || ical.icaltime_compare (rule.until, limit) > 0)
    rule.until = limit;
  icalrecur_iterator *it = ical.icalrecur_iterator_new (rule, start);
  if (it == NULL)
    return fail (error, scan->name, line,
                 "this event's RRULE cannot be expanded: write a rule such as "
                 "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25");
  guint count = 0;
  for (struct icaltimetype t = ical.icalrecur_iterator_next (it);
       !ical.icaltime_is_null_time (t) && t.year <= LAST_YEAR && count < MAX_INSTANCES;
       t = ical.icalrecur_iterator_next (it), count++)
    add_occurrence (days, excluded, t, length);
  ical.icalrecur_iterator_free (it);
  return TRUE;
}

static gboolean
read_event (const Scan *scan, icalcomponent *event, guint index, GArray *days, GError **error)
{
  guint line = index < scan->event_lines->len ? g_array_index (scan->event_lines, guint, index) : 1;
  icalproperty *error_property =
      ical.icalcomponent_get_first_property (event, ICAL_XLICERROR_PROPERTY);
  if (error_property != NULL)
    return fail (error, scan->name, line, "this event cannot be read: %s",
                 ical.icalproperty_get_xlicerror (error_property));
  struct icaltimetype start = ical.icalcomponent_get_dtstart (event);
  if (ical.icaltime_is_null_time (start) || julian_of (start) == 0)
    return fail (error, scan->name, line,
                 "this event has no valid DTSTART: write e.g. DTSTART;VALUE=DATE:20261225");
  guint length = length_in_days (event, start);
  g_autoptr (GHashTable) excluded = exdates (event);
  icalproperty *rrule = ical.icalcomponent_get_first_property (event, ICAL_RRULE_PROPERTY);
  if (rrule != NULL)
    return expand_rule (scan, line, rrule, start, length, excluded, days, error);
  add_occurrence (days, excluded, start, length);
  return TRUE;
}

gboolean
baton_calendar_parse_days (const char *name, const char *text, gsize length, GArray *days,
                           GError **error)
{
  g_return_val_if_fail (text != NULL && days != NULL, FALSE);
  if (memchr (text, '\0', length) != NULL || !g_utf8_validate (text, length, NULL))
    return fail (error, name, 1, "not an iCalendar file: it is not UTF-8 text");
  g_autofree char *copy = g_strndup (text, length);
  g_autoptr (GArray) event_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  Scan scan = { name, event_lines };
  if (!scan_text (&scan, copy, error) || !ical_ready (name, error))
    return FALSE;
  ical.icalerror_set_errors_are_fatal (0);
  g_autoptr (icalcomponent) calendar = ical.icalparser_parse_string (copy);
  if (calendar == NULL || ical.icalcomponent_isa (calendar) != ICAL_VCALENDAR_COMPONENT)
    return fail (error, name, 1, "not an iCalendar file: it must hold one BEGIN:VCALENDAR");
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint index = 0;
  for (icalcomponent *event =
           ical.icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
       event != NULL;
       event = ical.icalcomponent_get_next_component (calendar, ICAL_VEVENT_COMPONENT), index++)
    if (!read_event (&scan, event, index, found, error))
      return FALSE;
  g_array_append_vals (days, found->data, found->len);
  return TRUE;
}

gboolean
baton_calendar_read_days (const char *path, GArray *days, GError **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &text, &length, &local))
    return fail (error, path, 1, "%s (holidays names an iCalendar .ics file)", local->message);
  if (length > MAX_FILE_BYTES)
    return fail (error, path, 1, "%" G_GSIZE_FORMAT " bytes is too large for a holiday calendar",
                 length);
  return baton_calendar_parse_days (path, text, length, days, error);
}
