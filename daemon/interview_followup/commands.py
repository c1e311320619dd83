"""What each command does, once its arguments are parsed; `cli` imports this only then, so `--help` stays instant."""

from __future__ import annotations

import argparse
import email
import email.message
import email.policy
import json
import sys
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path

from . import agenda, checks, daemon, locations, mail, repair, status, systemd, timeline
from . import config as config_module
from .config import Config
from .daemon import PICTURE
from .demo import NOTE as DEMO_NOTE
from .demo import make as make_demo
from .engine import Engine, utc_now
from .errors import UserError
from .explain import explain
from .model import Answer
from .providers.common import write_atomically
from .providers.presets import CALDAV, PRESETS
from .providers.registry import BACKENDS
from .steps import STEPS, StepName, effect_key
from .store import MARKED_ANSWERED, InterviewRecord, State, Store, exclusive

Clock = Callable[[], datetime]


def dispatch(args: argparse.Namespace, given: Clock | None) -> int:
    clock = given or utc_now
    path = locations.config_path(args.config)
    if args.command == "init":
        return _init(path, args.provider, args.username)
    if args.command == "demo":
        return _demo(clock)
    if args.command == "explain":
        return explain(args, path, clock())
    if args.command == "install-service":
        return systemd.install(path if args.config else None, print_only=args.print)
    whole = config_module.load(path)
    loaded = whole.config
    if args.command == "repair":
        with exclusive(config_module.state_dir(loaded)):
            print(repair.repair(config_module.state_dir(loaded) / "state.sqlite3", clock()))
        return 0
    if args.command == "check":
        code = checks.offline(whole, sys.stderr if args.json else sys.stdout)
        return checks.online(loaded, clock(), args.json) if args.online and code == 0 else code
    if args.command == "run":
        return _run(loaded, path, args.once, args.dry_run, clock)
    if args.command == "auth":
        return _auth(loaded, args)
    store = _store(loaded)
    try:
        if args.command == "status":
            now = clock()
            items, account_list = status.overview(loaded, store, now), status.accounts(loaded, store)
            queue = agenda.tasks(items, now, loaded.zone)
            if args.json:
                shown = {"next": agenda.as_json(queue), "accounts": account_list, "interviews": items}
                print(json.dumps(shown, indent=2, ensure_ascii=False))
            elif args.csv:
                print(agenda.spreadsheet(items, queue), end="")
            elif args.html:
                write_atomically(args.html, timeline.page(items, queue, now, loaded.zone).encode())
                print(f"Wrote {args.html}; the daemon keeps {config_module.state_dir(loaded) / PICTURE} up to date.")
            else:
                print("\n".join([*agenda.lines(queue, now), status.text(items, account_list)]))
            return 0
        return _correct(args, store, clock)
    finally:
        store.close()


def _store(config: Config) -> Store:
    return Store.open(config_module.state_dir(config) / "state.sqlite3")


def _init(path: Path, provider: str | None, username: str | None) -> int:
    if path.exists():
        raise UserError(f"{path} already exists; not overwriting it. Edit it, or pass --config for another file.")
    text = resources.files("interview_followup").joinpath("starter.yaml").read_text(encoding="utf-8")
    if provider:
        text = _with_provider(text, provider, username or "you@example.com")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(text)
    print(f"Wrote {path}. Edit it, then run `interview-followup check`.")
    if provider:
        print(f"Before the first run, {provider} asks you to {PRESETS[provider].before}.")
    return 0


def _with_provider(starter: str, provider: str, username: str) -> str:
    """The starter with its first account an IMAP one at this provider (and its CalDAV calendar, where it has
    one), the rest as written."""
    first = starter.index("  - name: home\n")
    end = starter.index("\n\n", first)
    if provider in CALDAV:
        calendar = (
            "    # The calendar on the provider's CalDAV server, with the same login; watch: [NAMES] to\n"
            "    # read only some calendars, followups: NAME for the one the follow-ups go into.\n"
            "    calendar:\n      type: caldav"
        )
    else:
        calendar = (
            "    # The calendar: a local .ics file, a folder of them (vdirsyncer keeps one in step), or a URL.\n"
            "    calendar: ~/calendars/personal.ics\n    followup_calendar: ~/calendars/followups"
        )
    account = (
        f"  - name: mail\n    # Mail at {provider} over IMAP (README, \"Any other mail provider\").\n"
        f"    type: imap\n    provider: {provider}\n    username: {username}\n"
        "    # A command that prints the password (never the password itself), or password_env: NAME.\n"
        f"    password_command: pass show mail/{provider}\n{calendar}"
    )
    return starter[:first] + account + starter[end:]


