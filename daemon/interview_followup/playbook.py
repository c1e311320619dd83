"""The follow-up sequence after an interview: a pure function of the interview and the settings.

Rules (see shared/design/playbook.md): a thank-you draft to each interviewer as soon as the
interview ends; reminders the same day; check-ins a week or so later (never the same or next
day, never while the contact is out of office), at most three; a status e-mail after a month;
a long-shot call after two months. Everything after the thank-you stops when the employer answers.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays as _holidays

from .config import Steps
from .model import Interview, Kind, Step

ALL_DAY_ENDS_AT = time(17, 0)
EARLIEST_CONTACT_DAYS = 2
"""Calling the same day or the next is pestering (R7): check-ins start two days after at the earliest."""


@dataclass(frozen=True)
class Workdays:
    """Weekends and, when a country is set, its public holidays are not business days."""

    country: str | None = None

    @cached_property
    def _holidays(self) -> _holidays.HolidayBase | None:
        if not self.country:
            return None
        country, _, subdiv = self.country.partition("-")
        return _holidays.country_holidays(country, subdiv=subdiv or None)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and (self._holidays is None or day not in self._holidays)

    def on_or_after(self, day: date) -> date:
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count -= 1
        return day


@dataclass(frozen=True)
class Settings:
    steps: Steps
    zone: ZoneInfo
    workdays: Workdays
    entry_minutes: int = 30


@dataclass(frozen=True)
class Progress:
    """What happened to an interview since it was detected (kept in the store)."""

    stopped_at: datetime | None = None
    cancelled_at: datetime | None = None
    decision_date: date | None = None
    thanks_sent: bool = False
    """Every thank-you draft went out: the reminder to send them is no longer needed."""
    away_until: date | None = None
    """The employer's contact is out of office until this day: no follow-up lands before it is over."""


def shift(day: date, offset: str, workdays: Workdays) -> date:
    """Apply an offset such as "7 business days" or "2 months" (as normalised by the config)."""
    count_text, unit = offset.split(" ", 1)
    count = int(count_text)
    if unit.startswith("business"):
        return workdays.add(day, count)
    if unit.startswith("day"):
        return day + timedelta(days=count)
    if unit.startswith("week"):
        return day + timedelta(weeks=count)
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def local(day: date, clock: str, zone: ZoneInfo) -> datetime:
    """A wall-clock time on a day; a time that DST skips becomes the first valid instant after."""
    hour, minute = (int(part) for part in clock.split(":"))
    naive = datetime.combine(day, time(hour, minute), tzinfo=zone)
    return naive.astimezone(timezone.utc).astimezone(zone)


def finished_at(interview: Interview, zone: ZoneInfo) -> datetime:
    """When the interview is over; an all-day event ends in the late afternoon of its last day."""
    if interview.event.all_day:
        last_day = interview.end.astimezone(zone).date() - timedelta(days=1)
        return datetime.combine(max(last_day, interview.start.astimezone(zone).date()), ALL_DAY_ENDS_AT, tzinfo=zone)
    return interview.end


DRAFT_CATCH_UP = timedelta(days=7)
"""How late a draft other than the thank-you is still made (after a late install, or a week with the machine off)."""


class Readiness(str, Enum):
    """Whether a step not yet made is made at a pass at `now`: the engine acts on it, `status` shows it."""

    WAITING = "planned"
    DUE = "made at the next pass"
    STALE = "not made (too late)"


def readiness(step: Step, now: datetime, settings: Settings) -> Readiness:
    """Nothing stale is made: no entry in the past, no draft long after it was due."""
    if step.materialize_at > now:
        return Readiness.WAITING
    if step.kind is Kind.ENTRY:
        fresh = step.due > now
    elif step.name != "thank_you":
        fresh = now <= step.due + DRAFT_CATCH_UP
    else:
        day = step.due.astimezone(settings.zone).date()
        fresh = now <= step.due + (shift(day, settings.steps.thank_you.catch_up, settings.workdays) - day)
    return Readiness.DUE if fresh else Readiness.STALE


def plan(interview: Interview, progress: Progress, settings: Settings) -> list[Step]:
    """Every step the interview should have; the stop and cancellation rules are applied here."""
    if progress.cancelled_at and progress.cancelled_at < finished_at(interview, settings.zone):
        return []
    follow_ups = [] if interview.informational else _follow_ups(interview, progress, settings)  # no decision to ask about
    steps = [*_thanks(interview, settings), *follow_ups]
    if progress.thanks_sent:
        steps = [step for step in steps if step.name != "thank_you_reminder"]
    stop = min((t for t in (progress.stopped_at, progress.cancelled_at) if t), default=None)
    if stop is None:
        return steps
    return [step for step in steps if step.keep_after_stop or step.due <= stop]


def _thanks(interview: Interview, settings: Settings) -> list[Step]:
    steps, zone = settings.steps, settings.zone
    end = finished_at(interview, zone)
    day = end.astimezone(zone).date()
    made: list[Step] = []
    if steps.thank_you.enabled:
        for ordinal, person in enumerate(sorted(interview.interviewers, key=lambda p: p.email)):
            made.append(Step(interview.id, "thank_you", Kind.DRAFT, end, end, person, ordinal, keep_after_stop=True))
    soon = end + timedelta(minutes=15)
    if steps.thank_you_reminder.enabled and interview.interviewers:
        at = max(local(day, steps.thank_you_reminder.at, zone), soon)
        made.append(Step(interview.id, "thank_you_reminder", Kind.ENTRY, at, end, keep_after_stop=True))
    if steps.references.enabled and not interview.informational:
        at = max(local(day, steps.references.at, zone), soon)
        made.append(Step(interview.id, "references", Kind.ENTRY, at, end, keep_after_stop=True))
    return made


def _follow_ups(interview: Interview, progress: Progress, settings: Settings) -> list[Step]:
    """Check-ins, status e-mail and call-back; none before R7's two days, none while the contact is away.

    A check-in pushed past an absence pushes the weekly ones after it, so their spacing holds.
    """
    steps, zone, workdays = settings.steps, settings.zone, settings.workdays
    end = finished_at(interview, zone)
    day = end.astimezone(zone).date()
    earliest = day + timedelta(days=EARLIEST_CONTACT_DAYS)

    def contact_day(candidate: date) -> date:
        return workdays.on_or_after(max(candidate, earliest))

    if progress.away_until:
        earliest = max(earliest, workdays.add(progress.away_until, 1))

    made: list[Step] = []
    first = steps.first_check_in
    decision = progress.decision_date or interview.decision_date
    first_day = contact_day(shift(decision, first.after_decision, workdays) if decision else shift(day, first.after, workdays))
    if first.enabled:
        at = local(first_day, first.at, zone)
        made.append(Step(interview.id, "first_check_in", Kind.ENTRY, at, end))
    weekly = steps.weekly_check_ins
    if weekly.enabled:
        previous = first_day
        for ordinal in range(1, weekly.count + 1):
            previous = contact_day(shift(previous, weekly.every, workdays))
            at = local(previous, weekly.at, zone)
            made.append(Step(interview.id, "weekly_check_in", Kind.ENTRY, at, end, ordinal=ordinal))
    status = steps.status_email
    if status.enabled and (interview.interviewers or interview.contacts):
        at = local(contact_day(shift(day, status.after, workdays)), status.at, zone)
        made.append(Step(interview.id, "status_email", Kind.DRAFT, at, at))
    call = steps.call_back
    if call.enabled:
        at = local(contact_day(shift(day, call.after, workdays)), call.at, zone)
        made.append(Step(interview.id, "call_back", Kind.ENTRY, at, end))
    return made
