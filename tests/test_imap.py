"""What only the IMAP backend has, on a real Dovecot: the cost of an idle pass, an inbox left as it was,
a renumbered folder, dropped connections, TLS, and passwords. The contract suite covers the rest."""

from __future__ import annotations

import imaplib
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from conftest import at, message
from dovecot import PASSWORD
from interview_followup import config as config_module
from interview_followup.engine import Engine
from interview_followup.errors import UserError
from interview_followup.providers import SignInNeeded, Unavailable
from interview_followup.providers.imap import Connection, ImapAccount, ImapMailbox
from interview_followup.providers.secrets import PasswordSource, password
from places import ImapPlace, Servers


@pytest.fixture
def place(servers: Servers, tmp_path: Path) -> ImapPlace:
    made = servers.place("imap", tmp_path / "place")
    assert isinstance(made, ImapPlace)
    return made


class Resident:
    """One engine over passes, as the daemon keeps it: its IMAP session lives from pass to pass."""

    def __init__(self, place: ImapPlace) -> None:
        self.place = place
        self.config = place.config()
        self.store = place.store()
        self.engine = Engine(self.config, self.store, clock=lambda: place.now)

    def run(self) -> Any:
        self.place.now += timedelta(minutes=5)
        return self.engine.run(self.config.accounts[0])


def test_an_idle_pass_is_one_status_command_and_one_more_while_thank_you_notes_wait(
    place: ImapPlace, commands: list[str]
) -> None:
    place.interview_ends()
    place.now = at("2026-11-17T11:10")
    resident = Resident(place)
    resident.run()
    resident.run()
    commands.clear()
    resident.run()
    assert commands == ["STATUS", "STATUS"], "the inbox, and Sent for the notes not yet sent"
    place.send_drafts()
    resident.run()
    commands.clear()
    resident.run()
    assert commands == ["STATUS"], commands


def test_the_inbox_is_read_without_marking_moving_or_flagging_anything(place: ImapPlace) -> None:
    place.interview_ends()
    place.now = at("2026-11-17T11:10")
    place.cycle()
    place.employer_replies()
    place.receive(message("Pat <pat@example.org>", "Dinner?", "At eight?", received=place.now))
    with place.server.client(place.user) as client:
        client.select_folder("INBOX", readonly=True)
        before = client.fetch(client.search(), ["FLAGS"])
    report = place.cycle()
    assert any("employer replied" in n for n in report.notices)
    with place.server.client(place.user) as client:
        client.select_folder("INBOX", readonly=True)
        assert client.fetch(client.search(), ["FLAGS"]) == before, "no \\Seen, nothing moved"


def test_a_renumbered_inbox_is_read_again_without_duplicates(place: ImapPlace) -> None:
    place.interview_ends()
    place.now = at("2026-11-17T11:10")
    place.cycle()
    place.employer_replies()
    assert any("employer replied" in n for n in place.cycle().notices)
    with place.store() as store:
        validity_before = store.cursor("home", "mail")
        seen = store._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    time.sleep(1.1)  # Dovecot takes the time in seconds as a new UIDVALIDITY
    for kept in (place.server.root / "home" / place.user / "Maildir").glob("dovecot*"):
        kept.unlink()  # the server forgets its numbering of the inbox
    place.now += timedelta(minutes=5)
    report = place.cycle()
    with place.store() as store:
        assert store.cursor("home", "mail") != validity_before
        assert store._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == seen
    assert report.notices == [] and report.actions == []


def test_a_server_restart_between_passes_costs_no_pass(place: ImapPlace) -> None:
    place.interview_ends()
    place.now = at("2026-11-17T11:10")
    resident = Resident(place)
    resident.run()
    place.server.stop()
    place.server.start()
    place.employer_replies()
    assert any("employer replied" in n for n in resident.run().notices), "the kept session had gone: a new one"


def test_a_connection_dropped_right_after_a_draft_was_saved_leaves_one_draft(
    place: ImapPlace, monkeypatch: pytest.MonkeyPatch
) -> None:
    place.interview_ends()
    place.now = at("2026-11-17T10:30")
    resident = Resident(place)
    resident.run()  # during the interview: nothing made yet, a session kept
    original, dropped = IMAPClient.append, []

    def append_then_drop(self: IMAPClient, *args: Any, **kwargs: Any) -> Any:
        done = original(self, *args, **kwargs)
        if not dropped:
            dropped.append(True)
            self._imap.sock.close()
            raise imaplib.IMAP4.abort("socket error: EOF")
        return done

    monkeypatch.setattr(IMAPClient, "append", append_then_drop)
    place.now = at("2026-11-17T11:10")
    resident.run()
    assert dropped and sorted(Counter(place.drafts_by_key()).values()) == [1, 1], "saved once each, though one was retried"


def account(place: ImapPlace, **changes: Any) -> ImapAccount:
    settings = {
        "name": "home", "type": "imap", "host": "127.0.0.1", "port": place.server.tls_port, "username": place.user,
        "password_command": f"printf '%s' '{PASSWORD}'", "calendar": str(place.root / "calendar"),
        "followup_calendar": str(place.root / "followups"),
    }  # fmt: skip
    return ImapAccount(**{**settings, **changes})