def _run(config: Config, path: Path, once: bool, dry_run: bool, clock: Clock) -> int:
    if not config.accounts:
        raise UserError(f"{path}: no accounts configured; add one under `accounts:` (see `interview-followup init`).")
    if dry_run:  # no lock and no database file: a dry run leaves the state directory as it found it
        with Store.copy_of(config_module.state_dir(config) / "state.sqlite3") as store:
            outcome = daemon.run_accounts(Engine(config, store, clock=clock, dry_run=True), config.accounts)
    else:
        with exclusive(config_module.state_dir(config)):
            if not once:
                return daemon.Daemon(path, config, _store, clock).serve()
            with _store(config) as store:
                outcome = daemon.run_accounts(Engine(config, store, clock=clock), config.accounts)
    for report in outcome.reports:
        for line in [*report.notices, *map(str, report.actions)]:
            print(f"{report.account}: {line}")
    for account, error in outcome.failed.items():
        print(f"{account}: FAILED: {error}", file=sys.stderr)
    for account, error in outcome.needs_sign_in.items():
        print(f"{account}: {error}", file=sys.stderr)
    return 3 if outcome.needs_sign_in else 1 if outcome.failed else 0


def _auth(config: Config, args: argparse.Namespace) -> int:
    kind = args.provider
    accounts = [a for a in config.accounts if a.type == kind and args.account in (None, a.name)]
    if len(accounts) != 1:
        names = ", ".join(a.name for a in config.accounts if a.type == kind) or "none"
        raise UserError(f"name one account with --account (type: {kind} accounts in the configuration: {names})")
    sign_in = BACKENDS[kind].sign_in
    assert sign_in is not None, "only backends with a sign-in have an `auth` command"
    print(sign_in.run(accounts[0], config, args))
    return 0


def _demo(clock: Clock) -> int:
    path = make_demo(clock())
    config = config_module.load(path).config
    root = path.parent
    print(f"Demo calendar and mailbox in {root}\n")
    print("The calendar has an interview at Northwind Robotics that ended ten minutes ago, arranged by a")
    print("coordinator, and a dentist appointment and a mock interview (neither is a job interview).")
    print(f"Business days follow the holidays of {config.workdays.country} (the time zone's country) and the year-end break.\n")
    failed = _demo_pass(config, clock)
    store = _store(config)
    try:
        record = _find_interview(store, "northwind")
        store.set_note(record.interview.id, DEMO_NOTE, None)
        thanks = {key for key, e in store.effects().items() if e.step == StepName.THANK_YOU}
    finally:
        store.close()
    print(f'\nThen the person remembers something to say:  interview-followup note northwind "{DEMO_NOTE}"\n')
    failed = _demo_pass(config, clock) or failed
    drafts = list((root / "Mail/Drafts/cur").glob("*"))
    entries = sorted((root / "followups").glob("*.ics"))
    print(f"\nDrafts ({len(drafts)}) in {root / 'Mail/Drafts/cur'}; the first thank-you:\n")
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in drafts]
    thank_yous = sorted((m for m in messages if m[mail.KEY_HEADER] in thanks), key=lambda m: str(m["To"].addresses[0].addr_spec))
    if thank_yous:
        message = thank_yous[0]
        body = message.get_body(("plain",)) if isinstance(message, email.message.EmailMessage) else None
        content = body.get_content().replace("\r\n", "\n") if body else ""
        text = f"To: {message['To']}\nSubject: {message['Subject']}\n\n{content}"
        print("    " + text.rstrip().replace("\n", "\n    "))
    print(f"\nFollow-up entries ({len(entries)}) in {root / 'followups'}; the first check-in:\n")
    check_in = next((p for p in entries if "Check in with" in p.read_text(encoding="utf-8")), None)
    if check_in:
        import icalendar

        event = next(iter(icalendar.Calendar.from_ical(check_in.read_bytes()).walk("VEVENT")))
        start = event.decoded("DTSTART").astimezone(config.zone)
        text = f"{event['SUMMARY']}\n{start:%A %d %B %Y, %H:%M} ({config.zone.key})\n\n{event['DESCRIPTION']}"
        print("    " + str(text).rstrip().replace("\n", "\n    "))
    print(f"\nSee the plan:  interview-followup --config {path} status")
    print("Nothing was sent: interview-followup only writes drafts.")
    return 1 if failed else 0


