"""Calendars over CalDAV (RFC 4791): Fastmail, iCloud, Nextcloud, mailbox.org, Posteo, GMX, a Radicale of your own.

The calendars are found from the account's address (RFC 6764's well-known address, then the
principal and its calendar home). Interviews are read by WebDAV sync (RFC 6578): an idle pass is one
sync REPORT per calendar; a server without it is asked for its ctag, then its etags. Follow-up
entries are PUT under a name made from their key, which is also their UID: `If-None-Match: *` on
create, so a repeated create is refused instead of duplicated, and `If-Match` on update and delete,
so that an entry the person changed is theirs.

Not built on the `caldav` library: its releases since 2.0 (but for a few) require niquests, whose
urllib3-future replaces the urllib3 that requests and google-auth load in this same process
(python-caldav/caldav#530); and it has no conditional PUT or DELETE, nor tells a sync's deletions
from its changes without fetching each item. WebDAV's few requests are written here on requests.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET  # noqa: S405 - expat resolves no external entity and bounds entity expansion
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Union
from urllib.parse import quote, unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import icalendar
from pydantic import Discriminator, Tag, field_validator

from .. import ics
from ..model import EntryPayload, Event
from ..schema import Strict, UserPath
from . import CalendarChanges, Outcome, SignInNeeded, Stored, Unavailable, Window
from .common import LOOPBACK
from .presets import CalendarProvider
from .secrets import PasswordSource, password

DAV, CALDAV, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
TIMEOUT = 60.0
RESPONSE_LIMIT = 64 * 1024 * 1024
"""An answer is read this far at most: a calendar holds what anyone invited the person to. Items are asked
for in batches, so that one item this large is the most that is left out."""
BATCH = 100
"""Items asked for in one calendar-multiget."""
REDIRECTS = 5


def _readable_on_the_way(url: str) -> bool:
    """A password sent to `url` could be read on the way: anything but https, except plain http to this machine."""
    parts = urlsplit(url)
    return parts.scheme != "https" and not (parts.scheme == "http" and (parts.hostname or "") in LOOPBACK)


def _url(value: str) -> str:
    parts = urlsplit(value)
    if value and parts.scheme not in ("https", "http"):
        raise ValueError("use the server's https:// address, like https://dav.example.com/")
    if value and _readable_on_the_way(value):
        raise ValueError(f"http:// sends your password unencrypted; use https:// for {parts.hostname}")
    return value


class CalDavSettings(Strict):
    """A CalDAV calendar: where the server is, whose login, and which of its calendars."""

    type: Literal["caldav"]
    provider: CalendarProvider | None = None
    """Fills in the server's address (for Nextcloud, `url` is your server and this adds the path)."""
    url: str = ""
    """The server, the principal or one calendar; by default the mail account's provider's server."""
    username: str | None = None
    """By default the mail account's."""
    password_command: str | None = None
    password_env: str | None = None
    watch: list[str] = []
    """Calendars (by name) whose events may be interviews; by default every calendar of events."""
    followups: str | None = None
    """The calendar (by name) the follow-up entries go into; by default the first one watched."""
    certificate: UserPath | None = None

    _url = field_validator("url")(_url)


def _kind(value: Any) -> str:
    return "local" if isinstance(value, str) else "caldav"


CALENDAR_KINDS = ("caldav", "local")
"""The tags of `CalendarSetting`, which pydantic puts in an error's location and the file does not have."""
CalendarSetting = Annotated[
    Union[Annotated[CalDavSettings, Tag("caldav")], Annotated[str, Tag("local")]],  # noqa: UP007 - Tag needs Union
    Discriminator(_kind),
]
"""A calendar is settings for a CalDAV server, or a local file, folder or web address: never tried as both,
so that a mistake in one is not also reported as a mistake in the other."""


