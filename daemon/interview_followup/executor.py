"""Carrying out a planned change: journal, call the provider, journal; the only place the outside world changes.

A pass can be cut at any checkpoint and run again: the journal's *intended* record makes the
next pass look for what the cut call may have made, by its key, before making it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from . import mail
from .model import Kind, Person
from .planner import PAST, Change, Verb, digest
from .providers import Backend, Outcome, Stored
from .store import EffectRecord, State, Store


@dataclass(frozen=True)
class Action:
    """A line of a pass's report: what was done (or, in a dry run, would have been)."""

    verb: str
    step: str
    company: str
    detail: str

    def __str__(self) -> str:
        return f"{self.verb} {self.step.replace('_', ' ')} ({self.company or 'unknown employer'}): {self.detail}"

    @classmethod
    def of(cls, change: Change, zone: ZoneInfo, verb: str = "") -> Action:
        return cls(verb or PAST[change.verb], change.step, change.interview.company, change.detail(zone))


@dataclass
class Executor:
    store: Store
    backend: Backend
    me: Person
    zone: ZoneInfo
    checkpoint: Callable[[str], None] = lambda label: None

    def carry_out(self, change: Change, now: datetime, actions: list[Action], notices: list[str]) -> None:
        if change.verb is Verb.MARK_SENT:
            assert change.effect is not None
            self.store.journal(replace(change.effect, state=State.SENT), now)
            return
        if change.verb is Verb.ADOPT:
            self._adopt(change, now, actions, notices)
            return
        intent, call = self._intent(change)
        label = PAST[change.verb]
        self.checkpoint(f"{label}:{intent.key}:before-journal")
        self.store.journal(intent, now)
        self.checkpoint(f"{label}:{intent.key}:before-call")
        result = call()
        self.checkpoint(f"{label}:{intent.key}:after-call")
        if isinstance(result, Stored):
            final = replace(intent, state=State.DONE, ref=result.ref, fingerprint=result.fingerprint, thread=result.thread)
            actions.append(Action.of(change, self.zone, "found (already there)" if result.found else ""))
        elif result is Outcome.DONE or (result is Outcome.MISSING and intent.state is State.DELETING):
            final = replace(intent, state=State.DELETED)
            actions.append(Action.of(change, self.zone))
        elif result is Outcome.MODIFIED:
            final = replace(intent, state=State.KEPT)
            notices.append(f"left alone because you changed it: {intent.kind} {intent.step.replace('_', ' ')}")
        else:
            final = replace(intent, state=State.GONE)
        self.store.journal(final, now)
        self.checkpoint(f"{label}:{intent.key}:after-journal")

    def _adopt(self, change: Change, now: datetime, actions: list[Action], notices: list[str]) -> None:
        """A look, not a change: only its result is journalled (a cut-short look is simply looked again)."""
        step, interview = change.target, change.interview
        assert step is not None
        message_id = mail.message_id(step.key, self.me) if step.kind is Kind.DRAFT else None
        found = self.backend.find(step.kind, step.key, message_id or "")
        record = EffectRecord(step.key, interview.account, interview.id, step.name, step.kind.value, step.due, State.GONE)
        self.checkpoint(f"{PAST[change.verb]}:{step.key}:after-call")
        if isinstance(found, Stored):
            content = digest(change.entry) if change.entry else None
            record = replace(record, state=State.DONE, ref=found.ref, fingerprint=found.fingerprint, thread=found.thread)
            record = replace(record, content=content, message_id=message_id)
            actions.append(Action.of(change, self.zone))
        else:
            notices.append(f"not made again, as you had removed it before the state was lost: {change.kind.value} {step.name}")
        self.store.journal(record, now)
        self.checkpoint(f"{PAST[change.verb]}:{step.key}:after-journal")

    def _intent(self, change: Change) -> tuple[EffectRecord, Callable[[], Stored | Outcome]]:
        """The journal record to write before the call, and the call."""
        mailbox, calendar = self.backend.mailbox, self.backend.calendar
        if change.verb is Verb.DELETE:
            effect = change.effect
            assert effect is not None and effect.fingerprint is not None
            remove = mailbox.delete_draft if effect.kind == Kind.DRAFT.value else calendar.delete_entry
            expected = effect.fingerprint
            return replace(effect, state=State.DELETING), lambda: remove(effect.key, expected)
        step = change.target
        assert step is not None
        if change.verb is Verb.REWRITE:
            effect, draft = change.effect, change.draft
            assert effect is not None and effect.fingerprint is not None and draft is not None
            raw, expected = mail.build_draft(step.key, self.me, draft, step.materialize_at), effect.fingerprint
            rewriting = replace(effect, state=State.UPDATING, content=change.wording)
            return rewriting, lambda: mailbox.update_draft(step.key, raw, expected)
        if change.verb is Verb.UPDATE:
            effect, entry = change.effect, change.entry
            assert effect is not None and effect.fingerprint is not None and entry is not None
            expected = effect.fingerprint
            moved = replace(effect, state=State.UPDATING, due=step.due, content=digest(entry))
            return moved, lambda: calendar.update_entry(entry, step.materialize_at, expected)
        interview = change.interview
        intent = EffectRecord(step.key, interview.account, interview.id, step.name, step.kind.value, step.due, State.INTENDED)
        if change.draft is not None:
            raw = mail.build_draft(step.key, self.me, change.draft, step.materialize_at)
            resumed = change.resumed
            intent = replace(intent, message_id=mail.message_id(step.key, self.me), content=change.wording)
            return intent, lambda: mailbox.create_draft(step.key, raw, step.materialize_at, resumed)
        entry = change.entry
        assert entry is not None
        return replace(intent, content=digest(entry)), lambda: calendar.create_entry(entry, step.materialize_at)
