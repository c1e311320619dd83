"""Google Calendar and Gmail, through google-api-python-client.

Everything we make is recognisable at Google: follow-up events get an id derived from their
effect key (so a repeated insert answers 409 instead of duplicating) and carry the key in a
private extended property; drafts carry it in a header and a Message-ID derived from it.
Nothing here can send mail: only drafts are created, and no send method is ever called.
"""

from __future__ import annotations

import argparse
import base64
import email.parser
import email.policy
import html
import json
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from .. import mail, untrusted
from ..errors import UserError
from ..locations import state_dir
from ..model import Attendee, EntryPayload, Event, InboundMessage, Person
from ..schema import AccountSettings, UserPath, is_url
from . import SENT_KEPT, Backend, BackendType, CalendarChanges, MailChanges, Outcome, SentMail, SentQuery, SignIn, Stored, Window
from .common import not_signed_in, rfc3339

if TYPE_CHECKING:
    from ..config import Config
    from . import google_auth as auth

KEY_PROPERTY = "interviewFollowupKey"
PAGE_SIZE = 250
FULL_READ_LIMIT = 5 * 1024 * 1024
"""A bigger message is judged by its headers and snippet: an answer with a large attachment is still a person."""
FALLBACK_SLACK = timedelta(days=1)
_SENT_HEADERS = ["To", "Cc", "Bcc", "Message-ID", mail.KEY_HEADER]
_LIGHT_HEADERS = (
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Content-Type",
    *(name.title() for name in mail.KEPT_HEADERS),
)
_PARTSTAT = {"needsAction": "NEEDS-ACTION", "accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE"}
_NOT_MEETINGS = {"outOfOffice", "focusTime", "workingLocation", "birthday"}


def event_id(key: str) -> str:
    """Google accepts client ids of 5-1024 base32hex characters; effect keys are hex, so this is one."""
    return f"if{key}"


class GoogleAccount(AccountSettings):
    """Gmail and Google Calendar, signed in with `interview-followup auth google`."""

    type: Literal["google"]
    client_secrets: UserPath
    """The OAuth client file (type "Desktop app") downloaded from the Google Cloud console."""
    token_file: UserPath | None = None
    """Where the sign-in is kept (0600); defaults to `google-NAME.json` in the state directory."""
    calendars: list[str] = Field(default_factory=lambda: ["primary"], min_length=1)
    """Calendars watched for interviews: ids, or names as shown in Google Calendar."""
    followup_calendar: str = "primary"
    api_endpoint: str | None = None
    """For tests and proxies: the base URL that replaces https://www.googleapis.com/ and https://gmail.googleapis.com/."""
    token_uri: str | None = None
    """For tests and proxies: where access tokens are refreshed instead of https://oauth2.googleapis.com/token."""

    @field_validator("api_endpoint", "token_uri")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not is_url(value):
            raise ValueError("use an http(s) URL, like http://127.0.0.1:8080/")
        return value

    @field_validator("api_endpoint")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        return value.rstrip("/") + "/" if value else None

    @property
    def written(self) -> list[Path]:
        return [self.token_file.parent] if self.token_file else []

    def token(self, config: Config) -> Path:
        return self.token_file or state_dir(config.state_dir) / f"google-{self.name}.json"


