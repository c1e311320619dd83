"""Commands and their exit codes: 0 fine, 1 an account failed, 2 something for you to fix, 3 an account needs sign-in."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from . import __version__, daemon, detect, ics, mail, replies, status, systemd
from . import config as config_module
from . import store as store_module
from .config import Account, Config, GoogleAccount, MicrosoftAccount
from .demo import make as make_demo
from .engine import LOOKAHEAD, LOOKBACK, Engine, rules_from, utc_now
from .errors import UserError
from .model import Event, Interview
from .providers import Backend, SignInNeeded, Unavailable, Window, open_backend
from .store import InterviewRecord, Store, exclusive
from .templates import Templates


def _global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """--config, -v and -q; on each command too (`run --once -v`), where they must not reset what came before it."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default(None),
        help=f"configuration file (default: ${config_module.ENV_CONFIG} or {config_module.default_path()})",
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="count", default=default(0), help="more detail (twice for debugging)")
    verbosity.add_argument("-q", "--quiet", action="store_true", default=default(False), help="errors only")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, defaults=False)
    parser = argparse.ArgumentParser(
        prog="interview-followup",
        description="Drafts thank-you notes and adds follow-up reminders after job interviews; stops when the employer replies.",
    )
    _global_options(parser, defaults=True)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(group: Any, name: str, text: str) -> argparse.ArgumentParser:
        """A subcommand that takes the global options after its name too (`run --once -v`)."""
        made: argparse.ArgumentParser = group.add_parser(name, help=text, description=text, parents=[common])
        return made

    command(commands, "init", "write a commented starter configuration (never overwrites)")
    check = command(commands, "check", "validate the configuration, templates and folders")
    check.add_argument("--online", action="store_true", help="also sign in to each account and read its calendar and mail")
    check.add_argument("--json", action="store_true", help="with --online: the verdicts as JSON, for scripts")
    run = command(commands, "run", "run the daemon (or one pass with --once)")
    run.add_argument("--once", action="store_true", help="one pass, then exit")
    run.add_argument("--dry-run", action="store_true", help="show what a pass would do; change nothing, not even the state")
    show = command(commands, "status", "interviews, their follow-up steps and why any stopped")
    show.add_argument("--json", action="store_true", help="the same as JSON, for scripts")
    command(commands, "demo", "try it on a throw-away calendar and mailbox; needs no configuration")
    providers = command(commands, "auth", "sign in to an online account")
    auth = providers.add_subparsers(dest="provider", required=True, metavar="PROVIDER")
    google = command(auth, "google", "sign in to Gmail and Google Calendar (opens a browser)")
    google.add_argument("--account", metavar="NAME", help="which `type: google` account (needed when there are several)")
    google.add_argument("--no-browser", action="store_true", help="print the address to open instead (for SSH sessions)")
    google.add_argument("--port", type=int, default=8765, help="local port Google redirects to (default: 8765)")
    microsoft = command(auth, "microsoft", "sign in to Outlook.com or Microsoft 365 (prints a code to enter)")
    microsoft.add_argument("--account", metavar="NAME", help="which `type: microsoft` account (needed when there are several)")
    microsoft.add_argument("--browser", action="store_true", help="sign in through a browser on this machine instead of a code")

    explain = command(commands, "explain", "show how an event or a message is judged").add_subparsers(
        dest="what", required=True, metavar="WHAT"
    )
    event = command(explain, "event", "judge the events of an .ics file: one line per series, or one event in full")
    event.add_argument("file", type=Path, help="an .ics file (an invitation, or a whole exported calendar)")
    event.add_argument("--me", action="append", default=[], metavar="ADDRESS", help="your own address (default: from the config)")
    event.add_argument("--uid", help="show only the event with this UID, in full")
    event.add_argument("--summary", metavar="TEXT", help="show only events whose title contains this")
    event.add_argument("--all", action="store_true", help="every series in the file, not only those in the watch window")
    message = command(explain, "mail", "judge one message (.eml)")
    message.add_argument("file", type=Path, help="a message as a file (.eml; most mail programs can save one)")
    message.add_argument("--employer", action="append", default=[], metavar="DOMAIN", help="the employer's domain, e.g. acme.com")
    message.add_argument("--me", action="append", default=[], metavar="ADDRESS", help="your own address (default: config)")

    which = "interview id from `status` (a prefix is enough) or company name"
    note = command(commands, "note", "add a personal note or the decision date to an interview")
    note.add_argument("interview", help=which)
    note.add_argument("text", nargs="?", help="goes into the thank-you drafts not yet written")
    note.add_argument("--decision-date", type=_day, metavar="YYYY-MM-DD", help="when the employer said they will decide")
    for name, text in (
        ("replied", "mark that the employer answered: stop the follow-ups"),
        ("resume", "undo a stop that was wrong"),
    ):
        command(commands, name, text).add_argument("interview", help=which)

    command(commands, "repair", "move a damaged state database aside and restore the newest daily backup")
    unit = command(commands, "install-service", "install the systemd user unit for this installation")
    unit.add_argument("--print", action="store_true", help="print the unit instead of writing it")
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, like 2026-12-04") from None


