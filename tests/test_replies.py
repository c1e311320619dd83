"""Has the employer answered? Every labelled message, return dates, employer matching and effects."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import DATA, ME, message
from interview_followup import mail
from interview_followup.model import Answer, Event, InboundMessage, Interview, Invite, Person, Returned
from interview_followup.replies import Classification, MessageKind, classify, judge, match, suggested_outcome
from interview_followup.returns import Absence, absence, return_date

UTC = timezone.utc
START = datetime(2026, 11, 17, 18, tzinfo=UTC)
MAIL = DATA / "mail"
LABELS = [line.split("\t") for line in (MAIL / "labels.tsv").read_text().splitlines()[1:]]
KNOWN_LIMITS = {
    "flanker/spam-broken-headers.eml": "spam with no header signal: filtering spam is the mail provider's job",
    "mikel-mail/raw_email_with_bad_date.eml": "spam with no header signal",
    "mikel-mail/raw_email_incorrect_header.eml": "spam with no header signal",
    "rspamd/advance_fee_fraud.eml": "spam written to look personal",
    "spamassassin/spam-004-vacation-winning.eml": "spam with no header signal",
    "node-bounce-handler/fbl-hotmail.eml": "an abuse report sent as plain multipart/mixed",
    "Mail-DeliveryStatus-BounceParser/boxbe-challenge.eml": "a challenge sent as a delivery report: bounce, not auto_reply",
}


def load(name: str) -> InboundMessage:
    raw = (MAIL / name).read_bytes()
    if name.startswith("email-reply-parser/"):  # bodies without headers, as a person wrote them
        raw = b"From: Jane <jane@acme.com>\nSubject: Re: Thank you\n\n" + raw
    return mail.parse(raw, name, START)


def labelled(name: str, kind: str, back: str) -> object:
    reason = KNOWN_LIMITS.get(name)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(name, kind, back, marks=marks, id=name)


@pytest.mark.parametrize(("name", "kind", "back"), [labelled(n, k, b) for n, k, b, _ in LABELS])
def test_every_labelled_message_gets_its_kind_and_return_date(name: str, kind: str, back: str) -> None:
    verdict = classify(load(name), [ME])
    assert (verdict.kind.value, str(verdict.return_date or "")) == (kind, back), verdict.reasons


def test_the_labelled_collection_covers_every_kind_and_language() -> None:
    kinds = {kind for _, kind, _, _ in LABELS}
    assert kinds == {k.value for k in MessageKind}
    for language in ("de", "fr", "es", "nl", "pt", "it", "sv"):
        for family in ("ooo", "ndr", "receipt", "accepted", "human"):
            assert (MAIL / f"ours/{family}-{language}.eml").exists(), (family, language)


def incoming(subject: str, body: str = "Hello", headers: str = "", sender: str = "Jane <jane@acme.com>") -> InboundMessage:
    return mail.parse(message(sender, subject, body, headers, received=START + timedelta(days=1)), "k", START)


@pytest.mark.parametrize(
    ("subject", "headers", "body", "kind"),
    [
        ("Re: Thank you", "X-Auto-Response-Suppress: All\n", "Thanks Sam, talk soon.", MessageKind.HUMAN),
        ("Re: Thank you", "Auto-Submitted: no\n", "Thanks Sam, talk soon.", MessageKind.HUMAN),
        ("Re: Thank you", "X-MS-Exchange-Inbox-Rules-Loop: jane@acme.com\n", "Forwarded by a rule.", MessageKind.AUTO_REPLY),
        ("Re: Thank you", "Precedence: auto_reply\n", "x", MessageKind.AUTO_REPLY),
        ("Re: Thank you", "Return-Path: <>\n", "Thank you for your e-mail.", MessageKind.AUTO_REPLY),
        ("Undeliverable: Thank you", "X-MS-Exchange-Message-Is-Ndr: \n", "x", MessageKind.BOUNCE),
        ("Your Vacation Winning!", "", "Claim now", MessageKind.HUMAN),
        ("Weekly digest", "X-Spam-Flag: YES\n", "x", MessageKind.BULK),
        ("Re: Automatic reply: Thank you", "", "Sorry, I'm back now. Thursday works.", MessageKind.HUMAN),
    ],
)
def test_headers_decide_before_wording(subject: str, headers: str, body: str, kind: MessageKind) -> None:
    assert classify(incoming(subject, body, headers), [ME]).kind is kind


def test_the_users_own_mail_is_never_a_reply() -> None:
    assert classify(incoming("Re: Thank you", sender=f"Sam <{ME}>"), [ME]).kind is MessageKind.OWN


def test_no_reply_mail_counts_only_when_it_is_about_the_application() -> None:
    about = incoming("Update on your application", "We will not move forward.", sender="noreply@acme.com")
    other = incoming("Reset your password", "Click the link.", sender="noreply@acme.com")
    assert classify(about, [ME]).kind is MessageKind.HUMAN
    assert classify(other, [ME]).kind is MessageKind.BULK


# return dates --------------------------------------------------------------------------------

RECEIVED = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm out of the office until 1 December.", date(2026, 12, 1)),
        ("I will be back on Monday, December 7th.", date(2026, 12, 7)),
        ("Ich bin bis zum 01.12. nicht im Büro.", date(2026, 12, 1)),
        ("Ab dem 3.12.2026 bin ich wieder im Büro.", date(2026, 12, 3)),
        ("ab Montag wieder erreichbar", date(2026, 11, 30)),
        ("Je suis absente jusqu'au 2 décembre inclus.", date(2026, 12, 2)),
        ("Je serai de retour le lundi 7 décembre.", date(2026, 12, 7)),
        ("Estoy fuera hasta el 4 de diciembre.", date(2026, 12, 4)),
        ("Ik ben tot en met 30 november afwezig.", date(2026, 11, 30)),
        ("Estou de férias até 5 de dezembro.", date(2026, 12, 5)),
        ("Sono fuori ufficio fino al 9 dicembre.", date(2026, 12, 9)),
        ("Jag är ledig till och med 8 december.", date(2026, 12, 8)),
        ("Away from 20 November until December 1st, 2026.", date(2026, 12, 1)),
        ("I'm on leave through Jan 5.", date(2027, 1, 5)),
        ("back 12/3", date(2026, 12, 3)),
        ("returning 2026-12-02", date(2026, 12, 2)),
        ("I am away until Friday.", date(2026, 11, 27)),
        ("Your message of 20 November was received.", None),
        ("Back on 20 November.", None),
        ("I am on parental leave until 1 December 2028.", None),
        ("I'm away, back at 9.30 tomorrow.", None),
    ],
)
def test_return_dates_in_many_languages_and_formats(text: str, expected: date | None) -> None:
    assert return_date(text, RECEIVED) == expected


# employers -----------------------------------------------------------------------------------


def interview(*people: Person, employer: str = "acme.com", company: str = "Acme", organizer: str | None = None) -> Interview:
    event = Event(
        "iv@acme.com", "Interview", START, START + timedelta(hours=1), organizer=Person(organizer) if organizer else None
    )
    return Interview("iv", "acct", event, employer, company, "", people)


JANE = Person("jane@acme.com", "Jane")


def arriving(sender: str, **fields: object) -> InboundMessage:
    return InboundMessage("k", Person(sender), "Re", START + timedelta(days=1), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sender", "employer", "found"),
    [
        ("jane@acme.com", "acme.com", "from jane@acme.com, on the interview"),
        ("hr@jobs.acme.com", "acme.com", "at the employer's domain acme.com"),
        ("x@acme.com.evil.net", "acme.com", None),
        ("x@notacme.com", "acme.com", None),
        ("x@acme.co.uk", "acme.com", None),
        ("x@eng.acme.co.uk", "acme.co.uk", "at the employer's domain acme.co.uk"),
        ("x@co.uk", "acme.co.uk", None),
    ],
)
def test_employers_are_told_apart_by_registrable_domain(sender: str, employer: str, found: str | None) -> None:
    matches = match(arriving(sender), [interview(JANE, employer=employer)], {})
    assert (matches[0].matched_by if matches else None) == found or (found and found in matches[0].matched_by)


def test_applicant_tracking_mail_matches_by_reply_to_company_name_or_tenant() -> None:
    iv = interview(JANE)
    by_reply_to = arriving("no-reply@us.greenhouse-mail.io", reply_to=(Person("jane@acme.com"),))
    naming = InboundMessage("k", Person("no-reply@hire.lever.co"), "Your application to Acme", START + timedelta(days=1))
    tenant = arriving("acme@myworkday.com")
    other_company = InboundMessage("k", Person("no-reply@hire.lever.co"), "Your application to Globex", START + timedelta(days=1))
    assert "on its behalf" in match(by_reply_to, [iv], {})[0].matched_by
    assert "naming Acme" in match(naming, [iv], {})[0].matched_by
    assert "for Acme" in match(tenant, [iv], {})[0].matched_by
    assert match(other_company, [iv], {}) == []


def test_a_reply_in_our_thread_counts_from_any_address_and_by_provider_thread_id() -> None:
    iv = interview(JANE)
    ours = {"<if.x@example.net>": "iv", "thread-17": "iv"}
    assert match(arriving("friend@gmail.com", in_reply_to=("<if.x@example.net>",)), [iv], ours)
    assert match(arriving("friend@gmail.com", thread="thread-17"), [iv], ours)
    assert match(arriving("friend@gmail.com"), [iv], ours) == []


def test_the_organizer_counts_and_mail_before_the_interview_does_not() -> None:
    iv = interview(JANE, employer="", organizer="recruiter@gmail.com")
    assert match(arriving("recruiter@gmail.com"), [iv], {})
    early = InboundMessage("k", Person("jane@acme.com"), "Re", START - timedelta(hours=1))
    assert match(early, [interview(JANE)], {}) == []


# effects -------------------------------------------------------------------------------------


def test_a_person_stops_the_sequence_an_out_of_office_reply_only_delays_it() -> None:
    iv = interview(JANE)
    human = judge(arriving("jane@acme.com"), Classification(MessageKind.HUMAN, ()), [iv], {})
    until = Absence(date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 2))
    away = judge(arriving("jane@acme.com"), Classification(MessageKind.AUTO_REPLY, (), until), [iv], {})
    undated = judge(arriving("jane@acme.com"), Classification(MessageKind.AUTO_REPLY, ()), [iv], {})
    receipt = judge(arriving("jane@acme.com"), Classification(MessageKind.RECEIPT, ()), [iv], {})
    assert [d.stop for d in human] == [True]
    assert [(d.stop, d.away_until) for d in away] == [(False, date(2026, 12, 1))]
    assert undated == [] and receipt == []


def test_an_invitation_to_another_round_is_an_answer_an_update_of_this_one_is_not() -> None:
    iv = interview(JANE)
    calendar = Classification(MessageKind.CALENDAR, ())
    next_round = arriving(
        "calendar-notification@google.com", invite=Invite("REQUEST", "onsite@acme", date(2026, 12, 8), JANE.email)
    )
    update = arriving("jane@acme.com", invite=Invite("REQUEST", "iv@acme.com", date(2026, 11, 17), JANE.email))
    accepted = arriving("jane@acme.com", invite=Invite("REPLY", "onsite@acme", date(2026, 12, 8), JANE.email))
    assert [d.stop for d in judge(next_round, calendar, [iv], {})] == [True]
    assert judge(update, calendar, [iv], {}) == [] and judge(accepted, calendar, [iv], {}) == []


def test_a_returned_thank_you_names_the_address_a_delay_does_not() -> None:
    iv = interview(JANE, Person("raj@acme.com"))
    bounce = Classification(MessageKind.BOUNCE, ())
    failed = arriving("mailer-daemon@example.net", returned=Returned(failed=("jane@acme.com",)))
    delayed = arriving("mailer-daemon@example.net", returned=Returned(delayed=True))
    text_only = InboundMessage(
        "k",
        Person("postmaster@example.net"),
        "Mail delivery failed",
        START + timedelta(days=1),
        body="to raj@acme.com: no such user",
    )
    assert [d.bounced for d in judge(failed, bounce, [iv], {})] == [("jane@acme.com",)]
    assert judge(delayed, bounce, [iv], {}) == []
    assert [d.bounced for d in judge(text_only, bounce, [iv], {})] == [("raj@acme.com",)]


def test_a_delivery_report_is_read_down_to_the_returned_message() -> None:
    parsed = load("ours/dsn-thank-you.eml")
    assert parsed.returned.failed == ("jane.doe@acme.com",)
    assert parsed.returned.original_ids == ("<if.0123456789abcdef0123456789abcdef@example.net>",)
    assert load("ours/dsn-delayed.eml").returned.delayed


def test_an_invitation_is_read_from_its_calendar_part() -> None:
    invite = load("ours/invite-next-round.eml").invite
    assert invite == Invite("REQUEST", "onsite-8d1f@google.com", date(2026, 12, 8), "jane.doe@acme.com")


def test_huge_and_hostile_bodies_are_classified_within_bounds(tmp_path: Path) -> None:
    flood = "until " * 200_000 + "I am currently out of the office"
    verdict = classify(incoming("Re: x", flood, "Auto-Submitted: auto-replied\n"), [ME])
    assert verdict.kind is MessageKind.AUTO_REPLY and verdict.return_date is None


# realistic shapes, judged in our thread ----------------------------------------------------------

WORLD = [line.split("\t") for line in (MAIL / "world/expected.tsv").read_text().splitlines()[1:]]
OUR_THANK_YOU = {"<if.3f2a9c1e@example.net>": "iv"}


@pytest.mark.parametrize(("name", "stops", "why"), WORLD, ids=[w[0] for w in WORLD])
def test_what_the_world_sends_is_judged_an_answer_or_not(name: str, stops: str, why: str) -> None:
    message = mail.parse((MAIL / "world" / name).read_bytes(), name, START)
    verdict = classify(message, [ME])
    decisions = judge(message, verdict, [interview(JANE)], OUR_THANK_YOU)
    assert any(d.stop for d in decisions) == (stops == "yes"), (why, verdict.reasons, [d.reason for d in decisions])
    assert verdict.reasons and all(d.reason for d in decisions), "every verdict says why"


@pytest.mark.parametrize(
    ("text", "last_day", "back"),
    [
        ("12月4日（金）まで不在にしております。12月7日より通常通り対応いたします。", date(2026, 12, 4), date(2026, 12, 7)),
        ("誠に勝手ながら、2026年12月8日まで休暇をいただいております。", date(2026, 12, 8), date(2026, 12, 9)),
        ("您好，我目前休假中，12月7日返回办公室。", date(2026, 12, 6), date(2026, 12, 7)),
        ("本人休假至12月4日，期间邮件回复可能延迟。", date(2026, 12, 4), date(2026, 12, 7)),
        ("안녕하세요. 12월 4일까지 휴가 중입니다.", date(2026, 12, 4), date(2026, 12, 7)),
        ("12월 7일부터 출근합니다. 감사합니다.", date(2026, 12, 6), date(2026, 12, 7)),
        ("I'm out of the office until Friday 4 December.", date(2026, 12, 4), date(2026, 12, 7)),
        ("I will be back on Monday, December 7th.", date(2026, 12, 6), date(2026, 12, 7)),
        ("Ich bin bis zum 04.12. nicht im Büro.", date(2026, 12, 4), date(2026, 12, 7)),
        ("Je serai de retour le 7 décembre.", date(2026, 12, 6), date(2026, 12, 7)),
    ],
)
def test_an_absence_says_the_last_day_away_and_the_first_day_back(text: str, last_day: date, back: date) -> None:
    found = absence(text, RECEIVED)
    assert found is not None and (found.last_day, found.back) == (last_day, back)


@pytest.mark.parametrize(
    ("subject", "body", "reads"),
    [
        ("Your application", "Unfortunately, we have decided to move forward with other candidates.", Answer.REJECTED),
        ("Re: Thanks", "Thanks Sam. Unfortunately we will not be moving you to the next round.", Answer.REJECTED),
        ("Ihre Bewerbung", "Leider müssen wir Ihnen mitteilen, dass wir uns anders entschieden haben.", Answer.REJECTED),
        ("Votre candidature", "Malheureusement, nous ne pouvons pas donner suite à votre candidature.", Answer.REJECTED),
        ("Good news", "Congratulations! Your offer letter is attached.", Answer.OFFER),
        ("Re: Thanks", "We would like to offer you the position of data engineer.", Answer.OFFER),
        ("Angebot", "Anbei unser Angebot für Sie.", Answer.OFFER),
        ("Next steps", "We'd like to invite you to a final round with the team.", Answer.NEXT_ROUND),
        ("Re: Danke", "Wir möchten Sie gern zu einem weiteren Gespräch einladen.", Answer.NEXT_ROUND),
        ("Re: Thanks", "Thanks for the note, it was great meeting you too!", None),
    ],
)
def test_an_answer_suggests_how_it_went(subject: str, body: str, reads: Answer | None) -> None:
    raw = message("Jane <jane@acme.com>", subject, body, received=datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert suggested_outcome(mail.parse(raw, "k", datetime(2026, 11, 20, tzinfo=timezone.utc))) is reads


def test_a_quoted_thank_you_note_does_not_colour_the_reading() -> None:
    body = "Thanks, talk soon.\n\nOn Tue, Sam Lee wrote:\n> Unfortunately I could not ask about the next steps."
    raw = message("Jane <jane@acme.com>", "Re: Thanks", body, received=datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert suggested_outcome(mail.parse(raw, "k", datetime(2026, 11, 20, tzinfo=timezone.utc))) is None
