"""kill -9 at every effect boundary of a pass on the Microsoft backend, then restart: the same result as an uninterrupted pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import at, message
from fake_microsoft import FakeMicrosoft, serve
from test_crash import kill_everywhere
from test_microsoft import MicrosoftWorld, interview


def _interview_ends(world: MicrosoftWorld) -> None:
    world.fake.put_event(interview())


def _employer_replies(world: MicrosoftWorld) -> None:
    world.now = at("2026-11-18T09:00")
    world.fake.deliver(
        message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Let's talk Friday.", received=world.now),
        world.now,
    )


def _interview_date_corrected(world: MicrosoftWorld) -> None:
    world.fake.put_event(interview(start=at("2026-11-16T10:00")))


PHASES: dict[str, list[Callable[[MicrosoftWorld], None]]] = {
    "create": [_interview_ends],
    "delete": [_interview_ends, _employer_replies],
    "update": [_interview_ends, _interview_date_corrected],
}


def snapshot(fake: FakeMicrosoft) -> tuple[dict[str, tuple[str, str]], Counter[str]]:
    """What the person sees in Outlook: our live events by key (subject, start) and the drafts by key."""
    events = {next(iter(i.props.values())): i for i in fake.items.values() if i.props and i.folder in fake.calendars}
    seen = {key: (i.data["subject"], i.data["start"]["dateTime"]) for key, i in events.items() if not i.deleted}
    return seen, Counter(next(iter(d.props.values())) for d in fake.drafts())


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_a_kill_at_any_effect_boundary_then_a_restart_ends_exactly_like_an_uninterrupted_run(
    tmp_path: Path, tls: Path, monkeypatch: pytest.MonkeyPatch, phase: str
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls))
    world: MicrosoftWorld

    def fresh(name: str) -> MicrosoftWorld:
        """A fresh account on the one fake server: a server per kill point would cost more than the passes."""
        nonlocal world
        fake.reset()
        (tmp_path / name).mkdir()
        world = MicrosoftWorld(tmp_path / name, fake, at("2026-11-17T12:00"))
        world.sign_in()
        return world

    with serve(tls, clock=lambda: world.now) as fake:
        kill_everywhere(phase, fresh, PHASES[phase], lambda w: snapshot(w.fake))
        assert fake.violations == []
