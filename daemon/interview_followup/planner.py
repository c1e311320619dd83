"""What a pass changes, decided before anything is done: a pure function of the interviews, the journal,
what the mailbox says was sent, and `now`.

The engine carries the list out; `run --dry-run` prints it and `status` shows it, so what a
person reads is what the next pass does.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from enum import Enum

from . import playbook
from .dates import finished_at
from .model import Draft, EntryPayload, Interview, Kind, Person
from .providers import SentQuery
from .steps import Step
from .store import EffectRecord, InterviewRecord, State
from .templates import Templates


class Verb(str, Enum):
    CREATE = "create"
    UPDATE = "move"
    REWRITE = "rewrite"
    ADOPT = "adopt"
    DELETE = "remove"
    MARK_SENT = "mark sent"


PAST = {
    Verb.CREATE: "created",
    Verb.UPDATE: "moved",
    Verb.REWRITE: "rewrote",
    Verb.ADOPT: "found again",
    Verb.DELETE: "removed",
    Verb.MARK_SENT: "noticed sent",
}


@dataclass(frozen=True)
class Change:
    """One change to the outside world (or, for `MARK_SENT`, to the journal only)."""

    verb: Verb
    key: str
    step: str
    kind: Kind
    interview: Interview
    reason: str
    target: Step | None = None
    """The step made or moved; none for a removal of what the sequence no longer has."""
    effect: EffectRecord | None = None
    """The journal's record of it, when there is one."""
    entry: EntryPayload | None = None
    draft: Draft | None = None
    wording: str = ""
    """For a draft: a digest of the person's words in it (their note, their language), to see when they change."""

    @property
    def resumed(self) -> bool:
        """A create that a stopped pass began: the provider may already hold it."""
        return self.effect is not None and self.effect.state is State.INTENDED

    def detail(self, zone: tzinfo) -> str:
        if self.draft is not None:
            return f"draft {self.draft.subject!r} to {self.draft.to.email}"
        if self.entry is not None:
            when = self.entry.start.astimezone(zone)
            return f"entry {self.entry.title!r} {'to' if self.verb is Verb.UPDATE else 'on'} {when:%a %d %b %Y %H:%M}"
        return f"{'upcoming ' if self.verb is Verb.DELETE else ''}{self.kind.value}: {self.reason}"


@dataclass(frozen=True)
class InterviewPlan:
    record: InterviewRecord
    steps: list[Step]
    """Everything the sequence wants for the interview now."""
    changes: list[Change] = field(default_factory=list)
    """What the next pass does for it, in order."""


def progress_of(records: list[InterviewRecord], settings: playbook.Settings) -> dict[str, playbook.Progress]:
    """What the plan needs from history: a reply, a cancellation, or a later round (which is an answer too)."""
    superseded = _superseded(records, settings)
    continued, also_met = _days_of_one_interview(records, settings)
    found = {}
    for record in records:
        interview_id = record.interview.id
        stops = [t for t in (record.stopped_at, superseded.get(interview_id)) if t]
        found[interview_id] = playbook.Progress(
            min(stops, default=None),
            record.cancelled_at,
            record.decision_date,
            away_until=record.away_until,
            continued=interview_id in continued,
            also_met=also_met.get(interview_id, ()),
        )
    return found


SAME_INTERVIEW_GAP = timedelta(days=3)
"""Occurrences of one recurring event this close together are days of one interview, not rounds."""


def _days_of_one_interview(
    records: list[InterviewRecord], settings: playbook.Settings
) -> tuple[set[str], dict[str, tuple[Person, ...]]]:
    """The days that another day of the same interview follows, and for each last day who was met before it."""
    series: dict[tuple[str, str], list[InterviewRecord]] = defaultdict(list)
    for record in records:
        if record.interview.event.recurrence_id and record.cancelled_at is None:
            series[(record.interview.account, record.interview.event.uid)].append(record)
    continued: set[str] = set()
    also_met: dict[str, tuple[Person, ...]] = {}
    for days in series.values():
        days.sort(key=lambda r: r.interview.start)
        met: list[Person] = []
        for day, following in zip(days, [*days[1:], None], strict=True):
            met.extend(day.interview.interviewers)
            close = following and following.interview.start - finished_at(day.interview, settings.zone) <= SAME_INTERVIEW_GAP
            if close:
                continued.add(day.interview.id)
            else:
                if len(met) > len(day.interview.interviewers):
                    also_met[day.interview.id] = tuple(met)
                met = []
    return continued, also_met


