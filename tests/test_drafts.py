"""Drafts and reminders as they come out for realistic invitations: names, languages, coordinators, closings."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import DATA
from interview_followup import ics
from interview_followup.config import Steps
from interview_followup.detect import Rules, detect
from interview_followup.language import LANGUAGES
from interview_followup.model import Interview, Person
from interview_followup.steps import STEPS, Step, StepName
from interview_followup.templates import PLACEHOLDER, Sender, Templates

BERLIN = ZoneInfo("Europe/Berlin")
INTERVIEW_DAY = date(2026, 11, 17)
RULES = Rules(me=frozenset({"sam.lee@example.net"}))
SAM = Sender("Sam Lee", "sam.lee@example.net", "Sam Lee · 12 Elm Street, Springfield · +1 555 0100")
ROWS = {row.name: row for row in STEPS}


def invitation(name: str) -> Interview:
    data = (DATA / "ics/world" / name).read_bytes()
    start = datetime(2026, 11, 17, tzinfo=timezone.utc)
    (event,) = ics.parse(data, ZoneInfo("UTC"), start - timedelta(days=9), start + timedelta(days=9)).events
    v = detect(event, RULES)
    assert v.interview
    return Interview(
        "iv", "home", event, v.employer, v.company, v.role, v.interviewers, v.reasons,
        coordinators=v.coordinators, contacts=v.contacts, informational=v.informational, language=v.language,
    )  # fmt: skip


def templates(me: Sender = SAM, folder: Path | None = None) -> Templates:
    return Templates(folder, me, Steps(), BERLIN)


def draft(
    iv: Interview,
    step: str,
    person: Person | None,
    ordinal: int = 0,
    me: Sender = SAM,
    note: str = "",
    speak: str | None = None,
    folder: Path | None = None,
) -> tuple[str, str]:
    made = templates(me, folder).draft(Step(iv.id, ROWS[step], iv.end, iv.end, person, ordinal), iv, note, INTERVIEW_DAY, speak)
    return made.subject, made.body


def entry(iv: Interview, step: str, me: Sender = SAM, ordinal: int = 0) -> tuple[str, str]:
    made = templates(me).entry(Step(iv.id, ROWS[step], iv.end, iv.end, None, ordinal), iv, 30)
    return made.title, made.description


def test_a_panel_arranged_by_a_coordinator_thanks_each_interviewer_by_name_and_the_coordinator_briefly() -> None:
    iv = invitation("coordinator-greenhouse.ics")
    wei, alex = iv.interviewers
    (dana,) = iv.coordinators
    subject, body = draft(iv, StepName.THANK_YOU, wei)
    assert subject == "Thank you for today: Senior Data Analyst"
    assert body.startswith("Dear Wei,\n") and ",," not in body
    assert draft(iv, StepName.THANK_YOU, alex, 1)[1].startswith("Dear Alex,\n")
    made = templates().draft(Step(iv.id, ROWS[StepName.THANK_YOU], iv.end, iv.end, wei), iv, "", INTERVIEW_DAY)
    assert (made.to.email, made.to.name) == ("wei.chen@contoso.com", "Wei Chen"), "addressed as a person writes the name"
    subject, note = draft(iv, StepName.THANKS_FOR_ARRANGING, dana)
    assert subject == "Thank you for arranging my interview at Contoso" and note.startswith("Dear Dana,\n")
    assert "taking the time to meet me" not in note and len(note) < len(body) / 2


def test_the_closing_names_the_person_once() -> None:
    body = draft(invitation("fr-entretien.ics"), StepName.THANK_YOU, None, speak="en")[1]
    assert body.endswith("Kind regards,\nSam Lee · 12 Elm Street, Springfield · +1 555 0100\n")
    bare = Sender("Sam Lee", "sam.lee@example.net")
    assert draft(invitation("fr-entretien.ics"), StepName.THANK_YOU, None, me=bare, speak="en")[1].endswith(
        "Kind regards,\nSam Lee\n"
    )


def test_a_german_interview_gets_formal_german_drafts_with_german_dates() -> None:
    iv = invitation("coordinator-nonparticipant.ics")
    anna, jan = iv.interviewers
    subject, body = draft(iv, StepName.THANK_YOU, anna)
    assert subject == "Vielen Dank für das Gespräch: Werkstudent Data Engineering"
    assert body.startswith("Guten Tag Dr. Anna Schmidt,\n\nvielen Dank, dass Sie sich heute")
    assert PLACEHOLDER["de"] in body and "Mit freundlichen Grüßen\nSam Lee" in body
    assert draft(iv, StepName.THANK_YOU, jan, 1)[1].startswith("Guten Tag Jan van der Berg,")
    later = templates().draft(Step("iv", ROWS[StepName.STATUS_EMAIL], iv.end, iv.end, anna), iv, "", date(2026, 12, 17))
    assert "am 17. November 2026 hatte ich ein Vorstellungsgespräch bei Umbrella" in later.body
    assert draft(iv, StepName.THANKS_FOR_ARRANGING, iv.coordinators[0])[1].startswith("Guten Tag Katrin Wolf,")


def test_a_french_interview_gets_french_drafts_that_say_vous() -> None:
    iv = invitation("fr-entretien.ics")
    subject, body = draft(iv, StepName.THANK_YOU, iv.interviewers[0], note="Nous avons parlé de voile.")
    assert subject == "Merci pour notre entretien : Développeur Python"
    assert body.startswith("Bonjour Marie Dupont,\n") and "vous" in body and " tu " not in body
    assert "Nous avons parlé de voile." in body and body.rstrip().endswith("Sam Lee · 12 Elm Street, Springfield · +1 555 0100")


@pytest.mark.parametrize("speak", LANGUAGES)
def test_every_language_has_each_draft_and_reminder_and_they_render(speak: str) -> None:
    iv = invitation("coordinator-greenhouse.ics")
    assert templates().check() == []
    texts = [draft(iv, StepName.THANK_YOU, p, i, speak=speak) for i, p in enumerate(iv.interviewers)]
    texts.append(draft(iv, StepName.THANKS_FOR_ARRANGING, iv.coordinators[0], speak=speak))
    texts.append(draft(iv, StepName.STATUS_EMAIL, iv.coordinators[0], speak=speak))
    assert all("{{" not in subject + body and "Senior Data Analyst" in subject + body for subject, body in texts[:2])
    assert texts[0] != texts[1], "colleagues get different wording"
    if speak != "en":
        english = [draft(iv, StepName.THANK_YOU, iv.interviewers[0], speak="en")]
        assert texts[0] != english[0]


def test_the_language_comes_from_the_person_then_the_invitation_then_their_own_language() -> None:
    swedish = invitation("sv-intervju.ics")  # no built-in Swedish: the invitation does not decide
    assert draft(swedish, StepName.THANK_YOU, swedish.interviewers[0])[1].startswith("Dear ")
    dutch_speaker = Sender("Sam Lee", "sam.lee@example.net", language="nl")
    assert draft(swedish, StepName.THANK_YOU, swedish.interviewers[0], me=dutch_speaker)[1].startswith("Beste ")
    german = invitation("coordinator-nonparticipant.ics")
    assert draft(german, StepName.THANK_YOU, german.interviewers[0], me=dutch_speaker)[1].startswith("Guten Tag")
    assert draft(german, StepName.THANK_YOU, german.interviewers[0], speak="it")[1].startswith("Gentile ")


def test_a_persons_template_for_one_language_or_for_all(tmp_path: Path) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de/thank_you_1.txt").write_text("Subject: Danke\n\n{{ interviewer.salutation }}\nmein Text\n")
    german, french = invitation("coordinator-nonparticipant.ics"), invitation("fr-entretien.ics")
    mine = ("Danke", "Guten Tag Dr. Anna Schmidt,\nmein Text\n")
    assert draft(german, StepName.THANK_YOU, german.interviewers[0], folder=tmp_path) == mine
    assert draft(french, StepName.THANK_YOU, french.interviewers[0], folder=tmp_path)[0].startswith("Merci"), "built in"
    (tmp_path / "thank_you_1.txt").write_text("Subject: Mine\n\nmine\n")
    assert draft(french, StepName.THANK_YOU, french.interviewers[0], folder=tmp_path)[0] == "Mine"
    assert draft(german, StepName.THANK_YOU, german.interviewers[0], folder=tmp_path)[0] == "Danke", "the language's own wins"


def test_an_informational_interview_is_thanked_without_claiming_the_job() -> None:
    iv = invitation("informational.ics")
    body = draft(iv, StepName.THANK_YOU, iv.interviewers[0])[1]
    assert "role" not in body and "position" not in body and "Thank you for taking the time" in body


def test_a_check_in_reminder_says_whom_to_call_about_what_and_what_to_say() -> None:
    iv = invitation("coordinator-greenhouse.ics")
    title, text = entry(iv, StepName.FIRST_CHECK_IN)
    assert title == "Check in with Contoso"
    assert "- Wei Chen <wei.chen@contoso.com> (Head of Data · +1 425-555-0142)" in text
    assert "- Dana Whitfield <dana.whitfield@contoso.com> (Recruiting Coordinator)" in text
    assert '"Hello, this is Sam Lee. I interviewed for the Senior Data Analyst role on November 17, 2026."' in text
    assert "when you expect to make it" in text and "The interview: https://contoso.zoom.us/j/123456789" in text
    assert entry(iv, StepName.WEEKLY_CHECK_IN, ordinal=1)[0] == "Check in again with Contoso"
    german = invitation("coordinator-nonparticipant.ics")
    title, text = entry(german, StepName.FIRST_CHECK_IN)
    assert title == "Bei Umbrella nachfragen" and "„Guten Tag, hier ist Sam Lee." in text and "17. November 2026" in text


def test_the_references_reminder_lists_the_references() -> None:
    iv = invitation("coordinator-greenhouse.ics")
    jo = Person("jo.park@example.com", "Jo Park", phone="+1 555 0199", about="former manager at Initech")
    title, text = entry(iv, StepName.REFERENCES, Sender("Sam Lee", "sam.lee@example.net", references=(jo,)))
    assert title == "Tell your references about Contoso"
    assert "- Jo Park <jo.park@example.com> (former manager at Initech · +1 555 0199)" in text
    assert "me.references" in entry(iv, StepName.REFERENCES)[1], "says where to list them"
