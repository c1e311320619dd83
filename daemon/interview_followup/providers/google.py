"""Google Calendar and Gmail, through google-api-python-client.

Everything we make is recognisable at Google: follow-up events get an id derived from their
effect key (so a repeated insert answers 409 instead of duplicating) and carry the key in a
private extended property; drafts carry it in a header and a Message-ID derived from it.
Nothing here can send mail: only drafts are created, and no send method is ever called.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import html
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from .. import mail, untrusted
from ..config import Config, GoogleAccount, token_file
from ..errors import UserError
from ..model import Attendee, EntryPayload, Event, InboundMessage, Person
from . import Backend, CalendarChanges, MailChanges, Outcome, SentQuery, Stored, Window, rfc3339
from . import google_auth as auth

KEY_PROPERTY = "interviewFollowupKey"
PAGE_SIZE = 250
FULL_READ_LIMIT = 5 * 1024 * 1024
"""A bigger message is judged by its headers and snippet: an answer with a large attachment is still a person."""
FALLBACK_SLACK = timedelta(days=1)
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


class GoogleCalendar:
    def __init__(self, client: auth.Client, calendars: list[str], followups: str, zone: ZoneInfo, account: str) -> None:
        self.client = client
        self.service = client.service("calendar", "v3", "calendar/v3/")
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
        for status, body in self.client.pages(lambda page: self.service.events().list(**query, pageToken=page), allow=(410,)):
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
            for _, body in self.client.pages(lambda page: self.service.calendarList().list(pageToken=page, maxResults=250)):
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
            self.service.events().get(calendarId=self._calendar_id(self.followups), eventId=event_id(key)), allow=(404, 410)
        )
        return body if status == 200 else None

    def create_entry(self, entry: EntryPayload, stamp: datetime) -> Stored:
        calendar = self._calendar_id(self.followups)
        status, body = self.client.call(self.service.events().insert(calendarId=calendar, body=self._body(entry)), allow=(409,))
        if status == 409:  # made before (a retry, or a pass cut short): find it
            body = self._get(entry.key) or {}
            if body.get("status") == "cancelled":  # deleted earlier, needed again: ids stay reserved, so revive it
                _, body = self.client.call(
                    self.service.events().update(calendarId=calendar, eventId=event_id(entry.key), body=self._body(entry))
                )
        return Stored(event_id(entry.key), str(body.get("etag", "")))

    def update_entry(self, entry: EntryPayload, stamp: datetime, expected: str) -> Stored | Outcome:
        current = self._get(entry.key)
        if current is None or current.get("status") == "cancelled":
            return Outcome.MISSING
        wanted = self._body(entry)
        if all(_same(current.get(field), wanted[field]) for field in ("summary", "description", "start", "end")):
            return Stored(event_id(entry.key), str(current["etag"]))
        if current.get("etag") != expected:
            return Outcome.MODIFIED
        request = self.service.events().update(
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
        request = self.service.events().delete(calendarId=self._calendar_id(self.followups), eventId=event_id(key))
        request.headers["If-Match"] = expected
        status, _ = self.client.call(request, allow=(404, 410, 412))
        return {412: Outcome.MODIFIED, 404: Outcome.MISSING, 410: Outcome.MISSING}.get(status, Outcome.DONE)


class Gmail:
    def __init__(self, client: auth.Client) -> None:
        self.client = client
        self.service = client.service("gmail", "v1", "")
        self.users = self.service.users()

    # reading -----------------------------------------------------------------------------
    def changes(
        self, cursor: str | None, since: datetime, known: Callable[[str], bool], worth_reading: Callable[[InboundMessage], bool]
    ) -> MailChanges:
        """New inbox mail from the history API; a full (bounded) listing only at the start or after the history expired."""
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        newest = int(state.get("newest", 0))
        found = self._history(str(state["history"])) if state.get("history") else None
        if found is None:
            _, profile = self.client.call(self.users.getProfile(userId="me"))
            checkpoint = datetime.fromtimestamp(newest / 1000, timezone.utc) - FALLBACK_SLACK if newest else since
            found = str(profile["historyId"]), self._listed(max(since, checkpoint))
        history, ids = found
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
        return MailChanges(messages, json.dumps({"history": history, "newest": newest}), problems)

    def _history(self, start: str) -> tuple[str, list[str]] | None:
        """The new history id and the messages added to the inbox, or None when the start is too old (404)."""
        added: list[str] = []

        def request(page: str | None) -> Any:
            return self.users.history().list(
                userId="me", startHistoryId=start, historyTypes="messageAdded", labelId="INBOX", pageToken=page, maxResults=500
            )

        for status, body in self.client.pages(request, allow=(404,)):
            if status == 404:
                return None
            for record in body.get("history", []):
                added += [str(m["message"]["id"]) for m in record.get("messagesAdded", []) if "message" in m]
        return str(body["historyId"]), added

    def _listed(self, after: datetime) -> list[str]:
        query = f"in:inbox after:{int(after.timestamp())}"
        listing = self.client.pages(lambda page: self.users.messages().list(userId="me", q=query, pageToken=page, maxResults=500))
        return [str(m["id"]) for _, body in listing for m in body.get("messages", [])]

    def _read(self, message_id: str, worth_reading: Callable[[InboundMessage], bool]) -> InboundMessage | None:
        """Headers and snippet first; the whole message only when they say it may matter."""
        request = self.users.messages().get(userId="me", id=message_id, format="metadata", metadataHeaders=list(_LIGHT_HEADERS))
        status, meta = self.client.call(request, allow=(404,))
        if status == 404:  # deleted since it arrived
            return None
        received = datetime.fromtimestamp(int(meta["internalDate"]) / 1000, timezone.utc)
        headers = "".join(
            f"{untrusted.line(h['name'], 80)}: {untrusted.line(h['value'], 2000)}\r\n" for h in meta["payload"]["headers"]
        )
        snippet = html.unescape(str(meta.get("snippet", "")))
        light = replace(
            mail.parse(f"{headers}\r\n{snippet}\r\n".encode(), message_id, received), thread=str(meta.get("threadId", ""))
        )
        if int(meta.get("sizeEstimate", 0)) > FULL_READ_LIMIT or not worth_reading(light):
            return light
        _, full = self.client.call(self.users.messages().get(userId="me", id=message_id, format="raw"))
        raw = base64.urlsafe_b64decode(str(full["raw"]) + "==")
        return replace(mail.parse(raw, message_id, received), thread=light.thread)

    # drafts ------------------------------------------------------------------------------
    def _drafts_with(self, message_id: str) -> list[dict[str, Any]]:
        _, body = self.client.call(self.users.drafts().list(userId="me", q=f"rfc822msgid:{message_id}", maxResults=10))
        return list(body.get("drafts", []))

    def create_draft(self, key: str, raw: bytes, stamp: datetime) -> Stored:
        """Looked up by Message-ID before and after: a retry or a resent request leaves exactly one draft."""
        message_id = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(raw)["Message-ID"]
        found = self._drafts_with(message_id)
        if not found:
            body = {"message": {"raw": base64.urlsafe_b64encode(raw).decode()}}
            _, made = self.client.call(self.users.drafts().create(userId="me", body=body))
            found = sorted(self._drafts_with(message_id) or [made], key=lambda d: d["id"] != made["id"])
            for extra in found[1:]:
                self.client.call(self.users.drafts().delete(userId="me", id=extra["id"]), allow=(404,))
        draft = found[0]
        return Stored(str(draft["id"]), _fingerprint(draft), str(draft["message"].get("threadId") or "") or None)

    def delete_draft(self, key: str, expected: str) -> Outcome:
        """Gmail gives an edited draft a new message id: a different one means the person changed it."""
        draft_id = expected.partition(" ")[0]
        status, current = self.client.call(self.users.drafts().get(userId="me", id=draft_id, format="minimal"), allow=(404,))
        if status == 404:
            return Outcome.MISSING
        if _fingerprint(current) != expected:
            return Outcome.MODIFIED
        status, _ = self.client.call(self.users.drafts().delete(userId="me", id=draft_id), allow=(404,))
        return Outcome.MISSING if status == 404 else Outcome.DONE

    def sent(self, drafts: list[SentQuery]) -> set[str]:
        """A draft that left Drafts was sent when its thread holds a message in Sent."""
        found = set()
        for query in drafts:
            status, _ = self.client.call(self.users.drafts().get(userId="me", id=query.ref, format="minimal"), allow=(404,))
            if status != 404:
                continue
            if query.thread:
                status, thread = self.client.call(
                    self.users.threads().get(userId="me", id=query.thread, format="minimal"), allow=(404,)
                )
                messages = thread.get("messages", []) if status == 200 else []
            else:
                _, listed = self.client.call(self.users.messages().list(userId="me", q=f"in:sent rfc822msgid:{query.message_id}"))
                messages = [{"labelIds": ["SENT"]} for _ in listed.get("messages", [])]
            if any("SENT" in m.get("labelIds", []) for m in messages):
                found.add(query.key)
        return found


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
    path = token_file(account, config)
    credentials = auth.load(path, account.name, account.token_uri)
    client = auth.Client(credentials, path, account.name, endpoint=account.api_endpoint)
    calendar = GoogleCalendar(client, account.calendars, account.followup_calendar, config.zone, account.name)
    return Backend(calendar, Gmail(client))
