/* SPDX-License-Identifier: MIT */
#include "baton/commands.h"

#include <string.h>

/* Parses text that must yield exactly one command and returns it. */
static BatonCommand *
parse_one (const char *text)
{
  g_autoptr (GPtrArray) all = baton_commands_parse (text);
  if (all->len != 1)
    g_error ("`%s`: expected one command, got %u", text, all->len);
  return g_ptr_array_steal_index (all, 0);
}

static void
assert_command (const char *text, BatonCommandKind kind, gint64 task, const char *who,
                const char *note)
{
  g_autoptr (BatonCommand) c = parse_one (text);
  if (c->kind != kind)
    g_error ("`%s`: kind %s, expected %s (error: %s)", text, baton_command_kind_name (c->kind),
             baton_command_kind_name (kind), c->error ? c->error : "none");
  g_assert_cmpint (c->task, ==, task);
  g_assert_cmpstr (c->who, ==, who);
  g_assert_cmpstr (c->text, ==, note);
  g_assert_null (c->error);
  g_assert_cmpuint (c->line, ==, 1);
}

/* The line must be INVALID with an error containing both fragments. */
static void
assert_invalid (const char *text, const char *what, const char *form)
{
  g_autoptr (BatonCommand) c = parse_one (text);
  if (c->kind != BATON_COMMAND_INVALID)
    g_error ("`%s`: parsed as %s, expected invalid", text, baton_command_kind_name (c->kind));
  g_assert_nonnull (c->error);
  if (strstr (c->error, what) == NULL || strstr (c->error, form) == NULL)
    g_error ("`%s`: error `%s` lacks `%s` / `%s`", text, c->error, what, form);
  g_assert_cmpint (c->task, ==, 0);
  g_assert_null (c->who);
  g_assert_null (c->text);
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_assert_cmpstr (c->source, ==, trimmed);
}

static void
assert_free_text (const char *text)
{
  g_autoptr (BatonCommand) c = parse_one (text);
  if (c->kind != BATON_COMMAND_UPDATE)
    g_error ("`%s`: parsed as %s, expected free text", text, baton_command_kind_name (c->kind));
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_assert_cmpstr (c->text, ==, trimmed);
}

static void
test_task (void)
{
  assert_command ("task: Write the migration guide", BATON_COMMAND_TASK, 0, NULL,
                  "Write the migration guide");
  assert_command ("TODO:fix login", BATON_COMMAND_TASK, 0, NULL, "fix login");
  assert_command ("Task : spaced colon", BATON_COMMAND_TASK, 0, NULL, "spaced colon");
  assert_command ("task: review the schema @bob", BATON_COMMAND_TASK, 0, "bob",
                  "review the schema @bob");
  assert_command ("task: ask @carol and @dave.", BATON_COMMAND_TASK, 0, "carol",
                  "ask @carol and @dave.");
  assert_command ("task: ping @zoé.", BATON_COMMAND_TASK, 0, "zoé", "ping @zoé.");
  assert_command ("task: mail bob@example.com the invoice", BATON_COMMAND_TASK, 0, NULL,
                  "mail bob@example.com the invoice");
  assert_command ("task: a @ sign alone", BATON_COMMAND_TASK, 0, NULL, "a @ sign alone");
  assert_command ("task: take 12 is not a command here", BATON_COMMAND_TASK, 0, NULL,
                  "take 12 is not a command here");
  assert_invalid ("task:", "task needs a title", "`task: Write the migration guide`");
  assert_invalid ("todo:   ", "todo needs a title", "`todo: ");
}

static void
test_take_unblock (void)
{
  assert_command ("take 12", BATON_COMMAND_TAKE, 12, NULL, NULL);
  assert_command ("Take #12", BATON_COMMAND_TAKE, 12, NULL, NULL);
  assert_command ("TAKE: 12", BATON_COMMAND_TAKE, 12, NULL, NULL);
  assert_command ("take:#12", BATON_COMMAND_TAKE, 12, NULL, NULL);
  assert_command ("take", BATON_COMMAND_TAKE, 0, NULL, NULL);
  assert_command ("take:", BATON_COMMAND_TAKE, 0, NULL, NULL);
  assert_command ("  take\t12  ", BATON_COMMAND_TAKE, 12, NULL, NULL);
  assert_command ("#take 12", BATON_COMMAND_TAKE, 12, NULL, NULL);
  assert_command ("take 2147483647", BATON_COMMAND_TAKE, 2147483647, NULL, NULL);
  assert_command ("unblock 4", BATON_COMMAND_UNBLOCK, 4, NULL, NULL);
  assert_command ("Unblock", BATON_COMMAND_UNBLOCK, 0, NULL, NULL);
  assert_invalid ("take 12 please", "unexpected text after the task number", "`take 12`");
  assert_invalid ("unblock 4 now", "unexpected text after the task number", "`unblock 4`");
  assert_invalid ("take: me", "unexpected text after the keyword", "`take 12`");
}

static void
test_numbers (void)
{
  assert_invalid ("take 0", "task numbers go from 1 to", "`take 12`");
  assert_invalid ("take #000", "task numbers go from 1 to", "`take 12`");
  assert_invalid ("done 2147483648", "task numbers go from 1 to", "`done 12`");
  assert_invalid ("done 99999999999999999999999999999", "task numbers go from 1 to", "`done 12`");
  assert_invalid ("take 12abc", "digits only", "`take 12`");
  assert_invalid ("take #abc", "digits after the '#'", "`take 12`");
  assert_invalid ("take #", "digits after the '#'", "`take 12`");
  assert_invalid ("drop ##3", "digits after the '#'", "`drop 12`");
}

