"""One pass over an account: gather (read changes and judge them), plan, then act.

Gathering only reads the providers and records what it judged in the store; `planner` decides
the list of changes from that record alone, and `executor` carries it out, journalled before and
after each call, so the pass can be cut anywhere and run again with the same result.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone

from . import detect, ics, mail, phones, planner, playbook, replies
from .config import Account, Config
from .executor import Action, Executor
from .model import Event, InboundMessage, Interview, Person, interview_id
from .providers import Backend, CalendarChanges, Outcome, SentQuery, Stored, Window
from .providers.registry import open_backend
from .steps import STEPS, StepRow
from .store import EffectRecord, InterviewRecord, Store
from .templates import Templates

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=100)
"""Interviews older than this are history: the longest default step (two months) fits inside."""
LOOKAHEAD = timedelta(days=90)
FORGET_AFTER = timedelta(days=7)
"""Messages are kept this long past the look-back window (mail is read from a day before the earliest
interview in it), then forgotten."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Report:
    account: str
    actions: list[Action] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    """What the person should know: new interviews, stops, skipped broken input."""


def settings_from(config: Config, table: tuple[StepRow, ...] = STEPS) -> playbook.Settings:
    return playbook.Settings(
        config.playbook.steps, config.zone, config.workdays, config.playbook.entry_minutes, table
    )