def _demo_pass(config: Config, clock: Clock) -> bool:
    store = _store(config)
    try:
        outcome = daemon.run_accounts(Engine(config, store, clock=clock), config.accounts)
    finally:
        store.close()
    for report in outcome.reports:
        for line in [*report.notices, *map(str, report.actions)]:
            print(f"  {line}")
    return bool(outcome.failed)


def _correct(args: argparse.Namespace, store: Store, clock: Clock) -> int:
    record = _find_interview(store, args.interview)
    interview_id = record.interview.id
    if args.command == "note":
        if args.text is None and args.decision_date is None and args.language is None:
            raise UserError("give a note text, --decision-date or --language")
        person = _find_person(record, args.person) if args.person else None
        if person and args.text is None:
            raise UserError("--with needs the note text: what you talked about with them")
        store.set_note(interview_id, args.text, args.decision_date, args.language, person)
        print(f"Saved for {(person + ' at ') if person else ''}{record.interview.company or interview_id}.")
        if args.text is not None or args.language is not None:
            print(_rewrites(store, record, person))
    elif args.command == "replied":
        name = record.interview.company or interview_id
        if record.stopped_at is None:
            store.stop_interview(interview_id, clock(), MARKED_ANSWERED)
            print(f"Stopped the follow-ups for {name}; upcoming entries go at the next pass.")
        if args.outcome:
            store.set_outcome(interview_id, Answer(args.outcome), confirmed=True)
            print(f"Outcome for {name}: {args.outcome}.")
        elif record.stopped_at is not None:
            print(f"The follow-ups for {name} were already stopped ({record.stop_reason}); add --outcome to say how it went.")
    else:
        store.stop_interview(interview_id, None, None)
        print(f"Resumed the follow-ups for {record.interview.company or interview_id}.")
    return 0


def _rewrites(store: Store, record: InterviewRecord, person: str | None) -> str:
    """What becomes of the thank-you drafts already written: the next pass rewrites those the person left as they were."""
    rewritable = {row.name for row in STEPS if "note" in row.personal}
    mine = {effect_key(record.interview.id, name, person) for name in rewritable} if person else None
    written = [
        e
        for e in store.effects(interview_id=record.interview.id).values()
        if e.step in rewritable and e.state is State.DONE and (mine is None or e.key in mine)
    ]
    if not written:
        return "The thank-you drafts are not written yet: they will use it."
    older = sum(1 for e in written if not e.content)
    lines = [
        f"{len(written) - older} thank-you draft(s) already in your Drafts are written again with it at the next pass,"
        " except any you have edited: those stay as you left them (`status` then shows which)."
    ]
    if older:
        lines.append(f"{older} draft(s) written by an earlier version are left as they are: add the note there by hand.")
    return "\n".join(lines)


def _find_person(record: InterviewRecord, needle: str) -> str:
    """An interviewer, or someone who arranged the interview, by address or part of their name."""
    people = (*record.interview.interviewers, *record.interview.coordinators)
    found = [p for p in people if needle.lower() in (p.email, p.name.lower())] or [
        p for p in people if needle.lower() in f"{p.email} {p.name}".lower()
    ]
    if len(found) != 1:
        choices = ", ".join(f"{p.email} ({p.name})" if p.name else p.email for p in people) or "nobody"
        raise UserError(f"{needle!r} matches {len(found)} of the people at this interview: {choices}")
    return found[0].email


def _find_interview(store: Store, needle: str) -> InterviewRecord:
    records = store.interviews()
    found = [r for r in records if r.interview.id.startswith(needle)] or [
        r for r in records if needle.lower() in (r.interview.company or "").lower()
    ]
    if len(found) != 1:
        choices = ", ".join(f"{r.interview.id} ({r.interview.company})" for r in records[-10:]) or "none yet"
        raise UserError(f"{needle!r} matches {len(found)} interviews; use an id from `interview-followup status`: {choices}")
    return found[0]
