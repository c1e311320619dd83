"""The planner, table-style and without any I/O: the journal and `now` in, the list of changes out."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from interview_followup import planner
from interview_followup.config import Steps
from interview_followup.dates import Workdays
from interview_followup.model import Event, Interview, Kind, Person
from interview_followup.planner import Change, Verb
from interview_followup.playbook import Settings
from interview_followup.store import EffectRecord, InterviewRecord, State
from interview_followup.templates import Sender, Templates

ZONE = ZoneInfo("America/Los_Angeles")
START = datetime(2026, 11, 17, 10, tzinfo=ZONE)
END = START + timedelta(hours=1)
PEOPLE = (Person("jane@acme.com", "Jane Doe"), Person("raj@acme.com", "Raj Patel"))
INTERVIEW = Interview("iv", "home", Event("u1", "Acme interview", START, END), "acme.com", "Acme", "Engineer", PEOPLE)
SETTINGS = Settings(Steps(), ZONE, Workdays())
TEMPLATES = Templates(None, Sender("Sam Lee", "sam@example.net"), Steps(), ZONE)
RECORD = InterviewRecord(INTERVIEW, "calendar", START - timedelta(days=3))
EVERYTHING_MADE_AT_THE_END = [
    "create call_back",
    "create first_check_in",
    "create references",
    "create thank_you",
    "create thank_you",
    "create thank_you_reminder",
    "create weekly_check_in",
    "create weekly_check_in",
]


def plan(
    now: datetime, journal: dict[str, EffectRecord] | None = None, sent: set[str] = frozenset(), record: InterviewRecord = RECORD
) -> list[Change]:  # type: ignore[assignment]
    return planner.changes(planner.plan([record], {record.interview.id: journal or {}}, set(sent), now, SETTINGS, TEMPLATES))


def said(changes: list[Change]) -> list[str]:
    return sorted(f"{c.verb.value} {c.step}" for c in changes)


def made(changes: list[Change], state: State = State.DONE) -> dict[str, EffectRecord]:
    """The journal after a pass carried `changes` out and the provider said yes to each."""
    journal = {}
    for change in changes:
        assert change.target is not None
        step = change.target
        content = planner.digest(change.entry) if change.entry else None
        journal[change.key] = EffectRecord(
            change.key, "home", "iv", step.name, step.kind.value, step.due, state, "ref", "fingerprint", content
        )
    return journal


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (END - timedelta(minutes=1), []),
        (END, EVERYTHING_MADE_AT_THE_END),
        (END + timedelta(minutes=30), EVERYTHING_MADE_AT_THE_END),
        (END + timedelta(days=2), [s for s in EVERYTHING_MADE_AT_THE_END if "references" not in s and "reminder" not in s]),
        (END + timedelta(days=4), [s for s in EVERYTHING_MADE_AT_THE_END if "thank_you" not in s and "references" not in s]),
        (datetime(2026, 12, 17, 9, tzinfo=ZONE), ["create call_back", "create status_email"]),
        (datetime(2026, 12, 24, 9, tzinfo=ZONE), ["create call_back", "create status_email"]),
        (datetime(2026, 12, 24, 9, 1, tzinfo=ZONE), ["create call_back"]),
    ],
    ids=["before-the-end", "at-the-end", "half-an-hour-after", "two-days-after", "past-the-thank-you-catch-up", "a-month-after",
         "a-week-late-for-the-status-email", "too-late-for-it"],
)
def test_what_a_first_pass_makes_depends_only_on_now(now: datetime, expected: list[str]) -> None:
    assert said(plan(now)) == expected


def test_a_second_pass_changes_nothing_and_a_cut_create_is_resumed() -> None:
    first = plan(END)
    journal = made(first)
    assert plan(END + timedelta(minutes=5), journal) == []
    thanks = next(c for c in first if c.step == "thank_you")
    journal[thanks.key] = replace(journal[thanks.key], state=State.INTENDED)
    (again,) = plan(END + timedelta(minutes=5), journal)
    assert again.verb is Verb.CREATE and again.resumed and again.draft is not None


def test_a_reply_removes_what_is_ahead_and_keeps_the_thanks_and_the_same_day_reminders() -> None:
    journal = made(plan(END))
    stopped = replace(RECORD, stopped_at=END + timedelta(hours=20), stop_reason="from jane@acme.com")
    changes = plan(END + timedelta(days=1), journal, record=stopped)
    assert said(changes) == ["remove call_back", "remove first_check_in", "remove weekly_check_in", "remove weekly_check_in"]
    assert {c.reason for c in changes} == {"the employer replied"}


def test_thanks_seen_sent_are_marked_and_the_reminder_to_send_them_goes() -> None:
    journal = made(plan(END))
    asked = planner.sent_questions([RECORD], {"iv": journal}, END + timedelta(hours=1), SETTINGS)
    assert sorted(q.recipient for q in asked) == ["jane@acme.com", "raj@acme.com"]
    changes = plan(END + timedelta(hours=1), journal, sent={q.key for q in asked})
    assert said(changes) == ["mark sent thank_you", "mark sent thank_you", "remove thank_you_reminder"]
    one = plan(END + timedelta(hours=1), journal, sent={asked[0].key})
    assert said(one) == ["mark sent thank_you"], "one note still to send: the reminder stays"
    assert planner.sent_questions([RECORD], {"iv": journal}, datetime(2026, 11, 17, 18, 1, tzinfo=ZONE), SETTINGS) == [], (
        "once the reminder is past, nobody asks"
    )


def test_a_moved_interview_moves_the_entries_ahead_and_only_those() -> None:
    journal = made(plan(END))
    later = timedelta(days=1)
    moved = replace(RECORD, interview=replace(INTERVIEW, event=replace(INTERVIEW.event, start=START + later, end=END + later)))
    changes = plan(END + timedelta(hours=2), journal, record=moved)
    assert {c.verb for c in changes} == {Verb.UPDATE} and all(c.kind is Kind.ENTRY for c in changes)
    assert said(changes) == [s.replace("create", "move") for s in EVERYTHING_MADE_AT_THE_END if s != "create thank_you"]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (State.DELETING, ["remove first_check_in"]),
        (State.UPDATING, ["move first_check_in"]),
        (State.KEPT, []),
        (State.GONE, []),
        (State.DELETED, ["create first_check_in"]),
    ],
)
def test_each_journal_state_of_an_entry_ahead_leads_to_one_change(state: State, expected: list[str]) -> None:
    journal = made(plan(END))
    key = next(k for k, e in journal.items() if e.step == "first_check_in")
    journal[key] = replace(journal[key], state=state)
    assert said(plan(END + timedelta(minutes=5), journal)) == expected


def test_a_cancelled_interview_removes_its_entries_ahead_but_no_thank_you() -> None:
    journal = made(plan(END))
    cancelled = replace(RECORD, cancelled_at=END + timedelta(days=1))
    removed = said(plan(END + timedelta(days=1), journal, record=cancelled))
    assert removed == ["remove call_back", "remove first_check_in", "remove weekly_check_in", "remove weekly_check_in"]
