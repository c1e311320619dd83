"""Mail over IMAP, for any provider (Fastmail, iCloud, GMX, WEB.DE, mailbox.org, a Dovecot of your own),
beside a CalDAV calendar (`caldav.py`) or a local one.

Drafts go to the folder marked `\\Drafts` (RFC 6154), else one of the usual names, with the
`\\Draft` flag and the key header, and are found again by that header (`SEARCH HEADER`), never by
a UID remembered from before a crash. The inbox is opened read-only (`EXAMINE`) and read with
`BODY.PEEK`, so nothing there is flagged, moved or marked read; incrementally by UIDVALIDITY and
the next UID, so that an idle look is one `STATUS`. A message is known by a digest of its
header, which no UIDVALIDITY change alters: a full rescan duplicates nothing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import imaplib
import importlib.util
import json
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar
from urllib.parse import urlsplit

from pydantic import field_validator, model_validator

from .. import mail, prescan
from ..detect import rules_from
from ..model import InboundMessage
from ..schema import AccountSettings, UserPath, is_url
from . import Backend, BackendType, MailChanges, Outcome, SentMail, SentQuery, SignInNeeded, Stored, Unavailable
from .caldav import CalDavCalendar, CalDavSettings, CalendarSetting, Login
from .common import LOOPBACK
from .local import LocalCalendar, calendar_location, digest
from .presets import CALDAV, PRESETS, Provider, Security
from .secrets import PasswordSource, password

if TYPE_CHECKING:
    from imapclient import IMAPClient

    from ..config import Config

P = ParamSpec("P")
T = TypeVar("T")
PORTS = {"tls": 993, "starttls": 143, "plain": 143}
TIMEOUT = 60.0
BATCH = 100
PER_PASS = 2000
"""Messages read in one pass at most: a first look at a large inbox goes on at the next pass."""
SENT_LOOKED_AT = 500
HEADER_LIMIT = 64 * 1024
"""A header block is read this far at first: anyone can send one of any size."""
FOLDERS = {
    b"\\Drafts": ("Drafts", "Draft", "INBOX.Drafts", "INBOX/Drafts", "[Gmail]/Drafts", "Entwürfe", "Brouillons",
                  "Borradores", "Concepten", "Rascunhos", "Bozze", "Utkast", "Wersje robocze"),
    b"\\Trash": ("Trash", "Deleted Items", "Deleted Messages", "INBOX.Trash", "INBOX/Trash", "[Gmail]/Trash", "Papierkorb",
                 "Gelöschte Elemente", "Corbeille", "Papelera", "Prullenbak", "Lixeira", "Cestino", "Papperskorg", "Kosz"),
    b"\\Sent": ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "INBOX/Sent", "[Gmail]/Sent Mail", "Gesendet",
                "Gesendete Objekte", "Envoyés", "Enviados", "Verzonden", "Inviata", "Posta inviata", "Skickat", "Wysłane"),
}  # fmt: skip
"""Where a server does not mark its special folders (RFC 6154): the names clients give them."""


class ImapAccount(AccountSettings):
    """Mail on an IMAP server; the calendar on a CalDAV server, or a local folder, file or web address (as for
    `type: local`)."""

    type: Literal["imap"]
    provider: Provider | None = None
    """Fills in the server; `host`, `port` and `security` are then needed only to differ from it."""
    host: str = ""
    port: int | None = None
    security: Security = "tls"
    """`tls` (port 993) or `starttls` (port 143); `plain` only to a server on this machine, like Proton's Bridge."""
    username: str
    password_command: str | None = None
    """A command that prints the password (`pass show mail/fastmail`, `secret-tool lookup …`); never in this file."""
    password_env: str | None = None
    """Or the name of an environment variable that holds it (for a service: systemd's LoadCredential)."""
    inbox_folder: str = "INBOX"
    drafts_folder: str | None = None
    """By default the folder the server marks as Drafts."""
    sent_folder: str | None = None
    certificate: UserPath | None = None
    """A certificate to trust besides the system's: a server on this machine with its own (Proton Bridge exports one)."""
    calendar: CalendarSetting
    followup_calendar: UserPath | None = None
    """With a local calendar: the folder the follow-up entries are written into."""

    @field_validator("calendar")
    @classmethod
    def _calendar(cls, value: CalDavSettings | str) -> CalDavSettings | str:
        return calendar_location(value) if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        preset = PRESETS.get(str(data.get("provider"))) if isinstance(data, dict) else None
        if preset is None:
            return data
        return {"host": preset.host, "port": preset.port, "security": preset.security, **data}

    @model_validator(mode="after")
    def _plain_only_here(self) -> ImapAccount:
        if not self.host:
            raise ValueError("host: name the IMAP server (like imap.example.com), or a provider: that fills it in")
        if self.security == "plain" and self.host.lower() not in LOOPBACK:
            raise ValueError(f"security: plain sends your password unencrypted; use tls or starttls for {self.host}")
        if isinstance(self.calendar, str) and self.followup_calendar is None:
            raise ValueError("followup_calendar: name the folder the follow-up entries go into (a local calendar needs one)")
        if isinstance(self.calendar, CalDavSettings):
            provider = self.calendar.provider or self.provider or ""
            if not self.calendar.url and (provider not in CALDAV or provider == "nextcloud"):
                raise ValueError("calendar: url: give the CalDAV server's address (like https://dav.example.com/)")
        return self

    @property
    def written(self) -> list[Path]:
        return [self.followup_calendar] if self.followup_calendar else []

    @property
    def source(self) -> PasswordSource:
        return PasswordSource(self.password_command, self.password_env, f"{self.username}@{self.host}")


