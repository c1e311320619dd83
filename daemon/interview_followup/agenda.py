"""What the person has to do next, soonest first: the opening of `status`, and its spreadsheet.

Built from `status.overview`, so that the queue, the list below it and `--json` cannot disagree.
A draft is a task from the moment it is in the Drafts folder until it is sent; an entry is a task
while it is ahead. The thank-you reminder is left out: the drafts it reminds of are listed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .status import Stage
from .steps import StepName

WORDS = {
    StepName.THANK_YOU: "send {n} thank-you note{s} to {company}",
    StepName.THANKS_FOR_ARRANGING: "send {n} thank-you note{s} to {company}",
    StepName.STATUS_EMAIL: "ask {company} where things stand",
    StepName.FIRST_CHECK_IN: "check in with {company}",
    StepName.WEEKLY_CHECK_IN: "check in with {company}",
    StepName.CALL_BACK: "call {company} back",
    StepName.REFERENCES: "brief your references about {company}",
}
"""A step in the words of a to-do list; thank-you notes of both kinds are counted together."""
WAITING = {StepName.STATUS_EMAIL, StepName.FIRST_CHECK_IN, StepName.WEEKLY_CHECK_IN, StepName.CALL_BACK}
"""Steps that come of waiting for an answer: the queue says how long it has been."""


@dataclass(frozen=True)
class Task:
    when: datetime
    """When to do it, in the person's zone: an entry's time, or the day a draft is (or was) ready."""
    timed: bool
    what: str
    company: str
    interview: str
    days_waited: int | None
    """Days since the interview, for a step that comes of waiting for an answer."""


def tasks(items: Iterable[dict[str, Any]], now: datetime, zone: ZoneInfo) -> list[Task]:
    """The queue: for each interview, its drafts waiting to be sent and its entries still ahead."""
    return sorted((task for item in items for task in _tasks_of(item, now.astimezone(zone))), key=lambda t: (t.when, t.what))


def _tasks_of(item: dict[str, Any], now: datetime) -> list[Task]:
    company = item["company"] or item["employer"] or "the employer"
    start = datetime.fromisoformat(item["start"]).astimezone(now.tzinfo).date()

    def task(when: datetime, timed: bool, what: str, step: str) -> Task:
        return Task(when, timed, what, company, item["id"], (when.date() - start).days if step in WAITING else None)

    found, drafts = [], dict[str, list[tuple[datetime, str]]]()
    for step in item["steps"]:
        words, due = WORDS.get(step["step"]), datetime.fromisoformat(step["due"]).astimezone(now.tzinfo)
        if words is None or step["stage"] not in (Stage.PLANNED, Stage.MADE):
            continue
        if step["kind"] == "draft":
            drafts.setdefault(words, []).append((max(due, now) if step["stage"] == Stage.MADE else due, step["step"]))
        elif due > now:
            found.append(task(due, True, words.format(company=company), step["step"]))
    for words, dues in drafts.items():
        (when, step), many = min(dues), len(dues) > 1
        what = words.format(n=len(dues) if many else "a", s="s" if many else "", company=company)
        ready = " (drafts ready)" if many else " (draft ready)"
        found.append(task(when, False, what + (ready if when <= now else ""), step))
    return found


def when(task: Task, now: datetime) -> str:
    """`today`, `tomorrow`, a weekday within the week, else the date; an entry's time with its zone."""
    today = now.astimezone(task.when.tzinfo).date()
    day = task.when.date()
    if day <= today:
        label = "today"
    elif day == today + timedelta(days=1):
        label = "tomorrow"
    elif day < today + timedelta(days=7):
        label = f"{task.when:%a}"
    else:
        label = f"{task.when:%a} {task.when.day} {task.when:%b}"
    return f"{label} {task.when:%H:%M %Z}" if task.timed and day >= today else label


def lines(queue: list[Task], now: datetime) -> list[str]:
    if not queue:
        return []
    out = ["Next:"]
    for task in queue:
        days = f" (day {task.days_waited} of waiting)" if task.days_waited else ""
        out.append(f"  {when(task, now)}: {task.what}{days}")
    return [*out, ""]


def as_json(queue: list[Task]) -> list[dict[str, Any]]:
    return [asdict(t) | {"when": t.when.isoformat(timespec="minutes")} for t in queue]


COLUMNS = (
    "company", "role", "interview", "interviewers", "phase", "outcome", "outcome_by", "why_stopped", "next", "next_on", "account",
)  # fmt: skip


def spreadsheet(items: Iterable[dict[str, Any]], queue: list[Task]) -> str:
    """One row per interview, for a spreadsheet. A cell that a spreadsheet would read as a formula is quoted:
    company names and titles come from invitations anyone can send."""
    first: dict[str, Task] = {}
    for task in queue:
        first.setdefault(task.interview, task)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in items:
        next_task = first.get(item["id"])
        row = {
            "company": item["company"] or item["employer"] or "",
            "role": item["role"] or "",
            "interview": item["start"][:16].replace("T", " "),
            "interviewers": " ".join(item["interviewers"]),
            "phase": item["phase"],
            "outcome": item["outcome"] or "",
            "outcome_by": ("you" if item["outcome_confirmed"] else "their answer") if item["outcome"] else "",
            "why_stopped": item["why_stopped"] or "",
            "next": next_task.what if next_task else "",
            "next_on": next_task.when.date().isoformat() if next_task else "",
            "account": item["account"],
        }
        writer.writerow([_inert(str(row[column])) for column in COLUMNS])
    return out.getvalue()


def _inert(cell: str) -> str:
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
