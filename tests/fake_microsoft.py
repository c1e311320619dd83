"""A loopback stand-in for the Microsoft identity platform and the part of Graph v1.0 the daemon uses.

It speaks HTTPS (msal accepts only https authorities), with a certificate made for the test run
that clients trust through REQUESTS_CA_BUNDLE. Requests are checked against Graph's documented
contract: the route, query options (`$select` names real properties, `$filter` is one Graph
accepts there), writable body properties, `x-` internet headers, and never a send. Anything else
is answered 400 and kept in `violations`. It implements OpenID discovery, the device-code and
refresh grants, calendarView and inbox delta rounds with `@odata.nextLink`, `@odata.deltaLink`,
expiry (410) and `@removed`, `transactionId`, extended properties with `$filter`, changeKeys with
If-Match, drafts and Sent Items, and injected failures (429 with Retry-After, 5xx, connections
dropped after the work was done).
"""

from __future__ import annotations

import base64
import email
import email.policy
import email.utils
import html
import itertools
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import fake_server
from fake_server import Answer

CLIENT_ID = "3f9c1a52-7d4e-4b8a-9c61-2e5f0d7a8b13"
TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"

# Graph v1.0 properties, from the event and message resource pages
EVENT_PROPERTIES = {
    "allowNewTimeProposals", "attendees", "body", "bodyPreview", "categories", "changeKey", "createdDateTime", "end",
    "hasAttachments", "hideAttendees", "iCalUId", "id", "importance", "isAllDay", "isCancelled", "isDraft", "isOnlineMeeting",
    "isOrganizer", "isReminderOn", "lastModifiedDateTime", "location", "locations", "onlineMeeting", "onlineMeetingProvider",
    "onlineMeetingUrl", "organizer", "originalEndTimeZone", "originalStart", "originalStartTimeZone", "recurrence",
    "reminderMinutesBeforeStart", "responseRequested", "responseStatus", "sensitivity", "seriesMasterId", "showAs", "start",
    "subject", "transactionId", "type", "webLink",
}  # fmt: skip
EVENT_WRITABLE = {
    "allowNewTimeProposals", "attendees", "body", "categories", "end", "hideAttendees", "importance", "isAllDay",
    "isOnlineMeeting", "isReminderOn", "location", "locations", "onlineMeetingProvider", "originalEndTimeZone",
    "originalStartTimeZone", "recurrence", "reminderMinutesBeforeStart", "responseRequested", "sensitivity", "showAs", "start",
    "subject", "transactionId", "singleValueExtendedProperties", "multiValueExtendedProperties",
}  # fmt: skip
MESSAGE_PROPERTIES = {
    "bccRecipients", "body", "bodyPreview", "categories", "ccRecipients", "changeKey", "conversationId", "conversationIndex",
    "createdDateTime", "flag", "from", "hasAttachments", "id", "importance", "inferenceClassification",
    "internetMessageHeaders", "internetMessageId", "isDeliveryReceiptRequested", "isDraft", "isRead",
    "isReadReceiptRequested", "lastModifiedDateTime", "parentFolderId", "receivedDateTime", "replyTo", "sender",
    "sentDateTime", "subject", "toRecipients", "uniqueBody", "webLink",
}  # fmt: skip
MESSAGE_WRITABLE = {
    "bccRecipients", "body", "categories", "ccRecipients", "flag", "from", "importance", "internetMessageHeaders",
    "isDeliveryReceiptRequested", "isReadReceiptRequested", "replyTo", "sender", "subject", "toRecipients",
    "singleValueExtendedProperties", "multiValueExtendedProperties", "attachments",
}  # fmt: skip
_PROPERTY_ID = re.compile(r"^(String|Integer|Boolean|SystemTime) \{[0-9a-fA-F-]{36}\} Name \w+$")
_BY_PROPERTY = re.compile(r"^singleValueExtendedProperties/Any\(ep: ep/id eq '([^']+)' and ep/value eq '([^']+)'\)$")
_RECEIVED = re.compile(r"^receivedDateTime ge (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$")
_ONLY_SELECTED = {"internetMessageHeaders", "uniqueBody"}
"""Message properties Graph returns only when `$select` names them."""
NEVER = "0001-01-01T00:00:00Z"
"""What Graph writes for a response time that has not happened."""


