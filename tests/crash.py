"""The crash driver: kill -9 at every effect boundary, then restart; test_contract runs it on every backend."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

from interview_followup.store import State


def play(world: Any, phases: list[Callable[[Any], None]], kill_at: int | None = None) -> int:
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


def kill_everywhere(
    phase: str,
    start: Callable[[str], Any],
    phases: list[Any],
    snapshot: Callable[[Any], object],
    settled: frozenset[State] = frozenset({State.DONE, State.DELETED}),
) -> None:
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
        assert states <= settled, f"{phase}: left {states} after boundary {kill_at}"
