"""Random days in a job search on each backend, checked after every step: no duplicate, nothing lost,
a human reply stops the follow-ups, and what the person changed is never touched."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from conftest import at, message
from interview_followup.store import State
from places import KINDS, Servers

COMPANIES = {"Acme": "Jane Doe:jane@acme.com", "Globex": "Hank Scorpio:hank@globex.com"}
EXAMPLES = {"local": 60, "imap": 8, "caldav": 5, "google": 8, "microsoft": 8}
"""The cloud fakes cost a few milliseconds a request: fewer days there, the same rules."""


class JobSearch(RuleBasedStateMachine):
    def __init__(self, servers: Servers, kind: str) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="ifu-invariants-"))
        self.place = servers.place(kind, self.root / "place")
        self.place.now = at("2026-11-16T08:00")
        self.invited: dict[int, tuple[str, datetime]] = {}
        self.edited: dict[str, str] = {}
        self.deleted_keys: set[str] = set()
        self.replies: dict[str, datetime] = {}
        self.passes_since: dict[str, int] = {}

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    @rule(company=st.sampled_from(sorted(COMPANIES)), days=st.integers(0, 6), hour=st.integers(8, 17))
    def schedule_interview(self, company: str, days: int, hour: int) -> None:
        number = len(self.invited) + 1
        self.invited[number] = (company, self.place.now.replace(hour=hour, minute=0) + timedelta(days=days))
        self.place.invite(number, company, COMPANIES[company], self.invited[number][1])

    @precondition(lambda self: self.invited)
    @rule(data=st.data())
    def cancel_interview(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(sorted(self.invited)))
        company, start = self.invited[number]
        self.place.invite(number, company, COMPANIES[company], start, cancelled=True)

    @rule(hours=st.integers(1, 24 * 12))
    def time_passes(self, hours: int) -> None:
        self.place.now += timedelta(hours=hours)

    @rule(company=st.sampled_from(sorted(COMPANIES)), human=st.booleans())
    def employer_writes(self, company: str, human: bool) -> None:
        sender = COMPANIES[company].replace(":", " <") + ">"
        now = self.place.now
        if human:
            self.place.receive(message(sender, "Re: Thank you", "Let's talk next week.", received=now))
            self.replies.setdefault(company, now)
            self.passes_since.setdefault(company, 0)
        else:
            headers = "Auto-Submitted: auto-replied\n"
            self.place.receive(message(sender, "Automatic reply", "I am out of the office.", headers, received=now))

    @precondition(lambda self: self.place.entries_by_key())
    @rule(data=st.data())
    def user_edits_an_entry(self, data: st.DataObject) -> None:
        entries = self.place.entries_by_key()
        key = data.draw(st.sampled_from(sorted(entries)))
        self.edited[key] = f"(my note) {entries[key][0]}"
        self.place.edit_entry(key, self.edited[key])

    @precondition(lambda self: self.place.drafts_by_key())
    @rule(data=st.data())
    def user_deletes_or_sends_a_draft(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.place.drafts_by_key())))
        self.deleted_keys.add(key)
        self.place.delete_draft(key)

    @rule()
    def a_pass_runs(self) -> None:
        self.place.cycle()
        for company in self.passes_since:
            self.passes_since[company] += 1

    @invariant()
    def nothing_duplicated(self) -> None:
        assert all(n == 1 for n in self.place.drafts_by_key().values())

    @invariant()
    def the_users_changes_win(self) -> None:
        entries = self.place.entries_by_key()
        for key, title in self.edited.items():
            assert key in entries and entries[key][0] == title, f"{title!r} was changed back or removed"
        assert self.deleted_keys.isdisjoint(self.place.drafts_by_key()), "a deleted draft came back"

    @invariant()
    def nothing_lost_and_a_reply_stops_what_is_ahead(self) -> None:
        if not (self.place.root / "state/state.sqlite3").exists():
            return
        with self.place.store() as store:
            effects = store.effects()
            interviews = {r.interview.id: r for r in store.interviews()}
        for record in interviews.values():
            company = (record.interview.employer or "").split(".")[0].title()
            replied = self.replies.get(company)
            if replied and self.passes_since[company] and record.interview.start <= replied and not record.cancelled_at:
                assert record.stopped_at is not None, f"the reply from {company} was missed"
        entries, drafts = self.place.entries_by_key(), self.place.drafts_by_key()
        for effect in effects.values():
            if effect.state is State.DONE:
                present = entries if effect.kind == "entry" else drafts
                assert effect.key in present or effect.key in self.deleted_keys, f"{effect.step} lost"
            stopped = interviews[effect.interview_id].stopped_at
            ahead = stopped and effect.kind == "entry" and effect.due > max(stopped, self.place.now)
            if ahead and effect.step not in ("thank_you_reminder", "references") and effect.key not in self.edited:
                assert effect.key not in entries, f"{effect.step} still ahead after the employer replied"


@pytest.mark.parametrize("kind", KINDS)
def test_a_job_search(kind: str, servers: Servers, tls: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls))
    run_state_machine_as_test(
        lambda: JobSearch(servers, kind),
        settings=settings(max_examples=EXAMPLES[kind], stateful_step_count=20, deadline=None),
    )