class GoogleCalendar:
    def __init__(self, client: auth.Client, calendars: list[str], followups: str, zone: ZoneInfo, account: str) -> None:
        self.client = client
        service = client.service("calendar", "v3", "calendar/v3/")
        self.events = service.events()
        """Made once: the client library builds a collection's methods anew at each call, and cycles keep them."""
        self.calendar_list = service.calendarList()
        self.calendars = calendars
        self.followups = followups
        self.zone = zone
        self.account = account
        self._ids: dict[str, str] = {}

    # reading -----------------------------------------------------------------------------
    def changes(self, cursor: str | None, window: Window) -> CalendarChanges:
        state: dict[str, dict[str, str]] = json.loads(cursor) if cursor else {}
        tokens, self._ids = state.get("tokens", {}), {**state.get("ids", {}), **self._ids}
        events: list[tuple[str, Event]] = []
        replaced: set[str] = set()
        removed: set[str] = set()
        problems: list[str] = []
        for name in self.calendars:
            calendar = self._calendar_id(name)
            source = f"google:{calendar}"
            items, tokens[name], full = self._list(calendar, tokens.get(name), window)
            if full:
                replaced.add(source)
            for item in items:
                if item.get("status") == "cancelled":
                    removed.add(_identity(item))
                    continue
                try:
                    event = self._event(item)
                except (KeyError, ValueError, TypeError) as exc:
                    problems.append(f"{name}: event {str(item.get('id'))[:64]!r} unreadable ({type(exc).__name__}), skipped")
                    continue
                if event is not None and event.end >= window.start:
                    events.append((source, event))
        self._calendar_id(self.followups)
        names = {name.casefold() for name in [*self.calendars, self.followups]}
        named = {name: self._ids[name] for name in names if name in self._ids}
        return CalendarChanges(events, replaced, json.dumps({"tokens": tokens, "ids": named}), problems, removed=removed)

    def _list(self, calendar: str, token: str | None, window: Window) -> tuple[list[dict[str, Any]], str, bool]:
        """Changes since the sync token, or everything from the window's start when there is none or it expired."""
        query: dict[str, Any] = {"calendarId": calendar, "singleEvents": True, "maxResults": PAGE_SIZE}
        if token:
            query["syncToken"] = token
        else:
            query["timeMin"] = window.start.astimezone(timezone.utc).isoformat()
        items: list[dict[str, Any]] = []
        for status, body in self.client.pages(lambda page: self.events.list(**query, pageToken=page), allow=(410,)):
            if status == 410:  # the sync token expired: list everything again
                return self._list(calendar, None, window)
            items += body.get("items", [])
        return items, str(body.get("nextSyncToken", "")), token is None

    def _event(self, item: dict[str, Any]) -> Event | None:
        if item.get("eventType") in _NOT_MEETINGS:
            return None
        start, all_day = self._moment(item["start"])
        end, _ = self._moment(item.get("end") or item["start"])
        uid, recurrence = (item["recurringEventId"], _original(item)) if item.get("recurringEventId") else (item["id"], None)
        private = (item.get("extendedProperties") or {}).get("private") or {}
        organizer = _person(item.get("organizer"))
        return Event(
            uid=untrusted.line(uid, 1024),
            summary=untrusted.line(item.get("summary", "")),
            start=start,
            end=max(end, start),
            recurrence_id=recurrence,
            description=untrusted.plain(str(item.get("description", ""))),
            location=untrusted.line(item.get("location", "")),
            all_day=all_day,
            status=str(item.get("status", "confirmed")).upper(),
            organizer=organizer,
            attendees=tuple(a for a in (_attendee(data) for data in (item.get("attendees") or [])[:200]) if a),
            own_key=untrusted.line(private[KEY_PROPERTY], 64) if KEY_PROPERTY in private else None,
            link=untrusted.link(item.get("htmlLink")),
        )

    def _moment(self, value: dict[str, Any]) -> tuple[datetime, bool]:
        if "dateTime" in value:
            return rfc3339(value["dateTime"]), False
        return datetime.combine(date.fromisoformat(value["date"]), time(), self.zone), True

    def _calendar_id(self, name: str) -> str:
        """Ids pass through; a name as shown in Google Calendar is looked up once and kept in the cursor."""
        if name == "primary" or "@" in name:
            return name
        if name.casefold() not in self._ids:
            for _, body in self.client.pages(lambda page: self.calendar_list.list(pageToken=page, maxResults=250)):
                self._ids.update({str(c.get("summary", "")).casefold(): str(c["id"]) for c in body.get("items", [])})
        found = self._ids.get(name.casefold())
        if found is None:
            raise UserError(f"accounts[{self.account}]: no Google calendar named {name!r}; known: {', '.join(sorted(self._ids))}")
        return found

    # writing -----------------------------------------------------------------------------
    def _body(self, entry: EntryPayload) -> dict[str, Any]:
        return {
            "id": event_id(entry.key),
            "summary": entry.title,
            "description": entry.description,
            "start": {"dateTime": entry.start.astimezone(timezone.utc).isoformat()},
            "end": {"dateTime": entry.end.astimezone(timezone.utc).isoformat()},
            "transparency": "transparent",
            "status": "confirmed",
            "extendedProperties": {"private": {KEY_PROPERTY: entry.key}},
            "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 0}]},
        }

    def _get(self, key: str) -> dict[str, Any] | None:
        status, body = self.client.call(
            self.events.get(calendarId=self._calendar_id(self.followups), eventId=event_id(key)), allow=(404, 410)
        )
        return body if status == 200 else None

    def create_entry(self, entry: EntryPayload, stamp: datetime) -> Stored:
        calendar = self._calendar_id(self.followups)
        status, body = self.client.call(self.events.insert(calendarId=calendar, body=self._body(entry)), allow=(409,))
        if status == 409:  # made before (a retry, or a pass cut short): find it
            body = self._get(entry.key) or {}
            if body.get("status") == "cancelled":  # deleted earlier, needed again: ids stay reserved, so revive it
                request = self.events.update(calendarId=calendar, eventId=event_id(entry.key), body=self._body(entry))
                request.headers["If-Match"] = str(body.get("etag", ""))
                status, body = self.client.call(request, allow=(412,))
                if status == 412:  # changed since we looked: what it is now counts
                    body = self._get(entry.key) or {}
        return Stored(event_id(entry.key), str(body.get("etag", "")))

    def find_entry(self, key: str) -> Stored | Outcome:
        """By its id, which is made from the key: a deleted event keeps it, cancelled."""
        found = self._get(key)
        if found is None:
            return Outcome.MISSING
        if found.get("status") == "cancelled":
            return Outcome.REMOVED
        return Stored(event_id(key), str(found.get("etag", "")), found=True)

    def update_entry(self, entry: EntryPayload, stamp: datetime, expected: str) -> Stored | Outcome:
        current = self._get(entry.key)
        if current is None or current.get("status") == "cancelled":
            return Outcome.MISSING
        wanted = self._body(entry)
        if all(_same(current.get(field), wanted[field]) for field in ("summary", "description", "start", "end")):
            return Stored(event_id(entry.key), str(current["etag"]))
        if current.get("etag") != expected:
            return Outcome.MODIFIED
        request = self.events.update(
            calendarId=self._calendar_id(self.followups), eventId=event_id(entry.key), body=wanted
        )
        request.headers["If-Match"] = expected
        status, body = self.client.call(request, allow=(412,))
        return Outcome.MODIFIED if status == 412 else Stored(event_id(entry.key), str(body.get("etag", "")))

    def delete_entry(self, key: str, expected: str) -> Outcome:
        """Only what we made and nobody changed since: the etag must still be the one we stored."""
        current = self._get(key)
        if current is None or current.get("status") == "cancelled":
            return Outcome.MISSING
        if current.get("etag") != expected:
            return Outcome.MODIFIED
        request = self.events.delete(calendarId=self._calendar_id(self.followups), eventId=event_id(key))
        request.headers["If-Match"] = expected
        status, _ = self.client.call(request, allow=(404, 410, 412))
        return {412: Outcome.MODIFIED, 404: Outcome.MISSING, 410: Outcome.MISSING}.get(status, Outcome.DONE)


