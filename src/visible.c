/* Finding the newly written text of a mail body.
 *
 * Why line rules and not a model: the output decides which commands run, so
 * every removal must be explainable from one line or a small block of lines.
 *
 * The body is read top-down as lines, each quoted (">"), blank or text.
 *  - Quoted lines are never new. One or two unquoted lines between quoted
 *    ones, after a long quoted line, are its hard-wrapped end: also quoted.
 *  - An attribution ("On … wrote:" and translations, possibly wrapped over up
 *    to four lines) followed by a quote only introduces that quote: it goes
 *    with it, and text after the quote (an inline reply) is still new.
 *    Followed by unquoted text, it starts the old message: cut there.
 *  - Cut markers end the new text: "-- ", underscore rules, "-----Original
 *    Message-----" and forward separators, mobile footers, Outlook header
 *    blocks (From + To + Sent/Subject/Cc, in many languages) and a lone
 *    "From: name <address>" line.
 *  - At the end, a sign-off ("Regards," + name, title, phone) or a "-Name"
 *    line is dropped, then any rule lines left hanging before a cut. Nothing
 *    that starts with a lowercase word (a command) is taken as signature.
 */
#define G_LOG_DOMAIN "baton-visible"

#include "baton/visible.h"

#include <string.h>

typedef enum { LINE_TEXT, LINE_BLANK, LINE_QUOTED } LineKind;

typedef enum {
  FIELD_NONE = 0,
  FIELD_FROM = 1 << 0,
  FIELD_TO = 1 << 1,
  FIELD_CC = 1 << 2,
  FIELD_SENT = 1 << 3,
  FIELD_SUBJECT = 1 << 4,
} Field;

/* An attribution is short; longer lines are prose (and would make the
 * regexes slow on pathological input). */
#define MAX_ATTRIBUTION_BYTES 500
#define MAX_ATTRIBUTION_LINES 4

typedef struct {
  GRegex *attribution;      /* "On … wrote:" in many languages */
  GRegex *weak_attribution; /* "Name wrote:" — only before a quote */
  GRegex *separator;        /* -----Original Message----- and forwards */
  GRegex *footer;           /* Sent from my iPhone, Get Outlook for iOS */
  GRegex *signoff;          /* Regards, Pozdrawiam, Med venlig hilsen */
  GRegex *name_line;        /* -Abhishek Kona, /John */
} Patterns;

/* Translations of "On <date>, <name> wrote:". Each alternative names its
 * language's verb, so a date alone never makes a line an attribution; the
 * last one is Gmail's verbless "<date> <time> Name <address>:" (Russian,
 * Japanese, older Gmail), which needs a time and a bracketed address. */
static const char attribution_re[] =
    "^[-–—\\s]*(?:"
    "On\\s.+wrote\\s*:?"               /* en */
    "|Le\\s.+\\s(?:a\\s+)?écrit\\s*:?" /* fr */
    "|Am\\s.+\\sschrieb(?:\\s.*)?:"    /* de */
    "|.*@\\S*\\s*schrieb(?:\\s.*)?:"   /* de: Name <a@b> schrieb am …: */
    "|El\\s.+\\s(?:escribió|ha\\s+escrit|escrigué|va\\s+escriure)\\s*:?"          /* es, ca */
    "|(?:Il|In\\s+data)\\s.+\\sha\\s+scritto\\s*:?"                               /* it */
    "|Op\\s.+\\sschreef(?:\\s.*)?:?"                                              /* nl */
    "|(?:W\\s+dniu|Dnia)\\s.+\\s(?:napisał\\(a\\)|napisała|napisał|pisze)\\s*:?"  /* pl */
    "|(?:Em|No\\s+dia)\\s.+\\sescreveu\\s*:?"                                     /* pt */
    "|(?=.*@).*\\d{1,2}[:.]\\d{2}.*\\sskrev(?:\\s.*)?(?::|<\\S+@\\S+)"            /* da, no, sv */
    "|.+\\skirjoitti\\s*:?"                                                       /* fi */
    "|.+\\s(?:napsal\\(a\\)|napsala|napsal|napísal)\\s*:?"                        /* cs, sk */
    "|.+\\s(?:написал\\(а\\)|написала|написал|написав|написала|пишет|пише)\\s*:?" /* ru, uk */
    "|.+\\syazdı\\s*:?"                                                           /* tr */
    "|.+\\s(?:írta(?:\\s*\\(.*\\))?|a\\s+scris|έγραψε)\\s*:?"                     /* hu, ro, el */
    "|.+\\s(?:đã\\s+viết|menulis)\\s*:?"                                          /* vi, id */
    "|(?:בתאריך\\s|.*\\sכתב).+:|.*\\sكتب\\s.+:"                                   /* he, ar */
    "|.+(?:写道|寫道|のメッセージ|が書きました|작성)\\s*[:：]?"                   /* zh, ja, ko */
    "|(?:\\p{L}{1,12}[.,]?\\s+){0,2}\\d.*\\d{1,2}[:.]\\d{2}.*[<(][^\\s<>()]+@[^\\s<>()]+[>)]\\s*[:：]"
    ")[-\\s]*$";

