#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 11, whole program: what the sender meant is what happens. The forms
# people type act, a near miss is reported back, prose after "done" closes
# the task with it as the note, "it" is the task in context, auto-replies
# never act, and a plus-address acts only for the mail written to it.
. "$(dirname "$0")/../lib.sh"
plan 35
write_config
export BATON_NOW=2026-03-09T17:05:00Z
outcome () { db "select outcome || coalesce(':' || reason, '') from messages where message_id='$1'"; }
report () { db "select coalesce(report, '') from messages where message_id='$1'"; }
replies_to () { db "select count(*) from outbox where kind='reply' and recipient='$1'"; }
# reply_to_notice FROM NOTICE-ID MESSAGE-ID BODY [HEADER...]: a reply threaded on baton's notice.
reply_to_notice () {
  local from=$1 notice=$2 id=$3 body=$4; shift 4
  mail "$from" "Re: your task" "$id" "$body" "In-Reply-To: <$notice>" "References: <$notice>" "$@"
}

mail "Alice Martin <alice@example.com>" "Plan" plan@a 'task: Deploy to staging
task: Write the guide
task: Fix the login
task: Rotate the keys
task: Update the wiki
handoff 2 to bob: needs the staging deploy' | baton ingest
notice2=$(db "select message_id from outbox where kind='handoff' and task=2")
like "the handoff notice about #2 is queued" "$notice2" "@"

# done, a blank line, prose: the prose is the done's note, nothing fails.
reply_to_notice "Bob Stone <bob@example.com>" "$notice2" done-prose@b 'done

Deployed, all green.

On Mon, 9 Mar 2026, baton wrote:
> handoff 2 to bob' | baton ingest
is "'done' then prose in a reply to the notice closes #2" "$(task_field 2 state)" "done"
is "with the prose as the done's note" \
  "$(db "select note from events where task=2 and kind='done'")" "Deployed, all green."
is "and nothing else: no note after it" "$(db "select count(*) from events where task=2 and kind='note'")" 0
is "the mail is applied, every line" "$(outcome done-prose@b)" "applied"
is "and bob gets no error mail" "$(replies_to bob@example.com)" 0

# done with a note, then more prose about the closed task: a note, no error.
db "insert into threads values ('notice-3@team.example.com', 3)"
reply_to_notice "Alice Martin <alice@example.com>" notice-3@team.example.com done-more@a 'Done: fixed the cookie path.

The old sessions expire tonight.' | baton ingest
is "'Done:' with a note closes #3" "$(task_field 3 state)" "done"
is "prose after it is a note on the task it closed" \
  "$(db "select note from events where task=3 and kind='note'")" "The old sessions expire tonight."
is "no 'already done' error for it" "$(outcome done-more@a)/$(replies_to alice@example.com)" "applied/0"

# "take it" in a reply to a notice about the task.
mail "Bob Stone <bob@example.com>" "mine" take4@b 'take 4' | baton ingest
mail "Alice Martin <alice@example.com>" "also mine" take4@a 'take 4' | baton ingest
taken=$(db "select message_id from outbox where kind='taken' and task=4 and recipient='bob@example.com'")
like "bob is told alice took #4" "$taken" "@"
reply_to_notice "Bob Stone <bob@example.com>" "$taken" take-it@b 'Take it.' | baton ingest
is "'Take it.' in a reply to the notice about #4 takes #4" "$(task_field 4 owner)" "bob"
like "explain says the line acted on #4" "$(report take-it@b)" "ok line 1: Take it\.: .*#4"

# "it" right after a task in the same mail is that task.
mail "Alice Martin <alice@example.com>" "new" it-new@a 'task: Renew the certificate
take it' | baton ingest
is "'take it' after 'task:' takes the new task" "$(task_field 6 owner)" "alice"

