"""Calendar arithmetic the sequence is made of: business days, offsets, wall-clock times, when an interview is over."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import holidays as _holidays

from .model import Interview

ALL_DAY_ENDS_AT = time(17, 0)


@dataclass(frozen=True)
class Workdays:
    """Weekends, the country's public holidays and the quiet periods (the year-end break) are not business days."""

    country: str | None = None
    quiet: tuple[tuple[str, str], ...] = ()
    """(`MM-DD`, `MM-DD`) spans, both days included; one whose end comes first runs across the new year."""

    @cached_property
    def _holidays(self) -> _holidays.HolidayBase | None:
        if not self.country:
            return None
        country, _, subdiv = self.country.partition("-")
        return _holidays.country_holidays(country, subdiv=subdiv or None)

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5 or self.is_quiet(day):
            return False
        return self._holidays is None or day not in self._holidays

    def is_quiet(self, day: date) -> bool:
        mark = f"{day:%m-%d}"
        return any(start <= mark <= end if start <= end else (mark >= start or mark <= end) for start, end in self.quiet)

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


@lru_cache(maxsize=16)
def country_of(zone: ZoneInfo) -> str | None:
    """The country of an IANA time zone (tz database's zone.tab), where the holidays library knows it; read once
    per zone, not each time the configuration is asked for its business days."""
    from importlib.resources import files

    try:
        table = files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return None
    for row in table.splitlines():
        fields = row.split("\t")
        if len(fields) >= 3 and fields[2] == zone.key:
            return fields[0] if fields[0] in _holidays.list_supported_countries() else None
    return None


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
