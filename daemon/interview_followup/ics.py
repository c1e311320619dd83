"""iCalendar in and out: parse untrusted .ics into events, write our follow-up entries."""

from __future__ import annotations

import hashlib
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from . import untrusted
from .model import Attendee, EntryPayload, Event, Person

KEY_PROPERTY = "X-INTERVIEW-FOLLOWUP-KEY"
PRODID = "-//interview-followup//EN"
DESCRIPTION_LIMIT = 20_000
_PARSE_ERRORS = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OverflowError,
    recurring_ical_events.InvalidCalendar,
)


@dataclass(frozen=True)
class Parsed:
    events: list[Event]
    problems: list[str]
    readable: bool = True
    """False when the file as a whole could not be read: its absence of events proves nothing."""
    skipped: frozenset[str] = frozenset()
    """UIDs of events that could not be read: they are not gone, only unreadable."""


def parse(data: bytes, zone: ZoneInfo, start: datetime, end: datetime) -> Parsed:
    """Events overlapping [start, end), recurring series expanded; a broken event is skipped, not fatal."""
    problems: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendars = icalendar.Calendar.from_ical(_prefer_tz_database(data), multiple=True)
    except _PARSE_ERRORS as exc:
        return Parsed([], [f"not a readable iCalendar file ({_short(exc)})"], readable=False)
    events: list[Event] = []
    skipped: set[str] = set()
    for calendar in calendars:
        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except _PARSE_ERRORS as exc:
            problems.append(f"time zone repair failed ({_short(exc)})")
        timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
        by_uid: dict[str, list[Any]] = defaultdict(list)
        for component in calendar.walk("VEVENT"):
            by_uid[str(component.get("UID") or _synthetic_uid(component))].append(component)
        for uid, components in by_uid.items():
            try:
                events.extend(_expand(uid, components, timezones, zone, start, end))
            except _PARSE_ERRORS as exc:
                skipped.add(untrusted.line(uid, 500))
                problems.append(f"event {untrusted.line(uid, 80)!r} skipped ({_short(exc)})")
    return Parsed(events, problems, skipped=frozenset(skipped))


_VTIMEZONE = re.compile(rb"BEGIN:VTIMEZONE\r?\n(.*?)END:VTIMEZONE\r?\n", re.S)
_TZID = re.compile(rb"^TZID:(.*?)\r?$", re.M)


def _prefer_tz_database(data: bytes) -> bytes:
    """Drop embedded definitions of Windows zone names (Outlook's are often truncated or wrong);
    icalendar then maps the name to the maintained IANA zone."""

    def keep(block: re.Match[bytes]) -> bytes:
        tzid = _TZID.search(block[1])
        name = tzid[1].decode(errors="replace").strip() if tzid else ""
        return b"" if name in WINDOWS_TO_OLSON else block[0]

    return _VTIMEZONE.sub(keep, data)


def _expand(uid: str, components: list[Any], timezones: list[Any], zone: ZoneInfo, start: datetime, end: datetime) -> list[Event]:
    series = any("RRULE" in c or "RDATE" in c or "RECURRENCE-ID" in c for c in components)
    if not series:
        event = _event(uid, components[0], zone, None)
        return [event] if event.end > start and event.start < end else []
    single = icalendar.Calendar()
    for part in (*timezones, *components):
        single.add_component(part)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        occurrences = recurring_ical_events.of(single).between(start, end)
        return [_event(uid, o, zone, _recurrence_id(o.get("RECURRENCE-ID"), zone)) for o in occurrences]


def _event(uid: str, component: Any, zone: ZoneInfo, recurrence_id: str | None) -> Event:
    raw_start = component.decoded("DTSTART")
    all_day = not isinstance(raw_start, datetime)
    begin = _instant(raw_start, zone)
    if "DTEND" in component:
        finish = _instant(component.decoded("DTEND"), zone)
    elif "DURATION" in component:
        finish = begin + component.decoded("DURATION")
    else:
        finish = begin + (timedelta(days=1) if all_day else timedelta())
    organizer = _person(component.get("ORGANIZER"))
    attendees = component.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    return Event(
        uid=untrusted.line(uid, 500),
        recurrence_id=recurrence_id,
        summary=untrusted.line(component.get("SUMMARY", ""), 500),
        description=str(component.get("DESCRIPTION", ""))[:DESCRIPTION_LIMIT],
        location=untrusted.line(component.get("LOCATION", ""), 300),
        start=begin,
        end=max(finish, begin),
        all_day=all_day,
        status=untrusted.line(component.get("STATUS", "CONFIRMED"), 20).upper(),
        organizer=organizer,
        attendees=tuple(a for a in (_attendee(value) for value in attendees[:200]) if a),
        own_key=untrusted.line(component[KEY_PROPERTY], 64) if KEY_PROPERTY in component else None,
    )


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """Aware datetimes; all-day dates become local midnight (not UTC, which shifts the day)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=zone)
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def _recurrence_id(value: Any, zone: ZoneInfo) -> str | None:
    if value is None:
        return None
    raw = value.dt if hasattr(value, "dt") else value
    if isinstance(raw, datetime):
        return _instant(raw, zone).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return raw.strftime("%Y%m%d") if isinstance(raw, date) else untrusted.line(raw, 40)


def _person(value: Any) -> Person | None:
    if value is None or isinstance(value, list):
        return None
    email = untrusted.address(value)
    if not email:
        return None
    return Person(email, untrusted.line(getattr(value, "params", {}).get("CN", ""), 100))


def _attendee(value: Any) -> Attendee | None:
    email = untrusted.address(value)
    if not email:
        return None
    params = getattr(value, "params", {})
    return Attendee(
        email=email,
        name=untrusted.line(params.get("CN", ""), 100),
        partstat=untrusted.line(params.get("PARTSTAT", "NEEDS-ACTION"), 20).upper(),
        cutype=untrusted.line(params.get("CUTYPE", "INDIVIDUAL"), 20).upper(),
        role=untrusted.line(params.get("ROLE", "REQ-PARTICIPANT"), 20).upper(),
    )


def _synthetic_uid(component: Any) -> str:
    """Some exporters omit UID; a hash of the event keeps its identity stable across reads."""
    basis = f"{component.get('SUMMARY', '')}|{component.get('DTSTART').to_ical() if 'DTSTART' in component else ''}"
    return "no-uid-" + hashlib.sha256(basis.encode(errors="replace")).hexdigest()[:16]


def _short(exc: BaseException) -> str:
    return untrusted.line(f"{type(exc).__name__}: {exc}", 160)


def entry(payload: EntryPayload, stamp: datetime) -> bytes:
    """A follow-up entry as a one-event calendar; UID and a private property carry the key."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    event = icalendar.Event()
    event.add("UID", payload.key)
    event.add("DTSTAMP", stamp.astimezone(timezone.utc))
    event.add("DTSTART", payload.start.astimezone(timezone.utc))
    event.add("DTEND", payload.end.astimezone(timezone.utc))
    event.add("SUMMARY", payload.title)
    event.add("DESCRIPTION", payload.description)
    event.add("CATEGORIES", ["interview-followup"])
    event.add("TRANSP", "TRANSPARENT")
    event.add(KEY_PROPERTY, payload.key)
    alarm = icalendar.Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", payload.title)
    alarm.add("TRIGGER", timedelta())
    event.add_component(alarm)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