# Forms people type, in plain mail: punctuation, glued number, no-break space,
# a byte order mark and a zero-width space before the keyword.
printf 'From: Bob Stone <bob@example.com>\nTo: team@example.com\nSubject: forms\nMessage-ID: <forms@b>\n\ntake5\n\xef\xbb\xbf\xe2\x80\x8bdone\xc2\xa05, thanks\n' | baton ingest
is "'take5' takes #5" "$(db "select count(*) from events where task=5 and kind='taken' and who='bob'")" 1
is "BOM + ZWSP + 'done<NBSP>5, thanks' closes #5 with its note" \
  "$(task_field 5 state)/$(db "select note from events where task=5 and kind='done'")" "done/thanks"
mail "Alice Martin <alice@example.com>" "Re: [#1] Deploy to staging" hand@a 'hand off 1 to bob: over to you' | baton ingest
is "'hand off 1 to bob' hands #1 to bob" "$(task_field 1 owner)" "bob"

# A near miss is reported back with the form to use, never filed as an update.
mail "Alice Martin <alice@example.com>" "typo" typo@a 'tkae 6' | baton ingest
like "'tkae 6' fails with the form to use" "$(report typo@a)" "FAILED line 1: tkae 6: .tkae. is not a command: write .take 6."
is "and is no update" "$(db "select count(*) from events where note like 'tkae%'")" 0
like "the sender is told" "$(db "select cast(mime as text) from outbox where kind='reply' and recipient='alice@example.com'")" "write .take 6."
mail "Alice Martin <alice@example.com>" "prose" prose@a 'Node 5: down since 3am, Take a look at the deploy.
Notes: the build failed twice.' | baton ingest
is "prose that looks like a near miss is an update" "$(outcome prose@a)/$(db "select kind from events where note like 'Node 5%'")" "applied/update"

# Machine mail that is not marked Auto-Submitted.
oof () {
  local id=$1 subject=$2; shift 2
  printf 'From: Bob Stone <bob@example.com>\nTo: team@example.com\nSubject: %s\nMessage-ID: <%s>\nDate: Mon, 09 Mar 2026 18:06:00 +0100\n' "$subject" "$id"
  local header
  for header in "$@"; do printf '%s\n' "$header"; done
  printf '\nI am out of the office until Monday 16 March.\n\nNote: for anything urgent, contact Alice.\nDone.\n'
}
oof oof@b 'Automatic reply: [#1] Deploy to staging' 'X-Auto-Response-Suppress: All' 'Thread-Topic: Deploy to staging' | baton ingest
like "an Exchange out-of-office (subject + X-Auto-Response-Suppress) is ignored" "$(outcome oof@b)" "^ignored:machine mail: auto-reply subject"
is "it adds no note, closes nothing, and gets no reply" \
  "$(db "select count(*) from events where task=1 and kind in ('note','done')")/$(task_field 1 state)/$(replies_to bob@example.com)" "0/taken/0"
oof oof-de@b '=?UTF-8?Q?Automatische_Antwort:_[#1]?=' 'X-Auto-Response-Suppress: DR, OOF, AutoReply' | baton ingest
like "German Exchange subject, encoded" "$(outcome oof-de@b)" "^ignored"
oof oof-fr@b '=?UTF-8?Q?R=C3=A9ponse_automatique=C2=A0:_Deploy?=' 'X-Auto-Response-Suppress: All' | baton ingest
like "French, with a no-break space before the colon" "$(outcome oof-fr@b)" "^ignored"
oof rules@b 'Re: Deploy' 'X-MS-Exchange-Inbox-Rules-Loop: bob@example.com' | baton ingest
like "mail sent by an Exchange inbox rule is ignored" "$(outcome rules@b)" "^ignored:.*Inbox-Rules-Loop"
oof xprec@b 'Away' 'X-Precedence: auto_reply' | baton ingest
like "X-Precedence: auto_reply is ignored" "$(outcome xprec@b)" "^ignored:.*auto_reply"
oof list@b 'Deploy' 'List-Id: <ops.lists.example.com>' | baton ingest
like "a mailing list's copy (List-Id) is ignored" "$(outcome list@b)" "^ignored:.*List-Id"
oof unsub@b 'News' 'List-Unsubscribe: <mailto:leave@example.com>' | baton ingest
like "List-Unsubscribe marks list software" "$(outcome unsub@b)" "^ignored:.*List-Unsubscribe"
# Each language's prefix, with X-Auto-Response-Suppress naming OOF or All.
n=0 wrong=
while IFS='|' read -r subject suppress want; do
  n=$((n + 1))
  oof "lang$n@b" "$subject" "X-Auto-Response-Suppress: $suppress" | baton ingest
  got=$(outcome "lang$n@b"); got=${got%%:*}
  [ "$got" = ignored ] || got=acted
  [ "$got" = "$want" ] || wrong="$wrong ['$subject' + '$suppress': $got, expected $want]"
