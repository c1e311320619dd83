"""The Google backend, end to end: the real google-api-python-client and google-auth against a loopback fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from conftest import IDLE_HOURS, ME, CloudWorld, at, employer_answers_behind_other_mail, message, names_read
from fake_google import DOCUMENTS, FakeGoogle, serve, token_file
from interview_followup import config as config_module
from interview_followup import daemon, status
from interview_followup.engine import Engine
from interview_followup.providers import Backend, google
from interview_followup.store import State

INTERVIEWERS = [
    {"email": "jane.doe@acme.com", "displayName": "Jane Doe"},
    {"email": "raj.patel@acme.com", "displayName": "Raj Patel"},
]


def interview(event_id: str = "iv1", start: datetime | None = None, **extra: Any) -> dict[str, Any]:
    start = start or at("2026-11-17T10:00")
    return {
        "id": event_id,
        "summary": "Acme - Interview for Platform Engineer",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
        "organizer": {"email": "jane.doe@acme.com", "displayName": "Jane Doe"},
        "attendees": [*INTERVIEWERS, {"email": ME, "self": True, "responseStatus": "accepted"}],
        **extra,
    }


@dataclass
class GoogleWorld(CloudWorld):
    fake: FakeGoogle
    name = "gmail"

    def account_yaml(self) -> str:
        return f"""\
            type: google
            client_secrets: {self.root}/client.json
            token_file: {self.root}/token.json
            api_endpoint: {self.fake.url}
            token_uri: {self.fake.url}token
            """

    def open(self, config: config_module.Config) -> Backend:
        return google.open_google(config.accounts[0], config)  # type: ignore[arg-type]

    def our_events(self) -> list[dict[str, Any]]:
        return [e for e in self.fake.events() if "extendedProperties" in e]


@pytest.fixture
def gworld(tmp_path: Path) -> Iterator[GoogleWorld]:
    with serve(clock=lambda: world.now) as fake:
        token_file(tmp_path / "token.json", fake)
        (tmp_path / "client.json").write_text("{}")
        world = GoogleWorld(tmp_path, fake, at("2026-11-17T12:00"))
        yield world
        assert fake.violations == [], "every request must be one the real API accepts"


def test_our_drafts_and_events_carry_their_key_where_google_keeps_it(gworld: GoogleWorld) -> None:
    """The contract suite checks what is made; here, that Google can be asked for it again by key."""
    gworld.fake.put_event(interview())
    gworld.cycle()
    assert len(gworld.fake.draft_messages()) == 2
    assert all(d.headers["X-Interview-Followup-Key"] for d in gworld.fake.draft_messages())
    for event in gworld.our_events():
        key = event["extendedProperties"]["private"]["interviewFollowupKey"]
        assert event["id"] == google.event_id(key)
    assert not any(m.endswith(".send") for m, _ in gworld.fake.requests), "drafts only (the fake also flags any send)"


def test_an_idle_cycle_costs_one_calendar_request_per_calendar_and_one_gmail_request(gworld: GoogleWorld) -> None:
    gworld.fake.put_event(interview())
    gworld.cycle()
    gworld.now = at("2026-11-18T09:00")  # past the reminder: nothing to ask about sent drafts
    gworld.cycle()
    before = len(gworld.fake.requests)
    assert gworld.cycle().actions == []
    idle = [method for method, _ in gworld.fake.requests[before:]]
    assert idle == ["calendar.events.list", "gmail.users.history.list"]


def test_a_second_watched_calendar_adds_exactly_one_request(gworld: GoogleWorld) -> None:
    gworld.fake.calendars["work@group.calendar.google.com"] = {}
    gworld.fake.names["work@group.calendar.google.com"] = "Job hunt"
    gworld.fake.put_event(interview(), calendar="work@group.calendar.google.com")
    gworld.extra = "    calendars: [primary, Job hunt]\n"
    gworld.cycle()
    assert len(gworld.our_events()) == 6, "the interview in the named calendar was found; follow-ups go to primary"
    gworld.now = at("2026-11-18T09:00")
    gworld.cycle()
    before = len(gworld.fake.requests)
    gworld.cycle()
    assert [m for m, _ in gworld.fake.requests[before:]] == ["calendar.events.list"] * 2 + ["gmail.users.history.list"]


def test_an_answer_that_came_while_the_history_expired_is_found_by_a_bounded_listing(gworld: GoogleWorld) -> None:
    gworld.fake.put_event(interview())
    gworld.cycle()
    gworld.now = at("2026-11-19T09:00")
    gworld.fake.deliver(
        message("Old news <news@example.org>", "Weekly digest", "Nothing here.", received=at("2026-11-01T09:00")),
        at("2026-11-01T09:00"),
    )
    gworld.fake.deliver(
        message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "We'd like to move forward.", received=gworld.now),
        gworld.now,
    )
    gworld.fake.history_floor = 10**6
    report = gworld.cycle()
    assert any("employer replied" in n for n in report.notices)
    listing = [p for m, p in gworld.fake.requests if m == "gmail.users.messages.list"]
    assert listing and all("after:" in p["q"] for p in listing)
    assert "news@example.org" not in str([p for m, p in gworld.fake.requests if m == "gmail.users.messages.get"])


def test_only_messages_that_may_matter_are_fetched_whole(gworld: GoogleWorld) -> None:
    gworld.fake.put_event(interview())
    gworld.cycle()
    gworld.fake.deliver(message("Pat <pat@example.org>", "Dinner?", "See you at eight.", received=gworld.now), gworld.now)
    gworld.fake.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Thanks!", received=gworld.now), gworld.now)
    gworld.cycle()
    formats = [p["format"] for m, p in gworld.fake.requests if m == "gmail.users.messages.get"]
    assert sorted(formats) == ["metadata", "metadata", "raw"]


def test_a_draft_sent_by_relabelling_it_keeps_its_id_and_is_noticed_as_sent(gworld: GoogleWorld) -> None:
    """Sending can move a draft's message from DRAFT to SENT under the same id (a labelAdded in the history)."""
    gworld.fake.sending_keeps_the_id = True
    gworld.fake.put_event(interview())
    gworld.cycle()
    for draft_id in list(gworld.fake.drafts):
        gworld.fake.send_draft(draft_id)
    gworld.now = at("2026-11-17T15:00")
    gworld.cycle()
    assert not any(e["summary"].startswith("Send thank-you") for e in gworld.fake.events())
    with gworld.store() as store:
        assert {e.state for e in store.effects().values() if e.step == "thank_you"} == {State.SENT}


