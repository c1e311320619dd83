"""The resident loop around one pass: scheduling, signals, systemd notification, back-off."""

from __future__ import annotations

import ctypes
import functools
import logging
import random
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import FrameType

import schedule

from . import agenda, status, timeline
from . import config as config_module
from .config import Account, Config
from .desktop import Announcer, Desktop
from .engine import Engine, Report
from .errors import UserError
from .providers import SignInNeeded, Unavailable
from .providers.common import write_atomically
from .providers.registry import BACKENDS
from .store import Store
from .systemd import notify

log = logging.getLogger(__name__)

PICTURE = "status.html"
"""The timeline page the daemon keeps in the state folder (`status --html` writes one anywhere)."""
MAX_BACKOFF = timedelta(hours=1)
CLOCK_JUMP = timedelta(minutes=2)
TICK_SECONDS = 1.0


@dataclass
class Health:
    """Per-account failures: a failing account waits longer each time; the others carry on."""

    failures: int = 0
    next_try: float = 0.0
    last_error: str = ""
    waiting_for: tuple[Path, float | None] | None = None
    """A sign-in file and its state when the login failed: the account waits until the file changes."""


@dataclass
class Outcome:
    reports: list[Report] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    needs_sign_in: dict[str, str] = field(default_factory=dict)


def run_accounts(engine: Engine, accounts: list[Account], health: dict[str, Health] | None = None) -> Outcome:
    """One pass over every account that is due; an error in one is logged and kept to that one."""
    health = health if health is not None else {}
    outcome = Outcome()
    for account in accounts:
        state = health.setdefault(account.name, Health())
        if time.monotonic() < state.next_try or (state.waiting_for and _stamp(state.waiting_for[0]) == state.waiting_for[1]):
            continue
        if engine.should_stop():
            break
        try:
            outcome.reports.append(engine.run(account))
        except SignInNeeded as exc:
            _signed_out(engine, account, state, exc, outcome)
        except (Unavailable, UserError, OSError) as exc:
            _failed(account, state, str(exc), engine.config.poll_interval, outcome)
        except Exception as exc:  # noqa: BLE001 - a bug in one account must not stop the others
            log.exception("%s: unexpected error", account.name)
            _failed(account, state, f"{type(exc).__name__}: {exc}", engine.config.poll_interval, outcome)
        else:
            if state.failures:
                log.info("%s: working again after %d failed attempts", account.name, state.failures)
            engine.store.set_sign_in_problem(account.name, None, engine.clock())
            health[account.name] = Health()
    if not engine.dry_run:
        _back_up(engine)
    return outcome