static const char weak_attribution_re[] =
    "^.{1,100}\\s(?:wrote|schrieb|a\\s+écrit|escribió|ha\\s+scritto|schreef|napisał|skrev"
    "|kirjoitti|escreveu|написал|написав)\\s*:$";

static const char separator_re[] =
    "^\\s*(?:(?:-{2,}|={2,})\\s*(?:original\\s+message|ursprüngliche\\s+nachricht"
    "|oprindelig\\s+(?:besked|meddelelse)|message\\s+d'origine|mensaje\\s+original"
    "|messaggio\\s+originale|oorspronkelijk\\s+bericht|originalmeddelande"
    "|opprinnelig\\s+melding|alkuperäinen\\s+viesti|wiadomość\\s+oryginalna"
    "|исходное\\s+сообщение|mensagem\\s+original|forwarded\\s+message"
    "|weitergeleitete\\s+nachricht|message\\s+transféré|mensaje\\s+reenviado"
    "|messaggio\\s+inoltrato|doorgestuurd\\s+bericht|videresendt\\s+(?:besked|meddelelse|melding)"
    "|vidarebefordrat\\s+meddelande|пересылаемое\\s+сообщение|mensagem\\s+encaminhada)"
    "\\s*(?:-{2,}|={2,})?\\s*:?"
    "|-{2,}\\s*forwarded\\s+by\\s.+?-{2,}" /* Lotus Notes */
    "|(?:begin\\s+forwarded\\s+message|anfang\\s+der\\s+weitergeleiteten\\s+nachricht"
    "|début\\s+du\\s+message\\s+réexpédié|inicio\\s+del\\s+mensaje\\s+reenviado)\\s*:"
    "|_{2,})\\s*$";

/* A footer is a whole short line: "Sent from my X" but not "Sent from my
 * desk, is much easier…" (punctuation means a sentence). */
static const char footer_re[] =
    "^\\s*(?:"
    "(?:sent|envoyé|enviado|inviato|gesendet|verzonden|verstuurd|wysłane|wysłano|skickat"
    "|sendt|lähetetty|отправлено)\\s+(?:from|via|with|using|de|depuis|à\\s+partir\\s+de"
    "|desde|do|da|dal|von|mit|vanaf|met|z|från|fra|med|с|из)\\s+[^,;:!?<>]{1,60}?"
    "|von\\s+meinem\\s+[^,;:!?<>]{1,50}\\s+gesendet"
    "|diese\\s+nachricht\\s+wurde\\s+von\\s+[^,;:!?<>]{1,80}\\s+gesendet"
    "|lähetetty\\s+[^,;:!?<>]{1,40}?(?:sta|stä)"
    "|[^,;:!?<>\\s]{1,30}から送信"
    "|(?:发自|来自|來自)我的\\s*[^,;:!?<>]{1,40}?"
    "|[^,;:!?<>]{1,40}에서\\s*보냄"
    "|get\\s+outlook\\s+for\\s+\\S+?"
    "|outlook\\s+für\\s+\\S+\\s+beziehen"
    "|(?:obtenir|télécharger)\\s+outlook\\s+pour\\s+\\S+?"
    "|scarica\\s+outlook\\s+per\\s+\\S+?"
    "|descarga\\s+outlook\\s+para\\s+\\S+?"
    ")\\s*\\.?\\s*(?:<[^<>]*>)?\\s*$";