@dataclass(frozen=True)
class Login:
    """Everything needed to reach a CalDAV server, once the mail account's defaults are filled in."""

    url: str
    username: str
    source: PasswordSource
    certificate: Path | None = None
    before: str = "many providers want an app password"
    """What the provider asks before a program may log in, for the message when the password is refused."""


@dataclass(frozen=True)
class Collection:
    url: str
    name: str


@dataclass(frozen=True)
class Item:
    """One member of a multistatus answer: a calendar, an event resource, or a sync's note that one is gone."""

    href: str
    status: int
    props: dict[str, ET.Element]

    def text(self, tag: str) -> str:
        found = self.props.get(tag)
        return (found.text or "").strip() if found is not None else ""

    def href_in(self, tag: str) -> str:
        found = self.props.get(tag)
        inner = found.find(f"{{{DAV}}}href") if found is not None else None
        return (inner.text or "").strip() if inner is not None else ""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @cached_property
    def tree(self) -> ET.Element:
        """The body as XML, parsed once however many things are read from it."""
        return _xml(self.body)

    def items(self, base: str) -> list[Item]:
        """The multistatus's responses, hrefs made absolute against `base`."""
        found = []
        for response in self.tree.iterfind(f"{{{DAV}}}response"):
            href = response.findtext(f"{{{DAV}}}href", "").strip()
            props: dict[str, ET.Element] = {}
            for propstat in response.iterfind(f"{{{DAV}}}propstat"):
                if _code(propstat.findtext(f"{{{DAV}}}status", "")) == 200:
                    for prop in propstat.iterfind(f"{{{DAV}}}prop/*"):
                        props[prop.tag] = prop
            status = _code(response.findtext(f"{{{DAV}}}status", "")) or 200
            if href:
                found.append(Item(urljoin(base, href), status, props))
        return found

    def sync_token(self) -> str:
        return (self.tree.findtext(f"{{{DAV}}}sync-token") or "").strip()


def _xml(body: bytes) -> ET.Element:
    try:
        return ET.fromstring(body)  # noqa: S314 - see the import
    except ET.ParseError as exc:
        raise Unavailable(f"the CalDAV server answered with XML that cannot be read ({exc})") from None


def _code(status_line: str) -> int:
    parts = status_line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _body(root: str, *inner: str) -> bytes:
    namespaces = f'xmlns:d="{DAV}" xmlns:c="{CALDAV}" xmlns:cs="{CS}"'
    return f'<?xml version="1.0" encoding="utf-8"?><{root} {namespaces}>{"".join(inner)}</{root}>'.encode()


class _TooLarge(Unavailable):
    """An answer past `RESPONSE_LIMIT`: what asked for it may ask for less."""


