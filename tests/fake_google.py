"""A loopback stand-in for Google's OAuth token endpoint, Calendar v3 and Gmail v1.

Every request is checked against the discovery documents that google-api-python-client ships
(method, path, parameters and body fields); a request the real API would not accept is answered
400 and kept in `violations`. It implements what the daemon relies on: sync tokens and 410,
client event ids and 409, etags and If-Match, private extended properties, history ids and 404,
drafts, sent mail, and injected failures (429, 5xx, connections dropped after the work is done).
"""

from __future__ import annotations

import base64
import email
import email.policy
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

import googleapiclient

import fake_server
from fake_server import Answer

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
SCOPES = " ".join(
    [
        "https://www.googleapis.com/auth/calendar.events",
        "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
        "https://www.googleapis.com/auth/gmail.readonly",
        "https://www.googleapis.com/auth/gmail.compose",
    ]
)


"""Status, JSON body and extra headers of a response."""


@dataclass
class Route:
    id: str
    verb: str
    pattern: re.Pattern[str]
    parameters: dict[str, Any]
    body_fields: set[str] | None


def _routes() -> list[Route]:
    routes = []
    for name, prefix in (("calendar.v3.json", "/calendar/v3/"), ("gmail.v1.json", "/")):
        document = json.loads((DOCUMENTS / name).read_text())
        common = document.get("parameters", {})

        def walk(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
            yield from resource.get("methods", {}).values()
            for child in resource.get("resources", {}).values():
                yield from walk(child)

        for method in walk(document):
            path = re.sub(r"\{\+?(\w+)\}", r"(?P<\1>[^/]+)", prefix + method["path"])
            schema = method.get("request", {}).get("$ref")
            fields = set(document["schemas"][schema]["properties"]) if schema else None
            routes.append(
                Route(
                    method["id"],
                    method["httpMethod"],
                    re.compile(f"^{path}$"),
                    {**common, **method.get("parameters", {})},
                    fields,
                )
            )
    return routes


ROUTES = _routes()


@dataclass
class Failure:
    method: str
    status: int = 0
    """0: drop the connection after doing the work, without answering."""
    times: int = 1
    retry_after: str | None = None
    reason: str = ""


@dataclass
class Message:
    id: str
    raw: bytes
    labels: set[str]
    thread: str
    internal: int

    @property
    def headers(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class FakeGoogle:
    clock: Callable[[], datetime]
    """The test's clock: every time the fake writes (an event's `updated`) comes from it."""
    url: str = ""
    calendars: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {"primary": {}})
    names: dict[str, str] = field(default_factory=lambda: {"primary": "Sam Lee"})
    messages: dict[str, Message] = field(default_factory=dict)
    drafts: dict[str, str] = field(default_factory=dict)
    history: list[tuple[int, str, set[str], str]] = field(default_factory=list)
    """(history id, message id, labels, "messageAdded" or "labelAdded")."""
    sending_keeps_the_id: bool = False
    """Gmail may send a draft as the same message, its label changed from DRAFT to SENT, not as a new one."""
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    revoked: bool = False
    token_requests: int = 0
    sync_floor: int = 0
    """Sync tokens older than this answer 410."""
    history_floor: int = 0
    """History ids older than this answer 404."""
    page_size: int = 1000
    """At most this many items a page, whatever maxResults asks (Google may answer with fewer)."""
    empty_pages: bool = False
    """Precede every page of every listing with an empty one that has a nextPageToken (Google may)."""
    search_lags: bool = False
    """Gmail search (`q=`) does not show drafts made since this was set: Google does not promise a fresh index."""
    _unindexed: set[str] = field(default_factory=set)
    _sequence: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _tokens: set[str] = field(default_factory=set)

    # what a test does ------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every calendar, message, token and request: a fresh account on the same server."""
        with self._lock:
            fresh = FakeGoogle(self.clock, self.url)
            fresh._lock = self._lock
            self.__dict__.update(fresh.__dict__)

    def put_event(self, event: dict[str, Any], calendar: str = "primary") -> dict[str, Any]:
        """An event written by someone else (an invitation, or the person in the Calendar app)."""
        with self._lock:
            organizer = event.get("organizer") or {"email": "someone@example.org"}
            stored = self._event(event["id"], calendar, **{"creator": organizer, "organizer": organizer, **event})
            self._stamp(stored)
            self.calendars[calendar][stored["id"]] = stored
            return stored

    def cancel_event(self, event_id: str, calendar: str = "primary") -> None:
        with self._lock:
            event = self.calendars[calendar][event_id]
            event["status"] = "cancelled"
            self._stamp(event)

    def deliver(self, raw: bytes, when: datetime, labels: tuple[str, ...] = ("INBOX", "UNREAD")) -> str:
        with self._lock:
            message = Message(f"m{next(self._ids)}", raw, set(labels), "", int(when.timestamp() * 1000))
            message.thread = self._thread_of(message)
            self.messages[message.id] = message
            self.history.append((next(self._sequence), message.id, set(labels), "messageAdded"))
            return message.id

    def send_draft(self, draft_id: str) -> None:
        """What the person does in Gmail: the draft leaves Drafts and a message appears in Sent."""
        with self._lock:
            draft = self.messages.pop(self.drafts.pop(draft_id))
            sent_id = draft.id if self.sending_keeps_the_id else f"m{next(self._ids)}"
            sent = Message(sent_id, draft.raw, {"SENT"}, draft.thread, self._now_ms())
            self.messages[sent.id] = sent
            change = "labelAdded" if self.sending_keeps_the_id else "messageAdded"
            self.history.append((next(self._sequence), sent.id, {"SENT"}, change))

    def edit_draft(self, draft_id: str, subject: str | None = None) -> None:
        """Gmail stores an edited draft as a new message; a new subject puts it in a new thread, and the web
        interface writes the message afresh, without our headers."""
        with self._lock:
            old = self.messages.pop(self.drafts[draft_id])
            raw, thread = old.raw + b"\r\nEdited.\r\n", old.thread
            if subject is not None:
                parsed = email.message_from_bytes(old.raw, policy=email.policy.default)
                for name in ("Subject", "Message-ID", "X-Interview-Followup-Key"):
                    del parsed[name]
                parsed["Subject"] = subject
                parsed["Message-ID"] = f"<edited{next(self._ids)}@mail.gmail.com>"
                raw, thread = parsed.as_bytes(), f"t{next(self._ids)}"
            new = Message(f"m{next(self._ids)}", raw, old.labels, thread, self._now_ms())
            self.messages[new.id] = new
            self.drafts[draft_id] = new.id
            self.history.append((next(self._sequence), new.id, set(new.labels), "messageAdded"))

    def fail(self, method: str, status: int = 0, times: int = 1, retry_after: str | None = None, reason: str = "") -> None:
        self.failures.append(Failure(method, status, times, retry_after, reason))

    def count(self, prefix: str = "") -> int:
        return sum(1 for method, _ in self.requests if method.startswith(prefix))

    def events(self, calendar: str = "primary", *, live: bool = True) -> list[dict[str, Any]]:
        return [e for e in self.calendars[calendar].values() if not live or e["status"] != "cancelled"]

    def draft_messages(self) -> list[Message]:
        return [self.messages[m] for m in self.drafts.values()]

    # the wire --------------------------------------------------------------------------
    def _now_ms(self) -> int:
        return int(self.clock().timestamp() * 1000)

    def _event(self, event_id: str, calendar: str, **given: Any) -> dict[str, Any]:
        """An event as Calendar v3 returns it: the fields it always sends (those at their default are left
        out, as Google does), overridden by `given`."""
        me = {"email": "sam.lee@example.net", "self": True}
        event = {
            "kind": "calendar#event", "id": event_id, "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
            "created": self.clock().astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
            "creator": me, "organizer": {**me, "email": calendar if "@" in calendar else me["email"]},
            "iCalUID": f"{event_id}@google.com", "sequence": 0, "reminders": {"useDefault": True}, "eventType": "default",
            **given,
        }  # fmt: skip
        self._stamp(event)
        return event

    def _paged(self, rows: list[Any], p: dict[str, Any], name: str, extra: dict[str, Any] | None = None) -> Answer:
        """One page of `rows` under `name`, honouring maxResults and `page_size`; the last page carries `extra`."""
        token = str(p.get("pageToken") or "0")
        offset, blank = int(token.rstrip("b")), token.endswith("b")
        if self.empty_pages and not blank and offset < len(rows):
            return 200, {name: [], "nextPageToken": f"{offset}b"}, {}
        size = min(int(p.get("maxResults") or 100), self.page_size)
        answer: dict[str, Any] = {name: rows[offset : offset + size]}
        if offset + size < len(rows):
            answer["nextPageToken"] = str(offset + size)
        else:
            answer |= extra or {}
        return 200, answer, {}

    def _stamp(self, event: dict[str, Any]) -> None:
        event["_seq"] = next(self._sequence)
        event["etag"] = f'"{event["_seq"]}"'
        event["updated"] = self.clock().astimezone(timezone.utc).isoformat().replace("+00:00", "Z")

    def _thread_of(self, message: Message) -> str:
        parent = re.findall(r"<[^>]+>", str(message.headers.get("In-Reply-To", "")))
        for other in self.messages.values():
            if parent and other.headers.get("Message-ID") == parent[0]:
                return other.thread
        return f"t{next(self._ids)}"

    def content_type(self, body: Any) -> str:
        return "application/json; charset=UTF-8"

    def answer(self, verb: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> Answer:
        if path == "/token":
            return self._token(urllib.parse.parse_qs(body.decode()))
        if path == "/auth":  # the person allows everything on the consent screen
            target = query["redirect_uri"][0] + "?" + urllib.parse.urlencode({"code": "test-code", "state": query["state"][0]})
            return 302, {}, {"Location": target}
        route, params = self._route(verb, path)
        if route is None:
            self.violations.append(f"{verb} {path}: no such method in the discovery documents")
            return _error(404, "notFound", "no such method")
        flat = {k: (v if route.parameters.get(k, {}).get("repeated") else v[0]) for k, v in query.items()}
        params.update(flat)
        data = json.loads(body) if body else {}
        problem = self._check(route, params, data)
        with self._lock:
            self.requests.append((route.id, params))
        if route.id.endswith(".send"):
            problem = "interview-followup must never send mail"
        if problem:
            self.violations.append(f"{route.id}: {problem}")
            return _error(400, "invalid", problem)
        if headers.get("Authorization", "").removeprefix("Bearer ") not in self._tokens:
            return _error(401, "authError", "Invalid Credentials")
        failure = next((f for f in self.failures if f.method == route.id and f.times > 0), None)
        if failure and failure.status:
            failure.times -= 1
            extra = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            status, answer, _ = _error(failure.status, failure.reason or "backendError", "injected")
            return status, answer, extra
        with self._lock:
            answer = getattr(self, "_" + route.id.replace(".", "_"))(params, data, headers)
        if failure:
            failure.times -= 1
            raise ConnectionAbortedError("injected drop after the work was done")
        return answer

    def _route(self, verb: str, path: str) -> tuple[Route | None, dict[str, Any]]:
        for route in ROUTES:
            found = route.pattern.match(path)
            if found and route.verb == verb:
                return route, {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
        return None, {}

    def _check(self, route: Route, params: dict[str, Any], data: dict[str, Any]) -> str:
        for name, value in params.items():
            spec = route.parameters.get(name)
            if spec is None:
                return f"unknown parameter {name!r}"
            values = value if isinstance(value, list) else [value]
            if "enum" in spec and any(v not in spec["enum"] for v in values):
                return f"{name}={value!r} is not one of {spec['enum']}"
        missing = [n for n, spec in route.parameters.items() if spec.get("required") and n not in params]
        if missing:
            return f"missing required {missing}"
        if route.id == "calendar.events.list" and "syncToken" in params:
            for restricted in ("timeMin", "timeMax", "iCalUID", "orderBy", "q", "updatedMin", "privateExtendedProperty"):
                if restricted in params:
                    return "syncTokenWithRequestRestrictions"
        if route.body_fields is not None:
            unknown = set(data) - route.body_fields
            if unknown:
                return f"unknown body fields {sorted(unknown)}"
        return ""

    def _token(self, form: dict[str, list[str]]) -> Answer:
        self.token_requests += 1
        first = form.get("grant_type") == ["authorization_code"] and form.get("code") == ["test-code"]
        if not (first or form.get("grant_type") == ["refresh_token"]) or self.revoked:
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, {}
        token = f"access-{next(self._ids)}"
        self._tokens.add(token)
        answer = {"access_token": token, "expires_in": 3599, "scope": SCOPES, "token_type": "Bearer"}
        return 200, answer | ({"refresh_token": "test-refresh-token"} if first else {}), {}

    # Calendar ----------------------------------------------------------------------------
    def _calendar_calendarList_list(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        items = [
            {
                "kind": "calendar#calendarListEntry", "etag": f'"{n}"', "id": cid, "summary": name,
                "timeZone": "America/Los_Angeles", "colorId": "14", "backgroundColor": "#9fe1e7",
                "foregroundColor": "#000000", "selected": True, "accessRole": "owner",
                "defaultReminders": [{"method": "popup", "minutes": 10}],
                "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
                **({"primary": True} if cid == "primary" else {}),
            }
            for n, (cid, name) in enumerate(self.names.items(), start=1)
        ]  # fmt: skip
        status, answer, extra = self._paged(items, p, "items")
        return status, {"kind": "calendar#calendarList", "etag": '"p33"', **answer}, extra

    def _calendar_events_list(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        events = sorted(self.calendars[p["calendarId"]].values(), key=lambda e: e["_seq"])
        if "syncToken" in p:
            since = int(p["syncToken"].removeprefix("sync-"))
            if since < self.sync_floor:
                return _error(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
            events = [e for e in events if e["_seq"] > since]
        else:
            start = datetime.fromisoformat(p.get("timeMin", "1970-01-01T00:00:00+00:00").replace("Z", "+00:00"))
            events = [e for e in events if e["status"] != "cancelled" and _end(e) >= start]
        top = max([e["_seq"] for e in self.calendars[p["calendarId"]].values()], default=0)
        status, answer, extra = self._paged([_public(e) for e in events], p, "items", {"nextSyncToken": f"sync-{top}"})
        envelope = {
            "kind": "calendar#events", "etag": f'"e{top}"', "summary": self.names.get(p["calendarId"], ""),
            "description": "", "updated": self.clock().astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
            "timeZone": "America/Los_Angeles", "accessRole": "owner", "defaultReminders": [{"method": "popup", "minutes": 10}],
        }  # fmt: skip
        return status, {**envelope, **answer}, extra

    def _calendar_events_insert(self, p: dict[str, Any], data: dict[str, Any], _: Any) -> Answer:
        calendar = self.calendars[p["calendarId"]]
        if data.get("id") in calendar:
            return _error(409, "duplicate", "The requested identifier already exists.")
        if not re.fullmatch(r"[a-v0-9]{5,1024}", data.get("id", "abcdef")):
            return _error(400, "invalid", "Invalid resource id value.")
        event = self._event(data.get("id") or f"e{next(self._ids)}", p["calendarId"], **data)
        calendar[event["id"]] = event
        return 200, _public(event), {}

    def _calendar_events_get(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        event = self.calendars[p["calendarId"]].get(p["eventId"])
        return (200, _public(event), {}) if event else _error(404, "notFound", "Not Found")

    def _calendar_events_update(self, p: dict[str, Any], data: dict[str, Any], headers: Any) -> Answer:
        event = self.calendars[p["calendarId"]].get(p["eventId"])
        if event is None:
            return _error(404, "notFound", "Not Found")
        if headers.get("If-Match") is None:
            self.violations.append(f"events.update {p['eventId']}: a write to an existing event must carry If-Match")
        if headers.get("If-Match") not in (None, event["etag"]):
            return _error(412, "conditionNotMet", "Precondition Failed")
        event.update({**data, "id": event["id"]})
        event.setdefault("status", "confirmed")
        self._stamp(event)
        return 200, _public(event), {}

    def _calendar_events_delete(self, p: dict[str, Any], _: Any, headers: Any) -> Answer:
        event = self.calendars[p["calendarId"]].get(p["eventId"])
        if event is None:
            return _error(404, "notFound", "Not Found")
        if event["status"] == "cancelled":
            return _error(410, "deleted", "Resource has been deleted")
        if headers.get("If-Match") not in (None, event["etag"]):
            return _error(412, "conditionNotMet", "Precondition Failed")
        event["status"] = "cancelled"
        self._stamp(event)
        return 204, {}, {}

    # Gmail -------------------------------------------------------------------------------
    def _gmail_users_getProfile(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        totals = {"messagesTotal": len(self.messages), "threadsTotal": len({m.thread for m in self.messages.values()})}
        return 200, {"emailAddress": "sam.lee@example.net", **totals, "historyId": str(self._history_id())}, {}

    def _history_id(self) -> int:
        return max([h for h, *_ in self.history], default=1)

    def _gmail_users_history_list(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        start = int(p["startHistoryId"])
        if start < self.history_floor:
            return _error(404, "notFound", "Requested entity was not found.")
        label, kinds = p.get("labelId"), p.get("historyTypes") or ["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"]
        records = []
        for h, m, labels, kind in self.history:
            if h <= start or (label is not None and label not in labels) or kind not in kinds:
                continue
            message = {"id": m, "threadId": self.messages[m].thread if m in self.messages else "", "labelIds": sorted(labels)}
            change = {"messagesAdded": [{"message": message}]}
            if kind == "labelAdded":
                change = {"labelsAdded": [{"message": message, "labelIds": sorted(labels)}]}
            records.append({"id": str(h), "messages": [{"id": m, "threadId": message["threadId"]}], **change})
        status, answer, extra = self._paged(records, p, "history")
        if not answer["history"]:
            del answer["history"]  # Gmail leaves out an empty list
        return status, {**answer, "historyId": str(self._history_id())}, extra

    def _search(self, query: str, pool: list[Message]) -> list[Message]:
        found = pool
        for term in query.split():
            name, _, value = term.partition(":")
            if name == "in":
                found = [m for m in found if value.upper() in m.labels]
            elif name == "after":
                found = [m for m in found if m.internal >= int(value) * 1000]
            elif name == "rfc822msgid":
                found = [m for m in found if m.headers.get("Message-ID") == value and m.id not in self._unindexed]
            else:
                raise AssertionError(f"the fake does not know the search term {term!r}")
        return found

    def _gmail_users_messages_list(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        found = self._search(p.get("q", ""), list(self.messages.values()))
        status, answer, extra = self._paged([{"id": m.id, "threadId": m.thread} for m in found], p, "messages")
        return status, {**answer, "resultSizeEstimate": len(found)}, extra

    def _gmail_users_messages_get(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        message = self.messages.get(p["id"])
        if message is None:
            return _error(404, "notFound", "Requested entity was not found.")
        answer: dict[str, Any] = {"id": message.id, "threadId": message.thread, "labelIds": sorted(message.labels)}
        answer |= {"internalDate": str(message.internal), "sizeEstimate": len(message.raw), "historyId": str(self._history_id())}
        kind = p.get("format", "full")
        if kind == "raw":
            answer["raw"] = base64.urlsafe_b64encode(message.raw).decode()
        elif kind == "metadata":
            wanted = {h.lower() for h in p.get("metadataHeaders", [])}
            parsed = message.headers
            answer["payload"] = {
                "partId": "",
                "mimeType": parsed.get_content_type(),
                "filename": "",
                "headers": [{"name": k, "value": str(v)} for k, v in parsed.items() if k.lower() in wanted],
                "body": {"size": 0},
            }
            body = parsed.get_body(("plain",))
            answer["snippet"] = re.sub(r"\s+", " ", body.get_content() if body else "")[:200].replace("'", "&#39;")
        return 200, answer, {}

    def _gmail_users_threads_get(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        found = [{"id": m.id, "labelIds": sorted(m.labels)} for m in self.messages.values() if m.thread == p["id"]]
        return (200, {"id": p["id"], "messages": found}, {}) if found else _error(404, "notFound", "Not Found")

    def _draft(self, draft_id: str, form: str = "minimal") -> dict[str, Any]:
        """A draft as drafts.get returns it in `form`; drafts.list and drafts.create give less ("list")."""
        message = self.messages[self.drafts[draft_id]]
        shown: dict[str, Any] = {"id": message.id, "threadId": message.thread}
        if form != "list":
            shown |= {"labelIds": sorted(message.labels), "snippet": "", "sizeEstimate": len(message.raw)}
            shown |= {"historyId": str(self._history_id()), "internalDate": str(message.internal)}
        if form in ("metadata", "full"):
            parsed = message.headers
            headers = [{"name": k, "value": str(v)} for k, v in parsed.items()]
            shown["payload"] = {
                "partId": "", "mimeType": parsed.get_content_type(), "filename": "", "headers": headers, "body": {"size": 0}
            }
        if form == "raw":
            shown["raw"] = base64.urlsafe_b64encode(message.raw).decode()
        return {"id": draft_id, "message": shown}

    def _gmail_users_drafts_create(self, p: dict[str, Any], data: dict[str, Any], _: Any) -> Answer:
        raw = base64.urlsafe_b64decode(data["message"]["raw"] + "==")
        message = Message(f"m{next(self._ids)}", raw, {"DRAFT"}, "", self._now_ms())
        message.thread = self._thread_of(message)
        self.messages[message.id] = message
        self.history.append((next(self._sequence), message.id, {"DRAFT"}, "messageAdded"))
        if self.search_lags:
            self._unindexed.add(message.id)
        draft_id = f"r{next(self._ids)}"
        self.drafts[draft_id] = message.id
        answer = self._draft(draft_id)
        answer["message"]["labelIds"] = ["DRAFT"]
        return 200, answer, {}

    def _gmail_users_drafts_list(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        by_message = {m: d for d, m in self.drafts.items()}
        found = self._search(p.get("q", ""), [self.messages[m] for m in self.drafts.values()])
        status, answer, extra = self._paged([self._draft(by_message[m.id], "list") for m in found], p, "drafts")
        return status, {**answer, "resultSizeEstimate": len(found)}, extra

    def _gmail_users_drafts_get(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        if p["id"] not in self.drafts:
            return _error(404, "notFound", "Requested entity was not found.")
        return 200, self._draft(p["id"], p.get("format", "full")), {}

    def _gmail_users_drafts_update(self, p: dict[str, Any], data: dict[str, Any], _: Any) -> Answer:
        """Gmail replaces the draft's message with a new one: a new message id, in the same thread when it replies."""
        if p["id"] not in self.drafts:
            return _error(404, "notFound", "Requested entity was not found.")
        old = self.messages.pop(self.drafts[p["id"]])
        raw = base64.urlsafe_b64decode(data["message"]["raw"] + "==")
        message = Message(f"m{next(self._ids)}", raw, {"DRAFT"}, old.thread, self._now_ms())
        self.messages[message.id] = message
        self.history.append((next(self._sequence), message.id, {"DRAFT"}, "messageAdded"))
        self.drafts[p["id"]] = message.id
        answer = self._draft(p["id"])
        answer["message"]["labelIds"] = ["DRAFT"]
        return 200, answer, {}

    def _gmail_users_drafts_delete(self, p: dict[str, Any], _: Any, __: Any) -> Answer:
        if p["id"] not in self.drafts:
            return _error(404, "notFound", "Requested entity was not found.")
        del self.messages[self.drafts.pop(p["id"])]
        return 204, {}, {}


def _error(status: int, reason: str, message: str) -> Answer:
    return status, {"error": {"code": status, "message": message, "errors": [{"reason": reason, "message": message}]}}, {}


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if not k.startswith("_")}


def _end(event: dict[str, Any]) -> datetime:
    end = event.get("end") or event["start"]
    if "dateTime" in end:
        return datetime.fromisoformat(end["dateTime"].replace("Z", "+00:00"))
    return datetime.fromisoformat(end["date"] + "T00:00:00+00:00")


@contextmanager
def serve(clock: Callable[[], datetime]) -> Iterator[FakeGoogle]:
    fake = FakeGoogle(clock)
    with fake_server.serve(fake):
        yield fake


def token_file(path: Path, fake: FakeGoogle) -> Path:
    """An authorized-user file as `auth google` writes it, whose token endpoint is the fake's."""
    path.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "test-client.apps.googleusercontent.com",
                "client_secret": "test-secret",
                "refresh_token": "test-refresh-token",
                "token_uri": fake.url + "token",
                "scopes": SCOPES.split(),
            }
        )
    )
    path.chmod(0o600)
    return path
