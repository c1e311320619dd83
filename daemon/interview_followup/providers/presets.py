"""The mail and calendar servers of providers people use, so that an account names its provider instead of a
host and port.

What each provider asks before a mail program may log in (an app password, IMAP switched on) is
said when the server refuses the password, and in README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Security = Literal["tls", "starttls", "plain"]
Provider = Literal["fastmail", "icloud", "yahoo", "gmx", "webde", "zoho", "mailbox.org", "posteo", "proton-bridge"]


@dataclass(frozen=True)
class Preset:
    host: str
    port: int
    security: Security
    before: str
    """What the provider asks of a person before a mail program may log in, after "asks you to"."""


PRESETS: dict[str, Preset] = {
    "fastmail": Preset("imap.fastmail.com", 993, "tls", "make an app password (Settings, Privacy & Security, App passwords)"),
    "icloud": Preset(
        "imap.mail.me.com", 993, "tls",
        "make an app-specific password at account.apple.com (Sign-In and Security) and log in with your iCloud Mail address",
    ),
    "yahoo": Preset("imap.mail.yahoo.com", 993, "tls", "make an app password (Account security, Generate app password)"),
    "gmx": Preset("imap.gmx.net", 993, "tls", "allow IMAP in its settings (E-Mail, Einstellungen, POP3 & IMAP Abruf)"),
    "webde": Preset("imap.web.de", 993, "tls", "allow IMAP in its settings (E-Mail, Einstellungen, POP3/IMAP Abruf)"),
    "zoho": Preset("imap.zoho.com", 993, "tls", "allow IMAP access in Zoho Mail's settings, and use an app password with 2FA"),
    "mailbox.org": Preset("imap.mailbox.org", 993, "tls", "use an app password if you sign in with two factors"),
    "posteo": Preset("posteo.de", 993, "tls", "log in with your full Posteo address, and an app password with two factors"),
    "proton-bridge": Preset(
        "127.0.0.1", 1143, "starttls",
        "run Proton Mail Bridge and use the user name and password it shows, with its exported certificate as certificate:",
    ),
}  # fmt: skip

CalendarProvider = Literal["fastmail", "icloud", "yahoo", "gmx", "webde", "zoho", "mailbox.org", "posteo", "nextcloud"]
CALDAV: dict[str, str] = {
    "fastmail": "https://caldav.fastmail.com/dav/",
    "icloud": "https://caldav.icloud.com/",
    "yahoo": "https://caldav.calendar.yahoo.com/",
    "gmx": "https://caldav.gmx.net/",
    "webde": "https://caldav.web.de/",
    "zoho": "https://calendar.zoho.com/caldav/",
    "mailbox.org": "https://dav.mailbox.org/",
    "posteo": "https://posteo.de:8443/",
    "nextcloud": "/remote.php/dav/",
}
"""Where each provider's CalDAV server answers; Nextcloud's is a path on your own server's address."""
