"""What a person asks first: which interviews are known, and where each follow-up stands."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from . import planner, playbook
from .config import Config
from .dates import finished_at
from .engine import rebuilt_states, settings_from
from .planner import Verb
from .playbook import Readiness
from .store import State, Store
from .templates import Templates

NEXT = {
    Verb.CREATE: playbook.Readiness.DUE.value,
    Verb.UPDATE: "moved at the next pass",
    Verb.REWRITE: "written again at the next pass (your note or language changed)",
    Verb.ADOPT: "looked for at the next pass (made before the state was lost)",
    Verb.DELETE: "removed at the next pass",
    Verb.MARK_SENT: "sent",
}
"""A step the next pass changes, in the words of `status`."""


def accounts(config: Config, store: Store) -> list[dict[str, Any]]:
    """Each account and whether it works: a revoked login stops it until the person signs in again."""
    problems = store.sign_in_problems()
    return [{"name": a.name, "type": a.type, "needs_sign_in": problems.get(a.name)} for a in config.accounts]


def overview(config: Config, store: Store, now: datetime) -> list[dict[str, Any]]:
    """Each interview: what has happened, what the next pass does (the planner's own list), and what comes later."""
    settings = settings_from(config)
    records = store.interviews()
    journal = {r.interview.id: store.effects(interview_id=r.interview.id) for r in records}
    progress = planner.progress_of(records, settings)
    result = []
    templates = Templates.from_config(config)
    for item in planner.plan(records, journal, set(), now, settings, templates, rebuilt_states(store)):
        record, interview = item.record, item.record.interview
        effects = dict(journal[interview.id])
        upcoming = {change.key: change for change in item.changes}
        bounced = {b.address: b for b in store.bounces(interview.id)}
        steps = []
        for step in item.steps:
            effect = effects.pop(step.key, None)
            verb = upcoming[step.key].verb if step.key in upcoming else None
            readiness = playbook.readiness(step, now, settings)
            state = NEXT[verb] if verb else _words(effect.state, effect.kind) if effect else readiness.value
            to = step.recipient.email if step.recipient else None
            if to in bounced:
                state += "; bounced: check the address"
            stage = _stage(effect.state if effect else None, verb, readiness)
            steps.append(_step(step.name, step.kind.value, step.due, state, to, config) | {"stage": stage.value})
        for key, effect in effects.items():
            verb = upcoming[key].verb if key in upcoming else None
            state = NEXT[verb] if verb else _words(effect.state, effect.kind)
            stage = _stage(effect.state, verb, None)
            steps.append(_step(effect.step, effect.kind, effect.due, state, None, config) | {"stage": stage.value})
        steps.sort(key=lambda s: s["due"])
        finished = finished_at(interview, config.zone)
        if record.cancelled_at:
            phase = "cancelled"
        elif record.stopped_at:
            phase = "employer replied"
        elif progress[interview.id].continued:
            phase = "continues on a later day"
        elif progress[interview.id].stopped_at:
            phase = "superseded by a later round"
        else:
            phase = "upcoming" if finished > now else "following up"
        result.append(
            {
                "id": interview.id,
                "account": interview.account,
                "company": interview.company,
                "employer": interview.employer,
                "role": interview.role,
                "summary": interview.event.summary,
                "start": interview.start.astimezone(config.zone).isoformat(),
                "interviewers": [p.email for p in interview.interviewers],
                "arranged_by": [p.email for p in interview.coordinators],
                "language": templates.language(interview, record.language),
                "phase": phase,
                "why_stopped": record.stop_reason,
                "stopped_at": record.stopped_at.astimezone(config.zone).isoformat() if record.stopped_at else None,
                "outcome": record.outcome.value if record.outcome else None,
                "outcome_confirmed": record.outcome_confirmed,
                "away_until": str(record.away_until) if record.away_until else None,
                "bounced": [{"address": b.address, "reason": b.reason} for b in bounced.values()],
                "note": record.user_note or interview.note or None,
                "notes_by_person": record.person_notes,
                "suggested_by_the_invitation": interview.suggestion or None,
                "decision_date": str(decision) if (decision := record.decision_date or interview.decision_date) else None,
                "steps": steps,
            }
        )
    return result


class Stage(str, Enum):
    """Where a step stands, for scripts, the queue and the timeline (`state` says it in words)."""

    PLANNED = "planned"
    MADE = "made"
    """In the Drafts folder or the calendar, as we made it."""
    KEPT = "kept"
    """Changed by the person: theirs now."""
    SENT = "sent"
    GONE = "gone"
    """Deleted (or sent) by the person before we would have."""
    REMOVED = "removed"
    """No longer needed: an answer came, or the interview moved."""
    SKIPPED = "skipped"
    """Too late to be of use when it would have been made."""


_STAGES = {
    State.INTENDED: Stage.PLANNED,
    State.DONE: Stage.MADE,
    State.UPDATING: Stage.MADE,
    State.DELETING: Stage.REMOVED,
    State.DELETED: Stage.REMOVED,
    State.KEPT: Stage.KEPT,
    State.GONE: Stage.GONE,
    State.SENT: Stage.SENT,
}
_BY_VERB = {
    Verb.CREATE: Stage.PLANNED,
    Verb.ADOPT: Stage.PLANNED,
    Verb.UPDATE: Stage.MADE,
    Verb.REWRITE: Stage.MADE,
    Verb.DELETE: Stage.REMOVED,
    Verb.MARK_SENT: Stage.SENT,
}


def _stage(state: State | None, verb: Verb | None, readiness: Readiness | None) -> Stage:
    """What the next pass does decides; then the journal; then whether it is still to come."""
    if verb is not None:
        return _BY_VERB[verb]
    if state is not None:
        return _STAGES[state]
    return Stage.SKIPPED if readiness is Readiness.STALE else Stage.PLANNED


def _words(state: State, kind: str) -> str:
    return {
        State.INTENDED: "being made",
        State.DONE: "in your Drafts" if kind == "draft" else "in your calendar",
        State.UPDATING: "being moved",
        State.DELETING: "being removed",
        State.DELETED: "removed (no longer needed)",
        State.KEPT: "changed by you: left alone",
        State.GONE: "sent or deleted by you" if kind == "draft" else "deleted by you",
        State.SENT: "sent",
    }[state]


def _step(name: str, kind: str, due: datetime, state: str, to: str | None, config: Config) -> dict[str, Any]:
    return {
        "step": name,
        "kind": kind,
        "due": due.astimezone(config.zone).isoformat(timespec="minutes"),
        "state": state,
        "to": to,
    }


def text(items: list[dict[str, Any]], account_list: list[dict[str, Any]] | None = None) -> str:
    lines = [f"account {a['name']}: {a['needs_sign_in']}" for a in account_list or [] if a["needs_sign_in"]]
    if not items:
        lines.append("No interviews found yet. `interview-followup explain event FILE.ics` shows how an event is judged.")
    for item in items:
        title = item["company"] or item["employer"] or "unknown employer"
        lines.append(f"[{item['id']}] {title} — {item['start'][:16].replace('T', ' ')} — {item['phase']}")
        lines.append(f"    {item['summary']}")
        if item["why_stopped"]:
            lines.append(f"    why: {item['why_stopped']}")
        if item["outcome"] and item["outcome_confirmed"]:
            lines.append(f"    outcome: {item['outcome']}")
        elif item["outcome"]:
            lines.append(f"    outcome: {item['outcome']}? (as their answer reads; to confirm or correct it:")
            lines.append(f"      interview-followup replied {item['id'][:8]} --outcome {item['outcome']})")
        if item["away_until"]:
            lines.append(f"    out of office until {item['away_until']}: no follow-up before then")
        for bounce in item["bounced"]:
            lines.append(f"    bounced: {bounce['address']} ({bounce['reason']}): check the address")
        if item["suggested_by_the_invitation"] and not item["note"]:
            lines.append(f"    the invitation suggests {item['suggested_by_the_invitation']!r}; to use it as your own:")
            lines.append(f"      interview-followup note {item['id'][:8]} \"…\" (or --decision-date YYYY-MM-DD)")
        for step in item["steps"]:
            to = f" → {step['to']}" if step["to"] else ""
            lines.append(f"    {step['due'][:16].replace('T', ' ')}  {step['step']:<20} {step['kind']:<6} {step['state']}{to}")
    return "\n".join(lines)