def _superseded(records: list[InterviewRecord], settings: playbook.Settings) -> dict[str, datetime]:
    rounds: dict[str, list[InterviewRecord]] = defaultdict(list)
    for record in records:
        if record.interview.employer and record.cancelled_at is None:
            rounds[f"{record.interview.account}\0{record.interview.employer}"].append(record)
    stops: dict[str, datetime] = {}
    for group in rounds.values():
        group.sort(key=lambda r: r.interview.start)
        for earlier, later in zip(group, group[1:], strict=False):
            stops[earlier.interview.id] = max(later.first_seen, finished_at(earlier.interview, settings.zone))
    return stops


def sent_questions(
    records: list[InterviewRecord],
    journal: dict[str, dict[str, EffectRecord]],
    now: datetime,
    settings: playbook.Settings,
) -> list[SentQuery]:
    """Which drafts to ask the mailbox about: those a step still ahead waits on (the reminder to send the thanks)."""
    progress = progress_of(records, settings)
    queries = []
    for record in records:
        done = journal.get(record.interview.id, {})
        steps = playbook.plan(record.interview, progress[record.interview.id], settings)
        waiting = {s.row.until_sent for s in steps if s.row.until_sent and s.due > now and s.key in done}
        for step in steps:
            effect = done.get(step.key)
            if step.name in waiting and step.recipient and effect and effect.state is State.DONE:
                queries.append(
                    SentQuery(
                        step.key,
                        effect.message_id or "",
                        step.recipient.email,
                        step.materialize_at,
                        effect.ref or "",
                        effect.thread or "",
                    )
                )
    return queries


def plan(
    records: list[InterviewRecord],
    journal: dict[str, dict[str, EffectRecord]],
    sent: set[str],
    now: datetime,
    settings: playbook.Settings,
    templates: Templates,
    rebuilt: Mapping[str, datetime] | None = None,
) -> list[InterviewPlan]:
    """Per interview, what the sequence wants and the changes that bring it about; `sent` are keys of drafts seen sent.

    `rebuilt`: by account, when its state was found lost and made again. What was due to be made before then and
    has no record is only looked for at the provider, never made again: the person may have deleted it."""
    progress = progress_of(records, settings)
    plans = []
    for record in records:
        interview = record.interview
        done = journal.get(interview.id, {})
        changes = [
            Change(Verb.MARK_SENT, key, effect.step, Kind(effect.kind), interview, "you sent it", effect=effect)
            for key, effect in done.items()
            if key in sent and effect.state is State.DONE
        ]
        settled = {key for key, effect in done.items() if effect.state is State.SENT} | {c.key for c in changes}
        steps = playbook.plan(interview, progress[interview.id], settings)
        drafts: dict[str, list[str]] = defaultdict(list)
        for step in steps:
            if step.kind is Kind.DRAFT:
                drafts[step.name].append(step.key)
        all_sent = frozenset(name for name, keys in drafts.items() if settled.issuperset(keys))
        if all_sent:
            steps = playbook.plan(interview, replace(progress[interview.id], all_sent=all_sent), settings)
        since = (rebuilt or {}).get(interview.account)
        for step in steps:
            change = _bring_about(record, step, done.get(step.key), now, settings, templates, since)
            if change:
                changes.append(change)
        wanted = {step.key for step in steps}
        why = _why_not_wanted(record, progress[interview.id])
        for key, effect in done.items():
            if key not in wanted and _undoable(effect, now, settings):
                changes.append(Change(Verb.DELETE, key, effect.step, Kind(effect.kind), interview, why, effect=effect))
        plans.append(InterviewPlan(record, steps, changes))
    return plans


def steady_until(plans: list[InterviewPlan], journal: dict[str, dict[str, EffectRecord]], settings: playbook.Settings,
                 now: datetime) -> datetime | None:
    """The first moment at which `plan` and `sent_questions` may answer otherwise than at `now`, all else equal: a step
    becomes due or stale, or an effect's time passes. None when no such moment is ahead."""
    moments = [e.due for effects in journal.values() for e in effects.values()]
    for item in plans:
        for step in item.steps:
            moments += [step.materialize_at, step.due, playbook.catch_up_until(step, settings) or step.due]
    return min((m for m in moments if m >= now), default=None)


def changes(plans: list[InterviewPlan]) -> list[Change]:
    return [change for item in plans for change in item.changes]