class Dav:
    """HTTP to one server with one login: bounded answers, https only, failures in words."""

    def __init__(self, login: Login) -> None:
        import requests

        self.login = login
        self.session = requests.Session()
        self.verify: str | bool = str(login.certificate) if login.certificate else True
        """Given with each request: a session's own is overridden by REQUESTS_CA_BUNDLE (psf/requests#3829)."""
        self.session.headers["User-Agent"] = "interview-followup"
        self._password: str | None = None

    def request(
        self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None, depth: str | None = None
    ) -> Answer:
        import requests

        if self._password is None:
            self._password = password(self.login.source)
        sent = {**(headers or {}), **({"Depth": depth} if depth is not None else {})}
        if body is not None and "Content-Type" not in sent:
            sent["Content-Type"] = "application/xml; charset=utf-8"
        for _ in range(REDIRECTS):
            _encrypted(url)
            try:
                answer = self._once(method, url, body, sent)
            except requests.exceptions.ConnectionError:  # a kept connection the server had closed: once more, anew
                self.session.close()
                try:
                    answer = self._once(method, url, body, sent)
                except requests.exceptions.ConnectionError as exc:
                    raise Unavailable(f"{urlsplit(url).hostname}: the connection failed ({type(exc).__name__})") from None
            if answer.status not in (301, 302, 307, 308):
                break
            url = urljoin(url, answer.headers.get("location", ""))
        if answer.status == 401:
            self._password = None  # a new one may be set by then
            raise SignInNeeded(
                "interview-followup check --online",
                f"{urlsplit(url).hostname} refused the password for {self.login.username}; {self.login.before}",
            )
        if (answer.status >= 500 and answer.status != 501) or answer.status == 429:  # 501: it does not do that at all
            host = urlsplit(url).hostname
            raise Unavailable(f"{host}: the CalDAV server answered {answer.status}; tried again at the next pass")
        return answer

    def _once(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        import requests

        assert self._password is not None
        try:
            with self.session.request(
                method, url, data=body, headers=headers, auth=(self.login.username, self._password),
                verify=self.verify, timeout=TIMEOUT, allow_redirects=False, stream=True,
            ) as response:  # fmt: skip
                content = bytearray()
                for chunk in response.iter_content(1 << 16):
                    content += chunk
                    if len(content) > RESPONSE_LIMIT:
                        raise _TooLarge(f"{urlsplit(url).hostname}: an answer larger than {RESPONSE_LIMIT >> 20} MiB, not read")
                return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, bytes(content))
        except requests.exceptions.SSLError as exc:
            raise Unavailable(
                f"{urlsplit(url).hostname}: its certificate is not trusted ({exc}); for a server with a certificate"
                " of its own, point certificate: at it"
            ) from None
        except requests.exceptions.ConnectionError:
            raise
        except requests.exceptions.RequestException as exc:
            raise Unavailable(f"{urlsplit(url).hostname}: the CalDAV request failed ({type(exc).__name__})") from None

    def multistatus(self, method: str, url: str, body: bytes, depth: str) -> tuple[Answer, list[Item]]:
        answer = self.request(method, url, body, depth=depth)
        if answer.status != 207:
            raise Unavailable(f"{url}: {method} answered {answer.status}, not a multistatus")
        return answer, answer.items(url)


def _encrypted(url: str) -> str:
    """Only https carries the password, wherever the server's answers point (a redirect, a calendar home)."""
    if _readable_on_the_way(url):
        raise Unavailable(f"{url}: not an https address; the password is not sent there")
    return url


@dataclass
class _Calendar:
    """What a watched calendar was at the last look."""

    token: str = ""
    """The sync token, or "" before the first full look or on a server without sync."""
    ctag: str = ""
    etags: dict[str, str] | None = None
    """For a server without sync only: every item's etag, to tell what changed."""
    held: dict[str, list[str]] = field(default_factory=dict)
    """Items whose text may hold an interview, with the identities of their events in the window: read in full
    until they are gone, and those events said gone when they go."""


@dataclass
class _State:
    settings: str = ""
    """A digest of the settings the calendars were found with: other settings, another search."""
    day: str = ""
    followups: str = ""
    calendars: dict[str, _Calendar] = field(default_factory=dict)

    @classmethod
    def load(cls, text: str | None) -> _State:
        try:
            found = json.loads(text or "{}")
            calendars = {url: _Calendar(**fields) for url, fields in found.pop("calendars", {}).items()}
            return cls(**found, calendars=calendars)
        except (ValueError, TypeError, AttributeError):
            return cls()

    def dump(self) -> str:
        calendars = {url: vars(calendar) for url, calendar in self.calendars.items()}
        return json.dumps({"settings": self.settings, "day": self.day, "followups": self.followups, "calendars": calendars})


class _Expired(Exception):
    """The server no longer knows the sync token (RFC 6578 `valid-sync-token`): a full look again."""


