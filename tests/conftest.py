"""A world of real files: an .ics calendar, Maildir folders and a SQLite state, with a pinned clock."""

from __future__ import annotations

import ast
import email.utils
import imaplib
import itertools
import os
import re
import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from interview_followup import config as config_module
from interview_followup.engine import Engine, Report
from interview_followup.store import Store

DATA = Path(__file__).parent / "data"
ME = "sam.lee@example.net"
ZONE = ZoneInfo("America/Los_Angeles")
_counter = itertools.count(1)


def at(text: str) -> datetime:
    """A Los Angeles wall-clock time, as the tests think of them."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def ics_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def vevent(
    uid: str,
    start: datetime,
    end: datetime | None = None,
    summary: str = "Interview with Acme",
    organizer: str = "Jane Doe:jane.doe@acme.com",
    attendees: tuple[str, ...] = ("Jane Doe:jane.doe@acme.com", "Raj Patel:raj.patel@acme.com", f"Sam Lee:{ME}"),
    description: str = "",
    extra: str = "",
) -> str:
    end = end or start + timedelta(hours=1)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261101T000000Z",
        f"DTSTART:{ics_time(start)}",
        f"DTEND:{ics_time(end)}",
        f"SUMMARY:{summary}",
    ]
    if description:
        lines.append("DESCRIPTION:" + description.replace("\n", "\\n"))
    if organizer:
        name, _, address = organizer.partition(":")
        lines.append(f"ORGANIZER;CN={name}:mailto:{address}")
    for attendee in attendees:
        name, _, address = attendee.partition(":")
        lines.append(f"ATTENDEE;CN={name};PARTSTAT=ACCEPTED:mailto:{address}")
    if extra:
        lines.extend(extra.strip().splitlines())
    lines.append("END:VEVENT")
    return "\n".join(lines) + "\n"


def calendar(*events: str) -> str:
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//tests//EN\n" + "".join(events) + "END:VCALENDAR\n"


def message(
    sender: str,
    subject: str,
    body: str = "Thanks, we will be in touch.",
    headers: str = "",
    *,
    received: datetime,
    to: str = f"Sam Lee <{ME}>",
) -> bytes:
    """A message as a mail server hands it over, stamped `received` (always the test's clock, never the real one)."""
    stamp = email.utils.format_datetime(received.astimezone(timezone.utc))
    text = (
        f"Received: from mx.example.net by mail.example.net; {stamp}\n"
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {stamp}\n"
        f"Message-ID: <m{next(_counter)}@example.org>\n{headers}"
        "Content-Type: text/plain; charset=utf-8\n\n"
        f"{body}\n"
    )
    return text.encode()


def names_read(module: Path) -> set[str]:
    """Every string the code reads as a key (`x["k"]`, `x.get("k")`) or names in a comma list (`$select`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            names.add(node.slice.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"\w+(,\w+)+", node.value):
            names.update(node.value.split(","))
    return names


def employer_answers_behind_other_mail(world: Any) -> Report:
    """The next morning three unrelated messages, then the employer's answer, at a provider fake
    (`world.fake.deliver`); returns the report of the pass that reads them."""
    world.now = at("2026-11-18T09:00")
    for n in range(3):
        world.fake.deliver(message(f"News {n} <news@example.org>", "Digest", received=world.now), world.now)
    world.fake.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Let's talk.", received=world.now), world.now)
    report: Report = world.cycle()
    return report


@dataclass
class World:
    root: Path
    now: datetime
    extra_config: str = ""
    engines: list[Engine] = field(default_factory=list)

    @property
    def config_path(self) -> Path:
        path = self.root / "config.yaml"
        if not path.exists():
            path.write_text(self.config_text())
        return path

    def config_text(self) -> str:
        return (
            textwrap.dedent(
                f"""\
            me:
              name: Sam Lee
              addresses: [{ME}]
              employer_domains: [initrode.com]
              timezone: America/Los_Angeles
              signature: "Sam Lee · +1 555 0100"
            accounts:
              - name: home
                type: local
                calendar: {self.root}/calendar
                followup_calendar: {self.root}/followups
                inbox: {self.root}/Mail/INBOX
                drafts: {self.root}/Mail/Drafts
            state_dir: {self.root}/state
            """
            )
            + self.extra_config
        )

    def config(self) -> config_module.Config:
        return config_module.load(self.config_path).config

    def write_calendar(self, *events: str, name: str = "personal.ics") -> Path:
        folder = self.root / "calendar"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_text(calendar(*events))
        return path

    def deliver(self, raw: bytes, name: str | None = None) -> Path:
        inbox = self.root / "Mail/INBOX"
        for sub in ("new", "cur", "tmp"):
            (inbox / sub).mkdir(parents=True, exist_ok=True)
        path = inbox / "new" / (name or f"{int(self.now.timestamp())}.M{next(_counter)}.host")
        path.write_bytes(raw)
        os.utime(path, (self.now.timestamp(), self.now.timestamp()))  # as offlineimap does: mtime = receipt
        return path

    def store(self) -> Store:
        return Store.open(self.root / "state" / "state.sqlite3")

    def cycle(self, **options: object) -> Report:
        config = self.config()
        store = self.store()
        try:
            engine = Engine(config, store, clock=lambda: self.now, **options)  # type: ignore[arg-type]
            return engine.run(config.accounts[0])
        finally:
            store.close()

    def drafts(self) -> list[Path]:
        return sorted((self.root / "Mail/Drafts/cur").glob("*"))

    def entries(self) -> list[Path]:
        return sorted((self.root / "followups").glob("*.ics"))

    def entry_titles(self) -> list[str]:
        return sorted(_summary(p.read_text()) for p in self.entries())


def _summary(text: str) -> str:
    return next(line[8:] for line in text.splitlines() if line.startswith("SUMMARY:"))


IDLE_HOURS = sorted({*range(0, 30, 4), 5, 6, 7})
"""Hours after the interview (Tue 12:00) to look at an idle pass: each side of the 18:00 reminder, and the next day."""


@dataclass
class CloudWorld:
    """An account at a provider's fake, as a person's configuration names it; each backend's tests subclass it."""

    root: Path
    fake: Any
    now: datetime
    extra: str = ""
    """More YAML at the end of the account list: keys of the account, or further accounts."""
    sleeps: list[float] = field(default_factory=list)

    name = ""
    """The account's name in the configuration."""

    def account_yaml(self) -> str:
        """The account's entry under `accounts:`, after its name."""
        raise NotImplementedError

    def open(self, config: config_module.Config) -> Any:
        """The backend, opened as the engine would."""
        raise NotImplementedError

    def config(self) -> config_module.Config:
        path = self.root / "config.yaml"
        head = f"me:\n  name: Sam Lee\n  addresses: [{ME}]\n  timezone: America/Los_Angeles\nstate_dir: {self.root}/state\n"
        account = textwrap.indent(textwrap.dedent(self.account_yaml()), "    ")
        path.write_text(f"{head}accounts:\n  - name: {self.name}\n{account}{self.extra}")
        return config_module.load(path).config

    def store(self) -> Store:
        return Store.open(self.root / "state" / "state.sqlite3")

    def engine(self, store: Store, **options: Any) -> Engine:
        """A new engine and connection each time, as after a restart; waits between retries are recorded, not slept."""
        config = self.config()
        backend = self.open(config)
        backend.calendar.client.sleep = self.sleeps.append
        return Engine(config, store, clock=lambda: self.now, backends={self.name: backend}, **options)

    def cycle(self, **options: Any) -> Report:
        with self.store() as store:
            engine = self.engine(store, **options)
            return engine.run(engine.config.accounts[0])


def require(program: str) -> str:
    """The path of a program the test needs: CI installs it (.ci/run), elsewhere the test is skipped."""
    found = shutil.which(program)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{program} is missing: .ci/run installs it")
        pytest.skip(f"{program} is not installed")
    return found


@pytest.fixture(autouse=True)
def no_desktop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test shows a notice on the desktop of whoever runs the suite: the session bus is one the test starts."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-session-bus")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    (tmp_path / "calendar").mkdir()
    for sub in ("new", "cur", "tmp"):
        (tmp_path / "Mail/INBOX" / sub).mkdir(parents=True)
    yield World(tmp_path, at("2026-11-17T12:00:00"))


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every IMAP command the daemon sends, by name."""
    sent: list[str] = []
    original = imaplib.IMAP4._command

    def counting(self: imaplib.IMAP4, name: str, *args: Any) -> Any:
        sent.append(name if name != "UID" else f"UID {args[0]}")
        return original(self, name, *args)

    monkeypatch.setattr(imaplib.IMAP4, "_command", counting)
    yield sent


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The certificate of the fake Microsoft servers, which clients trust through REQUESTS_CA_BUNDLE."""
    from fake_microsoft import certificate

    return certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def servers(tls: Path) -> Iterator[Any]:
    """One fake Google, one fake Microsoft, one real Dovecot and one real Radicale for the session, with a fresh
    account for each place."""
    import fake_google
    import fake_microsoft
    from caldav_server import radicale
    from dovecot import dovecot
    from places import Clock, Servers

    clock = Clock()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REQUESTS_CA_BUNDLE", str(tls))
        patch.setenv("SSL_CERT_FILE", str(tls))
        with (
            fake_google.serve(clock) as google,
            fake_microsoft.serve(tls, clock) as microsoft,
            dovecot(tls) as imap,
            radicale(tls) as dav,
        ):
            yield Servers(google, microsoft, imap, dav, clock)