def event_resource(event_id: str, **given: Any) -> dict[str, Any]:
    """An event with every property of the v1.0 event resource, at the values Graph gives a new
    single-instance event (the "Create event" and "Get event" examples), overridden by `given`.

    Note `isDraft`: false "if all changes have been sent, or if the event is an appointment without
    any attendees", which every follow-up is.
    """
    return {
        "id": event_id, "iCalUId": f"040000008200E{event_id}", "type": "singleInstance", "subject": "",
        "body": {"contentType": "html", "content": ""}, "bodyPreview": "", "importance": "normal",
        "sensitivity": "normal", "showAs": "busy", "isAllDay": False, "isCancelled": False, "isDraft": False,
        "isOrganizer": True, "isOnlineMeeting": False, "onlineMeetingProvider": "unknown", "onlineMeeting": None,
        "onlineMeetingUrl": None, "isReminderOn": True, "reminderMinutesBeforeStart": 15, "responseRequested": True,
        "responseStatus": {"response": "organizer", "time": NEVER}, "allowNewTimeProposals": True,
        "hideAttendees": False, "hasAttachments": False, "seriesMasterId": None, "recurrence": None,
        "transactionId": None, "originalStartTimeZone": "UTC", "originalEndTimeZone": "UTC", "categories": [],
        "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown", "address": {}, "coordinates": {}},
        "locations": [], "attendees": [], "organizer": {"emailAddress": {"name": "Sam Lee", "address": "sam.lee@example.net"}},
        "webLink": f"https://outlook.live.com/owa/?itemid={event_id}&exvsurl=1&path=/calendar/item",
        **given,
    }  # fmt: skip


def message_resource(message_id: str, **given: Any) -> dict[str, Any]:
    """A message with every property of the v1.0 message resource, at the values Graph gives a new
    draft (the "Create message" example), overridden by `given`."""
    return {
        "id": message_id, "subject": "", "body": {"contentType": "text", "content": ""}, "bodyPreview": "",
        "importance": "normal", "inferenceClassification": "focused", "isDraft": True, "isRead": True,
        "isDeliveryReceiptRequested": False, "isReadReceiptRequested": False, "hasAttachments": False,
        "internetMessageId": f"<DRAFT{message_id}@outlook.example>", "conversationId": f"AAQkConv{message_id}",
        "conversationIndex": "AQHZ", "parentFolderId": "AAMkDrafts", "categories": [], "flag": {"flagStatus": "notFlagged"},
        "from": None, "sender": None, "toRecipients": [], "ccRecipients": [], "bccRecipients": [], "replyTo": [],
        "webLink": f"https://outlook.live.com/owa/?ItemID={message_id}&exvsurl=1&viewmodel=ReadMessageItem",
        **given,
    }  # fmt: skip


@dataclass
class Failure:
    route: str
    status: int = 0
    """0: drop the connection after doing the work, without answering."""
    times: int = 1
    retry_after: str | None = None


@dataclass(frozen=True)
class Call:
    """One Graph request, as a handler sees it."""

    match: dict[str, str]
    query: dict[str, str]
    data: Any
    headers: Any
    prefer: str
    path: str


@dataclass
class Item:
    """An event or a message: its public properties plus what the server keeps to itself."""

    data: dict[str, Any]
    folder: str
    seq: int
    props: dict[str, str] = field(default_factory=dict)
    deleted: bool = False
    raw: bytes = b""


def _graph_time(value: dict[str, Any]) -> datetime:
    moment = datetime.fromisoformat(str(value["dateTime"])[:19])
    return moment.replace(tzinfo=timezone.utc) if value.get("timeZone", "UTC") == "UTC" else moment.astimezone(timezone.utc)


def _wire_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _untoken(text: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))))