class Gmail:
    def __init__(self, client: auth.Client) -> None:
        self.client = client
        self.users = users = client.service("gmail", "v1", "").users()
        self.history, self.messages, self.drafts = users.history(), users.messages(), users.drafts()
        """Made once: the client library builds a collection's methods anew at each call, and cycles keep them."""
        self._sent: list[SentMail] = []
        """Messages that arrived in Sent lately, as the history told."""

    # reading -----------------------------------------------------------------------------
    def changes(
        self, cursor: str | None, since: datetime, known: Callable[[str], bool], worth_reading: Callable[[InboundMessage], bool]
    ) -> MailChanges:
        """New inbox and Sent mail from one history request; a full (bounded) listing only at the start or after
        the history expired."""
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        newest = int(state.get("newest", 0))
        self._sent = SentMail.load(state.get("sent", []))
        found = self._history(str(state["history"])) if state.get("history") else None
        if found is None:
            _, profile = self.client.call(self.users.getProfile(userId="me"))
            checkpoint = datetime.fromtimestamp(newest / 1000, timezone.utc) - FALLBACK_SLACK if newest else since
            after = max(since, checkpoint)
            found = str(profile["historyId"]), self._listed("inbox", after), self._listed("sent", after)[:SENT_KEPT]
        history, ids, sent = found
        self._remember_sent(sent)
        messages: list[InboundMessage] = []
        problems: list[str] = []
        for message_id in dict.fromkeys(ids):
            if known(message_id):
                continue
            try:
                message = self._read(message_id, worth_reading)
            except (KeyError, ValueError, TypeError) as exc:
                problems.append(f"message {message_id[:32]}: unreadable, skipped ({type(exc).__name__})")
                continue
            if message is not None:
                messages.append(message)
                newest = max(newest, int(message.received.timestamp() * 1000))
        remembered = [asdict(s) for s in self._sent]
        return MailChanges(messages, json.dumps({"history": history, "newest": newest, "sent": remembered}), problems)

    def _history(self, start: str) -> tuple[str, list[str], list[str]] | None:
        """The new history id and the messages that came into the inbox and into Sent, or None when the start is
        too old (404). A message comes in as a new one or by a label added to it (Gmail may send a draft as the
        same message, relabelled). Drafts being saved are in the history too, and are passed over."""
        inbox: list[str] = []
        sent: list[str] = []

        def request(page: str | None) -> Any:
            return self.history.list(
                userId="me", startHistoryId=start, historyTypes=["messageAdded", "labelAdded"], pageToken=page, maxResults=500
            )

        for status, body in self.client.pages(request, allow=(404,)):
            if status == 404:
                return None
            for record in body.get("history", []):
                for change in [*record.get("messagesAdded", []), *record.get("labelsAdded", [])]:
                    message = change.get("message") or {}
                    labels = set(change.get("labelIds") or message.get("labelIds") or [])
                    if "INBOX" in labels:
                        inbox.append(str(message["id"]))
                    if "SENT" in labels:
                        sent.append(str(message["id"]))
        return str(body["historyId"]), inbox, sent

    def _remember_sent(self, ids: list[str]) -> None:
        """Who each newly sent message went to, and what marks it: one metadata request per message sent."""
        for message_id in dict.fromkeys(ids):
            request = self.messages.get(userId="me", id=message_id, format="metadata", metadataHeaders=_SENT_HEADERS)
            _, meta = self.client.call(request, allow=(404,))
            try:
                at = _internal_date(meta)
                headers = mail.parse(_header_block(meta).encode(), message_id, at)
            except (KeyError, ValueError, TypeError):
                continue  # gone since (404) or unreadable: it tells nothing about our drafts
            key = headers.headers.get(mail.KEY_HEADER.lower(), "")
            to = tuple(sorted(p.email for p in headers.recipients))
            self._sent.append(SentMail(to, headers.message_id, key, str(meta.get("threadId", "")), at.timestamp()))
        self._sent = self._sent[-SENT_KEPT:]

    def _listed(self, folder: str, after: datetime) -> list[str]:
        query = f"in:{folder} after:{int(after.timestamp())}"
        listing = self.client.pages(lambda page: self.messages.list(userId="me", q=query, pageToken=page, maxResults=500))
        return [str(m["id"]) for _, body in listing for m in body.get("messages", [])]

    def _read(self, message_id: str, worth_reading: Callable[[InboundMessage], bool]) -> InboundMessage | None:
        """Headers and snippet first; the whole message only when they say it may matter."""
        request = self.messages.get(userId="me", id=message_id, format="metadata", metadataHeaders=list(_LIGHT_HEADERS))
        status, meta = self.client.call(request, allow=(404,))
        if status == 404:  # deleted since it arrived
            return None
        received = _internal_date(meta)
        headers = _header_block(meta)
        snippet = html.unescape(str(meta.get("snippet", "")))
        light = replace(
            mail.parse(f"{headers}\r\n{snippet}\r\n".encode(), message_id, received), thread=str(meta.get("threadId", ""))
        )
        if int(meta.get("sizeEstimate", 0)) > FULL_READ_LIMIT or not worth_reading(light):
            return light
        _, full = self.client.call(self.messages.get(userId="me", id=message_id, format="raw"))
        raw = base64.urlsafe_b64decode(str(full["raw"]) + "==")
        return replace(mail.parse(raw, message_id, received), thread=light.thread)

    # drafts ------------------------------------------------------------------------------
    def _drafts(self, query: str = "") -> list[dict[str, Any]]:
        """Drafts matching a search (all of them without one), every page: a page may be short and still have a next."""
        listing = self.client.pages(lambda page: self.drafts.list(userId="me", q=query, pageToken=page, maxResults=100))
        return [draft for _, body in listing for draft in body.get("drafts", [])]

    def _ours(self, drafts: list[dict[str, Any]], key: str, message_id: str) -> list[dict[str, Any]]:
        """Those of `drafts` that carry the key or the Message-ID, read header by header: no search index involved."""
        found = []
        for draft in drafts:
            status, full = self.client.call(self.drafts.get(userId="me", id=draft["id"], format="metadata"), allow=(404,))
            headers = (full.get("message") or {}).get("payload", {}).get("headers", [])
            marks = {h["value"] for h in headers if h["name"].lower() in (mail.KEY_HEADER.lower(), "message-id")}
            if status == 200 and marks & {key, message_id}:
                found.append(full)
        return found

    def create_draft(self, key: str, raw: bytes, stamp: datetime, resumed: bool = False) -> Stored:
        """Exactly one draft per key. Found first by a Message-ID search, whose index Google does not promise to
        be fresh; so a create cut short before (`resumed`) also reads the headers of every draft. A create itself
        is uncertain (httplib2 resends a request on a dropped connection without telling), so the drafts that
        appeared meanwhile are read too, and copies removed."""
        message_id = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(raw)["Message-ID"]
        found = self._drafts(f"rfc822msgid:{message_id}") or (self._ours(self._drafts(), key, message_id) if resumed else [])
        there = bool(found)
        if not found:
            before = {d["id"] for d in self._drafts()}
            body = {"message": {"raw": base64.urlsafe_b64encode(raw).decode()}}
            _, made = self.client.call(self.drafts.create(userId="me", body=body))
            appeared = [d for d in self._drafts() if d["id"] not in before and d["id"] != made["id"]]
            found = [made, *self._ours(appeared, key, message_id)]
            for extra in found[1:]:
                self.client.call(self.drafts.delete(userId="me", id=extra["id"]), allow=(404,))
        draft = found[0]
        return _stored_draft(draft, there)

    def delete_draft(self, key: str, expected: str) -> Outcome:
        """Gmail gives an edited draft a new message id: a different one means the person changed it."""
        draft_id = expected.partition(" ")[0]
        status, current = self.client.call(self.drafts.get(userId="me", id=draft_id, format="minimal"), allow=(404,))
        if status == 404:
            return Outcome.MISSING
        if _fingerprint(current) != expected:
            return Outcome.MODIFIED
        status, _ = self.client.call(self.drafts.delete(userId="me", id=draft_id), allow=(404,))
        return Outcome.MISSING if status == 404 else Outcome.DONE

    def find_draft(self, key: str, message_id: str) -> Stored | Outcome:
        """By its Message-ID: long after the draft was made, when the search index has long caught up."""
        found = self._drafts(f"rfc822msgid:{message_id}")
        if not found:
            return Outcome.MISSING
        return _stored_draft(found[0], found=True)

    def update_draft(self, key: str, raw: bytes, expected: str) -> Stored | Outcome:
        """Replaced only while it is still the message we wrote: Gmail gives every edit a new message id."""
        draft_id = expected.partition(" ")[0]
        status, current = self.client.call(self.drafts.get(userId="me", id=draft_id, format="minimal"), allow=(404,))
        if status == 404:
            return Outcome.MISSING
        if _fingerprint(current) != expected:  # changed, perhaps by this very rewrite cut short before its journal
            return self._already(draft_id, raw) or Outcome.MODIFIED
        body = {"id": draft_id, "message": {"raw": base64.urlsafe_b64encode(raw).decode()}}
        status, made = self.client.call(self.drafts.update(userId="me", id=draft_id, body=body), allow=(404,))
        if status == 404:
            return Outcome.MISSING
        return _stored_draft(made)

    def _already(self, draft_id: str, raw: bytes) -> Stored | None:
        """The draft when it says just what `raw` says."""
        status, current = self.client.call(self.drafts.get(userId="me", id=draft_id, format="raw"), allow=(404,))
        if status == 404 or mail.wording_of(base64.urlsafe_b64decode(current["message"]["raw"])) != mail.wording_of(raw):
            return None
        return _stored_draft(current, found=True)

    def sent(self, drafts: list[SentQuery]) -> set[str]:
        """Answered from what this pass's history request saw arrive in Sent, so it costs no request (Gmail
        moves a draft whose subject was edited to a new thread: see `SentMail.answers`)."""
        return {query.key for query in drafts if any(sent.answers(query) for sent in self._sent)}


