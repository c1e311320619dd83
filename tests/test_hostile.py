"""Whatever anyone puts in the calendar or the inbox, the real interview beside it is still handled."""

from __future__ import annotations

from conftest import World, at, vevent
from hostile import calendars, messages


def test_every_hostile_shape_beside_a_real_interview_leaves_the_interview_handled(world: World) -> None:
    folder = world.root / "calendar"
    for name, data in calendars().items():
        (folder / name).write_bytes(data)
    world.write_calendar(vevent("real@acme.com", at("2026-11-17T10:00"), summary="Acme - Interview"), name="real.ics")
    report = world.cycle()
    assert len(world.drafts()) == 2 and len(world.entries()) == 6, report.notices
    said = "\n".join(report.notices)
    for uid in ("secondly", "never"):
        assert f"'Interview prep club' ({uid}): repeats too often to expand, left out" in said
    for uid in ("minutely", "dense"):
        assert f"'Interview prep club' ({uid}): too many occurrences, only those until" in said
    assert "binary.ics: not a readable iCalendar file" in said
    assert all(ch.isascii() or ch in "éÉ" for ch in said.replace("\n", " ")), "no bytes of the file echoed"
    world.now = at("2026-11-17T13:00")
    for name, raw in messages().items():
        world.deliver(raw, name=f"1795000000.{name}.host")
    assert world.cycle().actions == [], "no message made anything, and none stopped the pass"


def test_a_crowd_of_five_thousand_gets_no_thank_you_drafts(world: World) -> None:
    crowd = calendars()["crowd.ics"]
    world.write_calendar(name="crowd.ics")
    (world.root / "calendar" / "crowd.ics").write_bytes(crowd.replace(b"20260105", b"20261117"))
    world.cycle()
    assert world.drafts() == [] and world.entries() == []