def _error(status: int, code: str, message: str = "") -> Answer:
    return status, {"error": {"code": code, "message": message or code}}, {}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeMicrosoft:
    clock: Callable[[], datetime]
    """The test's clock: every time the fake writes (modified, created, token issued) comes from it."""
    url: str = ""
    calendars: dict[str, str] = field(default_factory=lambda: {"AAMkDefault": "Calendar"})
    items: dict[str, Item] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    revoked: bool = False
    pending_polls: int = 0
    """Device-code polls answered `authorization_pending` before the person has signed in."""
    token_requests: int = 0
    http: int = 0
    """HTTP requests to Graph (a batch is one)."""
    page_size: int = 4
    empty_pages: bool = False
    """Precede every page of every listing with an empty one that carries a next link (Graph may)."""
    remembers_transactions: bool = True
    """Graph does not say how long it keeps a `transactionId`; False: a resent create makes a second event."""
    delta_floor: int = 0
    """Delta tokens older than this answer 410 Gone."""
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _tokens: set[str] = field(default_factory=set)
    _granted: str = ""
    _nonce: str = ""
    """The scopes asked for when signing in: the device-code poll does not repeat them."""

    @property
    def graph(self) -> str:
        return self.url + "v1.0"

    @property
    def authority(self) -> str:
        return self.url + "common"

    # what a test does ------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every calendar item, message, token and request: a fresh account on the same server."""
        with self._lock:
            fresh = FakeMicrosoft(self.clock, self.url)
            fresh._lock = self._lock
            self.__dict__.update(fresh.__dict__)

    def put_event(self, event: dict[str, Any], calendar: str = "AAMkDefault") -> dict[str, Any]:
        """An event written by someone else (an invitation, or the person in Outlook); replaces one with the same id."""
        with self._lock:
            previous = self.items.get(event["id"])
            invited = {"isOrganizer": False, "responseStatus": {"response": "notResponded", "time": NEVER}}
            data = event_resource(event["id"], **invited, **event)
            data["start"], data["end"] = _wire_time(_graph_time(data["start"])), _wire_time(_graph_time(data["end"]))
            item = Item(data, calendar, 0, previous.props if previous else {})
            self._touch(item)
            self.items[event["id"]] = item
            return data

    def delete_event(self, event_id: str) -> None:
        with self._lock:
            item = self.items[event_id]
            item.deleted = True
            self._touch(item)

    def deliver(self, raw: bytes, when: datetime, folder: str = "inbox") -> str:
        with self._lock:
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            body = parsed.get_body(("plain",))  # type: ignore[attr-defined]
            text = body.get_content() if body else ""
            message_id = f"AAMkMsg{next(self._ids)}"
            sender = _recipient(str(parsed["From"] or ""))
            data = message_resource(
                message_id,
                **{
                    "subject": str(parsed["Subject"] or ""),
                    "from": sender,
                    "sender": sender,
                    "toRecipients": [_recipient(a) for a in str(parsed["To"] or "").split(",") if a.strip()],
                    "receivedDateTime": _stamp(when),
                    "sentDateTime": _stamp(when),
                    "createdDateTime": _stamp(when),
                    "internetMessageId": str(parsed["Message-ID"] or f"<m{next(self._ids)}@example.org>"),
                    "conversationId": self._conversation(str(parsed.get("In-Reply-To", ""))),
                    "body": {"contentType": "text", "content": text},
                    "bodyPreview": re.sub(r"\s+", " ", text)[:255],
                    "isDraft": False,
                    "isRead": False,
                    "parentFolderId": f"AAMk{folder}",
                },
            )
            item = Item(data, folder, 0, raw=raw)
            self._touch(item)
            self.items[data["id"]] = item
            return str(data["id"])

    def send_draft(self, draft_id: str) -> None:
        """What the person does in Outlook: the draft goes to Sent Items, under a new id."""
        with self._lock:
            draft = self.items.pop(draft_id)
            now = _stamp(self.clock())
            shown = {"id": f"AAMkSent{next(self._ids)}", "isDraft": False, "sentDateTime": now, "receivedDateTime": now}
            sent = Item({**draft.data, **shown, "parentFolderId": "AAMksentitems"}, "sentitems", 0, dict(draft.props))
            self._touch(sent)
            self.items[sent.data["id"]] = sent

    def edit(self, item_id: str, **changes: Any) -> None:
        """The person changes an event or a draft in Outlook: a new changeKey."""
        with self._lock:
            item = self.items[item_id]
            item.data.update(changes)
            self._touch(item)

    def revoke_access_tokens(self) -> None:
        """Access tokens stop working before they expire (a password change): Graph answers 401."""
        with self._lock:
            self._tokens.clear()

    def fail(self, route: str, status: int = 0, times: int = 1, retry_after: str | None = None) -> None:
        self.failures.append(Failure(route, status, times, retry_after))

    def count(self, route: str) -> int:
        return sum(1 for name, _ in self.requests if name == route)

    def events(self, *, ours: bool | None = None) -> list[dict[str, Any]]:
        found = [i for i in self.items.values() if i.folder in self.calendars and not i.deleted]
        return [i.data for i in found if ours is None or ours == bool(i.props)]

    def drafts(self) -> list[Item]:
        return [i for i in self.items.values() if i.folder == "drafts" and not i.deleted]

    # the wire --------------------------------------------------------------------------
    def _touch(self, item: Item) -> None:
        item.seq = next(self._seq)
        item.data["changeKey"] = f"CK{item.seq}"
        item.data["lastModifiedDateTime"] = _stamp(self.clock())

    def _conversation(self, in_reply_to: str) -> str:
        for item in self.items.values():
            if in_reply_to and item.data.get("internetMessageId") == in_reply_to.strip():
                return str(item.data["conversationId"])
        return f"AAQkConv{next(self._ids)}"

    def content_type(self, body: Any) -> str:
        return "message/rfc822" if isinstance(body, bytes) else "application/json; odata.metadata=minimal"

    def answer(self, verb: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> Answer:
        """Graph reads each query option once: the first value counts."""
        if path.startswith("/v1.0/"):
            self.http += 1
        return self.handle(verb, path, {k: v[0] for k, v in query.items()}, headers, body)

    def handle(self, verb: str, path: str, query: dict[str, str], headers: Any, body: bytes) -> Answer:
        if "/oauth2/" in path or path.endswith("/openid-configuration"):
            return self._identity(verb, path, query, body)
        if re.search(r"/(send|sendMail|reply|replyAll|forward)$", path, re.I):
            self.violations.append(f"{verb} {path}: interview-followup must never send mail")
            return _error(400, "ErrorInvalidRequest", "never send")
        if (verb, path) == ("POST", "/v1.0/$batch"):
            return self._batch(headers, json.loads(body or b"{}"))
        route, match = self._route(verb, path.removeprefix("/v1.0"))
        with self._lock:
            self.requests.append((route or f"{verb} {path}", dict(query)))
        if route is None:
            self.violations.append(f"{verb} {path}: not a Graph route the daemon may use")
            return _error(400, "BadRequest", "Resource not found for the segment")
        data = json.loads(body) if body else {}
        problem = self._check(route, query, data)
        if problem:
            self.violations.append(f"{route}: {problem}")
            return _error(400, "BadRequest", problem)
        if headers.get("Authorization", "").removeprefix("Bearer ") not in self._tokens:
            return _error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
        failure = next((f for f in self.failures if f.route == route and f.times > 0), None)
        if failure and failure.status:
            failure.times -= 1
            status, answer, _ = _error(failure.status, "TooManyRequests" if failure.status == 429 else "ServiceUnavailable")
            return status, answer, {"Retry-After": failure.retry_after} if failure.retry_after else {}
        prefer = str(headers.get("Prefer", ""))
        with self._lock:
            call = Call(match, query, data, headers, prefer, self.url + path.lstrip("/"))
            answer = getattr(self, "_" + route.replace(".", "_"))(call)
        if failure:
            failure.times -= 1
            raise ConnectionAbortedError("injected drop after the work was done")
        return answer

    def _batch(self, headers: Any, data: dict[str, Any]) -> Answer:
        """JSON batching: each part is answered as if it came alone, with the batch's Authorization."""
        with self._lock:
            self.requests.append(("batch", {}))
        parts = data.get("requests")
        if not isinstance(parts, list) or not 0 < len(parts) <= 20 or len({p.get("id") for p in parts}) != len(parts):
            self.violations.append("batch: between 1 and 20 requests with distinct ids")
            return _error(400, "BadRequest", "Invalid batch payload format.")
        responses = []
        for part in parts:
            url = urllib.parse.urlsplit(str(part.get("url", "")))
            if part.get("method") != "GET" or url.scheme or not url.path.startswith("/"):
                self.violations.append(f"batch part {part.get('url')!r}: a relative GET here")
            query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
            inner = {"Authorization": headers.get("Authorization", ""), **(part.get("headers") or {})}
            status, answer, extra = self.handle("GET", "/v1.0" + url.path, query, inner, b"")
            responses.append({"id": part["id"], "status": status, "headers": extra, "body": answer})
        return 200, {"responses": responses}, {}

    _ROUTES = (
        ("GET", r"/me/calendars", "calendars.list"),
        ("GET", r"/me/calendar(?:s/(?P<cal>[^/]+))?/calendarView/delta", "calendarView.delta"),
        ("GET", r"/me/calendar(?:s/(?P<cal>[^/]+))?/events", "events.list"),
        ("POST", r"/me/calendar(?:s/(?P<cal>[^/]+))?/events", "events.create"),
        ("GET", r"/me/events/(?P<id>[^/]+)", "events.get"),
        ("PATCH", r"/me/events/(?P<id>[^/]+)", "events.update"),
        ("DELETE", r"/me/events/(?P<id>[^/]+)", "events.delete"),
        ("GET", r"/me/mailFolders/(?P<folder>inbox|sentitems)/messages/delta", "messages.delta"),
        ("GET", r"/me/mailFolders/(?P<folder>drafts|sentitems|deleteditems)/messages", "messages.list"),
        ("POST", r"/me/messages", "messages.create"),
        ("GET", r"/me/messages/(?P<id>[^/]+)/\$value", "messages.mime"),
        ("GET", r"/me/messages/(?P<id>[^/]+)", "messages.get"),
        ("PATCH", r"/me/messages/(?P<id>[^/]+)", "messages.update"),
        ("DELETE", r"/me/messages/(?P<id>[^/]+)", "messages.delete"),
    )

    def _route(self, verb: str, path: str) -> tuple[str | None, dict[str, str]]:
        for method, pattern, name in self._ROUTES:
            found = re.fullmatch(pattern, path)
            if found and method == verb:
                return name, {k: urllib.parse.unquote(v) for k, v in found.groupdict().items() if v}
        return None, {}

    def _check(self, route: str, query: dict[str, str], data: dict[str, Any]) -> str:
        properties = MESSAGE_PROPERTIES if route.startswith("messages") else EVENT_PROPERTIES
        allowed = {
            "calendars.list": {"$select", "$top", "$skiptoken"},
            "calendarView.delta": {"startDateTime", "endDateTime", "$deltatoken", "$skiptoken"},
            "events.list": {"$filter", "$select", "$top", "$skiptoken"},
            "events.get": {"$select"},
            "messages.delta": {"$select", "$filter", "$deltatoken", "$skiptoken"},
            "messages.list": {"$filter", "$select", "$top", "$skiptoken"},
            "messages.get": {"$select"},
        }.get(route, set())
        unknown = set(query) - allowed
        if unknown:
            return f"query options {sorted(unknown)} are not supported here"
        for name in query.get("$select", "").split(",") if "$select" in query else ():
            if name not in properties and not (route == "calendars.list" and name in ("id", "name")):
                return f"Could not find a property named '{name}'"
        if "$filter" in query:
            matcher = _RECEIVED if route == "messages.delta" else _BY_PROPERTY
            if not matcher.match(query["$filter"]):
                return f"unsupported $filter {query['$filter']!r}"
        first_round = route == "calendarView.delta" and not {"$deltatoken", "$skiptoken"} & set(query)
        if first_round and not {"startDateTime", "endDateTime"} <= set(query):
            return "startDateTime and endDateTime are required"
        if route in ("events.create", "events.update", "messages.create", "messages.update"):
            writable = MESSAGE_WRITABLE if route.startswith("messages") else EVENT_WRITABLE
            if route == "events.update":
                writable = writable - {"transactionId"}  # fixed when the event is created
            if route == "messages.update":
                writable = writable - {"internetMessageHeaders"}  # only when the message is created
            unknown = set(data) - writable
            if unknown:
                return f"properties {sorted(unknown)} cannot be written"
            for prop in data.get("singleValueExtendedProperties", []):
                if not _PROPERTY_ID.match(prop.get("id", "")):
                    return f"bad extended property id {prop.get('id')!r}"
            for header in data.get("internetMessageHeaders", []):
                if not header.get("name", "").lower().startswith("x-"):
                    return "InvalidInternetMessageHeader: custom headers must start with 'x-'"
        return ""

    # identity platform -----------------------------------------------------------------
    def _identity(self, verb: str, path: str, query: dict[str, str], body: bytes) -> Answer:
        base = self.url.rstrip("/") + "/" + path.strip("/").split("/")[0]
        if path.endswith("/openid-configuration"):
            return (
                200,
                {
                    "issuer": f"{self.url}{TENANT}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                },
                {},
            )
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        self._granted = form.get("scope") or query.get("scope") or self._granted
        if path.endswith("/authorize"):  # the person signs in and consents; the page posts the code back
            if query.get("response_mode") != "form_post":
                self.violations.append("authorize: msal's loopback listener takes form_post answers only")
            self._nonce = query.get("nonce", "")
            fields = {"code": "browser-code", "state": query.get("state", "")}
            inputs = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items())
            page = f'<form method="post" action="{html.escape(query["redirect_uri"])}">{inputs}</form>'
            return 200, page.encode(), {"Content-Type": "text/html"}
        if path.endswith("/devicecode"):
            return (
                200,
                {
                    "device_code": "device-123",
                    "user_code": "FAKE-CODE",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": 1,
                    "message": "To sign in, use a web browser.",
                },
                {},
            )
        self.token_requests += 1
        grant = form.get("grant_type", "")
        if grant.endswith("device_code") and self.pending_polls > 0:
            self.pending_polls -= 1
            return 400, {"error": "authorization_pending", "error_description": "AADSTS70016: pending"}, {}
        known = grant.endswith("device_code") or grant in ("authorization_code", "refresh_token")
        if not known or self.revoked or form.get("client_id") != CLIENT_ID:
            description = "AADSTS70000: The provided grant has expired or was revoked.\nTrace ID: 1\nCorrelation ID: 2"
            return 400, {"error": "invalid_grant", "error_description": description}, {}
        token = f"access-{next(self._ids)}"
        self._tokens.add(token)
        scopes = " ".join(s for s in self._granted.split() if s not in ("openid", "profile", "offline_access"))
        issued = int(self.clock().timestamp())
        claims = {
            "aud": CLIENT_ID, "iss": f"{self.url}{TENANT}/v2.0", "tid": TENANT, "oid": "user-1", "sub": "user-1",
            "preferred_username": "sam.lee@example.net", "name": "Sam Lee", "iat": issued,
            "exp": issued + 3600,
        }  # fmt: skip
        if grant == "authorization_code":
            claims["nonce"] = self._nonce
        id_token = ".".join(_token(part) for part in ({"alg": "none", "typ": "JWT"}, claims)) + "."
        return (
            200,
            {
                "token_type": "Bearer",
                "scope": scopes,
                "expires_in": 3600,
                "access_token": token,
                "refresh_token": f"refresh-{next(self._ids)}",
                "id_token": id_token,
                "client_info": _token({"uid": "user-1", "utid": TENANT}),
            },
            {},
        )

    # calendars ---------------------------------------------------------------------------
    def _calendar(self, match: dict[str, str]) -> str:
        return match.get("cal", "AAMkDefault")

    def _calendars_list(self, c: Call) -> Answer:
        rows = [{"id": cid, "name": name} for cid, name in self.calendars.items()]
        return self._page(rows, self._listing(c), c.path)

    def _calendarView_delta(self, c: Call) -> Answer:
        first = {"cal": self._calendar(c.match), "start": c.query.get("startDateTime"), "end": c.query.get("endDateTime")}
        state = self._round(c.query, first)
        if state is None:
            return _error(410, "SyncStateNotFound", "The sync state generation is not found.")
        start, end = (datetime.fromisoformat(state[k].replace("Z", "+00:00")) for k in ("start", "end"))
        rows: list[dict[str, Any]] = []
        for item in sorted(self.items.values(), key=lambda i: i.seq):
            if item.folder != state["cal"] or item.seq <= state["seq"]:
                continue
            inside = _graph_time(item.data["start"]) < end and _graph_time(item.data["end"]) > start
            if not item.deleted and inside:
                rows.append(self._public(item))
            elif state["seq"]:  # an incremental round reports what left the view
                rows.append({"@odata.type": "#microsoft.graph.event", "id": item.data["id"], "@removed": {"reason": "deleted"}})
        return self._page(rows, state, c.path.split("?")[0], c.prefer)

    def _round(self, query: dict[str, str], first: dict[str, Any]) -> dict[str, Any] | None:
        """Where a delta request stands: a page of a round, a new round from a delta token (None once it
        expired), or a first round with the options of `first`."""
        if "$skiptoken" in query:
            return _untoken(query["$skiptoken"])
        if "$deltatoken" in query:
            state = {**_untoken(query["$deltatoken"]), "offset": 0}
            return state if state["seq"] >= self.delta_floor else None
        return {**first, "seq": 0, "offset": 0}

    def _listing(self, c: Call) -> dict[str, Any]:
        """Where a plain listing stands: its first page, or the page a next link names."""
        return _untoken(c.query["$skiptoken"]) if "$skiptoken" in c.query else {"offset": 0, "query": c.query}

    def _page(self, rows: list[dict[str, Any]], state: dict[str, Any], path: str, prefer: str = "") -> Answer:
        """One page of `rows`, with a next link while any are left (and, with `empty_pages`, an empty page
        before each one); a delta round ends with its delta link."""
        wanted = re.search(r"odata.maxpagesize=(\d+)", prefer)
        size = min(self.page_size, int(wanted[1]) if wanted else 10)
        offset = state.get("offset", 0)
        if self.empty_pages and not state.get("blank") and offset < len(rows):
            return 200, {"value": [], "@odata.nextLink": f"{path}?$skiptoken={_token({**state, 'blank': True})}"}, {}
        answer: dict[str, Any] = {"value": rows[offset : offset + size]}
        following = {**state, "offset": offset + size, "blank": False}
        if offset + size < len(rows):
            answer["@odata.nextLink"] = f"{path}?$skiptoken={_token(following)}"
        elif "seq" in state:
            top = max([i.seq for i in self.items.values()], default=0)
            answer["@odata.deltaLink"] = f"{path}?$deltatoken={_token({**state, 'seq': top, 'offset': 0, 'blank': False})}"
        return 200, answer, {}

    def _public(self, item: Item, select: str = "") -> dict[str, Any]:
        """An event or message as Graph shows it: its properties (only the `$select`ed ones) and its etag."""
        data = {**item.data, "@odata.etag": f'W/"{item.data["changeKey"]}"'}
        if select:
            return {k: v for k, v in data.items() if k in select.split(",") or k in ("id", "@odata.etag")}
        return {k: v for k, v in data.items() if k not in _ONLY_SELECTED}

    def _by_property(self, c: Call, folder: str) -> Answer:
        state = self._listing(c)
        query = state["query"]
        prop, value = _BY_PROPERTY.match(query["$filter"]).groups()  # type: ignore[union-attr]
        if folder == "deleteditems":  # Outlook moves a deleted message there; the fake keeps it where it was, marked
            gone = [i for i in self.items.values() if i.deleted and i.folder in ("drafts", "inbox")]
            found = [i for i in gone if i.props.get(prop) == value]
        else:
            found = [i for i in self.items.values() if i.folder == folder and not i.deleted and i.props.get(prop) == value]
        rows = [self._public(i, query.get("$select", "")) for i in found][: int(query.get("$top", 1000))]
        return self._page(rows, state, c.path.split("?")[0], c.prefer)

    def _events_list(self, c: Call) -> Answer:
        return self._by_property(c, self._calendar(c.match))

    def _events_create(self, c: Call) -> Answer:
        calendar = self._calendar(c.match)
        transaction = c.data.get("transactionId")
        for item in self.items.values():  # Graph answers a repeated create with the event it made
            same = transaction and item.folder == calendar and not item.deleted and item.data.get("transactionId") == transaction
            if same and self.remembers_transactions:
                return 201, self._public(item), {}
        event_id = f"AAMkEvt{next(self._ids)}"
        fields = {k: v for k, v in c.data.items() if k != "singleValueExtendedProperties"}
        props = {p["id"]: p["value"] for p in c.data.get("singleValueExtendedProperties", [])}
        item = Item(event_resource(event_id, createdDateTime=_stamp(self.clock()), **fields), calendar, 0, props)
        item.data["start"], item.data["end"] = _wire_time(_graph_time(fields["start"])), _wire_time(_graph_time(fields["end"]))
        item.data["bodyPreview"] = str(item.data["body"].get("content", ""))[:255]
        self._touch(item)
        self.items[event_id] = item
        return 201, self._public(item), {}

    def _live(self, match: dict[str, str], folders: set[str] | None = None) -> Item | None:
        item = self.items.get(match["id"])
        if item is None or item.deleted or (folders is not None and item.folder not in folders):
            return None
        return item

    def _events_get(self, c: Call) -> Answer:
        item = self._live(c.match, set(self.calendars))
        return (200, self._public(item, c.query.get("$select", "")), {}) if item else _error(404, "ErrorItemNotFound")

    def _precondition(self, item: Item, headers: Any) -> bool:
        return headers.get("If-Match") in (None, "*", f'W/"{item.data["changeKey"]}"')

    def _events_update(self, c: Call) -> Answer:
        item = self._live(c.match, set(self.calendars))
        if item is None:
            return _error(404, "ErrorItemNotFound")
        if not self._precondition(item, c.headers):
            return _error(
                412, "ErrorIrresolvableConflict", "The change key passed in the request does not match the current change key"
            )
        item.data.update({k: v for k, v in c.data.items() if k != "singleValueExtendedProperties"})
        item.data["start"], item.data["end"] = (
            _wire_time(_graph_time(item.data["start"])),
            _wire_time(_graph_time(item.data["end"])),
        )
        self._touch(item)
        return 200, self._public(item), {}

    def _events_delete(self, c: Call) -> Answer:
        return self._delete(c.match, c.headers, set(self.calendars))

    def _delete(self, match: dict[str, str], headers: Any, folders: set[str]) -> Answer:
        item = self._live(match, folders)
        if item is None:
            return _error(404, "ErrorItemNotFound")
        if not self._precondition(item, headers):
            return _error(412, "ErrorIrresolvableConflict")
        item.deleted = True
        self._touch(item)
        return 204, None, {}

    # mail --------------------------------------------------------------------------------
    def _messages_delta(self, c: Call) -> Answer:
        after = _RECEIVED.match(c.query.get("$filter", ""))
        first = {"folder": c.match["folder"], "select": c.query.get("$select", ""), "after": after[1] if after else ""}
        state = self._round(c.query, first)
        if state is None:
            return _error(410, "SyncStateNotFound", "The sync state generation is not found.")
        rows = []
        for item in sorted(self.items.values(), key=lambda i: i.seq):
            if item.folder != state["folder"] or item.seq <= state["seq"]:
                continue
            if state["after"] and item.data["receivedDateTime"] < state["after"]:
                continue
            if item.deleted:
                rows.append({"id": item.data["id"], "@removed": {"reason": "deleted"}})
            else:
                rows.append(self._public(item, state["select"]))
        return self._page(rows, state, c.path.split("?")[0], c.prefer)

    def _messages_list(self, c: Call) -> Answer:
        return self._by_property(c, c.match["folder"])

    def _messages_create(self, c: Call) -> Answer:
        message_id = f"AAMkDraft{next(self._ids)}"
        fields = {k: v for k, v in c.data.items() if k != "singleValueExtendedProperties"}
        props = {p["id"]: p["value"] for p in c.data.get("singleValueExtendedProperties", [])}
        created = _stamp(self.clock())
        times = {"createdDateTime": created, "receivedDateTime": created, "sentDateTime": created}
        item = Item(message_resource(message_id, **times, **fields), "drafts", 0, props)
        item.data["bodyPreview"] = str(item.data["body"].get("content", ""))[:255]
        self._touch(item)
        self.items[message_id] = item
        return 201, self._public(item), {}

    def _messages_get(self, c: Call) -> Answer:
        item = self._live(c.match, {"inbox", "drafts", "sentitems"})
        return (200, self._public(item, c.query.get("$select", "")), {}) if item else _error(404, "ErrorItemNotFound")

    def _messages_mime(self, c: Call) -> Answer:
        item = self._live(c.match, {"inbox"})
        return (200, item.raw, {}) if item else _error(404, "ErrorItemNotFound")

    def _messages_update(self, c: Call) -> Answer:
        """Graph updates the writable properties given; a message that was sent is no longer editable."""
        item = self._live(c.match, {"drafts", "inbox", "sentitems"})
        if item is None:
            return _error(404, "ErrorItemNotFound")
        if not self._precondition(item, c.headers):
            return _error(412, "ErrorIrresolvableConflict")
        if not item.data.get("isDraft") and set(c.data) & {"body", "toRecipients"}:
            return _error(400, "ErrorInvalidRequest", "Only draft messages can be updated this way.")
        item.data.update(c.data)
        item.data["bodyPreview"] = str(item.data["body"].get("content", ""))[:255]
        self._touch(item)
        return 200, self._public(item), {}

    def _messages_delete(self, c: Call) -> Answer:
        return self._delete(c.match, c.headers, {"drafts", "inbox"})


def _recipient(text: str) -> dict[str, Any]:
    name, address = email.utils.parseaddr(text)
    return {"emailAddress": {"name": name, "address": address}}


def certificate(directory: Path) -> Path:
    """A self-signed certificate for 127.0.0.1, written with its key into one PEM file.

    Valid for this whole century, so that a suite run under a shifted clock (faketime) trusts it too.
    """
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2000, 1, 1, tzinfo=timezone.utc))
        .not_valid_after(datetime(2099, 12, 31, tzinfo=timezone.utc))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / "fake-microsoft.pem"
    path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


@contextmanager
def serve(pem: Path, clock: Callable[[], datetime]) -> Iterator[FakeMicrosoft]:
    fake = FakeMicrosoft(clock)
    with fake_server.serve(fake, pem):
        yield fake