def _header_block(meta: dict[str, Any]) -> str:
    """The headers of a `format=metadata` message as header lines; names and values from the wire are untrusted."""
    return "".join(f"{untrusted.line(h['name'], 80)}: {untrusted.line(h['value'], 2000)}\r\n" for h in meta["payload"]["headers"])


def _internal_date(meta: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(meta["internalDate"]) / 1000, timezone.utc)


def _stored_draft(draft: dict[str, Any], found: bool = False) -> Stored:
    return Stored(str(draft["id"]), _fingerprint(draft), str(draft["message"].get("threadId") or "") or None, found)


def _fingerprint(draft: dict[str, Any]) -> str:
    return f"{draft['id']} {draft['message']['id']}"


def _identity(item: dict[str, Any]) -> str:
    if item.get("recurringEventId"):
        return f"{item['recurringEventId']}/{_original(item)}"
    return str(item.get("id", ""))


def _original(item: dict[str, Any]) -> str:
    original = item.get("originalStartTime") or {}
    return str(original.get("dateTime") or original.get("date") or "")


def _person(data: dict[str, Any] | None) -> Person | None:
    address = untrusted.address((data or {}).get("email"))
    return Person(address, untrusted.line((data or {}).get("displayName", ""), 100)) if address else None


def _attendee(data: dict[str, Any]) -> Attendee | None:
    person = _person(data)
    if person is None:
        return None
    return Attendee(
        person.email,
        person.name,
        partstat=_PARTSTAT.get(str(data.get("responseStatus")), "NEEDS-ACTION"),
        cutype="RESOURCE" if data.get("resource") else "INDIVIDUAL",
        role="OPT-PARTICIPANT" if data.get("optional") else "REQ-PARTICIPANT",
    )