/* Sign-offs that end a message ("Sincerely," is deliberately absent: form
 * letters sign with it and their signer line is content). */
static const char signoff_re[] =
    "^\\s*(?:(?:best|kind|warm|warmest|many|with\\s+kind)\\s+regards|regards|cheers|best"
    "|pozdrawiam|z\\s+powa[żz]aniem|pozdrowienia"
    "|(?:med\\s+)?(?:venlig|vennlig)\\s+hilsen|hilsen|kh|mvh|mfg"
    "|med\\s+v[äa]nlig\\s+h[äa]lsning|v[äa]nliga\\s+h[äa]lsningar|h[äa]lsningar"
    "|mit\\s+freundlichen\\s+gr(?:ü|ue)(?:ß|ss)en|(?:viele|beste|liebe|herzliche)\\s+gr(?:ü|ue)(?:ß|ss)e"
    "|cordialement|bien\\s+à\\s+vous|(?:un\\s+)?saludos?(?:\\s+cordiales)?"
    "|cordiali\\s+saluti|saluti|met\\s+vriendelijke\\s+groet(?:en)?|(?:vriendelijke\\s+)?groeten"
    "|atenciosamente|с\\s+уважением)\\s*[,.!]?\\s*$";

/* "-Abhishek Kona", "/John": a name signed with a dash or slash. No space
 * after the dash: "- Done" is a list item. */
static const char name_line_re[] =
    "^\\s*[-/]\\p{Lu}[\\p{L}.'’-]*(?:\\s\\p{Lu}[\\p{L}.'’-]*){0,3}\\s*$";

static const struct {
  const char *name;
  Field field;
} field_names[] = {
  /* From */
  { "from", FIELD_FROM },
  { "von", FIELD_FROM },
  { "de", FIELD_FROM },
  { "van", FIELD_FROM },
  { "da", FIELD_FROM },
  { "od", FIELD_FROM },
  { "fra", FIELD_FROM },
  { "från", FIELD_FROM },
  { "lähettäjä", FIELD_FROM },
  { "от", FIELD_FROM },
  { "от кого", FIELD_FROM },
  { "发件人", FIELD_FROM },
  { "寄件者", FIELD_FROM },
  { "差出人", FIELD_FROM },
  { "보낸 사람", FIELD_FROM },
  { "kimden", FIELD_FROM },
  { "feladó", FIELD_FROM },
  /* To */
  { "to", FIELD_TO },
  { "an", FIELD_TO },
  { "à", FIELD_TO },
  { "a", FIELD_TO },
  { "aan", FIELD_TO },
  { "per", FIELD_TO },
  { "do", FIELD_TO },
  { "til", FIELD_TO },
  { "till", FIELD_TO },
  { "para", FIELD_TO },
  { "vastaanottaja", FIELD_TO },
  { "кому", FIELD_TO },
  { "收件人", FIELD_TO },
  { "宛先", FIELD_TO },
  { "받는 사람", FIELD_TO },
  { "kime", FIELD_TO },
  { "címzett", FIELD_TO },
  /* Cc */
  { "cc", FIELD_CC },
  { "kopie", FIELD_CC },
  { "copie à", FIELD_CC },
  { "kopia", FIELD_CC },
  { "копия", FIELD_CC },
  { "抄送", FIELD_CC },
  { "kopio", FIELD_CC },
  /* Sent / Date */
  { "sent", FIELD_SENT },
  { "date", FIELD_SENT },
  { "datum", FIELD_SENT },
  { "gesendet", FIELD_SENT },
  { "envoyé", FIELD_SENT },
  { "envoyé le", FIELD_SENT },
  { "message du", FIELD_SENT },
  { "enviado", FIELD_SENT },
  { "enviado el", FIELD_SENT },
  { "fecha", FIELD_SENT },
  { "inviato", FIELD_SENT },
  { "data", FIELD_SENT },
  { "verzonden", FIELD_SENT },
  { "wysłano", FIELD_SENT },
  { "sendt", FIELD_SENT },
  { "dato", FIELD_SENT },
  { "skickat", FIELD_SENT },
  { "lähetetty", FIELD_SENT },
  { "päivämäärä", FIELD_SENT },
  { "отправлено", FIELD_SENT },
  { "дата", FIELD_SENT },
  { "发送时间", FIELD_SENT },
  { "日期", FIELD_SENT },
  { "送信日時", FIELD_SENT },
  { "日付", FIELD_SENT },
  { "보낸 날짜", FIELD_SENT },
  { "tarih", FIELD_SENT },
  /* Subject */
  { "subject", FIELD_SUBJECT },
  { "betreff", FIELD_SUBJECT },
  { "objet", FIELD_SUBJECT },
  { "asunto", FIELD_SUBJECT },
  { "oggetto", FIELD_SUBJECT },
  { "onderwerp", FIELD_SUBJECT },
  { "temat", FIELD_SUBJECT },
  { "emne", FIELD_SUBJECT },
  { "ämne", FIELD_SUBJECT },
  { "aihe", FIELD_SUBJECT },
  { "тема", FIELD_SUBJECT },
  { "主题", FIELD_SUBJECT },
  { "主旨", FIELD_SUBJECT },
  { "件名", FIELD_SUBJECT },
  { "제목", FIELD_SUBJECT },
  { "assunto", FIELD_SUBJECT },
  { "sujet", FIELD_SUBJECT },
  { "konu", FIELD_SUBJECT },
  { "tárgy", FIELD_SUBJECT },
};

