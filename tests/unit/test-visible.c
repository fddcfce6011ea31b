/* SPDX-License-Identifier: MIT */
/* baton_visible_text(): one rule per test, in the words of real clients. */
#include "baton/visible.h"

#include <time.h>

static void
check (const char *body, const char *expected)
{
  g_autofree char *text = baton_visible_text (body);
  g_assert_cmpstr (text, ==, expected);
}

/* The reply, then the given attribution line(s), then an unquoted old
 * message: only the reply may remain. */
static void
check_attribution (const char *attribution)
{
  g_autofree char *body = g_strdup_printf ("take 12\n\n%s\n\nold text\ndone 7\n", attribution);
  g_autofree char *quoted = g_strdup_printf ("take 12\n\n%s\n> done 7\n", attribution);
  check (body, "take 12");
  check (quoted, "take 12");
}

static void
test_attributions (void)
{
  check_attribution ("On Tue, 2011-03-01 at 18:02 +0530, Abhishek Kona wrote:");
  check_attribution (
      "On Mon, Aug 26, 2019 at 4:37 PM The Hiring Engine <\nhire@example.com> wrote:");
  check_attribution ("On Nov 21, 2014,\nat 10:18,\nJohn Doe <john@doe123.com> wrote:");
  check_attribution ("---- On Wed, 24 Feb 2021 14:02:50 +0530 john@gmail.com wrote ----");
  check_attribution ("Le 19 mars 2014 10:37, Cédric <cedric@example.com> a écrit :");
  check_attribution ("Le lun. 15 nov. 2021 à 19:42, John - Acme <john@acme.com>\na écrit :");
  check_attribution ("Am 25.06.2015 um 10:55 schrieb Test user:");
  check_attribution ("Adam Mustermann <adam@example.com> schrieb am Di. 16. Mai 2017 um 10:20:");
  check_attribution ("El 19/03/2014 11:34, Juan Pérez <juan@example.com> escribió:");
  check_attribution ("Il giovedì 8 dicembre 2016, Company <q@example.com>\nha scritto:");
  check_attribution ("Op 12 december 2016 19:05 schreef Company Questions <\nq@example.com>:");
  check_attribution ("W dniu 2015-01-07 14:23, pbrzoski91@gmail.com pisze:");
  check_attribution ("Dnia 27 grudnia 2016 12:08 Company <q@example.com> napisał(a):");
  check_attribution (
      "Em 10 de julho de 2017 às 16:32:35, John Doe (\ncontact@example.com) escreveu:");
  check_attribution ("Den 08/06/2015 kl. 21.21 skrev Test user <test@example.com>:");
  check_attribution ("tir. 18. apr. 2017 kl. 13:09 skrev Test user <test@example.com>:");
  check_attribution ("pe 20. lokakuuta 2017 klo 17.50 John Coe\n<john@example.com> kirjoitti:");
  check_attribution ("ср, 30 апр. 2025 г. в 15:19, John Doe <doe@example.com>:");
  check_attribution ("29 грудня 2017 р. о 19:09 <support@domain.com> написав:");
  check_attribution ("在 2016年11月8日，下午2:23，Test user <test@example.com> 写道：");
  check_attribution ("2016/11/08 14:26、Test user <test@example.com> のメッセージ:");
  check_attribution ("2016. 11. 8. 오후 12:39 Test user <test@example.com> 작성:");
  check_attribution ("2014-03-20 8:48 GMT+01:00 Rémi Dolan <remi@example.com>:");
  check_attribution ("- On 2021-04-09 23:25, Toby Flenderson a wrote:");
  check_attribution ("In data 11 ottobre 2017 21:11:31 \"John\" <j@example.com> ha scritto:");
  check_attribution ("El dia 12 de març 2024 a les 10:00, Joan <joan@example.cat> va escriure:");
  check_attribution ("Den 12 mars 2024 kl. 10:00 skrev Anna <anna@example.se>:");
  check_attribution ("Dne 12. 3. 2024 v 10:00 Jan Novák <jan@example.cz> napsal(a):");
  check_attribution ("Dňa 12. 3. 2024 o 10:00 Ján <jan@example.sk> napísal:");
  check_attribution ("12 Mar 2024 Sal, 10:00 tarihinde Ali <ali@example.com> şunu yazdı:");
  check_attribution (
      "Kovács János <janos@example.hu> ezt írta (időpont: 2024. márc. 12., K, 10:00):");
  check_attribution ("Pe mar., 12 mar. 2024 la 10:00, Ion <ion@example.ro> a scris:");
  check_attribution ("Στις Τρί 12 Μαρ 2024 στις 10:00, ο/η Νίκος <nikos@example.gr> έγραψε:");
  check_attribution ("12.03.2024, 10:00, Иван Иванов <ivan@example.ru> написал(а):");
  check_attribution ("2024年3月12日(火) 10:00 山田 <yamada@example.jp>:");
  check_attribution ("2024년 3월 12일 (화) 오전 10:00, 김 <kim@example.kr>님이 작성:");
  check_attribution ("Vào Th 3, 12 thg 3, 2024 vào lúc 10:00 An <an@example.vn> đã viết:");
  check_attribution ("Pada tanggal Sel, 12 Mar 2024 pukul 10.00 Budi <budi@example.id> menulis:");
  check_attribution ("בתאריך יום ג׳, 12 במרץ 2024 ב-10:00 מאת Dan <dan@example.il>:");
  check_attribution ("في الثلاثاء، 12 مارس 2024 في 10:00 ص، كتب Ali <ali@example.com>:");
}

