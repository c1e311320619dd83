"""The state database: interviews, messages seen, cursors, and the journal of every effect.

Each effect is written as *intended* before a provider call and *done* after, so a process killed
between the two finds, on restart, a record telling it to look the effect up by its key.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from .errors import UserError
from .model import Answer, Attendee, Event, InboundMessage, Interview, Person

_MIGRATIONS = [
    """
    CREATE TABLE cursors (account TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (account, name));
    CREATE TABLE interviews (
        id TEXT PRIMARY KEY, account TEXT NOT NULL, source TEXT NOT NULL, data TEXT NOT NULL,
        employer TEXT, start TEXT NOT NULL, first_seen TEXT NOT NULL, updated TEXT NOT NULL,
        cancelled_at TEXT, stopped_at TEXT, stop_reason TEXT, user_note TEXT, decision_date TEXT);
    CREATE INDEX interviews_employer ON interviews (account, employer);
    CREATE TABLE messages (
        account TEXT NOT NULL, key TEXT NOT NULL, received TEXT NOT NULL, sender TEXT, subject TEXT,
        kind TEXT NOT NULL, reasons TEXT NOT NULL, PRIMARY KEY (account, key));
    CREATE TABLE effects (
        key TEXT PRIMARY KEY, account TEXT NOT NULL, interview_id TEXT NOT NULL, step TEXT NOT NULL,
        kind TEXT NOT NULL, due TEXT NOT NULL, state TEXT NOT NULL, ref TEXT, fingerprint TEXT,
        content TEXT, message_id TEXT, updated TEXT NOT NULL);
    CREATE INDEX effects_interview ON effects (interview_id);
    """,
    """
    ALTER TABLE interviews ADD COLUMN away_until TEXT;
    ALTER TABLE messages ADD COLUMN reply_to TEXT;
    CREATE TABLE bounces (
        interview_id TEXT NOT NULL, address TEXT NOT NULL, received TEXT NOT NULL, reason TEXT NOT NULL,
        PRIMARY KEY (interview_id, address));
    """,
    """
    ALTER TABLE effects ADD COLUMN thread TEXT;
    ALTER TABLE messages ADD COLUMN thread TEXT;
    CREATE TABLE sign_in (account TEXT PRIMARY KEY, problem TEXT NOT NULL, since TEXT NOT NULL);
    """,
    """
    ALTER TABLE interviews ADD COLUMN language TEXT;
    ALTER TABLE interviews ADD COLUMN person_notes TEXT;
    CREATE TABLE phones (account TEXT NOT NULL, address TEXT NOT NULL, phone TEXT NOT NULL, seen TEXT NOT NULL,
        PRIMARY KEY (account, address));
    """,
    """
    ALTER TABLE messages ADD COLUMN seen TEXT;
    CREATE INDEX messages_by_kind ON messages (account, kind, received);
    CREATE INDEX messages_by_age ON messages (received);
    """,
    """
    ALTER TABLE interviews ADD COLUMN outcome TEXT;
    ALTER TABLE interviews ADD COLUMN outcome_confirmed INTEGER NOT NULL DEFAULT 0;
    """,
    """
    CREATE TABLE notices (key TEXT PRIMARY KEY, shown TEXT NOT NULL);
    """,
]


class State(str, Enum):
    INTENDED = "intended"
    DONE = "done"
    UPDATING = "updating"
    DELETING = "deleting"
    DELETED = "deleted"
    KEPT = "kept"
    """The user changed or sent it: ours no more, never touched again."""
    GONE = "gone"
    """The user removed it before we would have."""
    SENT = "sent"
    """A draft the person sent: nothing more to do for it."""


@dataclass(frozen=True)
class EffectRecord:
    key: str
    account: str
    interview_id: str
    step: str
    kind: str
    due: datetime
    state: State
    ref: str | None = None
    fingerprint: str | None = None
    content: str | None = None
    """A digest of what we asked for: when the plan's wish changes (a moved interview), we update."""
    message_id: str | None = None
    thread: str | None = None
    """The provider's conversation id of a draft: an answer in it is an answer to us."""


