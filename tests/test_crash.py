"""kill -9 at every effect boundary, then restart: nothing duplicated, nothing lost, nothing left half-done."""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import World, at, message, vevent
from interview_followup.store import State

INTERVIEW = vevent("iv-1@acme.com", at("2026-11-17T10:00"), summary="Acme - Interview for Platform Engineer")


def _interview_ends(world: World) -> None:
    world.write_calendar(INTERVIEW)


def _employer_replies(world: World) -> None:
    world.now = at("2026-11-18T09:00")
    world.deliver(
        message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Let's talk Friday.", received=world.now),
        name="1795000000.M1.host",
    )


def _decision_date_given(world: World) -> None:
    with world.store() as store:
        store.set_note(store.interviews()[0].interview.id, None, date(2026, 12, 2))
    world.now = at("2026-11-17T13:00")


PHASES: dict[str, list[Callable[[World], None]]] = {
    "create": [_interview_ends],
    "delete": [_interview_ends, _employer_replies],
    "update": [_interview_ends, _decision_date_given],
}


def snapshot(world: World) -> dict[str, str]:
    """Every file the person can see, by name and content."""
    files = [*world.drafts(), *world.entries()]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def play(world: World, phases: list[Callable[[World], None]], kill_at: int | None = None) -> int:
    """Run the phases, one pass each; the last pass in a child that SIGKILLs itself at boundary `kill_at`.

    Returns the number of boundaries the last pass crossed (when not killed).
    """
    for phase in phases[:-1]:
        phase(world)
        world.cycle()
    phases[-1](world)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read)
        crossed = 0

        def checkpoint(label: str) -> None:
            nonlocal crossed
            crossed += 1
            if crossed == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

        code = 0
        try:
            world.cycle(checkpoint=checkpoint)
        except BaseException:  # noqa: BLE001 - report any failure to the parent through the exit code
            code = 3
        os.write(write, str(crossed).encode())
        os._exit(code)
    os.close(write)
    _, status = os.waitpid(child, 0)
    crossed_text = os.read(read, 64).decode()
    os.close(read)
    if kill_at is not None and os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return -1
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, "the pass failed"
    return int(crossed_text)


def kill_everywhere(phase: str, start: Callable[[str], Any], phases: list[Any], snapshot: Callable[[Any], object]) -> None:
    """Kill the last pass of `phases` at each boundary in turn, then restart; every run must end as the uninterrupted one.

    `start(name)` gives a fresh world (a new state, and a fresh account at the provider); `snapshot(world)`
    is what the person sees there.
    """

    def run(name: str, kill_at: int | None) -> tuple[int, object, set[State]]:
        world = start(name)
        crossed = play(world, phases, kill_at)
        if kill_at is not None:
            world.cycle()  # the restart
            assert world.cycle().actions == [], "a further pass has nothing left to do"
        with world.store() as store:
            states = {e.state for e in store.effects().values()}
        return crossed, snapshot(world), states

    boundaries, expected, _ = run("reference", None)
    assert boundaries >= 8, "the phase must do real work"
    for kill_at in range(1, boundaries + 1):
        crossed, seen, states = run(f"kill-{kill_at}", kill_at)
        assert crossed == -1, f"boundary {kill_at} was not reached"
        assert seen == expected, f"{phase}: killed at boundary {kill_at}"
        assert states <= {State.DONE, State.DELETED}, f"{phase}: left {states} after boundary {kill_at}"


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_a_kill_at_any_effect_boundary_then_a_restart_ends_exactly_like_an_uninterrupted_run(tmp_path: Path, phase: str) -> None:
    def fresh(name: str) -> World:
        root = tmp_path / name
        for sub in ("calendar", "Mail/INBOX/new", "Mail/INBOX/cur", "Mail/INBOX/tmp"):
            (root / sub).mkdir(parents=True)
        return World(root, at("2026-11-17T12:00"))

    kill_everywhere(phase, fresh, PHASES[phase], snapshot)