class Engine:
    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        clock: Callable[[], datetime] = utc_now,
        checkpoint: Callable[[str], None] = lambda label: None,
        should_stop: Callable[[], bool] = lambda: False,
        dry_run: bool = False,
        backends: dict[str, Backend] | None = None,
        table: tuple[StepRow, ...] = STEPS,
    ) -> None:
        self.config = config
        self.store = store.snapshot() if dry_run else store
        self.clock = clock
        self.checkpoint = checkpoint
        self.should_stop = should_stop
        self.dry_run = dry_run
        self.rules = detect.rules_from(config)
        self.settings = settings_from(config, table)
        self.templates = Templates.from_config(config, table)
        self._backends = backends or {}
        self._me = Person(config.me.addresses[0] if config.me.addresses else "", config.me.name)
        self._quiet: dict[str, _Quiet] = {}

    def backend(self, account: Account) -> Backend:
        if account.name not in self._backends:
            self._backends[account.name] = open_backend(account, self.config)
        return self._backends[account.name]

    def forget(self, account: Account) -> None:
        """Drop an account's open connection, so that the next pass signs in afresh."""
        self._backends.pop(account.name, None)

    def run(self, account: Account) -> Report:
        """A bounded pass over one account; safe to repeat at any time."""
        report = Report(account.name)
        now = self.clock()
        backend = self.backend(account)
        judged_by = _digest_of(self.rules)
        if self.store.cursor(account.name, "rules") != judged_by:  # new keywords or addresses: judge every event again
            self.store.set_cursor(account.name, "calendar", "")
            self.store.set_cursor(account.name, "rules", judged_by)
        new_interviews = self._sync_calendar(account, backend, now, report)
        self._sync_mail(account, backend, now, new_interviews, report)
        self._reconcile(account, backend, now, report)
        return report

    # 1. calendar -------------------------------------------------------------------------
    def _sync_calendar(self, account: Account, backend: Backend, now: datetime, report: Report) -> set[str]:
        """Record the interviews among the changed events; returns the ids of those seen for the first time."""
        window = Window(now - LOOKBACK, now + LOOKAHEAD)
        changes = _bounded(backend.calendar.changes(self.store.cursor(account.name, "calendar"), window))
        for problem in changes.problems:
            log.warning("%s: %s", account.name, problem)
            report.notices.append(f"skipped: {problem}")
        if not (changes.events or changes.replaced_sources or changes.removed):
            self.store.set_cursor(account.name, "calendar", changes.cursor)
            return set()
        known = {r.interview.id: r for r in self.store.interviews(account.name, learned=False)}
        present: set[str] = set()
        new: set[str] = set()
        changed = {event.identity for _, event in changes.events}
        with self.store.transaction():
            for source, event in changes.events:
                verdict = detect.detect(event, self.rules)
                if not verdict.interview:
                    continue
                interview = Interview(
                    id=interview_id(account.name, event.identity),
                    account=account.name,
                    event=event,
                    employer=verdict.employer,
                    company=verdict.company,
                    role=verdict.role,
                    interviewers=verdict.interviewers,
                    reasons=verdict.reasons,
                    note=verdict.note,
                    decision_date=verdict.decision_date,
                    suggestion=verdict.suggestion,
                    contacts=verdict.contacts,
                    informational=verdict.informational,
                    coordinators=verdict.coordinators,
                    language=verdict.language,
                    doubt=verdict.doubt,
                )
                present.add(interview.id)
                previous = known.get(interview.id)
                if previous is None or previous.interview != interview or previous.cancelled_at:
                    self.store.save_interview(interview, source, now)
                if previous is None:
                    new.add(interview.id)
                    report.notices.append(f"new interview: {_describe(interview, self.config)}")
            for record in known.values():
                start, event = record.interview.start, record.interview.event
                listed_without = (
                    record.source in changes.replaced_sources
                    and record.interview.id not in present
                    and event.uid not in changes.unreadable
                    and window.start <= start < window.end
                )
                no_longer = event.identity in changed and record.interview.id not in present
                removed = not changes.removed.isdisjoint({event.identity, event.uid, event.ref})
                if (listed_without or no_longer or removed) and record.cancelled_at is None:
                    self.store.cancel_interview(record.interview.id, now)
                    report.notices.append(f"interview cancelled or removed: {_describe(record.interview, self.config)}")
            self.store.set_cursor(account.name, "calendar", changes.cursor)
        return new

    # 2. mail -----------------------------------------------------------------------------
    def _sync_mail(self, account: Account, backend: Backend, now: datetime, new_interviews: set[str], report: Report) -> None:
        active = [
            r for r in self.store.interviews(account.name) if r.cancelled_at is None and r.interview.start >= now - LOOKBACK
        ]
        if not active:
            return
        since = min(r.interview.start for r in active) - timedelta(days=1)
        reached = self.store.cursor(account.name, "mail_since")
        cursor = self.store.cursor(account.name, "mail")
        if reached and since < datetime.fromisoformat(reached):  # an earlier interview came to light: read back to it
            cursor = None
        ours = self.store.our_message_ids(account.name)
        interviews = [r.interview for r in active]
        changes = backend.mailbox.changes(
            cursor,
            since,
            lambda key: self.store.seen_message(account.name, key),
            lambda headers: replies.worth_reading(headers, interviews, ours, self.config.me.addresses),
        )
        for problem in changes.problems:
            log.warning("%s: %s", account.name, problem)
            report.notices.append(f"skipped: {problem}")
        stopped = {r.interview.id for r in active if r.stopped_at is not None}
        with self.store.transaction():
            for message in sorted(changes.messages, key=lambda m: m.received):  # the earliest answer sets the stop
                verdict = replies.classify(message, self.config.me.addresses)
                decisions = replies.judge(message, verdict, interviews, ours)
                self.store.record_message(
                    account.name, message, verdict.kind.value, [*verdict.reasons, *(d.reason for d in decisions)], now
                )
                if verdict.kind is replies.MessageKind.HUMAN:
                    self._learn_phone(account, message, interviews, now, report)
                self._apply(message, decisions, stopped, report)
            if new_interviews:  # mail and calendar sync separately: an answer may have come in first
                fresh = [i for i in interviews if i.id in new_interviews]
                for message in self.store.human_messages(account.name, since):
                    self._apply(message, replies.judge(message, _HUMAN, fresh, {}), stopped, report)
            if changes.messages:
                self.store.forget_messages(now - LOOKBACK - FORGET_AFTER)
            self.store.set_cursor(account.name, "mail", changes.cursor)
            self.store.set_cursor(account.name, "mail_since", since.isoformat())

    def _learn_phone(
        self, account: Account, message: InboundMessage, interviews: list[Interview], now: datetime, report: Report
    ) -> None:
        """A number in the signature of someone a reminder names: the check-ins and the call back can offer it."""
        sender = message.sender.email if message.sender else ""
        named = any(p.email == sender for i in interviews for p in (*i.interviewers, *i.coordinators, *i.contacts))
        phone = phones.in_signature(message.body, self.rules.region) if named else ""
        if phone and self.store.learn_phone(account.name, sender, phone, now):
            report.notices.append(f"phone number of {sender} from their mail signature: {phone}")

    def _apply(self, message: InboundMessage, decisions: list[replies.Decision], stopped: set[str], report: Report) -> None:
        """Record what a message changes; each interview is stopped once, by the earliest answer."""
        for decision in decisions:
            interview, what = decision.interview, _describe(decision.interview, self.config)
            if decision.stop and interview.id not in stopped:
                stopped.add(interview.id)
                why = f"{decision.reason}: {message.subject!r} received {message.received:%Y-%m-%d %H:%M}"
                self.store.stop_interview(interview.id, message.received, why)
                reads = f"; it reads as: {decision.suggests.value}" if decision.suggests else ""
                if decision.suggests:
                    self.store.set_outcome(interview.id, decision.suggests, confirmed=False)
                report.notices.append(f"employer replied, follow-ups stopped: {what} ({decision.reason}{reads})")
            if decision.away_until and self.store.set_away(interview.id, decision.away_until):
                report.notices.append(f"out of office until {decision.away_until:%a %d %b}, check-ins wait: {what}")
            for address in decision.bounced:
                if self.store.record_bounce(interview.id, address, message.received, decision.reason):
                    report.notices.append(f"mail to {address} bounced, check the address: {what}")

    # 3 + 4. plan, then act ----------------------------------------------------------------
    def plan(self, account: Account, backend: Backend, now: datetime) -> list[planner.Change]:
        """The changes this pass makes; asking which drafts went out is the one read it needs."""
        basis = (self.store.version(), self.templates.version())
        quiet = self._quiet.pop(account.name, None)
        answered: tuple[tuple[SentQuery, ...], set[str]] | None = None
        if quiet and quiet.holds(basis, now):
            answered = (quiet.queries, _sent(backend, quiet.queries))
            if answered[1] == quiet.sent:
                self._quiet[account.name] = quiet
                return []
        records = [r for r in self.store.interviews(account.name) if r.interview.end >= now - LOOKBACK]
        journal = {r.interview.id: self.store.effects(interview_id=r.interview.id) for r in records}
        asked = tuple(planner.sent_questions(records, journal, now, self.settings))
        sent = answered[1] if answered and answered[0] == asked else _sent(backend, asked)
        plans = planner.plan(records, journal, sent, now, self.settings, self.templates, rebuilt_states(self.store))
        todo = planner.changes(plans)
        if self.store.cursor(account.name, LIFE) is None:
            return self._first_life(account, backend, now, todo, records, journal, sent)
        if not todo and not self.dry_run:
            moments = [r.interview.end + LOOKBACK for r in records]
            until = min(filter(None, [planner.steady_until(plans, journal, self.settings, now), *moments]), default=None)
            self._quiet[account.name] = _Quiet(basis, now, until, asked, frozenset(sent))
        return todo

    def _first_life(
        self,
        account: Account,
        backend: Backend,
        now: datetime,
        todo: list[planner.Change],
        records: list[InterviewRecord],
        journal: dict[str, dict[str, EffectRecord]],
        sent: set[str],
    ) -> list[planner.Change]:
        """The first pass of a state with nothing recorded for this account: a first install, or a state that was
        lost. Traces of what an earlier state made (our items at the provider, or their deletion) tell which,
        before anything is made; the answer is kept, so a pass cut short asks the same question again."""
        if self.store.effects(account.name):
            life = "kept"
        else:
            creates = [c for c in todo if c.verb is planner.Verb.CREATE and c.target is not None]
            life = f"rebuilt {now.isoformat()}" if any(_traces(backend, c, self._me) for c in creates) else "first"
        if not self.dry_run:
            self.store.set_cursor(account.name, LIFE, life)
        if not life.startswith("rebuilt"):
            return todo
        plans = planner.plan(records, journal, sent, now, self.settings, self.templates, {account.name: now})
        return planner.changes(plans)

    def _reconcile(self, account: Account, backend: Backend, now: datetime, report: Report) -> None:
        todo = self.plan(account, backend, now)
        if self.dry_run:
            zone = self.settings.zone
            report.actions.extend(Action.of(c, zone, f"would have {planner.PAST[c.verb]}") for c in todo)
            return
        executor = Executor(self.store, backend, self._me, self.settings.zone, self.checkpoint)
        for change in todo:
            if self.should_stop():
                return
            executor.carry_out(change, now, report.actions, report.notices)


