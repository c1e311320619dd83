"""One interface over the backends for the contract suite: a place where a person's calendar and mail live.

Each place is driven the way its person and its employer would drive it (an invitation arrives,
the employer writes, the person edits or sends), and shows what the person sees there, by
effect key. The local place is real files; IMAP is a real Dovecot, CalDAV a real Radicale;
Google and Microsoft are their loopback fakes. Each server runs once for a whole test session,
with a fresh account per place.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

from caldav_server import Radicale
from conftest import ME, World, at, calendar, message, vevent
from dovecot import PASSWORD, Dovecot
from fake_google import FakeGoogle, token_file
from fake_microsoft import FakeMicrosoft
from interview_followup import mail
from interview_followup.providers.google import event_id
from test_google import GoogleWorld
from test_google import interview as google_interview
from test_microsoft import MicrosoftWorld
from test_microsoft import interview as microsoft_interview

START = at("2026-11-17T10:00")
"""The interview every contract test is about: Acme, with Jane Doe and Raj Patel, 10:00 to 11:00."""
KINDS = ("local", "imap", "caldav", "google", "microsoft")


@dataclass
class Clock:
    """The one clock a shared fake server reads: the current place's `now`."""

    place: Any = None

    def __call__(self) -> datetime:
        return self.place.now if self.place else at("2026-11-17T12:00")


def utc(value: str) -> str:
    """A start time as the providers write it, reduced to UTC minutes."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M")


def _text(raw: bytes) -> str:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    body = parsed.get_body(("plain",))  # type: ignore[attr-defined]
    return str(body.get_content()) if body else ""


def _name(person: str) -> str:
    return person.partition(":")[0]


def _address(person: str) -> str:
    return person.partition(":")[2]


def _title_and_start(entry: str) -> tuple[str, str]:
    """An entry's title and its start in UTC minutes, from its text."""
    title = re.search(r"^SUMMARY:(.*)$", entry, re.M)
    start = re.search(r"^DTSTART[^:]*:(\d{8}T\d{4})", entry, re.M)
    assert title and start
    stamp = datetime.strptime(start[1], "%Y%m%dT%H%M").replace(tzinfo=timezone.utc)
    return title[1].strip(), stamp.strftime("%Y-%m-%dT%H:%M")


