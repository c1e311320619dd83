"""kill -9 at every effect boundary of a pass on the Microsoft backend, then restart: the same result as an uninterrupted pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import at, message
from fake_microsoft import FakeMicrosoft, serve
from interview_followup.store import State
from test_crash import play
from test_microsoft import MicrosoftWorld, interview


def _interview_ends(world: MicrosoftWorld) -> None:
    world.fake.put_event(interview())


def _employer_replies(world: MicrosoftWorld) -> None:
    world.now = at("2026-11-18T09:00")
    world.fake.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Let's talk Friday."), world.now)


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

    def run(name: str, kill_at: int | None) -> tuple[int, tuple[dict[str, tuple[str, str]], Counter[str]], set[State]]:
        root = tmp_path / name
        root.mkdir()
        with serve(tls) as fake:
            world = MicrosoftWorld(root, fake, at("2026-11-17T12:00"))
            world.sign_in()
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