def test_a_thank_you_whose_subject_the_person_edited_is_noticed_when_sent(gworld: GoogleWorld) -> None:
    """Gmail moves a draft with a new subject to a new thread, and its web interface writes it afresh."""
    gworld.fake.put_event(interview())
    gworld.cycle()
    for draft_id in list(gworld.fake.drafts):
        gworld.fake.edit_draft(draft_id, subject="Great to meet you today")
        gworld.fake.send_draft(draft_id)
    gworld.now = at("2026-11-17T15:00")
    before = len(gworld.fake.requests)
    gworld.cycle()
    assert not any(e["summary"].startswith("Send thank-you") for e in gworld.fake.events())
    sent_reads = [m for m, p in gworld.fake.requests[before:] if m == "gmail.users.messages.get"]
    assert len(sent_reads) == 2, "one metadata read per message sent, none per draft"


@pytest.mark.parametrize("empty", [False, True], ids=["pages of one", "empty pages with a next page token"])
def test_every_listing_is_read_to_its_last_page_and_a_dropped_create_leaves_one_draft(gworld: GoogleWorld, empty: bool) -> None:
    gworld.fake.page_size, gworld.fake.empty_pages = 1, empty
    for n in range(3):
        gworld.fake.names[f"c{n}@group.calendar.google.com"] = f"Other {n}"
    gworld.fake.calendars["jobs@group.calendar.google.com"] = {}
    gworld.fake.names["jobs@group.calendar.google.com"] = "Job hunt"
    gworld.extra = "    calendars: [primary, Job hunt]\n"
    gworld.fake.put_event(interview())
    lee = {"email": "lee.wong@globex.com", "displayName": "Lee Wong"}
    globex = {"summary": "Globex - Phone screen", "organizer": lee, "attendees": [lee, {"email": ME, "self": True}]}
    gworld.fake.put_event(interview("iv2", at("2026-11-17T08:00"), **globex), calendar="jobs@group.calendar.google.com")
    gworld.fake.fail("gmail.users.drafts.create")
    gworld.cycle()
    assert len(gworld.our_events()) == 12, "both calendars were read to their last page"
    assert len(gworld.fake.draft_messages()) == 3, "the copy made by the resent create was found on a later page"
    with gworld.store() as store:
        refs = {e.ref for e in store.effects().values() if e.kind == "draft"}
    assert refs == set(gworld.fake.drafts)
    report = employer_answers_behind_other_mail(gworld)
    assert any("employer replied" in n for n in report.notices), "the reply on the last history page was read"
    assert gworld.cycle().actions == []