class LocalPlace(World):
    kind = "local"
    invited: dict[int, str]

    def invite(self, number: int, company: str, person: str, start: datetime, cancelled: bool = False) -> None:
        """An interview at `company` with one interviewer (`"Name:address"`), the Acme one aside."""
        self.invited = getattr(self, "invited", {})
        uid = f"iv-{number}@{company.lower()}.com"
        extra = "STATUS:CANCELLED" if cancelled else ""
        summary = f"Interview with {company}"
        self.invited[number] = vevent(uid, start, summary=summary, organizer=person, attendees=(person,), extra=extra)
        self.write_calendar(*self.invited.values())

    def delete_draft(self, key: str) -> None:
        next(p for p in self.drafts() if p.name.split(".")[1] == key).unlink()

    def delete_entry(self, key: str) -> None:
        (self.root / "followups" / f"{key}.ics").unlink()

    def config_text(self) -> str:
        return super().config_text().replace("    drafts:", f"    sent: {self.root}/Mail/Sent\n    drafts:")

    def interview_ends(self, start: datetime = START) -> None:
        self.write_calendar(vevent("iv-1@acme.com", start, summary="Acme - Interview for Platform Engineer"))

    def cancel(self) -> None:
        self.write_calendar()

    def employer_replies(self, body: str = "Let's talk on Friday.") -> None:
        self.receive(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", body, received=self.now))

    def receive(self, raw: bytes) -> None:
        self.deliver(raw)

    def drafts_by_key(self) -> Counter[str]:
        return Counter(p.name.split(".")[1] for p in self.drafts())

    def draft_texts(self) -> dict[str, str]:
        return {p.name.split(".")[1]: _text(p.read_bytes()) for p in self.drafts()}

    def edit_draft(self, key: str) -> None:
        path = next(p for p in self.drafts() if p.name.split(".")[1] == key)
        path.write_bytes(path.read_bytes() + b"\r\nEdited.\r\n")

    def entries_by_key(self) -> dict[str, tuple[str, str]]:
        return {path.stem: _title_and_start(path.read_text()) for path in self.entries()}

    def edit_entry(self, key: str, title: str) -> None:
        path = self.root / "followups" / f"{key}.ics"
        path.write_text(re.sub(r"^SUMMARY:.*$", f"SUMMARY:{title}", path.read_text(), count=1, flags=re.M))

    def send_drafts(self) -> None:
        """The mail client moves each draft, unchanged, to the Sent folder."""
        sent = self.root / "Mail/Sent/cur"
        sent.mkdir(parents=True, exist_ok=True)
        for path in self.drafts():
            path.rename(sent / path.name.replace(":2,D", ":2,S"))

    def forget_cursors(self) -> None:
        """A local folder has no cursor to expire: the state forgets its own instead."""
        with self.store() as store:
            for name in ("calendar", "mail"):
                store.set_cursor("home", name, "")


class ImapPlace(LocalPlace):
    """Mail on a real Dovecot, reached over implicit TLS; the calendar a local folder, as such an account has."""

    kind = "imap"
    server: Dovecot
    user: str

    def config_text(self) -> str:
        account = (
            f"    type: imap\n    host: 127.0.0.1\n    port: {self.server.tls_port}\n    username: {self.user}\n"
            f"    password_command: printf '%s' '{PASSWORD}'\n"
            f"    calendar: {self.root}/calendar\n    followup_calendar: {self.root}/followups\n"
        )
        return re.sub(r"    type: local\n(?:    .*\n)*", lambda _: account, super().config_text(), count=1)

    def _imap(self) -> IMAPClient:
        return self.server.client(self.user)

    def _drafts(self) -> dict[str, tuple[int, bytes]]:
        """Our drafts by key, as the person's mail program sees them."""
        with self._imap() as client:
            client.select_folder("Drafts")
            fetched = client.fetch(client.search(["NOT", "DELETED"]), ["BODY.PEEK[]"])
        found = {}
        for uid, item in fetched.items():
            raw = bytes(item[b"BODY[]"])
            key = email.message_from_bytes(raw, policy=email.policy.default)[mail.KEY_HEADER]
            found[str(key)] = (uid, raw)
        return found

    def receive(self, raw: bytes) -> None:
        with self._imap() as client:
            client.append("INBOX", raw, msg_time=self.now)

    def drafts_by_key(self) -> Counter[str]:
        with self._imap() as client:
            client.select_folder("Drafts")
            fetched = client.fetch(client.search(["NOT", "DELETED"]), ["BODY.PEEK[]"])
        return Counter(str(email.message_from_bytes(bytes(v[b"BODY[]"]))[mail.KEY_HEADER]) for v in fetched.values())

    def draft_texts(self) -> dict[str, str]:
        return {key: _text(raw) for key, (_, raw) in self._drafts().items()}

    def delete_draft(self, key: str) -> None:
        """A mail program moves a deleted draft to the Trash."""
        uid = self._drafts()[key][0]
        with self._imap() as client:
            client.select_folder("Drafts")
            client.move([uid], "Trash")

    def edit_draft(self, key: str) -> None:
        """A mail program saves an edited draft as a new message and removes the old one."""
        uid, raw = self._drafts()[key]
        with self._imap() as client:
            client.append("Drafts", raw + b"\r\nEdited.\r\n", flags=[b"\\Draft", b"\\Seen"])
            client.select_folder("Drafts")
            client.delete_messages([uid])
            client.expunge()

    def send_drafts(self) -> None:
        """The mail program sends each draft: a copy in Sent, the draft gone."""
        with self._imap() as client:
            client.select_folder("Drafts")
            uids = client.search(["NOT", "DELETED"])
            for item in client.fetch(uids, ["BODY.PEEK[]"]).values():
                client.append("Sent", bytes(item[b"BODY[]"]), flags=[b"\\Seen"], msg_time=self.now)
            client.delete_messages(uids)
            client.expunge()

    def forget_cursors(self) -> None:
        with self.store() as store:
            for name in ("calendar", "mail"):
                store.set_cursor("home", name, "")


class CalDavPlace(ImapPlace):
    """Mail on the real Dovecot and the calendar on a real Radicale: one IMAP account with a CalDAV calendar, found
    from the server's address. Follow-up entries go into the same calendar as the invitations, as most people's do."""

    kind = "caldav"
    dav: Radicale
    dav_user: str
    written: set[str]

    def config_text(self) -> str:
        calendar = (
            f"    calendar:\n      type: caldav\n      url: {self.dav.url}\n      username: {self.dav_user}\n"
            f"      password_command: printf '%s' '{PASSWORD}'\n      certificate: {self.dav.pem}\n"
        )
        local = f"    calendar: {self.root}/calendar\n    followup_calendar: {self.root}/followups\n"
        return super().config_text().replace(local, calendar)

    @property
    def _calendar(self) -> str:
        return f"{self.dav.url}{self.dav_user}/personal/"

    def write_calendar(self, *events: str, name: str = "personal.ics") -> Path:
        """The invitations as the person's calendar shows them: one item per event, the ones no longer there deleted."""
        session = self.dav.session(self.dav_user)
        wanted = {re.search(r"^UID:(.*)$", e, re.M)[1].strip(): e for e in events}  # type: ignore[index]
        for uid, event in wanted.items():
            session.put(f"{self._calendar}{uid}.ics", data=calendar(event).encode(), headers={"Content-Type": "text/calendar"})
        for uid in getattr(self, "written", set()) - set(wanted):
            session.delete(f"{self._calendar}{uid}.ics")
        self.written = set(wanted)
        return self.root / "calendar" / name

    def entry_items(self) -> list[tuple[str, str]]:
        """Our follow-up entries, one (key, text) per item in the calendar, as the person's calendar program reads them."""
        session = self.dav.session(self.dav_user)
        listing = session.request("PROPFIND", self._calendar, headers={"Depth": "1"}).text
        found = []
        for href in sorted(set(re.findall(r"<(?:\w+:)?href>([^<]+\.ics)</", listing))):
            text = session.get(f"{self.dav.url.rstrip('/')}{href}").text
            key = re.search(r"^X-INTERVIEW-FOLLOWUP-KEY:(.*)$", text, re.M)
            if key:
                found.append((key[1].strip(), text))
        return found

    def _ours(self) -> dict[str, str]:
        return dict(self.entry_items())

    def entries_by_key(self) -> dict[str, tuple[str, str]]:
        return {key: _title_and_start(text) for key, text in self._ours().items()}

    def edit_entry(self, key: str, title: str) -> None:
        text = re.sub(r"^SUMMARY:.*$", f"SUMMARY:{title}", self._ours()[key], count=1, flags=re.M)
        answer = self.dav.session(self.dav_user).put(f"{self._calendar}{key}.ics", data=text.encode())
        assert answer.status_code in (201, 204)

    def delete_entry(self, key: str) -> None:
        assert self.dav.session(self.dav_user).delete(f"{self._calendar}{key}.ics").status_code in (200, 204)


@dataclass
class GooglePlace(GoogleWorld):
    kind: str = "google"

    def interview_ends(self, start: datetime = START) -> None:
        self.fake.put_event(google_interview(start=start))

    def cancel(self) -> None:
        self.fake.cancel_event("iv1")

    def invite(self, number: int, company: str, person: str, start: datetime, cancelled: bool = False) -> None:
        who = {"email": _address(person), "displayName": _name(person)}
        attendees = [who, {"email": ME, "self": True, "responseStatus": "accepted"}]
        event = google_interview(f"iv{number}", start, summary=f"Interview with {company}", organizer=who, attendees=attendees)
        self.fake.put_event({**event, "status": "cancelled"} if cancelled else event)

    def delete_draft(self, key: str) -> None:
        with self.fake._lock:
            drafts = self.fake.drafts.items()
            draft_id = next(d for d, m in drafts if self.fake.messages[m].headers["X-Interview-Followup-Key"] == key)
            del self.fake.messages[self.fake.drafts.pop(draft_id)]

    def employer_replies(self, body: str = "Let's talk on Friday.") -> None:
        self.receive(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", body, received=self.now))

    def receive(self, raw: bytes) -> None:
        self.fake.deliver(raw, self.now)

    def drafts_by_key(self) -> Counter[str]:
        return Counter(str(m.headers["X-Interview-Followup-Key"]) for m in self.fake.draft_messages())

    def draft_texts(self) -> dict[str, str]:
        return {str(m.headers["X-Interview-Followup-Key"]): _text(m.raw) for m in self.fake.draft_messages()}

    def edit_draft(self, key: str) -> None:
        drafts = self.fake.drafts.items()
        self.fake.edit_draft(next(d for d, m in drafts if self.fake.messages[m].headers["X-Interview-Followup-Key"] == key))

    def entries_by_key(self) -> dict[str, tuple[str, str]]:
        return {
            e["extendedProperties"]["private"]["interviewFollowupKey"]: (e["summary"], utc(e["start"]["dateTime"]))
            for e in self.our_events()
        }

    def edit_entry(self, key: str, title: str) -> None:
        event = next(e for e in self.our_events() if e["extendedProperties"]["private"]["interviewFollowupKey"] == key)
        self.fake.put_event({**event, "summary": title})

    def delete_entry(self, key: str) -> None:
        """Google keeps a deleted event's id, with status cancelled."""
        self.fake.cancel_event(event_id(key))

    def send_drafts(self) -> None:
        for draft_id in list(self.fake.drafts):
            self.fake.send_draft(draft_id)

    def forget_cursors(self) -> None:
        self.fake.sync_floor = self.fake.history_floor = 10**6


@dataclass
class MicrosoftPlace(MicrosoftWorld):
    kind: str = "microsoft"

    def interview_ends(self, start: datetime = START) -> None:
        self.fake.put_event(microsoft_interview(start=start))

    def cancel(self) -> None:
        self.fake.delete_event("iv1")

    def invite(self, number: int, company: str, person: str, start: datetime, cancelled: bool = False) -> None:
        who = {"name": _name(person), "address": _address(person)}
        attendees = [{"type": "required", "status": {"response": "none"}, "emailAddress": who}]
        me = {"name": "Sam Lee", "address": ME}
        attendees.append({"type": "required", "status": {"response": "accepted"}, "emailAddress": me})
        subject = f"{'Canceled: ' if cancelled else ''}Interview with {company}"
        event = microsoft_interview(f"iv{number}", start, subject=subject, organizer={"emailAddress": who}, attendees=attendees)
        self.fake.put_event({**event, "isCancelled": cancelled})

    def delete_draft(self, key: str) -> None:
        """Outlook moves a deleted draft to Deleted Items (the fake marks it deleted where it was)."""
        with self.fake._lock:
            draft = next(d for d in self.fake.drafts() if key in d.props.values())
            draft.deleted = True
            self.fake._touch(draft)

    def employer_replies(self, body: str = "Let's talk on Friday.") -> None:
        self.receive(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", body, received=self.now))

    def receive(self, raw: bytes) -> None:
        self.fake.deliver(raw, self.now)

    def drafts_by_key(self) -> Counter[str]:
        return Counter(next(iter(d.props.values())) for d in self.fake.drafts())

    def draft_texts(self) -> dict[str, str]:
        return {next(iter(d.props.values())): str(d.data["body"]["content"]) for d in self.fake.drafts()}

    def edit_draft(self, key: str) -> None:
        draft = next(d for d in self.fake.drafts() if key in d.props.values())
        self.fake.edit(draft.data["id"], body={"contentType": "text", "content": draft.data["body"]["content"] + "\nEdited."})

    def _ours(self) -> dict[str, Any]:
        return {next(iter(i.props.values())): i for i in self.fake.items.values() if i.props and i.folder in self.fake.calendars}

    def entries_by_key(self) -> dict[str, tuple[str, str]]:
        return {key: (i.data["subject"], utc(i.data["start"]["dateTime"])) for key, i in self._ours().items() if not i.deleted}

    def edit_entry(self, key: str, title: str) -> None:
        self.fake.edit(self._ours()[key].data["id"], subject=title)

    def delete_entry(self, key: str) -> None:
        self.fake.delete_event(self._ours()[key].data["id"])

    def send_drafts(self) -> None:
        for draft in self.fake.drafts():
            self.fake.send_draft(draft.data["id"])

    def forget_cursors(self) -> None:
        self.fake.delta_floor = 10**6


Place = LocalPlace | ImapPlace | CalDavPlace | GooglePlace | MicrosoftPlace


@dataclass
class Servers:
    """The session's fake servers and the clock they read."""

    google: FakeGoogle
    microsoft: FakeMicrosoft
    imap: Dovecot
    dav: Radicale
    clock: Clock = field(default_factory=Clock)

    def place(self, kind: str, root: Path) -> Place:
        """A fresh account of this kind: new files, or a reset fake and a new sign-in."""
        root.mkdir(parents=True, exist_ok=True)
        now = at("2026-11-17T12:00")
        made: Place
        if kind in ("local", "imap", "caldav"):
            for sub in ("calendar", "Mail/INBOX/new", "Mail/INBOX/cur", "Mail/INBOX/tmp", "Mail/Sent/cur", "Mail/Sent/new"):
                (root / sub).mkdir(parents=True, exist_ok=True)
            made = {"local": LocalPlace, "imap": ImapPlace, "caldav": CalDavPlace}[kind](root, now)
            if isinstance(made, ImapPlace):
                made.server, made.user = self.imap, self.imap.user()
            if isinstance(made, CalDavPlace):
                made.dav, made.dav_user = self.dav, self.dav.user("Personal")
        elif kind == "google":
            self.google.reset()
            token_file(root / "token.json", self.google)
            (root / "client.json").write_text("{}")
            made = GooglePlace(root, self.google, now)
        else:
            self.microsoft.reset()
            made = MicrosoftPlace(root, self.microsoft, now)
            made.sign_in()
        self.clock.place = made
        return made


def recipients(place: Place) -> list[str]:
    """Who our drafts are to, read from the drafts themselves."""
    if isinstance(place, ImapPlace):
        parsed = [email.message_from_bytes(raw, policy=email.policy.default) for _, raw in place._drafts().values()]
        return sorted(str(m["To"].addresses[0].addr_spec) for m in parsed)
    if isinstance(place, LocalPlace):
        parsed = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in place.drafts()]
        return sorted(str(m["To"].addresses[0].addr_spec) for m in parsed)
    if isinstance(place, GooglePlace):
        return sorted(str(m.headers["To"].addresses[0].addr_spec) for m in place.fake.draft_messages())
    return sorted(d.data["toRecipients"][0]["emailAddress"]["address"] for d in place.fake.drafts())
