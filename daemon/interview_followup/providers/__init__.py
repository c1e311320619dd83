"""The two small protocols every backend implements, and what a backend registers under its `type`.

Writes are idempotent by effect key: creating something that already exists returns it, so a
retry after a crash never duplicates. Changing or deleting takes the fingerprint we last saw
and refuses (``Outcome.MODIFIED``) when the user has changed the item since.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..model import EntryPayload, Event, InboundMessage, Kind
from ..schema import AccountSettings

if TYPE_CHECKING:
    from ..config import Config

class Unavailable(Exception):
    """A backend that may work next time (a server down, no network after a suspend)."""


class SignInNeeded(Exception):
    """The login was revoked or has expired: nothing works until the person signs in again."""

    def __init__(self, command: str, detail: str, token: Path | None = None) -> None:
        super().__init__(f"needs sign-in ({detail}): run `{command}`")
        self.token = token
        """The file whose change means the person signed in again."""


@dataclass(frozen=True)
class Stored:
    """Where an item we made lives at the provider, and a fingerprint of its current content."""

    ref: str
    fingerprint: str
    thread: str | None = None
    found: bool = False
    """It was there already (made by an earlier pass whose journal was lost or cut short): adopted, not made."""


class Outcome(str, Enum):
    DONE = "done"
    MISSING = "missing"
    MODIFIED = "modified"
    REMOVED = "removed"
    """Not there, but the provider remembers it was deleted (Google's cancelled events, Outlook's Deleted Items)."""


@dataclass(frozen=True)
class CalendarChanges:
    events: list[tuple[str, Event]]
    """(source, event) for every event in the sources that changed."""
    replaced_sources: set[str]
    """Sources listed in full: an interview from one of them that is absent is gone."""
    cursor: str
    problems: list[str] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)
    """UIDs that could not be read this time: not evidence that they were removed."""
    removed: set[str] = field(default_factory=set)
    """Identities, UIDs of whole series or provider ids (`Event.ref`) reported deleted or cancelled by an incremental sync."""


@dataclass(frozen=True)
class MailChanges:
    messages: list[InboundMessage]
    cursor: str
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Window:
    """The span of time whose events matter: recent interviews and those coming up."""

    start: datetime
    end: datetime


class Calendar(Protocol):
    def changes(self, cursor: str | None, window: Window) -> CalendarChanges: ...

    def create_entry(self, entry: EntryPayload, stamp: datetime) -> Stored: ...

    def update_entry(self, entry: EntryPayload, stamp: datetime, expected: str) -> Stored | Outcome: ...

    def delete_entry(self, key: str, expected: str) -> Outcome: ...

    def find_entry(self, key: str) -> Stored | Outcome:
        """The entry made under this key, if it is there; `REMOVED` where a deletion left a trace; never makes one."""
        ...


@dataclass(frozen=True)
class SentQuery:
    """One of our drafts: has the person sent it?"""

    key: str
    message_id: str
    recipient: str
    since: datetime
    ref: str = ""
    thread: str = ""


@dataclass(frozen=True)
class SentMail:
    """A message that appeared among the person's sent mail: enough to tell which of our drafts it was."""

    to: tuple[str, ...]
    message_id: str
    key: str
    thread: str
    at: float
    """When it was sent, in POSIX seconds."""

    def answers(self, query: SentQuery) -> bool:
        """It carries the draft's key, Message-ID or thread, or went to the draft's recipient after the draft
        was made (a subject edited before sending may start a new thread and drop our headers)."""
        if query.key == self.key or (query.message_id and query.message_id == self.message_id):
            return True
        if query.thread and query.thread == self.thread:
            return True
        return query.recipient in self.to and self.at >= query.since.timestamp()

    @staticmethod
    def load(items: list[dict[str, Any]]) -> list[SentMail]:
        return [SentMail(**{**item, "to": tuple(item["to"])}) for item in items]


SENT_KEPT = 200
"""How many recently sent messages a mail cursor remembers, for telling which thank-you notes went out."""


class Mailbox(Protocol):
    def changes(
        self, cursor: str | None, since: datetime, known: Callable[[str], bool], worth_reading: Callable[[InboundMessage], bool]
    ) -> MailChanges:
        """New inbound mail since the cursor. A backend that can fetch a message's headers more cheaply than
        the whole message reads the whole only when `worth_reading` says so of the headers."""
        ...

    def create_draft(self, key: str, raw: bytes, stamp: datetime, resumed: bool = False) -> Stored:
        """Make the draft, or find the one made before under this key. `resumed`: an earlier pass was cut
        short around this very create, so the draft may exist though a search does not show it yet."""
        ...

    def delete_draft(self, key: str, expected: str) -> Outcome: ...

    def find_draft(self, key: str, message_id: str) -> Stored | Outcome:
        """The draft made under this key (or carrying its Message-ID), if it is there; never makes one."""
        ...

    def update_draft(self, key: str, raw: bytes, expected: str) -> Stored | Outcome:
        """Replace the draft's text while it is as we last saw it (`expected`); an edited one is `MODIFIED`."""
        ...

    def sent(self, drafts: list[SentQuery]) -> set[str]:
        """The keys of those drafts that were sent (a message with their Message-ID or key, or to their
        recipient since then, is among the sent mail)."""
        ...


@dataclass
class Backend:
    calendar: Calendar
    mailbox: Mailbox

    def find(self, kind: Kind, key: str, message_id: str) -> Stored | Outcome:
        """What was made under this key, of either kind, looked for without making anything."""
        return self.mailbox.find_draft(key, message_id) if kind is Kind.DRAFT else self.calendar.find_entry(key)


@dataclass(frozen=True)
class SignIn:
    """`interview-followup auth TYPE`: its help line, its options, and the sign-in itself."""

    help: str
    options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Any, Config, argparse.Namespace], str]
    """Signs the account in; returns what to tell the person."""


@dataclass(frozen=True)
class BackendType:
    """What a `type:` of account is: its settings, how to open it, what `check` says of it, how to sign in."""

    name: str
    account: type[AccountSettings]
    open: Callable[[Any, Config], Backend]
    problems: Callable[[Any, Config], list[tuple[str, str]]]
    """(key, problem) for what a first pass would fail on, found without the network."""
    sign_in: SignIn | None = None
    drafts_link: str | None = None
    """Where the person's drafts are on the web: a notice's button opens it."""