static GRegex *
compile (const char *pattern, GRegexCompileFlags flags)
{
  g_autoptr (GError) error = NULL;
  GRegex *re = g_regex_new (pattern, flags, 0, &error);
  if (re == NULL)
    g_error ("visible: bad built-in pattern: %s", error->message); /* a bug, not input */
  return re;
}

static void
compile_all (Patterns *p, GRegexCompileFlags extra)
{
  p->attribution = compile (attribution_re, G_REGEX_CASELESS | extra);
  p->weak_attribution = compile (weak_attribution_re, G_REGEX_CASELESS | extra);
  p->separator = compile (separator_re, G_REGEX_CASELESS | extra);
  p->footer = compile (footer_re, G_REGEX_CASELESS | extra);
  p->signoff = compile (signoff_re, G_REGEX_CASELESS | extra);
  p->name_line = compile (name_line_re, extra);
}

/* Casefolded header name -> Field, built once per process. */
static GHashTable *
field_table (void)
{
  static GHashTable *fields;
  if (g_once_init_enter (&fields))
    {
      GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (gsize i = 0; i < G_N_ELEMENTS (field_names); i++)
        g_hash_table_insert (table, g_utf8_casefold (field_names[i].name, -1),
                             GINT_TO_POINTER (field_names[i].field));
      g_once_init_leave (&fields, table);
    }
  return fields;
}

/* The patterns are first compiled without PCRE2's JIT: compiling them with
 * it takes 7.3M instructions, a tenth of a one-mail `ingest`, and pays back
 * only after about 120 messages (matching without it costs 57K more
 * instructions a message). A process that has seen JIT_AFTER_MESSAGES
 * messages compiles them again with it. Both sets live until exit: another
 * thread may still be matching with the first. */
#define JIT_AFTER_MESSAGES 100
static gint messages_seen;

static const Patterns *
patterns (void)
{
  static Patterns plain, jitted;
  static gsize plain_ready = 0, jitted_ready = 0;
  if (g_atomic_int_get (&messages_seen) > JIT_AFTER_MESSAGES)
    {
      if (g_once_init_enter (&jitted_ready))
        {
          compile_all (&jitted, G_REGEX_OPTIMIZE);
          g_once_init_leave (&jitted_ready, 1);
        }
      return &jitted;
    }
  if (g_once_init_enter (&plain_ready))
    {
      compile_all (&plain, 0);
      g_once_init_leave (&plain_ready, 1);
    }
  return &plain;
}

static gboolean
matches (const GRegex *re, const char *text)
{
  return g_regex_match (re, text, 0, NULL);
}

