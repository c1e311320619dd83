"""kill -9 at every effect boundary of a pass on the Google backend, then restart: the same result as an uninterrupted pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import at, message
from fake_google import FakeGoogle, serve, token_file
from test_crash import kill_everywhere
from test_google import GoogleWorld, interview


def _interview_ends(world: GoogleWorld) -> None:
    world.fake.put_event(interview())


def _employer_replies(world: GoogleWorld) -> None:
    world.now = at("2026-11-18T09:00")
    world.fake.deliver(
        message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Let's talk Friday.", received=world.now),
        world.now,
    )


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
    world: GoogleWorld

    def fresh(name: str) -> GoogleWorld:
        """A fresh account on the one fake server: a server per kill point would cost more than the passes."""
        nonlocal world
        fake.reset()
        (tmp_path / name).mkdir()
        token_file(tmp_path / name / "token.json", fake)
        (tmp_path / name / "client.json").write_text("{}")
        world = GoogleWorld(tmp_path / name, fake, at("2026-11-17T12:00"))
        return world

    with serve(clock=lambda: world.now) as fake:
        kill_everywhere(phase, fresh, PHASES[phase], lambda w: snapshot(w.fake))
        assert fake.violations == []