done <<'CASES'
Out of Office: Deploy|OOF|ignored
Out of Office AutoReply: Deploy|All|ignored
AUTOMATIC REPLY: Deploy|oof, dr|ignored
=?UTF-8?B?QWJ3ZXNlbmhlaXRzbm90aXo6IERlcGxveQ==?=|All|ignored
=?UTF-8?Q?Respuesta_autom=C3=A1tica:_Deploy?=|All|ignored
=?UTF-8?B?6Ieq5YuV5Zue6KaG77yaIERlcGxveQ==?=|All|ignored
Auto: Deploy|All|ignored
Automatically generated: Deploy|All|acted
Re: Automatic reply: Deploy|All|acted
Automatic reply: Deploy|DR, NDR, RN|acted
Automatic reply: Deploy|None|acted
CASES
is "11 subject and X-Auto-Response-Suppress pairs: each as expected" "$n:${wrong:- none}" "11: none"
# Outlook sets X-Auto-Response-Suppress on ordinary mail too; a person may
# write "Out of office:" in a subject. Either alone is a person's mail.
mail "Bob Stone <bob@example.com>" "Re: [#1] Deploy to staging" human@b 'Done.' "X-Auto-Response-Suppress: All" | baton ingest
is "X-Auto-Response-Suppress with an ordinary subject acts" "$(outcome human@b)/$(task_field 1 state)" "applied/done"
mail "Alice Martin <alice@example.com>" "Out of office: Friday" away@a 'I am away on Friday.' | baton ingest
is "an 'Out of office:' subject without the header acts" "$(outcome away@a)" "applied"

# Reply-all carries a plus-address along; only the mail written to it acts.
mail "Alice Martin <alice@example.com>" "key rotation" k@a 'task: Rotate the staging keys' | baton ingest
printf 'From: Alice Martin <alice@example.com>\nTo: team+take-7@example.com\nCc: bob@example.com\nSubject: mine\nMessage-ID: <plus7@a>\nDelivered-To: team+take-7@example.com\n\nI will do it today.\n' | baton ingest
is "a new mail to team+take-7@ takes #7" "$(task_field 7 owner)" "alice"
before=$(replies_to bob@example.com)
printf 'From: Bob Stone <bob@example.com>\nTo: Alice Martin <alice@example.com>\nCc: team+take-7@example.com\nSubject: Re: mine\nMessage-ID: <replyall@b>\nIn-Reply-To: <plus7@a>\nReferences: <plus7@a>\nDelivered-To: team+take-7@example.com\nX-Original-To: team+take-7@example.com\n\nGreat, thanks!\n\nOn Mon, Alice wrote:\n> I will do it today.\n' | baton ingest
is "bob's reply-all carrying team+take-7@ does not take #7 from alice" "$(task_field 7 owner)" "alice"
is "it is filed as bob's words, nothing failed" "$(outcome replyall@b)/$(($(replies_to bob@example.com) - before))" "applied/0"
printf 'From: Bob Stone <bob@example.com>\nTo: team+take-7@example.com\nSubject: take 7\nMessage-ID: <plus7@b>\n\n' | baton ingest
is "bob's own new mail to team+take-7@ does" "$(task_field 7 owner)" "bob"