static gboolean
is_blank (const char *line)
{
  for (; *line; line++)
    if (!g_ascii_isspace (*line))
      return FALSE;
  return TRUE;
}

/* Splits @text in place on LF, CRLF or CR and drops trailing whitespace of
 * every line: the lines point into @text, one allocation for the array
 * rather than one per line (a million blank lines are a 1 MB mail). */
static GPtrArray *
split_lines (char *text)
{
  GPtrArray *lines = g_ptr_array_new ();
  char *p = text;
  for (;;)
    {
      gsize len = strcspn (p, "\r\n");
      char end = p[len];
      p[len] = '\0';
      g_ptr_array_add (lines, g_strchomp (p));
      if (end == '\0')
        break;
      p += len + ((end == '\r' && p[len + 1] == '\n') ? 2 : 1);
    }
  return lines;
}

static gboolean
is_quoted_line (const char *line)
{
  while (*line == ' ' || *line == '\t')
    line++;
  return *line == '>';
}

/* A quoted line long enough that a client wrapping at 72-80 columns may
 * have pushed its end onto an unquoted line of its own. */
#define WRAPPED_QUOTE_CHARS 60

/* Quoted, blank or text. One or two unquoted lines directly between quoted
 * ones, after a long quoted line, are the wrapped end of that line (a reply
 * squeezed between short quoted lines stays text). */
static LineKind *
classify (GPtrArray *lines)
{
  guint n = lines->len;
  LineKind *kind = g_new (LineKind, n);
  for (guint i = 0; i < n; i++)
    {
      const char *l = g_ptr_array_index (lines, i);
      kind[i] = is_blank (l) ? LINE_BLANK : is_quoted_line (l) ? LINE_QUOTED : LINE_TEXT;
    }
  for (guint i = 1; i + 1 < n; i++)
    {
      if (kind[i] != LINE_TEXT || kind[i - 1] != LINE_QUOTED ||
          g_utf8_strlen (g_ptr_array_index (lines, i - 1), -1) < WRAPPED_QUOTE_CHARS)
        continue;
      guint j = i;
      while (j < n && j < i + 2 && kind[j] == LINE_TEXT)
        j++;
      if (j < n && kind[j] == LINE_QUOTED)
        for (guint k = i; k < j; k++)
          kind[k] = LINE_QUOTED;
    }
  return kind;
}

/* Header labels are short: the colon is looked for only this far into a
 * line, so a huge line costs no more than a short one. */
#define MAX_LABEL_BYTES 48

/* The field a "Name: value" line names, decorations ("*From:*", leading
 * blanks) ignored; FIELD_NONE for any other line. *value gets what follows. */
static Field
header_field (const char *line, const char **value)
{
  const char *p = line;
  while (*p == ' ' || *p == '\t' || *p == '*' || *p == '_')
    p++;
  const char *colon = NULL;
  for (const char *q = p; *q != '\0' && q - p <= MAX_LABEL_BYTES; q++)
    if (*q == ':' || g_str_has_prefix (q, "："))
      {
        colon = q;
        break;
      }
  if (colon == NULL || colon == p)
    return FIELD_NONE;
  g_autofree char *name = g_strndup (p, colon - p);
  g_strstrip (name);
  gsize len = strlen (name);
  while (len > 0 && (name[len - 1] == '*' || name[len - 1] == ' '))
    name[--len] = '\0';
  if (len == 0 || !g_utf8_validate (name, -1, NULL))
    return FIELD_NONE;
  g_autofree char *folded = g_utf8_casefold (name, -1);
  gpointer field = g_hash_table_lookup (field_table (), folded);
  if (value != NULL)
    *value = colon + (*colon == ':' ? 1 : strlen ("："));
  return (Field) GPOINTER_TO_INT (field);
}

/* A wrapped header value: "<address>" on its own line, or more recipients. */
static gboolean
is_header_continuation (const char *line, Field previous)
{
  const char *p = line;
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '<' || g_str_has_prefix (p, "[mailto:"))
    return TRUE;
  return (previous == FIELD_TO || previous == FIELD_CC) && strchr (p, '@') != NULL;
}

/* What a line adds to a header block, and what the block running from it
 * to its end holds, computed for every line in one backward pass. */