Clock = Callable[[], datetime]


def main(argv: Sequence[str] | None = None, clock: Clock = utc_now) -> int:
    """The command line; `clock` is the time every command works at (tests pin it)."""
    args = _parser().parse_args(argv)
    verbosity = -1 if args.quiet else args.verbose + (1 if args.command == "run" and not args.once else 0)
    daemon.setup_logging(verbosity)
    try:
        return _dispatch(args, clock)
    except UserError as exc:
        print(f"interview-followup: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, clock: Clock) -> int:
    path = config_module.resolve_path(args.config)
    if args.command == "init":
        return _init(path)
    if args.command == "demo":
        return _demo(clock)
    if args.command == "explain":
        return _explain(args, path, clock)
    if args.command == "install-service":
        return systemd.install(path if args.config else None, print_only=args.print)
    whole = config_module.load(path)
    loaded = whole.config
    if args.command == "repair":
        with exclusive(config_module.state_dir(loaded)):
            print(store_module.repair(config_module.state_dir(loaded) / "state.sqlite3", clock()))
        return 0
    if args.command == "check":
        code = _check(whole, sys.stderr if args.json else sys.stdout)
        return _doctor(loaded, clock(), args.json) if args.online and code == 0 else code
    if args.command == "run":
        return _run(loaded, path, args.once, args.dry_run, clock)
    if args.command == "auth":
        return _auth(loaded, args)
    store = _store(loaded)
    try:
        if args.command == "status":
            items, account_list = status.overview(loaded, store, clock()), status.accounts(loaded, store)
            if args.json:
                print(json.dumps({"accounts": account_list, "interviews": items}, indent=2, ensure_ascii=False))
            else:
                print(status.text(items, account_list))
            return 0
        return _correct(args, store, clock)
    finally:
        store.close()


def _store(config: Config) -> Store:
    return Store.open(config_module.state_dir(config) / "state.sqlite3")


def _init(path: Path) -> int:
    if path.exists():
        raise UserError(f"{path} already exists; not overwriting it. Edit it, or pass --config for another file.")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(resources.files("interview_followup").joinpath("starter.yaml").read_text(encoding="utf-8"))
    print(f"Wrote {path}. Edit it, then run `interview-followup check`.")
    return 0


def _check(loaded: config_module.Loaded, out: TextIO) -> int:
    """Everything a pass would trip on, found before it runs: each problem with its line and the fix."""
    config = loaded.config
    problems = [f"{loaded.path}: {problem}" for problem in Templates.from_config(config).check()]
    if not config.accounts:
        fix = "add one under `accounts:` (see `interview-followup init`)"
        problems.append(f"{loaded.where('accounts')}: no accounts configured; {fix}")
    if config.playbook.templates and not config.playbook.templates.is_dir():
        where = loaded.where("playbook", "templates")
        problems.append(f"{where}: playbook.templates: {config.playbook.templates} is not a folder; create it or remove the key")
    for index, account in enumerate(config.accounts):
        for key, problem in _account_problems(account, config):
            problems.append(f"{loaded.where('accounts', index, key)}: accounts[{account.name}].{key}: {problem}")
    state = config_module.state_dir(config)
    if _unwritable(state):
        problems.append(f"{loaded.where('state_dir')}: state_dir: {state} {_unwritable(state)}")
    elif (state / "state.sqlite3").exists():
        try:
            Store.open(state / "state.sqlite3").close()
        except UserError as exc:
            problems.append(str(exc))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 2
    print(f"{loaded.path}: OK ({len(config.accounts)} account(s), time zone {config.zone.key})", file=out)
    return 0


def _doctor(config: Config, now: datetime, as_json: bool) -> int:
    """Each account asked for real, writing nothing: OK or FAIL for its calendar and its mail."""
    window = Window(now - LOOKBACK, now + LOOKAHEAD)
    rules = rules_from(config)

    def calendar(backend: Backend) -> str:
        changes = backend.calendar.changes(None, window)
        interviews = sum(detect.detect(event, rules).interview for _, event in changes.events)
        skipped = f"; {len(changes.problems)} skipped (run `run --once -v` to see which)" if changes.problems else ""
        return f"{len(changes.events)} events in the watch window, {interviews} of them interviews{skipped}"

    def mailbox(backend: Backend) -> str:
        backend.mailbox.changes(None, now, lambda key: True, lambda message: False)
        return "the inbox can be read"

    verdicts = []
    for account in config.accounts:
        backend = open_backend(account, config)
        for part, ask in (("calendar", calendar), ("mail", mailbox)):
            try:
                verdict, detail = "OK", ask(backend)
            except (SignInNeeded, Unavailable, UserError, OSError) as exc:
                verdict, detail = "FAIL", str(exc)
            verdicts.append({"account": account.name, "part": part, "verdict": verdict, "detail": detail})
    if as_json:
        print(json.dumps(verdicts, indent=2, ensure_ascii=False))
    else:
        for item in verdicts:
            print(f"{item['account']}: {item['part']}: {item['verdict']}: {item['detail']}")
    return 1 if any(v["verdict"] == "FAIL" for v in verdicts) else 0


def _account_problems(account: Account, config: Config) -> list[tuple[str, str]]:
    """(key, problem) for what this account's first pass would fail on."""
    if isinstance(account, GoogleAccount | MicrosoftAccount):
        token = config_module.token_file(account, config)
        if isinstance(account, GoogleAccount) and not account.client_secrets.is_file():
            return [("client_secrets", f"{account.client_secrets} does not exist; see README, 'Gmail and Google Calendar'")]
        if not token.is_file():
            command = f"interview-followup auth {account.type} --account {account.name}"
            return [("name", f"not signed in yet ({token} does not exist): run `{command}`")]
        return []
    problems = []
    if not account.web_calendar and not Path(account.calendar).exists():
        problems.append(("calendar", f"{account.calendar} does not exist"))
    for key in ("inbox", "sent"):
        folder = getattr(account, key)
        if folder and not (folder / "cur").is_dir():
            problems.append((key, f"{folder} is not a Maildir folder (no cur/ inside)"))
    for key in ("drafts", "followup_calendar"):
        folder = getattr(account, key)
        if _unwritable(folder):
            problems.append((key, f"{folder} {_unwritable(folder)}"))
    return problems


def _unwritable(folder: Path) -> str:
    """Why a folder we write into (made if missing) cannot be written, or ""."""
    if folder.exists() and not folder.is_dir():
        return "is a file, not a folder"
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot be written: {existing} is not writable for you"
    return ""


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
    account = accounts[0]
    assert isinstance(account, GoogleAccount | MicrosoftAccount)
    token = config_module.token_file(account, config)
    if isinstance(account, MicrosoftAccount):
        from .providers import microsoft_auth

        who = microsoft_auth.sign_in(account, microsoft_auth.keeper(account, token), browser=args.browser)
        where = "the desktop keyring" if account.keyring else f"{token} (readable by you only)"
        print(f"Signed in as {who}; the login is kept in {where}. The daemon picks it up at its next pass.")
        return 0
    from .providers import google_auth

    google_auth.sign_in(account.client_secrets, token, browser=not args.no_browser, port=args.port)
    print(f"Signed in; the login is kept in {token} (readable by you only). The daemon picks it up at its next pass.")
    return 0


def _demo(clock: Clock) -> int:
    path = make_demo(clock())
    config = config_module.load(path).config
    store = _store(config)
    try:
        outcome = daemon.run_accounts(Engine(config, store, clock=clock), config.accounts)
    finally:
        store.close()
    root = path.parent
    print(f"Demo calendar and mailbox in {root}\n")
    print("The calendar has an interview at Northwind Robotics that ended ten minutes ago,")
    print("a dentist appointment and a mock interview (neither is a job interview).\n")
    for report in outcome.reports:
        for line in [*report.notices, *map(str, report.actions)]:
            print(f"  {line}")
    drafts = sorted((root / "Mail/Drafts/cur").glob("*"))
    entries = sorted((root / "followups").glob("*.ics"))
    print(f"\nDrafts ({len(drafts)}) in {root / 'Mail/Drafts/cur'}; the first one:\n")
    if drafts:
        print("    " + drafts[0].read_text(encoding="utf-8").replace("\n", "\n    "))
    print(f"Follow-up entries ({len(entries)}) in {root / 'followups'}")
    print(f"\nSee the plan:  interview-followup --config {path} status")
    print("Nothing was sent: interview-followup only writes drafts.")
    return 1 if outcome.failed else 0


def _explain(args: argparse.Namespace, path: Path, clock: Clock) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise UserError(f"{args.file}: cannot read it ({exc.strerror})") from None
    config = config_module.load(path).config if path.exists() else Config()
    result = _explain_event(data, args, config, clock()) if args.what == "event" else _explain_mail(data, args, config, clock())
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


def _correct(args: argparse.Namespace, store: Store, clock: Clock) -> int:
    record = _find_interview(store, args.interview)
    interview_id = record.interview.id
    if args.command == "note":
        if args.text is None and args.decision_date is None:
            raise UserError("give a note text, --decision-date, or both")
        store.set_note(interview_id, args.text, args.decision_date)
        print(f"Saved for {record.interview.company or interview_id}; drafts not yet written will use it.")
    elif args.command == "replied":
        store.stop_interview(interview_id, clock(), "marked as answered by you")
        print(f"Stopped the follow-ups for {record.interview.company or interview_id}; upcoming entries go at the next pass.")
    else:
        store.stop_interview(interview_id, None, None)
        print(f"Resumed the follow-ups for {record.interview.company or interview_id}.")
    return 0


def _find_interview(store: Store, needle: str) -> InterviewRecord:
    records = store.interviews()
    found = [r for r in records if r.interview.id.startswith(needle)] or [
        r for r in records if needle.lower() in (r.interview.company or "").lower()
    ]
    if len(found) != 1:
        choices = ", ".join(f"{r.interview.id} ({r.interview.company})" for r in records[-10:]) or "none yet"
        raise UserError(f"{needle!r} matches {len(found)} interviews; use an id from `interview-followup status`: {choices}")
    return found[0]
