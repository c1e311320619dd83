"""A real CalDAV server for the tests: Radicale from PyPI, on a loopback port over TLS with the session's certificate,
a throw-away configuration and storage, a user per test (htpasswd, plain) and a calendar made for each."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import requests

from dovecot import PASSWORD
from loopback import free_port, launch, serving, stop

CONFIG = """\
[server]
hosts = 127.0.0.1:{port}
ssl = True
certificate = {pem}
key = {pem}

[auth]
type = htpasswd
htpasswd_filename = {root}/users
htpasswd_encryption = plain
delay = 0
cache_logins = True

[rights]
type = owner_only

[storage]
filesystem_folder = {root}/collections

[web]
type = none

[logging]
level = warning
"""
MKCALENDAR = """<?xml version="1.0" encoding="utf-8"?>
<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>
<d:displayname>{name}</d:displayname>
<c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>
</d:prop></d:set></c:mkcalendar>"""


@dataclass
class Radicale:
    root: Path
    port: int
    pem: Path
    process: subprocess.Popen[bytes] | None = None
    _users: Iterator[int] = field(default_factory=count)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"

    def user(self, *calendars: str) -> str:
        """A new user, with `PASSWORD`, and a calendar of events for each name (its path is the name, lowercased)."""
        name = f"sam{next(self._users)}"
        with (self.root / "users").open("a") as users:
            users.write(f"{name}:{PASSWORD}\n")
        for calendar in calendars:
            self.make_calendar(name, calendar)
        return name

    def make_calendar(self, user: str, name: str) -> None:
        answer = self.session(user).request("MKCALENDAR", f"{self.url}{user}/{name.lower()}/", data=MKCALENDAR.format(name=name))
        assert answer.status_code == 201, answer.text

    def session(self, user: str) -> requests.Session:
        """The person's own calendar program (or the employer's server delivering an invitation)."""
        session = requests.Session()
        session.auth = (user, PASSWORD)
        session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides `verify`
        session.verify = str(self.pem)
        return session

    def collection(self, user: str, calendar: str) -> Path:
        return self.root / "collections" / "collection-root" / user / calendar.lower()

    def forget_sync_tokens(self, user: str, calendar: str) -> None:
        """What a server does when it keeps sync history only so long: every token it gave out is unknown."""
        shutil.rmtree(self.collection(user, calendar) / ".Radicale.cache" / "sync-token", ignore_errors=True)

    def start(self) -> None:
        command = [sys.executable, "-m", "radicale", "--config", str(self.root / "radicale.conf")]
        self.process = launch(command, self.port, self.root / "radicale.log")

    def stop(self) -> None:
        stop(self.process)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def radicale(pem: Path) -> Iterator[Radicale]:
    root = Path(tempfile.mkdtemp(prefix="radicale-tests-"))
    (root / "users").touch()
    server = Radicale(root, free_port(), pem)
    (root / "radicale.conf").write_text(CONFIG.format(root=root, pem=pem, port=server.port))
    with serving(server):
        yield server
