/* SPDX-License-Identifier: MIT */
/* Finding the newly written text of a mail body.
 *
 * Why line rules and not a model: the output decides which commands run, so
 * every removal must be explainable from one line or a small block of lines
 * (baton_visible_find() names the rule behind each). Why shapes and not
 * lists of clients: a reply from a client or language no list has must
 * still not act again, so each rule looks for a shape (labelled lines,
 * an address and a date, dashes around a word) and the word lists only
 * widen it. Where the boundary is uncertain, the text is taken as old.
 *
 * The body is read top-down as lines, each quoted (">", "| ", "AB> "),
 * blank or text.
 *  - Quoted lines are never new. One or two unquoted lines between quoted
 *    ones, after a long quoted line, are its hard-wrapped end: also quoted.
 *  - An attribution ("On … wrote:", translations, and shapes such as
 *    "Name <address> wrote:", "---- Name wrote ----", a date then a name;
 *    wrapped over up to five lines, one of them blank or a quoted "> wrote:")
 *    followed by a quote only introduces that quote: it goes with it, and
 *    text after the quote (an inline reply) is still new. Followed by
 *    unquoted text, it starts the old message: cut there. Written at the end
 *    of a line, the text before it is kept.
 *  - Cut markers end the new text: "-- ", underscore rules, separators
 *    ("-----Original Message-----", "-- … message … --" in any words),
 *    mobile footers, header blocks and a lone "From: name <address>" line.
 *    A header block is a run of "Label: value" lines (any short label of
 *    letters, a no-break space before the colon allowed, wrapped values and
 *    unknown labels among them) naming two known fields, one a sender or a
 *    date, with an address or a date in it; or four labels of any names
 *    with an address and a date; or From and two more fields on one line.
 *    A line inside a block is old with it, whatever it looks like; a
 *    command ("task: …") does not start one.
 *  - At the end, a sign-off ("Regards,", "Thanks," + name, title, phone), a
 *    signature block (name + contact lines) or a signed name ("-Name",
 *    "– Bob", "B.", a bare name under a comma or under commands only) is
 *    dropped, then any rule lines left hanging before a cut. Nothing that
 *    starts with a lowercase word or parses as a command is a signature.
 *
 * Every step looks at each line a bounded number of times: header blocks
 * are summed in one backward pass, patterns see at most 500 bytes of a
 * line, labels 48: time is linear in the body (test-visible's ratio tests).
 */
#define G_LOG_DOMAIN "baton-visible"

#include "baton/visible.h"

#include "baton/commands.h"

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

typedef enum {
  PATTERN_ATTRIBUTION,      /* "On … wrote:" in many languages */
  PATTERN_WEAK_ATTRIBUTION, /* "Name wrote:" — only before a quote */
  PATTERN_SEPARATOR,        /* -----Original Message----- and forwards */
  PATTERN_FOOTER,           /* Sent from my iPhone, Get Outlook for iOS */
  PATTERN_SIGNOFF,          /* Regards, Pozdrawiam, Med venlig hilsen */
  PATTERN_NAME_LINE,        /* -Abhishek Kona, /John, B. */
  PATTERN_BARE_NAME,        /* Ann Lee */
  PATTERN_THANKS,           /* Thanks, — a sign-off when a name follows */
  N_PATTERNS
} PatternId;

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
    "|El\\s.+\\s(?:escribió|ha\\s+escrit|escrigué|va\\s+escriure)\\s*:?"         /* es, ca */
    "|(?:Il|In\\s+data)\\s.+\\sha\\s+scritto\\s*:?"                              /* it */
    "|Op\\s.+\\sschreef(?:\\s.*)?:?|Op\\s.+\\sgeschreven\\s*:?"                  /* nl */
    "|(?:W\\s+dniu|Dnia)\\s.+\\s(?:napisał\\(a\\)|napisała|napisał|pisze)\\s*:?" /* pl */
    "|(?:Em|No\\s+dia)\\s.+\\sescreveu\\s*:?"                                    /* pt */
    "|(?=.*@).*\\d{1,2}[:.]\\d{2}.*\\sskrev(?:\\s.*)?(?::|<\\S+@\\S+)"           /* da, no, sv */
    "|.+\\skirjoitti\\s*:?"                                                      /* fi */
    /* cs, sk, pl */
    "|.+\\s(?:napsal\\(a\\)|napsala|napsal|napísal|napisał\\(a\\)|napisała|napisał)\\s*:?"
    "|.+\\s(?:написал\\(а\\)|написала|написал|написав|написала|пишет|пише)\\s*:?" /* ru, uk */
    "|.+\\syazdı\\s*:?"                                                           /* tr */
    "|.+\\s(?:írta(?:\\s*\\(.*\\))?|a\\s+scris|έγραψε)\\s*:?"                     /* hu, ro, el */
    "|.+\\s(?:đã\\s+viết|menulis)\\s*:?"                                          /* vi, id */
    "|(?:בתאריך\\s|.*\\sכתב).+:|.*\\sكتب\\s.+:"                                   /* he, ar */
    "|.+(?:写道|寫道|のメッセージ|が書きました|작성)\\s*[:：]?"                   /* zh, ja, ko */
    "|(?:\\p{L}{1,12}[.,]?\\s+){0,2}\\d.*\\d{1,2}[:.]\\d{2}.*[<(][^\\s<>()]+@[^\\s<>()]+[>)]\\s*[:：]"
    /* Shapes rather than words, for clients and languages not listed: */
    "|At\\s.+\\swrote\\s*:?"                           /* Eudora: At 10:12, you wrote: */
    "|(?<=-|-\\s)[^-\\s][^-]{0,100}?\\swrote\\s*-{2,}" /* Android: ---- Ann wrote ---- */
    "|.+\\svia\\s.+\\swrote\\s*:?"                     /* ann via Tracker wrote: */
    "|[^<>():,.!?]{1,80}?[<(][^\\s<>()]+@[^\\s<>()]+[>)]\\s*(?:wrote|schrieb|a\\s+écrit|escribió"
    "|ha\\s+scritto|schreef|skrev|escreveu)\\s*:?" /* Name <address> wrote: */
    "|\\d{4}-\\d{1,2}-\\d{1,2}\\s+\\d{1,2}:\\d{2}(?::\\d{2})?\\s+GMT[+-]\\d{1,2}(?::?\\d{2})?\\s+"
    "[^:<>@\\d]{1,80}" /* Gmail without the address */
    /* a date without a time */
    "|\\d{4}[/.-]\\d{1,2}[/.-]\\d{1,2}\\.?\\s+[^<>]{1,80}?<[^\\s<>]+@[^\\s<>]+>\\s*[:：]?"
    "|Posted\\s+by\\s.{1,80}\\son\\s.*\\d.*"
    ")[-\\s]*$";

static const char weak_attribution_re[] =
    "^.{1,100}\\s(?:wrote|schrieb|a\\s+écrit|escribió|ha\\s+scritto|schreef|napisał|skrev"
    "|kirjoitti|escreveu|написал|написав)\\s*:$";