def test_a_create_cut_short_is_found_again_though_the_search_index_lags(gworld: GoogleWorld) -> None:
    gworld.fake.search_lags = True
    gworld.fake.put_event(interview())

    def crash_after_the_first_draft(label: str) -> None:
        if label.startswith("created:") and label.endswith(":after-call"):
            raise SystemExit("killed")

    with pytest.raises(SystemExit):
        gworld.cycle(checkpoint=crash_after_the_first_draft)
    assert len(gworld.fake.draft_messages()) == 1
    gworld.fake.fail("gmail.users.drafts.create")  # and the second create is resent as well
    gworld.cycle()
    assert len(gworld.fake.draft_messages()) == 2, "neither the search nor a resent create made a second copy"
    assert gworld.cycle().actions == []


def test_follow_ups_removed_and_needed_again_are_revived_with_if_match(gworld: GoogleWorld) -> None:
    gworld.fake.put_event(interview())
    gworld.cycle()
    with gworld.store() as store:
        interview_id = store.interviews()[0].interview.id
        store.stop_interview(interview_id, gworld.now, "marked as answered by you")
    gworld.cycle()
    assert len(gworld.our_events()) == 2, "the four upcoming ones went"
    with gworld.store() as store:
        store.stop_interview(interview_id, None, None)
    gworld.cycle()
    assert len(gworld.our_events()) == 6
    assert gworld.fake.count("calendar.events.update") == 4, "revived under their ids (the fixture checks each had If-Match)"


def test_an_idle_pass_costs_two_requests_at_every_hour_before_and_after_the_evening_reminder(gworld: GoogleWorld) -> None:
    gworld.fake.put_event(interview())
    gworld.cycle()
    for hour in IDLE_HOURS:
        gworld.now = at("2026-11-17T12:00") + timedelta(hours=hour)
        gworld.cycle()
        before = len(gworld.fake.requests)
        assert gworld.cycle().actions == []
        idle = [method for method, _ in gworld.fake.requests[before:]]
        assert idle == ["calendar.events.list", "gmail.users.history.list"], f"at {gworld.now:%a %H:%M}"


def _schema(document: str, name: str) -> set[str]:
    return set(json.loads((DOCUMENTS / document).read_text())["schemas"][name]["properties"])


