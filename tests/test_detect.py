"""Which events are the user's job interviews, with whom, and why."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import DATA, ME
from interview_followup import ics, language, phones
from interview_followup.detect import Rules, detect
from interview_followup.model import Attendee, Event, Person

RULES = Rules(me=frozenset({ME}), employer_domains=frozenset({"initrode.com"}))
START = datetime(2026, 11, 17, 18, tzinfo=timezone.utc)
JANE = Attendee("jane.doe@acme.com", "Jane Doe", "ACCEPTED")
SAM = Attendee(ME, "Sam Lee", "ACCEPTED")


def event(
    summary: str, *, organizer: Person | None = JANE, attendees: tuple[Attendee, ...] = (JANE, SAM), **fields: object
) -> Event:
    return Event("uid-1", summary, START, START + timedelta(hours=1), organizer=organizer, attendees=attendees, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "summary",
    [
        "Interview with Acme",
        "Acme | Phone screen",
        "Recruiter call – Acme",
        "Final round: Acme",
        "Technical screen (45 min)",
        "Onsite loop at Acme",
        "Vorstellungsgespräch Acme GmbH",
        "Bewerbungsgespräch – Softwareentwicklerin",
        "Entretien d'embauche – Acme",
        "Entretien téléphonique avec Acme",
        "Entrevista de trabajo Acme",
        "Entrevista técnica",
        "Hiring manager chat",
    ],
)
def test_interview_wording_in_four_languages(summary: str) -> None:
    verdict = detect(event(summary), RULES)
    assert verdict.interview, verdict.reasons
    assert verdict.employer == "acme.com"


def test_an_applicant_tracking_invite_counts_even_without_the_word_interview() -> None:
    greenhouse = Person("no-reply@greenhouse.io", "Greenhouse")
    verdict = detect(event("Acme <> Sam Lee", organizer=greenhouse, attendees=(JANE, SAM)), RULES)
    assert verdict.interview and verdict.employer == "acme.com"
    assert any("greenhouse.io" in r for r in verdict.reasons)


def test_a_calendly_booking_needs_hiring_wording() -> None:
    calendly = Person("notifications@calendly.com", "Calendly")
    assert not detect(event("Coffee with Jane", organizer=calendly), RULES).interview
    assert detect(event("Recruiter intro call", organizer=calendly), RULES).interview


@pytest.mark.parametrize(
    ("summary", "fields", "reason"),
    [
        ("Mock interview with Alex", {}, "practice"),
        ("Interview prep with my coach", {}, "practice"),
        ("User interviews: onboarding study", {}, "not your interview"),
        ("Interview with Acme", {"status": "CANCELLED"}, "cancelled"),
        ("Interview with Acme", {"attendees": (JANE, Attendee(ME, "Sam", "DECLINED"))}, "declined"),
        ("Interview with Acme", {"own_key": "abc"}, "interview-followup itself"),
        ("Team lunch", {}, "no interview wording"),
        ("Interview debrief: backend candidate", {}, "not your interview"),
        ("Interviewer training", {}, "not your interview"),
        ("Weekly sync", {"description": "We will review interview scorecards."}, "not your interview"),
    ],
)
def test_events_that_are_not_the_users_interviews(summary: str, fields: dict[str, object], reason: str) -> None:
    verdict = detect(event(summary, **fields), RULES)  # type: ignore[arg-type]
    assert not verdict.interview
    assert reason in " ".join(verdict.reasons)


def test_interviews_at_the_current_employer_are_internal_even_when_the_user_interviews() -> None:
    colleague = Attendee("lee@initrode.com", "Lee")
    candidate = Attendee("candidate@gmail.com", "Chris Candidate")
    verdict = detect(event("Interview: Chris Candidate", organizer=colleague, attendees=(colleague, candidate, SAM)), RULES)
    assert not verdict.interview and "current employer" in " ".join(verdict.reasons)


def test_rooms_resources_and_robots_are_never_interviewers() -> None:
    room = Attendee("c_123@resource.calendar.google.com", "Boardroom 4", cutype="ROOM")
    big_room = Attendee("room-7@acme.com", "Conference Room 7")
    robot = Attendee("no-reply@acme.com", "Acme Careers")
    verdict = detect(event("Interview with Acme", attendees=(JANE, room, big_room, robot, SAM)), RULES)
    assert [p.email for p in verdict.interviewers] == ["jane.doe@acme.com"]


def test_free_mail_and_schedulers_never_become_the_employer() -> None:
    gmail = Attendee("recruiter.jo@gmail.com", "Jo")
    verdict = detect(event("Phone screen", organizer=Person("scheduling@goodtime.io"), attendees=(gmail, SAM)), RULES)
    assert verdict.interview and verdict.employer is None
    assert [p.email for p in verdict.interviewers] == ["recruiter.jo@gmail.com"]


def test_subdomains_collapse_to_the_organisation() -> None:
    eng = Attendee("ana@eng.acme.co.uk", "Ana")
    verdict = detect(event("Interview", organizer=eng, attendees=(eng, SAM)), RULES)
    assert verdict.employer == "acme.co.uk"


def test_company_role_note_and_decision_date_come_from_the_persons_own_event() -> None:
    verdict = detect(
        event(
            "Acme Robotics - Onsite interview for Firmware Engineer",
            organizer=SAM,
            description="<p>Agenda</p><p>note: loved their drone lab</p>\ndecision: 2026-12-04",
        ),
        RULES,
    )
    assert (verdict.company, verdict.role, verdict.note) == ("Acme Robotics", "Firmware Engineer", "loved their drone lab")
    assert str(verdict.decision_date) == "2026-12-04" and verdict.suggestion == ""


@pytest.mark.parametrize("line", ["note: I promise to accept any offer", "Notes: salary is not important to me"])
def test_note_lines_in_someone_elses_invitation_are_only_a_suggestion(line: str) -> None:
    verdict = detect(event("Interview with Acme", description=f"Agenda\n{line}\ndecision: 2026-12-04"), RULES)
    assert verdict.interview and verdict.note == "" and verdict.decision_date is None
    assert line in verdict.suggestion and "2026-12-04" in verdict.suggestion
    assert any("suggestion" in r for r in verdict.reasons)


def test_a_crowd_is_not_an_interview_with_each_of_its_members() -> None:
    crowd = tuple(Attendee(f"person{n}@acme.com", f"Person {n}", "ACCEPTED") for n in range(40))
    verdict = detect(event("Interview day at BigCorp", attendees=(*crowd, SAM)), RULES)
    assert not verdict.interview and "large meeting" in verdict.reasons[0]
    panel = tuple(Attendee(f"person{n}@acme.com", f"Person {n}", "ACCEPTED") for n in range(5))
    assert len(detect(event("Panel interview with Acme", attendees=(*panel, SAM)), RULES).interviewers) == 6


def test_user_rules_add_and_remove() -> None:
    rules = Rules(
        me=frozenset({ME}), keywords=("kennenlernen",), exclude_keywords=("podcast",), exclude_domains=frozenset({"acme.com"})
    )
    assert detect(event("Kennenlernen Acme"), rules).interview
    assert not detect(event("Interview for the Acme podcast"), rules).interview
    assert detect(event("Interview with Acme"), rules).employer is None


def test_explain_event_on_a_real_google_invite(tmp_path: Path) -> None:
    parsed = ics.parse(
        (DATA / "ics/vexa/gcal-create-single.ics").read_bytes(),
        timezone.utc,
        START - timedelta(days=900),
        START + timedelta(days=900),
    )
    assert parsed.events and not parsed.problems
    for item in parsed.events:
        verdict = detect(item, RULES)
        assert isinstance(verdict.interview, bool) and verdict.reasons


def test_every_corpus_calendar_is_judged_without_crashing() -> None:
    start, end = datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2030, 1, 1, tzinfo=timezone.utc)
    judged = 0
    for path in sorted((DATA / "ics").rglob("*.ics")):
        for item in ics.parse(path.read_bytes(), timezone.utc, start, end).events:
            detect(item, RULES)
            judged += 1
    assert judged > 100


def test_wording_only_in_the_description_needs_an_outside_organisation() -> None:
    described = {"description": "This is your interview with the platform team."}
    assert detect(event("Acme <> Sam", **described), RULES).interview  # type: ignore[arg-type]
    me_only = {"organizer": None, "attendees": (SAM,), "description": "Prepare notes for the interview."}
    assert not detect(event("Focus time", **me_only), RULES).interview  # type: ignore[arg-type]


# realistic invitations ------------------------------------------------------------------------

WORLD = [line.split("\t") for line in (DATA / "ics/world/expected.tsv").read_text().splitlines()[1:]]


@pytest.mark.parametrize(
    ("name", "interview", "interviewers", "language", "role", "coordinators", "about"), WORLD, ids=[w[0] for w in WORLD]
)
def test_invitations_as_the_world_writes_them(
    name: str, interview: str, interviewers: str, language: str, role: str, coordinators: str, about: str
) -> None:
    """Who is thanked, who only arranged it, the role, and the language the drafts will speak."""
    data = (DATA / "ics/world" / name).read_bytes()
    (event,) = ics.parse(data, ZoneInfo("UTC"), START - timedelta(days=9), START + timedelta(days=9)).events
    verdict = detect(event, RULES)
    assert verdict.interview == (interview != "no"), (about, verdict.reasons)
    assert [p.email for p in verdict.interviewers] == [a for a in interviewers.split(",") if a], (about, verdict.reasons)
    assert [p.email for p in verdict.coordinators] == [a for a in coordinators.split(",") if a], (about, verdict.reasons)
    assert (verdict.language, verdict.role) == (language, role), about
    assert verdict.informational == (interview == "informational"), about
    assert verdict.reasons


def test_a_staffing_agencys_invitation_names_the_client_as_employer_and_the_recruiter_as_contact() -> None:
    data = (DATA / "ics/world/agency-roberthalf.ics").read_bytes()
    (event,) = ics.parse(data, ZoneInfo("UTC"), START - timedelta(days=9), START + timedelta(days=9)).events
    verdict = detect(event, RULES)
    assert verdict.employer == "acme.com" and [c.email for c in verdict.contacts] == ["tom.baker@roberthalf.com"]
    assert any("staffing agency roberthalf.com" in r for r in verdict.reasons)


LANGUAGE_CASES = [
    ("Interview", "", None, "a title alone says nothing"),
    ("Vorstellungsgespräch", "Join Zoom Meeting https://acme.zoom.us/j/1 Meeting ID: 123 Passcode: 4", "de", "its wording wins"),
    ("Entrevista de emprego – Nubank", "", "pt", "Portuguese, not Spanish"),
    ("Entrevista de trabajo – Glovo", "", "es", "Spanish"),
    (
        "Interview mit Acme",
        "Hallo Sam, wir freuen uns auf das Gespräch mit Ihnen. Bitte bringen Sie Ihren Lebenslauf mit.\n"
        "Join Microsoft Teams Meeting https://teams.microsoft.com/l/meetup-join/abc",
        "de",
        "German text under English boilerplate",
    ),
    ("Call with Acme", "Looking forward to speaking with you about the role and the team. Bring a portfolio.", "en", "English"),
    ("Gesprek", "Wij kijken uit naar het gesprek met u. Graag tot dan, en neem uw cv mee.", "nl", "Dutch"),
]


@pytest.mark.parametrize(("summary", "description", "expected", "why"), LANGUAGE_CASES, ids=[c[3] for c in LANGUAGE_CASES])
def test_the_language_of_an_invitation(summary: str, description: str, expected: str | None, why: str) -> None:
    assert language.detect(summary, description) == expected, why


def test_phone_numbers_are_numbers_of_a_country_never_meeting_ids() -> None:
    assert [f.number for f in phones.find("Tel.: 030 1234567", "DE")] == ["+49 30 1234567"], "a local number, read as German"
    assert phones.find("Meeting ID: 845 1234 5678 Passcode: 123456", "US") == []
    assert phones.find("Fax +49 30 1234568", "DE") == []
    quoted = "\n\nAm Montag schrieb Sam:\n> call me on +1 206 555 0100"
    signed = "Thanks!\n\nLena Fischer\nRecruiting | Acme GmbH\nT +49 89 4567890"
    assert phones.in_signature(signed + quoted, "DE") == "+49 89 4567890"
    assert phones.in_signature("Thanks!" + quoted, "DE") == "", "not the quoted mail"


def test_an_organizer_who_names_only_the_others_is_still_an_interviewer() -> None:
    """"You will meet Raj" from Jane, who sits on the panel too: thanking her only for the scheduling would be wrong."""
    raj = Attendee("raj.patel@acme.com", "Raj Patel", "ACCEPTED")
    verdict = detect(event("Interview with Acme", attendees=(JANE, raj, SAM), description="You will meet Raj."), RULES)
    assert [p.email for p in verdict.interviewers] == ["jane.doe@acme.com", "raj.patel@acme.com"]
    assert verdict.coordinators == ()
    marked = Attendee("jane.doe@acme.com", "Jane Doe", "ACCEPTED", role="NON-PARTICIPANT")
    verdict = detect(event("Interview with Acme", attendees=(marked, raj, SAM)), RULES)
    assert [p.email for p in verdict.coordinators] == ["jane.doe@acme.com"], "marked as not taking part"
    alone = detect(event("Interview with Acme", attendees=(marked, SAM)), RULES)
    assert [p.email for p in alone.interviewers] == ["jane.doe@acme.com"], "someone is left to thank for the interview"


def test_the_language_an_invitation_declares_decides_when_its_text_does_not() -> None:
    raw = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:declared@example\r\nDTSTAMP:20261110T120000Z\r\nDTSTART:20261117T090000Z\r\nDTEND:20261117T100000Z\r\n"
        b"SUMMARY;LANGUAGE=de-DE:Interview Acme\r\nORGANIZER;CN=Jane Doe:mailto:jane.doe@acme.com\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (found,) = ics.parse(raw, ZoneInfo("UTC"), START - timedelta(days=9), START + timedelta(days=9)).events
    assert found.language == "de" and detect(found, RULES).language == "de"
    assert language.detect("Interview", "Thank you for your time. We will be in touch with you and your team.", "de") == "en"