typedef struct {
  guint8 field;         /* the Field its label names */
  guint8 continues;     /* belongs to a block that includes the line above */
  guint8 block_mask;    /* Fields named from this line to the block's end */
  guint8 block_address; /* an address in the same span */
} HeaderInfo;

/* One forward pass decides which lines continue the block above them, one
 * backward pass sums each block's fields from every line to its end: each
 * line is looked at a bounded number of times, however long the block. */
static HeaderInfo *
header_info (GPtrArray *lines, const LineKind *kind)
{
  guint n = lines->len;
  HeaderInfo *info = g_new0 (HeaderInfo, n);
  for (guint j = 0; j < n; j++)
    if (kind[j] == LINE_TEXT)
      info[j].field = header_field (g_ptr_array_index (lines, j), NULL);
  Field previous = FIELD_NONE;
  for (guint j = 1; j < n; j++)
    {
      if (kind[j] == LINE_BLANK) /* some clients space the fields out */
        info[j].continues = j + 1 < n && info[j + 1].field != FIELD_NONE;
      else if (kind[j] == LINE_TEXT)
        info[j].continues = info[j].field != FIELD_NONE ||
                            is_header_continuation (g_ptr_array_index (lines, j), previous);
      if (kind[j] == LINE_TEXT)
        previous = info[j].field;
    }
  for (guint j = n; j-- > 0;)
    {
      if (kind[j] == LINE_TEXT)
        {
          info[j].block_mask = info[j].field;
          info[j].block_address = strchr (g_ptr_array_index (lines, j), '@') != NULL;
        }
      if (j + 1 < n && info[j + 1].continues)
        {
          info[j].block_mask |= info[j + 1].block_mask;
          info[j].block_address |= info[j + 1].block_address;
        }
    }
  return info;
}

/* An Outlook-style header block starting at line i: consecutive header
 * lines (single blank lines between them allowed) naming a sender and a
 * recipient plus a date, subject or copy, and either an address somewhere
 * or all of From, To, Sent and Subject. Both ends and the address are
 * required so that a note like "From: Paris\nTo: Berlin\nDate: Monday" or
 * a form starting "From: …\nSubject: …" is not taken for a quoted message. */
static gboolean
header_block_at (const HeaderInfo *info, guint i)
{
  if (info[i].field == FIELD_NONE)
    return FALSE;
  guint mask = info[i].block_mask;
  guint full = FIELD_FROM | FIELD_TO | FIELD_SENT | FIELD_SUBJECT;
  return (mask & FIELD_FROM) && (mask & FIELD_TO) && (mask & (FIELD_SENT | FIELD_SUBJECT | FIELD_CC)) &&
         (info[i].block_address || (mask & full) == full);
}

static guint
next_non_blank (const LineKind *kind, guint n, guint i)
{
  while (i < n && kind[i] == LINE_BLANK)
    i++;
  return i;
}

/* "From: name <address>" alone, as some clients write it above the old
 * message instead of a whole header block. */
static gboolean
lone_from_line (GPtrArray *lines, const LineKind *kind, const HeaderInfo *info, guint i)
{
  const char *value = NULL;
  if (info[i].field != FIELD_FROM)
    return FALSE;
  header_field (g_ptr_array_index (lines, i), &value);
  if (strchr (value, '@') == NULL)
    return FALSE;
  if (i > 0 && kind[i - 1] != LINE_BLANK)
    return FALSE;
  return i + 1 >= lines->len || kind[i + 1] != LINE_TEXT;
}

static gboolean
has_date_or_address (const char *s)
{
  for (; *s; s++)
    if (g_ascii_isdigit (*s) || *s == '@' || *s == '<')
      return TRUE;
  return FALSE;
}

/* Cheap test before the regex: every attribution ends in a colon, in
 * "wrote" (Zoho, some Apple Mail) or in the sender's address. */