def test_every_field_the_backend_reads_comes_from_the_fake_as_google_documents_it(gworld: GoogleWorld) -> None:
    """A field the fake leaves out lets a default in the code hide what Google really says."""
    read = names_read(Path(google.__file__))
    gworld.fake.put_event(interview())
    gworld.cycle()
    event_fields = read & _schema("calendar.v3.json", "Event")
    # left out by Google when empty or at their default, as for an invitation without them
    optional = {"recurringEventId", "originalStartTime", "extendedProperties", "description", "location", "attendees",
                "transparency"}  # fmt: skip
    for listed in gworld.fake._calendar_events_list({"calendarId": "primary"}, {}, {})[1]["items"]:
        missing = sorted(event_fields - set(listed) - optional)
        assert missing == [], f"{listed['id']}: Calendar sends {missing}"
        assert {"etag", "updated", "status", "organizer", "start", "end", "eventType", "reminders"} <= set(listed)
    draft_id = next(iter(gworld.fake.drafts))
    for form in ("minimal", "metadata"):
        shown = gworld.fake._gmail_users_drafts_get({"id": draft_id, "format": form}, {}, {})[1]
        assert set(shown) == {"id", "message"}
        assert {"id", "threadId", "labelIds", "internalDate", "historyId"} <= set(shown["message"])
    listed = gworld.fake._gmail_users_drafts_list({}, {}, {})[1]["drafts"][0]
    assert set(listed["message"]) == {"id", "threadId"}, "drafts.list gives ids only, as documented"


def test_throttling_and_server_errors_are_retried_with_backoff(gworld: GoogleWorld) -> None:
    gworld.fake.put_event(interview())
    gworld.fake.fail("calendar.events.list", 429, retry_after="7")
    gworld.fake.fail("calendar.events.insert", 500, times=2)
    gworld.fake.fail("gmail.users.drafts.create", 403, reason="userRateLimitExceeded")
    gworld.cycle()
    assert len(gworld.our_events()) == 6 and len(gworld.fake.drafts) == 2
    assert gworld.sleeps[0] == 7.0, "Retry-After is honoured"
    assert len(gworld.sleeps) == 4 and all(0 < s <= 60 for s in gworld.sleeps)


def test_a_server_that_stays_down_fails_the_account_without_a_traceback(gworld: GoogleWorld) -> None:
    gworld.fake.put_event(interview())
    gworld.fake.fail("calendar.events.list", 503, times=100)
    with gworld.store() as store:
        outcome = daemon.run_accounts(gworld.engine(store), gworld.config().accounts)
    assert "gave up after 5 attempts" in outcome.failed["gmail"]


def test_a_connection_dropped_after_the_work_was_done_duplicates_nothing(gworld: GoogleWorld) -> None:
    gworld.fake.put_event(interview())
    gworld.fake.fail("calendar.events.insert")
    gworld.fake.fail("gmail.users.drafts.create")
    gworld.cycle()
    assert len(gworld.fake.draft_messages()) == 2
    assert len(gworld.our_events()) == 6
    with gworld.store() as store:
        refs = {e.ref for e in store.effects().values() if e.kind == "draft"}
    assert refs == set(gworld.fake.drafts), "the journal points at the drafts that were kept"
    assert gworld.fake.count("gmail.users.drafts.create") >= 3, "the dropped create was sent again"


def test_a_revoked_login_marks_the_account_and_the_others_keep_working(gworld: GoogleWorld, tmp_path: Path) -> None:
    (tmp_path / "cal").mkdir()
    gworld.extra = f"""\
  - name: home
    type: local
    calendar: {tmp_path}/cal
    followup_calendar: {tmp_path}/followups
    drafts: {tmp_path}/Drafts
"""
    gworld.fake.revoked = True
    health: dict[str, daemon.Health] = {}
    config = gworld.config()
    with gworld.store() as store:
        engine = Engine(config, store, clock=lambda: gworld.now)
        first = daemon.run_accounts(engine, config.accounts, health)
        assert "interview-followup auth google --account gmail" in first.needs_sign_in["gmail"]
        assert [r.account for r in first.reports] == ["home"], "the local account still ran"
        refreshes = gworld.fake.token_requests
        second = daemon.run_accounts(engine, config.accounts, health)
        assert "gmail" not in second.needs_sign_in and [r.account for r in second.reports] == ["home"]
        assert gworld.fake.token_requests == refreshes, "no retry until the login changes"
        assert status.accounts(config, store)[0]["needs_sign_in"].startswith("needs sign-in")
        gworld.fake.revoked = False
        token_file(gworld.root / "token.json", gworld.fake)  # what `auth google` does
        third = daemon.run_accounts(engine, config.accounts, health)
        assert [r.account for r in third.reports] == ["gmail", "home"]
        assert status.accounts(config, store)[0]["needs_sign_in"] is None


