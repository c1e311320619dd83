"""`check`: what a pass would trip on, found before it runs; `check --online`: each account asked for real."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TextIO

from . import config as config_module
from . import detect
from .config import Config
from .detect import rules_from
from .engine import LOOKAHEAD, LOOKBACK
from .errors import UserError
from .providers import Backend, SignInNeeded, Unavailable, Window
from .providers.common import unwritable
from .providers.registry import BACKENDS, open_backend
from .store import Store
from .templates import Templates


def offline(loaded: config_module.Loaded, out: TextIO) -> int:
    """Everything a pass would trip on: each problem with its line and the fix; 2 when there is any."""
    config = loaded.config
    problems = [f"{loaded.path}: {problem}" for problem in Templates.from_config(config).check()]
    if not config.accounts:
        fix = "add one under `accounts:` (see `interview-followup init`)"
        problems.append(f"{loaded.where('accounts')}: no accounts configured; {fix}")
    if config.playbook.templates and not config.playbook.templates.is_dir():
        where = loaded.where("playbook", "templates")
        problems.append(f"{where}: playbook.templates: {config.playbook.templates} is not a folder; create it or remove the key")
    for index, account in enumerate(config.accounts):
        for key, problem in BACKENDS[account.type].problems(account, config):
            problems.append(f"{loaded.where('accounts', index, key)}: accounts[{account.name}].{key}: {problem}")
    state = config_module.state_dir(config)
    if why := unwritable(state):
        problems.append(f"{loaded.where('state_dir')}: state_dir: {state} {why}")
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


def online(config: Config, now: datetime, as_json: bool) -> int:
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
