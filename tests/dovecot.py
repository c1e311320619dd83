"""A real IMAP server for the tests: Dovecot from the distribution's packages, on loopback ports, with a
throw-away configuration, a user per test, implicit TLS and STARTTLS with the session's certificate."""

from __future__ import annotations

import getpass
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from imapclient import IMAPClient

from conftest import require
from loopback import free_port, launch, serving, stop

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
# A refused password is answered at once (the tests refuse some on purpose)
auth_failure_delay = 0
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
        self.process = launch(command, self.tls_port, self.root / "dovecot.log")

    def stop(self) -> None:
        stop(self.process)
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
    with serving(server):
        yield server