static gboolean
could_end_attribution (const char *line)
{
  g_autofree char *end = g_strdup (line);
  g_strchomp (end);
  gsize len = strlen (end);
  while (len > 0 && end[len - 1] == '-')
    end[--len] = '\0';
  g_strchomp (end);
  if (g_str_has_suffix (end, ":") || g_str_has_suffix (end, "：") ||
      (strlen (end) >= 5 && g_ascii_strcasecmp (end + strlen (end) - 5, "wrote") == 0))
    return TRUE;
  const char *last_word = strrchr (end, ' ');
  return strchr (last_word != NULL ? last_word : end, '@') != NULL;
}

/* Number of lines (1..4) of the attribution starting at line i, or 0. The
 * first line of a wrapped one must carry a date or an address, so that the
 * end of a paragraph is never joined onto the next line's attribution. */
static guint
attribution_at (GPtrArray *lines, const LineKind *kind, guint i)
{
  const char *first = g_ptr_array_index (lines, i);
  if (!has_date_or_address (first) || strlen (first) > MAX_ATTRIBUTION_BYTES)
    return 0;
  g_autoptr (GString) joined = g_string_new (NULL);
  for (guint k = 0; k < MAX_ATTRIBUTION_LINES && i + k < lines->len; k++)
    {
      if (kind[i + k] != LINE_TEXT)
        break;
      const char *line = g_ptr_array_index (lines, i + k);
      if (joined->len + 1 + strlen (line) > MAX_ATTRIBUTION_BYTES)
        break;
      if (k > 0)
        g_string_append_c (joined, ' ');
      g_string_append (joined, line);
      if (could_end_attribution (g_ptr_array_index (lines, i + k)) &&
          matches (patterns ()->attribution, joined->str))
        return k + 1;
    }
  return 0;
}

/* Cheap test before the separator regex, true of every line it matches:
 * each of its forms has a run of two dashes, equals signs or underscores,
 * or a colon. Most lines of a mail have none. */
static gboolean
could_be_separator (const char *line)
{
  return strstr (line, "--") != NULL || strstr (line, "==") != NULL ||
         strstr (line, "__") != NULL || strchr (line, ':') != NULL;
}

static gboolean
cut_marker_at (GPtrArray *lines, const LineKind *kind, const HeaderInfo *info, guint i)
{
  const Patterns *p = patterns ();
  const char *line = g_ptr_array_index (lines, i);
  if (strcmp (line, "--") == 0) /* "-- " once trailing blanks are gone */
    return TRUE;
  if (strlen (line) > MAX_ATTRIBUTION_BYTES)
    return FALSE;
  return (could_be_separator (line) && matches (p->separator, line)) || matches (p->footer, line) ||
         header_block_at (info, i) || lone_from_line (lines, kind, info, i);
}

/* Whether line i starts an attribution: returns its number of lines (0 for
 * none) and sets *cut when no quote follows it, i.e. the old message
 * follows unquoted. A bare "Name wrote:" counts only before a quote. */
static guint
attribution (GPtrArray *lines, const LineKind *kind, guint i, gboolean *cut)
{
  guint n = lines->len;
  guint span = attribution_at (lines, kind, i);
  const char *line = g_ptr_array_index (lines, i);
  /* Every weak attribution ends in a colon: most lines skip the regex. */
  if (span == 0 && (strchr (line, ':') == NULL || !matches (patterns ()->weak_attribution, line)))
    return 0;
  guint next = next_non_blank (kind, n, i + MAX (span, 1));
  gboolean quote_follows = next < n && kind[next] == LINE_QUOTED;
  if (span == 0)
    return quote_follows ? 1 : 0;
  *cut = !quote_follows;
  return span;
}

/* Marks keep[] for the new lines and returns the index where the old
 * message starts (lines->len when it never does). */
static guint
scan (GPtrArray *lines, const LineKind *kind, const HeaderInfo *info, gboolean *keep)
{
  guint n = lines->len;
  gboolean after_quote = FALSE; /* blank lines closing a quote go with it */
  for (guint i = 0; i < n; i++)
    {
      if (kind[i] == LINE_QUOTED)
        {
          after_quote = TRUE;
          continue;
        }
      if (kind[i] == LINE_BLANK)
        {
          keep[i] = !after_quote;
          continue;
        }
      after_quote = FALSE;
      if (cut_marker_at (lines, kind, info, i))
        return i;
      gboolean cut = FALSE;
      guint span = attribution (lines, kind, i, &cut);
      if (cut)
        return i;
      if (span > 0)
        { /* it goes with the quote it introduces */
          i += span - 1;
          after_quote = TRUE;
          continue;
        }
      keep[i] = TRUE;
    }
  return n;
}