def _sent(backend: Backend, queries: tuple[SentQuery, ...]) -> set[str]:
    """Which of the asked-about drafts went out; no question, no request."""
    return backend.mailbox.sent(list(queries)) if queries else set()


@dataclass(frozen=True)
class _Quiet:
    """A plan with nothing to do, and what it rested on: while the state and the templates are as they were, the
    same drafts are sent and no step's time has come, the next plan is empty too, and an idle pass skips it."""

    basis: tuple[object, ...]
    since: datetime
    until: datetime | None
    queries: tuple[SentQuery, ...]
    sent: frozenset[str]

    def holds(self, basis: tuple[object, ...], now: datetime) -> bool:
        return basis == self.basis and self.since <= now and (self.until is None or now < self.until)


LIFE = "life"
"""The cursor that says how this state began for an account: `first`, `kept` (it had records), or
`rebuilt <when>` (it was lost; what was due before <when> is only looked for, never made again)."""


def rebuilt_states(store: Store) -> dict[str, datetime]:
    """By account, when its state was found lost and begun again."""
    return {
        account: datetime.fromisoformat(value.removeprefix("rebuilt "))
        for account, value in store.cursors(LIFE).items()
        if value.startswith("rebuilt ")
    }


def _traces(backend: Backend, change: planner.Change, me: Person) -> bool:
    """Whether the provider holds what this change would make, or remembers that it was deleted."""
    step = change.target
    assert step is not None
    found = backend.find(step.kind, step.key, mail.message_id(step.key, me))
    return isinstance(found, Stored) or found is Outcome.REMOVED