static void
test_wrote_in_prose_stays (void)
{
  check ("I read what she wrote: it was fine.\ntake 3",
         "I read what she wrote: it was fine.\ntake 3");
  check ("Something wrote:\nnot an attribution", "Something wrote:\nnot an attribution");
  check ("On the other hand, this is fine.\nOn average it works.",
         "On the other hand, this is fine.\nOn average it works.");
  check ("Report 3 at 10:30 for bob@example.com:\ndone 7",
         "Report 3 at 10:30 for bob@example.com:\ndone 7");
  /* A bare "Name wrote:" does introduce a quote that follows it. */
  check ("ok\n\nRussell Brown wrote:\n> old", "ok");
  check ("ok\n\nHe wrote:", "ok\n\nHe wrote:");
}

static void
test_outlook (void)
{
  check ("done 7\n\n-----Original Message-----\nFrom: a@example.com\nSent: Monday\n"
         "To: b@example.com\nSubject: RE: x\n\ntake 9",
         "done 7");
  check ("done 7\n\nFrom: CRM [crm@example.com]\nSent: Friday, 23 March 2012 5:08 p.m.\n"
         "To: John\nSubject: [contact:106]\n\ntake 9",
         "done 7");
  check ("done 7\n ------------------------------\n\n*Von:* Adam [mailto:adam@example.com]\n"
         "*Gesendet:* Dienstag, 3. Jänner 2017 20:00\n*An:* Eva\n*Betreff:* Hallo\n\ntake 9",
         "done 7");
  check ("done 7\n\nDe : Company<mailto:q@example.com>\nEnvoyé le :jeudi 15 décembre 2016\n"
         "À : someone@example.fr\nObjet :Curabitur\n\ntake 9",
         "done 7");
  check ("done 7\n\nFrom: Human Resources \n<hr-long@example.com> \nSent: Monday\n"
         "To: Abhishek <a@example.com>\nSubject: applicant\n\ntake 9",
         "done 7");
  check ("done 7\n________________________________\nFrom: x\nSent: y\nTo: z\nSubject: w\n\ntake 9",
         "done 7");
  check ("done 7\n\n-------- Message d'origine --------\nDe : A <a@example.org>\n\ntake 9",
         "done 7");
  check (
      "done 7\n\nFrom: a@example.com\n\nSent: Monday\n\nTo: b@example.com\n\nSubject: x\n\ntake 9",
      "done 7");
  /* Without an address, a travel note is not a header block... */
  check ("From: Paris\nTo: Berlin\nDate: Monday\n\ntake 4",
         "From: Paris\nTo: Berlin\nDate: Monday\n\ntake 4");
  /* ... but Outlook's full set of fields is, even without one. */
  check (
      "done 7\n\n*From:* Mary Green\n*Sent:* Tuesday\n*To:* John Green\n*Subject:* How are you?\n\ntake 9",
      "done 7");
  /* A sender and a subject without any recipient are not a quoted header. */
  check ("From: me\nSubject: plan\n\ntake 4", "From: me\nSubject: plan\n\ntake 4");
  /* A lone "From: name <address>" line introduces an old message. */
  check ("\nFrom: foo@example.com <foo@example.com>\n\nMy email is <foo@example.com>", "");
}

static void
test_forwarded (void)
{
  check ("See below.\n\n---------- Forwarded message ---------\nFrom: John <j@example.com>\n"
         "Date: Mon\nSubject: x\nTo: t@example.com\n\ntake 1",
         "See below.");
  check ("FYI\n\nBegin forwarded message:\n\nFrom: John\n\ntake 1", "FYI");
  check ("FYI\n\n----- Forwarded by John/ACME on 03/11/2024 10:00 AM -----\n\ntake 1", "FYI");
  check ("FYI\n\n-------- Weitergeleitete Nachricht --------\nBetreff: x\n\ntake 1", "FYI");
}