def _same(current: object, wanted: object) -> bool:
    if isinstance(wanted, dict) and isinstance(current, dict) and "dateTime" in wanted:
        try:
            return rfc3339(current["dateTime"]) == rfc3339(wanted["dateTime"])
        except (KeyError, ValueError):
            return False
    return (current or "") == wanted


def open_google(account: GoogleAccount, config: Config) -> Backend:
    """Imported here: a local-only installation never loads the Google client libraries."""
    from . import google_auth as auth

    path = account.token(config)
    credentials = auth.load(path, account.name, account.token_uri)
    client = auth.Client(credentials, path, account.name, endpoint=account.api_endpoint)
    calendar = GoogleCalendar(client, account.calendars, account.followup_calendar, config.zone, account.name)
    return Backend(calendar, Gmail(client))


def problems(account: GoogleAccount, config: Config) -> list[tuple[str, str]]:
    if not account.client_secrets.is_file():
        return [("client_secrets", f"{account.client_secrets} does not exist; see README, 'Gmail and Google Calendar'")]
    return not_signed_in(account, account.token(config))


def _sign_in_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-browser", action="store_true", help="print the address to open instead (for SSH sessions)")
    parser.add_argument("--port", type=int, default=8765, help="local port Google redirects to (default: 8765)")


def sign_in(account: GoogleAccount, config: Config, args: argparse.Namespace) -> str:
    from . import google_auth as auth

    token = account.token(config)
    auth.sign_in(account.client_secrets, token, browser=not args.no_browser, port=args.port)
    return f"Signed in; the login is kept in {token} (readable by you only). The daemon picks it up at its next pass."


BACKEND = BackendType(
    "google",
    GoogleAccount,
    open_google,
    problems,
    SignIn("sign in to Gmail and Google Calendar (opens a browser)", _sign_in_options, sign_in),
    "https://mail.google.com/mail/#drafts",
)