static void
test_done_drop (void)
{
  assert_command ("done 7", BATON_COMMAND_DONE, 7, NULL, NULL);
  assert_command ("done", BATON_COMMAND_DONE, 0, NULL, NULL);
  assert_command ("Done #7: shipped", BATON_COMMAND_DONE, 7, NULL, "shipped");
  assert_command ("done 7 : shipped ", BATON_COMMAND_DONE, 7, NULL, "shipped");
  assert_command ("done 7 - shipped", BATON_COMMAND_DONE, 7, NULL, "shipped");
  assert_command ("done 7 — shipped, finally", BATON_COMMAND_DONE, 7, NULL, "shipped, finally");
  assert_command ("done 7 – en dash", BATON_COMMAND_DONE, 7, NULL, "en dash");
  assert_command ("done 7:", BATON_COMMAND_DONE, 7, NULL, NULL);
  assert_command ("done: shipped it", BATON_COMMAND_DONE, 0, NULL, "shipped it");
  assert_command ("done: 7", BATON_COMMAND_DONE, 7, NULL, NULL);
  assert_command ("done: 7: ok", BATON_COMMAND_DONE, 7, NULL, "ok");
  assert_command ("done: 12 files migrated", BATON_COMMAND_DONE, 0, NULL, "12 files migrated");
  assert_command ("drop 3", BATON_COMMAND_DROP, 3, NULL, NULL);
  assert_command ("DROP #3: no time this week", BATON_COMMAND_DROP, 3, NULL, "no time this week");
  assert_command ("drop: no time", BATON_COMMAND_DROP, 0, NULL, "no time");
  assert_invalid ("done 7 shipped", "unexpected text after the task number", "`done 7: your text`");
  assert_invalid ("drop 3 later", "unexpected text after the task number", "`drop 3: your text`");
  assert_invalid ("done 7 -shipped", "unexpected text after the task number", "`done 7: ");
}

static void
test_handoff (void)
{
  assert_command ("handoff 12 to bob", BATON_COMMAND_HANDOFF, 12, "bob", NULL);
  assert_command ("handoff 12 to bob: tests pass locally, needs the staging deploy before 9am PT",
                  BATON_COMMAND_HANDOFF, 12, "bob",
                  "tests pass locally, needs the staging deploy before 9am PT");
  assert_command ("Pass #12 To @bob", BATON_COMMAND_HANDOFF, 12, "bob", NULL);
  assert_command ("pass to bob", BATON_COMMAND_HANDOFF, 0, "bob", NULL);
  assert_command ("handoff: to bob - over to you", BATON_COMMAND_HANDOFF, 0, "bob", "over to you");
  assert_command ("handoff 12 to bob@example.com: see the log", BATON_COMMAND_HANDOFF, 12,
                  "bob@example.com", "see the log");
  assert_command ("handoff 12 to <Bob.Smith@Example.org>", BATON_COMMAND_HANDOFF, 12,
                  "Bob.Smith@Example.org", NULL);
  assert_command ("handoff 12 to bob.", BATON_COMMAND_HANDOFF, 12, "bob", NULL);
  assert_command ("HANDOFF 12 TO BOB", BATON_COMMAND_HANDOFF, 12, "BOB", NULL);
  assert_command ("handoff 12 to zoé — merci", BATON_COMMAND_HANDOFF, 12, "zoé", "merci");
  assert_invalid ("handoff 12", "handoff needs a receiver", "`handoff 12 to bob`");
  assert_invalid ("handoff", "handoff needs a receiver", "`handoff 12 to bob`");
  assert_invalid ("pass 7", "pass needs a receiver", "`pass 7 to bob`");
  assert_invalid ("handoff 12 bob", "handoff needs a receiver", "`handoff 12 to bob`");
  assert_invalid ("handoff 12 to", "handoff needs a receiver", "`handoff 12 to bob`");
  assert_invalid ("handoff 12 to : note", "handoff needs a receiver", "`handoff 12 to bob`");
  assert_invalid ("handoff 12 to bob please", "unexpected text after the receiver",
                  "`handoff 12 to bob: your note`");
  assert_invalid ("handoff 12 to bob, thanks", "unexpected text after the receiver", "to bob: ");
  assert_invalid ("handoff 12 to b!ob", "`b!ob` is not a member's short name or an address",
                  "`handoff 12 to bob`");
  assert_invalid ("handoff 12 to a@b@c", "is not a member's short name", "bob@example.com");
  assert_invalid ("handoff 12 to bob@", "is not a member's short name", "bob@example.com");
  assert_invalid ("handoff: bob", "handoff needs a receiver", "`handoff 12 to bob`");
}

static void
test_note_block (void)
{
  assert_command ("note 12: the API changed", BATON_COMMAND_NOTE, 12, NULL, "the API changed");
  assert_command ("note: the API changed", BATON_COMMAND_NOTE, 0, NULL, "the API changed");
  assert_command ("Note #12 - see the ticket", BATON_COMMAND_NOTE, 12, NULL, "see the ticket");
  assert_command ("note: 12 tests fail on staging", BATON_COMMAND_NOTE, 0, NULL,
                  "12 tests fail on staging");
  assert_command ("note: #hashtag", BATON_COMMAND_NOTE, 0, NULL, "#hashtag");
  assert_command ("block 5: waiting for legal", BATON_COMMAND_BLOCK, 5, NULL, "waiting for legal");
  assert_command ("block 5", BATON_COMMAND_BLOCK, 5, NULL, NULL);
  assert_command ("block: waiting on ops", BATON_COMMAND_BLOCK, 0, NULL, "waiting on ops");
  assert_command ("block", BATON_COMMAND_BLOCK, 0, NULL, NULL);
  assert_invalid ("note 12", "note needs text", "`note 12: your text`");
  assert_invalid ("note 12:", "note needs text", "`note 12: your text`");
  assert_invalid ("note:", "note needs text", "`note 12: your text`");
  assert_invalid ("note", "note needs text", "`note 12: your text`");
  assert_invalid ("note 12 the API changed", "unexpected text after the task number",
                  "`note 12: your text`");
  assert_invalid ("block 5 legal", "unexpected text after the task number", "`block 5: your text`");
}

