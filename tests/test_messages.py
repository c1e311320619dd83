"""Drafts that are safe to build from strangers' text, and received mail sorted by what made it."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import ME, message
from interview_followup import mail
from interview_followup.config import Steps
from interview_followup.model import Event, Interview, Person
from interview_followup.replies import MessageKind, classify
from interview_followup.steps import STEPS, Step
from interview_followup.templates import PLACEHOLDER, Sender, Templates

UTC = timezone.utc
START = datetime(2026, 11, 17, 18, tzinfo=UTC)
SAM = Person(ME, "Sam Lee")


def interview(*people: Person, company: str = "Acme", role: str = "") -> Interview:
    event = Event("u", "Interview", START, START + timedelta(hours=1))
    return Interview("iv", "acct", event, "acme.com", company, role, people)


def templates(folder: Path | None = None) -> Templates:
    return Templates(folder, Sender("Sam Lee", ME, "Sam · +1 555 0100"), Steps(), UTC)


def thank_you(person: Person, ordinal: int = 0) -> Step:
    return Step("iv", STEPS[0], START, START, person, ordinal)


def build(person: Person, iv: Interview, note: str = "", ordinal: int = 0) -> email.message.EmailMessage:
    step = thank_you(person, ordinal)
    draft = templates().draft(step, iv, note, date(2026, 11, 17))
    raw = mail.build_draft(step.key, SAM, draft, START)
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_colleagues_get_three_different_wordings() -> None:
    people = [Person(f"p{i}@acme.com", f"P{i}") for i in range(3)]
    iv = interview(*people)
    subjects = {str(build(p, iv, ordinal=i)["Subject"]) for i, p in enumerate(people)}
    bodies = {build(p, iv, ordinal=i).get_content().split("\n", 2)[2] for i, p in enumerate(people)}
    assert len(subjects) == 3 and len(bodies) == 3


def test_a_draft_has_a_personal_line_or_a_marked_placeholder() -> None:
    jane = Person("jane@acme.com", "Jane Doe")
    assert "the quilting exhibition" in build(jane, interview(jane), note="the quilting exhibition").get_content()
    assert PLACEHOLDER["en"] in build(jane, interview(jane)).get_content()


def test_names_with_line_breaks_cannot_add_headers() -> None:
    evil = Person("jane@acme.com", "Jane\r\nBcc: spy@evil.example")
    parsed = build(evil, interview(evil, company="Acme\nCc: x@evil.example", role="Eng\r\nX-Evil: 1"))
    assert parsed["Bcc"] is None and parsed["Cc"] is None and parsed["X-Evil"] is None
    assert parsed["To"].addresses[0].addr_spec == "jane@acme.com"


def test_non_ascii_names_and_text_are_encoded_correctly() -> None:
    jose = Person("jose@acme.es", "José Müller-Łukasz")
    step = thank_you(jose)
    draft = templates().draft(step, interview(jose, company="Añil Ströme"), "Über das Café gesprochen", date(2026, 11, 17))
    raw = mail.build_draft(step.key, SAM, draft, START)
    headers, _, _ = raw.partition(b"\r\n\r\n")
    headers.decode("ascii")  # encoded words in the headers; the body declares its charset
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["To"].addresses[0].display_name == "José Müller-Łukasz"
    assert parsed.get_content_charset() == "utf-8"
    assert "Über das Café gesprochen" in parsed.get_content()


def test_message_ids_and_keys_are_deterministic() -> None:
    jane = Person("jane@acme.com", "Jane")
    first, second = build(jane, interview(jane)), build(jane, interview(jane))
    assert first["Message-ID"] == second["Message-ID"] == mail.message_id(thank_you(jane).key, SAM)
    assert first["X-Interview-Followup-Key"] == thank_you(jane).key


def test_template_syntax_in_event_data_is_never_evaluated() -> None:
    jane = Person("jane@acme.com", "{{ 7 * 7 }}")
    parsed = build(jane, interview(jane, company="{% raw %}{{ cycler.__init__ }}"), note="{{ ''.__class__ }}")
    content = parsed.get_content()
    assert "{{ ''.__class__ }}" in content and "{% raw %}{{ cycler.__init__ }}" in content


def test_user_templates_override_and_are_sandboxed(tmp_path: Path) -> None:
    (tmp_path / "thank_you_1.txt").write_text("Subject: Cheers {{ interviewer.greeting }}\n\n{{ ''.__class__.__mro__ }}\n")
    jane = Person("jane@acme.com", "Jane")
    with pytest.raises(Exception, match="unsafe|__class__|mro|attribute"):
        templates(tmp_path).draft(thank_you(jane), interview(jane), "", date(2026, 11, 17))


def test_huge_and_malformed_messages_are_read_within_bounds() -> None:
    huge = message("Jane <jane@acme.com>", "Re: hi", "x" * (5 * 2**20), received=START)
    parsed = mail.parse(huge, "k", START)
    assert len(parsed.body) <= 4000
    garbage = mail.parse(b"\x00\xff\xfe not a message \r\n\r\n\x00", "k", START)
    assert garbage.sender is None and classify(garbage, [ME]).kind is MessageKind.HUMAN
    assert mail.parse(b"From: =?utf-8?b?!!!?= <jane@acme.com>\nSubject: =?bogus?q?x?=\n\nhi", "k", START).sender is not None
