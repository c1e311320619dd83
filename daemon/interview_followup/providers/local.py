"""The backend that needs no account: an .ics calendar (file, vdir folder or URL) and Maildir folders.

It serves the demo, the tests, and people who sync with vdirsyncer, mbsync or offlineimap.
The user's inbox is only ever read: never moved, renamed or flagged.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import field_validator

from .. import ics, mail, prescan
from ..detect import rules_from
from ..model import EntryPayload, Event, InboundMessage
from ..schema import AccountSettings, UserPath, is_url
from . import Backend, BackendType, CalendarChanges, MailChanges, Outcome, SentQuery, Stored, Unavailable, Window
from .common import fsync_dir, unwritable, write_atomically

if TYPE_CHECKING:
    from ..config import Config

CALENDAR_LIMIT = 64 * 1024 * 1024
HTTP_TIMEOUT = 30
_EPOCH_PREFIX = re.compile(r"^(\d{9,11})[._]")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def calendar_location(value: str) -> str:
    """A calendar file or folder (with `~` and variables), or a web address (`webcal://` read as https)."""
    if is_url(value) or re.match(r"^webcal://", value, re.I):
        return re.sub(r"^webcal://", "https://", value, flags=re.I)
    return str(Path(os.path.expandvars(value)).expanduser())


class LocalAccount(AccountSettings):
    """Needs no account anywhere: an .ics calendar and Maildir folders."""

    type: Literal["local"]
    calendar: str
    followup_calendar: UserPath
    drafts: UserPath
    inbox: UserPath | None = None
    sent: UserPath | None = None
    """Maildir of sent mail (read only): tells when thank-you drafts went out."""

    _calendar = field_validator("calendar")(calendar_location)

    @property
    def web_calendar(self) -> bool:
        return is_url(self.calendar)

    @property
    def online(self) -> bool:
        return self.web_calendar

    @property
    def written(self) -> list[Path]:
        return [self.followup_calendar, self.drafts]


_FIXES = {
    errno.ENOSPC: "no space left on the device; free some space",
    errno.EDQUOT: "over your disk quota; free some space",
    errno.EROFS: "on a read-only file system; mount it writable or choose another folder",
    errno.EACCES: "not writable for you; change its permissions (under systemd also `interview-followup install-service`)",
    errno.EPERM: "not writable for you; change its permissions (under systemd also `interview-followup install-service`)",
    errno.ENOENT: "missing; create it or correct the path in the configuration",
    errno.ENOTDIR: "not a folder (a file is in the way); correct the path in the configuration",
}


@contextlib.contextmanager
def writing(folder: Path) -> Iterator[None]:
    """A write into `folder` that fails says why in words, and that nothing is lost: the next pass tries again."""
    try:
        yield
    except OSError as exc:
        fix = _FIXES.get(exc.errno or 0, exc.strerror or type(exc).__name__)
        raise Unavailable(f"{folder}: {fix}. Nothing was lost: it is written at the next pass.") from None


def _clean_leftovers(folder: Path, pattern: str) -> None:
    """Our own temporary files from a process that died mid-write: only one process writes here at a time."""
    for leftover in folder.glob(pattern):
        leftover.unlink(missing_ok=True)


def _delete_if_unchanged(path: Path | None, expected: str) -> Outcome:
    """Remove what we made, unless the user changed it since (then it is theirs)."""
    if path is None or not path.exists():
        return Outcome.MISSING
    if digest(path.read_bytes()) != expected:
        return Outcome.MODIFIED
    path.unlink()
    fsync_dir(path.parent)
    return Outcome.DONE


SWEEP = 500
"""Files of a calendar folder looked at on a pass when the folder itself did not change: a file rewritten in
place, not replaced (vdirsyncer and khal always replace), is noticed within (files / SWEEP) passes."""
RACY_NS = 2_000_000_000
"""A file or folder changed this close to the moment it was read may change again with the same time stamp:
it is read again at the next pass, and its content compared."""


@dataclass
class _File:
    """What a calendar file was when last read, and when a moving window needs it read again."""

    mtime: int
    size: int
    inode: int
    digest: str
    recurs: bool = False
    ahead: str = ""
    """ISO time of its earliest single event past the window's end."""
    racy: bool = False
    may_hold: bool = True
    """What the prescan said of its content: a file that held an interview is parsed in full until it is gone."""

    def same(self, stat: os.stat_result) -> bool:
        return not self.racy and (self.mtime, self.size, self.inode) == (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def outgrown(self, window: Window, moved: bool) -> bool:
        """Whether the window came to hold what it did not when the file was read."""
        return moved and (self.recurs or (bool(self.ahead) and datetime.fromisoformat(self.ahead) < window.end))


@dataclass
class _Reading:
    """One pass over a calendar's files: what it found, and whether anything differs from before."""

    zone: ZoneInfo
    window: Window
    now_ns: int
    may_hold: Callable[[bytes], bool]
    events: list[tuple[str, Event]] = field(default_factory=list)
    replaced: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    changed: bool = False

    def racy(self, mtime_ns: int) -> bool:
        return self.now_ns - mtime_ns < RACY_NS

    def file(self, path: str, known: _File | None, moved: bool) -> _File | None:
        """The file as it is now, its events gathered: `known` itself when there is nothing new to read in it,
        None when it is gone."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if known and known.same(stat) and not known.outgrown(self.window, moved):
            return known
        if stat.st_size > CALENDAR_LIMIT:
            self.problems.append(f"{path}: larger than {CALENDAR_LIMIT // 2**20} MiB, skipped")
            return known
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            self.problems.append(f"{path}: cannot read ({exc.strerror})")
            return known
        self.changed = True
        seen = _File(stat.st_mtime_ns, stat.st_size, stat.st_ino, digest(data), racy=self.racy(stat.st_mtime_ns))
        if known and known.digest == seen.digest and not known.outgrown(self.window, moved):
            return replace(known, mtime=seen.mtime, size=seen.size, inode=seen.inode, racy=seen.racy)
        holds = self.may_hold(data)
        if not holds and not (known and known.may_hold):
            self.replaced.add(path)
            return replace(seen, may_hold=False)
        parsed = ics.parse(data, self.zone, self.window.start, self.window.end)
        self.problems += [f"{os.path.basename(path)}: {p}" for p in parsed.problems]
        self.events += [(path, e) for e in parsed.events]
        self.unreadable |= parsed.skipped
        if parsed.readable:
            self.replaced.add(path)
        return replace(seen, recurs=parsed.recurs, ahead=parsed.ahead.isoformat() if parsed.ahead else "", may_hold=holds)


def _stored(cursor: str | None) -> tuple[dict[str, Any], dict[str, _File]]:
    """A cursor as written by `_from_files`; one from an older version is read as none (everything is read again)."""
    try:
        state = json.loads(cursor) if cursor else {}
        return state, {name: _File(*fields) for name, fields in (state.pop("files", None) or {}).items()}
    except (ValueError, TypeError, AttributeError):
        return {}, {}


class LocalCalendar:
    def __init__(
        self, source: str, followups: Path, zone: ZoneInfo, may_hold: Callable[[bytes], bool] = lambda data: True
    ) -> None:
        self.source = source
        self.followups = followups
        self.zone = zone
        self.may_hold = may_hold
        """Whether a file's text can hold an interview (`prescan`): the others are not parsed."""
        self._cursor: str | None = None
        self._state: dict[str, Any] = {}
        self._files: dict[str, _File] = {}
        self._sweep = 0

    def changes(self, cursor: str | None, window: Window) -> CalendarChanges:
        if is_url(self.source):
            state = json.loads(cursor) if cursor else {}
            if state.get("window") != window.start.date().isoformat():
                state = {"window": window.start.date().isoformat()}  # a new day: series expand into a new window
            return self._from_url(state, window)
        if cursor is None or cursor != self._cursor:  # a new process, or a state reset: begin from what was stored
            self._state, self._files = _stored(cursor)
        changes = self._from_files(window)
        self._cursor = changes.cursor
        return changes

    def _from_files(self, window: Window) -> CalendarChanges:
        """Only what changed is read: the folder's time stamp says whether files came or went, a file's stat
        whether it changed, and a file is read again when the window has moved onto what it holds."""
        root = Path(self.source)
        day = window.start.date().isoformat()
        moved = self._state.get("window") != day
        try:
            top = root.stat()
        except OSError:
            return CalendarChanges([], set(), self._cursor or "", [f"{root}: calendar not found; nothing read"])
        stamp = [top.st_mtime_ns, top.st_ino]
        base = root if root.is_dir() else root.parent
        listing = not root.is_dir() or stamp != self._state.get("folder") or moved
        if not root.is_dir():
            names = [root.name]
        elif listing:
            names = sorted(n for n in os.listdir(root) if n.lower().endswith(".ics") and not n.startswith("."))
        else:  # nothing came or went: a slice of the files, for one rewritten in place
            listed = list(self._files)
            first = self._sweep % max(1, len(listed))
            names, self._sweep = listed[first : first + SWEEP], first + SWEEP
        gone = set(self._files) - set(names) if listing else set()
        read = _Reading(self.zone, window, time.time_ns(), self.may_hold)
        for name in names:
            known = self._files.get(name)
            now = read.file(os.path.join(base, name), known, moved)
            if now is None:
                gone.add(name)
            elif now is not known:
                self._files[name] = now
        for name in gone:
            self._files.pop(name, None)
            read.replaced.add(os.path.join(base, name))
        if not (read.changed or gone or listing):
            return CalendarChanges([], set(), self._cursor or "")
        self._state.update(window=day, folder=None if read.racy(top.st_mtime_ns) else stamp)
        cursor = json.dumps({**self._state, "files": {n: list(astuple(f)) for n, f in self._files.items()}})
        return CalendarChanges(read.events, read.replaced, cursor, read.problems, read.unreadable)

    def _from_url(self, state: dict[str, Any], window: Window) -> CalendarChanges:
        request = urllib.request.Request(self.source, headers={"User-Agent": "interview-followup"})
        if state.get("etag"):
            request.add_header("If-None-Match", str(state["etag"]))
        if state.get("modified"):
            request.add_header("If-Modified-Since", str(state["modified"]))
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                data = response.read(CALENDAR_LIMIT + 1)
                state["etag"] = response.headers.get("ETag")
                state["modified"] = response.headers.get("Last-Modified")
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return CalendarChanges([], set(), json.dumps(state))
            raise Unavailable(f"{_redact(self.source)}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise Unavailable(f"{_redact(self.source)}: {getattr(exc, 'reason', exc)}") from None
        if len(data) > CALENDAR_LIMIT:
            return CalendarChanges([], set(), json.dumps(state), ["calendar larger than the limit, skipped"])
        parsed = ics.parse(data, self.zone, window.start, window.end)
        replaced = {self.source} if parsed.readable else set()
        return CalendarChanges(
            [(self.source, e) for e in parsed.events], replaced, json.dumps(state), parsed.problems, set(parsed.skipped)
        )

    def _path(self, key: str) -> Path:
        return self.followups / f"{key}.ics"

    def create_entry(self, entry: EntryPayload, stamp: datetime) -> Stored:
        found = self.find_entry(entry.key)
        if isinstance(found, Stored):
            return found
        path = self._path(entry.key)
        data = ics.entry(entry, stamp)
        with writing(self.followups):
            self.followups.mkdir(parents=True, exist_ok=True, mode=0o700)
            _clean_leftovers(self.followups, ".*.ics.tmp")
            write_atomically(path, data)
        return Stored(path.name, digest(data))

    def find_entry(self, key: str) -> Stored | Outcome:
        path = self._path(key)
        try:
            return Stored(path.name, digest(path.read_bytes()), found=True)
        except FileNotFoundError:
            return Outcome.MISSING

    def update_entry(self, entry: EntryPayload, stamp: datetime, expected: str) -> Stored | Outcome:
        path = self._path(entry.key)
        data = ics.entry(entry, stamp)
        try:
            current = digest(path.read_bytes())
        except FileNotFoundError:
            return Outcome.MISSING
        if current == digest(data):
            return Stored(path.name, current)
        if current != expected:
            return Outcome.MODIFIED
        with writing(self.followups):
            write_atomically(path, data)
        return Stored(path.name, digest(data))

    def delete_entry(self, key: str, expected: str) -> Outcome:
        with writing(self.followups):
            return _delete_if_unchanged(self._path(key), expected)


class LocalMailbox:
    def __init__(self, inbox: Path | None, drafts: Path, sent: Path | None = None) -> None:
        self.inbox = inbox
        self.drafts = drafts
        self.sent_folder = sent

    def changes(
        self, cursor: str | None, since: datetime, known: Callable[[str], bool], worth_reading: Callable[[InboundMessage], bool]
    ) -> MailChanges:
        """Every new file is read whole: on a local disk the headers cost as much as the message.

        A file is new when its inode changed after its folder's last listing (delivery and the
        client's moves are renames, which set it); the others were looked at then. The first change
        of a day looks at every file again, in case the clock was set back.
        """
        if self.inbox is None:
            return MailChanges([], "")
        folders = [self.inbox / "new", self.inbox / "cur"]
        try:
            stamps = [f.stat().st_mtime_ns for f in folders]
        except OSError:
            return MailChanges([], cursor or "", [f"{self.inbox}: not a Maildir folder (no new/ and cur/); nothing read"])
        last = _InboxCursor.load(cursor)
        if last.stamps == stamps:
            return MailChanges([], cursor or "")
        looked = last.looked_before if len(last.looked_before) == len(stamps) else [0] * len(stamps)
        looked = [old if _day(old) == _day(stamp) else 0 for old, stamp in zip(looked, stamps, strict=True)]
        messages: list[InboundMessage] = []
        problems: list[str] = []
        missed = False
        for folder, entry in _maildir_entries(folders):
            try:
                stat = entry.stat(follow_symlinks=False)
                if stat.st_ctime_ns < looked[folder] or stat.st_mtime < since.timestamp() or known(_unique(entry.name)):
                    continue
                with open(entry.path, "rb") as handle:
                    raw = handle.read(mail.READ_LIMIT)
            except OSError:
                missed = True  # moved by the mail client between listing and reading; seen next time
                continue
            try:
                messages.append(mail.parse(raw, _unique(entry.name), _delivered(entry.name, stat.st_mtime)))
            except Exception as exc:  # noqa: BLE001 - one broken message must not stop the rest
                problems.append(f"{entry.name}: unreadable message skipped ({type(exc).__name__})")
        after = looked if missed else [stamp - RACY_NS for stamp in stamps]
        return MailChanges(messages, _InboxCursor(stamps, after).dump(), problems)

    def _find(self, key: str) -> Path | None:
        marker = f".{key}."
        return next((p for p in _maildir_files([self.drafts / "cur", self.drafts / "new"]) if marker in p.name), None)

    def create_draft(self, key: str, raw: bytes, stamp: datetime, resumed: bool = False) -> Stored:
        found = self.find_draft(key, "")
        if isinstance(found, Stored):
            return found
        name = f"{int(stamp.timestamp())}.{key}.interview-followup"
        final = self.drafts / "cur" / f"{name}:2,D"
        with writing(self.drafts):
            for sub in ("tmp", "new", "cur"):
                (self.drafts / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
            _clean_leftovers(self.drafts / "tmp", "*.interview-followup")
            write_atomically(final, raw, temporary=self.drafts / "tmp" / name)
        return Stored(final.name, digest(raw))

    def delete_draft(self, key: str, expected: str) -> Outcome:
        with writing(self.drafts):
            return _delete_if_unchanged(self._find(key), expected)

    def find_draft(self, key: str, message_id: str) -> Stored | Outcome:
        path = self._find(key)
        return Stored(path.name, digest(path.read_bytes()), found=True) if path else Outcome.MISSING

    def update_draft(self, key: str, raw: bytes, expected: str) -> Stored | Outcome:
        with writing(self.drafts):
            path = self._find(key)
            if path is None:
                return Outcome.MISSING
            current = digest(path.read_bytes())
            if current == digest(raw):  # an earlier pass wrote it and was cut short before its journal
                return Stored(path.name, current)
            if current != expected:
                return Outcome.MODIFIED
            write_atomically(path, raw, temporary=self.drafts / "tmp" / f"{path.name.partition(':')[0]}.rewrite")
            return Stored(path.name, digest(raw))

    def sent(self, drafts: list[SentQuery]) -> set[str]:
        if self.sent_folder is None or not drafts:
            return set()
        since = min(q.since for q in drafts).timestamp()
        found: set[str] = set()
        for path in _maildir_files([self.sent_folder / "cur", self.sent_folder / "new"]):
            try:
                if path.stat().st_mtime < since:
                    continue
                with path.open("rb") as handle:
                    outgoing = mail.parse(handle.read(mail.READ_LIMIT), path.name, datetime.fromtimestamp(0, timezone.utc))
            except OSError:
                continue
            to = {p.email for p in outgoing.recipients}
            for query in drafts:
                ours = outgoing.message_id == query.message_id or outgoing.headers.get(mail.KEY_HEADER.lower()) == query.key
                if ours or (query.recipient in to and outgoing.date is not None and outgoing.date >= query.since):
                    found.add(query.key)
        return found


def _maildir_entries(folders: list[Path]) -> Iterator[tuple[int, os.DirEntry[str]]]:
    """The messages in `folders`, each with the index of its folder."""
    for index, folder in enumerate(folders):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.startswith(".") and entry.is_file(follow_symlinks=False):
                yield index, entry


def _maildir_files(folders: list[Path]) -> Iterator[Path]:
    return (Path(entry.path) for _, entry in _maildir_entries(folders))


@dataclass(frozen=True)
class _InboxCursor:
    stamps: list[int]
    """The folders' modification times at the last listing (ns)."""
    looked_before: list[int]
    """For each folder: every file whose inode changed before this (ns) was looked at by an earlier pass."""

    @classmethod
    def load(cls, text: str | None) -> _InboxCursor:
        try:
            found = json.loads(text or "{}")
            return cls([int(n) for n in found["stamps"]], [int(n) for n in found["looked_before"]])
        except (ValueError, TypeError, KeyError):
            return cls([], [])

    def dump(self) -> str:
        return json.dumps({"stamps": self.stamps, "looked_before": self.looked_before})


def _day(ns: int) -> int:
    return ns // 86_400_000_000_000


def _unique(name: str) -> str:
    """A Maildir file keeps this part of its name when clients change its flags."""
    return re.split(r"[:!;]2,", name, maxsplit=1)[0]


def _delivered(name: str, mtime: float) -> datetime:
    match = _EPOCH_PREFIX.match(name)
    return datetime.fromtimestamp(int(match[1]) if match else mtime, timezone.utc)


def _redact(url: str) -> str:
    """Calendar URLs often embed a secret token; logs get the host only."""
    return re.sub(r"^(\w+://[^/?#]+).*$", r"\1/…", url)


def open_local(account: LocalAccount, config: Config) -> Backend:
    may_hold = partial(prescan.may_hold_interview, rules=rules_from(config))
    return Backend(
        LocalCalendar(account.calendar, account.followup_calendar, config.zone, may_hold),
        LocalMailbox(account.inbox, account.drafts, account.sent),
    )


def problems(account: LocalAccount, config: Config) -> list[tuple[str, str]]:
    found = []
    if not account.web_calendar and not Path(account.calendar).exists():
        found.append(("calendar", f"{account.calendar} does not exist"))
    for key in ("inbox", "sent"):
        folder = getattr(account, key)
        if folder and not (folder / "cur").is_dir():
            found.append((key, f"{folder} is not a Maildir folder (no cur/ inside)"))
    for key in ("drafts", "followup_calendar"):
        folder = getattr(account, key)
        if why := unwritable(folder):
            found.append((key, f"{folder} {why}"))
    return found


BACKEND = BackendType("local", LocalAccount, open_local, problems)