@dataclass
class _Reading:
    """One pass's harvest over the calendars."""

    zone: ZoneInfo
    window: Window
    may_hold: Callable[[bytes], bool]
    events: list[tuple[str, Event]] = field(default_factory=list)
    replaced: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def item(self, source: str, href: str, data: bytes, calendar: _Calendar, full: bool = False) -> bool:
        """Whether the item could be read. One that was read whole before says which of its events are gone."""
        holds, before = self.may_hold(data), calendar.held.get(href)
        if not holds and before is None:
            return True
        parsed = ics.parse(data, self.zone, self.window.start, self.window.end)
        self.problems += [f"{_last(href)}: {p}" for p in parsed.problems]
        self.unreadable |= parsed.skipped
        if not parsed.readable:
            return False
        self.events += [(source, event) for event in parsed.events]
        now = sorted({event.identity for event in parsed.events})
        if before is not None and not full:
            self.removed |= set(before) - set(now)
        if holds:
            calendar.held[href] = now
        else:
            calendar.held.pop(href, None)
        return True

    def gone(self, hrefs: Iterable[str], calendar: _Calendar) -> None:
        for href in hrefs:
            self.removed |= set(calendar.held.pop(href, []))


class CalDavCalendar:
    def __init__(self, login: Login, settings: CalDavSettings, zone: ZoneInfo, may_hold: Callable[[bytes], bool]) -> None:
        self.dav = Dav(login)
        self.login = login
        self.settings = settings
        self.zone = zone
        self.may_hold = may_hold
        self._followups = ""
        """The calendar the entries go into, once found."""
        self._lost = False
        """A calendar read until now is not there any more."""

    # finding the calendars ---------------------------------------------------------------
    def _found(self, cursor: str | None) -> _State:
        """The state as the cursor has it (a pass that failed half-way left nothing behind), the calendars found
        again when the settings changed, there was none, or one went."""
        state = _State.load(cursor)
        asked = (self.login.url, self.login.username, self.settings.watch, self.settings.followups)
        settings = hashlib.sha256(repr(asked).encode()).hexdigest()
        if state.settings != settings or not state.followups or self._lost:
            watched, followups = self._discover()
            state = _State(settings, "", followups.url, {c.url: state.calendars.get(c.url, _Calendar()) for c in watched})
            self._lost = False
        self._followups = state.followups
        return state

    def _discover(self) -> tuple[list[Collection], Collection]:
        """From the address given: a calendar itself, or its principal (straight or through the well-known address)."""
        start = self.login.url
        here = self._here(start)
        if here is not None and _is_calendar(here):
            return self._chosen([_collection(here)])
        principal = here.href_in(f"{{{DAV}}}current-user-principal") if here else ""
        if not principal:
            known = self._here(urljoin(start, "/.well-known/caldav"))
            principal = known.href_in(f"{{{DAV}}}current-user-principal") if known else ""
        if not principal:
            raise Unavailable(f"{start}: no CalDAV account found there; check url: (the server's CalDAV address)")
        principal = urljoin(start, principal)
        found = self._here(principal)
        home = urljoin(principal, found.href_in(f"{{{CALDAV}}}calendar-home-set") if found else "")
        listing = "<d:prop><d:resourcetype/><d:displayname/><c:supported-calendar-component-set/></d:prop>"
        _, items = self.dav.multistatus("PROPFIND", home, _body("d:propfind", listing), "1")
        return self._chosen(sorted((_collection(i) for i in items if _is_calendar(i) and _events(i)), key=lambda c: c.url))

    def _here(self, url: str) -> Item | None:
        """What `url` is, and where its principal and calendars are; None when it is no WebDAV resource."""
        props = "<d:prop><d:resourcetype/><d:displayname/><d:current-user-principal/><c:calendar-home-set/></d:prop>"
        answer = self.dav.request("PROPFIND", url, _body("d:propfind", props), depth="0")
        items = answer.items(url) if answer.status == 207 else []
        return items[0] if items else None

    def _chosen(self, collections: list[Collection]) -> tuple[list[Collection], Collection]:
        def named(name: str) -> Collection:
            wanted = name.casefold()
            found = next((c for c in collections if wanted in (c.name.casefold(), _last(c.url).casefold())), None)
            if found is None:
                have = ", ".join(c.name for c in collections) or "none"
                raise Unavailable(f"no calendar named {name!r} at {self.login.url} (there are: {have}); correct the name")
            return found

        if not collections:
            raise Unavailable(f"{self.login.url}: the account has no calendar of events")
        watched = [named(n) for n in self.settings.watch] or collections
        return watched, named(self.settings.followups) if self.settings.followups else watched[0]

    # reading -----------------------------------------------------------------------------
    def changes(self, cursor: str | None, window: Window) -> CalendarChanges:
        state = self._found(cursor)
        day = window.start.date().isoformat()
        reading = _Reading(self.zone, window, self.may_hold)
        for url, calendar in state.calendars.items():
            try:
                if state.day != day or not (calendar.token or calendar.etags is not None):
                    self._full(url, calendar, reading)
                else:
                    self._since(url, calendar, reading)
            except _Expired:
                calendar.token = ""
                self._full(url, calendar, reading)
        state.day = day
        return CalendarChanges(
            reading.events, reading.replaced, state.dump(), reading.problems, reading.unreadable, reading.removed
        )

    def _full(self, url: str, calendar: _Calendar, reading: _Reading) -> None:
        """A new token, then everything in the window read anew: an interview of this calendar that is not among
        it is gone, unless an item could not be read at all (it may be that one)."""
        self._listing(url, calendar)
        query = _body(
            "c:calendar-query",
            '<d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR">'
            f'<c:comp-filter name="VEVENT"><c:time-range start="{_utc(reading.window.start)}"'
            f' end="{_utc(reading.window.end)}"/></c:comp-filter></c:comp-filter></c:filter>',
        )
        _, items = self.dav.multistatus("REPORT", url, query, "1")
        calendar.held = {}
        if self._read(url, [i.href for i in items if i.status == 200 and i.href != url], calendar, reading, full=True):
            reading.replaced.add(url)

    def _read(self, url: str, hrefs: list[str], calendar: _Calendar, reading: _Reading, full: bool = False) -> bool:
        """The items' text, a batch at a time; whether every one could be read."""
        complete = True
        for start in range(0, len(hrefs), BATCH):
            complete &= self._multiget(url, hrefs[start : start + BATCH], calendar, reading, full)
        return complete

    def _multiget(self, url: str, hrefs: list[str], calendar: _Calendar, reading: _Reading, full: bool) -> bool:
        """A batch too large to read is read in halves, down to the one item too large, which is left out."""
        wanted = "".join(f"<d:href>{_escape(urlsplit(h).path)}</d:href>" for h in hrefs)
        body = _body("c:calendar-multiget", "<d:prop><d:getetag/><c:calendar-data/></d:prop>", wanted)
        try:
            _, items = self.dav.multistatus("REPORT", url, body, "1")
        except _TooLarge:
            if len(hrefs) == 1:
                reading.problems.append(f"{_last(hrefs[0])}: larger than {RESPONSE_LIMIT >> 20} MiB, skipped")
                return False
            half = len(hrefs) // 2
            return self._multiget(url, hrefs[:half], calendar, reading, full) & self._multiget(
                url, hrefs[half:], calendar, reading, full
            )
        complete = True
        for item in items:
            if item.status == 200:
                complete &= reading.item(url, item.href, item.text(f"{{{CALDAV}}}calendar-data").encode(), calendar, full)
            elif item.status == 404:
                reading.gone({item.href}, calendar)
        return complete

    def _listing(self, url: str, calendar: _Calendar) -> None:
        """The calendar's sync token now (RFC 6578's property); on a server without sync, its ctag and etags."""
        props = _body("d:propfind", "<d:prop><d:sync-token/><cs:getctag/></d:prop>")
        _, items = self.dav.multistatus("PROPFIND", url, props, "0")
        here = items[0] if items else Item(url, 200, {})
        calendar.token, calendar.ctag = here.text(f"{{{DAV}}}sync-token"), here.text(f"{{{CS}}}getctag")
        if calendar.etags is not None or not calendar.token:
            calendar.token, calendar.etags = "", self._etags(url)

    def _etags(self, url: str) -> dict[str, str]:
        _, items = self.dav.multistatus("PROPFIND", url, _body("d:propfind", "<d:prop><d:getetag/></d:prop>"), "1")
        return {i.href: i.text(f"{{{DAV}}}getetag") for i in items if i.href != url and i.status == 200}

    def _since(self, url: str, calendar: _Calendar, reading: _Reading) -> None:
        """What changed since the last look: one sync REPORT (or one ctag PROPFIND) when nothing did."""
        changed = self._synced(url, calendar, reading) if calendar.etags is None else self._by_etags(url, calendar, reading)
        self._read(url, changed, calendar, reading)

    def _synced(self, url: str, calendar: _Calendar, reading: _Reading) -> list[str]:
        answer = self.dav.request("REPORT", url, _sync(calendar.token), depth="1")
        if answer.status in (403, 409) and b"valid-sync-token" in answer.body:
            raise _Expired()
        if answer.status == 404:
            self._lost = True  # renamed or deleted: the calendars are looked for again
            raise Unavailable(f"{url}: the calendar is no longer there; the calendars are looked for again at the next pass")
        if answer.status != 207:  # it offers a token but not the REPORT: ctag and etags from now on
            calendar.token, calendar.etags = "", {}
            return self._by_etags(url, calendar, reading)
        items = [i for i in answer.items(url) if i.href != url]
        calendar.token = answer.sync_token() or calendar.token
        reading.gone({i.href for i in items if i.status == 404}, calendar)
        return [i.href for i in items if i.status != 404]

    def _by_etags(self, url: str, calendar: _Calendar, reading: _Reading) -> list[str]:
        _, items = self.dav.multistatus("PROPFIND", url, _body("d:propfind", "<d:prop><cs:getctag/></d:prop>"), "0")
        ctag = items[0].text(f"{{{CS}}}getctag") if items else ""
        if ctag and ctag == calendar.ctag:
            return []
        before, now = calendar.etags or {}, self._etags(url)
        calendar.ctag, calendar.etags = ctag, now
        reading.gone(set(before) - set(now), calendar)
        return [href for href, etag in now.items() if before.get(href) != etag]

    # writing -----------------------------------------------------------------------------
    def _entry_url(self, key: str) -> str:
        if not self._followups:
            self._found(None)
        return urljoin(self._followups, quote(key, safe="") + ".ics")

    def _get(self, key: str) -> tuple[str, bytes] | None:
        """The entry's etag and text, or None when it is not there."""
        answer = self.dav.request("GET", self._entry_url(key))
        if answer.status == 404:
            return None
        if answer.status != 200:
            raise Unavailable(f"{self._entry_url(key)}: GET answered {answer.status}")
        return answer.headers.get("etag", ""), answer.body

    def _stored(self, key: str, answer: Answer) -> Stored:
        """Where a PUT left the entry; its etag asked for when the server changed what it was given (RFC 4791 5.3.4)."""
        etag = answer.headers.get("etag", "")
        if not etag:
            found = self._get(key)
            etag = found[0] if found else ""
        return Stored(self._entry_url(key), etag)

    def _put(self, entry: EntryPayload, stamp: datetime, condition: dict[str, str]) -> Answer:
        headers = {"Content-Type": "text/calendar; charset=utf-8", **condition}
        answer = self.dav.request("PUT", self._entry_url(entry.key), ics.entry(entry, stamp), headers)
        if answer.status not in (200, 201, 204, 412):
            raise Unavailable(f"{self._entry_url(entry.key)}: PUT answered {answer.status}")
        return answer

    def create_entry(self, entry: EntryPayload, stamp: datetime) -> Stored:
        answer = self._put(entry, stamp, {"If-None-Match": "*"})
        if answer.status == 412:  # made before (a retry, or a pass cut short): it is what is there
            found = self.find_entry(entry.key)
            if isinstance(found, Stored):
                return found
            raise Unavailable(f"{self._entry_url(entry.key)}: refused as existing, yet not there; tried again at the next pass")
        return self._stored(entry.key, answer)

    def find_entry(self, key: str) -> Stored | Outcome:
        found = self._get(key)
        return Stored(self._entry_url(key), found[0], found=True) if found else Outcome.MISSING

    def update_entry(self, entry: EntryPayload, stamp: datetime, expected: str) -> Stored | Outcome:
        for _ in range(2):
            found = self._get(entry.key)
            if found is None:
                return Outcome.MISSING
            etag, data = found
            if _same(data, entry):  # already so: an earlier pass wrote it and was cut short before its journal
                return Stored(self._entry_url(entry.key), etag)
            if etag != expected:
                return Outcome.MODIFIED
            answer = self._put(entry, stamp, _guard(expected))
            if answer.status != 412:
                return self._stored(entry.key, answer)
        return Outcome.MODIFIED

    def delete_entry(self, key: str, expected: str) -> Outcome:
        if not _guard(expected):  # nothing the server can compare: compared here, just before
            found = self._get(key)
            if found is None or found[0] != expected:
                return Outcome.MODIFIED if found else Outcome.MISSING
        answer = self.dav.request("DELETE", self._entry_url(key), headers=_guard(expected))
        if answer.status == 404:
            return Outcome.MISSING
        if answer.status == 412:
            return Outcome.MODIFIED if self._get(key) else Outcome.MISSING
        if answer.status >= 300:
            raise Unavailable(f"{self._entry_url(key)}: DELETE answered {answer.status}")
        return Outcome.DONE