def _digest_of(rules: detect.Rules) -> str:
    """The same for the same rules in any process (sets are sorted: their order is not)."""
    parts = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in asdict(rules).items()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _bounded(changes: CalendarChanges) -> CalendarChanges:
    """At most `ics.INSTANCE_LIMIT` occurrences of one series, whichever backend expanded it."""
    counts: Counter[str] = Counter()
    kept: list[tuple[str, Event]] = []
    for source, event in changes.events:
        counts[event.uid] += 1
        if counts[event.uid] <= ics.INSTANCE_LIMIT:
            kept.append((source, event))
    cut = {uid for uid, n in counts.items() if n > ics.INSTANCE_LIMIT}
    if not cut:
        return changes
    said = [f"event {uid[:80]!r}: more than {ics.INSTANCE_LIMIT:,} occurrences, the rest not read" for uid in sorted(cut)]
    return replace(changes, events=kept, problems=[*changes.problems, *said], unreadable=changes.unreadable | cut)


_HUMAN = replies.Classification(replies.MessageKind.HUMAN, ("judged human when it arrived",))


def _describe(interview: Interview, config: Config) -> str:
    local = interview.start.astimezone(config.zone)
    who = interview.company or interview.employer or "unknown employer"
    return f"{who} on {local:%a %d %b %Y %H:%M} ({interview.event.summary!r})"
