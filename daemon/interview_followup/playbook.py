"""The follow-up sequence after an interview: a pure function of the interview, its history and the settings.

Rules (see shared/design/playbook.md): a thank-you draft to each interviewer as soon as the
interview ends; reminders the same day; check-ins a week or so later (never the same or next
day, never while the contact is out of office), at most three; a status e-mail after a month;
a long-shot call after two months. Everything after the thank-you stops when the employer answers.
The steps themselves are the rows of `steps.STEPS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from .config import Steps
from .dates import Workdays, finished_at, shift
from .model import Interview, Kind, Person
from .steps import STEPS, Step, StepRow, Timeline, settings_of


@dataclass(frozen=True)
class Settings:
    steps: Steps
    zone: ZoneInfo
    workdays: Workdays
    entry_minutes: int = 30
    table: tuple[StepRow, ...] = STEPS

    def of(self, row: StepRow) -> Any:
        return settings_of(self.steps, row)

    def row(self, name: str) -> StepRow | None:
        return next((row for row in self.table if row.name == name), None)


@dataclass(frozen=True)
class Progress:
    """What happened to an interview since it was detected (kept in the store)."""

    stopped_at: datetime | None = None
    cancelled_at: datetime | None = None
    decision_date: date | None = None
    all_sent: frozenset[str] = field(default_factory=frozenset)
    """Steps whose every draft went out: steps `until_sent` them are no longer needed."""
    away_until: date | None = None
    """The employer's contact is out of office until this day: no follow-up lands before it is over."""
    continued: bool = False
    """A day of an interview that goes on another day (a two-day onsite as one recurring event): the last day
    carries the whole sequence, so each interviewer is thanked once."""
    also_met: tuple[Person, ...] = ()
    """On the last day of such an interview: who was met on the days before it."""


class Readiness(str, Enum):
    """Whether a step not yet made is made at a pass at `now`: the planner decides it, `status` shows it."""

    WAITING = "planned"
    DUE = "made at the next pass"
    STALE = "not made (too late)"


def readiness(step: Step, now: datetime, settings: Settings) -> Readiness:
    """Nothing stale is made: no entry in the past, no draft long after it was due."""
    if step.materialize_at > now:
        return Readiness.WAITING
    until = catch_up_until(step, settings)
    fresh = step.due > now if until is None else now <= until
    return Readiness.DUE if fresh else Readiness.STALE


def catch_up_until(step: Step, settings: Settings) -> datetime | None:
    """The last moment a late draft is still made (its catch-up days); None for a step made only before it is due."""
    catch_up = getattr(settings.of(step.row), "catch_up", step.row.catch_up)
    if step.kind is Kind.ENTRY or catch_up is None:
        return None
    day = step.due.astimezone(settings.zone).date()
    return step.due + (shift(day, catch_up, settings.workdays) - day)


def plan(interview: Interview, progress: Progress, settings: Settings) -> list[Step]:
    """Every step the interview should have; the stop and cancellation rules are applied here."""
    if progress.continued or (progress.cancelled_at and progress.cancelled_at < finished_at(interview, settings.zone)):
        return []
    if progress.also_met:
        met = {p.email: p for p in (*progress.also_met, *interview.interviewers)}
        interview = replace(interview, interviewers=tuple(met.values()))
    timeline = Timeline(
        interview,
        settings.zone,
        settings.workdays,
        partial(getattr, settings.steps),
        progress.decision_date or interview.decision_date,
        progress.away_until,
    )
    made: list[Step] = []
    for row in settings.table:
        options = settings.of(row)
        if not options.enabled or (interview.informational and not row.after_informational):
            continue
        if row.until_sent and row.until_sent in progress.all_sent:
            continue
        for when in row.schedule(timeline, options):
            made.append(Step(interview.id, row, when.due, when.materialize_at, when.recipient, when.ordinal))
    stop = min((t for t in (progress.stopped_at, progress.cancelled_at) if t), default=None)
    if stop is None:
        return made
    return [step for step in made if step.keep_after_stop or step.due <= stop]