class _Dropped(Exception):
    """A session kept from an earlier pass had gone (a suspend, the server's idle timeout): worth one more try."""


def _once_more(method: Callable[P, T]) -> Callable[P, T]:
    """Run a whole operation again on a new session when the kept one had gone. Each operation looks before it
    writes (by the key header), so a second run after a drop in the middle of the first duplicates nothing."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except _Dropped:
            return method(*args, **kwargs)

    return run


class Connection:
    """One logged-in session, opened when first needed and again after the server dropped it."""

    def __init__(self, account: ImapAccount) -> None:
        self.account = account
        self.context = ssl.create_default_context(cafile=str(account.certificate) if account.certificate else None)
        self._client: IMAPClient | None = None
        self._folders: dict[bytes, str | None] = {}

    @contextmanager
    def client(self) -> Iterator[IMAPClient]:
        """The session; a dropped connection or a server error becomes `Unavailable`, and the next use reconnects."""
        kept = self._client is not None
        try:
            if self._client is None:
                self._client = self._login()
            yield self._client
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise Unavailable(
                f"{self.account.host}: its certificate is not trusted ({exc.verify_message}); for a server on this"
                " machine with a certificate of its own (Proton Bridge), point certificate: at it"
            ) from None
        except (imaplib.IMAP4.abort, OSError) as exc:  # a timeout is an OSError too
            self.close()
            if kept:
                raise _Dropped() from None
            raise Unavailable(f"{self.account.host}: the connection failed ({exc}); tried again at the next pass") from None
        except imaplib.IMAP4.error as exc:
            self.close()
            raise Unavailable(f"{self.account.host}: the server refused a command ({exc})") from None

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):  # it is going away either way
                self._client.logout()
            self._client = None

    def folder(self, flag: bytes, configured: str | None) -> str | None:
        """The folder the configuration names, else the one the server marks with `flag`, else a usual name."""
        if configured:
            return configured
        if flag not in self._folders:
            with self.client() as client:
                listed = client.list_folders()
            marked = next((name for flags, _, name in listed if flag in flags), None)
            names = {name.lower(): name for _, _, name in listed}
            usual = next((names[n.lower()] for n in FOLDERS[flag] if n.lower() in names), None)
            self._folders[flag] = marked or usual
        return self._folders[flag]

    def _login(self) -> IMAPClient:
        from imapclient import IMAPClient
        from imapclient.exceptions import LoginError

        account = self.account
        port = account.port or PORTS[account.security]
        secret = password(account.source)
        client = IMAPClient(account.host, port, ssl=account.security == "tls", ssl_context=self.context, timeout=TIMEOUT)
        if account.security == "starttls":
            client.starttls(self.context)
        client.normalise_times = False
        try:
            client.login(account.username, secret)
        except LoginError as exc:
            client.shutdown()
            preset = PRESETS.get(account.provider or "")
            before = f"{account.provider} asks you to {preset.before}" if preset else "many providers want an app password"
            raise SignInNeeded(
                "interview-followup check --online",
                f"{account.host} refused the password for {account.username} ({exc}); {before}",
            ) from None
        return client


class ImapMailbox:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.account = connection.account
        self._sent_seen: tuple[Any, ...] | None = None
        self._sent_answer: set[str] = set()

    # reading ------------------------------------------------------------------------------
    @_once_more
    def changes(
        self, cursor: str | None, since: datetime, known: Callable[[str], bool], worth_reading: Callable[[InboundMessage], bool]
    ) -> MailChanges:
        """New mail since the cursor: one STATUS when there is none."""
        inbox = self.account.inbox_folder
        with self.connection.client() as client:
            status = client.folder_status(inbox, [b"UIDVALIDITY", b"UIDNEXT"])
            validity, next_uid = int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"])
            last = _MailCursor.load(cursor)
            if (last.validity, last.next_uid) == (validity, next_uid):
                return MailChanges([], cursor or "")
            with _in_folder(client, inbox, readonly=True):
                if last.validity == validity and last.next_uid:
                    uids = [u for u in client.search(["UID", f"{last.next_uid}:*"]) if u >= last.next_uid]
                else:  # first look, or the server renumbered the folder: everything in the window again
                    uids = client.search(["SINCE", (since - timedelta(days=1)).date()])  # SINCE ignores the hour
                uids = sorted(uids)[:PER_PASS]
                messages, problems = self._read(client, uids, known, worth_reading)
        reached = uids[-1] + 1 if len(uids) == PER_PASS else next_uid
        return MailChanges(messages, _MailCursor(validity, reached).dump(), problems)

    def _read(
        self, client: IMAPClient, uids: list[int], known: Callable[[str], bool], worth_reading: Callable[[InboundMessage], bool]
    ) -> tuple[list[InboundMessage], list[str]]:
        """Headers and first lines first; the whole message (within the size bound) only when they say it may matter."""
        messages, problems = [], []
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            parts = [f"BODY.PEEK[HEADER]<0.{HEADER_LIMIT}>", "BODY.PEEK[TEXT]<0.2048>", "RFC822.SIZE", "INTERNALDATE"]
            fetched = client.fetch(batch, parts)
            for uid in batch:
                item = fetched.get(uid)
                if item is None:
                    continue  # expunged meanwhile
                header = bytes(item.get(b"BODY[HEADER]<0>") or b"")
                key = "imap-" + hashlib.sha256(header).hexdigest()[:32]
                if known(key):
                    continue
                received = _aware(item.get(b"INTERNALDATE"))
                try:
                    light = mail.parse(header + bytes(item.get(b"BODY[TEXT]<0>") or b""), key, received)
                    if int(item.get(b"RFC822.SIZE") or 0) <= mail.READ_LIMIT and worth_reading(light):
                        whole = client.fetch([uid], [f"BODY.PEEK[]<0.{mail.READ_LIMIT}>"]).get(uid, {})
                        light = mail.parse(bytes(whole.get(b"BODY[]<0>") or header), key, received)
                    messages.append(light)
                except Exception as exc:  # noqa: BLE001 - one broken message must not stop the rest
                    problems.append(f"message {uid} in {self.account.inbox_folder}: unreadable, skipped ({type(exc).__name__})")
        return messages, problems

    # drafts -------------------------------------------------------------------------------
    @_once_more
    def create_draft(self, key: str, raw: bytes, stamp: datetime, resumed: bool = False) -> Stored:
        found = self.find_draft(key, "")
        if isinstance(found, Stored):
            return found
        drafts = self._drafts()
        with self.connection.client() as client:
            client.append(drafts, raw, flags=[b"\\Draft", b"\\Seen"], msg_time=stamp)
        made = self.find_draft(key, "")  # looked at again, not taken from the APPEND's answer
        if not isinstance(made, Stored):
            raise Unavailable(f"{self.account.host}: a draft saved to {drafts} is not there; tried again at the next pass")
        return Stored(made.ref, made.fingerprint)

    @_once_more
    def find_draft(self, key: str, message_id: str) -> Stored | Outcome:
        """Ours in Drafts; `REMOVED` when only the Trash has it (mail programs move a deleted draft there)."""
        ours = self._ours(key, message_id)
        if ours:
            uid, raw = ours[-1]
            return Stored(str(uid), digest(raw), found=True)
        trash = self.connection.folder(b"\\Trash", None)
        if trash is None:
            return Outcome.MISSING
        with self.connection.client() as client, _in_folder(client, trash, readonly=True):
            return Outcome.REMOVED if client.search(["HEADER", mail.KEY_HEADER, key]) else Outcome.MISSING

    @_once_more
    def update_draft(self, key: str, raw: bytes, expected: str) -> Stored | Outcome:
        """IMAP cannot change a message: the new text is saved, then the old one removed; a crash between the two
        leaves both, which the next try sorts out by their contents."""
        ours = self._ours(key, "")
        if not ours:
            return Outcome.MISSING
        wanted = digest(raw)
        done = [uid for uid, body in ours if digest(body) == wanted]
        if done:
            self._remove([uid for uid, body in ours if digest(body) == expected])
            return Stored(str(done[-1]), wanted)
        if any(digest(body) != expected for _, body in ours):
            return Outcome.MODIFIED
        with self.connection.client() as client:
            client.append(self._drafts(), raw, flags=[b"\\Draft", b"\\Seen"])
        self._remove([uid for uid, _ in ours])
        made = self.find_draft(key, "")
        return Stored(made.ref, made.fingerprint) if isinstance(made, Stored) else Outcome.MISSING

    @_once_more
    def delete_draft(self, key: str, expected: str) -> Outcome:
        ours = self._ours(key, "")
        if not ours:
            return Outcome.MISSING
        if any(digest(body) != expected for _, body in ours):
            return Outcome.MODIFIED
        self._remove([uid for uid, _ in ours])
        return Outcome.DONE

    def _drafts(self) -> str:
        folder = self.connection.folder(b"\\Drafts", self.account.drafts_folder)
        if folder is None:
            raise Unavailable(f"{self.account.host}: no Drafts folder found; name one with drafts_folder: in the configuration")
        return folder

    def _ours(self, key: str, message_id: str) -> list[tuple[int, bytes]]:
        """Our drafts under this key (or Message-ID), oldest first, with their text."""
        with self.connection.client() as client, _in_folder(client, self._drafts(), readonly=True):
            uids = client.search(["HEADER", mail.KEY_HEADER, key])
            if not uids and message_id:
                uids = client.search(["HEADER", "Message-ID", message_id])
            if not uids:
                return []
            fetched = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
        return [(uid, bytes(fetched[uid][b"BODY[]"])) for uid in sorted(fetched) if not _deleted(fetched[uid])]

    def _remove(self, uids: list[int]) -> None:
        """Flag and expunge exactly these (UIDPLUS); without it, flagged for the person's client to expunge."""
        if not uids:
            return
        with self.connection.client() as client, _in_folder(client, self._drafts(), readonly=False):
            client.add_flags(uids, [b"\\Deleted"])
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(uids)

    # sent ---------------------------------------------------------------------------------
    @_once_more
    def sent(self, drafts: list[SentQuery]) -> set[str]:
        """Which of our drafts went out: asked of the Sent folder only when it changed."""
        folder = self.connection.folder(b"\\Sent", self.account.sent_folder) if drafts else None
        if folder is None:
            return set()
        with self.connection.client() as client:
            status = client.folder_status(folder, [b"UIDVALIDITY", b"UIDNEXT"])
            seen = (status[b"UIDVALIDITY"], status[b"UIDNEXT"], tuple(sorted(q.key for q in drafts)))
            if seen == self._sent_seen:
                return self._sent_answer
            with _in_folder(client, folder, readonly=True):
                uids = sorted(client.search(["SINCE", min(q.since for q in drafts).date()]))[-SENT_LOOKED_AT:]
                fields = f"BODY.PEEK[HEADER.FIELDS (TO CC MESSAGE-ID {mail.KEY_HEADER.upper()})]"
                fetched = client.fetch(uids, [fields, "INTERNALDATE"]) if uids else {}
        mails = [_sent_mail(item) for item in fetched.values()]
        self._sent_seen, self._sent_answer = seen, {q.key for q in drafts if any(m.answers(q) for m in mails)}
        return self._sent_answer


