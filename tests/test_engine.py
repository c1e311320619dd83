"""The product path on the local backend: what a person finds in Drafts and in the calendar folder."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta

import pytest

from conftest import DATA, ME, World, at, message, vevent
from interview_followup import status, steps
from interview_followup.config import EntryStep
from interview_followup.errors import UserError
from interview_followup.model import Answer, Kind
from interview_followup.steps import StepRow
from interview_followup.store import State, exclusive

INTERVIEW = vevent("iv-1@acme.com", at("2026-11-17T10:00"), summary="Acme - Interview for Platform Engineer")


def drafts_by_recipient(world: World) -> dict[str, email.message.EmailMessage]:
    found = {}
    for path in world.drafts():
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found[str(parsed["To"].addresses[0].addr_spec)] = parsed
    return found


def test_after_the_interview_each_interviewer_gets_a_draft_and_the_calendar_gets_the_sequence(world: World) -> None:
    world.write_calendar(INTERVIEW)
    report = world.cycle()

    drafts = drafts_by_recipient(world)
    assert sorted(drafts) == ["jane.doe@acme.com", "raj.patel@acme.com"]
    jane = drafts["jane.doe@acme.com"]
    assert jane["From"].addresses[0].addr_spec == ME
    assert jane["X-Interview-Followup-Key"]
    assert jane["Message-ID"].startswith("<if.")
    assert "Dear Jane" in jane.get_content() or "Jane" in jane.get_content()
    assert "Platform Engineer" in jane["Subject"] + jane.get_content()
    assert drafts["jane.doe@acme.com"]["Subject"] != drafts["raj.patel@acme.com"]["Subject"], "colleagues get different wording"
    assert all(p.name.endswith(":2,D") for p in world.drafts()), "Maildir draft flag"

    titles = world.entry_titles()
    assert titles == sorted(
        [
            "Send thank-you notes for Acme",
            "Tell your references about Acme",
            "Check in with Acme",
            "Check in again with Acme",
            "Check in again with Acme",
            "Long-shot call back to Acme",
        ]
    )
    assert any("new interview" in n for n in report.notices)


def test_check_ins_land_on_business_days_at_the_configured_hour(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    with world.store() as store:
        effects = store.effects()
    first = next(e for e in effects.values() if e.step == "first_check_in")
    local = first.due.astimezone(at("2026-11-17T00:00").tzinfo)
    # 7 business days after Tue 17 Nov; the time zone's country (US) gives the holidays: Thanksgiving is skipped
    assert (local.date(), local.hour) == (date(2026, 11, 27), 10)


def test_holidays_can_be_switched_off(world: World) -> None:
    world.extra_config = "playbook: {}\n"
    text = world.config_text().replace("timezone: America/Los_Angeles", "timezone: America/Los_Angeles\n  holidays: none")
    world.config_path.write_text(text)
    world.write_calendar(INTERVIEW)
    world.cycle()
    with world.store() as store:
        first = next(e for e in store.effects().values() if e.step == "first_check_in")
    assert first.due.astimezone(at("2026-11-17T00:00").tzinfo).date() == date(2026, 11, 26)  # weekends only


def test_an_out_of_office_reply_changes_nothing(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    entries = world.entry_titles()
    world.now = at("2026-11-18T09:00")
    world.deliver(
        message(
            "Jane Doe <jane.doe@acme.com>",
            "Automatic reply: Thank you",
            "I am out of the office until Monday.",
            "Auto-Submitted: auto-replied\n",
            received=world.now,
        )
    )
    report = world.cycle()
    assert world.entry_titles() == entries
    assert not any("stopped" in n for n in report.notices)


def test_a_human_reply_from_the_employer_removes_upcoming_follow_ups_and_keeps_thank_you_drafts(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    drafts = [p.name for p in world.drafts()]
    world.now = at("2026-11-18T09:00")
    world.deliver(
        message("Kim Lo <kim.lo@careers.acme.com>", "Next steps", "We would like to invite you back.", received=world.now)
    )
    report = world.cycle()

    assert any("employer replied" in n for n in report.notices)
    assert [p.name for p in world.drafts()] == drafts
    assert world.entry_titles() == ["Send thank-you notes for Acme", "Tell your references about Acme"], (
        "only the past entries stay"
    )

    world.now = at("2026-12-18T09:30")
    world.cycle()
    assert [p.name for p in world.drafts()] == drafts, "the status e-mail draft is never made"


def test_mail_from_elsewhere_or_before_the_interview_does_not_stop_anything(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    world.now = at("2026-11-18T09:00")
    world.deliver(message("News <news@acme.com.evil.net>", "Hello", received=world.now))
    world.deliver(message("Jane Doe <jane.doe@acme.com>", "Looking forward to it", received=at("2026-11-16T09:00")))
    world.deliver(message(f"Sam Lee <{ME}>", "Re: Thank you", received=world.now))
    world.cycle()
    assert len(world.entries()) == 6


def test_the_status_email_draft_appears_when_due(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    world.now = at("2026-12-17T09:30")
    report = world.cycle()
    assert len(world.drafts()) == 3
    assert any(a.step == "status_email" for a in report.actions)
    status = [d for d in drafts_by_recipient(world).values() if "Checking in" in str(d["Subject"])]
    assert status and "Jane" in status[0].get_content()


def test_an_entry_the_user_edited_is_not_removed_when_the_employer_replies(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    edited = next(p for p in world.entries() if "SUMMARY:Check in with Acme" in p.read_text())
    edited.write_text(edited.read_text().replace("Check in with Acme", "Call Jane about the offer"))
    world.now = at("2026-11-18T09:00")
    report = world.cycle()
    assert report.actions == []
    world.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Great talking to you!", received=world.now))
    report = world.cycle()
    assert edited.exists()
    assert any("you changed it" in n for n in report.notices)


def test_a_draft_the_user_deleted_or_sent_is_not_made_again(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    world.drafts()[0].unlink()
    world.now += timedelta(hours=1)
    world.cycle()
    assert len(world.drafts()) == 1


def test_a_draft_whose_flags_the_mail_client_changed_is_still_recognised(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    for path in world.drafts():
        path.rename(path.with_name(path.name.replace(":2,D", ":2,DS")))
    world.now += timedelta(hours=1)
    world.cycle()
    assert len(world.drafts()) == 2


def test_a_decision_date_moves_the_first_check_in(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    with world.store() as store:
        store.set_note(store.interviews()[0].interview.id, None, date(2026, 12, 2))
    world.now += timedelta(hours=1)
    report = world.cycle()
    assert [a.verb for a in report.actions].count("moved") >= 1
    text = next(p for p in world.entries() if "SUMMARY:Check in with Acme" in p.read_text()).read_text()
    assert "DTSTART:20261203T180000Z" in text  # 10:00 in Los Angeles, one business day after 2 Dec


def test_a_moved_interview_moves_its_plan(world: World) -> None:
    world.write_calendar(vevent("iv-2@acme.com", at("2026-11-18T10:00")))
    world.cycle()
    world.write_calendar(vevent("iv-2@acme.com", at("2026-11-19T14:00")))
    world.now = at("2026-11-18T12:00")
    world.cycle()
    assert world.drafts() == [], "it has not happened yet"
    world.now = at("2026-11-19T15:30")
    world.cycle()
    assert len(world.drafts()) == 2
    assert any("DTSTART:20261120T020000Z" in p.read_text() for p in world.entries()), "reminder the same evening (18:00 LA)"


@pytest.mark.parametrize("change", ["cancel", "delete"])
def test_a_cancelled_or_deleted_interview_removes_what_has_not_happened(world: World, change: str) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    world.now = at("2026-11-18T09:00")
    if change == "cancel":
        world.write_calendar(INTERVIEW.replace("END:VEVENT", "STATUS:CANCELLED\nEND:VEVENT"))
    else:
        world.write_calendar()
    report = world.cycle()
    assert any("cancelled" in n for n in report.notices)
    assert world.entry_titles() == ["Send thank-you notes for Acme", "Tell your references about Acme"]
    assert len(world.drafts()) == 2


def test_a_broken_calendar_file_is_skipped_without_cancelling_anything(world: World) -> None:
    path = world.write_calendar(INTERVIEW)
    world.cycle()
    path.write_bytes(b"BEGIN:VCALENDAR\nthis is not\x00 icalendar\n")
    world.now += timedelta(hours=1)
    report = world.cycle()
    assert any("skipped" in n for n in report.notices)
    assert len(world.entries()) == 6
    with world.store() as store:
        assert store.interviews()[0].cancelled_at is None


def test_a_new_round_with_the_same_employer_supersedes_the_first(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    world.now = at("2026-11-19T09:00")
    round_two = vevent("iv-3@acme.com", at("2026-11-23T10:00"), summary="Acme - final round interview")
    world.write_calendar(INTERVIEW, round_two)
    world.cycle()
    assert world.entry_titles() == ["Send thank-you notes for Acme", "Tell your references about Acme"]
    world.now = at("2026-11-23T12:00")
    world.cycle()
    assert world.entry_titles().count("Check in with Acme") == 1
    assert len(world.drafts()) == 4


def test_hostile_event_text_stays_inert(world: World) -> None:
    hostile = vevent(
        "iv-evil@acme.com",
        at("2026-11-17T10:00"),
        summary="Interview for the {{ 7*7 }}{% for x in range(10**9) %}x{% endfor %} role\\nBcc: victim@evil.example",
        organizer="Jane\\nBcc: spy@evil.example:jane.doe@acme.com",
        attendees=("Jane:jane.doe@acme.com",),
        description="note: {{ config }}\n" + "A" * 1_000_000,
    )
    world.write_calendar(hostile)
    world.cycle()
    (draft,) = world.drafts()
    raw = draft.read_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None and b"spy@evil" not in raw and b"victim@evil" not in raw.split(b"\n\n")[0]
    assert b"{{ config }}" in raw, "event text is a value, never template source"
    assert "{{ 7*7 }}{% for x in range" in str(parsed["Subject"]), "the role is shown, not run"
    assert any("{{ 7*7 }}" in p.read_text() for p in world.entries())
    assert len(raw) < 20_000


def test_dry_run_changes_nothing(world: World) -> None:
    world.write_calendar(INTERVIEW)
    report = world.cycle(dry_run=True)
    assert report.actions and all(a.verb.startswith("would have") for a in report.actions)
    assert world.drafts() == [] and world.entries() == []
    assert world.cycle().actions, "the real pass still has everything to do"


def test_an_interview_found_long_after_it_ended_gets_no_stale_drafts(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.now = at("2026-11-27T12:00")
    world.cycle()
    assert world.drafts() == []
    assert "Check in again with Acme" in world.entry_titles() and "Send thank-you notes for Acme" not in world.entry_titles()


def test_a_second_daemon_on_the_same_state_refuses_to_run(world: World) -> None:
    with exclusive(world.root / "state"), pytest.raises(UserError, match="already running"), exclusive(world.root / "state"):
        pass


def test_state_files_are_private(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    state = world.root / "state"
    assert state.stat().st_mode & 0o777 == 0o700
    assert (state / "state.sqlite3").stat().st_mode & 0o777 == 0o600
    with world.store() as store:
        assert {e.state for e in store.effects().values()} == {State.DONE}


def test_the_reminder_to_send_thank_you_notes_goes_once_they_are_all_sent(world: World) -> None:
    sent = world.root / "Mail/Sent"
    for sub in ("new", "cur", "tmp"):
        (sent / sub).mkdir(parents=True)
    world.config_path.write_text(world.config_text().replace("    drafts:", f"    sent: {sent}\n    drafts:"))
    world.write_calendar(INTERVIEW)
    world.cycle()
    drafts = drafts_by_recipient(world)

    world.now = at("2026-11-17T13:00")
    jane = drafts["jane.doe@acme.com"]
    (sent / "cur" / "1795000000.jane:2,S").write_bytes(bytes(jane))  # sent unchanged: same Message-ID
    world.cycle()
    assert "Send thank-you notes for Acme" in world.entry_titles(), "one of two sent is not all"

    world.now = at("2026-11-17T14:00")
    reply = message(f"Sam Lee <{ME}>", "Thanks for today", received=world.now, to="Raj <raj.patel@acme.com>")
    (sent / "cur" / "1795000001.raj:2,S").write_bytes(reply)  # rewritten by the mail client: matched by recipient
    world.cycle()
    assert "Send thank-you notes for Acme" not in world.entry_titles()
    assert "Tell your references about Acme" in world.entry_titles()

    world.now = at("2026-11-17T15:00")
    assert world.cycle().actions == [], "the reminder is not made again"
    with world.store() as store:
        states = {e.step: e.state for e in store.effects().values() if e.step in ("thank_you", "thank_you_reminder")}
    assert states == {"thank_you": State.SENT, "thank_you_reminder": State.DELETED}


def test_a_reply_read_before_its_interview_reached_the_calendar_still_counts(world: World) -> None:
    """Mail and calendar sync separately (mbsync, vdirsyncer): the order they arrive in must not matter."""
    world.write_calendar(
        vevent("other@globex.com", at("2026-11-16T10:00"), summary="Interview with Globex", organizer="H:h@globex.com")
    )
    world.cycle()
    world.now = at("2026-11-18T09:00")
    world.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Can you come back Friday?", received=world.now))
    world.cycle()
    world.write_calendar(INTERVIEW)
    world.now = at("2026-11-18T09:30")
    report = world.cycle()
    assert any("employer replied" in n for n in report.notices)
    assert "Check in with Acme" not in world.entry_titles()


def test_an_interview_earlier_than_the_mail_read_so_far_still_sees_the_answer_to_it(world: World) -> None:
    """Mail is read back to a day before the earliest interview; one that comes to light later, earlier
    than all the others, makes the mailbox be read back to it (found by the state machine below)."""
    world.now = at("2026-11-17T12:00")
    world.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Can you come back Friday?", received=world.now))
    later = vevent("iv-2@acme.com", at("2026-11-20T10:00"), summary="Acme - second interview")
    world.write_calendar(later)
    world.cycle()
    world.write_calendar(INTERVIEW, later)
    report = world.cycle()
    assert any("employer replied" in n and "Tue 17 Nov" in n for n in report.notices), report.notices


def test_the_first_reply_in_a_pass_sets_the_stop_and_is_reported_once(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.now = at("2026-11-19T09:00")
    world.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Talk Monday?", received=at("2026-11-18T08:00")))
    world.deliver(message("Raj Patel <raj.patel@acme.com>", "Re: Thanks", "Likewise!", received=at("2026-11-19T08:00")))
    report = world.cycle()  # interview and both replies arrive in one pass
    assert len([n for n in report.notices if "employer replied" in n]) == 1
    with world.store() as store:
        (record,) = store.interviews()
    assert record.stopped_at == at("2026-11-18T08:00")


def check_in_days(world: World) -> list[date]:
    with world.store() as store:
        effects = store.effects().values()
    zone = at("2026-11-17T00:00").tzinfo
    return sorted(e.due.astimezone(zone).date() for e in effects if "check_in" in e.step and e.state is State.DONE)


def test_an_out_of_office_reply_with_a_return_date_moves_the_check_ins_after_it(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    assert check_in_days(world) == [date(2026, 11, 27), date(2026, 12, 4), date(2026, 12, 11)]
    world.now = at("2026-11-18T09:00")
    ooo = message(
        "Jane Doe <jane.doe@acme.com>",
        "Automatic reply: Thank you",
        "I'm out of the office until 1 December with limited access to email.",
        "Auto-Submitted: auto-replied\n",
        received=world.now,
    )
    world.deliver(ooo)
    report = world.cycle()
    assert check_in_days(world) == [date(2026, 12, 2), date(2026, 12, 9), date(2026, 12, 16)]  # spacing kept
    assert any("out of office until Tue 01 Dec" in n for n in report.notices)
    assert "Check in with Acme" in world.entry_titles(), "moved, not removed"
    with world.store() as store:
        item = status.overview(world.config(), store, world.now)[0]
    assert item["away_until"] == "2026-12-01" and item["phase"] == "following up"


def test_a_returned_thank_you_note_is_shown_in_status_and_stops_nothing(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    entries = world.entry_titles()
    world.now = at("2026-11-23T12:00")
    world.deliver((DATA / "mail/ours/dsn-thank-you.eml").read_bytes())
    report = world.cycle()
    assert world.entry_titles() == entries
    assert any("mail to jane.doe@acme.com bounced" in n for n in report.notices)
    with world.store() as store:
        item = status.overview(world.config(), store, world.now)[0]
    assert [b["address"] for b in item["bounced"]] == ["jane.doe@acme.com"]
    jane = next(s for s in item["steps"] if s["to"] == "jane.doe@acme.com")
    assert "bounced: check the address" in jane["state"]
    assert "bounced: jane.doe@acme.com" in status.text([item])


def test_an_invitation_to_another_round_stops_the_sequence_and_says_why(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    world.now = at("2026-11-23T12:00")
    world.deliver((DATA / "mail/ours/invite-next-round.eml").read_bytes())
    world.cycle()
    assert world.entry_titles() == ["Send thank-you notes for Acme", "Tell your references about Acme"]
    with world.store() as store:
        item = status.overview(world.config(), store, world.now)[0]
    assert item["phase"] == "employer replied"
    assert "invited to another interview" in item["why_stopped"] and "jane.doe@acme.com" in item["why_stopped"]


def test_mail_from_the_employers_newsletter_or_a_receipt_stops_nothing(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    entries = world.entry_titles()
    world.now = at("2026-11-23T12:00")
    for name in ("employer-newsletter.eml", "accepted-en.eml", "receipt-de.eml", "dsn-delayed.eml"):
        raw = (DATA / f"mail/ours/{name}").read_bytes().replace(b"acme.de", b"acme.com")
        world.deliver(raw)
    world.cycle()
    assert world.entry_titles() == entries


def test_new_detection_rules_judge_the_events_already_seen_again(world: World) -> None:
    world.write_calendar(vevent("iv@acme.com", at("2026-11-17T10:00"), summary="Kennenlernen Acme"))
    world.cycle()
    assert world.drafts() == []
    world.config_path.write_text(world.config_text() + "detection:\n  keywords: [kennenlernen]\n")
    world.cycle()
    assert len(world.drafts()) == 2, "the unchanged calendar was read again with the new keyword"


def test_a_new_step_is_one_row_and_one_template(world: World) -> None:
    """A LinkedIn reminder the day after: no schedule code, no config schema, no engine change."""
    folder = world.root / "templates"
    folder.mkdir()
    (folder / "linkedin.txt").write_text("Invite {% for c in contacts %}{{ c.label }} {% endfor %}to connect on LinkedIn.\n")
    world.extra_config = f"playbook:\n  templates: {folder}\n"
    title = "Connect with the {{ company }} interviewers on LinkedIn"
    linkedin = StepRow(
        "linkedin", Kind.ENTRY, steps.a_reminder_later, "linkedin", ("linkedin.txt",), EntryStep(after="1 day", title=title)
    )
    world.write_calendar(INTERVIEW)
    report = world.cycle(table=(*steps.STEPS, linkedin))
    assert "created linkedin (Acme): entry 'Connect with the Acme interviewers on LinkedIn' on Wed 18 Nov 2026 10:00" in map(
        str, report.actions
    )
    (entry,) = (p.read_text() for p in world.entries() if "LinkedIn" in p.read_text())
    assert "Invite Jane Doe <jane.doe@acme.com> Raj Patel <raj.patel@acme.com> to connect" in entry.replace("\n ", "")


def test_a_phone_number_in_an_interviewers_signature_reaches_the_check_ins(world: World) -> None:
    world.now = at("2026-11-16T15:00")
    world.write_calendar(INTERVIEW)
    signed = "See you tomorrow at ten.\n\nBest,\nJane Doe\nHead of Platform | Acme\nMobile: +1 206 555 0134\n\n> Hi Jane"
    world.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Tomorrow", signed, received=world.now))
    report = world.cycle()
    assert "phone number of jane.doe@acme.com from their mail signature: +1 206-555-0134" in report.notices
    world.now = at("2026-11-17T12:00")
    world.cycle()
    check_in = next(p.read_text() for p in world.entries() if "SUMMARY:Check in with Acme" in p.read_text())
    assert "Jane Doe <jane.doe@acme.com> (+1 206-555-0134)" in check_in.replace("\r\n ", "")
    assert world.cycle().actions == [], "learned once"


def test_a_two_day_onsite_as_one_recurring_event_thanks_each_interviewer_once(world: World) -> None:
    """Day one with Jane and Raj, day two the same series: one thank-you each, after the last day, and one set of check-ins."""
    onsite = vevent("onsite@acme.com", at("2026-11-17T10:00"), extra="RRULE:FREQ=DAILY;COUNT=2")
    world.write_calendar(onsite)
    world.now = at("2026-11-17T12:00")
    assert [a for a in map(str, world.cycle().actions) if "thank you " in a] == [], "the interview goes on tomorrow"
    world.now = at("2026-11-18T12:00")
    world.cycle()
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in world.drafts()]
    recipients = [m["To"].addresses[0].addr_spec for m in messages]
    assert sorted(recipients) == ["jane.doe@acme.com", "raj.patel@acme.com"]
    assert world.entry_titles().count("Check in with Acme") == 1
    with world.store() as store:
        phases = sorted(item["phase"] for item in status.overview(world.config(), store, world.now))
    assert phases == ["continues on a later day", "following up"]
    assert world.cycle().actions == []


def test_messages_are_forgotten_once_past_the_look_back_window(world: World) -> None:
    """The table of messages seen stays bounded: a pass that reads mail forgets what can no longer answer."""
    world.write_calendar(vevent("iv-1@acme.com", at("2026-11-17T10:00")))
    world.deliver(message("News <news@example.org>", "Digest", received=at("2026-11-17T11:00")))
    world.cycle()
    with world.store() as store:
        assert store._db.execute("SELECT count(*) FROM messages").fetchone()[0] == 1
    world.now = at("2027-03-20T09:00")  # past the look-back window and the week after it
    world.write_calendar(vevent("iv-2@acme.com", at("2027-03-19T10:00")))
    world.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", received=world.now))
    world.cycle()
    with world.store() as store:
        subjects = [row[0] for row in store._db.execute("SELECT subject FROM messages")]
    assert subjects == ["Re: Thank you"]


def test_an_answer_suggests_an_outcome_and_what_the_person_says_wins(world: World) -> None:
    world.write_calendar(INTERVIEW)
    world.cycle()
    world.now = at("2026-11-20T09:00")
    answer = message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Unfortunately we went another way.", received=world.now)
    world.deliver(answer)
    report = world.cycle()
    assert any("it reads as: rejected" in n for n in report.notices), report.notices
    with world.store() as store:
        (record,) = store.interviews()
        assert (record.outcome, record.outcome_confirmed) == (Answer.REJECTED, False)
        store.set_outcome(record.interview.id, Answer.NEXT_ROUND, confirmed=True)
        store.set_outcome(record.interview.id, Answer.REJECTED, confirmed=False)
        (record,) = store.interviews()
        assert (record.outcome, record.outcome_confirmed) == (Answer.NEXT_ROUND, True), "a suggestion never overrides the person"
