"""Outlook.com and Microsoft 365 calendars and mail, through Microsoft Graph.

Everything we make is recognisable at Microsoft: follow-up events carry their effect key in a
single-value extended property (found again with `$filter` after a crash) and in the
`transactionId` Graph uses to answer a repeated create with the event it already made; drafts
carry it in an extended property and an `X-` internet header. Nothing here can send mail: drafts
are created with `POST /me/messages`, and the login does not even hold the Mail.Send permission.
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import email.utils
import json
import re
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime, time, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from .. import mail, untrusted
from ..errors import UserError
from ..locations import state_dir
from ..model import Attendee, EntryPayload, Event, InboundMessage, Person
from ..schema import AccountSettings, UserPath
from . import (
    SENT_KEPT,
    Backend,
    BackendType,
    CalendarChanges,
    MailChanges,
    Outcome,
    SentMail,
    SentQuery,
    SignIn,
    Stored,
    Unavailable,
    Window,
)
from .common import error_code, not_signed_in, rfc3339

if TYPE_CHECKING:
    from ..config import Config
    from . import microsoft_auth as auth

KEY_PROPERTY = "String {4d8373dc-3b1c-4344-8503-5a6e83bad9d5} Name InterviewFollowupKey"
CATEGORY = "Interview follow-up"
TRANSACTION_PREFIX = "interview-followup-"
PREFER = 'IdType="ImmutableId", outlook.timezone="UTC", outlook.body-content-type="text", odata.maxpagesize=200'
"""Ids that survive moves between folders, times in UTC, bodies as plain text, big pages."""
SLIDE = timedelta(days=7)
"""A calendar view's window is fixed when its delta round starts: start a new round once it lags this much."""
FALLBACK_SLACK = timedelta(days=1)
_MAIL_FIELDS = (
    "from,sender,toRecipients,ccRecipients,replyTo,subject,receivedDateTime,sentDateTime,"
    "internetMessageId,conversationId,bodyPreview,isDraft"
)
_SENT_FIELDS = "toRecipients,ccRecipients,sentDateTime,internetMessageId,conversationId"
_RESPONSE = {"accepted": "ACCEPTED", "organizer": "ACCEPTED", "declined": "DECLINED", "tentativelyAccepted": "TENTATIVE"}
_EXPIRED = {"syncstatenotfound", "syncstateinvalid", "resyncrequired"}


def _by_key(key: str) -> str:
    return f"singleValueExtendedProperties/Any(ep: ep/id eq '{KEY_PROPERTY}' and ep/value eq '{key}')"


def _expired(reply: auth.Reply) -> bool:
    """Graph's way of saying a delta token is too old: 410 Gone, or a sync-state error."""
    return reply.status == 410 or error_code(reply.body).casefold() in _EXPIRED


