"""Desktop notices on a real session bus: each event told once, across idle passes and restarts."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import DATA, ME, World, at, message, vevent
from interview_followup.desktop import Announcer, Desktop
from session_bus import NotificationServer, session_bus

INTERVIEW = vevent("iv-1@acme.com", at("2026-11-17T10:00"), summary="Acme - Interview for Platform Engineer")
UNSURE = vevent(
    "chat@globex.com",
    at("2026-11-18T15:00"),
    summary="Coffee chat <a href='https://evil.example'>Globex</a>",
    organizer="Pat Kim:pat.kim@globex.com",
    attendees=("Pat Kim:pat.kim@globex.com", f"Sam Lee:{ME}"),
)


@pytest.fixture
def bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NotificationServer]:
    with session_bus(tmp_path) as address, NotificationServer(address) as server:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield server


class Daemon:
    """What `Daemon._pass` does after the engine's pass, on the daemon's one connection to the state."""

    def __init__(self, world: World, desktop: Desktop) -> None:
        self.world, self.announcer = world, Announcer(desktop)
        self.store = world.store()

    def passes(self, count: int = 1) -> None:
        for _ in range(count):
            self.world.cycle()
            self.announcer.after_pass(self.store, self.world.now)
            self.world.now += timedelta(minutes=5)

    def stop(self) -> None:
        self.announcer.desktop.close()
        self.store.close()

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)


def test_a_week_in_the_life_tells_each_event_once(world: World, bus: NotificationServer) -> None:
    world.write_calendar(INTERVIEW, UNSURE)
    world.now = at("2026-11-17T11:10")
    daemon = Daemon(world, Desktop({}))
    daemon.passes(4)
    assert bus.summaries() == ["Thank-you notes ready: Acme", "Is this an interview? Globex"]
    assert "2 thank-you notes are in your Drafts folder" in bus.received[0]["body"]

    daemon.stop()
    daemon = Daemon(world, Desktop({}))  # a restart
    daemon.passes(3)
    world.now = at("2026-11-18T16:10")
    daemon.passes(3)
    with world.store() as store:
        store.set_sign_in_problem("home", "the login expired: run `interview-followup auth google`", world.now)
    daemon.passes(2)
    world.now = at("2026-11-23T02:05")  # just after the bounce's arrival, in Los Angeles
    world.deliver((DATA / "mail/ours/dsn-thank-you.eml").read_bytes())
    daemon.passes(3)
    world.now = at("2026-11-23T09:00")
    answer = message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Unfortunately we went another way.", received=world.now)
    world.deliver(answer)
    daemon.passes(3)
    daemon.stop()
    daemon = Daemon(world, Desktop({}))
    daemon.passes(2)
    daemon.stop()

    assert bus.summaries() == [  # full list
        "Thank-you notes ready: Acme",
        "Is this an interview? Globex",
        "Thank-you notes ready: Globex",
        "Sign-in needed: home",
        "A thank-you note bounced: Acme",
        "Acme answered",
    ]
    assert "jane.doe@acme.com" in bus.received[4]["body"] and "It reads as: rejected." in bus.received[5]["body"]
    assert {n["app"] for n in bus.received} == {"interview-followup"}


def test_text_from_an_invitation_cannot_become_markup_or_a_link(world: World, bus: NotificationServer) -> None:
    world.write_calendar(UNSURE)
    world.now = at("2026-11-18T14:00")  # before it: no drafts yet
    with Daemon(world, Desktop({})) as daemon:
        daemon.passes()
    (notice,) = bus.received
    assert "<a href" not in notice["body"] and "&lt;a href='https://evil.example'&gt;Globex&lt;/a&gt;" in notice["body"]


@pytest.mark.parametrize(
    ("event", "now", "links", "label"),
    [
        (INTERVIEW, "2026-11-17T11:10", {"home": "https://mail.example/drafts"}, "Open drafts"),
        (UNSURE, "2026-11-18T14:00", {}, "Show status"),
    ],
    ids=["drafts-on-the-web", "status-page"],
)
def test_the_button_opens_the_drafts_or_the_status_page_through_the_portal(
    world: World, bus: NotificationServer, tmp_path: Path, event: str, now: str, links: dict[str, str], label: str
) -> None:
    page = tmp_path / "status.html"
    page.write_text("<!doctype html><title>status</title>")
    world.write_calendar(event)
    world.now = at(now)
    desktop = Desktop(links, page)
    with Daemon(world, desktop) as daemon:
        daemon.passes()
        (notice,) = bus.received
        assert notice["actions"] == ["default", label]
        bus.press(1)
        wait_for(lambda: (desktop.poll(), bus.opened)[1])
    assert bus.opened == [links.get("home", str(page))], "a web address by name, the page as an open file"


def test_without_a_session_bus_it_says_so_once_and_tells_later(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    world.write_calendar(INTERVIEW)
    world.now = at("2026-11-17T11:10")
    clock = [0.0]
    daemon = Daemon(world, Desktop({}, None, lambda: clock[0]))
    with caplog.at_level(logging.INFO, logger="interview_followup.desktop"):
        daemon.passes(3)
        clock[0] += 700
        daemon.passes(2)
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "desktop notices are off: no session bus" in said[0], said
    with session_bus(tmp_path) as address, NotificationServer(address) as server:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        clock[0] += 700
        daemon.passes()
        assert server.summaries() == ["Thank-you notes ready: Acme"], "told once the desktop is there"
        daemon.stop()


def test_a_server_without_buttons_or_markup_gets_plain_text(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_bus(tmp_path) as address, NotificationServer(address, capabilities=("body",)) as server:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        world.write_calendar(UNSURE)
        world.now = at("2026-11-18T14:00")
        with Daemon(world, Desktop({"home": "https://mail.example/drafts"})) as daemon:
            daemon.passes()
    (notice,) = server.received
    assert notice["actions"] == [] and "<a href='https://evil.example'>Globex</a>" in notice["body"]