def _guard(expected: str) -> dict[str, str]:
    """`If-Match` with the etag we stored; none for a weak or missing one, which `If-Match` never matches
    (RFC 9110, 13.1.1), so that such a server's entries can still be changed and removed."""
    return {"If-Match": expected} if expected and not expected.startswith("W/") else {}


def _collection(item: Item) -> Collection:
    return Collection(item.href, item.text(f"{{{DAV}}}displayname") or _last(item.href))


def _is_calendar(item: Item) -> bool:
    kind = item.props.get(f"{{{DAV}}}resourcetype")
    return kind is not None and kind.find(f"{{{CALDAV}}}calendar") is not None


def _events(item: Item) -> bool:
    """A calendar that may hold events: one without a component list allows them all."""
    components = item.props.get(f"{{{CALDAV}}}supported-calendar-component-set")
    names = [c.get("name", "").upper() for c in components] if components is not None else []
    return not names or "VEVENT" in names


def _last(url: str) -> str:
    return unquote(url.rstrip("/").rsplit("/", 1)[-1])


def _sync(token: str) -> bytes:
    return _body(
        "d:sync-collection",
        f"<d:sync-token>{_escape(token)}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop>",
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _same(data: bytes, entry: EntryPayload) -> bool:
    """The entry at the server says what `entry` says (the server may have reordered or refolded it)."""
    try:
        found = next(c for c in icalendar.Calendar.from_ical(data).walk("VEVENT") if str(c.get("UID")) == entry.key)
        fields: dict[str, Any] = {
            "SUMMARY": str(found.get("SUMMARY", "")),
            "DESCRIPTION": str(found.get("DESCRIPTION", "")),
            "DTSTART": found.decoded("DTSTART"),
            "DTEND": found.decoded("DTEND"),
        }
    except (StopIteration, ValueError, KeyError):
        return False
    return fields == {"SUMMARY": entry.title, "DESCRIPTION": entry.description, "DTSTART": entry.start, "DTEND": entry.end}
