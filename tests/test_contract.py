"""What every backend must do, one suite run against each (as vdirsyncer's storage tests run against every storage):
local files, IMAP on a real Dovecot (with a local calendar, and with its calendar on a real Radicale over CalDAV),
Google through its fake, Microsoft through its fake.

What only one backend has (Gmail's search index, Graph's batches, paging, throttling, sign-in)
is tested in that backend's own file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import at
from crash import kill_everywhere
from interview_followup import status
from interview_followup.store import State
from places import KINDS, START, LocalPlace, Place, Servers, recipients

FOLLOW_UPS = [
    "Check in again with Acme",
    "Check in again with Acme",
    "Check in with Acme",
    "Long-shot call back to Acme",
    "Send thank-you notes for Acme",
    "Tell your references about Acme",
]


@pytest.fixture(params=KINDS)
def place(request: pytest.FixtureRequest, servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Place]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(request.getfixturevalue("tls")))
    made = servers.place(request.param, tmp_path / "place")
    yield made
    if not isinstance(made, LocalPlace):
        assert made.fake.violations == [], "every request must be one the real API accepts"


def titles(place: Place) -> list[str]:
    return sorted(title for title, _ in place.entries_by_key().values())


def key_of(place: Place, title: str) -> str:
    return next(key for key, (found, _) in place.entries_by_key().items() if found == title)


def test_a_finished_interview_gets_a_draft_per_interviewer_and_its_follow_ups_once(place: Place) -> None:
    place.interview_ends()
    report = place.cycle()
    assert recipients(place) == ["jane.doe@acme.com", "raj.patel@acme.com"]
    assert titles(place) == FOLLOW_UPS
    assert any("new interview: Acme" in n for n in report.notices)
    assert place.cycle().actions == [], "a second pass makes nothing"
    assert sum(place.drafts_by_key().values()) == 2 and len(place.entries_by_key()) == 6


def test_nothing_is_made_before_the_interview_ends(place: Place) -> None:
    place.now = at("2026-11-17T10:30")
    place.interview_ends()
    assert place.cycle().actions == []
    assert not place.drafts_by_key() and not place.entries_by_key()


def test_the_employer_reply_removes_what_is_ahead_but_not_what_the_person_edited(place: Place) -> None:
    place.interview_ends()
    place.cycle()
    place.now = at("2026-11-20T09:00")
    place.edit_entry(key_of(place, "Check in with Acme"), "Call Jane about the offer")
    place.employer_replies()
    report = place.cycle()
    assert any("employer replied" in n for n in report.notices)
    assert titles(place) == ["Call Jane about the offer", "Send thank-you notes for Acme", "Tell your references about Acme"]
    assert sum(place.drafts_by_key().values()) == 2, "thank-you drafts stay"


def test_a_moved_interview_moves_its_follow_ups_and_a_cancelled_one_removes_those_ahead(place: Place) -> None:
    place.interview_ends()
    place.cycle()

    def check_in() -> str:
        return place.entries_by_key()[key_of(place, "Check in with Acme")][1]

    assert check_in() == "2026-11-27T18:00", "10:00 in Los Angeles, seven business days on, Thanksgiving skipped"
    place.interview_ends(start=at("2026-11-16T10:00"))  # the person corrects the date
    report = place.cycle()
    assert check_in() == "2026-11-25T18:00"
    assert [a.verb for a in report.actions].count("moved") == 4, "the four entries ahead, each in place"
    place.cancel()
    report = place.cycle()
    assert any("interview cancelled" in n for n in report.notices)
    assert titles(place) == ["Send thank-you notes for Acme", "Tell your references about Acme"], "only the same-day ones stay"


def test_cursors_the_provider_forgot_mean_a_full_listing_and_no_duplicates(place: Place) -> None:
    place.interview_ends()
    place.cycle()
    drafts = place.drafts_by_key()
    place.forget_cursors()
    place.cancel()
    report = place.cycle()
    assert any("interview cancelled" in n for n in report.notices), "the full listing shows the interview is gone"
    assert place.drafts_by_key() == drafts
    assert titles(place) == ["Send thank-you notes for Acme", "Tell your references about Acme"]


def test_an_answer_that_came_while_the_mail_cursor_was_forgotten_is_still_found(place: Place) -> None:
    place.interview_ends()
    place.cycle()
    place.now = at("2026-11-19T09:00")
    place.employer_replies("We'd like to move forward.")
    place.forget_cursors()
    assert any("employer replied" in n for n in place.cycle().notices)
    assert "Check in with Acme" not in titles(place)


def test_sent_thank_you_notes_are_noticed_and_the_reminder_to_send_them_goes(place: Place) -> None:
    place.interview_ends()
    place.cycle()
    place.send_drafts()
    place.now = at("2026-11-17T15:00")
    place.cycle()
    assert "Send thank-you notes for Acme" not in titles(place)
    assert "Tell your references about Acme" in titles(place)
    with place.store() as store:
        (item,) = status.overview(place.config(), store, place.now)
    assert {s["state"] for s in item["steps"] if s["step"] == "thank_you"} == {"sent"}
    assert place.cycle().actions == [], "nothing is made again"


def _ends(place: Place) -> None:
    place.interview_ends()


def _replied(place: Place) -> None:
    place.now = at("2026-11-18T09:00")
    place.employer_replies()


def _moved(place: Place) -> None:
    place.interview_ends(start=START.replace(day=16))


def _noted(place: Place) -> None:
    with place.store() as store:
        (record,) = store.interviews()
        store.set_note(record.interview.id, "We both race sailboats.", None, "fr")


def _lost(place: Place) -> None:
    """The person deleted a draft and an entry; then the state was lost."""
    place.delete_draft(sorted(place.drafts_by_key())[0])
    place.delete_entry(key_of(place, "Check in with Acme"))
    for path in (place.root / "state").glob("state.sqlite3*"):
        path.unlink()


PHASES: dict[str, list[Callable[[Place], None]]] = {
    "create": [_ends],
    "delete": [_ends, _replied],
    "update": [_ends, _moved],
    "rewrite": [_ends, _noted],
    "adopt": [_ends, _lost],
}


KILLED = [(kind, phase) for kind in KINDS for phase in sorted(PHASES) if (kind, phase) != ("caldav", "rewrite")]
"""Every backend in every phase; but a rewrite changes only drafts, which on `caldav` are the IMAP ones `imap` tests."""


@pytest.mark.parametrize(("kind", "phase"), KILLED)
def test_a_kill_at_any_effect_boundary_then_a_restart_ends_exactly_like_an_uninterrupted_run(
    servers: Servers, tmp_path: Path, tls: Path, monkeypatch: pytest.MonkeyPatch, kind: str, phase: str
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls))
    kill_everywhere(
        phase,
        lambda name: servers.place(kind, tmp_path / name),
        PHASES[phase],
        lambda place: (place.drafts_by_key(), place.entries_by_key(), place.draft_texts()),
        frozenset({State.DONE, State.DELETED, State.GONE}) if phase == "adopt" else frozenset({State.DONE, State.DELETED}),
    )
    if kind in ("google", "microsoft"):
        assert getattr(servers, kind).violations == []


def test_a_note_rewrites_the_thank_you_drafts_the_person_has_not_edited(place: Place) -> None:
    """A note added after the interview, when a person remembers what to say, reaches the drafts still as written."""
    place.interview_ends()
    place.cycle()
    edited, untouched = sorted(place.draft_texts())
    place.edit_draft(edited)
    with place.store() as store:
        (record,) = store.interviews()
        store.set_note(record.interview.id, "We both race sailboats on Lake Union.", None)
    report = place.cycle()
    after = place.draft_texts()
    assert "We both race sailboats on Lake Union." in after[untouched] and "[[ ADD A PERSONAL LINE" not in after[untouched]
    assert "sailboats" not in after[edited] and "Edited." in after[edited], "the person's edit wins"
    assert any(str(a).startswith("rewrote thank you") for a in report.actions)
    assert any("left alone because you changed it: draft thank you" in n for n in report.notices)
    assert sum(place.drafts_by_key().values()) == 2 and place.cycle().actions == []

    with place.store() as store:
        store.set_note(record.interview.id, None, None, "de")
    place.cycle()
    after = place.draft_texts()
    assert after[untouched].startswith("Guten Tag") and "sailboats" in after[untouched], "the language chosen for it"
    assert "Edited." in after[edited] and not after[edited].startswith("Guten Tag")


def test_losing_the_state_never_brings_back_what_the_person_deleted(place: Place) -> None:
    """A damaged disk, a home folder restored without ~/.local/state: the drafts and entries still there are
    adopted, and the draft and the entry the person had deleted are not made again."""
    place.interview_ends()
    place.cycle()
    kept_draft, deleted_draft = sorted(place.drafts_by_key())
    check_in = key_of(place, "Check in with Acme")
    place.delete_draft(deleted_draft)
    place.delete_entry(check_in)
    place.now = at("2026-11-18T09:00")
    for path in (place.root / "state").glob("state.sqlite3*"):
        path.unlink()
    dry = place.cycle(dry_run=True)
    assert dry.actions and all(str(a).startswith("would have found again") for a in dry.actions), "a dry run says so too"
    report = place.cycle()
    assert list(place.drafts_by_key()) == [kept_draft]
    assert check_in not in place.entries_by_key() and len(place.entries_by_key()) == 5
    assert sum(1 for a in report.actions if str(a).startswith("found again")) == 1 + 5, "the kept draft and the other entries"
    assert any("not made again, as you had removed it before the state was lost: draft thank_you" in n for n in report.notices)
    assert place.cycle().actions == [] and list(place.drafts_by_key()) == [kept_draft]
    with place.store() as store:
        (item,) = status.overview(place.config(), store, place.now)
    assert sorted({s["state"] for s in item["steps"] if s["step"] == "thank_you"}) == ["in your Drafts", "sent or deleted by you"]


def test_a_first_install_after_an_interview_still_makes_its_drafts(place: Place) -> None:
    """Nothing of ours at the provider: a first install, not a lost state, so the catch-up rules apply."""
    place.interview_ends()
    place.now = at("2026-11-18T09:00")
    place.cycle()
    assert sum(place.drafts_by_key().values()) == 2


def test_traces_of_deletion_tell_a_lost_state_even_when_nothing_of_ours_is_left(place: Place) -> None:
    """Every draft and entry deleted, then the state lost: Google keeps deleted events' ids, Outlook keeps
    deleted drafts in Deleted Items and mail programs move them to an IMAP Trash, so nothing is made again
    there. Plain files keep no trace: that is the limit README states, and the local backend makes the
    steps still due again."""
    place.interview_ends()
    place.cycle()
    for key in list(place.drafts_by_key()):
        place.delete_draft(key)
    for key in list(place.entries_by_key()):
        place.delete_entry(key)
    for path in (place.root / "state").glob("state.sqlite3*"):
        path.unlink()
    place.cycle()
    remade = sum(place.drafts_by_key().values()), len(place.entries_by_key())
    assert remade == ((2, 6) if place.kind == "local" else (0, 0)), "an IMAP Trash keeps a deleted draft's trace"
