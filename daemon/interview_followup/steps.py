"""The follow-up sequence as data: one row per step says what it makes, when, from which template, and what undoes it.

Adding a step is one row here and one template (its settings default to the row's `defaults`
until the configuration schema names it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .dates import Workdays, finished_at, local, shift
from .model import Interview, Kind, Person

if TYPE_CHECKING:
    from .config import Steps

EARLIEST_CONTACT_DAYS = 2
"""Calling the same day or the next is pestering (R7): check-ins start two days after at the earliest."""
REMINDER_GAP = timedelta(minutes=15)
"""A same-day reminder comes at least this long after the interview is over."""


class StepName(str, Enum):
    THANK_YOU = "thank_you"
    THANKS_FOR_ARRANGING = "thanks_for_arranging"
    THANK_YOU_REMINDER = "thank_you_reminder"
    REFERENCES = "references"
    FIRST_CHECK_IN = "first_check_in"
    WEEKLY_CHECK_IN = "weekly_check_in"
    STATUS_EMAIL = "status_email"
    CALL_BACK = "call_back"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class When:
    """One occurrence of a step: when it is due, when it is made, and for whom."""

    due: datetime
    materialize_at: datetime
    recipient: Person | None = None
    ordinal: int = 0


@dataclass(frozen=True)
class Timeline:
    """The dates every step is placed against: the interview's end, the earliest contact day, absences."""

    interview: Interview
    zone: ZoneInfo
    workdays: Workdays
    settings: Callable[[str], Any]
    """A step's settings by its key under `playbook.steps`."""
    decision: date | None = None
    away_until: date | None = None

    @cached_property
    def end(self) -> datetime:
        return finished_at(self.interview, self.zone)

    @cached_property
    def day(self) -> date:
        return self.end.astimezone(self.zone).date()

    @cached_property
    def earliest(self) -> date:
        """No contact before R7's two days, nor while the contact is out of office."""
        earliest = self.day + timedelta(days=EARLIEST_CONTACT_DAYS)
        return max(earliest, self.workdays.add(self.away_until, 1)) if self.away_until else earliest

    def contact_day(self, candidate: date) -> date:
        return self.workdays.on_or_after(max(candidate, self.earliest))

    @cached_property
    def first_check_in_day(self) -> date:
        """The weekly check-ins are spaced from it, so an absence that pushes it pushes them too."""
        first = self.settings(StepName.FIRST_CHECK_IN.value)
        if self.decision:
            return self.contact_day(shift(self.decision, first.after_decision, self.workdays))
        return self.contact_day(shift(self.day, first.after, self.workdays))


Schedule = Callable[[Timeline, Any], list[When]]
"""A step's occurrences, from the timeline and the step's own settings."""


def each_interviewer_at_the_end(t: Timeline, settings: Any) -> list[When]:
    return _each_at_the_end(t, t.interview.interviewers)


def each_coordinator_at_the_end(t: Timeline, settings: Any) -> list[When]:
    return _each_at_the_end(t, t.interview.coordinators)


def _each_at_the_end(t: Timeline, people: tuple[Person, ...]) -> list[When]:
    """One draft each, in a stable order: the ordinal picks the wording, so colleagues get different ones."""
    return [When(t.end, t.end, person, ordinal) for ordinal, person in enumerate(sorted(people, key=lambda p: p.email))]


def the_same_evening(t: Timeline, settings: Any) -> list[When]:
    return [When(max(local(t.day, settings.at, t.zone), t.end + REMINDER_GAP), t.end)]


def the_same_evening_if_there_is_someone_to_thank(t: Timeline, settings: Any) -> list[When]:
    return the_same_evening(t, settings) if t.interview.interviewers or t.interview.coordinators else []


def the_first_check_in(t: Timeline, settings: Any) -> list[When]:
    return [When(local(t.first_check_in_day, settings.at, t.zone), t.end)]


def weekly_after_the_first_check_in(t: Timeline, settings: Any) -> list[When]:
    made, day = [], t.first_check_in_day
    for ordinal in range(1, settings.count + 1):
        day = t.contact_day(shift(day, settings.every, t.workdays))
        made.append(When(local(day, settings.at, t.zone), t.end, ordinal=ordinal))
    return made


def a_contact_later(t: Timeline, settings: Any) -> list[When]:
    """`after` the interview, on a business day when contact is welcome."""
    return [When(local(t.contact_day(shift(t.day, settings.after, t.workdays)), settings.at, t.zone), t.end)]