/* The whole message, as the sender will read it in baton's reply. */
static void
test_error_wording (void)
{
  static const struct {
    const char *line;
    const char *error;
  } cases[] = {
    { "take 12 please", "unexpected text after the task number: write `take 12`" },
    { "handoff 12", "handoff needs a receiver: write `handoff 12 to bob`" },
    { "pass #3 bob", "pass needs a receiver: write `pass 3 to bob`" },
    { "done 0", "task numbers go from 1 to 2147483647: write `done 12`" },
    { "note 4", "note needs text: write `note 4: your text`" },
    { "todo:", "todo needs a title: write `todo: Write the migration guide`" },
    { "handoff 2 to bob!",
      "`bob!` is not a member's short name or an address: write `handoff 2 to bob` or "
      "`handoff 2 to bob@example.com`" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BatonCommand) c = parse_one (cases[i].line);
      g_assert_cmpint (c->kind, ==, BATON_COMMAND_INVALID);
      g_assert_cmpstr (c->error, ==, cases[i].error);
    }
  /* A long bad receiver is shown cut short, still valid UTF-8. */
  g_autoptr (GString) line = g_string_new ("handoff 1 to ");
  for (int i = 0; i < 100; i++)
    g_string_append (line, "é!");
  g_autoptr (BatonCommand) c = parse_one (line->str);
  g_assert_true (g_utf8_validate (c->error, -1, NULL));
  g_assert_cmpuint (strlen (c->error), <, 200);
}

static void
test_free_text_look_alikes (void)
{
  assert_free_text ("done with the review, heading home");
  assert_free_text ("Pass the salt");
  assert_free_text ("Task force met today");
  assert_free_text ("todo list is long");
  assert_free_text ("Done?");
  assert_free_text ("done7x");
  assert_free_text ("taken 12");
  assert_free_text ("Take-12 was fun");
  assert_free_text ("handoffs are hard");
  assert_free_text ("Note to self: buy milk");
  assert_free_text ("block party tonight");
  assert_free_text ("@bob take a look at 12");
  assert_free_text ("#12 is blocked");
  assert_free_text ("# take 12");
  assert_free_text ("-take 12");
  assert_free_text ("done - thanks everyone");
  assert_free_text ("I will take 12 tomorrow");
  assert_free_text ("passing to bob tomorrow");
}

/* "it" as the task: the command must say so, task 0 (the workflow
 * decides which). */
static void
assert_it (const char *text, BatonCommandKind kind, const char *who, const char *note)
{
  g_autoptr (BatonCommand) c = parse_one (text);
  if (c->kind != kind)
    g_error ("`%s`: kind %s, expected %s (error: %s)", text, baton_command_kind_name (c->kind),
             baton_command_kind_name (kind), c->error ? c->error : "none");
  g_assert_true (c->it);
  g_assert_cmpint (c->task, ==, 0);
  g_assert_cmpstr (c->who, ==, who);
  g_assert_cmpstr (c->text, ==, note);
}

