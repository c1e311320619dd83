"""The domain: what the core reasons about, free of any provider's or storage's shape."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum


@dataclass(frozen=True)
class Person:
    email: str
    name: str = ""
    phone: str = field(default="", kw_only=True)
    about: str = field(default="", kw_only=True)
    """What the invitation says of them: `hiring manager`, `Head of Data`."""

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


@dataclass(frozen=True)
class Attendee(Person):
    partstat: str = "NEEDS-ACTION"
    cutype: str = "INDIVIDUAL"
    role: str = "REQ-PARTICIPANT"


@dataclass(frozen=True)
class Event:
    """One calendar event occurrence, time-zone aware, as any backend reports it."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    recurrence_id: str | None = None
    description: str = ""
    location: str = ""
    all_day: bool = False
    status: str = "CONFIRMED"
    organizer: Person | None = None
    attendees: tuple[Attendee, ...] = ()
    own_key: str | None = None
    """Set when this program created the event (its effect key)."""
    ref: str | None = None
    """The provider's own id, where a deletion is reported by that id rather than by the UID."""
    link: str = ""
    """Where the person can open the event (the provider's page for it, or the invitation's URL)."""
    language: str = ""
    """The language the invitation declares for its text (iCalendar's LANGUAGE parameter), when it does."""

    @property
    def identity(self) -> str:
        """Stable across moves: the provider's id plus the recurrence instance."""
        return f"{self.uid}/{self.recurrence_id}" if self.recurrence_id else self.uid


@dataclass(frozen=True)
class Interview:
    """An event the detector judged to be one of the user's job interviews."""

    id: str
    account: str
    event: Event
    employer: str | None
    company: str
    role: str
    interviewers: tuple[Person, ...]
    reasons: tuple[str, ...] = ()
    note: str = ""
    decision_date: date | None = None
    suggestion: str = ""
    """Lines of the invitation that look like a note or decision date, written by someone else."""
    contacts: tuple[Person, ...] = ()
    """Shared mailboxes on the invitation: never thanked, written to when no person is known."""
    informational: bool = False
    """An informational interview: thanks, but no asking about a decision."""
    coordinators: tuple[Person, ...] = ()
    """People who organised the interview without taking part: thanked for arranging it, and asked about the status."""
    language: str = ""
    """What the invitation is written in (`language.detect`), when it says clearly."""
    doubt: str = ""
    """Why detection is unsure it is an interview (the person is told once), or empty."""

    @property
    def start(self) -> datetime:
        return self.event.start

    @property
    def end(self) -> datetime:
        return self.event.end


@dataclass(frozen=True)
class Invite:
    """The calendar object inside an invitation or a reply to one (iMIP, RFC 6047)."""

    method: str
    uid: str = ""
    start: date | None = None
    organizer: str = ""


@dataclass(frozen=True)
class Returned:
    """What a delivery report says about the message it returns."""

    failed: tuple[str, ...] = ()
    """Recipients whose delivery failed for good (DSN ``Action: failed``, ``X-Failed-Recipients``)."""
    delayed: bool = False
    """Only a delay: the mail system is still trying."""
    original_ids: tuple[str, ...] = ()
    original_recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class InboundMessage:
    """The parts of a received message that reply classification looks at."""

    key: str
    sender: Person | None
    subject: str
    received: datetime
    message_id: str = ""
    reply_to: tuple[Person, ...] = ()
    recipients: tuple[Person, ...] = ()
    in_reply_to: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    """Lower-cased header names; only the ones classification needs."""
    content_type: str = "text/plain"
    report_type: str = ""
    body: str = ""
    """A bounded plain-text excerpt of the body."""
    date: datetime | None = None
    """The sender's Date header: trusted only for the user's own mail."""
    thread: str = ""
    """The provider's conversation id, where it has one."""
    invite: Invite | None = None
    returned: Returned = Returned()


class Answer(str, Enum):
    """How an application came out: the person says it (`replied --outcome`), or the judging suggests it."""

    OFFER = "offer"
    REJECTED = "rejected"
    NEXT_ROUND = "next-round"
    WITHDRAWN = "withdrawn"
    OTHER = "other"


class Kind(str, Enum):
    """What the playbook asks a backend to make."""

    DRAFT = "draft"
    ENTRY = "entry"


@dataclass(frozen=True)
class Draft:
    """A rendered draft, ready to be built into a message."""

    to: Person
    subject: str
    body: str


@dataclass(frozen=True)
class EntryPayload:
    """A follow-up calendar entry, ready for any backend."""

    key: str
    title: str
    description: str
    start: datetime
    end: datetime


def interview_id(account: str, identity: str) -> str:
    return hashlib.sha256(f"{account}\0{identity}".encode()).hexdigest()[:10]
