"""iCalendar in and out: parse untrusted .ics into events, write our follow-up entries."""

from __future__ import annotations

import hashlib
import re
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock_time
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
INSTANCE_LIMIT = 1000
"""Occurrences of one series kept in the window: a daily meeting has 190; past this a series is cut short."""
STEP_LIMIT = 1_000_000
"""Steps of its frequency a rule may take from its start to the window's end before it is expanded at all:
the expansion walks every one of them, so `FREQ=SECONDLY` from last year would never end."""
PARSE_SECONDS = 20.0
"""Time one file may take; the events not reached by then are skipped (not taken as gone) and named."""
_STEP = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
    "MONTHLY": timedelta(days=28),
    "YEARLY": timedelta(days=365),
}
_EXPANDING = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS")
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
    recurs: bool = False
    """A series is among its events: a later window may hold other occurrences of it."""
    ahead: datetime | None = None
    """The earliest start of a single event past the window: a later window holds it."""


def parse(data: bytes, zone: ZoneInfo, start: datetime, end: datetime, seconds: float = PARSE_SECONDS) -> Parsed:
    """Events overlapping [start, end), recurring series expanded within bounds; a broken event is skipped, not fatal."""
    deadline = time.monotonic() + seconds
    problems: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendars = icalendar.Calendar.from_ical(_prefer_tz_database(_utf8(data)), multiple=True)
    except _PARSE_ERRORS as exc:
        return Parsed([], [f"not a readable iCalendar file ({_short(exc)})"], readable=False)
    events: list[Event] = []
    skipped: set[str] = set()
    late = 0
    recurs, ahead = False, None
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
            if time.monotonic() > deadline:
                skipped.add(untrusted.line(uid, 500))
                late += 1
                continue
            try:
                expanded, problem, later = _expand(uid, components, timezones, zone, start, end)
            except _PARSE_ERRORS as exc:
                skipped.add(untrusted.line(uid, 500))
                problems.append(f"event {untrusted.line(uid, 80)!r} skipped ({_short(exc)})")
                continue
            events.extend(expanded)
            recurs = recurs or later is None
            ahead = min(filter(None, (ahead, later if later and later >= end else None)), default=None)
            if problem:
                problems.append(f"event {_name(uid, components)}: {problem}")
    if late:
        problems.append(f"reading took longer than {seconds:.0f} s: {late} events not read this time")
    return Parsed(events, problems, skipped=frozenset(skipped), recurs=recurs, ahead=ahead)


def _utf8(data: bytes) -> bytes:
    """iCalendar is UTF-8, but old exporters write Windows-1252: `Ren\xe9` is René, not a replacement mark."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8")
    return data


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


def _expand(
    uid: str, components: list[Any], timezones: list[Any], zone: ZoneInfo, start: datetime, end: datetime
) -> tuple[list[Event], str, datetime | None]:
    """The occurrences in the window, what was cut short (a series too dense to expand, or too many), and for a
    single event its start (None for a series: every window has its own occurrences)."""
    series = any("RRULE" in c or "RDATE" in c or "RECURRENCE-ID" in c for c in components)
    if not series:
        event = _event(uid, components[0], zone, None)
        return ([event] if event.end > start and event.start < end else []), "", event.start
    master = next((c for c in components if "RECURRENCE-ID" not in c), components[0])
    first = _instant(master.decoded("DTSTART"), zone)
    if _steps(master, first, end, zone) > STEP_LIMIT:
        return [], "repeats too often to expand, left out", None
    single = icalendar.Calendar()
    for part in (*timezones, *components):
        single.add_component(part)
    inside = _steps(master, max(first, start), end, zone)
    stop = end if inside <= INSTANCE_LIMIT else start + (end - start) * INSTANCE_LIMIT / inside
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        occurrences = recurring_ical_events.of(single).between(start, stop)
    kept = sorted(occurrences, key=lambda o: _instant(o.decoded("DTSTART"), zone))[:INSTANCE_LIMIT]
    events = [_event(uid, o, zone, _recurrence_id(o.get("RECURRENCE-ID"), zone)) for o in kept]
    return events, f"too many occurrences, only those until {stop:%Y-%m-%d %H:%M} read" if stop < end else "", None


def _steps(master: Any, since: datetime, end: datetime, zone: ZoneInfo) -> int:
    """An upper bound of the steps an expansion of the series' rules takes from `since` to `end` (or UNTIL)."""
    rules = master.get("RRULE") or []
    worst = 0
    for rule in rules if isinstance(rules, list) else [rules]:
        step = _STEP.get(str((rule.get("FREQ") or ["YEARLY"])[0]).upper(), _STEP["YEARLY"])
        interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
        until = rule.get("UNTIL")
        last = min(end, _instant(until[0], zone)) if until else end
        spread = 1
        for part in _EXPANDING:
            spread *= max(1, len(rule.get(part) or []))
        worst = max(worst, (max(last - since, timedelta()) // (step * interval) + 1) * spread)
    dates = master.get("RDATE") or []
    return worst + sum(len(getattr(d, "dts", ())) for d in (dates if isinstance(dates, list) else [dates]))


def _name(uid: str, components: list[Any]) -> str:
    summary = untrusted.line(str(components[0].get("SUMMARY", "")), 60)
    return f"{summary!r} ({untrusted.line(uid, 60)})" if summary else repr(untrusted.line(uid, 80))


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
        summary=untrusted.line(_values(component, "SUMMARY")[0], 500),
        description=_values(component, "DESCRIPTION")[0][:DESCRIPTION_LIMIT],
        location=untrusted.line(_values(component, "LOCATION")[0], 300),
        start=begin,
        end=max(finish, begin),
        all_day=all_day,
        status=_status(component),
        organizer=organizer,
        attendees=tuple(a for a in (_attendee(value) for value in attendees[:200]) if a),
        own_key=untrusted.line(component[KEY_PROPERTY], 64) if KEY_PROPERTY in component else None,
        link=untrusted.link(_values(component, "URL")[0]) or untrusted.link(_values(component, "LOCATION")[0]),
        language=_declared_language(component),
    )


def _declared_language(component: Any) -> str:
    """`SUMMARY;LANGUAGE=de-DE:…`: the tag's language, as far as it is a plain one."""
    for name in ("SUMMARY", "DESCRIPTION"):
        value = component.get(name)
        tag = str(getattr(value, "params", {}).get("LANGUAGE", "")).lower()
        base = tag.replace("_", "-").partition("-")[0]
        if base.isalpha() and 2 <= len(base) <= 3:
            return base
    return ""


def _values(component: Any, name: str) -> list[str]:
    """A text property's values; one that should occur once but was written twice is read as its first."""
    value = component.get(name, "")
    if not isinstance(value, list):
        return [str(value)]
    return [str(v) for v in value] or [""]


def _status(component: Any) -> str:
    """A cancellation counts wherever it was written, also in a STATUS given twice."""
    said = {untrusted.line(v, 20).upper() for v in _values(component, "STATUS")} - {""}
    return "CANCELLED" if "CANCELLED" in said else min(said, default="CONFIRMED")


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """Aware datetimes; all-day dates become local midnight (not UTC, which shifts the day)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, clock_time(), tzinfo=zone)
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
    """The error in a few plain characters: its text may quote the file, which is anyone's."""
    text = re.sub(r"[^ -~]+", "?", str(exc))[:80]
    return f"{type(exc).__name__}: {text}"


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
