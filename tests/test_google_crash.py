"""kill -9 at every effect boundary of a pass on the Google backend, then restart: the same result as an uninterrupted pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import at, message
from fake_google import FakeGoogle, serve, token_file
from interview_followup.store import State
from test_crash import play
from test_google import GoogleWorld, interview


def _interview_ends(world: GoogleWorld) -> None:
    world.fake.put_event(interview())


def _employer_replies(world: GoogleWorld) -> None:
    world.now = at("2026-11-18T09:00")
    world.fake.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Let's talk Friday."), world.now)


def _interview_date_corrected(world: GoogleWorld) -> None:
    world.fake.put_event(interview(start=at("2026-11-16T10:00")))


PHASES: dict[str, list[Callable[[GoogleWorld], None]]] = {
    "create": [_interview_ends],
    "delete": [_interview_ends, _employer_replies],
    "update": [_interview_ends, _interview_date_corrected],
}


def snapshot(fake: FakeGoogle) -> tuple[dict[str, tuple[str, str, str]], Counter[str]]:
    """What the person sees in Google: our events (title, start, status) and the drafts by Message-ID."""
    events = {
        e["id"]: (e["summary"], e["start"]["dateTime"], e["status"]) for e in fake.events(live=False) if "extendedProperties" in e
    }
    return events, Counter(str(m.headers["Message-ID"]) for m in fake.draft_messages())


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_a_kill_at_any_effect_boundary_then_a_restart_ends_exactly_like_an_uninterrupted_run(tmp_path: Path, phase: str) -> None:
    def run(name: str, kill_at: int | None) -> tuple[int, tuple[dict[str, tuple[str, str, str]], Counter[str]], set[State]]:
        root = tmp_path / name
        root.mkdir()
        with serve() as fake:
            token_file(root / "token.json", fake)
            (root / "client.json").write_text("{}")
            world = GoogleWorld(root, fake, at("2026-11-17T12:00"))
            crossed = play(world, PHASES[phase], kill_at)  # type: ignore[arg-type]
            if kill_at is not None:
                world.cycle()  # the restart
                assert world.cycle().actions == [], "a further pass has nothing left to do"
            with world.store() as store:
                states = {e.state for e in store.effects().values()}
            assert fake.violations == []
            return crossed, snapshot(fake), states

    boundaries, expected, _ = run("reference", None)
    assert boundaries >= 8, "the phase must do real work"
    for kill_at in range(1, boundaries + 1):
        crossed, seen, states = run(f"kill-{kill_at}", kill_at)
        assert crossed == -1, f"boundary {kill_at} was not reached"
        assert seen == expected, f"{phase}: killed at boundary {kill_at}"
        assert states <= {State.DONE, State.DELETED}, f"{phase}: left {states} after boundary {kill_at}"
