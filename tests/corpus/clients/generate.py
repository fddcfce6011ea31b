#!/usr/bin/python3
"""Writes cases/*.eml: one reply per mail client, language and line shape.

Every mail is from Bob Stone, a team member, replying to a message baton
never saw (its In-Reply-To names no message baton knows), so only the
line-shape rules can find the old part. Each has "take 2" (or a same-line
variant of it) as its new text and, in the old part, "done 1: …" with a
note naming the staging server: tests/shell/clients-corpus.t checks that
take 2 applies and nothing of the old part acts or shows in the log.

All names, addresses and texts are made up for this project.
Run from this folder: ./generate.py (rewrites cases/).
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cases")

OLD = "Hi team,\n\ndone 1: the login fix is live on staging-7\nPlease read the release notes before Friday.\n\nAnn"
NEW = "take 2"
SIGN = "\n\nThanks,\nBob"


def quoted(text, prefix="> "):
    return "\n".join((prefix + line).rstrip() for line in text.split("\n"))


# Outlook's reply header in each language: From, Sent, To, Subject and the
# date as that Outlook writes it. "\u00a0" and "\u202f" are the no-break
# spaces French Outlook puts before a colon.
OUTLOOK = [
    ("en", "From", "Sent", "To", "Subject", "Tuesday, March 3, 2026 10:12 AM"),
    ("fr", "De\u00a0", "Envoyé\u00a0", "À\u00a0", "Objet\u00a0", "mardi 3 mars 2026 10:12"),
    ("fr-narrow", "De\u202f", "Envoyé\u202f", "À\u202f", "Objet\u202f", "mardi 3 mars 2026 10:12"),
    ("de", "Von", "Gesendet", "An", "Betreff", "Dienstag, 3. März 2026 10:12"),
    ("es", "De", "Enviado el", "Para", "Asunto", "martes, 3 de marzo de 2026 10:12"),
    ("it", "Da", "Inviato", "A", "Oggetto", "martedì 3 marzo 2026 10:12"),
    ("nl", "Van", "Verzonden", "Aan", "Onderwerp", "dinsdag 3 maart 2026 10:12"),
    ("pt-BR", "De", "Enviada em", "Para", "Assunto", "terça-feira, 3 de março de 2026 10:12"),
    ("pt-PT", "De", "Enviado", "Para", "Assunto", "3 de março de 2026 10:12"),
    ("pl", "Od", "Wysłane", "Do", "Temat", "wtorek, 3 marca 2026 10:12"),
    ("tr", "Kimden", "Gönderildi", "Kime", "Konu", "3 Mart 2026 Salı 10:12"),
    ("cs", "Od", "Odesláno", "Komu", "Předmět", "úterý 3. března 2026 10:12"),
    ("sk", "Od", "Odoslané", "Komu", "Predmet", "utorok 3. marca 2026 10:12"),
    ("hu", "Feladó", "Elküldve", "Címzett", "Tárgy", "2026. március 3., kedd 10:12"),
    ("zh-TW", "寄件者", "寄件日期", "收件者", "主旨", "2026年3月3日 上午 10:12"),
    ("zh-CN", "发件人", "发送时间", "收件人", "主题", "2026年3月3日 10:12"),
    ("ja", "差出人", "送信日時", "宛先", "件名", "2026年3月3日 10:12"),
    ("ko", "보낸 사람", "보낸 날짜", "받는 사람", "제목", "2026년 3월 3일 화요일 오전 10:12"),
    ("uk", "Від", "Надіслано", "Кому", "Тема", "3 березня 2026 р. 10:12"),
    ("ru", "От", "Отправлено", "Кому", "Тема", "3 марта 2026 г. 10:12"),
    ("sv", "Från", "Skickat", "Till", "Ämne", "den 3 mars 2026 10:12"),
    ("da", "Fra", "Sendt", "Til", "Emne", "3. marts 2026 10:12"),
    ("nb", "Fra", "Sendt", "Til", "Emne", "tirsdag 3. mars 2026 10:12"),
    ("fi", "Lähettäjä", "Lähetetty", "Vastaanottaja", "Aihe", "tiistai 3. maaliskuuta 2026 10.12"),
    ("el", "Από", "Στάλθηκε", "Προς", "Θέμα", "Τρίτη, 3 Μαρτίου 2026 10:12 πμ"),
    ("ro", "De la", "Trimis", "Către", "Subiect", "marți, 3 martie 2026 10:12"),
]


def outlook_block(lang, style):
    _, f, s, t, subj, date = lang
    block = (f"{f}: Ann Lee <ann@x.test>\n{s}: {date}\n{t}: Team <team@example.com>\n"
             f"{subj}: Release plan")
    if style == "desktop":
        return "________________________________\n" + block
    if style == "mac":  # Outlook for Mac: the date field is its "Sent"
        return block
    return block


def cases():
    out = []
    # Outlook in every language: web (no rule above the block), desktop
    # (an underscore rule above), with the sign-off that Outlook users type.
    for i, lang in enumerate(OUTLOOK):
        style = "desktop" if i % 3 == 0 else "web"
        out.append((f"outlook-{style}-{lang[0]}", f"Outlook {style}, {lang[0]}",
                    NEW + SIGN + "\n\n" + outlook_block(lang, style) + "\n\n" + OLD))
    # Outlook for Mac names the date field "Date" in its language.
    mac = [
        ("en", "From", "Date", "To", "Subject", "Tuesday, 3 March 2026 at 10:12"),
        ("de", "Von", "Datum", "An", "Betreff", "Dienstag, 3. März 2026 um 10:12"),
        ("fr", "De", "Date", "À", "Objet", "mardi 3 mars 2026 à 10:12"),
        ("es", "De", "Fecha", "Para", "Asunto", "martes, 3 de marzo de 2026, 10:12"),
        ("it", "Da", "Data", "A", "Oggetto", "martedì, 3 marzo 2026 10:12"),
        ("nl", "Van", "Datum", "Aan", "Onderwerp", "dinsdag 3 maart 2026 om 10:12"),
    ]
    for m in mac:
        code, f, d, t, j, date = m
        out.append((f"outlook-mac-{code}", f"Outlook for Mac, {code}",
                    NEW + SIGN + f"\n\n{f}: Ann Lee <ann@x.test>\n{d}: {date}\n"
                    f"{t}: Team <team@example.com>\n{j}: Release plan\n\n" + OLD))
    out.append(("outlook-original-message", "Outlook, -----Original Message-----",
                NEW + "\n\n-----Original Message-----\nFrom: Ann Lee [mailto:ann@x.test]\n"
                "Sent: Tuesday, March 3, 2026 10:12 AM\nTo: Team\nSubject: Release plan\n\n" + OLD))
    # Header blocks of unusual shape.
    shapes = {
        "unknown-field-reply-to": "From: Ann Lee <ann@x.test>\nReply-To: releases@x.test\n"
        "Sent: Tuesday, March 3, 2026 10:12 AM\nTo: Team\nSubject: Release plan",
        "unknown-field-cc-first": "Cc: Carol <carol@x.test>\nFrom: Ann Lee <ann@x.test>\n"
        "Sent: Tuesday, March 3, 2026 10:12 AM\nTo: Team\nSubject: Release plan",
        "unknown-field-fr": "De : Ann Lee <ann@x.test>\nRépondre à : releases@x.test\n"
        "Envoyé : mardi 3 mars 2026 10:12\nÀ : Team\nObjet : Release plan",
        "unknown-field-expediteur": "Expéditeur : Ann Lee <ann@x.test>\nDate : 3 mars 2026 10:12\n"
        "Destinataire : Team\nObjet : Release plan",
        "two-fields": "From: ann@x.test\nDate: Tue, 3 Mar 2026 10:12 +0100",
        "no-address-no-subject": "От: Иван Петров\nОтправлено: вт, 3 марта 2026 г. 10:12\nКому: Команда",
        "bold-wrapped": "*From:* Ann Lee [mailto:\nann@x.test]\n*Sent:* Tuesday, March 3, 2026 10:12 AM\n"
        "*To:* Team\n*Subject:* Release plan",
        "one-line": "From: Ann Lee <ann@x.test> Sent: Tuesday, March 3, 2026 10:12 AM To: Team "
        "Subject: Re: Release plan",
        "spaced-fields": "From: Ann Lee <ann@x.test>\n\nSent: Tuesday, March 3, 2026 10:12 AM\n\n"
        "To: Team\n\nSubject: Release plan",
    }
    for name, block in shapes.items():
        out.append((f"header-{name}", f"header block: {name}", NEW + "\n\n" + block + "\n\n" + OLD))
    # Attributions followed by the old text unquoted.
    attributions = {
        "address-no-date": "Ann Lee <ann@x.test> wrote:",
        "parenthesised": "Ann Lee (ann@x.test) wrote:",
        "via": "ann via Tracker wrote:",
        "eudora": "At 3/3/2026 10:12, you wrote:",
        "android-dashes": "---- Ann Lee wrote ----",
        "gmail-no-address": "2026-03-03 10:12 GMT+01:00 Ann Lee",
        "date-no-time": "2026/3/3 Ann Lee <ann@x.test>",
        "dutch": "Op 3 mrt. 2026, om 10:12 heeft Ann <a@x.test> het volgende geschreven:",
        "polish-date-first": "3 mar 2026 10:12 \"Ann\" <a@x.test> napisał(a):",
        "posted-by": "Posted by Ann on 3 March",
        "wrapped-blank": "On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test>\n\nwrote:",
        "wrapped-lone-bracket": "On Tue, 3 Mar 2026 at 10:12 Ann Lee\n<\nann@x.test> wrote:",
        "wrapped-mailto": "On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test\n<mailto:ann@x.test>> wrote:",
        "wrapped-quoted-wrote": "On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test\n> wrote:",
        "wrapped-quoted-colon": "2026-03-03 10:12 GMT+01:00 Ann Lee <ann@x.test\n>:",
        "wrapped-after-bracket": "On Tue, 3 Mar 2026 at 10:12, Ann Lee <\nann@x.test> wrote:",
    }
    for name, line in attributions.items():
        out.append((f"attribution-{name}", f"attribution: {name}", NEW + "\n\n" + line + "\n\n" + OLD))
    # Separators.
    separators = {
        "decorated": "*---- Original Message ----*",
        "reply-message": "----- Reply Message -----",
        "antwort-nachricht": "-------- Antwort Nachricht --------",
        "chinese": "------------------ 原始邮件 ------------------",
    }
    for name, line in separators.items():
        out.append((f"separator-{name}", f"separator: {name}",
                    NEW + "\n\n" + line + "\nFrom: Ann Lee\n\n" + OLD))
    # Quote prefixes other than ">".
    out.append(("quote-bar", "quoted with '| '", NEW + "\n\n" + quoted(OLD, "| ")))
    out.append(("quote-initials", "quoted with initials", NEW + "\n\n" + quoted(OLD, "AL> ")))
    # Signatures without "-- ", then a quote so only the signature is at stake.
    signatures = {
        "thanks-name": "Thanks,\nBob",
        "dash-name": "– Bob",
        "initial": "B.",
        "bare-name": "Bob",
        "block": "Bob Stone\nOps lead, Example Ltd\n+44 20 7946 0000\nhttps://example.com",
        "mail-for-windows": "Sent from Mail for Windows",
        "pixel": "Sent from my Pixel",
        "pixel-es": "Enviado desde mi Pixel",
        "pixel-de": "Von meinem Pixel gesendet",
        "pixel-fr": "Envoyé de mon Pixel",
        "pixel-pl": "Wysłane z mojego Pixel",
    }
    for name, sig in signatures.items():
        out.append((f"signature-{name}", f"signature: {name}",
                    NEW + "\n\n" + sig + "\n\nOn Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test> wrote:\n"
                    + quoted(OLD)))
    # A reply written on the attribution's line.
    out.append(("same-line-quoted", "same-line attribution, quote below",
                NEW + " On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test> wrote:\n" + quoted(OLD)))
    out.append(("same-line-unquoted", "same-line attribution, old text unquoted",
                NEW + " On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test> wrote:\n\n" + OLD))
    # The clients' own reply formats, plain text.
    clients = {
        "gmail": "On Tue, 3 Mar 2026 at 10:12, Ann Lee <ann@x.test> wrote:\n\n" + quoted(OLD),
        "apple-mail": "> On 3 Mar 2026, at 10:12, Ann Lee <ann@x.test> wrote:\n>\n" + quoted(OLD),
        "ios": "Sent from my iPhone\n\n> On 3 Mar 2026, at 10:12, Ann Lee <ann@x.test> wrote:\n>\n"
        + quoted(OLD),
        "thunderbird": "On 03/03/2026 10:12, Ann Lee wrote:\n" + quoted(OLD),
        "mutt": "On Tue, Mar 03, 2026 at 10:12:00AM +0100, Ann Lee wrote:\n" + quoted(OLD),
        "android-gmail": "On Tue, 3 Mar 2026, 10:12 Ann Lee, <ann@x.test> wrote:\n\n" + quoted(OLD),
        "android-samsung": "Sent from my Galaxy\n\n\n-------- Original message --------\n"
        "From: Ann Lee <ann@x.test>\nDate: 03/03/2026 10:12 (GMT+01:00)\nTo: Team <team@example.com>\n"
        "Subject: Release plan\n\n" + OLD,
        "yahoo": "On Tuesday, March 3, 2026, 10:12:00 AM GMT+1, Ann Lee <ann@x.test> wrote:\n\n\n" + OLD,
        "yahoo-reply-message": "Sent from Yahoo Mail on Android\n\n----- Reply Message -----\n"
        "From: \"Ann Lee\" <ann@x.test>\nTo: \"Team\" <team@example.com>\nSent: Tue, Mar 3, 2026 at 10:12\n"
        "Subject: Release plan\n\n" + OLD,
    }
    for name, tail in clients.items():
        out.append((f"client-{name}", f"{name}, plain text", NEW + "\n\n" + tail))
    return out


def html_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_lines(text):
    return "<br>\n".join(html_escape(line) for line in text.split("\n"))


def html_cases():
    old_html = html_lines(OLD)
    new = f"<div>{NEW}</div>\n<div><br></div>\n"
    outlook = ("<div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri, sans-serif\" style=\"font-size:11pt\">"
               "<b>{f}:</b> Ann Lee &lt;ann@x.test&gt;<br>\n<b>{s}:</b> {d}<br>\n"
               "<b>{t}:</b> Team &lt;team@example.com&gt;<br>\n<b>{j}:</b> Release plan</font>"
               "<div>&nbsp;</div></div>\n<div>" + old_html + "</div>\n")
    out = []
    for lang in OUTLOOK[:6]:
        _, f, s, t, j, d = lang
        body = (new + "<hr style=\"display:inline-block;width:98%\" tabindex=\"-1\">\n"
                + outlook.format(f=html_escape(f), s=html_escape(s), t=html_escape(t), j=html_escape(j),
                                 d=html_escape(d)))
        out.append((f"html-outlook-{lang[0]}", f"Outlook HTML only, {lang[0]}", body))
    out.append(("html-gmail", "Gmail HTML only", new +
                "<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Tue, 3 Mar 2026 at 10:12, "
                "Ann Lee &lt;<a href=\"mailto:ann@x.test\">ann@x.test</a>&gt; wrote:<br></div>"
                "<blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid "
                "rgb(204,204,204);padding-left:1ex\">" + old_html + "</blockquote></div>\n"))
    out.append(("html-apple-mail", "Apple Mail HTML only", new +
                "<div><br><blockquote type=\"cite\"><div>On 3 Mar 2026, at 10:12, Ann Lee &lt;"
                "<a href=\"mailto:ann@x.test\">ann@x.test</a>&gt; wrote:</div><br>"
                "<div>" + old_html + "</div></blockquote></div>\n"))
    out.append(("html-yahoo", "Yahoo HTML only", new +
                "<div class=\"yahoo_quoted\"><div>On Tuesday, March 3, 2026, 10:12:00 AM GMT+1, Ann Lee "
                "&lt;ann@x.test&gt; wrote:</div><div><br></div><div>" + old_html + "</div></div>\n"))
    out.append(("html-thunderbird", "Thunderbird HTML only", new +
                "<div class=\"moz-cite-prefix\">On 03/03/2026 10:12, Ann Lee wrote:<br></div>"
                "<blockquote type=\"cite\">" + old_html + "</blockquote>\n"))
    out.append(("html-ios", "iOS Mail HTML only", "<div dir=\"ltr\">" + NEW + "</div><div dir=\"ltr\"><br>"
                "<blockquote type=\"cite\">On 3 Mar 2026, at 10:12, Ann Lee &lt;ann@x.test&gt; wrote:<br><br></blockquote>"
                "</div><blockquote type=\"cite\"><div dir=\"ltr\">" + old_html + "</div></blockquote>\n"
                "<div dir=\"ltr\">Sent from my iPhone</div>\n"))
    out.append(("html-android-gmail", "Gmail for Android HTML only", "<div dir=\"auto\">" + NEW + "</div><br>"
                "<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Tue, 3 Mar 2026, 10:12 "
                "Ann Lee, &lt;<a href=\"mailto:ann@x.test\">ann@x.test</a>&gt; wrote:<br></div><blockquote "
                "class=\"gmail_quote\" style=\"margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex\">"
                + old_html + "</blockquote></div>\n"))
    out.append(("html-outlook-one-line", "Outlook web HTML, fields on one line after <hr>", new +
                "<hr><div><b>From:</b> Ann Lee &lt;ann@x.test&gt; <b>Sent:</b> Tuesday, March 3, 2026 "
                "10:12 AM <b>To:</b> Team <b>Subject:</b> Re: Release plan</div><div>" + old_html + "</div>\n"))
    return out


def write(name, description, body, html):
    kind = "text/html" if html else "text/plain"
    if html:
        body = "<html><head><meta charset=\"utf-8\"></head><body>\n" + body + "</body></html>"
    mail = (
        "From: Bob Stone <bob@example.com>\n"
        "To: Team <team@example.com>\n"
        "Subject: RE: Release plan\n"
        f"Message-ID: <{name}@clients.example.com>\n"
        "In-Reply-To: <never-seen-by-baton@x.test>\n"
        "Date: Tue, 03 Mar 2026 11:30:00 +0100\n"
        f"X-Case: {description}\n"
        "MIME-Version: 1.0\n"
        f"Content-Type: {kind}; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n" + body + "\n"
    )
    with open(os.path.join(OUT, name + ".eml"), "w", encoding="utf-8") as f:
        f.write(mail)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    for name, description, body in cases():
        write(name, description, body, False)
    for name, description, body in html_cases():
        write(name, description, body, True)


if __name__ == "__main__":
    main()
