"""A throw-away calendar and mailbox, so a person can see what the daemon makes before trusting it."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

DEMO_CONFIG = """\
me:
  name: Sam Lee
  addresses: [sam.lee@example.net]
  signature: |
    Sam Lee · 12 Elm Street, Springfield · +1 555 0100 · sam.lee@example.net
accounts:
  - name: demo
    type: local
    calendar: {root}/calendar
    followup_calendar: {root}/followups
    inbox: {root}/Mail/INBOX
    drafts: {root}/Mail/Drafts
state_dir: {root}/state
"""

_EVENT = """\
BEGIN:VEVENT
UID:{uid}
DTSTAMP:{stamp}
DTSTART:{start}
DTEND:{end}
SUMMARY:{summary}
DESCRIPTION:{description}
{people}END:VEVENT
"""


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def make(now: datetime, root: Path | None = None) -> Path:
    """Write the demo files and return the config path."""
    root = root or Path(tempfile.mkdtemp(prefix="interview-followup-demo-"))
    for folder in ("calendar", "followups", "Mail/INBOX/new", "Mail/INBOX/cur", "Mail/INBOX/tmp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    ended = now - timedelta(minutes=10)
    people = (
        "ORGANIZER;CN=Priya Raman:mailto:priya.raman@northwind-robotics.com\n"
        "ATTENDEE;CN=Priya Raman;PARTSTAT=ACCEPTED:mailto:priya.raman@northwind-robotics.com\n"
        "ATTENDEE;CN=Tom Becker;PARTSTAT=ACCEPTED:mailto:tom.becker@northwind-robotics.com\n"
        "ATTENDEE;CN=Sam Lee;PARTSTAT=ACCEPTED:mailto:sam.lee@example.net\n"
        "ATTENDEE;CN=Boardroom 4;CUTYPE=ROOM:mailto:c_1888@resource.calendar.google.com\n"
    )
    events = [
        _EVENT.format(
            uid="demo-interview-1",
            stamp=_ics_time(now),
            start=_ics_time(ended - timedelta(hours=1)),
            end=_ics_time(ended),
            summary="Northwind Robotics - Onsite interview for Firmware Engineer",
            description="Panel with Priya (hiring manager) and Tom.\\nnote: We talked about the drone-delivery pilot in Lisbon.",
            people=people,
        ),
        _EVENT.format(
            uid="demo-dentist",
            stamp=_ics_time(now),
            start=_ics_time(now + timedelta(days=1)),
            end=_ics_time(now + timedelta(days=1, hours=1)),
            summary="Dentist",
            description="",
            people="",
        ),
        _EVENT.format(
            uid="demo-mock",
            stamp=_ics_time(now),
            start=_ics_time(now - timedelta(days=1)),
            end=_ics_time(now - timedelta(days=1) + timedelta(hours=1)),
            summary="Mock interview with a friend",
            description="",
            people="",
        ),
    ]
    body = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//interview-followup//demo//EN\n" + "".join(events) + "END:VCALENDAR\n"
    (root / "calendar" / "personal.ics").write_text(body.replace("\n", "\r\n"))
    config = root / "config.yaml"
    config.write_text(DEMO_CONFIG.format(root=root))
    return config
