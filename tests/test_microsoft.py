"""The Microsoft backend, end to end: the real msal and requests against a loopback fake identity platform and Graph."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from conftest import IDLE_HOURS, ME, CloudWorld, at, employer_answers_behind_other_mail, message, names_read
from fake_microsoft import CLIENT_ID, EVENT_PROPERTIES, MESSAGE_PROPERTIES, FakeMicrosoft, serve
from interview_followup import config as config_module
from interview_followup import daemon, status
from interview_followup.engine import Engine
from interview_followup.providers import Backend, microsoft, microsoft_auth
from interview_followup.providers.microsoft import MicrosoftAccount


def _person(name: str, address: str, response: str = "none", kind: str = "required") -> dict[str, Any]:
    return {"type": kind, "status": {"response": response}, "emailAddress": {"name": name, "address": address}}


def _when(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(), "timeZone": "UTC"}


def interview(event_id: str = "iv1", start: datetime | None = None, **extra: Any) -> dict[str, Any]:
    start = start or at("2026-11-17T10:00")
    return {
        "id": event_id,
        "subject": "Acme - Interview for Platform Engineer",
        "body": {"contentType": "text", "content": "Video call with the platform team."},
        "start": _when(start),
        "end": _when(start + timedelta(hours=1)),
        "organizer": {"emailAddress": {"name": "Jane Doe", "address": "jane.doe@acme.com"}},
        "attendees": [
            _person("Jane Doe", "jane.doe@acme.com"),
            _person("Raj Patel", "raj.patel@acme.com"),
            _person("Sam Lee", ME, "accepted"),
        ],
        **extra,
    }


MAIL = ["batch", "messages.delta", "messages.delta"]
"""The mail request of a pass: the inbox and Sent Items deltas in one JSON batch."""


@dataclass
class MicrosoftWorld(CloudWorld):
    fake: FakeMicrosoft
    name = "outlook"

    def account_yaml(self) -> str:
        return f"""\
            type: microsoft
            client_id: {CLIENT_ID}
            token_cache: {self.root}/msal.json
            authority: {self.fake.authority}
            graph_endpoint: {self.fake.graph}
            """

    def open(self, config: config_module.Config) -> Backend:
        return microsoft.open_microsoft(self.account(), config)

    def account(self) -> MicrosoftAccount:
        account = self.config().accounts[0]
        assert isinstance(account, MicrosoftAccount)
        return account

    def sign_in(self) -> str:
        """What `auth microsoft` does, with the person entering the code at once."""
        account = self.account()
        return microsoft_auth.sign_in(account, microsoft_auth.FileKeeper(self.root / "msal.json"), browser=False, say=print)

    def graph_requests(self, since: int = 0) -> list[str]:
        return [route for route, _ in self.fake.requests[since:]]


@pytest.fixture
def mworld(tmp_path: Path, tls: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MicrosoftWorld]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls))
    with serve(tls, clock=lambda: world.now) as fake:
        world = MicrosoftWorld(tmp_path, fake, at("2026-11-17T12:00"))
        world.sign_in()
        yield world
        assert fake.violations == [], "every request must be one Graph accepts"


def test_our_drafts_and_events_carry_their_key_where_graph_keeps_it(mworld: MicrosoftWorld) -> None:
    """The contract suite checks what is made; here, that Graph can be asked for it again by key, and that it
    stays out of the person's way (free time, our category)."""
    mworld.fake.put_event(interview())
    mworld.cycle()
    for draft in mworld.fake.drafts():
        (key,) = draft.props.values()
        assert draft.data["internetMessageHeaders"] == [{"name": "X-Interview-Followup-Key", "value": key}]
        assert draft.data["subject"] and draft.data["body"]["contentType"] == "text"
    ours = mworld.fake.events(ours=True)
    assert len(ours) == 6
    for event in ours:
        assert event["categories"] == [microsoft.CATEGORY] and event["showAs"] == "free"
        assert event["transactionId"].startswith(microsoft.TRANSACTION_PREFIX)


