"""What the person should hear about without looking, and how to tell them once.

`due` is a pure function of the state: each notice has a key, and the daemon shows a key once
(the state remembers it), so an idle pass or a restart repeats nothing. Only what happened in the
last `RECENT` is told: after an upgrade or a long absence, old news stays in `status`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from . import untrusted
from .steps import StepName
from .store import MARKED_ANSWERED, Bounce, EffectRecord, InterviewRecord, State

RECENT = timedelta(days=7)
THANKS = {StepName.THANK_YOU, StepName.THANKS_FOR_ARRANGING}


class Action(str, Enum):
    """What the notice's button does, where the desktop shows buttons."""

    OPEN_DRAFTS = "open-drafts"
    STATUS = "status"


@dataclass(frozen=True)
class Notice:
    key: str
    """What it is about, and which: `drafts:`, `answered:`, `bounced:`, `sign-in:` or `unsure:` and an id."""
    title: str
    body: str
    """Plain text; the sender escapes it for servers that read markup."""
    account: str
    action: Action = Action.STATUS


@dataclass(frozen=True)
class Facts:
    """What `due` looks at, read from the store by the daemon."""

    records: list[InterviewRecord]
    effects: Mapping[str, Iterable[EffectRecord]]
    """By interview id."""
    bounces: Mapping[str, list[Bounce]]
    """By interview id."""
    sign_in: Mapping[str, tuple[str, datetime]]
    """By account: the problem and since when."""


def due(facts: Facts, now: datetime) -> list[Notice]:
    """Every notice the state calls for now; the daemon leaves out the keys it has shown."""
    found = [
        Notice(f"sign-in:{account}:{since.isoformat()}", f"Sign-in needed: {account}", problem, account)
        for account, (problem, since) in sorted(facts.sign_in.items())
    ]
    for record in facts.records:
        key = record.interview.id
        found.extend(_about(record, list(facts.effects.get(key, ())), facts.bounces.get(key, []), now))
    return found


def _about(record: InterviewRecord, effects: list[EffectRecord], bounces: list[Bounce], now: datetime) -> list[Notice]:
    interview = record.interview
    if record.cancelled_at:
        return []
    company = untrusted.line(interview.company or interview.employer or "the employer", 80)
    recent = now - RECENT
    found = []
    if interview.doubt and record.first_seen >= recent:
        said = f"{untrusted.line(interview.event.summary, 120)} ({interview.start:%a %d %b %H:%M}): {interview.doubt}."
        body = f"{said} Follow-ups are planned for it; if it is not an interview, add a word of its title to"
        body += " detection.exclude_keywords in your configuration."
        found.append(Notice(f"unsure:{interview.id}", f"Is this an interview? {company}", body, interview.account))
    ready = [e for e in effects if e.step in THANKS and e.state in (State.DONE, State.UPDATING) and e.due >= recent]
    if ready:
        count = f"{len(ready)} thank-you notes are" if len(ready) > 1 else "A thank-you note is"
        body = f"{count} in your Drafts folder. Read, change what you like, and send."
        title = f"Thank-you notes ready: {company}"
        found.append(Notice(f"drafts:{interview.id}", title, body, interview.account, Action.OPEN_DRAFTS))
    if record.stopped_at and record.stopped_at >= recent and record.stop_reason != MARKED_ANSWERED:
        reads = f" It reads as: {record.outcome.value}." if record.outcome and not record.outcome_confirmed else ""
        body = f"The follow-ups stopped.{reads} {untrusted.line(record.stop_reason or '', 300)}"
        found.append(Notice(f"answered:{interview.id}", f"{company} answered", body.strip(), interview.account))
    for bounce in bounces:
        if bounce.received >= recent:
            body = f"Mail to {bounce.address} came back. Check the address before you write again."
            key = f"bounced:{interview.id}:{bounce.address}"
            found.append(Notice(key, f"A thank-you note bounced: {company}", body, interview.account))
    return found


def markup(text: str) -> str:
    """Notification servers that read markup take `<a href>` and `<b>`: text from an invitation must not."""
    return html.escape(text, quote=False)