/* Issue 11: the forms people type, each recognised with the right task. */
static void
test_typed_forms (void)
{
  /* Punctuation after the keyword. */
  assert_command ("Done.", BATON_COMMAND_DONE, 0, NULL, NULL);
  assert_command ("Done!", BATON_COMMAND_DONE, 0, NULL, NULL);
  assert_command ("done!!!", BATON_COMMAND_DONE, 0, NULL, NULL);
  assert_command ("Done…", BATON_COMMAND_DONE, 0, NULL, NULL);
  assert_command ("Done...", BATON_COMMAND_DONE, 0, NULL, NULL);
  assert_command ("done, thanks", BATON_COMMAND_DONE, 0, NULL, "thanks");
  assert_command ("Done. Deployed to prod.", BATON_COMMAND_DONE, 0, NULL, "Deployed to prod.");
  assert_command ("Drop, no time this week", BATON_COMMAND_DROP, 0, NULL, "no time this week");
  assert_command ("Take.", BATON_COMMAND_TAKE, 0, NULL, NULL);
  assert_command ("take!", BATON_COMMAND_TAKE, 0, NULL, NULL);
  assert_command ("Unblock.", BATON_COMMAND_UNBLOCK, 0, NULL, NULL);
  assert_command ("Block.", BATON_COMMAND_BLOCK, 0, NULL, NULL);
  /* ... and after the number. */
  assert_command ("done 7.", BATON_COMMAND_DONE, 7, NULL, NULL);
  assert_command ("take 12!", BATON_COMMAND_TAKE, 12, NULL, NULL);
  assert_command ("Done #7, thanks", BATON_COMMAND_DONE, 7, NULL, "thanks");
  assert_command ("block 5, waiting for legal", BATON_COMMAND_BLOCK, 5, NULL, "waiting for legal");
  assert_command ("done 7. Deployed, all green.", BATON_COMMAND_DONE, 7, NULL,
                  "Deployed, all green.");
  assert_invalid ("take 12, please", "unexpected text after the task number", "`take 12`");
  assert_invalid ("done 7.5", "digits only", "`done 12`");
  /* "it" for the task in context. */
  assert_it ("take it", BATON_COMMAND_TAKE, NULL, NULL);
  assert_it ("Take it.", BATON_COMMAND_TAKE, NULL, NULL);
  assert_it ("TAKE IT!", BATON_COMMAND_TAKE, NULL, NULL);
  assert_it ("take: it", BATON_COMMAND_TAKE, NULL, NULL);
  assert_it ("done it", BATON_COMMAND_DONE, NULL, NULL);
  assert_it ("drop it: no time", BATON_COMMAND_DROP, NULL, "no time");
  assert_it ("drop it, no time", BATON_COMMAND_DROP, NULL, "no time");
  assert_it ("pass it to bob", BATON_COMMAND_HANDOFF, "bob", NULL);
  assert_it ("note it: flaky on staging", BATON_COMMAND_NOTE, NULL, "flaky on staging");
  assert_command ("note: it works now", BATON_COMMAND_NOTE, 0, NULL, "it works now");
  /* Two-word handoffs. */
  assert_command ("hand off 5 to chen", BATON_COMMAND_HANDOFF, 5, "chen", NULL);
  assert_command ("Hand over #5 to chen: logs in the ticket", BATON_COMMAND_HANDOFF, 5, "chen",
                  "logs in the ticket");
  assert_command ("hand-off 5 to chen", BATON_COMMAND_HANDOFF, 5, "chen", NULL);
  assert_command ("Hand  off to @chen", BATON_COMMAND_HANDOFF, 0, "chen", NULL);
  assert_invalid ("hand off 5", "hand off needs a receiver", "`hand off 5 to bob`");
  /* The number glued to the keyword. */
  assert_command ("take5", BATON_COMMAND_TAKE, 5, NULL, NULL);
  assert_command ("done7", BATON_COMMAND_DONE, 7, NULL, NULL);
  assert_command ("Take#5", BATON_COMMAND_TAKE, 5, NULL, NULL);
  assert_command ("done7: shipped", BATON_COMMAND_DONE, 7, NULL, "shipped");
  assert_command ("drop3.", BATON_COMMAND_DROP, 3, NULL, NULL);
  /* Unicode spaces and invisible characters. */
  assert_command ("take\u00a05", BATON_COMMAND_TAKE, 5, NULL, NULL);
  assert_command ("done\u2009#7\u202f:\u00a0shipped", BATON_COMMAND_DONE, 7, NULL, "shipped");
  assert_command ("\u3000take 5", BATON_COMMAND_TAKE, 5, NULL, NULL);
  assert_command ("\ufefftake 5", BATON_COMMAND_TAKE, 5, NULL, NULL);
  assert_command ("\u200btake 5", BATON_COMMAND_TAKE, 5, NULL, NULL);
  assert_command ("\u200e\u200dDone.", BATON_COMMAND_DONE, 0, NULL, NULL);
  assert_command ("take\u200b5", BATON_COMMAND_TAKE, 5, NULL, NULL);
  assert_command ("hand\u00a0off 5 to chen", BATON_COMMAND_HANDOFF, 5, "chen", NULL);
  g_autoptr (BatonCommand) c = parse_one ("\ufeff\u200btake\u00a05");
  g_assert_cmpstr (c->source, ==, "take 5");
  /* A line of invisible characters is a blank line. */
  g_autoptr (GPtrArray) two = baton_commands_parse ("first\n\u200b\u00a0\nsecond");
  g_assert_cmpuint (two->len, ==, 2);
  /* Free text is kept as written, joiners and all. */
  g_autoptr (BatonCommand) prose = parse_one ("deployed \U0001F468\u200d\U0001F4BB\u00a0ok");
  g_assert_cmpstr (prose->text, ==, "deployed \U0001F468\u200d\U0001F4BB\u00a0ok");
}

/* Each near miss reported with the right form, word for word. */
static void
test_near_misses (void)
{
  static const struct {
    const char *line;
    const char *error;
  } cases[] = {
    { "tkae 5", "`tkae` is not a command: write `take 5`" },
    { "Tkae 5", "`Tkae` is not a command: write `take 5`" },
    { "dn 5", "`dn` is not a command: write `done 5`" },
    { "don #5.", "`don` is not a command: write `done 5`" },
    { "tkae5", "`tkae` is not a command: write `take 5`" },
    { "tkae it", "`tkae` is not a command: write `take it`" },
    { "dorp 3", "`dorp` is not a command: write `drop 3`" },
    { "unblcok 4", "`unblcok` is not a command: write `unblock 4`" },
    { "bolck 5", "`bolck` is not a command: write `block 5`" },
    { "dnoe 7: shipped", "`dnoe` is not a command: write `done 7: shipped`" },
    { "noet 12: the API changed", "`noet` is not a command: write `note 12: the API changed`" },
    { "Doen.", "`Doen` is not a command: write `done`" },
    { "Dnoe", "`Dnoe` is not a command: write `done`" },
    { "takke", "`takke` is not a command: write `take`" },
    { "pas 5 to bob", "`pas` is not a command: write `pass 5 to bob`" },
    { "hnadoff 5 to bob: see logs",
      "`hnadoff` is not a command: write `handoff 5 to bob: see logs`" },
    { "tsak: Write the guide", "`tsak` is not a command: write `task: Write the guide`" },
    { "Tood: Write the guide", "`Tood` is not a command: write `todo: Write the guide`" },
    { "- tkae 5", "`tkae` is not a command: write `take 5`" },
    { "\u200btkae\u00a05", "`tkae` is not a command: write `take 5`" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BatonCommand) c = parse_one (cases[i].line);
      if (c->kind != BATON_COMMAND_INVALID)
        g_error ("`%s`: parsed as %s, expected a near miss", cases[i].line,
                 baton_command_kind_name (c->kind));
      g_assert_cmpstr (c->error, ==, cases[i].error);
      g_assert_cmpint (c->task, ==, 0);
      g_assert_false (c->it);
      g_assert_null (c->who);
      g_assert_null (c->text);
    }
}