@contextmanager
def _in_folder(client: IMAPClient, folder: str, readonly: bool) -> Iterator[None]:
    """Select a folder for the work, then leave it: a session that keeps a folder selected sees it as it was when
    selected, and STATUS on it does not look again (RFC 3501 6.3.10), so the next pass would miss new mail."""
    client.select_folder(folder, readonly=readonly)
    yield
    if client.has_capability("UNSELECT"):
        client.unselect_folder()
    else:  # CLOSE would expunge what the person flagged deleted: leave through a read-only selection
        if not readonly:
            client.select_folder(folder, readonly=True)
        client.close_folder()


def _sent_mail(item: dict[bytes, Any]) -> SentMail:
    header = next((bytes(v) for k, v in item.items() if k.startswith(b"BODY[HEADER.FIELDS")), b"")
    parsed = mail.parse(header, "sent", _aware(item.get(b"INTERNALDATE")))
    return SentMail(
        to=tuple(p.email for p in parsed.recipients),
        message_id=parsed.message_id,
        key=parsed.headers.get(mail.KEY_HEADER.lower(), ""),
        thread="",
        at=_aware(item.get(b"INTERNALDATE")).timestamp(),
    )


def _deleted(item: dict[bytes, Any]) -> bool:
    return b"\\Deleted" in (item.get(b"FLAGS") or ())