def _adoption(record: InterviewRecord, step: Step, settings: playbook.Settings, templates: Templates) -> Change:
    entry = templates.entry(step, record.interview, settings.entry_minutes, record.language) if step.kind is Kind.ENTRY else None
    why = "made before the state was lost: kept if it is still there, never made again"
    return Change(Verb.ADOPT, step.key, step.name, step.kind, record.interview, why, step, entry=entry)


def _bring_about(
    record: InterviewRecord,
    step: Step,
    effect: EffectRecord | None,
    now: datetime,
    settings: playbook.Settings,
    templates: Templates,
    rebuilt: datetime | None = None,
) -> Change | None:
    interview = record.interview
    if effect is None and rebuilt and step.materialize_at < rebuilt:
        return _adoption(record, step, settings, templates)
    if effect is None or effect.state is State.DELETED:
        if playbook.readiness(step, now, settings) is not playbook.Readiness.DUE:
            return None
        return _made(Verb.CREATE, record, step, effect, "due", now, settings, templates)
    if effect.state is State.INTENDED:
        return _made(Verb.CREATE, record, step, effect, "finishing what an earlier pass began", now, settings, templates)
    if effect.state is State.DELETING:
        return Change(Verb.DELETE, step.key, step.name, step.kind, interview, "finishing a removal", step, effect)
    rewritable = step.kind is Kind.DRAFT and bool(step.row.personal) and bool(effect.content)
    if rewritable and (
        effect.state is State.UPDATING or (effect.state is State.DONE and _wording(record, step, templates)[2] != effect.content)
    ):
        return _made(Verb.REWRITE, record, step, effect, "your note or language for it changed", now, settings, templates)
    if effect.state in (State.DONE, State.UPDATING) and step.kind is Kind.ENTRY and step.due > now:
        entry = templates.entry(step, interview, settings.entry_minutes, record.language, record.person_notes)
        if effect.state is State.UPDATING or digest(entry) != effect.content:
            return Change(Verb.UPDATE, step.key, step.name, step.kind, interview, "its time or text changed", step, effect, entry)
    return None


def _made(
    verb: Verb,
    record: InterviewRecord,
    step: Step,
    effect: EffectRecord | None,
    reason: str,
    now: datetime,
    settings: playbook.Settings,
    templates: Templates,
) -> Change:
    interview = record.interview
    if step.kind is Kind.DRAFT:
        note, speak, wording = _wording(record, step, templates)
        draft = templates.draft(step, interview, note, now.astimezone(settings.zone).date(), speak)
        return Change(verb, step.key, step.name, step.kind, interview, reason, step, effect, draft=draft, wording=wording)
    entry = templates.entry(step, interview, settings.entry_minutes, record.language, record.person_notes)
    return Change(verb, step.key, step.name, step.kind, interview, reason, step, effect, entry)


def _wording(record: InterviewRecord, step: Step, templates: Templates) -> tuple[str, str, str]:
    """The note (the one for its recipient, else the interview's) and the language a draft is written with, and a
    digest of those its step carries."""
    personal = record.person_notes.get(step.recipient.email, "") if step.recipient else ""
    note = personal or record.user_note or record.interview.note
    speak = templates.language(record.interview, record.language)
    carried = {"note": note, "language": speak}
    basis = "\0".join(f"{name}={carried[name]}" for name in sorted(step.row.personal))
    return note, speak, hashlib.sha256(basis.encode()).hexdigest()[:16]


def _why_not_wanted(record: InterviewRecord, progress: playbook.Progress) -> str:
    if record.cancelled_at:
        return "the interview was cancelled"
    if record.stopped_at:
        return "the employer replied"
    if progress.stopped_at:
        return "a later round superseded it"
    return "no longer needed"


def _undoable(effect: EffectRecord, now: datetime, settings: playbook.Settings) -> bool:
    """Only what has not happened yet and is still ours; a step's row says whether it is ever undone."""
    if effect.state not in (State.DONE, State.UPDATING, State.DELETING):
        return False
    row = settings.row(effect.step)
    if row is not None and not row.undoable:
        return False
    return effect.kind == Kind.DRAFT.value or effect.due > now


def digest(payload: EntryPayload) -> str:
    basis = f"{payload.title}\0{payload.description}\0{payload.start.isoformat()}\0{payload.end.isoformat()}"
    return hashlib.sha256(basis.encode()).hexdigest()[:16]