static const char separator_re[] =
    "^[\\s*_]*(?:(?:-{2,}|={2,})\\s*(?:original\\s+message|ursprüngliche\\s+nachricht"
    "|oprindelig\\s+(?:besked|meddelelse)|message\\s+d'origine|mensaje\\s+original"
    "|messaggio\\s+originale|oorspronkelijk\\s+bericht|originalmeddelande"
    "|opprinnelig\\s+melding|alkuperäinen\\s+viesti|wiadomość\\s+oryginalna"
    "|исходное\\s+сообщение|mensagem\\s+original|forwarded\\s+message"
    "|weitergeleitete\\s+nachricht|message\\s+transféré|mensaje\\s+reenviado"
    "|messaggio\\s+inoltrato|doorgestuurd\\s+bericht|videresendt\\s+(?:besked|meddelelse|melding)"
    "|vidarebefordrat\\s+meddelande|пересылаемое\\s+сообщение|mensagem\\s+encaminhada)"
    "\\s*(?:-{2,}|={2,})?\\s*:?"
    /* Any other "-- … message … --" between rules: Reply Message, Antwort
     * Nachricht, 原始邮件 and the words of clients not listed above. */
    "|(?:-{2,}|={2,})\\s*[^-=:]{0,30}?(?:message|nachricht|mail|邮件|郵件|メッセージ|메시지"
    "|wiadomość|сообщение|повідомлення|bericht|meddelande|melding|besked|meddelelse|viesti"
    "|mensagem|mensaje|messaggio|zpráva|správa|üzenet|ileti|mesaj|μήνυμα)[^-=:]{0,30}?"
    "(?:-{2,}|={2,})"
    "|-{2,}\\s*forwarded\\s+by\\s.+?-{2,}" /* Lotus Notes */
    "|(?:begin\\s+forwarded\\s+message|anfang\\s+der\\s+weitergeleiteten\\s+nachricht"
    "|début\\s+du\\s+message\\s+réexpédié|inicio\\s+del\\s+mensaje\\s+reenviado)\\s*:"
    "|_{2,})[\\s*_]*$";

/* A footer is a whole short line: "Sent from my X" but not "Sent from my
 * desk, is much easier…" (punctuation means a sentence). */
static const char footer_re[] =
    "^\\s*(?:"
    "(?:sent|envoyé|enviado|inviato|gesendet|verzonden|verstuurd|wysłane|wysłano|skickat"
    "|sendt|lähetetty|отправлено|надіслано|odesláno|odoslané|trimis|elküldve)\\s+(?:from|via"
    "|with|using|de|depuis|à\\s+partir\\s+de|desde|do|da|dal|von|mit|vanaf|met|z|från|fra|med"
    "|с|из|з|de\\s+pe|a|az)\\s+[^,;:!?<>]{1,60}?"
    "|[^,;:!?<>]{1,40}\\s(?:cihazımdan|cihazımla)\\s+gönderildi"
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
    "|atenciosamente|с\\s+уважением|best\\s+wishes|all\\s+the\\s+best|take\\s+care|bw|br"
    ")\\s*[,.!]?\\s*$";

/* Thanks that sign off only when a name follows ("Thanks,\nBob"): alone at
 * the end ("Thanks!") they are part of what was written. */
static const char thanks_re[] =
    "^\\s*(?:thanks(?:\\s+again|\\s+a\\s+lot|\\s+all)?|thank\\s+you|many\\s+thanks|thx|ta|tia"
    "|danke|merci|gracias|grazie|obrigad[oa]|dzięki|спасибо|дякую|díky|köszönöm|teşekkürler"
    "|谢谢|謝謝)\\s*[,.!]?\\s*$";

/* "-Abhishek Kona", "/John", "– Bob", "B.": a name signed with a dash or
 * slash, or initials. No space after a hyphen: "- Done" is a list item. */
static const char name_line_re[] =
    "^\\s*(?:(?:[-/]|[–—]\\s?)\\p{Lu}[\\p{L}.'’-]*(?:\\s\\p{Lu}[\\p{L}.'’-]*){0,3}"
    "|\\p{Lu}\\.(?:\\s?\\p{Lu}\\.)?)\\s*$";

/* A bare name on a line of its own: "Bob", "Ann Lee". */
static const char bare_name_re[] =
    "^\\s*\\p{Lu}\\p{Ll}[\\p{L}'’-]*(?:\\s\\p{Lu}[\\p{L}'’.-]*){0,2}\\s*$";

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
  { "від", FIELD_FROM },
  { "expéditeur", FIELD_FROM },
  { "de la", FIELD_FROM },
  { "από", FIELD_FROM },
  { "afzender", FIELD_FROM },
  { "absender", FIELD_FROM },
  { "remitente", FIELD_FROM },
  { "mittente", FIELD_FROM },
  { "nadawca", FIELD_FROM },
  { "odesílatel", FIELD_FROM },
  { "sender", FIELD_FROM },
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
  { "收件者", FIELD_TO },
  { "komu", FIELD_TO },
  { "destinataire", FIELD_TO },
  { "către", FIELD_TO },
  { "προς", FIELD_TO },
  { "empfänger", FIELD_TO },
  { "destinatario", FIELD_TO },
  { "adresat", FIELD_TO },
  { "recipient", FIELD_TO },
  /* Cc */
  { "cc", FIELD_CC },
  { "kopie", FIELD_CC },
  { "copie à", FIELD_CC },
  { "kopia", FIELD_CC },
  { "копия", FIELD_CC },
  { "抄送", FIELD_CC },
  { "kopio", FIELD_CC },
  { "副本", FIELD_CC },
  { "копія", FIELD_CC },
  { "bilgi", FIELD_CC },
  { "másolat", FIELD_CC },
  { "kópia", FIELD_CC },
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
  { "enviada em", FIELD_SENT },
  { "enviado em", FIELD_SENT },
  { "enviada", FIELD_SENT },
  { "wysłane", FIELD_SENT },
  { "gönderildi", FIELD_SENT },
  { "gönderilme", FIELD_SENT },
  { "odesláno", FIELD_SENT },
  { "odoslané", FIELD_SENT },
  { "elküldve", FIELD_SENT },
  { "dátum", FIELD_SENT },
  { "寄件日期", FIELD_SENT },
  { "надіслано", FIELD_SENT },
  { "trimis", FIELD_SENT },
  { "στάλθηκε", FIELD_SENT },
  { "verstuurd", FIELD_SENT },
  { "gesendet am", FIELD_SENT },
  { "sent at", FIELD_SENT },
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
  { "předmět", FIELD_SUBJECT },
  { "predmet", FIELD_SUBJECT },
  { "subiect", FIELD_SUBJECT },
  { "θέμα", FIELD_SUBJECT },
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