static void
test_signatures (void)
{
  check ("take 12\n\n-- \nrick\ndone 1", "take 12");
  check ("take 12\n--\nrick", "take 12");
  check ("a fix -- this is not a signature\n-- and neither is this",
         "a fix -- this is not a signature\n-- and neither is this");
  check ("Hi,\n\nCan you help?\n\nRegards,\n\nJohn Doe\nCEO @ Acme !", "Hi,\n\nCan you help?");
  check ("Hej,\n\nSvar.\n\nMed venlig hilsen\nAnders Andersen", "Hej,\n\nSvar.");
  check ("Oh thanks.\n\n-Abhishek Kona\n\n\n______\nriak-users mailing list", "Oh thanks.");
  check ("One:\n- This is a bullet point\n- And another one",
         "One:\n- This is a bullet point\n- And another one");
  check ("Status:\n\n- Done", "Status:\n\n- Done");
  check ("ok\n\nCheers\ntake 12", "ok\n\nCheers\ntake 12");
  check ("ok\n\nBest regards,\nJane Roe\nTeam lead\n+44 7700 900333\nhttps://example.com", "ok");
  check ("Dear X,\n\nThanks.\n\nSincerely,\nSuper Domain Name Manager",
         "Dear X,\n\nThanks.\n\nSincerely,\nSuper Domain Name Manager");
}

static void
test_footers (void)
{
  check ("take 5\n\nSent from my iPhone", "take 5");
  check ("take 5\n\nSent from my Verizon Wireless BlackBerry\n", "take 5");
  check ("take 5\n\nEnvoyé de mon iPhone", "take 5");
  check ("take 5\n\nVon meinem iPhone gesendet", "take 5");
  check ("take 5\n\nGesendet mit der GMX Mail App", "take 5");
  check ("take 5\n\nEnviado desde mi iPhone", "take 5");
  check ("take 5\n\nWysłane z mojego iPhone’a", "take 5");
  check ("take 5\n\nLähetetty iPhonesta", "take 5");
  check ("take 5\n\niPhoneから送信", "take 5");
  check ("take 5\n\n发自我的iPhone", "take 5");
  check ("take 5\n\n내 iPhone에서 보냄", "take 5");
  check ("take 5\n\nSent with ProtonMail Secure Email.", "take 5");
  check ("take 5\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n____\nFrom: x", "take 5");
  check (
      "take 5\n\nSent from Mail for Windows 10\n\nFrom: Bort\nSent: April 9\nTo: b@example.com\nSubject: Re: x",
      "take 5");
  check ("take 5\n\nSent from my desk, is much easier than my phone.",
         "take 5\n\nSent from my desk, is much easier than my phone.");
  check ("The notification was sent from my iPhone app.",
         "The notification was sent from my iPhone app.");
}

static void
test_quotes (void)
{
  /* Only a quote: nothing was written. */
  check ("> take 12\n> done 7\n", "");
  check ("On Mon, 1 Jan 2024 at 10:00, A <a@example.com> wrote:\n> take 12\n", "");
  /* Inline replies stay, the quotes between them go. */
  check ("I agree.\n\n> point one\n\nyes\n\n> point two\n> more\n\nno", "I agree.\n\nyes\n\nno");
  /* Lines broken out of a quote by a narrow client are still quoted. */
  check ("mine\n\n> a quoted line long enough to be wrapped by a narrow client, so wra\n"
         "pped here\n> end\n",
         "mine");
  /* ... but a reply squeezed between short quoted lines is new text. */
  check ("> Can you take 12?\ntake 12\n> And 13?\ntake 13\n", "take 12\ntake 13");
  check ("Hi,\nOn Tue, 2011-03-01 at 18:02 +0530, Abhishek Kona wrote:\n> old\n\nnew text",
         "Hi,\nnew text");
}

static void
test_formatting_kept (void)
{
  check ("\n\nSomething like:\n\n    for (x) {\n        y;   \n    }\n\n\nwould do it.\n\n\n",
         "Something like:\n\n    for (x) {\n        y;\n    }\n\n\nwould do it.");
}

static void
test_line_ends (void)
{
  check ("take 12\r\n\r\nOn Tue, 1 Mar 2011 at 18:02, A <a@example.com> wrote:\r\n> old\r\n",
         "take 12");
  check ("one\rtwo\r\n\r\nthree", "one\ntwo\n\nthree");
}

