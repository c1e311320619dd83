"""A real IMAP server for the tests: Dovecot from the distribution's packages, on loopback ports, with a
throw-away configuration, a user per test, implicit TLS and STARTTLS with the session's certificate."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from imapclient import IMAPClient

from conftest import require

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = tests-{tls_port}
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{pem}
ssl_key = <{pem}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {user}
default_login_user = {user}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
"""
PASSWORD = "correct-horse-battery-staple"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], said: Callable[[], str]) -> None:
    """Until the server started as `process` answers on `port`; what it `said` when it does not in 30 s, or stops."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{process.args[0]} did not start: {said()[-2000:]}")


@dataclass
class Dovecot:
    root: Path
    port: int
    tls_port: int
    uid: int
    process: subprocess.Popen[bytes] | None = None
    _users: Iterator[int] = field(default_factory=count)

    def user(self) -> str:
        """A new, empty mailbox: every name logs in with `PASSWORD`, and Dovecot makes its home at the first login."""
        return f"sam{next(self._users)}@example.net"

    def client(self, user: str) -> IMAPClient:
        """The person's own mail program, or the employer's mail server delivering."""
        client = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=30)
        client.login(user, PASSWORD)
        return client

    def start(self) -> None:
        command = [require("dovecot"), "-F", "-c", str(self.root / "dovecot.conf")]
        # The server keeps the machine's time under the shifted-clock run: libfaketime in Dovecot's processes
        # makes logins stall now and then, and only our side is under test. INTERNALDATEs come from APPEND.
        clean = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=clean)
        wait_for(self.tls_port, self.process, lambda: (self.root / "dovecot.log").read_text(errors="replace"))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@contextmanager
def dovecot(pem: Path) -> Iterator[Dovecot]:
    """Dovecot running as this user, or, for root, with the mail owned by `nobody` (it never runs mail as root),
    in a folder of its own that `nobody` may pass through (pytest's are private to their owner)."""
    root = Path(tempfile.mkdtemp(prefix="dovecot-tests-"))
    os.chmod(root, 0o711)
    as_root = os.getuid() == 0
    uid = 65534 if as_root else os.getuid()
    user = "nobody" if as_root else getpass.getuser()
    (root / "home").mkdir()
    os.chown(root / "home", uid, uid)
    server = Dovecot(root, free_port(), free_port(), uid)
    text = CONFIG.format(
        root=root, pem=pem, user=user, uid=uid, gid=uid, port=server.port, tls_port=server.tls_port, password=PASSWORD
    )
    (root / "dovecot.conf").write_text(text)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
