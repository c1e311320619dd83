"""Rendering drafts and entries from templates in a sandbox.

Templates come from the package or the user's folder; everything from a calendar or a mailbox
is passed in as a value, so an event titled ``{{ 7*7 }}`` stays that text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import untrusted
from .errors import UserError
from .model import Draft, EntryPayload, Event, Interview, Kind, Person
from .steps import STEPS, Step, StepRow, settings_of

if TYPE_CHECKING:
    from .config import Config, Steps

NOTE_PLACEHOLDER = (
    "[[ ADD A PERSONAL LINE: a moment from the conversation, or an interest you share. Delete this line before sending. ]]"
)


class Templates:
    def __init__(
        self, folder: Path | None, me: dict[str, str], steps: Steps, zone: ZoneInfo, table: tuple[StepRow, ...] = STEPS
    ) -> None:
        loaders: list[Any] = [PackageLoader("interview_followup", "templates")]
        if folder:
            loaders.insert(0, FileSystemLoader(str(folder)))
        self._env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
        )
        self._me = me
        self._steps = steps
        self._zone = zone
        self._table = table
        self._titles: dict[str, Template] = {}

    @classmethod
    def from_config(cls, config: Config, table: tuple[StepRow, ...] = STEPS) -> Templates:
        me = {
            "name": untrusted.line(config.me.name),
            "email": config.me.addresses[0] if config.me.addresses else "",
            "signature": untrusted.text(config.me.signature, 1000),
        }
        return cls(config.playbook.templates, me, config.playbook.steps, config.zone, table)

    def draft(self, step: Step, interview: Interview, note: str, today: date) -> Draft:
        contact = step.recipient or _main_contact(interview)
        if contact is None:
            raise ValueError("a draft needs a recipient")
        values = self._values(interview, note, today)
        values["interviewer"] = values["contact"] = _person(contact)
        subject, body = self._message(step.template, values)
        return Draft(contact, subject, body)

    def entry(self, step: Step, interview: Interview, minutes: int) -> EntryPayload:
        values = self._values(interview, "", None)
        title = self._title(step.row, values)
        description = self._render(step.template, values).strip() + "\n"
        return EntryPayload(step.key, title, description, step.due, step.due + timedelta(minutes=minutes))

    def check(self) -> list[str]:
        """Render every template and title with sample data; the problems, one line each."""
        sample = _sample_interview()
        values = self._values(sample, "", None)
        values["interviewer"] = values["contact"] = _person(sample.interviewers[0])
        renders: list[Callable[[], object]] = []
        for row in self._table:
            if row.kind is Kind.DRAFT:
                renders.extend(partial(self._message, name, values) for name in row.templates)
            else:
                renders.extend(partial(self._render, name, values) for name in row.templates)
                renders.append(partial(self._title, row, values))
        problems = []
        for render in renders:
            try:
                render()
            except UserError as exc:
                problems.append(str(exc))
        return list(dict.fromkeys(problems))

    def _message(self, name: str, values: dict[str, Any]) -> tuple[str, str]:
        """A draft template's subject (its first line) and body."""
        subject, _, body = self._render(name, values).partition("\n")
        if not subject.lower().startswith("subject:"):
            raise UserError(f"template {name}: the first line must be `Subject: ...`")
        return untrusted.line(subject[8:], 300), body.strip("\n") + "\n"

    def _title(self, row: StepRow, values: dict[str, Any]) -> str:
        source = settings_of(self._steps, row).title
        try:
            if source not in self._titles:  # compiled once: every pass renders the titles of the entries ahead
                self._titles[source] = self._env.from_string(source)
            return untrusted.line(self._titles[source].render(values), 200)
        except TemplateError as exc:
            raise UserError(f"playbook.steps.{row.settings}.title: {exc}") from None

    def _render(self, name: str, values: dict[str, Any]) -> str:
        try:
            return self._env.get_template(name).render(values)
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f"{name}:{line}" if line else name
            raise UserError(f"template {where}: {exc.message or exc}") from None

    def _values(self, interview: Interview, note: str, today: date | None) -> dict[str, Any]:
        day = interview.start.astimezone(self._zone)
        contacts = [_person(p) for p in interview.interviewers]
        return {
            "me": self._me,
            "company": untrusted.line(interview.company, 80),
            "role": untrusted.line(interview.role, 120),
            "interview_date": f"{day:%A} {day.day} {day:%B %Y}",
            "interview_day_phrase": "today" if day.date() == today else f"on {day:%A}",
            "note": untrusted.text(note, 2000) if note else NOTE_PLACEHOLDER,
            "contacts": contacts,
        }


def _person(person: Person) -> dict[str, str]:
    name = untrusted.line(person.name, 100)
    return {
        "name": name,
        "email": person.email,
        "greeting": name.split()[0] if name else "Hiring Team",
        "label": f"{name} <{person.email}>" if name else person.email,
    }


def _main_contact(interview: Interview) -> Person | None:
    """The organizer when they interviewed, else the first interviewer, else a shared mailbox."""
    organizer = interview.event.organizer
    if organizer and any(p.email == organizer.email for p in interview.interviewers):
        return organizer
    return next(iter((*interview.interviewers, *interview.contacts)), None)


def _sample_interview() -> Interview:
    start = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("UTC"))  # any date: a check renders, it does not schedule
    person = Person("jane.doe@example.com", "Jane Doe")
    event = Event("sample", "Interview", start, start + timedelta(hours=1), organizer=person)
    return Interview("sample", "sample", event, "example.com", "Example", "Engineer", (person,))