@dataclass(frozen=True)
class InterviewRecord:
    interview: Interview
    source: str
    first_seen: datetime
    cancelled_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_reason: str | None = None
    user_note: str | None = None
    decision_date: date | None = None
    away_until: date | None = None
    """An employer's out-of-office reply said they are back on this day."""
    language: str | None = None
    """The drafts' language as the person chose it (`note --language`), over what the invitation speaks."""
    person_notes: dict[str, str] = field(default_factory=dict)
    """By address: what the person talked about with that interviewer (`note --with`), for their draft alone."""
    outcome: Answer | None = None
    outcome_confirmed: bool = False
    """The person said the outcome; otherwise it is what their employer's answer suggested."""


@dataclass(frozen=True)
class Bounce:
    address: str
    received: datetime
    reason: str


BACKUPS = 7
"""Daily backups kept."""
MARKED_ANSWERED = "marked as answered by you"
"""The stop reason of `replied`: the person knows, so nobody tells them."""


class Damaged(UserError):
    """The state database cannot be read; `repair` moves it aside and starts from a backup or afresh."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"{path}: the state database is damaged ({detail}). Run `interview-followup repair`: it moves the file "
            "aside and restores the newest daily backup, or starts afresh from what your calendar and mailbox hold."
        )
        self.path = path


def _check(db: sqlite3.Connection) -> None:
    if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        raise sqlite3.DatabaseError("its integrity check failed")


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _remembered(read: Callable[Concatenate[Store, _P], _T]) -> Callable[Concatenate[Store, _P], _T]:
    """A read answered from memory while the database has not changed: an idle pass reads the same rows
    many times, and re-decoding every interview would cost more than the rest of the pass."""

    def remembered(store: Store, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        version = store.version()
        if store._memo_version != version:
            store._memo.clear()
            store._memo_version = version
        key = (read.__name__, args, tuple(sorted(kwargs.items())))
        if key not in store._memo:
            store._memo[key] = read(store, *args, **kwargs)
        return copy.copy(store._memo[key])  # type: ignore[no-any-return]  # a copy: the caller may change its list

    return remembered


class Store:
    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.path = path
        self._db = db
        self._db.row_factory = sqlite3.Row
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._memo_version: tuple[int, int] | None = None
        self._migrate()

    def version(self) -> tuple[int, int]:
        """Changes whenever the database does: by this process (SQLite's count of rows it changed) or by another
        (`data_version`, e.g. a `note` typed while the daemon runs)."""
        return self._db.execute("PRAGMA data_version").fetchone()[0], self._db.total_changes

    @classmethod
    def open(cls, path: Path) -> Store:
        """The database file is created 0600 in a 0700 folder: it names the people you talk to."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
            os.chmod(path, 0o600)
        except OSError as exc:
            problem = f"{path}: cannot open the state database ({exc.strerror})"
            raise UserError(f"{problem}; check the folder and its permissions") from None
        try:
            db = sqlite3.connect(path, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            _check(db)
            return cls(db, path)
        except sqlite3.DatabaseError as exc:
            raise Damaged(path, str(exc)) from None

    def backup(self, now: datetime, keep: int = BACKUPS) -> Path | None:
        """Once a day, a copy by SQLite's online backup, so a rebuild loses at most a day of your corrections."""
        folder = self.path.parent / "backups"
        target = folder / f"state-{now.astimezone(timezone.utc):%Y-%m-%d}.sqlite3"
        if target.exists():
            return None
        folder.mkdir(mode=0o700, exist_ok=True)
        partial = target.with_suffix(".partial")
        copy = sqlite3.connect(partial)
        try:
            self._db.backup(copy)
        finally:
            copy.close()
        partial.chmod(0o600)
        partial.replace(target)
        for old in sorted(folder.glob("state-*.sqlite3"))[:-keep]:
            old.unlink()
        return target

    @classmethod
    def copy_of(cls, path: Path) -> Store:
        """An in-memory copy of the database at `path`, read without writing a byte there (empty if none)."""
        copy = sqlite3.connect(":memory:", isolation_level=None)
        if path.exists():  # even a read-only connection makes -shm files beside a WAL database: read a copy
            with tempfile.TemporaryDirectory() as folder:
                for suffix in ("", "-wal"):
                    if Path(f"{path}{suffix}").exists():
                        shutil.copyfile(f"{path}{suffix}", Path(folder) / f"state.sqlite3{suffix}")
                try:
                    source = sqlite3.connect(Path(folder) / "state.sqlite3")
                    try:
                        source.backup(copy)
                    finally:
                        source.close()
                    _check(copy)
                except sqlite3.DatabaseError as exc:
                    raise Damaged(path, str(exc)) from None
        return cls(copy, path)

    def snapshot(self) -> Store:
        """An in-memory copy, for a dry run that must leave the real state untouched."""
        copy = sqlite3.connect(":memory:", isolation_level=None)
        self._db.backup(copy)
        return Store(copy, self.path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(_MIGRATIONS):
            raise UserError(f"{self.path} was written by a newer interview-followup (schema {version}); upgrade this one.")
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in filter(str.strip, script.split(";")):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={number}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # cursors -----------------------------------------------------------------------------
    @_remembered
    def cursor(self, account: str, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM cursors WHERE account=? AND name=?", (account, name)).fetchone()
        return row[0] if row else None

    @_remembered
    def cursors(self, name: str) -> dict[str, str]:
        """This cursor of every account."""
        rows = self._db.execute("SELECT account, value FROM cursors WHERE name=?", (name,))
        return {row["account"]: row["value"] for row in rows}

    def set_cursor(self, account: str, name: str, value: str) -> None:
        """Written only when it changed, so an idle pass leaves the database (and its `version`) as it was."""
        self._db.execute(
            "INSERT INTO cursors VALUES (?, ?, ?) ON CONFLICT (account, name) DO UPDATE SET value=excluded.value"
            " WHERE value IS NOT excluded.value",
            (account, name, value),
        )

    # interviews --------------------------------------------------------------------------
    @_remembered
    def interviews(self, account: str | None = None, learned: bool = True) -> list[InterviewRecord]:
        """`learned`: with the phone numbers learned from mail; without, as detection made them."""
        if account is None:
            rows = self._db.execute("SELECT * FROM interviews ORDER BY start")
        else:
            rows = self._db.execute("SELECT * FROM interviews WHERE account=? ORDER BY start", (account,))
        records = [_interview_record(row) for row in rows]
        return self._with_phones(records) if learned else records

    def interview(self, interview_id: str) -> InterviewRecord | None:
        row = self._db.execute("SELECT * FROM interviews WHERE id=?", (interview_id,)).fetchone()
        return self._with_phones([_interview_record(row)])[0] if row else None

    def learn_phone(self, account: str, address: str, phone: str, now: datetime) -> bool:
        """A person's number from their mail signature; True when it is new."""
        known = self._db.execute("SELECT phone FROM phones WHERE account=? AND address=?", (account, address)).fetchone()
        if known and known["phone"] == phone:
            return False
        row = (account, address, phone, _utc(now))
        self._db.execute("INSERT OR REPLACE INTO phones (account, address, phone, seen) VALUES (?, ?, ?, ?)", row)
        return True

    def _with_phones(self, records: list[InterviewRecord]) -> list[InterviewRecord]:
        """The numbers learned from signatures, for the people whose invitation gave none."""
        rows = self._db.execute("SELECT account, address, phone FROM phones").fetchall()
        if not rows:
            return records
        known = {(r["account"], r["address"]): r["phone"] for r in rows}

        def add(account: str, people: tuple[Person, ...]) -> tuple[Person, ...]:
            return tuple(replace(p, phone=p.phone or known.get((account, p.email), "")) for p in people)

        return [
            replace(
                r,
                interview=replace(
                    r.interview,
                    interviewers=add(r.interview.account, r.interview.interviewers),
                    coordinators=add(r.interview.account, r.interview.coordinators),
                    contacts=add(r.interview.account, r.interview.contacts),
                ),
            )
            for r in records
        ]

    def save_interview(self, interview: Interview, source: str, now: datetime) -> None:
        """Insert or update; a re-detected interview is no longer cancelled."""
        self._db.execute(
            """INSERT INTO interviews (id, account, source, data, employer, start, first_seen, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET source=excluded.source, data=excluded.data,
                 employer=excluded.employer, start=excluded.start, updated=excluded.updated, cancelled_at=NULL""",
            (
                interview.id,
                interview.account,
                source,
                _dumps(interview),
                interview.employer,
                _utc(interview.start),
                now.isoformat(),
                now.isoformat(),
            ),
        )

    def cancel_interview(self, interview_id: str, now: datetime) -> None:
        self._db.execute(
            "UPDATE interviews SET cancelled_at=?, updated=? WHERE id=? AND cancelled_at IS NULL",
            (now.isoformat(), now.isoformat(), interview_id),
        )

    def stop_interview(self, interview_id: str, at: datetime | None, reason: str | None) -> None:
        """Record that the employer answered (or, with ``at=None``, undo a wrong stop)."""
        self._db.execute(
            "UPDATE interviews SET stopped_at=?, stop_reason=? WHERE id=?",
            (at.isoformat() if at else None, reason, interview_id),
        )

    def set_outcome(self, interview_id: str, outcome: Answer | None, confirmed: bool) -> None:
        """What the person says wins; a suggestion never replaces it."""
        self._db.execute(
            "UPDATE interviews SET outcome=?, outcome_confirmed=? WHERE id=? AND (? OR outcome_confirmed=0)",
            (outcome.value if outcome else None, int(confirmed), interview_id, int(confirmed)),
        )

    def set_away(self, interview_id: str, until: date) -> bool:
        """Keep the latest return date an out-of-office reply gave; True when it moved."""
        changed = self._db.execute(
            "UPDATE interviews SET away_until=? WHERE id=? AND (away_until IS NULL OR away_until<?)",
            (until.isoformat(), interview_id, until.isoformat()),
        )
        return changed.rowcount > 0

    def record_bounce(self, interview_id: str, address: str, received: datetime, reason: str) -> bool:
        """True the first time this address bounced for this interview."""
        added = self._db.execute(
            "INSERT OR IGNORE INTO bounces VALUES (?, ?, ?, ?)", (interview_id, address, _utc(received), reason)
        )
        return added.rowcount > 0

    def bounces(self, interview_id: str) -> list[Bounce]:
        rows = self._db.execute(
            "SELECT address, received, reason FROM bounces WHERE interview_id=? ORDER BY received", (interview_id,)
        )
        return [_bounce(r) for r in rows]

    def set_note(
        self, interview_id: str, note: str | None, decision: date | None, language: str | None = None, person: str | None = None
    ) -> None:
        if person is not None and note is not None:
            row = self._db.execute("SELECT person_notes FROM interviews WHERE id=?", (interview_id,)).fetchone()
            notes = {**json.loads(row["person_notes"] or "{}"), person: note} if row else {person: note}
            self._db.execute("UPDATE interviews SET person_notes=? WHERE id=?", (json.dumps(notes), interview_id))
            note = None
        if language is not None:
            self._db.execute("UPDATE interviews SET language=? WHERE id=?", (language, interview_id))
        if note is not None:
            self._db.execute("UPDATE interviews SET user_note=? WHERE id=?", (note, interview_id))
        if decision is not None:
            self._db.execute("UPDATE interviews SET decision_date=? WHERE id=?", (decision.isoformat(), interview_id))

    # messages ----------------------------------------------------------------------------
    def seen_message(self, account: str, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM messages WHERE account=? AND key=?", (account, key)).fetchone() is not None

    def record_message(self, account: str, message: InboundMessage, kind: str, reasons: list[str], now: datetime) -> None:
        """Every message seen, with the judgement and its reasons (what `status` and a replay need)."""
        self._db.execute(
            "INSERT OR REPLACE INTO messages (account, key, received, sender, subject, kind, reasons, reply_to, thread, seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                account,
                message.key,
                _utc(message.received),
                message.sender.email if message.sender else None,
                message.subject,
                kind,
                json.dumps(reasons),
                json.dumps([p.email for p in message.reply_to]),
                message.thread,
                _utc(now),
            ),
        )

    def forget_messages(self, before: datetime) -> None:
        """Messages received and seen before `before` can no longer answer an interview the daemon follows:
        without this the table grows with every message ever received."""
        horizon = _utc(before)
        self._db.execute("DELETE FROM messages WHERE received<? AND (seen IS NULL OR seen<?)", (horizon, horizon))

    def human_messages(self, account: str, since: datetime) -> list[InboundMessage]:
        """Messages already judged to be from a person, as much of them as was kept."""
        rows = self._db.execute(
            "SELECT key, sender, subject, received, reply_to, thread FROM messages"
            " WHERE account=? AND kind='human' AND received>=? ORDER BY received",
            (account, _utc(since)),
        )
        return [
            InboundMessage(
                r["key"],
                Person(r["sender"]) if r["sender"] else None,
                r["subject"],
                datetime.fromisoformat(r["received"]),
                reply_to=tuple(Person(a) for a in json.loads(r["reply_to"] or "[]")),
                thread=r["thread"] or "",
            )
            for r in rows
        ]

    # effects -----------------------------------------------------------------------------
    @_remembered
    def effects(self, account: str | None = None, interview_id: str | None = None) -> dict[str, EffectRecord]:
        query, args = "SELECT * FROM effects WHERE 1=1", []
        if account is not None:
            query += " AND account=?"
            args.append(account)
        if interview_id is not None:
            query += " AND interview_id=?"
            args.append(interview_id)
        return {row["key"]: _effect_record(row) for row in self._db.execute(query, args)}

    def journal(self, record: EffectRecord, now: datetime) -> None:
        """Write an effect's state durably (autocommit: the row is on disk when this returns)."""
        self._db.execute(
            "INSERT OR REPLACE INTO effects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.key,
                record.account,
                record.interview_id,
                record.step,
                record.kind,
                record.due.isoformat(),
                record.state.value,
                record.ref,
                record.fingerprint,
                record.content,
                record.message_id,
                now.isoformat(),
                record.thread,
            ),
        )

    @_remembered
    def our_message_ids(self, account: str) -> dict[str, str]:
        """The Message-IDs and provider thread ids of our drafts, each mapped to its interview."""
        rows = self._db.execute("SELECT message_id, thread, interview_id FROM effects WHERE account=?", (account,))
        found = {}
        for message_id, thread, interview in rows:
            found.update({name: interview for name in (message_id, thread) if name})
        return found

    # accounts ----------------------------------------------------------------------------
    def set_sign_in_problem(self, account: str, problem: str | None, now: datetime) -> None:
        """An account whose login was revoked or expired waits for the person to sign in again."""
        if problem is None:
            self._db.execute("DELETE FROM sign_in WHERE account=?", (account,))
        else:
            self._db.execute("INSERT OR IGNORE INTO sign_in VALUES (?, ?, ?)", (account, problem, now.isoformat()))

    def sign_in_problems(self) -> dict[str, str]:
        return {account: problem for account, (problem, _) in self.sign_in_since().items()}

    def sign_in_since(self) -> dict[str, tuple[str, datetime]]:
        rows = self._db.execute("SELECT account, problem, since FROM sign_in")
        return {row[0]: (row[1], datetime.fromisoformat(row[2])) for row in rows}

    # notices -----------------------------------------------------------------------------
    def shown_notices(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT key FROM notices")}

    def mark_shown(self, key: str, now: datetime) -> None:
        """A desktop notice is shown once, whatever passes and restarts follow."""
        self._db.execute("INSERT OR IGNORE INTO notices VALUES (?, ?)", (key, now.isoformat()))

    def all_bounces(self) -> dict[str, list[Bounce]]:
        found: dict[str, list[Bounce]] = {}
        for r in self._db.execute("SELECT interview_id, address, received, reason FROM bounces ORDER BY received"):
            found.setdefault(r["interview_id"], []).append(_bounce(r))
        return found


@contextlib.contextmanager
def exclusive(state_dir: Path) -> Iterator[None]:
    """One daemon per state directory: a second one refuses to start rather than race the first."""
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = os.open(state_dir / "lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode(errors="replace").strip() or "another process"
            raise UserError(
                f"interview-followup is already running on {state_dir} (pid {holder}); "
                "stop it first (`systemctl --user stop interview-followup`)."
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(handle)


def _utc(moment: datetime) -> str:
    """Timestamps compared or sorted in SQL must share one offset."""
    return moment.astimezone(timezone.utc).isoformat()


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value))


def _dumps(interview: Interview) -> str:
    return json.dumps(asdict(interview), default=_default)


def _person(data: dict[str, Any] | None) -> Person | None:
    return Person(**data) if data else None


def _loads(text: str) -> Interview:
    data = json.loads(text)
    event = data["event"]
    event = Event(
        **{
            **event,
            "start": datetime.fromisoformat(event["start"]),
            "end": datetime.fromisoformat(event["end"]),
            "organizer": _person(event["organizer"]),
            "attendees": tuple(Attendee(**a) for a in event["attendees"]),
        }
    )
    return Interview(
        **{
            **data,
            "event": event,
            "interviewers": tuple(Person(**p) for p in data["interviewers"]),
            "contacts": tuple(Person(**p) for p in data.get("contacts", [])),
            "coordinators": tuple(Person(**p) for p in data.get("coordinators", [])),
            "reasons": tuple(data["reasons"]),
            "decision_date": date.fromisoformat(data["decision_date"]) if data["decision_date"] else None,
        }
    )


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _bounce(row: sqlite3.Row) -> Bounce:
    return Bounce(row["address"], datetime.fromisoformat(row["received"]), row["reason"])


def _interview_record(row: sqlite3.Row) -> InterviewRecord:
    return InterviewRecord(
        interview=_loads(row["data"]),
        source=row["source"],
        first_seen=datetime.fromisoformat(row["first_seen"]),
        cancelled_at=_when(row["cancelled_at"]),
        stopped_at=_when(row["stopped_at"]),
        stop_reason=row["stop_reason"],
        user_note=row["user_note"],
        decision_date=date.fromisoformat(row["decision_date"]) if row["decision_date"] else None,
        away_until=date.fromisoformat(row["away_until"]) if row["away_until"] else None,
        language=row["language"],
        person_notes=json.loads(row["person_notes"] or "{}"),
        outcome=Answer(row["outcome"]) if row["outcome"] in Answer._value2member_map_ else None,
        outcome_confirmed=bool(row["outcome_confirmed"]),
    )


def _effect_record(row: sqlite3.Row) -> EffectRecord:
    return EffectRecord(
        key=row["key"],
        account=row["account"],
        interview_id=row["interview_id"],
        step=row["step"],
        kind=row["kind"],
        due=datetime.fromisoformat(row["due"]),
        state=State(row["state"]),
        ref=row["ref"],
        fingerprint=row["fingerprint"],
        content=row["content"],
        message_id=row["message_id"],
        thread=row["thread"],
    )