def test_starttls_and_implicit_tls_both_work_and_the_certificate_is_checked(
    place: ImapPlace, monkeypatch: pytest.MonkeyPatch
) -> None:
    for security, port in (("tls", place.server.tls_port), ("starttls", place.server.port)):
        mailbox = ImapMailbox(Connection(account(place, security=security, port=port)))
        assert mailbox.find_draft("nothing-here", "") is not None
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(Unavailable, match="certificate is not trusted"):
        ImapMailbox(Connection(account(place))).find_draft("nothing-here", "")


def test_a_wrong_password_says_what_to_do_and_is_not_tried_again_at_once(place: ImapPlace) -> None:
    with pytest.raises(SignInNeeded, match="refused the password .* app password"):
        ImapMailbox(Connection(account(place, password_command="printf wrong"))).find_draft("k", "")


def test_the_password_comes_from_a_command_or_the_environment_and_failures_say_why(monkeypatch: pytest.MonkeyPatch) -> None:
    assert password(PasswordSource("printf 's3cret\\nsecond line'", None, "u@h")) == "s3cret"
    monkeypatch.setenv("MAIL_PASSWORD", "from-env")
    assert password(PasswordSource(None, "MAIL_PASSWORD", "u@h")) == "from-env"
    for source, said in (
        (PasswordSource("false", None, "u@h"), "password_command failed \\(exit 1"),
        (PasswordSource("no-such-program-here", None, "u@h"), "could not be run"),
        (PasswordSource("true", None, "u@h"), "printed nothing"),
        (PasswordSource(None, "NOT_SET_ANYWHERE", "u@h"), "NOT_SET_ANYWHERE is not set"),
    ):
        with pytest.raises(UserError, match=said):
            password(source)


def test_a_password_sent_in_the_clear_is_refused_unless_the_server_is_on_this_machine(tmp_path: Path) -> None:
    text = (
        "me:\n  addresses: [sam@example.net]\naccounts:\n  - name: mail\n    type: imap\n    host: imap.example.com\n"
        f"    security: plain\n    username: sam\n    password_command: pass mail\n    calendar: {tmp_path}\n"
        f"    followup_calendar: {tmp_path}/f\n"
    )
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(UserError, match="unencrypted"):
        config_module.load(path)
    path.write_text(text.replace("imap.example.com", "127.0.0.1"))
    assert config_module.load(path).config.accounts[0].type == "imap"


def test_a_provider_fills_in_its_server_and_says_what_it_asks_when_the_password_is_refused(place: ImapPlace) -> None:
    fastmail = ImapAccount(name="m", type="imap", provider="fastmail", username="sam", calendar="/c", followup_calendar="/f")
    assert (fastmail.host, fastmail.port, fastmail.security) == ("imap.fastmail.com", 993, "tls")
    bridge = account(place, provider="proton-bridge", port=place.server.port, password_command="printf wrong")
    assert bridge.security == "starttls", "what the account does not say comes from the provider"
    with pytest.raises(SignInNeeded, match="proton-bridge asks you to run Proton Mail Bridge"):
        ImapMailbox(Connection(bridge)).find_draft("k", "")
    with pytest.raises(ValueError, match="host: name the IMAP server"):
        ImapAccount(name="m", type="imap", username="sam", calendar="/c", followup_calendar="/f")


@pytest.mark.parametrize("kind", ["imap", "caldav"])
def test_check_online_and_run_once_work_on_an_imap_account(servers: Servers, tmp_path: Path, kind: str) -> None:
    """With its calendar a local folder, or on a CalDAV server."""
    from test_cli import cli

    place = servers.place(kind, tmp_path / "place")
    place.interview_ends()
    place.config_path.write_text(place.config_text())
    checked = cli("--config", str(place.config_path), "check", "--online", now=at("2026-11-17T11:10"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    ran = cli("--config", str(place.config_path), "run", "--once", now=at("2026-11-17T11:10"))
    assert ran.returncode == 0 and ran.stdout.count("created") == 8, ran.stdout + ran.stderr
    assert sorted(Counter(place.drafts_by_key()).values()) == [1, 1] and len(place.entries_by_key()) == 6


def test_a_message_with_a_header_of_megabytes_is_read_within_bounds(place: ImapPlace) -> None:
    place.interview_ends()
    place.now = at("2026-11-17T11:10")
    place.cycle()
    padding = "".join(f"X-Padding-{n}: {'y' * 990}\r\n" for n in range(2000)).encode()
    place.receive(padding + message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Let's talk.", received=place.now))
    place.now += timedelta(minutes=5)
    report = place.cycle()
    assert report.notices == [] or all("employer replied" not in n for n in report.notices), "its From lies past the bound"
    with place.store() as store:
        assert store._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 1, "read once, recorded, not retried"


def test_a_server_restart_in_the_middle_of_a_pass_duplicates_and_loses_nothing(
    place: ImapPlace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dovecot restarts just before a draft is saved: the session of that pass has gone, and the whole save
    runs again on a new one, in the same pass."""
    place.interview_ends()
    original, restarted = IMAPClient.append, []

    def restart_then_append(self: IMAPClient, *args: Any, **kwargs: Any) -> Any:
        if not restarted:
            restarted.append(True)
            place.server.stop()
            place.server.start()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(IMAPClient, "append", restart_then_append)
    place.now = at("2026-11-17T11:10")
    resident = Resident(place)
    report = resident.run()
    assert restarted and sorted(Counter(place.drafts_by_key()).values()) == [1, 1]
    assert [a.verb for a in report.actions if a.step == "thank_you"] == ["created", "created"], "made, not found after a crash"
    assert resident.run().actions == [], "nothing left to do"