def test_an_idle_cycle_costs_exactly_one_calendar_and_one_mail_request_at_every_hour(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.cycle()
    for hour in IDLE_HOURS:  # before the evening reminder (sent notes are watched for) and after it
        mworld.now = at("2026-11-17T12:00") + timedelta(hours=hour)
        mworld.cycle()
        before, tokens, http = len(mworld.fake.requests), mworld.fake.token_requests, mworld.fake.http
        assert mworld.cycle().actions == []
        assert mworld.graph_requests(before) == ["calendarView.delta", *MAIL], f"at {mworld.now:%a %H:%M}"
        assert mworld.fake.http - http == 2, "the two mail deltas travel in one batch request"
        assert mworld.fake.token_requests == tokens, "the access token came from the cache"


def test_our_own_follow_ups_coming_back_through_delta_are_not_interviews(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.cycle()
    mworld.cycle()
    with mworld.store() as store:
        assert len(store.interviews()) == 1


def test_only_messages_that_may_matter_are_fetched_as_mime(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.cycle()
    mworld.fake.deliver(message("Pat <pat@example.org>", "Dinner?", "See you at eight.", received=mworld.now), mworld.now)
    mworld.fake.deliver(
        message(
            "Jane Doe <jane.doe@acme.com>", "Automatic reply: Thank you", "I am away.", "Auto-Submitted: auto-replied\n",
            received=mworld.now,
        ),
        mworld.now,
    )
    before = len(mworld.fake.requests)
    report = mworld.cycle()
    assert mworld.graph_requests(before).count("messages.mime") == 1, "only the employer's message"
    assert not any("employer replied" in n for n in report.notices), "an out-of-office robot does not stop the sequence"


def test_follow_ups_of_a_moved_interview_are_updated_in_place_with_if_match(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.cycle()
    ids = {e["id"] for e in mworld.fake.events(ours=True)}
    mworld.fake.put_event(interview(start=at("2026-11-16T10:00")))
    mworld.cycle()
    assert mworld.fake.count("events.update") == 4, "the fake refuses an update without If-Match"
    assert {e["id"] for e in mworld.fake.events(ours=True)} == ids


def test_a_cancelled_meeting_still_in_the_calendar_cancels_the_interview(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.cycle()
    mworld.fake.put_event(interview(isCancelled=True, subject="Canceled: Acme - Interview for Platform Engineer"))
    assert any("interview cancelled" in n for n in mworld.cycle().notices)


def test_an_answer_that_came_while_the_inbox_delta_expired_is_found_by_a_bounded_listing(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.cycle()
    mworld.now = at("2026-11-19T09:00")
    mworld.fake.deliver(
        message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "We'd like to move forward.", received=mworld.now),
        mworld.now,
    )
    mworld.fake.delta_floor = 10**6
    before = len(mworld.fake.requests)
    report = mworld.cycle()
    assert any("employer replied" in n for n in report.notices)
    listing = [p for r, p in mworld.fake.requests[before:] if r == "messages.delta" and "$filter" in p]
    assert listing and listing[0]["$filter"].startswith("receivedDateTime ge 2026-11-1")


def test_a_second_watched_calendar_is_found_by_name_and_adds_exactly_one_request(mworld: MicrosoftWorld) -> None:
    mworld.fake.calendars["AAMkJobHunt"] = "Job hunt"
    mworld.fake.put_event(interview(), calendar="AAMkJobHunt")
    mworld.extra = "    calendars: [default, Job hunt]\n"
    mworld.cycle()
    assert len(mworld.fake.events(ours=True)) == 6, "the interview in the named calendar was found; follow-ups go to the default"
    mworld.now = at("2026-11-18T09:00")
    mworld.cycle()
    before = len(mworld.fake.requests)
    mworld.cycle()
    assert mworld.graph_requests(before) == ["calendarView.delta", "calendarView.delta", *MAIL]


def test_the_calendar_window_slides_with_a_new_round_each_week(mworld: MicrosoftWorld) -> None:
    mworld.cycle()
    mworld.now += timedelta(days=8)
    far = mworld.now + timedelta(days=88)  # beyond the first round's window
    mworld.fake.put_event(interview("later", start=far))
    before = len(mworld.fake.requests)
    mworld.cycle()
    (delta,) = [p for r, p in mworld.fake.requests[before:] if r == "calendarView.delta"]
    assert "startDateTime" in delta
    with mworld.store() as store:
        assert [r.interview.event.ref for r in store.interviews()] == ["later"]


def test_an_edited_draft_is_never_removed(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.cycle()
    thanks = {d.data["id"] for d in mworld.fake.drafts()}
    mworld.now = at("2026-12-17T10:00")  # a month on, no answer: the status e-mail draft
    mworld.cycle()
    (status_draft,) = [d for d in mworld.fake.drafts() if d.data["id"] not in thanks]
    mworld.fake.edit(status_draft.data["id"], subject="Edited by me")
    mworld.fake.deliver(
        message("Jane Doe <jane.doe@acme.com>", "Re: Checking in", "Let's talk.", received=mworld.now),
        mworld.now,
    )
    report = mworld.cycle()
    assert any("employer replied" in n for n in report.notices)
    assert "Edited by me" in {d.data["subject"] for d in mworld.fake.drafts()}, "the person's draft stays as it is"


def test_throttling_and_server_errors_are_retried_with_backoff(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.fake.fail("calendarView.delta", 429, retry_after="7")
    mworld.fake.fail("events.create", 503, times=2)
    mworld.fake.fail("messages.create", 504)
    mworld.cycle()
    assert len(mworld.fake.events(ours=True)) == 6 and len(mworld.fake.drafts()) == 2
    assert mworld.sleeps[0] == 7.0, "Retry-After is honoured"
    assert len(mworld.sleeps) == 4 and all(0 < s <= 60 for s in mworld.sleeps)


def test_a_batch_part_graph_asks_to_retry_is_sent_again_on_its_own(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.cycle()
    mworld.now = at("2026-11-18T09:00")
    mworld.fake.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Let's talk.", received=mworld.now), mworld.now)
    mworld.fake.fail("messages.delta", 429, retry_after="3")
    report = mworld.cycle()
    assert any("employer replied" in n for n in report.notices)
    assert 3.0 in mworld.sleeps, "Retry-After of the part was honoured"


def test_a_server_that_stays_down_fails_the_account_without_a_traceback(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.fake.fail("calendarView.delta", 503, times=100)
    with mworld.store() as store:
        outcome = daemon.run_accounts(mworld.engine(store), mworld.config().accounts)
    assert "gave up after 5 attempts" in outcome.failed["outlook"]


def test_a_connection_dropped_after_the_work_was_done_duplicates_nothing(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.fake.fail("events.create")
    mworld.fake.fail("messages.create")
    mworld.cycle()
    assert len(mworld.fake.events(ours=True)) == 6, "transactionId made the resent create answer with the first event"
    assert len(mworld.fake.drafts()) == 2, "the copy made by the resent create was removed"
    with mworld.store() as store:
        refs = {e.ref for e in store.effects().values() if e.kind == "draft"}
    assert refs == {d.data["id"] for d in mworld.fake.drafts()}, "the journal points at the drafts that were kept"
    assert mworld.fake.count("messages.create") == 2 + 1, "the dropped create was sent again"


def test_a_resent_event_create_that_graph_no_longer_recognises_leaves_one_event(mworld: MicrosoftWorld) -> None:
    mworld.fake.remembers_transactions = False
    mworld.fake.put_event(interview())
    mworld.fake.fail("events.create", times=2)
    mworld.cycle()
    assert sorted(e["subject"] for e in mworld.fake.events(ours=True)).count("Check in with Acme") == 1
    assert len(mworld.fake.events(ours=True)) == 6, "the copies made by the resent creates were found by key and removed"
    with mworld.store() as store:
        refs = {e.ref for e in store.effects().values() if e.kind == "entry"}
    assert refs == {e["id"] for e in mworld.fake.events(ours=True)}, "the journal points at the events that were kept"


@pytest.mark.parametrize("empty", [False, True], ids=["pages of one", "empty pages with a next link"])
def test_every_listing_is_read_to_its_last_page(mworld: MicrosoftWorld, empty: bool) -> None:
    mworld.fake.page_size, mworld.fake.empty_pages = 1, empty
    mworld.fake.calendars["AAMkJobs"] = "Job hunt"
    mworld.extra = "    calendars: [default, Job hunt]\n"
    mworld.fake.put_event(interview())
    globex = {
        "subject": "Globex - Phone screen",
        "organizer": {"emailAddress": {"name": "Lee Wong", "address": "lee.wong@globex.com"}},
        "attendees": [_person("Lee Wong", "lee.wong@globex.com"), _person("Sam Lee", ME, "accepted")],
    }
    mworld.fake.put_event(interview("iv2", at("2026-11-17T08:00"), **globex), "AAMkJobs")
    mworld.fake.fail("messages.create")  # a resent create: the copy must be found on a later page
    mworld.cycle()
    assert len(mworld.fake.drafts()) == 3 and len(mworld.fake.events(ours=True)) == 12
    report = employer_answers_behind_other_mail(mworld)
    assert any("employer replied" in n for n in report.notices), "the reply on the last page was read"
    assert mworld.cycle().actions == [], "nothing is made twice"


def test_every_property_the_backend_reads_comes_from_the_fake_as_graph_documents_it(mworld: MicrosoftWorld) -> None:
    """A property the fake leaves out lets a default in the code hide what Graph really says (as `isDraft` did)."""
    read = names_read(Path(microsoft.__file__))
    mworld.fake.put_event(interview())
    mworld.fake.deliver(message("Jane Doe <jane.doe@acme.com>", "Hello", received=mworld.now), mworld.now)
    mworld.cycle()
    events = [i for i in mworld.fake.items.values() if i.folder in mworld.fake.calendars]
    messages = [i for i in mworld.fake.items.values() if i.folder in ("inbox", "drafts")]
    assert {bool(i.props) for i in events} == {True, False} and {i.folder for i in messages} == {"inbox", "drafts"}
    for items, properties in ((events, EVENT_PROPERTIES), (messages, MESSAGE_PROPERTIES)):
        for item in items:
            shown = mworld.fake._public(item)
            missing = sorted((read & properties) - set(shown) - {"originalStart"})  # only on occurrences of a series
            assert missing == [], f"{item.data['id']}: Graph sends {missing}"
            assert shown["@odata.etag"] == f'W/"{shown["changeKey"]}"'
    follow_up = next(mworld.fake._public(i) for i in events if i.props)
    assert (follow_up["isDraft"], follow_up["isOrganizer"], follow_up["type"]) == (False, True, "singleInstance")
    assert follow_up["responseStatus"] == {"response": "organizer", "time": "0001-01-01T00:00:00Z"}


def test_a_revoked_grant_marks_the_account_and_the_others_keep_working(mworld: MicrosoftWorld, tmp_path: Path) -> None:
    (tmp_path / "cal").mkdir()
    mworld.extra = f"""\
  - name: home
    type: local
    calendar: {tmp_path}/cal
    followup_calendar: {tmp_path}/followups
    drafts: {tmp_path}/Drafts
"""
    cache = tmp_path / "msal.json"
    cache.write_text(json.dumps({**json.loads(cache.read_text()), "AccessToken": {}}))  # the access token expired
    mworld.fake.revoked = True
    health: dict[str, daemon.Health] = {}
    config = mworld.config()
    with mworld.store() as store:
        engine = Engine(config, store, clock=lambda: mworld.now)
        first = daemon.run_accounts(engine, config.accounts, health)
        assert "interview-followup auth microsoft --account outlook" in first.needs_sign_in["outlook"]
        assert "AADSTS70000" in first.needs_sign_in["outlook"] and "Trace ID" not in first.needs_sign_in["outlook"]
        assert [r.account for r in first.reports] == ["home"], "the local account still ran"
        refreshes = mworld.fake.token_requests
        second = daemon.run_accounts(engine, config.accounts, health)
        assert [r.account for r in second.reports] == ["home"]
        assert mworld.fake.token_requests == refreshes, "no retry until the sign-in changes"
        assert status.accounts(config, store)[0]["needs_sign_in"].startswith("needs sign-in")
        mworld.fake.revoked = False
        mworld.sign_in()  # what `auth microsoft` does
        third = daemon.run_accounts(engine, config.accounts, health)
        assert sorted(r.account for r in third.reports) == ["home", "outlook"]
        assert status.accounts(config, store)[0]["needs_sign_in"] is None


def test_run_once_exits_3_and_says_what_to_run_when_not_signed_in(
    mworld: MicrosoftWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    from interview_followup import cli

    (mworld.root / "msal.json").unlink()
    mworld.config()
    assert cli.main(["--config", str(mworld.root / "config.yaml"), "run", "--once"], clock=lambda: mworld.now) == 3
    assert "interview-followup auth microsoft --account outlook" in capsys.readouterr().err


def test_the_token_cache_is_private_and_written_only_when_it_changed(mworld: MicrosoftWorld) -> None:
    path = mworld.root / "msal.json"
    assert path.stat().st_mode & 0o777 == 0o600
    written = path.stat().st_mtime_ns
    mworld.cycle()
    mworld.cycle()
    assert path.stat().st_mtime_ns == written, "a valid access token in the cache: nothing to write"
    assert "refresh-" in path.read_text()


def test_auth_microsoft_signs_in_with_a_device_code(mworld: MicrosoftWorld, capsys: pytest.CaptureFixture[str]) -> None:
    from interview_followup import cli

    (mworld.root / "msal.json").unlink()
    mworld.fake.pending_polls = 1  # the person takes a moment to type the code
    mworld.config()
    assert cli.main(["--config", str(mworld.root / "config.yaml"), "auth", "microsoft"]) == 0
    out = capsys.readouterr().out
    assert "https://microsoft.com/devicelogin" in out and "FAKE-CODE" in out
    assert "Signed in as sam.lee@example.net" in out
    assert (mworld.root / "msal.json").stat().st_mode & 0o777 == 0o600
    mworld.fake.put_event(interview())
    assert len(mworld.cycle().actions) == 8, "the new sign-in works: 2 drafts and 6 entries"


def test_auth_microsoft_browser_signs_in_through_the_loopback_redirect(
    mworld: MicrosoftWorld, tls: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import html
    import re
    import ssl
    import threading
    import urllib.parse
    import urllib.request
    import webbrowser

    from interview_followup import cli

    def answer(url: str) -> None:
        page = urllib.request.urlopen(url, timeout=10, context=ssl.create_default_context(cafile=str(tls))).read().decode()
        action = html.unescape(re.search(r'action="([^"]+)"', page)[1])  # type: ignore[index]
        fields = {k: html.unescape(v) for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', page)}
        urllib.request.urlopen(action, urllib.parse.urlencode(fields).encode(), timeout=10).read()

    def visit(url: str, *_: object, **__: object) -> bool:
        """The person's browser: Microsoft's page, whose form posts the code to msal's loopback listener."""
        threading.Thread(target=answer, args=(url,), daemon=True).start()
        return True

    monkeypatch.setattr(microsoft_auth, "BROWSER_WAIT", 20)
    monkeypatch.setattr(webbrowser, "get", lambda *_: webbrowser.GenericBrowser("true"))
    monkeypatch.setattr(webbrowser, "open", visit)
    (mworld.root / "msal.json").unlink()
    mworld.config()
    assert cli.main(["--config", str(mworld.root / "config.yaml"), "auth", "microsoft", "--browser"]) == 0
    assert "Signed in as sam.lee@example.net" in capsys.readouterr().out
    mworld.fake.put_event(interview())
    assert len(mworld.cycle().actions) == 8


def test_auth_microsoft_browser_without_a_browser_says_what_to_do_instead(
    mworld: MicrosoftWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import webbrowser

    from interview_followup import cli

    def nothing(*_: object) -> webbrowser.BaseBrowser:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", nothing)
    mworld.config()
    assert cli.main(["--config", str(mworld.root / "config.yaml"), "auth", "microsoft", "--browser"]) == 2
    assert "leave out --browser" in capsys.readouterr().err


def test_check_says_how_to_sign_in_before_the_first_login(mworld: MicrosoftWorld, capsys: pytest.CaptureFixture[str]) -> None:
    from interview_followup import cli

    (mworld.root / "msal.json").unlink()
    mworld.config()
    assert cli.main(["--config", str(mworld.root / "config.yaml"), "check"]) == 2
    assert "run `interview-followup auth microsoft --account outlook`" in capsys.readouterr().err


def test_check_online_signs_in_and_reads_each_account_writing_nothing(
    mworld: MicrosoftWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    from interview_followup import cli

    mworld.fake.put_event(interview())
    mworld.config()
    config = str(mworld.root / "config.yaml")
    assert cli.main(["--config", config, "check", "--online", "--json"], clock=lambda: mworld.now) == 0
    verdicts = json.loads(capsys.readouterr().out)
    assert [(v["part"], v["verdict"]) for v in verdicts] == [("calendar", "OK"), ("mail", "OK")]
    assert "1 of them interviews" in verdicts[0]["detail"]
    assert not (mworld.root / "state" / "state.sqlite3").exists() and mworld.fake.drafts() == []
    mworld.fake.revoked = True
    mworld.fake.revoke_access_tokens()
    assert cli.main(["--config", config, "check", "--online"], clock=lambda: mworld.now) == 1
    assert "calendar: FAIL: needs sign-in" in capsys.readouterr().out


def test_a_bad_client_id_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"me:\n  addresses: [{ME}]\naccounts:\n  - name: o\n    type: microsoft\n    client_id: my-app\n")
    with pytest.raises(config_module.UserError, match=r"config.yaml:6: accounts\[0\].client_id: use the Application"):
        config_module.load(path)


def test_an_access_token_refused_before_it_expires_is_refreshed_once(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.fake.revoke_access_tokens()
    refreshes = mworld.fake.token_requests
    assert len(mworld.cycle().actions) == 8
    assert mworld.fake.token_requests == refreshes + 1


def test_a_huge_message_is_read_only_as_far_as_judging_needs(mworld: MicrosoftWorld) -> None:
    mworld.fake.put_event(interview())
    mworld.cycle()
    attachment = "QUJD" * (5 * 1024 * 1024 // 4)
    mworld.fake.deliver(
        message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Happy to talk.\n\n" + attachment, received=mworld.now),
        mworld.now,
    )
    report = mworld.cycle()
    assert any("employer replied" in n for n in report.notices)