static void
test_empty_and_odd (void)
{
  check ("", "");
  check (NULL, "");
  check ("\n\n  \n", "");
  check ("bad \xff byte", "bad \xef\xbf\xbd byte");
  g_autoptr (GString) big = g_string_new ("Hi folks\n");
  for (int i = 0; i < 200000; i++)
    g_string_append_c (big, '>');
  g_string_append (big, "\nasdf\nA");
  for (int i = 0; i < 200000; i++)
    g_string_append_c (big, '>');
  g_autofree char *text = baton_visible_text (big->str);
  g_assert_true (g_str_has_prefix (text, "Hi folks\n"));
}

/* Random bodies from mail fragments: no crash (ASan run), valid UTF-8. */
static void
test_random (void)
{
  static const char *const pieces[] = {
    "> ",
    ">",
    "\n",
    "\r\n",
    "\r",
    " ",
    "-- ",
    "--",
    "On 1 Jan 2024, A <a@b.c> wrote:",
    "From: a@b.c",
    "To: x",
    "Sent: y",
    "Subject: z",
    "*From:*",
    "Regards,",
    "-John",
    "Sent from my iPhone",
    "-----Original Message-----",
    "____",
    "take 12",
    "\xc3",
    "\xff",
    "：",
    "@",
    "<",
    "wrote",
    "skrev 10:00",
    "写道",
    ":",
  };
  for (int round = 0; round < 2000; round++)
    {
      g_autoptr (GString) body = g_string_new (NULL);
      int n = g_test_rand_int_range (0, 60);
      for (int i = 0; i < n; i++)
        g_string_append (body, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
      g_autofree char *text = baton_visible_text (body->str);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
}

/* The patterns are compiled again with PCRE2's JIT after 100 messages
 * (visible.c): the same mail must give the same text before and after.
 * Registered first, so the first pass runs on the patterns without JIT. */
static void
test_same_after_jit (void)
{
  static const char *const bodies[] = {
    "take 12\n\nOn Mon, 9 Mar 2026 at 10:00, Alice <a@example.com> wrote:\n> done 7\n",
    "take 12\n\nLe lun. 9 mars 2026 à 10:00, Alice a écrit :\n> done 7\n",
    "take 12\n\n-----Original Message-----\nFrom: Alice\nSent: Monday\n\ndone 7\n",
    "take 12\n\nRegards,\nBob\n",
    "take 12\nSent from my iPhone\n",
    "take 12\n\n-John\n",
    "take 12\n\n________________________________\nVon: Alice\nGesendet: Montag\n",
    "take 12\nAlice wrote:\n> old\n",
  };
  char *before[G_N_ELEMENTS (bodies)];
  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    before[i] = baton_visible_text (bodies[i]);
  for (int i = 0; i < 120; i++)
    g_free (baton_visible_text ("filler\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *after = baton_visible_text (bodies[i]);
      g_assert_cmpstr (after, ==, before[i]);
      g_free (before[i]);
    }
}

/* Issue 11: "take 2" written above a header block baton may not know, then
 * the old message with "done 1": only "take 2" may remain. */
static void
check_header (const char *header)
{
  g_autofree char *body =
      g_strdup_printf ("take 2\n\n%s\n\nHi team,\ndone 1: shipped the fix\n", header);
  check (body, "take 2");
}

static void
test_header_blocks_any_language (void)
{
  /* French Outlook: a no-break space (U+00A0, U+202F) before the colon. */
  check_header ("De\u00a0: Ann Lee <ann@x.test>\nEnvoyé\u00a0: mardi 3 mars 2026 10:12\n"
                "À\u00a0: Team <team@x.test>\nObjet\u00a0: RE: deploy");
  check_header ("De\u202f: Ann Lee <ann@x.test>\nEnvoyé\u202f: mardi 3 mars 2026 10:12\n"
                "À\u202f: Team\nObjet\u202f: RE: deploy");
  check_header ("De: Ann Lee <ann@x.test>\nEnviada em: terça-feira, 3 de março de 2026 10:12\n"
                "Para: Team <team@x.test>\nAssunto: RE: deploy");
  check_header ("Od: Ann Lee <ann@x.test>\nWysłane: wtorek, 3 marca 2026 10:12\n"
                "Do: Team <team@x.test>\nTemat: RE: deploy");
  check_header ("Kimden: Ann Lee <ann@x.test>\nGönderildi: 3 Mart 2026 Salı 10:12\n"
                "Kime: Team <team@x.test>\nKonu: RE: deploy");
  check_header ("Od: Ann Lee <ann@x.test>\nOdesláno: úterý 3. března 2026 10:12\n"
                "Komu: Team <team@x.test>\nPředmět: RE: deploy");
  check_header ("Feladó: Ann Lee <ann@x.test>\nElküldve: 2026. március 3. 10:12\n"
                "Címzett: Team <team@x.test>\nTárgy: RE: deploy");
  check_header ("寄件者: Ann Lee <ann@x.test>\n寄件日期: 2026年3月3日 上午 10:12\n"
                "收件者: Team <team@x.test>\n主旨: RE: deploy");
  check_header ("Від: Ann Lee <ann@x.test>\nНадіслано: 3 березня 2026 р. 10:12\n"
                "Кому: Team <team@x.test>\nТема: RE: deploy");
  /* Labels baton does not know, in the middle. */
  check_header ("From: Ann Lee <ann@x.test>\nReply-To: list@x.test\nSent: Tuesday, March 3, 2026 "
                "10:12 AM\nTo: Team\nSubject: RE: deploy");
  check_header ("De : Ann Lee <ann@x.test>\nRépondre à : list@x.test\nEnvoyé : mardi 3 mars 2026 "
                "10:12\nÀ : Team\nObjet : RE: deploy");
  check_header ("Expéditeur : Ann Lee <ann@x.test>\nDate : 3 mars 2026 10:12\n"
                "Destinataire : Team\nObjet : RE: deploy");
  check_header ("From: Ann Lee <ann@x.test>\nSent: Tuesday, March 3, 2026 10:12 AM\n"
                "Cc: Bob\nTo: Team\nSubject: RE: deploy");
  /* Two fields; no address and no subject. */
  check_header ("From: ann@x.test\nDate: Tue, 3 Mar 2026 10:12 +0100");
  check_header ("От: Иван Петров\nОтправлено: вт, 3 марта 2026 г. 10:12\nКому: Команда");
  /* Bold fields from HTML, the address wrapped after "[mailto:". */
  check_header ("*From:* Ann Lee [mailto:\nann@x.test]\n*Sent:* Tuesday, March 3, 2026 10:12 AM\n"
                "*To:* Team\n*Subject:* RE: deploy");
  /* All fields on one line, as after an <hr>. */
  check_header ("From: Ann Lee <ann@x.test> Sent: Tuesday, March 3, 2026 10:12 AM To: Team "
                "Subject: Re: deploy");
  /* Labels in a language baton has no word for: an address and a date. */
  check_header ("Xaa: Ann Lee <ann@x.test>\nYbb: 3.3.2026 10:12\nZcc: Team\nWdd: deploy");
  /* A command-shaped line inside a block is old with it. */
  check ("take 2\n\nFrom: Ann <ann@x.test>\ndone: 1\nDate: 3 Mar 2026 10:12\n", "take 2");
  /* Not blocks: notes with labels but no sender or date fields. */
  check ("Status: ready\nOwner: ann@x.test\nDue: 2026-03-10\n\ntake 2",
         "Status: ready\nOwner: ann@x.test\nDue: 2026-03-10\n\ntake 2");
  check ("From: Paris\nTo: Berlin\nDate: Monday\n\ntake 4",
         "From: Paris\nTo: Berlin\nDate: Monday\n\ntake 4");
  check ("take 2\ntask: Write docs\nDue: 2026-03-10 10:00\nOwner: alice@x.test\nStatus: open",
         "take 2\ntask: Write docs\nDue: 2026-03-10 10:00\nOwner: alice@x.test\nStatus: open");
  check ("take 4\nStatus: deployed\nETA: 10:00\nOwner: bob@x.test",
         "take 4\nStatus: deployed\nETA: 10:00\nOwner: bob@x.test");
  check ("See https://x.test/a\nhttps://x.test/b 2026 a@x.test\nhttp://x.test/c\n\ntake 4",
         "See https://x.test/a\nhttps://x.test/b 2026 a@x.test\nhttp://x.test/c\n\ntake 4");
  /* A mail that starts with its own header lines (no To) is not cut whole. */
  check ("Od: Jan <jan@x.test>\nWysłano: środa, 1 marca 2023 12:00\nTemat: Test\n\nCzesc",
         "Od: Jan <jan@x.test>\nWysłano: środa, 1 marca 2023 12:00\nTemat: Test\n\nCzesc");
}

static void
test_unknown_attributions (void)
{
  check_attribution ("Ann Lee <ann@x.test> wrote:");
  check_attribution ("Ann Lee (ann@x.test) wrote:");
  check_attribution ("ann via Tracker wrote:");
  check_attribution ("At 3/3/2026 10:12, you wrote:");
  check_attribution ("---- Ann Lee wrote ----");
  check_attribution ("2026-03-03 10:12 GMT+01:00 Ann Lee");
  check_attribution ("2026/3/3 Ann Lee <ann@x.test>");
  check_attribution ("Op 3 mrt. 2026, om 10:12 heeft Ann <a@x.test> het volgende geschreven:");
  check_attribution ("3 mar 2026 10:12 \"Ann\" <a@x.test> napisał(a):");
  check_attribution ("Posted by Ann on 3 March");
  /* Wrapped: a blank line inside, a lone "<", mailto:, a quoted "> wrote:". */
  check_attribution ("On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test>\n\nwrote:");
  check_attribution ("On Tue, 3 Mar 2026 at 10:12 Ann Lee\n<\nann@x.test> wrote:");
  check_attribution (
      "On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test\n<mailto:ann@x.test>> wrote:");
  check ("take 12\n\nOn Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test\n> wrote:\n\nold\ndone 7\n",
         "take 12");
  check ("take 12\n\n2026-03-03 10:12 GMT+01:00 Ann Lee <ann@x.test\n>:\n\nold\ndone 7\n",
         "take 12");
  check ("take 12\n\nOn Tue, 3 Mar 2026 at 10:12, Ann Lee <\nann@x.test> wrote:\n\nold\ndone 7\n",
         "take 12");
  /* Still prose: no date, address or "via". */
  check ("He wrote:\nthe plan is fine\ntake 3", "He wrote:\nthe plan is fine\ntake 3");
  check ("take 12\nAnn wrote:\nlater", "take 12\nAnn wrote:\nlater");
}

static void
test_separators_and_quote_prefixes (void)
{
  check ("take 2\n\n*---- Original Message ----*\nFrom: Ann\n\ndone 1", "take 2");
  check ("take 2\n\n----- Reply Message -----\nFrom: Ann\n\ndone 1", "take 2");
  check ("take 2\n\n-------- Antwort Nachricht --------\nVon: Ann\n\ndone 1", "take 2");
  check ("take 2\n\n------------------ 原始邮件 ------------------\n发件人: Ann\n\ndone 1",
         "take 2");
  check ("take 2\n\n| done 1\n| old note", "take 2");
  check ("take 2\n\nAB> done 1\nAB> old note\n", "take 2");
  check ("take 2\n\n| a | b |\n| 1 | 2 |", "take 2\n\n| a | b |\n| 1 | 2 |");
  check ("take 2\nA>B is true", "take 2\nA>B is true");
}

static void
test_signoffs (void)
{
  check ("take 2\n\nThanks,\nBob", "take 2");
  check ("take 2\n\n– Bob", "take 2");
  check ("take 2\n\nB.", "take 2");
  check ("take 2\n\nBob", "take 2");
  check ("take 2\n\nTalk soon,\n\nAnn Lee", "take 2\n\nTalk soon,");
  check ("take 2\n\nBob Stone\nOps lead, Example Ltd\n+44 20 7946 0000\nhttps://example.com",
         "take 2");
  check ("take 2\n\nSent from Mail for Windows", "take 2");
  check ("take 2\n\nSent from my Pixel", "take 2");
  check ("take 2\n\nEnviado desde mi Pixel", "take 2");
  check ("take 2\n\nVon meinem Pixel gesendet", "take 2");
  check ("take 2\n\nOdesláno z mého Pixelu", "take 2");
  check ("take 2\n\nPixel cihazımdan gönderildi", "take 2");
  /* Kept: a command is never a signature; "Thanks!" ends a sentence. */
  check ("take 2\n\nDone", "take 2\n\nDone");
  check ("Ship it today.\n\nThanks!", "Ship it today.\n\nThanks!");
  check ("take 2\n\nThanks,\nDone 1", "take 2\n\nThanks,\nDone 1");
  check ("Mir geht es gut.\n\nEva", "Mir geht es gut.\n\nEva");
}

static void
test_same_line_attribution (void)
{
  check ("ok, done 2 On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test> wrote:\n> take 5\n",
         "ok, done 2");
  check ("ok, done 2 On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test> wrote:\n\nold\ndone 1\n",
         "ok, done 2");
  check ("Come on Tuesday, I wrote: 10:00", "Come on Tuesday, I wrote: 10:00");
}

/* explain names every cut: its lines and its rule. */
static void
check_cuts (const char *body, const char *expected)
{
  g_autoptr (BatonVisible) visible = baton_visible_find (body);
  g_autoptr (GString) got = g_string_new (NULL);
  for (guint i = 0; i < visible->cuts->len; i++)
    {
      const BatonVisibleCut *cut = visible->cuts->pdata[i];
      g_string_append_printf (got, "%u-%u%s %s\n", cut->first_line, cut->last_line,
                              cut->to_end ? "+" : "", cut->rule);
    }
  g_assert_cmpstr (got->str, ==, expected);
  g_autofree char *text = baton_visible_text (body);
  g_assert_cmpstr (visible->text, ==, text);
}

static void
test_cuts_named (void)
{
  check_cuts ("take 2\n\nDe\u00a0: Ann <a@x.test>\nEnvoyé\u00a0: mardi 3 mars 2026 10:12\n"
              "À\u00a0: Team\nObjet\u00a0: deploy\n\ndone 1",
              "3-8+ header block (De/Envoyé/À/Objet)\n");
  check_cuts ("yes\n> a\n>\n> b\n\nno\n\n-- \nBob\n", "2-4 quoted\n8-9+ signature \"-- \"\n");
  check_cuts ("take 2\n\nThanks,\nBob", "3-4 sign-off\n");
  check_cuts ("take 2\n\nBob", "3-3 signature name\n");
  check_cuts ("ok\nOn Tue, 3 Mar 2026 at 10:12, Ann <a@x.test> wrote:\n> x\n\nno",
              "2-2 attribution before a quote\n3-3 quoted\n");
  check_cuts ("ok, done 2 On Tue, 3 Mar 2026, Ann <a@x.test> wrote:\nold",
              "1-1 the end of the line, attribution \"On Tue, 3 Mar 2026, Ann <a@x.test> wrote:\"\n"
              "2-2+ after the attribution at the end of line 1\n");
  check_cuts ("take 2 On Tue, 3 Mar 2026, Ann <a@x.test> wrote:\n> x\n"
              "take 3 On Wed, 4 Mar 2026, Ann <a@x.test> wrote:\n> y",
              "1-1 the end of the line, attribution \"On Tue, 3 Mar 2026, Ann <a@x.test> wrote:\"\n"
              "2-2 quoted\n"
              "3-3 the end of the line, attribution \"On Wed, 4 Mar 2026, Ann <a@x.test> wrote:\"\n"
              "4-4 quoted\n");
  /* Mail text in a rule has its control characters made spaces. */
  check_cuts ("take 2\n\n-----Original\x1bMessage-----\nx",
              "3-4+ separator \"-----Original Message-----\"\n");
  check_cuts ("take 2\n\n-----Original Message-----\nx",
              "3-4+ separator \"-----Original Message-----\"\n");
}

/* Linearity (issue 15): a mail is attacker-sized and its visible text is
 * found before the sender is checked. Each shape is timed at ~10 KB and
 * ~1 MB in this process; 100 times the input must not cost more than 300
 * times the time. CPU time, the least of several runs, so a loaded machine
 * does not fail it; a quadratic step costs 100 times more than allowed. */
static double
cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double
least_time (const char *body, int runs)
{
  double best = G_MAXDOUBLE;
  for (int r = 0; r < runs; r++)
    {
      double start = cpu_seconds ();
      g_free (baton_visible_text (body));
      best = MIN (best, cpu_seconds () - start);
    }
  return best;
}

/* A body of "take 2" and then @unit repeated to about @bytes bytes. */
static char *
repeated (const char *unit, gsize bytes)
{
  GString *body = g_string_new ("take 2\n\n");
  while (body->len < bytes)
    g_string_append (body, unit);
  return g_string_free (body, FALSE);
}

static void
check_linear (const char *name, const char *unit)
{
  g_autofree char *small = repeated (unit, 10 * 1024);
  g_autofree char *large = repeated (unit, 1024 * 1024);
  least_time (small, 1); /* patterns compiled, pages touched */
  double t_small = least_time (small, 9);
  double t_large = least_time (large, 3);
  /* Below the clock's useful resolution a ratio means nothing. */
  t_small = MAX (t_small, 20e-6);
  g_test_message ("%s: 10 KB %.6f s, 1 MB %.6f s, ratio %.0f", name, t_small, t_large,
                  t_large / t_small);
  if (t_large > 300 * t_small)
    g_test_fail_printf ("%s: 100x the input took %.0fx the time (%.6f s vs %.6f s)", name,
                        t_large / t_small, t_large, t_small);
}

static void
test_linear (void)
{
  check_linear ("alternating header lines", "From: a\nCc: b\n");
  check_linear ("header lines with an address", "From: a@example.com\nCc: b\n\n");
  check_linear ("trailing rule lines", "---\n");
  check_linear ("many attributions",
                "On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@example.com> wrote:\n> old\nnew\n");
  check_linear ("wrapped attributions", "On Tue, 3 Mar 2026 at 10:12, Ann\nLee\nsaid\n");
  check_linear ("quoted and unquoted alternating", "> quoted\nnew\n");
  check_linear ("long quoted lines and wraps",
                "> a quoted line long enough to be wrapped by a narrow client, so wra\npped\n");
  check_linear ("many sign-off lines", "Regards,\n");
  check_linear ("sign-off and name", "Thanks,\nBob\n");
  check_linear ("blank lines", "\n");
  check_linear ("colons", "a: b: c: d: e:\n");
  check_linear ("same-line attributions",
                "ok On Tue, 3 Mar 2026 at 10:12, Ann <a@x.test> wrote:\n> x\n");
  check_linear ("one-line headers", "From: a@x.test 10:12 b: c: d: e: f: g: h:\n> x\n");
  check_linear ("label lines", "Note: a\nStatus: b\nx\n");
  check_linear ("commands in header blocks", "done: a@x.test 10:12\n");
  check_linear ("commands then a name", "take 2\n");
  check_linear ("one huge line", "word ");
  check_linear ("one huge From line", "From: a@x.test b: ");
  check_linear ("one huge line of colons", "x:");
  check_linear ("one huge line of dashes", "-");
}

/* Lines the cheap tests before the patterns must leave to them: a first
 * letter that only folds to ASCII ("ſent"), words in other scripts, a
 * vertical tab that \\s skips, separators after stars and underscores; and
 * lines that look close but never matched ("\\x01Get Outlook", "İnicio").
 * The results are those of the patterns alone. */
static void
test_prefilters_leave_matches (void)
{
  check ("take 2\n\nſent from my phone\nold text", "take 2");
  check ("take 2\n\n\vSent from my iPhone\nold text", "take 2");
  check ("take 2\n\nОтправлено с iPhone\nold text", "take 2");
  check ("take 2\n\niPhoneから送信\nold text", "take 2");
  check ("take 2\n\nSamsung cihazımdan gönderildi\nold text", "take 2");
  check ("take 2\n\n*_Begin forwarded message:\nold text", "take 2");
  check ("take 2\n\nDÉBUT DU MESSAGE RÉEXPÉDIÉ :\nold text", "take 2");
  check ("take 2\n\n\x01Get Outlook for iOS\nold text",
         "take 2\n\n\x01Get Outlook for iOS\nold text");
  check ("take 2\n\nİnicio del mensaje reenviado:\nold text",
         "take 2\n\nİnicio del mensaje reenviado:\nold text");
  check ("take 2\nBob wrote :\n> old text", "take 2");
  check ("take 2\nBob wrote: \n> old text", "take 2");
  check ("done 3\n\nС уважением,\nАнна", "done 3");
  check ("done 3\n\nСпасибо,\nАнна", "done 3");
  check ("done 3\n\nVon: Ann <ann@x.test>\nGesendet: Dienstag, 3. März 2026 10:12\nAn: Team\n"
         "Betreff: Plan\n\nold text",
         "done 3");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/visible/same-after-jit", test_same_after_jit);
  g_test_add_func ("/visible/attributions", test_attributions);
  g_test_add_func ("/visible/wrote-in-prose", test_wrote_in_prose_stays);
  g_test_add_func ("/visible/outlook", test_outlook);
  g_test_add_func ("/visible/forwarded", test_forwarded);
  g_test_add_func ("/visible/signatures", test_signatures);
  g_test_add_func ("/visible/footers", test_footers);
  g_test_add_func ("/visible/quotes", test_quotes);
  g_test_add_func ("/visible/formatting", test_formatting_kept);
  g_test_add_func ("/visible/line-ends", test_line_ends);
  g_test_add_func ("/visible/empty", test_empty_and_odd);
  g_test_add_func ("/visible/random", test_random);
  g_test_add_func ("/visible/header-blocks", test_header_blocks_any_language);
  g_test_add_func ("/visible/unknown-attributions", test_unknown_attributions);
  g_test_add_func ("/visible/separators-quote-prefixes", test_separators_and_quote_prefixes);
  g_test_add_func ("/visible/signoffs", test_signoffs);
  g_test_add_func ("/visible/same-line", test_same_line_attribution);
  g_test_add_func ("/visible/cuts", test_cuts_named);
  g_test_add_func ("/visible/linear", test_linear);
  g_test_add_func ("/visible/prefilters-leave-matches", test_prefilters_leave_matches);
  return g_test_run ();
}
