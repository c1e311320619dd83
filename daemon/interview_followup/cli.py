"""Commands and their exit codes: 0 fine, 1 an account failed, 2 something for you to fix, 3 an account needs sign-in.

Only the parser lives here: what a command does is in `commands`, imported once the arguments are
understood, so `--help`, `--version` and a mistyped option cost no more than Python's own start.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, locations
from .errors import UserError
from .language import LANGUAGES

if TYPE_CHECKING:
    from datetime import date

    from .commands import Clock
    from .providers import BackendType


def _global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """--config, -v and -q; on each command too (`run --once -v`), where they must not reset what came before it."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default(None),
        help=f"configuration file (default: ${locations.ENV_CONFIG}, else config.yaml in ~/.config/{locations.APP}/)",
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="count", default=default(0), help="more detail (twice for debugging)")
    verbosity.add_argument("-q", "--quiet", action="store_true", default=default(False), help="errors only")


def _parser(with_sign_in: bool = True) -> argparse.ArgumentParser:
    """The whole command line; `with_sign_in=False` leaves out the options of `auth PROVIDER`, which load every backend."""
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

    init = command(commands, "init", "write a commented starter configuration (never overwrites)")
    init.add_argument("--provider", choices=PROVIDERS, help="make the first account an IMAP one at this mail provider")
    init.add_argument("--username", metavar="ADDRESS", help="with --provider: your user name there (usually your address)")
    check = command(commands, "check", "validate the configuration, templates and folders")
    check.add_argument("--online", action="store_true", help="also sign in to each account and read its calendar and mail")
    check.add_argument("--json", action="store_true", help="with --online: the verdicts as JSON, for scripts")
    run = command(commands, "run", "run the daemon (or one pass with --once)")
    run.add_argument("--once", action="store_true", help="one pass, then exit")
    run.add_argument("--dry-run", action="store_true", help="show what a pass would do; change nothing, not even the state")
    show = command(commands, "status", "what to do next, then each interview, its follow-up steps and why any stopped")
    output = show.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the same as JSON, for scripts")
    output.add_argument("--csv", action="store_true", help="one row per interview, for a spreadsheet")
    output.add_argument("--html", type=Path, metavar="FILE", help="write a page with one timeline per application")
    command(commands, "demo", "try it on a throw-away calendar and mailbox; needs no configuration")
    providers = command(commands, "auth", "sign in to an online account")
    auth = providers.add_subparsers(dest="provider", required=True, metavar="PROVIDER")
    for backend in _backends() if with_sign_in else ():
        if backend.sign_in:
            sign_in = command(auth, backend.name, backend.sign_in.help)
            help_text = f"which `type: {backend.name}` account (needed when there are several)"
            sign_in.add_argument("--account", metavar="NAME", help=help_text)
            backend.sign_in.options(sign_in)

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
    note.add_argument("--language", choices=LANGUAGES, help="the language of this interview's drafts and reminders")
    note.add_argument("--with", dest="person", metavar="WHO", help="for this interviewer's draft alone (address or name)")
    replied = command(commands, "replied", "mark that the employer answered: stop the follow-ups; say how it went")
    replied.add_argument("interview", help=which)
    outcome_help = "what the answer was (confirms or corrects the one suggested by their mail)"
    replied.add_argument("--outcome", choices=OUTCOMES, help=outcome_help)
    command(commands, "resume", "undo a stop that was wrong").add_argument("interview", help=which)

    command(commands, "repair", "move a damaged state database aside and restore the newest daily backup")
    unit = command(commands, "install-service", "install the systemd user unit for this installation")
    unit.add_argument("--print", action="store_true", help="print the unit instead of writing it")
    return parser


OUTCOMES = ("offer", "rejected", "next-round", "withdrawn", "other")
PROVIDERS = ("fastmail", "icloud", "yahoo", "gmx", "webde", "zoho", "mailbox.org", "posteo", "proton-bridge")
"""`providers.presets`' names, written out for the same reason."""
"""`model.Answer`'s values, written out: importing the model would double the time `--help` takes."""


def _day(text: str) -> date:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, like 2026-12-04") from None


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> int:
    """The command line; `clock` is the time every command works at (tests pin it, else the system's)."""
    words = list(sys.argv[1:] if argv is None else argv)
    args = _parser(with_sign_in="auth" in words).parse_args(words)
    verbosity = -1 if args.quiet else args.verbose + (1 if args.command == "run" and not args.once else 0)
    from . import commands, logs

    logs.setup(verbosity)
    try:
        return commands.dispatch(args, clock)
    except UserError as exc:
        print(f"interview-followup: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _backends() -> list[BackendType]:
    from .providers.registry import BACKENDS

    return list(BACKENDS.values())
