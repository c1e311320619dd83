"""The resident loop in this process, on a machine clock the test moves: a suspend, a reload, a stop."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from conftest import World, at, vevent
from interview_followup.daemon import Daemon, Ticks
from interview_followup.store import Store


def serve(world: World, at_tick: dict[int, Callable[[dict[str, float]], None]]) -> int:
    """Run the daemon until a step stops it; `at_tick[n]` runs during the n-th sleep with the machine's clocks."""
    machine = {"wall": 1_800_000_000.0, "monotonic": 0.0, "tick": 0.0}

    def sleep(seconds: float) -> None:
        machine["tick"] += 1
        machine["wall"] += seconds
        machine["monotonic"] += seconds
        at_tick.get(int(machine["tick"]), lambda m: None)(machine)
        if machine["tick"] > 50:
            raise AssertionError("the daemon did not stop")

    ticks = Ticks(wall=lambda: machine["wall"], monotonic=lambda: machine["monotonic"], sleep=sleep)
    config = world.config()
    daemon = Daemon(world.config_path, config, lambda c: Store.open(world.root / "state/state.sqlite3"), lambda: world.now, ticks)
    return daemon.serve()


def stop(machine: dict[str, float]) -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def test_after_a_suspend_the_clock_jump_runs_a_pass_at_once(world: World) -> None:
    def interview_ends(machine: dict[str, float]) -> None:
        world.write_calendar(vevent("iv@acme.com", at("2026-11-17T10:00")))

    def laptop_sleeps_three_hours(machine: dict[str, float]) -> None:
        machine["wall"] += 3 * 3600  # the wall clock moves on; the monotonic clock does not count a suspend

    assert serve(world, {1: interview_ends, 3: stop}) == 0
    assert world.drafts() == [], "without a jump nothing is due before the next scheduled pass"
    assert serve(world, {1: laptop_sleeps_three_hours, 3: stop}) == 0
    assert len(world.drafts()) == 2 and len(world.entries()) == 6
    page = (world.root / "state/status.html").read_text()
    assert "send 2 thank-you notes to Acme" in page, "the page is drawn again after the pass that made the drafts"
    assert (world.root / "state/status.html").stat().st_mode & 0o077 == 0


def test_sighup_reloads_the_configuration_and_runs_a_pass_with_it(world: World) -> None:
    world.write_calendar(vevent("iv@acme.com", at("2026-11-17T10:00"), summary="Kennenlernen Acme"))

    def add_the_keyword_and_reload(machine: dict[str, float]) -> None:
        world.config_path.write_text(world.config_text() + "detection:\n  keywords: [kennenlernen]\n")
        os.kill(os.getpid(), signal.SIGHUP)

    assert serve(world, {1: add_the_keyword_and_reload, 3: stop}) == 0
    assert len(world.drafts()) == 2, "the reloaded keyword made the event an interview"
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL, "the daemon's handlers are gone after it stopped"
