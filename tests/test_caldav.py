"""What only the CalDAV calendar has, on a real Radicale: finding the calendars, the cost of an idle pass, a sync
token the server forgot, a server without sync, restarts and dropped connections, passwords and certificates.
The contract suite (kind `caldav`) covers the rest."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest
import requests

from conftest import at, vevent
from dovecot import PASSWORD
from interview_followup import config as config_module
from interview_followup.errors import UserError
from interview_followup.providers import SignInNeeded, Unavailable, Window, caldav
from interview_followup.providers.caldav import Answer, CalDavCalendar, CalDavSettings, Dav, Login
from interview_followup.providers.imap import ImapAccount, calendar_login
from interview_followup.providers.presets import CALDAV, PRESETS, CalendarProvider
from interview_followup.providers.secrets import PasswordSource
from places import CalDavPlace, Servers
from test_imap import Resident

WINDOW = Window(at("2026-11-01T00:00"), at("2027-01-01T00:00"))


@pytest.fixture
def place(servers: Servers, tmp_path: Path) -> CalDavPlace:
    made = servers.place("caldav", tmp_path / "place")
    assert isinstance(made, CalDavPlace)
    return made


@pytest.fixture
def requests_sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Every HTTP request the calendar sends: its method, and the kind of REPORT or the Depth of a PROPFIND."""
    sent: list[tuple[str, str]] = []
    original = Dav._once

    def counting(self: Dav, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        kind = (body or b"").split(b">", 2)[1].split()[0].lstrip(b"<").decode() if method == "REPORT" else ""
        sent.append((method, kind or headers.get("Depth", "")))
        return original(self, method, url, body, headers)

    monkeypatch.setattr(Dav, "_once", counting)
    yield sent


def calendar_of(place: CalDavPlace, password: str = PASSWORD, **settings: Any) -> CalDavCalendar:
    login = Login(
        settings.pop("url", place.dav.url), place.dav_user, PasswordSource(f"printf '%s' '{password}'", None, "u@h"),
        settings.pop("certificate", place.dav.pem),
    )  # fmt: skip
    return CalDavCalendar(login, CalDavSettings(type="caldav", **settings), ZoneInfo("America/Los_Angeles"), lambda d: True)


def settled(place: CalDavPlace) -> Resident:
    """The interview over, its drafts and entries made, and read back by the next pass: idle from here on."""
    place.interview_ends()
    place.now = at("2026-11-17T11:10")
    resident = Resident(place)
    resident.run()
    resident.run()
    return resident


def test_an_idle_pass_is_one_status_command_and_one_sync_report_even_after_a_restart(
    place: CalDavPlace, requests_sent: list[tuple[str, str]], commands: list[str]
) -> None:
    resident = settled(place)
    place.send_drafts()
    resident.run()
    requests_sent.clear()
    commands.clear()
    resident.run()
    assert commands == ["STATUS"], "the inbox"
    assert requests_sent == [("REPORT", "d:sync-collection")], "the calendars were found once; the cursor keeps them"
    requests_sent.clear()
    Resident(place).run()
    assert requests_sent == [("REPORT", "d:sync-collection")], "a new process reads where the cursor says"


def test_calendars_are_found_from_the_server_the_principal_or_a_calendar_and_by_name(place: CalDavPlace) -> None:
    place.dav.make_calendar(place.dav_user, "Work")
    for url in (place.dav.url, f"{place.dav.url}{place.dav_user}/", f"{place.dav.url}no-such-place/"):
        found = calendar_of(place, url=url)
        state = found._found(None)
        assert sorted(state.calendars) == [f"{place.dav.url}{place.dav_user}/personal/", f"{place.dav.url}{place.dav_user}/work/"]
        assert state.followups.endswith("/personal/"), "the first calendar, unless one is named"
    one = calendar_of(place, url=f"{place.dav.url}{place.dav_user}/work/")._found(None)
    assert list(one.calendars) == [one.followups] and one.followups.endswith("/work/")
    named = calendar_of(place, watch=["personal"], followups="WORK")._found(None)
    assert list(named.calendars) == [f"{place.dav.url}{place.dav_user}/personal/"] and named.followups.endswith("/work/")
    with pytest.raises(Unavailable, match=r"no calendar named .Holidays. .*there are: Personal, Work\)"):
        calendar_of(place, watch=["Holidays"])._found(None)


def test_a_sync_token_the_server_forgot_means_one_full_look_and_nothing_twice(
    place: CalDavPlace, requests_sent: list[tuple[str, str]]
) -> None:
    resident = settled(place)
    made = place.entries_by_key()
    place.dav.forget_sync_tokens(place.dav_user, "personal")
    place.cancel()
    requests_sent.clear()
    report = resident.run()
    assert ("REPORT", "c:calendar-query") in requests_sent, "the window read again in full"
    assert any("interview cancelled" in n for n in report.notices)
    left = sorted(t for t, _ in place.entries_by_key().values())
    assert left == ["Send thank-you notes for Acme", "Tell your references about Acme"]
    assert set(place.entries_by_key()) < set(made), "nothing made twice"
    requests_sent.clear()
    resident.run()
    assert requests_sent == [("REPORT", "d:sync-collection")], "the new token works"


def test_a_server_without_sync_is_read_by_its_ctag_and_etags(
    place: CalDavPlace, requests_sent: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As old servers do: the sync REPORT is not implemented, so a changed ctag and etags say what changed."""
    original = Dav._once

    def no_sync(self: Dav, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        if method == "REPORT" and b"sync-collection" in (body or b""):
            return Answer(501, {}, b"")
        return original(self, method, url, body, headers)

    monkeypatch.setattr(Dav, "_once", no_sync)
    place.now = at("2026-11-17T11:10")
    resident = Resident(place)
    resident.run()
    place.interview_ends()
    assert any("new interview" in n for n in resident.run().notices)
    resident.run()  # reads the follow-up entries the pass before wrote
    requests_sent.clear()
    resident.run()
    assert requests_sent == [("PROPFIND", "0")], "the ctag alone, while nothing changed"
    place.cancel()
    assert any("interview cancelled" in n for n in resident.run().notices), "a vanished item is a removed event"


def test_a_server_restart_in_the_middle_of_a_pass_duplicates_and_loses_nothing(
    place: CalDavPlace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Radicale restarts just before the first follow-up entry is written: the kept connection has gone, the PUT
    goes again on a new one, in the same pass."""
    place.interview_ends()
    place.now = at("2026-11-17T10:30")
    resident = Resident(place)
    resident.run()  # during the interview: nothing made yet, a connection kept
    original, restarted = Dav._once, []

    def restart_then_put(self: Dav, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        if method == "PUT" and not restarted:
            restarted.append(True)
            place.dav.restart()
        return original(self, method, url, body, headers)

    monkeypatch.setattr(Dav, "_once", restart_then_put)
    place.now = at("2026-11-17T11:10")
    report = resident.run()
    assert restarted and len(place.entries_by_key()) == 6
    assert [a.verb for a in report.actions if a.step != "thank_you"] == ["created"] * 6, "made, not found after a crash"
    assert resident.run().actions == []


def test_a_connection_dropped_right_after_a_put_leaves_one_entry(place: CalDavPlace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server stored the entry, but its answer never came: the PUT again is refused (If-None-Match), and
    the entry there is taken as ours."""
    place.interview_ends()
    place.now = at("2026-11-17T11:10")
    original, dropped = Dav._once, []

    def put_then_drop(self: Dav, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        answer = original(self, method, url, body, headers)
        if method == "PUT" and not dropped:
            dropped.append(url)
            raise requests.exceptions.ConnectionError("connection reset by peer")
        return answer

    monkeypatch.setattr(Dav, "_once", put_then_drop)
    report = Resident(place).run()
    assert dropped and sorted(Counter(key for key, _ in place.entry_items()).values()) == [1] * 6
    verbs = Counter(a.verb for a in report.actions if a.step != "thank_you")
    assert verbs == {"created": 5, "found (already there)": 1}, "the one whose answer was lost is found at its name"


def test_a_wrong_password_or_an_untrusted_certificate_says_what_to_do(
    place: CalDavPlace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SignInNeeded, match="refused the password for sam.* app password"):
        calendar_of(place, password="wrong").changes(None, WINDOW)
    with pytest.raises(Unavailable, match="not an https address; the password is not sent there"):
        calendar_of(place).dav.request("PROPFIND", "http://dav.example.org/somewhere/")  # as a redirect or a home may say
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(Unavailable, match="certificate is not trusted"):
        calendar_of(place, certificate=None).changes(None, WINDOW)


def test_an_invitation_moved_or_a_series_shortened_is_seen_in_the_same_pass(place: CalDavPlace) -> None:
    """An item changed by the person: its occurrences no longer there are gone; the others stay."""
    weekly = vevent("weekly@acme.com", at("2026-11-18T10:00"), summary="Interview with Acme", extra="RRULE:FREQ=WEEKLY;COUNT=3")
    place.write_calendar(weekly)
    calendar = calendar_of(place)
    first = calendar.changes(None, WINDOW)
    assert len(first.events) == 3 and first.replaced_sources == {f"{place.dav.url}{place.dav_user}/personal/"}
    place.write_calendar(weekly.replace("COUNT=3", "COUNT=2"))
    later = calendar.changes(first.cursor, WINDOW)
    assert len(later.events) == 2 and later.replaced_sources == set()
    assert later.removed == {"weekly@acme.com/20261202T180000Z"}, "the third Wednesday, 10:00 in Los Angeles"
    place.write_calendar()
    gone = calendar.changes(later.cursor, WINDOW)
    assert len(gone.removed) == 2 and not gone.events


def test_an_item_too_large_to_read_is_left_out_and_the_rest_read(place: CalDavPlace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone can put an event of any size in a calendar: the batch holding it is read in halves, down to that
    one item, which is named and skipped; since it might have been an interview, none is taken as gone."""
    monkeypatch.setattr(caldav, "RESPONSE_LIMIT", 64 * 1024)
    small = [vevent(f"iv-{n}@acme.com", at("2026-11-18T10:00") + timedelta(days=n)) for n in range(5)]
    huge = vevent("huge@example.org", at("2026-11-19T10:00"), summary="Interview", description="x" * 100_000)
    place.write_calendar(*small, huge)
    changes = calendar_of(place).changes(None, WINDOW)
    assert sorted(e.uid for _, e in changes.events) == [f"iv-{n}@acme.com" for n in range(5)]
    assert changes.problems == ["huge@example.org.ics: larger than 0 MiB, skipped"]
    assert changes.replaced_sources == set(), "not a complete listing: nothing is taken as gone"


def _imap(**calendar: Any) -> ImapAccount:
    return ImapAccount(name="m", type="imap", provider="fastmail", username="sam@fastmail.com", calendar=calendar)


def test_the_calendar_server_comes_from_the_provider_or_the_settings(tmp_path: Path) -> None:
    assert set(CALDAV) == set(get_args(CalendarProvider)) and set(CALDAV) - {"nextcloud"} < set(PRESETS)
    fastmail = _imap(type="caldav")
    login = calendar_login(fastmail, fastmail.calendar)  # type: ignore[arg-type]
    assert (login.url, login.username) == ("https://caldav.fastmail.com/dav/", "sam@fastmail.com")
    assert login.source == fastmail.source, "the mail account's password, unless the calendar names its own"
    assert "make an app password" in login.before
    cloud = _imap(type="caldav", provider="nextcloud", url="https://cloud.example.org", password_command="pass cloud")
    login = calendar_login(cloud, cloud.calendar)  # type: ignore[arg-type]
    assert login.url == "https://cloud.example.org/remote.php/dav/" and login.source.command == "pass cloud"
    with pytest.raises(ValueError, match="calendar: url: give the CalDAV server"):
        _imap(type="caldav", provider="nextcloud")
    with pytest.raises(ValueError, match="http:// sends your password unencrypted"):
        _imap(type="caldav", url="http://dav.example.org/")
    assert _imap(type="caldav", url="http://127.0.0.1:5232/").written == []
    with pytest.raises(ValueError, match="followup_calendar: name the folder"):
        ImapAccount(name="m", type="imap", provider="fastmail", username="s", calendar=str(tmp_path))


def test_a_configuration_with_a_caldav_calendar_loads_and_its_errors_name_the_key(tmp_path: Path) -> None:
    text = (
        "me:\n  addresses: [sam@example.net]\naccounts:\n  - name: mail\n    type: imap\n    provider: posteo\n"
        "    username: sam@posteo.de\n    password_command: pass mail\n    calendar:\n      type: caldav\n"
        "      watch: [Kalender]\n"
    )
    path = tmp_path / "config.yaml"
    path.write_text(text)
    loaded = config_module.load(path).config.accounts[0]
    assert isinstance(loaded.calendar, CalDavSettings) and loaded.calendar.watch == ["Kalender"]  # type: ignore[attr-defined]
    path.write_text(text.replace("watch: [Kalender]", "whatch: [Kalender]"))
    with pytest.raises(UserError, match=r"config.yaml:11: accounts\[0\].calendar.whatch: unknown key; did you mean `watch`\?"):
        config_module.load(path)


def test_a_calendar_deleted_at_the_server_is_said_and_the_calendars_looked_for_again(place: CalDavPlace) -> None:
    place.dav.make_calendar(place.dav_user, "Work")
    calendar = calendar_of(place)
    cursor = calendar.changes(None, WINDOW).cursor
    place.dav.session(place.dav_user).delete(f"{place.dav.url}{place.dav_user}/work/").raise_for_status()
    with pytest.raises(Unavailable, match="/work/: the calendar is no longer there"):
        calendar.changes(cursor, WINDOW)
    after = calendar.changes(cursor, WINDOW)
    assert [url.rsplit("/", 2)[1] for url in json.loads(after.cursor)["calendars"]] == ["personal"]


def test_a_server_of_weak_etags_still_has_its_entries_moved_and_removed(
    place: CalDavPlace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some servers give only weak etags, which `If-Match` never matches: the etag is compared just before instead,
    or no follow-up would ever move or go."""
    original = Dav._once

    def weak(self: Dav, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        assert not headers.get("If-Match", "").startswith("W/"), "never a weak etag in If-Match"
        answer = original(self, method, url, body, headers)
        etag = answer.headers.get("etag")
        return replace(answer, headers={**answer.headers, "etag": f"W/{etag}"}) if etag else answer

    monkeypatch.setattr(Dav, "_once", weak)
    place.interview_ends()
    place.cycle()
    place.interview_ends(start=at("2026-11-16T10:00"))
    assert [a.verb for a in place.cycle().actions].count("moved") == 4
    place.now = at("2026-11-20T09:00")
    place.employer_replies()
    place.cycle()
    assert sorted(t for t, _ in place.entries_by_key().values()) == [
        "Send thank-you notes for Acme",
        "Tell your references about Acme",
    ]
