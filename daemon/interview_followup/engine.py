"""One pass over an account: read changes, judge them, plan, and make the difference real.

Only `_create`, `_update` and `_delete` touch the outside world, and each is journalled in the
store before and after, so the pass can be cut anywhere and run again with the same result.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone

from . import detect, ics, mail, playbook, replies
from .config import Account, Config
from .model import EntryPayload, Event, InboundMessage, Interview, Kind, Person, Step, interview_id
from .providers import Backend, CalendarChanges, Outcome, SentQuery, Stored, Window, open_backend
from .store import EffectRecord, InterviewRecord, State, Store
from .templates import Templates

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=100)
"""Interviews older than this are history: the longest default step (two months) fits inside."""
LOOKAHEAD = timedelta(days=90)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Action:
    verb: str
    step: str
    company: str
    detail: str

    def __str__(self) -> str:
        return f"{self.verb} {self.step.replace('_', ' ')} ({self.company or 'unknown employer'}): {self.detail}"


@dataclass
class Report:
    account: str
    actions: list[Action] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    """What the person should know: new interviews, stops, skipped broken input."""


def rules_from(config: Config) -> detect.Rules:
    return detect.Rules(
        me=frozenset(config.me.addresses),
        employer_domains=frozenset(config.me.employer_domains),
        keywords=tuple(config.detection.keywords),
        exclude_keywords=tuple(config.detection.exclude_keywords),
        exclude_domains=frozenset(d.lower() for d in config.detection.exclude_domains),
    )


def settings_from(config: Config) -> playbook.Settings:
    return playbook.Settings(
        config.playbook.steps, config.zone, playbook.Workdays(config.me.holidays), config.playbook.entry_minutes
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
    ) -> None:
        self.config = config
        self.store = store.snapshot() if dry_run else store
        self.clock = clock
        self.checkpoint = checkpoint
        self.should_stop = should_stop
        self.dry_run = dry_run
        self.rules = rules_from(config)
        self.settings = settings_from(config)
        self.templates = Templates.from_config(config)
        self._backends = backends or {}
        self._me = Person(config.me.addresses[0] if config.me.addresses else "", config.me.name)

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
        known = {r.interview.id: r for r in self.store.interviews(account.name)}
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
        ours = self.store.our_message_ids(account.name)
        interviews = [r.interview for r in active]
        changes = backend.mailbox.changes(
            self.store.cursor(account.name, "mail"),
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
                    account.name, message, verdict.kind.value, [*verdict.reasons, *(d.reason for d in decisions)]
                )
                self._apply(message, decisions, stopped, report)
            if new_interviews:  # mail and calendar sync separately: an answer may have come in first
                fresh = [i for i in interviews if i.id in new_interviews]
                for message in self.store.human_messages(account.name, since):
                    self._apply(message, replies.judge(message, _HUMAN, fresh, {}), stopped, report)
            self.store.set_cursor(account.name, "mail", changes.cursor)

    def _apply(self, message: InboundMessage, decisions: list[replies.Decision], stopped: set[str], report: Report) -> None:
        """Record what a message changes; each interview is stopped once, by the earliest answer."""
        for decision in decisions:
            interview, what = decision.interview, _describe(decision.interview, self.config)
            if decision.stop and interview.id not in stopped:
                stopped.add(interview.id)
                why = f"{decision.reason}: {message.subject!r} received {message.received:%Y-%m-%d %H:%M}"
                self.store.stop_interview(interview.id, message.received, why)
                report.notices.append(f"employer replied, follow-ups stopped: {what} ({decision.reason})")
            if decision.away_until and self.store.set_away(interview.id, decision.away_until):
                report.notices.append(f"out of office until {decision.away_until:%a %d %b}, check-ins wait: {what}")
            for address in decision.bounced:
                if self.store.record_bounce(interview.id, address, message.received, decision.reason):
                    report.notices.append(f"mail to {address} bounced, check the address: {what}")

    # 3 + 4. plan and reconcile -----------------------------------------------------------
    def _reconcile(self, account: Account, backend: Backend, now: datetime, report: Report) -> None:
        records = [r for r in self.store.interviews(account.name) if r.interview.end >= now - LOOKBACK]
        progress = progress_of(records, self.settings)
        for record in records:
            interview = record.interview
            done = self.store.effects(interview_id=interview.id)
            steps = playbook.plan(interview, progress[interview.id], self.settings)
            if self._notice_sent(backend, steps, done, now):
                done = self.store.effects(interview_id=interview.id)
            thanks = [done.get(s.key) for s in steps if s.name == "thank_you"]
            if thanks and all(e is not None and e.state is State.SENT for e in thanks):
                steps = playbook.plan(interview, replace(progress[interview.id], thanks_sent=True), self.settings)
            wanted = {step.key: step for step in steps}
            for key, step in wanted.items():
                if self.should_stop():
                    return
                self._bring_about(account, backend, record, step, done.get(key), now, report)
            for key, effect in done.items():
                if self.should_stop():
                    return
                if key not in wanted and _undoable(effect, now):
                    self._delete(account, backend, record, effect, now, report)

    def _bring_about(
        self,
        account: Account,
        backend: Backend,
        record: InterviewRecord,
        step: Step,
        effect: EffectRecord | None,
        now: datetime,
        report: Report,
    ) -> None:
        if effect is None or effect.state is State.DELETED:
            if playbook.readiness(step, now, self.settings) is playbook.Readiness.DUE:
                self._create(account, backend, record, step, now, report)
        elif effect.state is State.INTENDED:
            self._create(account, backend, record, step, now, report, resumed=True)
        elif effect.state is State.DELETING:
            self._delete(account, backend, record, effect, now, report)
        elif effect.state in (State.DONE, State.UPDATING) and step.kind is Kind.ENTRY and step.due > now:
            payload = self.templates.entry(step, record.interview, self.settings.entry_minutes)
            if effect.state is State.UPDATING or _digest(payload) != effect.content:
                self._update(account, backend, record, step, effect, payload, now, report)

    def _notice_sent(self, backend: Backend, steps: list[Step], done: dict[str, EffectRecord], now: datetime) -> bool:
        """While the reminder to send thank-you notes is still ahead, ask which of them went out."""
        reminder = next((s for s in steps if s.name == "thank_you_reminder"), None)
        if reminder is None or reminder.due <= now or reminder.key not in done:
            return False
        queries = [
            SentQuery(
                s.key,
                done[s.key].message_id or "",
                s.recipient.email,
                s.materialize_at,
                done[s.key].ref or "",
                done[s.key].thread or "",
            )
            for s in steps
            if s.name == "thank_you" and s.recipient and s.key in done and done[s.key].state is State.DONE
        ]
        sent = backend.mailbox.sent(queries) if queries else set()
        for key in sent:
            self.store.journal(replace(done[key], state=State.SENT), now)
        return bool(sent)

    def _create(
        self,
        account: Account,
        backend: Backend,
        record: InterviewRecord,
        step: Step,
        now: datetime,
        report: Report,
        resumed: bool = False,
    ) -> None:
        interview = record.interview
        effect = EffectRecord(step.key, account.name, interview.id, step.name, step.kind.value, step.due, State.INTENDED)
        if step.kind is Kind.DRAFT:
            note = record.user_note or interview.note
            draft = self.templates.draft(step, interview, note, now.astimezone(self.settings.zone).date())
            raw = mail.build_draft(step.key, self._me, draft, step.materialize_at)
            effect = replace(effect, message_id=mail.message_id(step.key, self._me))
            detail = f"draft {draft.subject!r} to {draft.to.email}"
            self._effect(
                effect,
                now,
                lambda: backend.mailbox.create_draft(step.key, raw, step.materialize_at, resumed),
                report,
                Action("created", step.name, interview.company, detail),
            )
        else:
            payload = self.templates.entry(step, interview, self.settings.entry_minutes)
            effect = replace(effect, content=_digest(payload))
            local = payload.start.astimezone(self.settings.zone)
            detail = f"entry {payload.title!r} on {local:%a %d %b %Y %H:%M}"
            self._effect(
                effect,
                now,
                lambda: backend.calendar.create_entry(payload, step.materialize_at),
                report,
                Action("created", step.name, interview.company, detail),
            )

    def _update(
        self,
        account: Account,
        backend: Backend,
        record: InterviewRecord,
        step: Step,
        effect: EffectRecord,
        payload: EntryPayload,
        now: datetime,
        report: Report,
    ) -> None:
        assert effect.fingerprint is not None
        expected = effect.fingerprint
        moved = replace(effect, state=State.UPDATING, due=step.due, content=_digest(payload))
        local = payload.start.astimezone(self.settings.zone)
        action = Action("moved", step.name, record.interview.company, f"entry {payload.title!r} to {local:%a %d %b %Y %H:%M}")
        self._effect(moved, now, lambda: backend.calendar.update_entry(payload, step.materialize_at, expected), report, action)

    def _delete(
        self, account: Account, backend: Backend, record: InterviewRecord, effect: EffectRecord, now: datetime, report: Report
    ) -> None:
        assert effect.fingerprint is not None
        expected = effect.fingerprint
        remove = backend.mailbox.delete_draft if effect.kind == Kind.DRAFT.value else backend.calendar.delete_entry
        action = Action("removed", effect.step, record.interview.company, f"upcoming {effect.kind} no longer needed")
        self._effect(replace(effect, state=State.DELETING), now, lambda: remove(effect.key, expected), report, action)

    def _effect(
        self, intent: EffectRecord, now: datetime, call: Callable[[], Stored | Outcome], report: Report, action: Action
    ) -> None:
        """Journal, act, journal: the only place where the outside world changes."""
        if self.dry_run:
            report.actions.append(replace(action, verb=f"would have {action.verb}"))
            return
        self.checkpoint(f"{action.verb}:{intent.key}:before-journal")
        self.store.journal(intent, now)
        self.checkpoint(f"{action.verb}:{intent.key}:before-call")
        result = call()
        self.checkpoint(f"{action.verb}:{intent.key}:after-call")
        if isinstance(result, Stored):
            final = replace(intent, state=State.DONE, ref=result.ref, fingerprint=result.fingerprint, thread=result.thread)
            report.actions.append(replace(action, verb="found (already there)") if result.found else action)
        elif result is Outcome.DONE or (result is Outcome.MISSING and intent.state is State.DELETING):
            final = replace(intent, state=State.DELETED)
            report.actions.append(action)
        elif result is Outcome.MODIFIED:
            final = replace(intent, state=State.KEPT)
            report.notices.append(f"left alone because you changed it: {intent.kind} {intent.step.replace('_', ' ')}")
        else:
            final = replace(intent, state=State.GONE)
        self.store.journal(final, now)
        self.checkpoint(f"{action.verb}:{intent.key}:after-journal")


def _digest_of(rules: detect.Rules) -> str:
    """The same for the same rules in any process (sets are sorted: their order is not)."""
    parts = {k: sorted(v) if isinstance(v, frozenset) else list(v) for k, v in asdict(rules).items()}
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


def _undoable(effect: EffectRecord, now: datetime) -> bool:
    """Only what has not happened yet and is still ours; thank-you drafts always stay."""
    if effect.state not in (State.DONE, State.UPDATING, State.DELETING):
        return False
    if effect.kind == Kind.DRAFT.value:
        return effect.step != "thank_you"
    return effect.due > now


def progress_of(records: list[InterviewRecord], settings: playbook.Settings) -> dict[str, playbook.Progress]:
    """What the plan needs from history: a reply, a cancellation, or a later round (which is an answer too)."""
    superseded = _superseded(records, settings)
    found = {}
    for record in records:
        stops = [t for t in (record.stopped_at, superseded.get(record.interview.id)) if t]
        found[record.interview.id] = playbook.Progress(
            min(stops, default=None), record.cancelled_at, record.decision_date, away_until=record.away_until
        )
    return found


def _superseded(records: list[InterviewRecord], settings: playbook.Settings) -> dict[str, datetime]:
    rounds: dict[str, list[InterviewRecord]] = defaultdict(list)
    for record in records:
        if record.interview.employer and record.cancelled_at is None:
            rounds[f"{record.interview.account}\0{record.interview.employer}"].append(record)
    stops: dict[str, datetime] = {}
    for group in rounds.values():
        group.sort(key=lambda r: r.interview.start)
        for earlier, later in zip(group, group[1:], strict=False):
            finished = playbook.finished_at(earlier.interview, settings.zone)
            stops[earlier.interview.id] = max(later.first_seen, finished)
    return stops


def _digest(payload: EntryPayload) -> str:
    basis = f"{payload.title}\0{payload.description}\0{payload.start.isoformat()}\0{payload.end.isoformat()}"
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def _describe(interview: Interview, config: Config) -> str:
    local = interview.start.astimezone(config.zone)
    who = interview.company or interview.employer or "unknown employer"
    return f"{who} on {local:%a %d %b %Y %H:%M} ({interview.event.summary!r})"
