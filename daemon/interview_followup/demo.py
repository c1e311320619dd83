"""A throw-away calendar and mailbox, so a person can see what the daemon makes before trusting it."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

DEMO_CONFIG = """\
me:
  name: Sam Lee
  addresses: [sam.lee@example.net]
  timezone: America/Chicago
  signature: |
    Sam Lee · 12 Elm Street, Springfield · +1 555 0100 · sam.lee@example.net
  references:
    - name: Jo Park
      email: jo.park@example.com
      phone: +1 555 0199
      about: former manager at Initech
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


NOTE = "I enjoyed hearing about the drone-delivery pilot in Lisbon."
"""What the demo's person remembers after the interview, added with `note` as they would."""


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def make(now: datetime, root: Path | None = None) -> Path:
    """Write the demo files and return the config path."""
    root = root or Path(tempfile.mkdtemp(prefix="interview-followup-demo-"))
    for folder in ("calendar", "followups", "Mail/INBOX/new", "Mail/INBOX/cur", "Mail/INBOX/tmp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    ended = now - timedelta(minutes=10)
    people = (
        "ORGANIZER;CN=Maya Okafor:mailto:maya.okafor@northwind-robotics.com\n"
        "ATTENDEE;CN=Maya Okafor;ROLE=NON-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:maya.okafor@northwind-robotics.com\n"
        'ATTENDEE;CN="Raman, Priya";PARTSTAT=ACCEPTED:mailto:priya.raman@northwind-robotics.com\n'
        "ATTENDEE;CN=TOM BECKER;PARTSTAT=ACCEPTED:mailto:tom.becker@northwind-robotics.com\n"
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
            description="You will meet Priya Raman (Hiring Manager\\, +1 312 555 0142) and Tom Becker (Embedded Lead).\\n"
            "Maya Okafor | Recruiting Coordinator",
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