def give_back_memory() -> None:
    """Hand freed heap back to the system: glibc otherwise keeps what the first pass over a large
    calendar or inbox used, about 12 MB at 5k events. A few microseconds when there is nothing to give."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    return getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc has it, musl does not


def _back_up(engine: Engine) -> None:
    """The daily backup; a failure to make one is said, and never stops a pass."""
    try:
        made = engine.store.backup(engine.clock())
    except (OSError, sqlite3.Error) as exc:
        log.warning("daily backup of the state not made: %s", exc)
    else:
        if made:
            log.info("state backed up to %s", made)


def _signed_out(engine: Engine, account: Account, state: Health, exc: SignInNeeded, outcome: Outcome) -> None:
    """Said once, then quiet: retrying a dead login only spins; a new sign-in file wakes the account up."""
    engine.forget(account)
    if str(exc) != state.last_error:
        log.error("%s: %s", account.name, exc)
    state.last_error = str(exc)
    state.waiting_for = (exc.token, _stamp(exc.token)) if exc.token else None
    state.failures += 1
    state.next_try = time.monotonic() + MAX_BACKOFF.total_seconds() if exc.token is None else 0.0
    engine.store.set_sign_in_problem(account.name, str(exc), engine.clock())
    outcome.needs_sign_in[account.name] = str(exc)


def _stamp(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _failed(account: Account, state: Health, error: str, interval: timedelta, outcome: Outcome) -> None:
    state.failures += 1
    delay = min(interval.total_seconds() * 2 ** (state.failures - 1), MAX_BACKOFF.total_seconds())
    state.next_try = time.monotonic() + delay * random.uniform(0.8, 1.2)
    if error != state.last_error:
        log.error("%s: %s (retrying in about %d min)", account.name, error, max(1, round(delay / 60)))
    state.last_error = error
    outcome.failed[account.name] = error


@dataclass(frozen=True)
class Ticks:
    """The loop's sense of time, as arguments so that a test can suspend the machine or send a signal between ticks."""

    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class Daemon:
    def __init__(
        self,
        config_path: Path,
        loaded: Config,
        open_store: Callable[[Config], Store],
        clock: Callable[[], datetime],
        ticks: Ticks | None = None,
    ) -> None:
        self.config_path = config_path
        self.config = loaded
        self.open_store = open_store
        self.clock = clock
        self.ticks = ticks or Ticks()
        self.stopping = False
        self.reload_requested = False
        self.health: dict[str, Health] = {}
        self.desktop: Desktop | None = None
        self.announcer: Announcer | None = None
        self._notices(loaded)
        self._pictured: tuple[tuple[int, int], date] | None = None

    def _notices(self, config: Config) -> None:
        if self.desktop is not None:
            self.desktop.close()
        links = {a.name: link for a in config.accounts if (link := BACKENDS[a.type].drafts_link)}
        page = config_module.state_dir(config) / PICTURE
        self.desktop = Desktop(links, page, self.ticks.monotonic) if config.notify else None
        self.announcer = Announcer(self.desktop) if self.desktop else None

    def _signal(self, signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            self.reload_requested = True
        else:
            self.stopping = True

    def serve(self) -> int:
        previous = {signum: signal.signal(signum, self._signal) for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
        store = self.open_store(self.config)
        ticks = self.ticks
        try:
            engine = self._engine(store)
            scheduler = self._schedule(engine)
            notify("READY=1\nSTATUS=first pass")
            scheduler.run_all()
            wall, mono = ticks.wall(), ticks.monotonic()
            while not self.stopping:
                if self.reload_requested:
                    self.reload_requested = False
                    if self._reload():
                        engine = self._engine(store)
                        scheduler = self._schedule(engine)
                        scheduler.run_all()
                jumped = (ticks.wall() - wall) - (ticks.monotonic() - mono)
                wall, mono = ticks.wall(), ticks.monotonic()
                if jumped > CLOCK_JUMP.total_seconds():
                    log.info("the clock jumped %d min (suspend?); running a pass now", jumped // 60)
                    scheduler.run_all()
                else:
                    scheduler.run_pending()
                notify("WATCHDOG=1")
                if self.desktop:
                    self.desktop.poll()
                ticks.sleep(TICK_SECONDS)
        finally:
            notify("STOPPING=1")
            if self.desktop:
                self.desktop.close()
            store.close()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        log.info("stopped")
        return 0

    def _engine(self, store: Store) -> Engine:
        return Engine(self.config, store, clock=self.clock, should_stop=lambda: self.stopping)

    def _schedule(self, engine: Engine) -> schedule.Scheduler:
        scheduler = schedule.Scheduler()
        scheduler.every(int(self.config.poll_interval.total_seconds())).seconds.do(self._pass, engine)
        return scheduler

    def _pass(self, engine: Engine) -> None:
        outcome = run_accounts(engine, self.config.accounts, self.health)
        try:
            if self.announcer:
                self.announcer.after_pass(engine.store, self.clock())
            self._picture(engine.store)
        except Exception:  # noqa: BLE001 - telling the person must never stop the follow-ups
            log.exception("desktop notices or the status page failed")
        give_back_memory()
        for report in outcome.reports:
            for line in [*report.notices, *map(str, report.actions)]:
                log.info("%s: %s", report.account, line)
        failing = ", ".join(sorted(outcome.failed)) or "none"
        signed_out = "".join(f"; {name} needs sign-in" for name in sorted(outcome.needs_sign_in))
        notify(f"STATUS={len(self.config.accounts)} account(s); failing: {failing}{signed_out}")

    def _picture(self, store: Store) -> None:
        """The timeline page, drawn again when the state changed or a new day began."""
        now = self.clock()
        seen = (store.version(), now.astimezone(self.config.zone).date())
        if seen == self._pictured:
            return
        items = status.overview(self.config, store, now)
        page = timeline.page(items, agenda.tasks(items, now, self.config.zone), now, self.config.zone)
        write_atomically(config_module.state_dir(self.config) / PICTURE, page.encode())
        self._pictured = seen

    def _reload(self) -> bool:
        notify("RELOADING=1")
        try:
            config = config_module.load(self.config_path).config
        except UserError as exc:
            log.error("configuration not reloaded, keeping the previous one:\n%s", exc)
            notify("READY=1")
            return False
        if config_module.state_dir(config) != config_module.state_dir(self.config):
            log.warning("state_dir changed: it takes effect at the next restart (systemctl --user restart interview-followup)")
        self.config = config
        self.health.clear()
        self._notices(config)
        log.info("configuration reloaded from %s", self.config_path)
        notify("READY=1")
        return True