static gint
last_kept (GPtrArray *lines, const gboolean *keep, guint end)
{
  for (gint i = (gint) end - 1; i >= 0; i--)
    if (keep[i] && !is_blank (g_ptr_array_index (lines, i)))
      return i;
  return -1;
}

static gboolean
is_rule_line (const char *line)
{
  if (is_blank (line))
    return FALSE;
  for (const char *p = line; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean rule = c == 0x2013 || c == 0x2014 || (c < 0x80 && strchr ("-_=*~", (int) c));
      if (!g_unichar_isspace (c) && !rule)
        return FALSE;
    }
  return TRUE;
}

/* A line that can follow a sign-off: a name, title, phone number or
 * address, none of which starts with a lowercase word ("take 12" does). */
static gboolean
is_signature_line (const char *line)
{
  while (g_ascii_isspace (*line))
    line++;
  if (strchr (line, '@') != NULL || strstr (line, "://") != NULL || strstr (line, "www.") != NULL)
    return TRUE;
  return g_utf8_strlen (line, -1) <= 60 && !g_unichar_islower (g_utf8_get_char (line));
}

/* Drops a trailing sign-off block: the sign-off line and at most five
 * signature lines after it (name, title, phone), if something was written
 * above it. */
static void
drop_signoff (GPtrArray *lines, gboolean *keep, guint end)
{
  guint after = 0;
  for (gint i = last_kept (lines, keep, end); i > 0; i--)
    {
      const char *line = g_ptr_array_index (lines, i);
      if (!keep[i] || is_blank (line))
        continue;
      if (matches (patterns ()->signoff, line))
        {
          if (last_kept (lines, keep, (guint) i) < 0)
            return;
          for (guint k = (guint) i; k < end; k++)
            keep[k] = FALSE;
          return;
        }
      if (++after > 5 || !is_signature_line (line))
        return;
    }
}

/* Drops what hangs at the end of the new text: a "-Name" signature line
 * after a blank line, then rule lines ("-----", "=====") left before a cut. */
static void
drop_tail (GPtrArray *lines, gboolean *keep, guint end)
{
  gint last = last_kept (lines, keep, end);
  if (last > 0 && matches (patterns ()->name_line, g_ptr_array_index (lines, last)) &&
      is_blank (g_ptr_array_index (lines, last - 1)))
    keep[last] = FALSE;
  drop_signoff (lines, keep, end);
  /* Each step searches on from the line just dropped, never from the end
   * again: a tail of 100,000 rule lines is one pass. */
  for (last = last_kept (lines, keep, end);
       last >= 0 && is_rule_line (g_ptr_array_index (lines, last));
       last = last_kept (lines, keep, (guint) last))
    keep[last] = FALSE;
}

static char *
join_kept (GPtrArray *lines, const gboolean *keep, guint end)
{
  GString *out = g_string_new (NULL);
  guint blanks = 0;
  for (guint i = 0; i < end; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      if (!keep[i])
        continue;
      if (is_blank (line))
        {
          blanks++;
          continue;
        }
      if (out->len > 0)
        for (guint b = 0; b <= blanks; b++)
          g_string_append_c (out, '\n');
      g_string_append (out, line);
      blanks = 0;
    }
  return g_string_free (out, FALSE);
}

char *
baton_visible_text (const char *body_utf8)
{
  g_atomic_int_inc (&messages_seen);
  g_autofree char *valid = g_utf8_make_valid (body_utf8 != NULL ? body_utf8 : "", -1);
  g_autoptr (GPtrArray) lines = split_lines (valid);
  g_autofree LineKind *kind = classify (lines);
  g_autofree HeaderInfo *info = header_info (lines, kind);
  g_autofree gboolean *keep = g_new0 (gboolean, lines->len);
  guint end = scan (lines, kind, info, keep);
  drop_tail (lines, keep, end);
  return join_kept (lines, keep, end);
}
