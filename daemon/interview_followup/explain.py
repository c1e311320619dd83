"""`explain`: how an event or a message is judged, with the reasons, for a person who wonders why."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from . import config as config_module
from . import detect, ics, mail, replies
from .config import Config
from .detect import rules_from
from .engine import LOOKAHEAD, LOOKBACK
from .errors import UserError
from .model import Event, Interview
from .store import Store


def explain(args: argparse.Namespace, path: Path, now: datetime) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise UserError(f"{args.file}: cannot read it ({exc.strerror})") from None
    config = config_module.load(path).config if path.exists() else Config()
    result = _explain_event(data, args, config, now) if args.what == "event" else _explain_mail(data, args, config, now)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _explain_event(data: bytes, args: argparse.Namespace, config: Config, now: datetime) -> object:
    """One entry per series (interviews first) in the watch window, or `--all` of the file; one event in full
    when a single one is asked for (`--uid`) or there is only one."""
    span = (now - LOOKBACK, now + LOOKAHEAD) if not args.all else (datetime(1970, 1, 2, tzinfo=timezone.utc), now + LOOKAHEAD)
    parsed = ics.parse(data, config.zone, *span)
    for problem in parsed.problems:
        print(f"{args.file}: skipped: {problem}", file=sys.stderr)
    rules = rules_from(config)
    if args.me:
        rules = replace(rules, me=frozenset(a.lower() for a in args.me))
    series: dict[str, list[Event]] = {}
    for event in parsed.events:
        if (args.uid is None or event.uid == args.uid) and (not args.summary or args.summary.lower() in event.summary.lower()):
            series.setdefault(event.uid, []).append(event)
    result = [_explain_series(events, rules) for events in series.values()]
    result.sort(key=lambda item: (not item["interview"], str(item["start"])))
    if not result:
        where = "in the file" if args.all else f"from {span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d} (--all for the whole file)"
        print(f"{args.file}: no event {where} matches", file=sys.stderr)
    alone = args.uid is not None or len({e.uid for e in parsed.events}) == 1
    return result[0] if len(result) == 1 and alone else result


def _explain_series(events: list[Event], rules: detect.Rules) -> dict[str, object]:
    """The verdict of a series' first occurrence, with how many there are in the window."""
    first = min(events, key=lambda e: e.start)
    verdict = detect.detect(first, rules)
    return {
        "uid": first.uid,
        "summary": first.summary,
        "start": first.start.isoformat(),
        "occurrences": len(events),
        "interview": verdict.interview,
        "employer": verdict.employer,
        "company": verdict.company or None,
        "role": verdict.role or None,
        "interviewers": [p.email for p in verdict.interviewers],
        "arranged_by": [p.email for p in verdict.coordinators],
        "contacts": [p.email for p in verdict.contacts],
        "language": verdict.language or None,
        "informational": verdict.informational,
        "note": verdict.note or None,
        "suggested_by_the_invitation": verdict.suggestion or None,
        "reasons": list(verdict.reasons),
    }


def _explain_mail(data: bytes, args: argparse.Namespace, config: Config, now: datetime) -> dict[str, object]:
    """The judgement of one message against the given employers (or those already in the state database)."""
    me = [a.lower() for a in args.me] or config.me.addresses
    message = mail.parse(data, args.file.name, now)
    verdict = replies.classify(message, me)
    decisions = replies.judge(message, verdict, _explain_interviews(args.employer, config), {})
    first = next(iter(decisions), None)
    return {
        "kind": verdict.kind.value,
        "employer_reply": any(d.stop for d in decisions),
        "employer": first.interview.employer if first else None,
        "matched_by": first.reason if first else None,
        "from": message.sender.email if message.sender else None,
        "subject": message.subject,
        "received": message.received.isoformat(),
        "return_date": verdict.return_date.isoformat() if verdict.return_date else None,
        "last_day_away": verdict.absence.last_day.isoformat() if verdict.absence else None,
        "back_on": verdict.absence.back.isoformat() if verdict.absence else None,
        "bounced": sorted({a for d in decisions for a in d.bounced}),
        "reasons": [*verdict.reasons, *(d.reason for d in decisions)],
    }


def _explain_interviews(employers: list[str], config: Config) -> list[Interview]:
    """Stand-in interviews that began long ago: `explain` judges who wrote, not when."""
    epoch = datetime(1970, 1, 2, tzinfo=timezone.utc)
    if employers:
        event = Event("", "", epoch, epoch)
        return [Interview(e.lower(), "explain", event, e.lower(), e.lower().split(".")[0], "", ()) for e in employers]
    return [replace(i, event=replace(i.event, start=epoch)) for i in _known_interviews(config)]


def _known_interviews(config: Config) -> list[Interview]:
    """The interviews seen so far, when there is a state database to ask."""
    path = config_module.state_dir(config) / "state.sqlite3"
    if not config.accounts or not path.exists():
        return []
    with Store.open(path) as store:
        return [r.interview for r in store.interviews()]