def _aware(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class _MailCursor:
    validity: int | None
    next_uid: int | None

    @classmethod
    def load(cls, text: str | None) -> _MailCursor:
        try:
            found = json.loads(text or "{}")
            return cls(int(found["validity"]), int(found["next_uid"]))
        except (ValueError, TypeError, KeyError):
            return cls(None, None)

    def dump(self) -> str:
        return json.dumps({"validity": self.validity, "next_uid": self.next_uid})


def calendar_login(account: ImapAccount, settings: CalDavSettings) -> Login:
    """The CalDAV server and login: what the calendar settings say, else the mail account's own."""
    provider = settings.provider or account.provider or ""
    url = settings.url or CALDAV[provider]
    if provider == "nextcloud" and urlsplit(url).path in ("", "/"):
        url = url.rstrip("/") + CALDAV["nextcloud"]
    own = settings.password_command or settings.password_env
    username = settings.username or account.username
    source = PasswordSource(settings.password_command, settings.password_env, f"{username}@{urlsplit(url).hostname}")
    preset = PRESETS.get(provider)
    return Login(
        url, username, source if own else account.source, settings.certificate or account.certificate,
        f"{provider} asks you to {preset.before}" if preset else "many providers want an app password",
    )  # fmt: skip


def open_imap(account: ImapAccount, config: Config) -> Backend:
    from functools import partial

    may_hold = partial(prescan.may_hold_interview, rules=rules_from(config))
    calendar: CalDavCalendar | LocalCalendar
    if isinstance(account.calendar, CalDavSettings):
        calendar = CalDavCalendar(calendar_login(account, account.calendar), account.calendar, config.zone, may_hold)
    else:
        assert account.followup_calendar is not None
        calendar = LocalCalendar(account.calendar, account.followup_calendar, config.zone, may_hold)
    return Backend(calendar, ImapMailbox(Connection(account)))


def problems(account: ImapAccount, config: Config) -> list[tuple[str, str]]:
    """A password source is named (the password itself never is), and the calendar is there."""
    found = []
    if not account.password_command and not account.password_env and importlib.util.find_spec("keyring") is None:
        found.append(("password_command", "no password source: set password_command or password_env, or install keyring"))
    if isinstance(account.calendar, str) and not is_url(account.calendar) and not Path(account.calendar).exists():
        found.append(("calendar", f"{account.calendar} does not exist"))
    return found


BACKEND = BackendType("imap", ImapAccount, open_imap, problems)