def a_message_later(t: Timeline, settings: Any) -> list[When]:
    """Like `a_contact_later`, written on the day itself; only when there is someone to write to."""
    if not (t.interview.interviewers or t.interview.contacts):
        return []
    at = a_contact_later(t, settings)[0].due
    return [When(at, at)]


def a_reminder_later(t: Timeline, settings: Any) -> list[When]:
    """`after` the interview's day at `at`, with no contact rule: a note to oneself."""
    return [When(local(shift(t.day, settings.after, t.workdays), settings.at, t.zone), t.end)]


@dataclass(frozen=True)
class StepRow:
    name: str
    """A `StepName` for the built-in steps; the journal and the effect keys use it."""
    kind: Kind
    schedule: Schedule
    settings: str
    """Its key under `playbook.steps`."""
    templates: tuple[str, ...]
    """A draft's message (one per variant, by the step's ordinal) or an entry's description."""
    defaults: Any = None
    """Its settings when the configuration schema has no key for it."""
    stays_after_stop: bool = False
    """Still wanted after the employer answered: it concerns what came before the answer."""
    after_informational: bool = False
    """Also after an informational interview, where there is no decision to follow up on."""
    catch_up: str | None = "7 days"
    """How late a draft is still made (its settings' `catch_up` wins); entries are never made once past."""
    undoable: bool = True
    """Removed when no longer wanted (entries only while ahead); a thank-you draft always stays."""
    until_sent: str | None = None
    """Not wanted once every draft of this step went out."""
    personal: frozenset[str] = frozenset()
    """What of the person's a draft carries (`note`, `language`): when it changes, the draft is written again,
    unless they edited it."""


STEPS: tuple[StepRow, ...] = (
    StepRow(
        StepName.THANK_YOU,
        Kind.DRAFT,
        each_interviewer_at_the_end,
        "thank_you",
        ("thank_you_1.txt", "thank_you_2.txt", "thank_you_3.txt"),
        stays_after_stop=True,
        after_informational=True,
        undoable=False,
        personal=frozenset({"note", "language"}),
    ),
    StepRow(
        StepName.THANKS_FOR_ARRANGING,
        Kind.DRAFT,
        each_coordinator_at_the_end,
        "thank_you",
        ("thanks_for_arranging.txt",),
        stays_after_stop=True,
        after_informational=True,
        undoable=False,
        personal=frozenset({"language"}),
    ),
    StepRow(
        StepName.THANK_YOU_REMINDER,
        Kind.ENTRY,
        the_same_evening_if_there_is_someone_to_thank,
        "thank_you_reminder",
        ("thank_you_reminder.txt",),
        stays_after_stop=True,
        after_informational=True,
        until_sent=StepName.THANK_YOU,
    ),
    StepRow(StepName.REFERENCES, Kind.ENTRY, the_same_evening, "references", ("references.txt",), stays_after_stop=True),
    StepRow(StepName.FIRST_CHECK_IN, Kind.ENTRY, the_first_check_in, "first_check_in", ("check_in.txt",)),
    StepRow(StepName.WEEKLY_CHECK_IN, Kind.ENTRY, weekly_after_the_first_check_in, "weekly_check_ins", ("check_in.txt",)),
    StepRow(StepName.STATUS_EMAIL, Kind.DRAFT, a_message_later, "status_email", ("status_email.txt",)),
    StepRow(StepName.CALL_BACK, Kind.ENTRY, a_contact_later, "call_back", ("call_back.txt",)),
)


def settings_of(steps: Steps, row: StepRow) -> Any:
    return getattr(steps, row.settings, None) or row.defaults


@dataclass(frozen=True)
class Step:
    """One thing the sequence wants to exist for an interview."""

    interview_id: str
    row: StepRow
    due: datetime
    """For an entry, when it takes place; for a draft, when it is written."""
    materialize_at: datetime
    recipient: Person | None = None
    ordinal: int = 0

    @property
    def name(self) -> str:
        return self.row.name

    @property
    def kind(self) -> Kind:
        return self.row.kind

    @property
    def keep_after_stop(self) -> bool:
        return self.row.stays_after_stop

    @property
    def template(self) -> str:
        return self.row.templates[self.ordinal % len(self.row.templates)]

    @property
    def key(self) -> str:
        return effect_key(self.interview_id, self.name, self.recipient.email if self.recipient else str(self.ordinal))


def effect_key(interview_id: str, step: str, who: str) -> str:
    """Deterministic: the same step of the same interview, for the same recipient (or ordinal), always maps here."""
    return hashlib.sha256(f"{interview_id}\0{step}\0{who}".encode()).hexdigest()[:32]