/* Ordinary English that starts with a keyword or a word near one. */
static void
test_prose_stays_prose (void)
{
  static const char *const prose[] = {
    "Done with the review, thanks",
    "Done and dusted",
    "Done? Not yet",
    "done.txt is missing",
    "Task force met today",
    "Tasks: reviewed the backlog",
    "Blocked traffic on the M4",
    "Blocker: waiting for legal",
    "Block party tonight",
    "Take a look at the deploy",
    "Take it easy",
    "Take it from me, the deploy is fine",
    "Take, for example, the deploy",
    "Take care,",
    "Takes 5 minutes",
    "Taken 5 minutes ago",
    "Taking 5",
    "Notes: the build failed",
    "Noted, thanks",
    "Note that 5 tests fail",
    "Note, however, that staging is slow",
    "Nope",
    "Nice!",
    "Node 5: down since 3am",
    "Not 5, but 6",
    "None.",
    "Gone",
    "Don",
    "Dane",
    "Tate",
    "Dome.",
    "Dope!",
    "Line 5: missing semicolon",
    "Page 5 of the report has a typo",
    "Door 5: locked",
    "Dock 5: closed for repairs",
    "Tank 5: leaking",
    "Talk: slides are up",
    "Tod: can you check the logs?",
    "To: everyone on the list",
    "Drop me a line",
    "Dropped 5 packets",
    "Drop by my desk",
    "Passed 5 tests",
    "Pass the salt",
    "Pass it on",
    "Hand over the keys to Bob",
    "Handing off to bob tomorrow",
    "Hand it over, please",
    "Unlock the door",
    "Do it now",
    "Doing 5 things",
    "Doner kebab for lunch",
    "Thanks",
    "Cheers",
    "Tomorrow I will take 12",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (prose); i++)
    assert_free_text (prose[i]);
}

static void
test_bullets (void)
{
  assert_command ("- take 12", BATON_COMMAND_TAKE, 12, NULL, NULL);
  assert_command ("* done 7: ok", BATON_COMMAND_DONE, 7, NULL, "ok");
  assert_command ("+ drop 3", BATON_COMMAND_DROP, 3, NULL, NULL);
  assert_command ("• handoff 1 to bob", BATON_COMMAND_HANDOFF, 1, "bob", NULL);
  assert_command ("  -   task: bulleted", BATON_COMMAND_TASK, 0, NULL, "bulleted");
  assert_invalid ("- take 12 please", "unexpected text", "`take 12`");
  assert_free_text ("- done with the review");
  g_autoptr (BatonCommand) c = parse_one ("- take 12");
  g_assert_cmpstr (c->source, ==, "- take 12");
}

