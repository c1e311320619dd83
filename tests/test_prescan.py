"""The scan that spares the full parse must never hide an interview, nor the cancellation of one."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hostile
from conftest import DATA, World, at, calendar, vevent
from interview_followup import detect, ics
from interview_followup.model import Event
from interview_followup.prescan import ANCHORS, may_hold_interview, skeleton

EVERYTHING = (datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))
RULESETS = [detect.Rules(), detect.Rules(keywords=("Kaffee mit", "deep dive", "Gespräch"))]


def _as_live(event: Event) -> Event:
    """The event as an interview would be before its cancellation or a decline: what a cancellation is about."""
    attendees = tuple(replace(a, partstat="ACCEPTED") for a in event.attendees)
    return replace(event, status="CONFIRMED", attendees=attendees, own_key=None)


def _calendars() -> dict[str, bytes]:
    files = {str(p.relative_to(DATA)): p.read_bytes() for p in sorted(DATA.rglob("*.ics"))}
    files |= {f"hostile/{name}": data for name, data in hostile.calendars().items() if len(data) < 2**20}
    return files


CALENDARS = _calendars()


@pytest.mark.parametrize("rules", RULESETS, ids=["default", "keywords"])
@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_the_prescan_passes_every_file_that_holds_an_interview_or_its_cancellation(name: str, rules: detect.Rules) -> None:
    data = CALENDARS[name]
    parsed = ics.parse(data, ZoneInfo("UTC"), *EVERYTHING, seconds=5)
    found = [e.summary for e in parsed.events if detect.detect(_as_live(e), rules).interview]
    if found:
        assert may_hold_interview(data, rules), f"{name} holds {found} but the prescan turned it away"


def test_the_test_calendars_hold_interviews_and_other_events() -> None:
    """The check above means something: both kinds are there, and the prescan turns the others away."""
    verdicts = [may_hold_interview(data, detect.Rules()) for data in CALENDARS.values()]
    assert verdicts.count(True) > 40 and verdicts.count(False) > 10


@pytest.mark.parametrize("summary", ["Team sync", "Dentist", "Lunch with Alex", "Sprint planning", "Book club"])
def test_ordinary_events_are_not_parsed(summary: str) -> None:
    data = calendar(vevent("x", at("2026-11-17T10:00"), summary=summary, organizer="", attendees=())).encode()
    assert not may_hold_interview(data, detect.Rules())


@pytest.mark.parametrize(
    ("summary", "rules"),
    [
        ("Inter\\,view? no: Interview with Acme", detect.Rules()),
        ("ＩＮＴＥＲＶＩＥＷ with Acme", detect.Rules()),
        ("İnterview with Acme", detect.Rules()),
        ("ınterview with Acme", detect.Rules()),
        ("Phone ſcreen with Acme", detect.Rules()),
        ("Vorstellungsgespräch bei Umbrella", detect.Rules()),
        ("面接 (Contoso)", detect.Rules()),
        ("Kaffee  mit Jana", detect.Rules(keywords=("kaffee  mit",))),
    ],
)
def test_wording_in_any_form_reaches_the_full_parse(summary: str, rules: detect.Rules) -> None:
    data = calendar(vevent("x", at("2026-11-17T10:00"), summary=summary)).encode()
    assert may_hold_interview(data, rules)


def test_a_folded_line_or_a_scheduler_link_reaches_the_full_parse() -> None:
    folded = calendar(vevent("x", at("2026-11-17T10:00"), summary="Chat")).replace("SUMMARY:Chat", "SUMMARY:Phone scr\n een")
    assert may_hold_interview(folded.encode(), detect.Rules())
    linked = calendar(vevent("y", at("2026-11-17T10:00"), summary="Sync", description="https://app.GreenHouse.io/x"))
    assert may_hold_interview(linked.encode(), detect.Rules())


def test_what_it_cannot_read_through_goes_to_the_full_parse() -> None:
    for text in ["<b>Sync</b>", "Sync &amp; more"]:
        data = calendar(vevent("x", at("2026-11-17T10:00"), summary="Sync", description=text)).encode()
        assert may_hold_interview(data, detect.Rules())
    latin = calendar(vevent("x", at("2026-11-17T10:00"), summary="Réunion")).encode("cp1252")
    assert may_hold_interview(latin, detect.Rules())


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_match_of_the_interview_wording_holds_an_anchor(data: st.DataObject) -> None:
    pattern = data.draw(st.sampled_from([*detect.STRONG, *detect.WEAK]))
    text = data.draw(st.from_regex(re.compile(pattern, re.I), fullmatch=True))
    assert any(skeleton(anchor) in skeleton(text) for anchor in ANCHORS), (pattern, text)


def test_a_file_that_held_an_interview_is_read_in_full_when_its_wording_goes(world: World) -> None:
    """Once an interview was there, the full parse decides what became of it (here: a plain meeting now)."""
    world.write_calendar(vevent("iv", at("2026-11-17T10:00"), summary="Interview with Acme"))
    world.now = at("2026-11-17T12:00")
    world.cycle()
    world.write_calendar(vevent("iv", at("2026-11-17T10:00"), summary="Team sync"))
    report = world.cycle()
    assert any("cancelled or removed" in n for n in report.notices)