class MicrosoftAccount(AccountSettings):
    """Outlook.com or Microsoft 365 mail and calendar, signed in with `interview-followup auth microsoft`."""

    type: Literal["microsoft"]
    client_id: str
    """The application (client) id of the app registered in the Microsoft Entra admin center."""
    tenant: str = "common"
    """`common` (any account), `consumers` (Outlook.com only), `organizations` (work or school only) or a tenant id."""
    token_cache: UserPath | None = None
    """Where the sign-in is kept (0600); defaults to `microsoft-NAME.json` in the state directory."""
    keyring: bool = False
    """Keep the sign-in in the desktop keyring (libsecret) instead of a file: needs the `keyring` extra."""
    calendars: list[str] = Field(default_factory=lambda: ["default"], min_length=1)
    """Calendars watched for interviews: `default`, or names as shown in Outlook."""
    followup_calendar: str = "default"
    authority: str | None = None
    """For tests and national clouds: replaces https://login.microsoftonline.com/TENANT."""
    graph_endpoint: str = "https://graph.microsoft.com/v1.0"
    """For tests and national clouds, e.g. https://graph.microsoft.us/v1.0."""

    @field_validator("client_id")
    @classmethod
    def _client_id(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", value.strip()):
            raise ValueError("use the Application (client) ID of your app registration (8-4-4-4-12 hex digits)")
        return value.strip()

    @field_validator("tenant")
    @classmethod
    def _tenant(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9.-]+", value):
            raise ValueError("use common, consumers, organizations, a tenant id or a domain like contoso.onmicrosoft.com")
        return value

    @field_validator("authority", "graph_endpoint")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https://[^/]+", value):
            raise ValueError("use an https URL, like https://login.microsoftonline.us/common")
        return value.rstrip("/") if value else value

    @property
    def authority_url(self) -> str:
        return self.authority or f"https://login.microsoftonline.com/{self.tenant}"

    @property
    def written(self) -> list[Path]:
        return [self.token_cache.parent] if self.token_cache else []

    def token(self, config: Config) -> Path:
        return self.token_cache or state_dir(config.state_dir) / f"microsoft-{self.name}.json"


class OutlookCalendar:
    def __init__(self, client: auth.Client, calendars: list[str], followups: str, zone: ZoneInfo, account: str) -> None:
        self.client = client
        self.calendars = calendars
        self.followups = followups
        self.zone = zone
        self.account = account
        self._ids: dict[str, str] = {}

    # reading -----------------------------------------------------------------------------
    def changes(self, cursor: str | None, window: Window) -> CalendarChanges:
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        rounds: dict[str, dict[str, str]] = state.get("rounds", {})
        self._ids = {**state.get("ids", {}), **self._ids}
        events: list[tuple[str, Event]] = []
        replaced: set[str] = set()
        removed: set[str] = set()
        problems: list[str] = []
        for name in self.calendars:
            source = f"microsoft:{name.casefold()}"
            saved = rounds.get(name) or {}
            lagging = not saved or window.end - datetime.fromisoformat(saved["end"]) > SLIDE
            span = {"startDateTime": _utc(window.start), "endDateTime": _utc(window.end)}
            first = (f"{self._path(name)}/calendarView/delta", span)
            items, link, full = _delta(self.client, None if lagging else saved["link"], first, "calendar")
            rounds[name] = {"link": link, "end": window.end.isoformat() if full else saved["end"]}
            if full:
                replaced.add(source)
            for item in items:
                if "@removed" in item or item.get("isCancelled"):
                    removed.add(str(item.get("id", "")))
                    continue
                try:
                    event = self._event(item)
                except (KeyError, ValueError, TypeError, AttributeError) as exc:
                    problems.append(f"{name}: event {str(item.get('id'))[:64]!r} unreadable ({type(exc).__name__}), skipped")
                    continue
                if event is not None and event.end >= window.start:
                    events.append((source, event))
        self._path(self.followups)
        return CalendarChanges(events, replaced, json.dumps({"rounds": rounds, "ids": self._ids}), problems, removed=removed)

    def _event(self, item: dict[str, Any]) -> Event | None:
        if item.get("type") == "seriesMaster":
            return None
        all_day = bool(item.get("isAllDay"))
        start = self._moment(item["start"], all_day)
        end = self._moment(item.get("end") or item["start"], all_day)
        body = item.get("body") or {}
        content = str(body.get("content") or item.get("bodyPreview") or "")
        transaction = str(item.get("transactionId") or "")
        recurrence = str(item["originalStart"]) if item.get("type") in ("occurrence", "exception") else None
        return Event(
            uid=untrusted.line(item.get("iCalUId") or item["id"], 1024),
            summary=untrusted.line(item.get("subject") or ""),
            start=start,
            end=max(end, start),
            recurrence_id=untrusted.line(recurrence, 64) if recurrence else None,
            description=untrusted.plain(content) if body.get("contentType") == "html" else untrusted.text(content),
            location=untrusted.line((item.get("location") or {}).get("displayName", "")),
            all_day=all_day,
            organizer=_person(item.get("organizer")),
            attendees=tuple(a for a in (_attendee(data) for data in (item.get("attendees") or [])[:200]) if a),
            own_key=untrusted.line(transaction.removeprefix(TRANSACTION_PREFIX), 64)
            if transaction.startswith(TRANSACTION_PREFIX)
            else None,
            ref=untrusted.line(item["id"], 1024),
            link=untrusted.link(item.get("webLink")),
        )

    def _moment(self, value: dict[str, Any], all_day: bool) -> datetime:
        """Graph writes local times with a separate zone name (UTC, as PREFER asks) and seven decimals."""
        naive = datetime.fromisoformat(str(value["dateTime"])[:19])
        if all_day:
            return datetime.combine(naive.date(), time(), self.zone)
        try:
            zone = ZoneInfo(str(value.get("timeZone") or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return naive.replace(tzinfo=zone)

    def _path(self, name: str) -> str:
        """`default` is the main calendar; other names are looked up once and kept in the cursor."""
        if name.casefold() == "default":
            return "/me/calendar"
        if name.casefold() not in self._ids:
            for reply in self.client.pages("/me/calendars", params={"$select": "id,name"}):
                for calendar in reply.body.get("value", []):
                    self._ids[str(calendar.get("name", "")).casefold()] = str(calendar["id"])
        found = self._ids.get(name.casefold())
        if found is None:
            known = ", ".join(sorted(self._ids)) or "none"
            raise UserError(f"accounts[{self.account}]: no Outlook calendar named {name!r}; known: {known}")
        return f"/me/calendars/{found}"

    # writing -----------------------------------------------------------------------------
    def _body(self, entry: EntryPayload) -> dict[str, Any]:
        return {
            "subject": entry.title,
            "body": {"contentType": "text", "content": entry.description},
            "start": {"dateTime": _utc(entry.start, zone=False), "timeZone": "UTC"},
            "end": {"dateTime": _utc(entry.end, zone=False), "timeZone": "UTC"},
            "showAs": "free",
            "isReminderOn": True,
            "reminderMinutesBeforeStart": 0,
            "categories": [CATEGORY],
        }

    def _get(self, ref: str) -> dict[str, Any] | None:
        fields = "subject,body,start,end,changeKey,isCancelled"
        reply = self.client.call("GET", f"/me/events/{ref}", params={"$select": fields}, headers={"Prefer": PREFER}, allow=(404,))
        return reply.body if reply.status == 200 and not reply.body.get("isCancelled") else None

    def create_entry(self, entry: EntryPayload, stamp: datetime) -> Stored:
        """Found by its key first (a pass cut short after the create). A resent create is answered from
        `transactionId` for as long as Graph remembers it, which it does not say; so after one, the key
        is looked up again and any second copy removed."""
        found = self.find_entry(entry.key)
        if isinstance(found, Stored):
            return found
        body = {
            **self._body(entry),
            "transactionId": TRANSACTION_PREFIX + entry.key,
            "singleValueExtendedProperties": [{"id": KEY_PROPERTY, "value": entry.key}],
        }
        events = f"{self._path(self.followups)}/events"
        return _stored(_made_once(self.client, "events", events, body, partial(self._entries_with, entry.key)))

    def _entries_with(self, key: str) -> list[dict[str, Any]]:
        return _every(self.client, f"{self._path(self.followups)}/events", {"$filter": _by_key(key), "$select": "id,changeKey"})

    def find_entry(self, key: str) -> Stored | Outcome:
        found = self._entries_with(key)
        return replace(_stored(found[0]), found=True) if found else Outcome.MISSING

    def update_entry(self, entry: EntryPayload, stamp: datetime, expected: str) -> Stored | Outcome:
        ref, _, change = expected.partition(" ")
        current = self._get(ref)
        if current is None:
            return Outcome.MISSING
        wanted = self._body(entry)
        if all(_same(current.get(name), wanted[name]) for name in ("subject", "body", "start", "end")):
            return _stored(current, ref)
        if current.get("changeKey") != change:
            return Outcome.MODIFIED
        headers = {"Prefer": PREFER, "If-Match": str(current.get("@odata.etag") or f'W/"{change}"')}
        reply = self.client.call("PATCH", f"/me/events/{ref}", body=wanted, headers=headers, allow=(404, 412))
        return {404: Outcome.MISSING, 412: Outcome.MODIFIED}.get(reply.status) or _stored(reply.body, ref)

    def delete_entry(self, key: str, expected: str) -> Outcome:
        """Only what we made and nobody changed since: the changeKey must still be the one we stored."""
        return _delete(self.client, "events", expected)


class OutlookMail:
    def __init__(self, client: auth.Client) -> None:
        self.client = client
        self._sent: list[SentMail] = []
        """Messages that arrived in Sent Items lately, as its delta told."""

    # reading -----------------------------------------------------------------------------
    def changes(
        self, cursor: str | None, since: datetime, known: Callable[[str], bool], worth_reading: Callable[[InboundMessage], bool]
    ) -> MailChanges:
        """New mail in the inbox and in Sent Items, from their delta links asked in one batch request; a bounded
        listing at the start or after a link expired."""
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        newest = str(state.get("newest", ""))
        start = max(since, datetime.fromisoformat(newest) - FALLBACK_SLACK) if newest else since
        after = f"receivedDateTime ge {_utc(start)}"
        inbox = ("/me/mailFolders/inbox/messages/delta", {"$select": _MAIL_FIELDS, "$filter": after})
        outbox = ("/me/mailFolders/sentitems/messages/delta", {"$select": _SENT_FIELDS, "$filter": after})
        rounds = _deltas(self.client, [(state.get("link"), inbox, "inbox"), (state.get("sent_link"), outbox, "Sent Items")])
        (items, link, _), (sent_items, sent_link, _) = rounds
        sent = [_sent_mail(item) for item in sent_items if "@removed" not in item]
        self._sent = [*SentMail.load(state.get("sent", [])), *sent][-SENT_KEPT:]
        messages: list[InboundMessage] = []
        problems: list[str] = []
        for item in items:
            message_id = str(item.get("id", ""))
            if "@removed" in item or item.get("isDraft") or known(message_id):
                continue
            try:
                message = self._read(item, worth_reading)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                problems.append(f"message {message_id[:32]}: unreadable, skipped ({type(exc).__name__})")
                continue
            if message is not None:
                messages.append(message)
                newest = max(newest, message.received.astimezone(timezone.utc).isoformat())
        remembered = [asdict(s) for s in self._sent]
        return MailChanges(
            messages, json.dumps({"link": link, "sent_link": sent_link, "newest": newest, "sent": remembered}), problems
        )

    def _read(self, item: dict[str, Any], worth_reading: Callable[[InboundMessage], bool]) -> InboundMessage | None:
        """The listed fields first; the MIME source (its first part, as much as classification reads) only when
        they say the message may matter: that is where auto-reply headers, reports and invitations are."""
        message_id = str(item["id"])
        received = rfc3339(item["receivedDateTime"])
        lines = {
            "From": _addresses([item.get("from") or item.get("sender")]),
            "To": _addresses(item.get("toRecipients")),
            "Cc": _addresses(item.get("ccRecipients")),
            "Reply-To": _addresses(item.get("replyTo")),
            "Subject": untrusted.line(item.get("subject") or "", 2000),
            "Date": email.utils.format_datetime(rfc3339(item.get("sentDateTime") or item["receivedDateTime"])),
            "Message-ID": untrusted.line(item.get("internetMessageId") or "", 300),
        }
        headers = "".join(f"{name}: {value}\r\n" for name, value in lines.items() if value)
        preview = untrusted.text(item.get("bodyPreview") or "")
        thread = untrusted.line(item.get("conversationId") or "", 300)
        light = replace(mail.parse(f"{headers}\r\n{preview}\r\n".encode(), message_id, received), thread=thread)
        if not worth_reading(light):
            return light
        path = f"/me/messages/{message_id}/$value"
        reply = self.client.call("GET", path, headers={"Prefer": PREFER}, allow=(404,), limit=mail.READ_LIMIT)
        if reply.status == 404:  # deleted since it arrived
            return None
        return replace(mail.parse(reply.content, message_id, received), thread=thread)

    # drafts ------------------------------------------------------------------------------
    def _drafts_with(self, key: str) -> list[dict[str, Any]]:
        query = {"$filter": _by_key(key), "$select": "id,changeKey,conversationId,isDraft"}
        return _every(self.client, "/me/mailFolders/drafts/messages", query)

    def create_draft(self, key: str, raw: bytes, stamp: datetime, resumed: bool = False) -> Stored:
        """Looked up by key before; after, too, when the create had to be sent more than once (Graph has no
        idempotent create for messages)."""
        found = self._drafts_with(key)
        look_up = partial(self._drafts_with, key)
        draft = found[0] if found else _made_once(self.client, "messages", "/me/messages", _message(key, raw), look_up)
        return _stored_draft(draft, bool(found))

    def delete_draft(self, key: str, expected: str) -> Outcome:
        """Outlook gives an edited draft a new changeKey, and a sent one is no longer a draft: both stay."""
        return _delete(self.client, "messages", expected)

    def find_draft(self, key: str, message_id: str) -> Stored | Outcome:
        """In Drafts by its key; a draft the person deleted waits in Deleted Items, a trace that it was made."""
        found = self._drafts_with(key)
        if found:
            return _stored_draft(found[0], found=True)
        query = {"$filter": _by_key(key), "$select": "id"}
        return Outcome.REMOVED if _every(self.client, "/me/mailFolders/deleteditems/messages", query) else Outcome.MISSING

    def update_draft(self, key: str, raw: bytes, expected: str) -> Stored | Outcome:
        """Its subject and text replaced, guarded like a removal: an edited or sent draft stays as it is."""
        ref, _, change = expected.partition(" ")
        fields = "changeKey,isDraft,subject,body,conversationId"
        reply = self.client.call("GET", f"/me/messages/{ref}", params={"$select": fields}, allow=(404,))
        if reply.status == 404:
            return Outcome.MISSING
        message = _message(key, raw)
        body = {"subject": message["subject"], "body": message["body"]}
        if reply.body.get("changeKey") != change or not reply.body.get("isDraft", True):
            said = mail.wording(str(reply.body.get("subject") or ""), str((reply.body.get("body") or {}).get("content") or ""))
            ours = reply.body.get("isDraft", True) and said == mail.wording(body["subject"], body["body"]["content"])
            return _stored_draft({**reply.body, "id": ref}, found=True) if ours else Outcome.MODIFIED
        headers = {"If-Match": str(reply.body.get("@odata.etag") or f'W/"{change}"'), "Prefer": PREFER}
        updated = self.client.call("PATCH", f"/me/messages/{ref}", body=body, headers=headers, allow=(404, 412))
        if updated.status == 404:
            return Outcome.MISSING
        if updated.status == 412:
            return Outcome.MODIFIED
        return _stored_draft({**updated.body, "id": ref})

    def sent(self, drafts: list[SentQuery]) -> set[str]:
        """Answered from what this pass's Sent Items delta saw, so it costs no request of its own."""
        return {query.key for query in drafts if any(sent.answers(query) for sent in self._sent)}


Round = tuple[list[dict[str, Any]], str, bool]
"""The items of a delta round, its new delta link, and whether it was a new (full) round."""
_DELTA_ANSWERS = (400, 404, 410)
"""What an old delta link may get instead of its changes."""


def _deltas(client: auth.Client, specs: list[tuple[str | None, tuple[str, dict[str, str]], str]]) -> list[Round]:
    """Several delta rounds (link, first path and query, what it is) whose first pages come in one request."""
    firsts = client.batch([(link, None) if link else first for link, first, _ in specs], {"Prefer": PREFER}, _DELTA_ANSWERS)
    return [_delta(client, link, first, what, reply) for (link, first, what), reply in zip(specs, firsts, strict=True)]


def _delta(
    client: auth.Client, link: str | None, first: tuple[str, dict[str, str]], what: str, reply: auth.Reply | None = None
) -> Round:
    """Items changed since the delta link (a round from `first`, path and query, when there is none or Graph
    says it expired), page by page; `reply` is the first page when it was already asked for."""
    url, params = (link, None) if link else first
    items: list[dict[str, Any]] = []
    for page in client.pages(url, params=params, headers={"Prefer": PREFER}, allow=_DELTA_ANSWERS, first=reply):
        if page.status >= 300:
            if link and _expired(page):
                return _delta(client, None, first, what)
            raise Unavailable(f"Microsoft: {what} delta: HTTP {page.status} {error_code(page.body)}")
        items += page.body.get("value", [])
    return items, str(page.body.get("@odata.deltaLink", "")), link is None


def _every(client: auth.Client, path: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """All items of a listing: Graph may end a page early, even empty, and still give a next link."""
    pages = client.pages(path, params=query, headers={"Prefer": PREFER})
    return [item for reply in pages for item in reply.body.get("value", [])]


def _made_once(
    client: auth.Client, kind: str, path: str, body: dict[str, Any], look_up: Callable[[], list[dict[str, Any]]]
) -> dict[str, Any]:
    """Create an item; when the request had to be sent again, find every copy by its key and keep one."""
    before = client.requests
    made: dict[str, Any] = client.call("POST", path, body=body, headers={"Prefer": PREFER}).body
    if client.requests - before == 1:
        return made
    copies = sorted(look_up() or [made], key=lambda item: item["id"] != made["id"])
    for extra in copies[1:]:
        _delete(client, kind, _fingerprint(extra))
    return copies[0]


def _sent_mail(item: dict[str, Any]) -> SentMail:
    recipients = [*(item.get("toRecipients") or []), *(item.get("ccRecipients") or [])]
    to = tuple(sorted(filter(None, (untrusted.address((r.get("emailAddress") or {}).get("address")) for r in recipients))))
    when = rfc3339(item["sentDateTime"]).timestamp() if item.get("sentDateTime") else 0.0
    thread = untrusted.line(item.get("conversationId") or "", 300)
    return SentMail(to, untrusted.line(item.get("internetMessageId") or "", 300), "", thread, when)


def _delete(client: auth.Client, kind: str, expected: str) -> Outcome:
    """Delete what we made, compared by changeKey and guarded by If-Match: a change by the person wins.

    A message that is no longer a draft was sent and stays. An event's `isDraft` means something else
    (false for every appointment without attendees, so for every follow-up) and is not read.
    """
    ref, _, change = expected.partition(" ")
    fields = "changeKey,isDraft" if kind == "messages" else "changeKey"
    reply = client.call("GET", f"/me/{kind}/{ref}", params={"$select": fields}, allow=(404,))
    if reply.status == 404:
        return Outcome.MISSING
    sent = kind == "messages" and not reply.body.get("isDraft", True)
    if reply.body.get("changeKey") != change or sent:
        return Outcome.MODIFIED
    headers = {"If-Match": str(reply.body.get("@odata.etag") or f'W/"{change}"')}
    status = client.call("DELETE", f"/me/{kind}/{ref}", headers=headers, allow=(404, 412)).status
    return {404: Outcome.MISSING, 412: Outcome.MODIFIED}.get(status, Outcome.DONE)


def _message(key: str, raw: bytes) -> dict[str, Any]:
    """The core's MIME draft as a Graph message: same recipient, subject and text, plus the key twice."""
    parsed = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
    recipients = [{"emailAddress": {"address": a.addr_spec, "name": a.display_name}} for a in parsed["To"].addresses]
    body = parsed.get_body(("plain",))
    return {
        "subject": str(parsed["Subject"]),
        "body": {"contentType": "text", "content": body.get_content() if body else ""},
        "toRecipients": recipients,
        "internetMessageHeaders": [{"name": mail.KEY_HEADER, "value": key}],
        "singleValueExtendedProperties": [{"id": KEY_PROPERTY, "value": key}],
    }


def _stored_draft(draft: dict[str, Any], found: bool = False) -> Stored:
    return Stored(str(draft["id"]), _fingerprint(draft), str(draft.get("conversationId") or "") or None, found)


def _stored(item: dict[str, Any], ref: str | None = None) -> Stored:
    return Stored(ref or str(item["id"]), _fingerprint({"id": ref or item["id"], **item}))


def _fingerprint(item: dict[str, Any]) -> str:
    """The id to find it by and the changeKey that changes whenever anyone edits it."""
    return f"{item['id']} {item.get('changeKey', '')}"


def _utc(moment: datetime, zone: bool = True) -> str:
    text = moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    return text + "Z" if zone else text


def _person(data: dict[str, Any] | None) -> Person | None:
    address = (data or {}).get("emailAddress") or {}
    email_address = untrusted.address(address.get("address"))
    return Person(email_address, untrusted.line(address.get("name") or "", 100)) if email_address else None


def _attendee(data: dict[str, Any]) -> Attendee | None:
    person = _person(data)
    if person is None:
        return None
    kind = data.get("type")
    return Attendee(
        person.email,
        person.name,
        partstat=_RESPONSE.get(str((data.get("status") or {}).get("response")), "NEEDS-ACTION"),
        cutype="RESOURCE" if kind == "resource" else "INDIVIDUAL",
        role="OPT-PARTICIPANT" if kind == "optional" else "REQ-PARTICIPANT",
    )


def _addresses(entries: object) -> str:
    """Recipients as a header value; names and addresses from the wire are untrusted."""
    people = []
    for entry in entries if isinstance(entries, list) else []:
        address = (entry or {}).get("emailAddress") or {}
        found = untrusted.address(address.get("address"))
        if found:
            people.append(email.utils.formataddr((untrusted.line(address.get("name") or "", 100), found)))
    return ", ".join(people[:100])


def _same(current: object, wanted: object) -> bool:
    """Outlook may rewrap text and adds fractions of seconds to times: compare what a person would see."""
    if isinstance(current, dict) and isinstance(wanted, dict):
        if "dateTime" in wanted:
            return str(current.get("dateTime", ""))[:19] == str(wanted["dateTime"])[:19]
        return " ".join(str(current.get("content", "")).split()) == " ".join(str(wanted.get("content", "")).split())
    return (current or "") == wanted


def open_microsoft(account: MicrosoftAccount, config: Config) -> Backend:
    """Imported here: a local-only installation never loads msal."""
    from . import microsoft_auth as auth

    client = auth.Client(account, auth.keeper(account, account.token(config)))
    calendar = OutlookCalendar(client, account.calendars, account.followup_calendar, config.zone, account.name)
    return Backend(calendar, OutlookMail(client))


def _sign_in_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--browser", action="store_true", help="sign in through a browser on this machine instead of a code")


def sign_in(account: MicrosoftAccount, config: Config, args: argparse.Namespace) -> str:
    from . import microsoft_auth as auth

    token = account.token(config)
    who = auth.sign_in(account, auth.keeper(account, token), browser=args.browser)
    where = "the desktop keyring" if account.keyring else f"{token} (readable by you only)"
    return f"Signed in as {who}; the login is kept in {where}. The daemon picks it up at its next pass."


BACKEND = BackendType(
    "microsoft",
    MicrosoftAccount,
    open_microsoft,
    lambda account, config: not_signed_in(account, account.token(config)),
    SignIn("sign in to Outlook.com or Microsoft 365 (prints a code to enter)", _sign_in_options, sign_in),
    "https://outlook.office.com/mail/drafts",
)
