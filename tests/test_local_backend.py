"""The account-free backend: calendars from files, folders and URLs; Maildir read and written the Maildir way."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import DATA, World, at, calendar, message, vevent
from interview_followup import ics
from interview_followup.providers import Unavailable, Window
from interview_followup.providers.local import LocalCalendar, LocalMailbox

UTC = timezone.utc
WINDOW = Window(datetime(2026, 8, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))


class CalendarServer(http.server.BaseHTTPRequestHandler):
    body = b""
    etag = '"v1"'
    requests: list[dict[str, str]] = []
    status = 200

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        type(self).requests.append(dict(self.headers))
        if self.status != 200:
            self.send_error(self.status)
            return
        if self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("ETag", self.etag)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[CalendarServer]]]:
    handler = type("Handler", (CalendarServer,), {"requests": [], "body": b"", "status": 200})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/cal.ics", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_web_calendar_is_fetched_with_conditional_requests(world: World, server: tuple[str, type[CalendarServer]]) -> None:
    url, handler = server
    handler.body = calendar(vevent("iv@acme.com", at("2026-11-17T10:00"))).encode()
    world.config_path.write_text(world.config_text().replace(f"calendar: {world.root}/calendar", f"calendar: {url}"))
    world.cycle()
    assert len(world.drafts()) == 2
    world.now += timedelta(minutes=5)
    world.cycle()
    assert len(handler.requests) == 2 and handler.requests[1].get("If-None-Match") == '"v1"'
    assert len(world.drafts()) == 2


def test_an_unreachable_web_calendar_fails_that_account_only(world: World, server: tuple[str, type[CalendarServer]]) -> None:
    url, handler = server
    handler.status = 503
    source = LocalCalendar(url, world.root / "f", ZoneInfo("UTC"))
    with pytest.raises(Unavailable, match="HTTP 503") as caught:
        source.changes(None, WINDOW)
    assert "cal.ics" not in str(caught.value), "calendar URLs can carry secrets: only the host is shown"


def test_a_vdir_folder_is_read_and_unchanged_files_are_not_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(3):
        (tmp_path / f"e{index}.ics").write_text(calendar(vevent(f"e{index}", at("2026-11-17T10:00"))))
    source = LocalCalendar(str(tmp_path), tmp_path / "f", ZoneInfo("UTC"))
    first = source.changes(None, WINDOW)
    assert len(first.events) == 3
    parsed: list[bytes] = []
    real = ics.parse
    monkeypatch.setattr(ics, "parse", lambda data, *a: parsed.append(data) or real(data, *a))
    assert source.changes(first.cursor, WINDOW).events == []
    assert parsed == []
    os.unlink(tmp_path / "e1.ics")
    third = source.changes(first.cursor, WINDOW)
    assert third.replaced_sources == {str(tmp_path / "e1.ics")} and parsed == []


def test_recurring_series_are_expanded_with_stable_instance_identities() -> None:
    text = calendar(
        vevent("series", at("2026-11-02T10:00"), extra="RRULE:FREQ=WEEKLY;COUNT=3"),
        vevent("series", at("2026-11-10T15:00"), extra="RECURRENCE-ID:20261109T180000Z"),
    )
    events = ics.parse(text.encode(), ZoneInfo("America/Los_Angeles"), *WINDOW.__dict__.values()).events
    assert sorted(e.identity for e in events) == ["series/20261102T180000Z", "series/20261109T180000Z", "series/20261116T180000Z"]
    moved = next(e for e in events if e.identity == "series/20261109T180000Z")
    assert moved.start == at("2026-11-10T15:00")


def test_windows_time_zone_names_from_outlook_are_understood() -> None:
    events = ics.parse(
        (DATA / "ics/khal/tz_windows_format.ics").read_bytes(),
        ZoneInfo("UTC"),
        datetime(2000, 1, 1, tzinfo=UTC),
        datetime(2030, 1, 1, tzinfo=UTC),
    ).events
    assert events and all(e.start.utcoffset() is not None for e in events)
    assert events[0].start.astimezone(ZoneInfo("Pacific/Auckland")).hour == 13


def test_all_day_events_are_local_days_not_utc() -> None:
    text = calendar("BEGIN:VEVENT\nUID:d\nDTSTAMP:20261101T000000Z\nDTSTART;VALUE=DATE:20261117\nSUMMARY:Onsite\nEND:VEVENT\n")
    zone = ZoneInfo("America/Los_Angeles")
    (event,) = ics.parse(text.encode(), zone, *WINDOW.__dict__.values()).events
    assert (
        event.all_day and event.start == datetime(2026, 11, 17, tzinfo=zone) and event.end == datetime(2026, 11, 18, tzinfo=zone)
    )


@pytest.mark.parametrize(
    "name", ["icalendar/broken_ical.ics", "vexa/neg-malformed-truncated-vevent.ics", "khal/non_dst_error.ics"]
)
def test_broken_calendars_are_reported_not_fatal(name: str) -> None:
    parsed = ics.parse(
        (DATA / "ics" / name).read_bytes(), ZoneInfo("UTC"), datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    )
    assert parsed.problems or parsed.events is not None


def test_a_cancellation_counts_in_a_status_or_summary_written_twice() -> None:
    """RFC 5545 allows one STATUS and one SUMMARY; a second one must not turn a cancelled event back on."""
    twice = "STATUS:CONFIRMED\nSTATUS:CANCELLED\nSUMMARY:Second summary"
    text = calendar(vevent("twice@acme.com", datetime(2026, 11, 17, 10, tzinfo=UTC), extra=twice))
    (event,) = ics.parse(text.encode(), ZoneInfo("UTC"), *WINDOW.__dict__.values()).events
    assert event.status == "CANCELLED" and event.summary == "Interview with Acme"


def test_a_broken_event_does_not_hide_its_neighbours() -> None:
    good = vevent("good", at("2026-11-17T10:00"))
    bad = "BEGIN:VEVENT\nUID:bad\nDTSTART:2026-99-99\nRRULE:FREQ=WEEKLY\nEND:VEVENT\n"
    parsed = ics.parse(calendar(good, bad).encode(), ZoneInfo("UTC"), *WINDOW.__dict__.values())
    assert [e.uid for e in parsed.events] == ["good"]
    assert parsed.skipped == {"bad"} and parsed.problems


def test_the_inbox_is_never_changed(world: World) -> None:
    world.write_calendar(vevent("iv@acme.com", at("2026-11-17T10:00")))
    world.cycle()
    world.deliver(message("Jane <jane.doe@acme.com>", "Re: Thanks", received=world.now))
    old = message("A <a@b.com>", "old", received=at("2023-11-14T14:13"))
    (world.root / "Mail/INBOX/cur/1700000000.x.host:2,S").write_bytes(old)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in (world.root / "Mail/INBOX").rglob("*") if p.is_file())
    world.now += timedelta(hours=1)
    world.cycle()
    after = sorted((p.name, p.stat().st_mtime_ns) for p in (world.root / "Mail/INBOX").rglob("*") if p.is_file())
    assert before == after


def test_an_idle_inbox_is_not_listed_again(tmp_path: Path) -> None:
    for sub in ("new", "cur", "tmp"):
        (tmp_path / sub).mkdir()
    (tmp_path / "new" / "1795000000.a.host").write_bytes(message("Jane <j@acme.com>", "Hi", received=at("2026-11-17T09:00")))
    box = LocalMailbox(tmp_path, tmp_path / "Drafts")
    seen: list[str] = []
    first = box.changes(None, datetime(2020, 1, 1, tzinfo=UTC), lambda key: seen.append(key) or False, lambda _: True)
    assert len(first.messages) == 1 and seen == ["1795000000.a.host"]
    assert (
        box.changes(
            first.cursor, datetime(2020, 1, 1, tzinfo=UTC), lambda key: seen.append(key) or False, lambda _: True
        ).messages
        == []
    )
    assert seen == ["1795000000.a.host"], "an unchanged Maildir is not even listed"
    assert json.loads(first.cursor)


def test_a_windows_1252_calendar_reads_as_its_author_wrote_it() -> None:
    data = calendar(vevent("latin", at("2026-11-17T10:00"), summary="Entretien avec René – Café Crème")).encode("cp1252")
    (event,) = ics.parse(data, ZoneInfo("UTC"), *WINDOW.__dict__.values()).events
    assert event.summary == "Entretien avec René – Café Crème"


def test_a_changed_inbox_looks_only_at_the_files_that_came_or_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first change of a day looks at everything; later ones at what was delivered or moved since."""
    monkeypatch.setattr("interview_followup.providers.local.RACY_NS", 0)
    for sub in ("new", "cur", "tmp"):
        (tmp_path / sub).mkdir()
    for name in ("a", "b"):
        delivered = message("J <j@acme.com>", name, received=at("2026-11-17T09:00"))
        (tmp_path / "new" / f"1795000000.{name}.host").write_bytes(delivered)
    time.sleep(0.05)
    (tmp_path / "new" / ".touch").touch()  # the folder's time moves past theirs, set by the kernel (not utime,
    (tmp_path / "new" / ".touch").unlink()  # which libfaketime would set to its own clock)
    box, since = LocalMailbox(tmp_path, tmp_path / "Drafts"), datetime(2020, 1, 1, tzinfo=UTC)
    looked: list[str] = []

    def known(key: str) -> bool:
        looked.append(key)
        return True

    first = box.changes(None, since, known, lambda _: True)
    assert sorted(looked) == ["1795000000.a.host", "1795000000.b.host"]
    time.sleep(0.05)
    (tmp_path / "new" / "1795000000.c.host").write_bytes(message("J <j@acme.com>", "c", received=at("2026-11-17T09:00")))
    (tmp_path / "new" / "1795000000.a.host").rename(tmp_path / "cur" / "1795000000.a.host:2,S")
    looked.clear()
    second = box.changes(first.cursor, since, known, lambda _: True)
    assert sorted(looked) == ["1795000000.a.host", "1795000000.c.host"], "b was looked at before and has not moved"

    stamps = json.loads(second.cursor)["stamps"]
    a_day_earlier = {"stamps": stamps, "looked_before": [n - 86_400 * 10**9 for n in stamps]}
    looked.clear()
    time.sleep(0.05)
    (tmp_path / "new" / "1795000000.d.host").write_bytes(message("J <j@acme.com>", "d", received=at("2026-11-17T09:00")))
    box.changes(json.dumps(a_day_earlier), since, known, lambda _: True)
    assert len(looked) == 4, "the first change of a day looks at every file"