static GRegex *
compile_pattern (PatternId id, GRegexCompileFlags extra)
{
  static const struct {
    const char *source;
    GRegexCompileFlags flags;
  } specs[N_PATTERNS] = {
    [PATTERN_ATTRIBUTION] = { attribution_re, G_REGEX_CASELESS },
    [PATTERN_WEAK_ATTRIBUTION] = { weak_attribution_re, G_REGEX_CASELESS },
    [PATTERN_SEPARATOR] = { separator_re, G_REGEX_CASELESS },
    [PATTERN_FOOTER] = { footer_re, G_REGEX_CASELESS },
    [PATTERN_SIGNOFF] = { signoff_re, G_REGEX_CASELESS },
    [PATTERN_NAME_LINE] = { name_line_re, 0 },
    [PATTERN_BARE_NAME] = { bare_name_re, 0 },
    [PATTERN_THANKS] = { thanks_re, G_REGEX_CASELESS },
  };
  return compile (specs[id].source, specs[id].flags | extra);
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
 * thread may still be matching with the first.
 *
 * Each pattern is compiled when a line first needs it: the cheap tests
 * before each one spare most mail most of them, and compiling all eight
 * was 5% of the CPU time of a one-mail `ingest` (procmail's path). */
#define JIT_AFTER_MESSAGES 100
static gint messages_seen;

static const GRegex *
pattern (PatternId id)
{
  static GRegex *plain[N_PATTERNS], *jitted[N_PATTERNS];
  static gsize plain_ready[N_PATTERNS], jitted_ready[N_PATTERNS];
  gboolean jit = g_atomic_int_get (&messages_seen) > JIT_AFTER_MESSAGES;
  GRegex **set = jit ? jitted : plain;
  gsize *ready = jit ? jitted_ready : plain_ready;
  if (g_once_init_enter (&ready[id]))
    {
      set[id] = compile_pattern (id, jit ? G_REGEX_OPTIMIZE : 0);
      g_once_init_leave (&ready[id], 1);
    }
  return set[id];
}

static gboolean
matches (const GRegex *re, const char *text)
{
  return g_regex_match (re, text, 0, NULL);
}

/* Where a pattern that starts "^\\s*" looks first: past blanks and
 * control characters (more than \\s skips, which changes nothing: a
 * control character starts no word). */
static const char *
first_character (const char *line)
{
  while (*line != '\0' && (guchar) *line <= ' ')
    line++;
  return line;
}

/* Cheap test before a pattern every form of which starts with one of a
 * list of words ("^\\s*(?:regards|cheers|…)"): whether @line can start
 * with one, given their first letters, lowercase, in @letters (an ASCII
 * letter in a caseless pattern matches only itself in either case or a
 * non-ASCII character; a word in another script never matches ASCII).
 * Most lines of a mail skip the pattern, and each match costs about as
 * much as the rest of reading the line. */
static gboolean
could_start_with (const char *line, const char *letters)
{
  guchar first = (guchar) *first_character (line);
  return first >= 0x80 || (first != '\0' && strchr (letters, g_ascii_tolower (first)) != NULL);
}

static gboolean
has_non_ascii (const char *line)
{
  /* Eight bytes a step: a loop over the bytes was 6M instructions of a
   * 5,000-mail ingest. */
  gsize length = strlen (line), i = 0;
  guint64 seen = 0;
  for (; i + 8 <= length; i += 8)
    {
      guint64 word;
      memcpy (&word, line + i, sizeof word);
      seen |= word;
    }
  for (; i < length; i++)
    seen |= (guchar) line[i];
  return (seen & G_GUINT64_CONSTANT (0x8080808080808080)) != 0;
}

/* The words footer_re starts with that are all ASCII, each followed there
 * by a blank: on a line of ASCII the others cannot match, nor can its
 * forms in other scripts ("…から送信", "…에서 보냄", "… cihazımdan
 * gönderildi"), which may start anywhere. */
static const char *const footer_words[] = {
  "sent",   "enviado", "inviato", "gesendet", "verzonden", "verstuurd", "skickat", "sendt",
  "trimis", "von",     "diese",   "get",      "outlook",   "obtenir",   "scarica", "descarga",
};

static gboolean
could_be_footer (const char *line)
{
  const char *first = first_character (line);
  const char *end = first;
  while (g_ascii_isalpha (*end))
    end++;
  gsize length = (gsize) (end - first);
  for (gsize i = 0; i < G_N_ELEMENTS (footer_words); i++)
    if (strlen (footer_words[i]) == length &&
        g_ascii_strncasecmp (first, footer_words[i], length) == 0)
      return TRUE;
  return has_non_ascii (first);
}

/* The first letters of the words signoff_re and thanks_re start with. */
#define SIGNOFF_LETTERS "abcghklmprstuvwz"
#define THANKS_LETTERS "dgkmot"

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
  /* Sized once: growing it a line at a time cost more than the split. */
  guint estimate = 1;
  for (const char *p = strchr (text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    estimate++;
  GPtrArray *lines = g_ptr_array_sized_new (estimate);
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

/* ">", "| " (but not a table row "| a | b |") or initials "AB> ". */
static gboolean
is_quoted_line (const char *line)
{
  while (*line == ' ' || *line == '\t')
    line++;
  if (*line == '>')
    return TRUE;
  if (*line == '|' && (line[1] == ' ' || line[1] == '\0'))
    return line[strlen (line) - 1] != '|' || line[1] == '\0';
  guint caps = 0;
  while (caps < 3 && g_ascii_isupper (line[caps]))
    caps++;
  return caps > 0 && line[caps] == '>' && (line[caps + 1] == ' ' || line[caps + 1] == '\0');
}

/* A quoted line long enough that a client wrapping at 72-80 columns may
 * have pushed its end onto an unquoted line of its own. */
#define WRAPPED_QUOTE_CHARS 60

/* Whether @line has at least @n characters: counts no further than that. */
static gboolean
has_chars (const char *line, guint n)
{
  for (guint count = 0; count < n; count++, line = g_utf8_next_char (line))
    if (*line == '\0')
      return FALSE;
  return TRUE;
}

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
          !has_chars (g_ptr_array_index (lines, i - 1), WRAPPED_QUOTE_CHARS))
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
#define MAX_LABEL_WORDS 4

/* Skips a no-break space (U+00A0, U+202F: French Outlook puts one before
 * the colon) or a plain blank; returns its length, 0 for anything else. */
static gsize
blank_length (const char *p)
{
  if (*p == ' ' || *p == '\t')
    return 1;
  if ((guchar) p[0] == 0xC2 && (guchar) p[1] == 0xA0)
    return 2;
  if ((guchar) p[0] == 0xE2 && (guchar) p[1] == 0x80 && (guchar) p[2] == 0xAF)
    return 3;
  return 0;
}

typedef enum { ASCII_LABEL_NO, ASCII_LABEL_YES, ASCII_LABEL_OTHER } AsciiLabel;

/* The common case of parse_label(), a label of ASCII letters: the same
 * rules without a string built and casefolded per line (a third of the
 * time of reading a body's header lines). [@p, @colon) is at most
 * MAX_LABEL_BYTES + 1 bytes; the words go lowercased, single-spaced, into
 * @folded. ASCII_LABEL_OTHER when a byte is not ASCII. */
static AsciiLabel
ascii_label (const char *p, const char *colon, char *folded)
{
  gsize length = 0;
  guint words = 0;
  gboolean space = TRUE;
  for (const char *q = p; q < colon; q++)
    {
      guchar c = (guchar) *q;
      if (c >= 0x80)
        return ASCII_LABEL_OTHER;
      if (c == ' ' || c == '\t' || c == '*' || c == '_')
        {
          space = TRUE;
          continue;
        }
      if (!g_ascii_isalpha (c) && (space || strchr ("-.'", c) == NULL))
        return ASCII_LABEL_NO;
      if (space)
        {
          if (++words > MAX_LABEL_WORDS)
            return ASCII_LABEL_NO;
          if (length > 0)
            folded[length++] = ' ';
          space = FALSE;
        }
      folded[length++] = g_ascii_tolower (c);
    }
  folded[length] = '\0';
  return words > 0 ? ASCII_LABEL_YES : ASCII_LABEL_NO;
}

/* Whether @line has the shape "Label: value": a label of one to four words
 * of letters ("De", "Enviada em", "Répondre à", "寄件日期"), decorations
 * ("*From:*", leading blanks) ignored. Sets *field to the field a known
 * label names (FIELD_NONE for others), *value to what follows the colon
 * (borrowed from @line) and, when @label is not NULL, *label to the label
 * as written with blanks made single spaces (caller frees). */
static gboolean
parse_label (const char *line, Field *field, const char **value, char **label)
{
  const char *p = line;
  while (*p == ' ' || *p == '\t' || *p == '*' || *p == '_')
    p++;
  /* The first ':' or '：' (EF BC 9A) in the first MAX_LABEL_BYTES + 1
   * bytes, by memchr(): a loop over the bytes was 6M instructions of a
   * 5,000-mail ingest. */
  gsize limit = strnlen (p, MAX_LABEL_BYTES + 1);
  const char *colon = memchr (p, ':', limit);
  for (const char *e = memchr (p, 0xEF, colon ? (gsize) (colon - p) : limit); e != NULL;
       e = memchr (e + 1, 0xEF, (gsize) ((colon ? colon : p + limit) - (e + 1))))
    if ((guchar) e[1] == 0xBC && (guchar) e[2] == 0x9A)
      {
        colon = e;
        break;
      }
  if (colon == NULL || colon == p)
    return FALSE;
  const char *after = colon + (*colon == ':' ? 1 : strlen ("："));
  if (g_str_has_prefix (after, "//")) /* a URL, not a label */
    return FALSE;
  if (label == NULL)
    {
      char folded[MAX_LABEL_BYTES + 2];
      switch (ascii_label (p, colon, folded))
        {
          case ASCII_LABEL_NO:
            return FALSE;
          case ASCII_LABEL_YES:
            *field = (Field) GPOINTER_TO_INT (g_hash_table_lookup (field_table (), folded));
            *value = after;
            return TRUE;
          case ASCII_LABEL_OTHER:
            break; /* not all ASCII: the general reading below */
        }
    }
  g_autoptr (GString) name = g_string_new (NULL);
  guint words = 0;
  gboolean space = TRUE;
  for (const char *q = p; q < colon;)
    {
      gsize blank = blank_length (q);
      if (blank > 0 || *q == '*' || *q == '_')
        {
          space = TRUE;
          q += blank > 0 ? blank : 1;
          continue;
        }
      gunichar c = g_utf8_get_char_validated (q, colon - q);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        return FALSE;
      if (!g_unichar_isalpha (c) && !g_unichar_ismark (c) && (space || !strchr ("-.'", (int) c)))
        return FALSE;
      if (space)
        {
          if (++words > MAX_LABEL_WORDS)
            return FALSE;
          if (name->len > 0)
            g_string_append_c (name, ' ');
          space = FALSE;
        }
      g_string_append_unichar (name, c);
      q = g_utf8_next_char (q);
    }
  if (words == 0)
    return FALSE;
  g_autofree char *folded = g_utf8_casefold (name->str, -1);
  *field = (Field) GPOINTER_TO_INT (g_hash_table_lookup (field_table (), folded));
  *value = after;
  if (label != NULL)
    *label = g_strdup (name->str);
  return TRUE;
}

/* A date or time in a header value: "10:12", "10.12", or a year 19xx/20xx. */
static gboolean
has_date (const char *s)
{
  /* From one run of digits to the next: strpbrk() skips the rest. */
  for (const char *p = strpbrk (s, "0123456789"); p != NULL; p = strpbrk (p, "0123456789"))
    {
      gsize digits = strspn (p, "0123456789");
      if (digits == 4 && (p[0] == '1' || p[0] == '2') && (p[1] == '9' || p[1] == '0'))
        return TRUE;
      if (digits <= 2 && (p[digits] == ':' || p[digits] == '.') &&
          strspn (p + digits + 1, "0123456789") == 2)
        return TRUE;
      p += digits;
    }
  return FALSE;
}

/* Per-line facts for header blocks. */
enum {
  HEADER_LABEL = 1 << 0,     /* "Label: value" */
  HEADER_CONTINUES = 1 << 1, /* belongs to a block that includes the line above */
  HEADER_ADDRESS = 1 << 2,   /* an '@' */
  HEADER_DATE = 1 << 3,      /* a date or time */
  HEADER_OPEN = 1 << 4,      /* ends inside "<…" or "[…": the value wraps */
};

/* What a line adds to a header block, and what the block running from it
 * to its end holds. */
typedef struct {
  guint8 field;        /* the Field its label names */
  guint8 flags;        /* HEADER_* of this line */
  guint8 block_mask;   /* Fields named from this line to the block's end */
  guint8 block_flags;  /* HEADER_ADDRESS | HEADER_DATE from here to the end */
  guint8 block_labels; /* label lines from here to the end, at most 255 */
} HeaderInfo;

static gboolean
ends_open (const char *line)
{
  const char *lt = strrchr (line, '<'), *gt = strrchr (line, '>');
  const char *lb = strrchr (line, '['), *rb = strrchr (line, ']');
  return (lt != NULL && (gt == NULL || gt < lt)) || (lb != NULL && (rb == NULL || rb < lb));
}

/* A wrapped header value: "<address>" or "mailto:" on its own line, the
 * rest of a bracket left open, or more recipients. */
static gboolean
is_header_continuation (const char *line, const HeaderInfo *previous)
{
  const char *p = line;
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '<' || g_str_has_prefix (p, "[mailto:") || g_str_has_prefix (p, "mailto:") ||
      (previous->flags & HEADER_OPEN))
    return TRUE;
  return (previous->field == FIELD_TO || previous->field == FIELD_CC) && strchr (p, '@') != NULL;
}

/* One forward pass decides which lines continue the block above them, one
 * backward pass sums each block from every line to its end: each line is
 * looked at a bounded number of times, however long the block. */
static HeaderInfo *
header_info (GPtrArray *lines, const LineKind *kind)
{
  guint n = lines->len;
  HeaderInfo *info = g_new0 (HeaderInfo, n);
  for (guint j = 0; j < n; j++)
    {
      const char *line = g_ptr_array_index (lines, j);
      Field field = FIELD_NONE;
      const char *value = NULL;
      if (kind[j] != LINE_TEXT)
        continue;
      if (parse_label (line, &field, &value, NULL))
        info[j].flags |= HEADER_LABEL;
      info[j].field = field;
      if (strchr (line, '@') != NULL)
        info[j].flags |= HEADER_ADDRESS;
      if (has_date (line))
        info[j].flags |= HEADER_DATE;
      if (ends_open (line))
        info[j].flags |= HEADER_OPEN;
    }
  guint previous = 0;
  for (guint j = 1; j < n; j++)
    {
      gboolean continues = FALSE;
      if (kind[j] == LINE_BLANK) /* some clients space the fields out */
        continues = kind[j - 1] != LINE_BLANK && j + 1 < n && (info[j + 1].flags & HEADER_LABEL);
      else if (kind[j] == LINE_TEXT)
        continues = (info[j].flags & HEADER_LABEL) ||
                    is_header_continuation (g_ptr_array_index (lines, j), &info[previous]);
      if (continues)
        info[j].flags |= HEADER_CONTINUES;
      if (kind[j] == LINE_TEXT)
        previous = j;
    }
  for (guint j = n; j-- > 0;)
    {
      info[j].block_mask = info[j].field;
      info[j].block_flags = info[j].flags & (HEADER_ADDRESS | HEADER_DATE);
      info[j].block_labels = (info[j].flags & HEADER_LABEL) ? 1 : 0;
      if (j + 1 < n && (info[j + 1].flags & HEADER_CONTINUES))
        {
          info[j].block_mask |= info[j + 1].block_mask;
          info[j].block_flags |= info[j + 1].block_flags;
          info[j].block_labels =
              (guint8) MIN (255, info[j].block_labels + info[j + 1].block_labels);
        }
    }
  return info;
}

static guint
count_bits (guint mask)
{
  guint n = 0;
  for (; mask != 0; mask &= mask - 1)
    n++;
  return n;
}

/* A header block starting at line i, in any client's language: label
 * lines (single blank lines, wrapped values and labels baton does not know
 * allowed among them) naming two known fields, one a sender or a date,
 * with an address, a date or the full From/Sent/To/Subject set; or four
 * labels of any names carrying an address and a date (a status note of
 * three, "Status:/ETA: 10:00/Owner: bob@…", stays new). So "From: Paris\nTo:
 * Berlin\nDate: Monday" or "From: me\nSubject: plan" are notes, not old
 * mail, while "От: Иван\nОтправлено: 3 марта 2026 10:12\nКому: Команда" is. */
static gboolean
header_block_at (const HeaderInfo *info, guint i, gboolean at_top)
{
  if (!(info[i].flags & HEADER_LABEL))
    return FALSE;
  guint mask = info[i].block_mask;
  guint full = FIELD_FROM | FIELD_TO | FIELD_SENT | FIELD_SUBJECT;
  gboolean address = (info[i].block_flags & HEADER_ADDRESS) != 0;
  gboolean date = (info[i].block_flags & HEADER_DATE) != 0;
  /* Nothing written above: a message that starts with its own header
   * lines, or a bare forward. Only a full block (both ends) is old then. */
  if (at_top)
    return (mask & FIELD_FROM) && (mask & FIELD_TO) &&
           (mask & (FIELD_SENT | FIELD_SUBJECT | FIELD_CC)) && (address || (mask & full) == full);
  if ((mask & (FIELD_FROM | FIELD_SENT)) && count_bits (mask) >= 2 &&
      (address || date || (mask & full) == full))
    return TRUE;
  return info[i].block_labels >= 4 && address && date;
}

/* The labels of the block at line i as written, "De/Envoyé/À/Objet", for
 * explain. Walks the block once, when it is cut. */
static char *
header_block_labels (GPtrArray *lines, const HeaderInfo *info, guint i)
{
  g_autoptr (GString) out = g_string_new (NULL);
  guint shown = 0;
  for (guint j = i; j < lines->len && (j == i || (info[j].flags & HEADER_CONTINUES)); j++)
    {
      Field field;
      const char *value;
      g_autofree char *label = NULL;
      if (!(info[j].flags & HEADER_LABEL) ||
          !parse_label (g_ptr_array_index (lines, j), &field, &value, &label))
        continue;
      if (shown++ == 6)
        {
          g_string_append (out, "/…");
          break;
        }
      g_string_append_printf (out, "%s%s", out->len > 0 ? "/" : "", label);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The most bytes of a line searched for more header fields. */
#define MAX_ONE_LINE_HEADER_BYTES 2000

/* "From: Ann <ann@x.test> Sent: Tuesday, 3 March 2026 10:12 To: Team
 * Subject: Re: deploy": a whole header block on one line, as an HTML
 * message's fields come out after an <hr>. A From label, two more known
 * fields later in the line, and an address or a date. */
static gboolean
one_line_header (const char *line, const HeaderInfo *info)
{
  if (info->field != FIELD_FROM || strlen (line) > MAX_ONE_LINE_HEADER_BYTES ||
      !(info->flags & (HEADER_ADDRESS | HEADER_DATE)))
    return FALSE;
  Field field;
  const char *value;
  parse_label (line, &field, &value, NULL);
  guint mask = 0;
  const char *colon = strchr (value, ':');
  for (const char *p = value; colon != NULL && *p; p++)
    {
      if (p >= colon)
        { /* each colon is found once: the walk stays linear */
          colon = strchr (p + 1, ':');
          continue;
        }
      if (p[0] != ' ' || p[1] == ' ' || colon - p > 24)
        continue;
      /* " Word:" or " Two words:" here? Labels are short: bounded. */
      g_autofree char *name = g_strndup (p + 1, colon - p - 1);
      g_strstrip (name);
      g_autofree char *folded = g_utf8_casefold (name, -1);
      mask |= (guint) GPOINTER_TO_INT (g_hash_table_lookup (field_table (), folded));
    }
  return count_bits (mask & (FIELD_TO | FIELD_CC | FIELD_SENT | FIELD_SUBJECT)) >= 2;
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
  Field field;
  if (info[i].field != FIELD_FROM)
    return FALSE;
  parse_label (g_ptr_array_index (lines, i), &field, &value, NULL);
  if (strchr (value, '@') == NULL)
    return FALSE;
  if (i > 0 && kind[i - 1] != LINE_BLANK)
    return FALSE;
  return i + 1 >= lines->len || kind[i + 1] != LINE_TEXT;
}

/* strpbrk() compares 16 bytes a step; a loop over the bytes was 13M
 * instructions of a 5,000-mail ingest. */
static gboolean
has_date_or_address (const char *s)
{
  return strpbrk (s, "0123456789@<") != NULL;
}

/* Cheap test before the regex: every attribution ends in a colon, in
 * "wrote" (Zoho, Android, some Apple Mail) or in the sender's address, or
 * starts with its date or "Posted by". */
static gboolean
could_end_attribution (const char *line)
{
  const char *start = line;
  while (*start == ' ' || *start == '\t')
    start++;
  if (g_ascii_isdigit (*start) || g_ascii_strncasecmp (start, "posted by", 9) == 0)
    return TRUE;
  gsize len = strlen (line);
  while (len > 0 && (line[len - 1] == '-' || line[len - 1] == ' '))
    len--;
  if ((len >= 1 && line[len - 1] == ':') ||
      (len >= strlen ("：") && memcmp (line + len - strlen ("："), "：", strlen ("：")) == 0) ||
      (len >= 5 && g_ascii_strncasecmp (line + len - 5, "wrote", 5) == 0))
    return TRUE;
  const char *last_word = line + len;
  while (last_word > line && last_word[-1] != ' ')
    last_word--;
  return memchr (last_word, '@', line + len - last_word) != NULL;
}

/* A line that goes on a wrapped attribution: a plain line, a blank line
 * (once), or a short line a client quoted by mistake ("> wrote:", ">:"). */
static gboolean
attribution_continuation (const char *line, LineKind kind, guint *blanks)
{
  if (kind == LINE_BLANK)
    return (*blanks)++ == 0;
  if (kind == LINE_QUOTED)
    return strlen (line) <= 40 && could_end_attribution (line);
  return TRUE;
}

/* Number of lines (1..5) of the attribution starting at line i, or 0. The
 * first line must carry a date, an address or "via", so that the end of a
 * paragraph is never joined onto the next line's attribution. */
static guint
attribution_at (GPtrArray *lines, const LineKind *kind, guint i)
{
  const char *first = g_ptr_array_index (lines, i);
  if (strlen (first) > MAX_ATTRIBUTION_BYTES)
    return 0;
  /* Wrapped over more lines only from a first line with a date, a time or
   * an address ("take 12" above an attribution is not part of it); "ann
   * via Tracker wrote:" is one line. */
  guint most = has_date (first) || strchr (first, '@') != NULL || strchr (first, '<') != NULL
                   ? MAX_ATTRIBUTION_LINES + 1
               : has_date_or_address (first) || strstr (first, " via ") != NULL ||
                       g_str_has_prefix (first, "--") /* ---- Ann wrote ---- */
                   ? 1
                   : 0;
  g_autoptr (GString) joined = g_string_new (NULL);
  guint blanks = 0;
  for (guint k = 0; k < most && i + k < lines->len; k++)
    {
      const char *line = g_ptr_array_index (lines, i + k);
      if (k > 0 && !attribution_continuation (line, kind[i + k], &blanks))
        break;
      if (kind[i + k] == LINE_BLANK)
        continue;
      if (joined->len + 1 + strlen (line) > MAX_ATTRIBUTION_BYTES)
        break;
      /* "<ann@x.test" + "> wrote:" joins back into "<ann@x.test> wrote:" */
      if (k > 0 && kind[i + k] != LINE_QUOTED)
        g_string_append_c (joined, ' ');
      g_string_append (joined, line);
      if (could_end_attribution (line) && matches (pattern (PATTERN_ATTRIBUTION), joined->str))
        return k + 1;
    }
  return 0;
}

/* Cheap test before the separator regex, true of every line it matches:
 * each of its forms has a run of two dashes, equals signs or underscores,
 * or is "Begin forwarded message:" or a translation of it (Anfang…,
 * Début…, Inicio…) after blanks, stars and underscores. Most lines of a
 * mail are neither. */
static gboolean
could_be_separator (const char *line)
{
  if (strstr (line, "--") != NULL || strstr (line, "==") != NULL || strstr (line, "__") != NULL)
    return TRUE;
  if (strchr (line, ':') == NULL)
    return FALSE;
  while (*line != '\0' && ((guchar) *line <= ' ' || *line == '*' || *line == '_'))
    line++;
  return could_start_with (line, "abdi");
}

/* A line that baton would read as a command ("Done", "Take 2"): never
 * taken for a signature, whatever its shape. */
static gboolean
is_command_line (const char *line)
{
  return baton_commands_any (line);
}

/* Up to this many bytes of a line are quoted in explain's rule names. */
#define EXCERPT_CHARS 60

/* A line of mail as a rule name shows it: control characters made spaces,
 * cut at EXCERPT_CHARS characters. Caller frees. */
static char *
excerpt (const char *line)
{
  GString *out = g_string_new (NULL);
  while (*line == ' ' || *line == '\t')
    line++;
  guint count = 0;
  for (const char *p = line; *p; p = g_utf8_next_char (p))
    {
      if (count++ == EXCERPT_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      gunichar c = g_utf8_get_char (p);
      g_string_append_unichar (out, g_unichar_iscntrl (c) ? ' ' : c);
    }
  return g_string_free (out, FALSE);
}

/* Whether line i ends the new text; *rule gets what made the cut. */
static gboolean
cut_marker_at (GPtrArray *lines, const LineKind *kind, const HeaderInfo *info, guint i,
               gboolean at_top, char **rule)
{
  const char *line = g_ptr_array_index (lines, i);
  if (strcmp (line, "--") == 0) /* "-- " once trailing blanks are gone */
    *rule = g_strdup ("signature \"-- \"");
  else if (header_block_at (info, i, at_top) && !is_command_line (line))
    {
      g_autofree char *labels = header_block_labels (lines, info, i);
      *rule = g_strdup_printf ("header block (%s)", labels);
    }
  else if (strlen (line) > MAX_ATTRIBUTION_BYTES)
    { /* too long for the patterns below */
      if (!one_line_header (line, &info[i]))
        return FALSE;
      *rule = g_strdup ("header block on one line");
    }
  else if (could_be_separator (line) && matches (pattern (PATTERN_SEPARATOR), line))
    {
      g_autofree char *shown = excerpt (line);
      *rule = g_strdup_printf ("separator \"%s\"", shown);
    }
  else if (could_be_footer (line) && matches (pattern (PATTERN_FOOTER), line))
    *rule = g_strdup ("mobile footer");
  else if (one_line_header (line, &info[i]))
    *rule = g_strdup ("header block on one line");
  else if (lone_from_line (lines, kind, info, i))
    *rule = g_strdup ("lone \"From:\" line");
  else
    return FALSE;
  return TRUE;
}

/* Whether line i starts an attribution, given the lines @span of a strong
 * one found there (0 for none): returns its number of lines (0 for none)
 * and sets *cut when no quote follows it, i.e. the old message follows
 * unquoted. A bare "Name wrote:" counts only before a quote. */
static guint
attribution (GPtrArray *lines, const LineKind *kind, guint i, guint span, gboolean *cut)
{
  guint n = lines->len;
  const char *line = g_ptr_array_index (lines, i);
  /* Every weak attribution ends in a colon (lines have no trailing
   * blanks): most lines skip the regex. */
  if (span == 0 &&
      (!g_str_has_suffix (line, ":") || !matches (pattern (PATTERN_WEAK_ATTRIBUTION), line)))
    return 0;
  guint next = next_non_blank (kind, n, i + MAX (span, 1));
  gboolean quote_follows = next < n && kind[next] == LINE_QUOTED;
  if (span == 0)
    return quote_follows ? 1 : 0;
  *cut = !quote_follows;
  return span;
}

static gboolean
is_blank_prefix (const char *line, gsize len)
{
  for (gsize k = 0; k < len; k++)
    if (!g_ascii_isspace (line[k]))
      return FALSE;
  return TRUE;
}

/* Words that can start an attribution written at the end of a reply's last
 * line ("ok, done 2 On Tue, 3 Mar 2026 … wrote:"). */
static const char *const same_line_starts[] = {
  "On ", "Le ", "Am ", "El ", "Il ", "Op ", "Em ", "W dniu ", "Dnia ", "Den ", "Dne ", "At ",
};
#define MAX_SAME_LINE_TRIES 8

/* The byte offset in line i where an attribution starts after some text,
 * or 0. Only the line's last MAX_ATTRIBUTION_BYTES are searched, at most
 * MAX_SAME_LINE_TRIES places: bounded work per line. */
static gsize
same_line_attribution (const char *line)
{
  gsize len = strlen (line);
  if (!could_end_attribution (line))
    return 0;
  guint tries = 0;
  for (gsize at = len > MAX_ATTRIBUTION_BYTES ? len - MAX_ATTRIBUTION_BYTES : 1; at < len; at++)
    {
      if (line[at - 1] != ' ')
        continue;
      for (gsize w = 0; w < G_N_ELEMENTS (same_line_starts); w++)
        if (g_str_has_prefix (line + at, same_line_starts[w]))
          {
            if (tries++ == MAX_SAME_LINE_TRIES)
              return 0;
            if (has_date_or_address (line + at) &&
                matches (pattern (PATTERN_ATTRIBUTION), line + at) && !is_blank_prefix (line, at))
              return at;
          }
    }
  return 0;
}

/* One reading of a body: its lines and what became of each. */
typedef struct {
  GPtrArray *lines;      /* char *, pointing into one buffer; borrowed */
  LineKind *kind;        /* owned */
  HeaderInfo *info;      /* owned */
  gboolean *keep;        /* owned: the line is new text */
  const char **why;      /* owned array of static strings: the rule that cut a line, or NULL */
  guint end;             /* where the old message starts; lines->len when it never does */
  char *end_rule;        /* owned: what starts it, NULL when nothing does */
  GPtrArray *same_lines; /* BatonVisibleCut *: lines whose end was an attribution; owned */
} Reading;

static void
reading_clear (Reading *r)
{
  g_free (r->kind);
  g_free (r->info);
  g_free (r->keep);
  g_free (r->why);
  g_free (r->end_rule);
  g_ptr_array_unref (r->same_lines);
  g_ptr_array_unref (r->lines);
}

static char *
attribution_rule (const char *line)
{
  g_autofree char *shown = excerpt (line);
  return g_strdup_printf ("attribution \"%s\"", shown);
}

/* The attribution at byte @at of line i ends the line; the text before it
 * is new. Returns TRUE when the old message follows unquoted. */
static gboolean
split_same_line (Reading *r, guint i, gsize at)
{
  char *line = g_ptr_array_index (r->lines, i);
  g_autofree char *shown = excerpt (line + at);
  BatonVisibleCut *cut = g_new0 (BatonVisibleCut, 1);
  cut->first_line = cut->last_line = i + 1;
  cut->rule = g_strdup_printf ("the end of the line, attribution \"%s\"", shown);
  g_ptr_array_add (r->same_lines, cut);
  line[at] = '\0';
  g_strchomp (line);
  r->keep[i] = TRUE;
  guint next = next_non_blank (r->kind, r->lines->len, i + 1);
  if (next < r->lines->len && r->kind[next] == LINE_QUOTED)
    return FALSE;
  r->end = i + 1;
  r->end_rule = g_strdup_printf ("after the attribution at the end of line %u", i + 1);
  return TRUE;
}

/* Marks keep[] for the new lines and why[] for the cut ones, and finds
 * where the old message starts. */
static void
scan (Reading *r)
{
  GPtrArray *lines = r->lines;
  guint n = lines->len;
  gboolean after_quote = FALSE; /* blank lines closing a quote go with it */
  gboolean written = FALSE;     /* a line other than a header line has been kept */
  r->end = n;
  for (guint i = 0; i < n; i++)
    {
      if (r->kind[i] == LINE_QUOTED)
        {
          r->why[i] = "quoted";
          after_quote = TRUE;
          continue;
        }
      if (r->kind[i] == LINE_BLANK)
        {
          r->keep[i] = !after_quote;
          continue;
        }
      after_quote = FALSE;
      if (cut_marker_at (lines, r->kind, r->info, i, !written, &r->end_rule))
        {
          r->end = i;
          return;
        }
      guint span = attribution_at (lines, r->kind, i);
      gsize at = span == 0 ? same_line_attribution (g_ptr_array_index (lines, i)) : 0;
      if (at > 0)
        {
          if (split_same_line (r, i, at))
            return;
          after_quote = TRUE;
          continue;
        }
      gboolean cut = FALSE;
      span = attribution (lines, r->kind, i, span, &cut);
      if (cut)
        {
          r->end = i;
          r->end_rule = attribution_rule (g_ptr_array_index (lines, i));
          return;
        }
      if (span > 0)
        { /* it goes with the quote it introduces */
          for (guint k = i; k < i + span; k++)
            r->why[k] = r->kind[k] == LINE_BLANK ? NULL : "attribution before a quote";
          i += span - 1;
          after_quote = TRUE;
          continue;
        }
      r->keep[i] = TRUE;
      written = written || !(r->info[i].flags & HEADER_LABEL) ||
                is_command_line (g_ptr_array_index (lines, i));
    }
}

static gint
last_kept (GPtrArray *lines, const gboolean *keep, guint end)
{
  for (gint i = (gint) end - 1; i >= 0; i--)
    if (keep[i] && !is_blank (g_ptr_array_index (lines, i)))
      return i;
  return -1;
}

static void
drop (Reading *r, guint from, guint to, const char *why)
{
  for (guint k = from; k < to; k++)
    if (r->keep[k])
      {
        r->keep[k] = FALSE;
        r->why[k] = is_blank (g_ptr_array_index (r->lines, k)) ? NULL : why;
      }
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
 * address, none of which starts with a lowercase word ("take 12" does) or
 * is a command. */
static gboolean
is_signature_line (const char *line)
{
  while (g_ascii_isspace (*line))
    line++;
  if (strchr (line, '@') != NULL || strstr (line, "://") != NULL || strstr (line, "www.") != NULL)
    return !is_command_line (line);
  return !has_chars (line, 61) && !g_unichar_islower (g_utf8_get_char (line)) &&
         !is_command_line (line);
}

/* A phone number (seven digits or more), a web address or a mail address:
 * what a signature block carries and a sentence rarely does. */
static gboolean
is_contact_line (const char *line)
{
  if (strchr (line, '@') != NULL || strstr (line, "://") != NULL || strstr (line, "www.") != NULL)
    return TRUE;
  guint digits = 0;
  for (const char *p = line; *p; p++)
    if (g_ascii_isdigit (*p))
      digits++;
    else if (!strchr (" +-()./", *p))
      return FALSE;
  return digits >= 7;
}

static gboolean
is_name_line (const char *line)
{
  return (matches (pattern (PATTERN_NAME_LINE), line) ||
          matches (pattern (PATTERN_BARE_NAME), line)) &&
         !is_command_line (line);
}

/* Whether every line kept before line i is a command: then a bare name
 * below them ("take 2\n\nBob") is a signature, not an update. */
static gboolean
only_commands_before (const Reading *r, guint i)
{
  for (guint k = 0; k < i; k++)
    if (r->keep[k] && !is_blank (g_ptr_array_index (r->lines, k)) &&
        !is_command_line (g_ptr_array_index (r->lines, k)))
      return FALSE;
  return TRUE;
}

/* A name signed on its own line after a blank line: "-Name", "– Bob",
 * "B." always; a bare "Bob" or "Ann Lee" only below a line ending in a
 * comma ("Talk soon,") or below nothing but commands, for a bare name
 * after prose is as often the end of a sentence list or a greeting. */
static gboolean
is_signed_name (const Reading *r, gint last)
{
  const char *line = g_ptr_array_index (r->lines, last);
  if (last < 1 || !is_blank (g_ptr_array_index (r->lines, last - 1)))
    return FALSE;
  gint above = last_kept (r->lines, r->keep, (guint) last);
  if (above < 0 || is_command_line (line))
    return FALSE;
  if (matches (pattern (PATTERN_NAME_LINE), line))
    return TRUE;
  if (!matches (pattern (PATTERN_BARE_NAME), line))
    return FALSE;
  return g_str_has_suffix (g_ptr_array_index (r->lines, above), ",") ||
         only_commands_before (r, (guint) last);
}

/* "Thanks," (a comma: more was to follow) or "Thanks" with a name right
 * below it; "Thanks." and "Thanks!" end a sentence, not a message. */
static gboolean
thanks_signs_off (const Reading *r, gint i, guint after)
{
  const char *line = g_ptr_array_index (r->lines, i);
  if (!could_start_with (line, THANKS_LETTERS) || !matches (pattern (PATTERN_THANKS), line))
    return FALSE;
  if (after == 0)
    return g_str_has_suffix (line, ",");
  return (guint) i + 1 < r->lines->len && r->keep[i + 1] &&
         is_name_line (g_ptr_array_index (r->lines, i + 1));
}

/* Drops a trailing sign-off block: the sign-off line and at most five
 * signature lines after it (name, title, phone), if something was written
 * above it. */
static void
drop_signoff (Reading *r)
{
  guint after = 0;
  for (gint i = last_kept (r->lines, r->keep, r->end); i > 0; i--)
    {
      const char *line = g_ptr_array_index (r->lines, i);
      if (!r->keep[i] || is_blank (line))
        continue;
      if ((could_start_with (line, SIGNOFF_LETTERS) && matches (pattern (PATTERN_SIGNOFF), line)) ||
          thanks_signs_off (r, i, after))
        {
          if (last_kept (r->lines, r->keep, (guint) i) >= 0)
            drop (r, (guint) i, r->end, "sign-off");
          return;
        }
      if (++after > 5 || !is_signature_line (line))
        return;
    }
}

#define MAX_SIGNATURE_BLOCK_LINES 6

/* Drops a last paragraph that is a signature without a sign-off: a name,
 * then up to five title, phone or web lines, one of them contact details. */
static void
drop_signature_block (Reading *r)
{
  gint last = last_kept (r->lines, r->keep, r->end);
  if (last < 1)
    return;
  gint first = last;
  gboolean contact = FALSE;
  for (;; first--)
    {
      const char *line = g_ptr_array_index (r->lines, first);
      if (!is_signature_line (line))
        return;
      contact = contact || is_contact_line (line);
      if (first == 0 || !r->keep[first - 1] || is_blank (g_ptr_array_index (r->lines, first - 1)))
        break;
      if (last - first + 1 == MAX_SIGNATURE_BLOCK_LINES)
        return;
    }
  if (first == last || !contact || !is_name_line (g_ptr_array_index (r->lines, first)) ||
      last_kept (r->lines, r->keep, (guint) first) < 0)
    return;
  drop (r, (guint) first, (guint) last + 1, "signature block");
}

/* Drops what hangs at the end of the new text: a name signed on its own
 * line after a blank line ("-Name", "– Bob", "B.", "Ann Lee"), a
 * signature block, a sign-off, then rule lines ("-----", "=====") left
 * before a cut. */
static void
drop_tail (Reading *r)
{
  gint last = last_kept (r->lines, r->keep, r->end);
  if (last > 0 && is_signed_name (r, last))
    drop (r, (guint) last, (guint) last + 1, "signature name");
  drop_signature_block (r);
  drop_signoff (r);
  /* Each step searches on from the line just dropped, never from the end
   * again: a tail of 100,000 rule lines is one pass. */
  for (last = last_kept (r->lines, r->keep, r->end);
       last >= 0 && is_rule_line (g_ptr_array_index (r->lines, last));
       last = last_kept (r->lines, r->keep, (guint) last))
    drop (r, (guint) last, (guint) last + 1, "rule line");
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

static void
add_cut (GPtrArray *cuts, guint first, guint last, const char *rule, gboolean to_end)
{
  BatonVisibleCut *cut = g_new0 (BatonVisibleCut, 1);
  cut->first_line = first;
  cut->last_line = last;
  cut->rule = g_strdup (rule);
  cut->to_end = to_end;
  g_ptr_array_add (cuts, cut);
}

/* The cuts in line order: runs of lines cut by one rule (blank lines
 * between them do not split a run), then where the old message starts. */
static GPtrArray *
list_cuts (const Reading *r)
{
  GPtrArray *cuts = g_ptr_array_new_with_free_func ((GDestroyNotify) baton_visible_cut_free);
  guint next_same = 0; /* r->same_lines is in line order too */
  for (guint i = 0; i < r->end;)
    {
      if (next_same < r->same_lines->len &&
          ((BatonVisibleCut *) r->same_lines->pdata[next_same])->first_line == i + 1)
        add_cut (cuts, i + 1, i + 1, ((BatonVisibleCut *) r->same_lines->pdata[next_same++])->rule,
                 FALSE);
      const char *why = r->why[i];
      if (why == NULL)
        {
          i++;
          continue;
        }
      guint last = i, j = i + 1;
      for (; j < r->end; j++)
        if (r->why[j] == why)
          last = j;
        else if (r->why[j] != NULL || r->keep[j] || !is_blank (g_ptr_array_index (r->lines, j)))
          break;
      add_cut (cuts, i + 1, last + 1, why, FALSE);
      i = last + 1;
    }
  if (r->end_rule != NULL)
    {
      guint last = r->lines->len;
      while (last > r->end + 1 && is_blank (g_ptr_array_index (r->lines, last - 1)))
        last--;
      add_cut (cuts, r->end + 1, last, r->end_rule, TRUE);
    }
  return cuts;
}

void
baton_visible_cut_free (BatonVisibleCut *cut)
{
  if (cut == NULL)
    return;
  g_free (cut->rule);
  g_free (cut);
}

void
baton_visible_free (BatonVisible *visible)
{
  if (visible == NULL)
    return;
  g_free (visible->text);
  if (visible->cuts != NULL)
    g_ptr_array_unref (visible->cuts);
  g_free (visible);
}

static BatonVisible *
read_body (const char *body_utf8, gboolean want_cuts)
{
  g_atomic_int_inc (&messages_seen);
  const char *body = body_utf8 != NULL ? body_utf8 : "";
  /* Bodies from message.c are valid already: a plain copy is cheaper
   * than g_utf8_make_valid()'s string built piece by piece. */
  g_autofree char *valid =
      g_utf8_validate (body, -1, NULL) ? g_strdup (body) : g_utf8_make_valid (body, -1);
  Reading r = { 0 };
  r.lines = split_lines (valid);
  r.kind = classify (r.lines);
  r.info = header_info (r.lines, r.kind);
  r.keep = g_new0 (gboolean, r.lines->len);
  r.why = g_new0 (const char *, r.lines->len);
  r.same_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) baton_visible_cut_free);
  scan (&r);
  drop_tail (&r);
  BatonVisible *visible = g_new0 (BatonVisible, 1);
  visible->text = join_kept (r.lines, r.keep, r.end);
  visible->cuts = want_cuts ? list_cuts (&r) : g_ptr_array_new ();
  reading_clear (&r);
  return visible;
}

BatonVisible *
baton_visible_find (const char *body_utf8)
{
  return read_body (body_utf8, TRUE);
}

char *
baton_visible_text (const char *body_utf8)
{
  g_autoptr (BatonVisible) visible = read_body (body_utf8, FALSE);
  return g_steal_pointer (&visible->text);
}