static void
test_paragraphs (void)
{
  const char *mail = "API draft is up for review;\n"           /* 1 */
                     "the auth part still needs eyes.\n"       /* 2 */
                     "\n"                                      /* 3 */
                     "task: Write the migration guide\n"       /* 4 */
                     "handoff 12 to bob: tests pass locally\n" /* 5 */
                     "done 7\n"                                /* 6 */
                     "Also: lunch was good\n"                  /* 7 */
                     "  and so was coffee  \n"                 /* 8 */
                     "take 99 now\n"                           /* 9 */
                     "more text\n"                             /* 10 */
                     "\n"                                      /* 11 */
                     "   \n"                                   /* 12 */
                     "last words";                             /* 13 */
  g_autoptr (GPtrArray) all = baton_commands_parse (mail);
  g_assert_cmpuint (all->len, ==, 8);
  static const struct {
    BatonCommandKind kind;
    guint line;
    const char *text;
  } want[] = {
    { BATON_COMMAND_UPDATE, 1, "API draft is up for review;\nthe auth part still needs eyes." },
    { BATON_COMMAND_TASK, 4, "Write the migration guide" },
    { BATON_COMMAND_HANDOFF, 5, "tests pass locally" },
    { BATON_COMMAND_DONE, 6, NULL },
    { BATON_COMMAND_UPDATE, 7, "Also: lunch was good\nand so was coffee" },
    { BATON_COMMAND_INVALID, 9, NULL },
    { BATON_COMMAND_UPDATE, 10, "more text" },
    { BATON_COMMAND_UPDATE, 13, "last words" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      BatonCommand *c = all->pdata[i];
      g_assert_cmpint (c->kind, ==, want[i].kind);
      g_assert_cmpuint (c->line, ==, want[i].line);
      g_assert_cmpstr (c->text, ==, want[i].text);
    }
  BatonCommand *bad = all->pdata[5];
  g_assert_cmpstr (bad->source, ==, "take 99 now");
}

static void
test_crlf_and_edges (void)
{
  g_autoptr (GPtrArray) all =
      baton_commands_parse ("hello\r\nworld\r\n\r\ndone 7: ok\r\ntake 3\r\n");
  g_assert_cmpuint (all->len, ==, 3);
  BatonCommand *update = all->pdata[0], *done = all->pdata[1], *take = all->pdata[2];
  g_assert_cmpstr (update->text, ==, "hello\nworld");
  g_assert_cmpint (done->kind, ==, BATON_COMMAND_DONE);
  g_assert_cmpstr (done->text, ==, "ok");
  g_assert_cmpstr (done->source, ==, "done 7: ok");
  g_assert_cmpuint (done->line, ==, 4);
  g_assert_cmpint (take->task, ==, 3);

  g_autoptr (GPtrArray) empty = baton_commands_parse ("");
  g_assert_cmpuint (empty->len, ==, 0);
  g_autoptr (GPtrArray) none = baton_commands_parse (NULL);
  g_assert_cmpuint (none->len, ==, 0);
  g_autoptr (GPtrArray) blanks = baton_commands_parse ("\n\n  \n\t\n");
  g_assert_cmpuint (blanks->len, ==, 0);

  /* Invalid UTF-8 is repaired, never passed on. */
  g_autoptr (BatonCommand) bad = parse_one ("caf\xe9 time");
  g_assert_true (g_utf8_validate (bad->text, -1, NULL));
}

static void
test_long_lines (void)
{
  gsize n = 100 * 1024;
  g_autofree char *digits = g_malloc (n + 8);
  memcpy (digits, "take ", 5);
  memset (digits + 5, '9', n);
  digits[n + 5] = '\0';
  gint64 start = g_get_monotonic_time ();
  g_autoptr (BatonCommand) big = parse_one (digits);
  g_assert_cmpint (big->kind, ==, BATON_COMMAND_INVALID);

  g_autoptr (GString) words = g_string_new ("done 7: ");
  while (words->len < n)
    g_string_append (words, "word @x ");
  g_autoptr (BatonCommand) note = parse_one (words->str);
  g_assert_cmpint (note->kind, ==, BATON_COMMAND_DONE);

  g_autoptr (GString) ats = g_string_new ("task: ");
  while (ats->len < n)
    g_string_append (ats, "a@");
  g_autoptr (BatonCommand) task = parse_one (ats->str);
  g_assert_null (task->who);

  g_autoptr (GString) prose = g_string_new (NULL);
  for (int i = 0; i < 2000; i++)
    g_string_append (prose, "a free line of text that goes on\n");
  g_autoptr (GPtrArray) all = baton_commands_parse (prose->str);
  g_assert_cmpuint (all->len, ==, 1);
  /* Linear work: generous bound, still far below what quadratic would take. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* Microseconds for the fastest of REPEATS parses of TEXT, each parse run
 * ROUNDS times: the minimum is what the work costs, not the machine's load. */
static gint64
fastest_parse (const char *text, int repeats, int rounds)
{
  gint64 best = G_MAXINT64;
  for (int r = 0; r < repeats; r++)
    {
      gint64 start = g_get_monotonic_time ();
      for (int i = 0; i < rounds; i++)
        g_ptr_array_unref (baton_commands_parse (text));
      best = MIN (best, g_get_monotonic_time () - start);
    }
  return best;
}

/* The new readings (Unicode normalisation, near misses, "it", punctuation)
 * stay linear: 100 times the text may cost at most 400 times the time
 * (quadratic work would be 10,000 times). */
static void
test_linear_ratio (void)
{
  static const char *const lines[] = {
    "take\u00a05, thanks\n",
    "tkae 5\n",
    "\u200bNode 5: down since 3am\n",
    "done\n\nDeployed, all green.\n",
    "pass it to bob\n",
    "Dnoe.\n",
    "hand off 5 to chen: see the ticket\n",
    "Take it easy, the deploy is fine\n",
    "\ufeffdone 7, shipped\n",
    "caf\u00e9 \u2009 notes from today\n",
  };
  g_autoptr (GString) small = g_string_new (NULL);
  g_autoptr (GString) big = g_string_new (NULL);
  for (guint i = 0; small->len < 10 * 1024; i++)
    g_string_append (small, lines[i % G_N_ELEMENTS (lines)]);
  for (int i = 0; i < 100; i++)
    g_string_append_len (big, small->str, small->len);
  gint64 small_time = MAX (fastest_parse (small->str, 5, 20), 20);
  gint64 big_time = fastest_parse (big->str, 4, 1);
  g_test_message ("10 KB: %" G_GINT64_FORMAT " us, 1 MB: %" G_GINT64_FORMAT " us (ratio %.0f)",
                  small_time / 20, big_time, big_time * 20.0 / small_time);
  if (big_time > 400 * small_time / 20)
    g_error ("100x the text took %" G_GINT64_FORMAT " us, 20 runs of 1x took %" G_GINT64_FORMAT
             " us: not linear",
             big_time, small_time);
}

/* Random lines built from command fragments: whatever comes in, the
 * parser's promises hold (run under ASan/UBSan by make SANITIZE=1). */
static void
test_random_lines (void)
{
  static const char *const pieces[] = {
    "take",
    "done",
    "handoff",
    "pass",
    "note",
    "block",
    "unblock",
    "task",
    "todo",
    ":",
    "#",
    " ",
    "\t",
    "12",
    "0",
    "99999999999",
    "to",
    "@bob",
    "bob@example.com",
    "-",
    "—",
    "\r",
    "\n",
    "\n\n",
    "- ",
    "* ",
    "é",
    "\xff",
    "@",
    "<",
    ">",
    "x",
    "it",
    ".",
    ",",
    "!",
    "…",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "\u200d",
    "tkae",
    "dn",
    "hand off",
    "hand",
    "5",
  };
  GRand *rand = g_rand_new_with_seed (20260309);
  for (int round = 0; round < 2000; round++)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      int n = g_rand_int_range (rand, 0, 30);
      for (int i = 0; i < n; i++)
        g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      g_autoptr (GPtrArray) all = baton_commands_parse (text->str);
      guint previous_line = 0;
      for (guint i = 0; i < all->len; i++)
        {
          BatonCommand *c = all->pdata[i];
          g_assert_cmpuint (c->line, >, previous_line);
          previous_line = c->line;
          g_assert_nonnull (c->source);
          g_assert_true (g_utf8_validate (c->source, -1, NULL));
          g_assert_true (c->text == NULL || g_utf8_validate (c->text, -1, NULL));
          g_assert_true ((c->kind == BATON_COMMAND_INVALID) == (c->error != NULL));
          g_assert_cmpint (c->task, >=, 0);
          g_assert_cmpint (c->task, <=, G_MAXINT32);
          if (c->kind == BATON_COMMAND_HANDOFF)
            g_assert_nonnull (c->who);
          if (c->kind == BATON_COMMAND_UPDATE || c->kind == BATON_COMMAND_TASK ||
              c->kind == BATON_COMMAND_NOTE)
            g_assert_true (c->text != NULL && *c->text != '\0');
        }
    }
  g_rand_free (rand);
}

static void
test_plus_address (void)
{
  BatonCommandKind kind = BATON_COMMAND_UPDATE;
  gint64 task = -1;
  g_assert_true (baton_commands_from_plus_address ("team+take-12@example.com", "team@example.com",
                                                   &kind, &task));
  g_assert_cmpint (kind, ==, BATON_COMMAND_TAKE);
  g_assert_cmpint (task, ==, 12);
  g_assert_true (baton_commands_from_plus_address ("Team+Done-7@EXAMPLE.com", "team@example.COM",
                                                   &kind, &task));
  g_assert_cmpint (kind, ==, BATON_COMMAND_DONE);
  g_assert_cmpint (task, ==, 7);
  g_assert_true (baton_commands_from_plus_address ("team+drop-2147483647@example.com",
                                                   "team@example.com", &kind, &task));
  g_assert_cmpint (kind, ==, BATON_COMMAND_DROP);
  g_assert_cmpint (task, ==, 2147483647);
  g_assert_true (
      baton_commands_from_plus_address ("team+TASK@example.com", "team@example.com", &kind, &task));
  g_assert_cmpint (kind, ==, BATON_COMMAND_TASK);
  g_assert_cmpint (task, ==, 0);

  static const char *const rejected[] = {
    "team@example.com",
    "team+@example.com",
    "team+take12@example.com",
    "team+take-@example.com",
    "team+take-0@example.com",
    "team+take-x@example.com",
    "team+take-12x@example.com",
    "team+take-2147483648@example.com",
    "team+handoff-3@example.com",
    "team+note-3@example.com",
    "team+take-12@other.com",
    "teams+take-12@example.com",
    "other+take-12@example.com",
    "team+take-12",
    "team+tasks@example.com",
    "team+take--12@example.com",
    "",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      kind = BATON_COMMAND_UPDATE;
      task = -1;
      if (baton_commands_from_plus_address (rejected[i], "team@example.com", &kind, &task))
        g_error ("%s: accepted", rejected[i]);
      g_assert_cmpint (task, ==, -1);
    }
  g_assert_false (baton_commands_from_plus_address (NULL, "team@example.com", &kind, &task));
  g_assert_false (
      baton_commands_from_plus_address ("team+take-1@example.com", "example.com", &kind, &task));
}

/* team+handoff-N-NAME@: the number first, the rest the name, which may
 * hold '-', '_' and '.' as member names do. */
static void
test_plus_handoff (void)
{
  static const struct {
    const char *recipient;
    gint64 task;
    const char *who;
  } accepted[] = {
    { "team+handoff-12-carol@example.com", 12, "carol" },
    { "Team+HandOff-7-Carol@EXAMPLE.com", 7, "carol" },
    { "team+handoff-3-mary-jane@example.com", 3, "mary-jane" },
    { "team+handoff-3-a.b_c@example.com", 3, "a.b_c" },
    { "team+handoff-3-3@example.com", 3, "3" },
    { "team+handoff-2147483647-x@example.com", 2147483647, "x" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      gint64 task = -1;
      g_autofree char *who = NULL;
      if (!baton_commands_handoff_from_plus_address (accepted[i].recipient, "team@example.com",
                                                     &task, &who))
        g_error ("%s: refused", accepted[i].recipient);
      g_assert_cmpint (task, ==, accepted[i].task);
      g_assert_cmpstr (who, ==, accepted[i].who);
    }
  static const char *const rejected[] = {
    "team+handoff-3@example.com",
    "team+handoff-3-@example.com",
    "team+handoff--carol@example.com",
    "team+handoff-0-carol@example.com",
    "team+handoff-x-carol@example.com",
    "team+handoff-12x-carol@example.com",
    "team+handoff-2147483648-carol@example.com",
    "team+handoff-12-car+ol@example.com",
    "team+handoff-12-car ol@example.com",
    "team+handoff12-carol@example.com",
    "team+handoff-12-carol@other.com",
    "other+handoff-12-carol@example.com",
    "team+take-12@example.com",
    "team+handoff-12-carol",
    "team+handoff-12-"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com",
    "",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      gint64 task = -1;
      char *who = NULL;
      if (baton_commands_handoff_from_plus_address (rejected[i], "team@example.com", &task, &who))
        g_error ("%s: accepted", rejected[i]);
      g_assert_cmpint (task, ==, -1);
      g_assert_null (who);
    }
  gint64 task = -1;
  char *who = NULL;
  g_assert_false (baton_commands_handoff_from_plus_address (NULL, "team@example.com", &task, &who));
  g_assert_false (
      baton_commands_handoff_from_plus_address ("team+handoff-1-a@example.com", NULL, &task, &who));
  /* The older form stays as it was: it knows no handoff. */
  BatonCommandKind kind;
  g_assert_false (baton_commands_from_plus_address ("team+handoff-12-carol@example.com",
                                                    "team@example.com", &kind, &task));
}

static void
test_subject (void)
{
  g_assert_cmpint (baton_commands_task_from_subject ("Re: [#12] deploy"), ==, 12);
  g_assert_cmpint (baton_commands_task_from_subject ("[#7]"), ==, 7);
  g_assert_cmpint (baton_commands_task_from_subject ("Fwd: Re: deploy [#x] [#34]"), ==, 34);
  g_assert_cmpint (baton_commands_task_from_subject ("[#12 deploy] [#5]"), ==, 5);
  g_assert_cmpint (baton_commands_task_from_subject ("[#x]"), ==, 0);
  g_assert_cmpint (baton_commands_task_from_subject ("[#]"), ==, 0);
  g_assert_cmpint (baton_commands_task_from_subject ("[#0]"), ==, 0);
  g_assert_cmpint (baton_commands_task_from_subject ("[#-3]"), ==, 0);
  g_assert_cmpint (baton_commands_task_from_subject ("[#99999999999]"), ==, 0);
  g_assert_cmpint (baton_commands_task_from_subject ("#12 deploy"), ==, 0);
  g_assert_cmpint (baton_commands_task_from_subject ("[12] deploy"), ==, 0);
  g_assert_cmpint (baton_commands_task_from_subject (""), ==, 0);
  g_assert_cmpint (baton_commands_task_from_subject (NULL), ==, 0);
}

static void
test_kind_names (void)
{
  g_assert_cmpstr (baton_command_kind_name (BATON_COMMAND_TASK), ==, "task");
  g_assert_cmpstr (baton_command_kind_name (BATON_COMMAND_HANDOFF), ==, "handoff");
  g_assert_cmpstr (baton_command_kind_name (BATON_COMMAND_UNBLOCK), ==, "unblock");
  g_assert_cmpstr (baton_command_kind_name (BATON_COMMAND_UPDATE), ==, "update");
  g_assert_cmpstr (baton_command_kind_name (BATON_COMMAND_INVALID), ==, "invalid");
}

/* reopen and undo: rows of the keyword table like the others, so the
 * typed forms and near misses cover them too. */
static void
test_reopen_undo (void)
{
  assert_command ("reopen 12", BATON_COMMAND_REOPEN, 12, NULL, NULL);
  assert_command ("Reopen #12: broke again", BATON_COMMAND_REOPEN, 12, NULL, "broke again");
  assert_command ("reopen, it broke", BATON_COMMAND_REOPEN, 0, NULL, "it broke");
  assert_command ("undo", BATON_COMMAND_UNDO, 0, NULL, NULL);
  assert_command ("Undo.", BATON_COMMAND_UNDO, 0, NULL, NULL);
  g_assert_cmpstr (baton_command_kind_name (BATON_COMMAND_REOPEN), ==, "reopen");
  g_assert_cmpstr (baton_command_kind_name (BATON_COMMAND_UNDO), ==, "undo");
  static const struct {
    const char *line;
    const char *error;
  } misses[] = {
    { "reopne 5", "`reopne` is not a command: write `reopen 5`" },
    { "Unod", "`Unod` is not a command: write `undo`" },
    { "udno", "`udno` is not a command: write `undo`" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (misses); i++)
    {
      g_autoptr (BatonCommand) c = parse_one (misses[i].line);
      g_assert_cmpint (c->kind, ==, BATON_COMMAND_INVALID);
      g_assert_cmpstr (c->error, ==, misses[i].error);
    }
  /* Prose that starts with the words stays prose. */
  static const char *const prose[] = { "Undo the migration on staging first.",
                                       "Reopening the office on Monday." };
  for (gsize i = 0; i < G_N_ELEMENTS (prose); i++)
    {
      g_autoptr (BatonCommand) c = parse_one (prose[i]);
      g_assert_cmpint (c->kind, ==, BATON_COMMAND_UPDATE);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/commands/reopen-undo", test_reopen_undo);
  g_test_add_func ("/commands/task", test_task);
  g_test_add_func ("/commands/take-unblock", test_take_unblock);
  g_test_add_func ("/commands/numbers", test_numbers);
  g_test_add_func ("/commands/done-drop", test_done_drop);
  g_test_add_func ("/commands/handoff", test_handoff);
  g_test_add_func ("/commands/note-block", test_note_block);
  g_test_add_func ("/commands/error-wording", test_error_wording);
  g_test_add_func ("/commands/free-text-look-alikes", test_free_text_look_alikes);
  g_test_add_func ("/commands/typed-forms", test_typed_forms);
  g_test_add_func ("/commands/near-misses", test_near_misses);
  g_test_add_func ("/commands/prose-stays-prose", test_prose_stays_prose);
  g_test_add_func ("/commands/bullets", test_bullets);
  g_test_add_func ("/commands/paragraphs", test_paragraphs);
  g_test_add_func ("/commands/crlf-and-edges", test_crlf_and_edges);
  g_test_add_func ("/commands/long-lines", test_long_lines);
  g_test_add_func ("/commands/linear-ratio", test_linear_ratio);
  g_test_add_func ("/commands/random-lines", test_random_lines);
  g_test_add_func ("/commands/plus-address", test_plus_address);
  g_test_add_func ("/commands/plus-handoff", test_plus_handoff);
  g_test_add_func ("/commands/subject", test_subject);
  g_test_add_func ("/commands/kind-names", test_kind_names);
  return g_test_run ();
}
