"""Random days in a job search, checked after every pass: no duplicate, nothing lost,
a human reply stops the follow-ups, and what the user changed is never touched."""

from __future__ import annotations

import email
import email.policy
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from conftest import World, at, message, vevent
from interview_followup.store import State

COMPANIES = {"acme": "Jane Doe:jane@acme.com", "globex": "Hank Scorpio:hank@globex.com"}


class JobSearch(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="ifu-invariants-"))
        for sub in ("calendar", "Mail/INBOX/new", "Mail/INBOX/cur", "Mail/INBOX/tmp"):
            (self.root / sub).mkdir(parents=True)
        self.world = World(self.root, at("2026-11-16T08:00"))
        self.events: dict[str, str] = {}
        self.edited: dict[Path, str] = {}
        self.deleted_keys: set[str] = set()
        self.replies: dict[str, datetime] = {}
        self.passes_since: dict[str, int] = {}
        self.counter = 0

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _write(self) -> None:
        self.world.write_calendar(*self.events.values())

    @rule(company=st.sampled_from(sorted(COMPANIES)), days=st.integers(0, 6), hour=st.integers(8, 17))
    def schedule_interview(self, company: str, days: int, hour: int) -> None:
        self.counter += 1
        start = self.world.now.replace(hour=hour, minute=0) + timedelta(days=days)
        person = COMPANIES[company]
        uid = f"iv-{self.counter}@{company}.com"
        self.events[uid] = vevent(uid, start, summary=f"Interview with {company.title()}", organizer=person, attendees=(person,))
        self._write()

    @precondition(lambda self: self.events)
    @rule(data=st.data())
    def cancel_interview(self, data: st.DataObject) -> None:
        uid = data.draw(st.sampled_from(sorted(self.events)))
        self.events[uid] = self.events[uid].replace("END:VEVENT", "STATUS:CANCELLED\nEND:VEVENT")
        self._write()

    @rule(hours=st.integers(1, 24 * 12))
    def time_passes(self, hours: int) -> None:
        self.world.now += timedelta(hours=hours)

    @rule(company=st.sampled_from(sorted(COMPANIES)), human=st.booleans())
    def employer_writes(self, company: str, human: bool) -> None:
        sender = COMPANIES[company].replace(":", " <") + ">"
        if human:
            self.world.deliver(message(sender, "Re: Thank you", "Let's talk next week.", received=self.world.now))
            self.replies.setdefault(company, self.world.now)
            self.passes_since.setdefault(company, 0)
        else:
            headers = "Auto-Submitted: auto-replied\n"
            self.world.deliver(message(sender, "Automatic reply", "I am out of the office.", headers, received=self.world.now))

    @precondition(lambda self: self.world.entries())
    @rule(data=st.data())
    def user_edits_an_entry(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(self.world.entries()))
        text = path.read_text().replace("SUMMARY:", "SUMMARY:(my note) ", 1)
        path.write_text(text)
        self.edited[path] = text

    @precondition(lambda self: self.world.drafts())
    @rule(data=st.data())
    def user_deletes_or_sends_a_draft(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(self.world.drafts()))
        self.deleted_keys.add(path.name.split(".")[1])
        path.unlink()

    @rule()
    def a_pass_runs(self) -> None:
        self.world.cycle()
        for company in self.passes_since:
            self.passes_since[company] += 1

    @invariant()
    def nothing_duplicated(self) -> None:
        keys = []
        for path in self.world.drafts():
            parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            keys.append(str(parsed["X-Interview-Followup-Key"]))
        assert len(keys) == len(set(keys))

    @invariant()
    def the_users_changes_win(self) -> None:
        for path, text in self.edited.items():
            assert path.exists() and path.read_text() == text, f"{path.name} was changed back or removed"
        assert not any(p.name.split(".")[1] in self.deleted_keys for p in self.world.drafts()), "a deleted draft came back"

    @invariant()
    def nothing_lost_and_a_reply_stops_what_is_ahead(self) -> None:
        if not (self.root / "state/state.sqlite3").exists():
            return
        with self.world.store() as store:
            effects = store.effects()
            interviews = {r.interview.id: r for r in store.interviews()}
            stops = {r.interview.id: r.stopped_at for r in interviews.values()}
        for record in interviews.values():
            company = (record.interview.employer or "").split(".")[0]
            replied = self.replies.get(company)
            if replied and self.passes_since[company] and record.interview.start <= replied and not record.cancelled_at:
                assert record.stopped_at is not None, f"the reply from {company} was missed"
        entries = {p.stem for p in self.world.entries()}
        drafts = {p.name.split(".")[1] for p in self.world.drafts()}
        for effect in effects.values():
            if effect.state is State.DONE:
                present = entries if effect.kind == "entry" else drafts
                assert effect.key in present or effect.key in self.deleted_keys, f"{effect.step} lost"
            stopped = stops.get(effect.interview_id)
            edited = any(p.stem == effect.key for p in self.edited)
            ahead = stopped and effect.kind == "entry" and effect.due > max(stopped, self.world.now)
            if ahead and effect.step not in ("thank_you_reminder", "references") and not edited:
                assert effect.key not in entries, f"{effect.step} still ahead after the employer replied"


JobSearch.TestCase.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)
test_a_job_search = JobSearch.TestCase