def test_run_once_exits_3_and_says_what_to_run_when_the_login_is_revoked(gworld: GoogleWorld) -> None:
    from interview_followup import cli

    gworld.config()
    gworld.fake.revoked = True
    code = cli.main(["--config", str(gworld.root / "config.yaml"), "run", "--once"], clock=lambda: gworld.now)
    assert code == 3


def test_the_refreshed_token_is_kept_with_mode_0600(gworld: GoogleWorld) -> None:
    gworld.cycle()
    path = gworld.root / "token.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert '"token": "access-' in path.read_text()


def test_invitations_to_our_own_events_are_not_interviews(gworld: GoogleWorld) -> None:
    gworld.fake.put_event(interview())
    gworld.cycle()
    gworld.cycle()
    with gworld.store() as store:
        assert len(store.interviews()) == 1


def test_a_recurring_interview_instance_is_one_interview_and_its_cancellation_cancels_it(gworld: GoogleWorld) -> None:
    original = at("2026-11-17T10:00").astimezone(timezone.utc).isoformat()
    gworld.fake.put_event(
        interview("series_20261117T180000Z", recurringEventId="series", originalStartTime={"dateTime": original})
    )
    gworld.cycle()
    with gworld.store() as store:
        (record,) = store.interviews()
    assert record.interview.event.identity == f"series/{original}"
    gworld.fake.cancel_event("series_20261117T180000Z")
    assert any("interview cancelled" in n for n in gworld.cycle().notices)


def test_auth_google_signs_in_through_the_browser_and_keeps_the_login_private(
    gworld: GoogleWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading
    import urllib.request
    import webbrowser

    from interview_followup import cli

    class Browser:
        def open(self, url: str, **_: object) -> bool:
            threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).read(), daemon=True).start()
            return True

    monkeypatch.setattr(webbrowser, "get", lambda *_: Browser())
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake speaks plain http on loopback
    client = {"client_id": "test-client", "client_secret": "test-secret", "redirect_uris": ["http://localhost"]}
    client |= {"auth_uri": gworld.fake.url + "auth", "token_uri": gworld.fake.url + "token"}
    (gworld.root / "client.json").write_text(json.dumps({"installed": client}))
    token = gworld.root / "token.json"
    token.unlink()
    gworld.config()
    assert cli.main(["--config", str(gworld.root / "config.yaml"), "auth", "google", "--port", "0"]) == 0
    assert "Signed in" in capsys.readouterr().out
    assert token.stat().st_mode & 0o777 == 0o600
    assert json.loads(token.read_text())["refresh_token"] == "test-refresh-token"
    gworld.fake.put_event(interview())
    assert len(gworld.cycle().actions) == 8, "the new login works: 2 drafts and 6 entries"


def test_check_says_how_to_sign_in_before_the_first_login(gworld: GoogleWorld, capsys: pytest.CaptureFixture[str]) -> None:
    from interview_followup import cli

    (gworld.root / "token.json").unlink()
    gworld.config()
    assert cli.main(["--config", str(gworld.root / "config.yaml"), "check"]) == 2
    assert "run `interview-followup auth google --account gmail`" in capsys.readouterr().err
