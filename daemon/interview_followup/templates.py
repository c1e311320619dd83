"""Rendering drafts and entries from templates in a sandbox, in the language of the interview.

Templates come from the package or the user's folder; everything from a calendar or a mailbox
is passed in as a value, so an event titled ``{{ 7*7 }}`` stays that text.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import language, names, untrusted
from .errors import UserError
from .model import Draft, EntryPayload, Event, Interview, Kind, Person
from .steps import STEPS, Step, StepRow, settings_of

if TYPE_CHECKING:
    from .config import Config, Steps

BUILTIN = "builtin"
"""The prefix of the package's own templates, so that a person's file of the same name wins."""
PLACEHOLDER = {
    "en": "[[ ADD A PERSONAL LINE: a moment from the conversation, or an interest you share. Delete this line before sending. ]]",
    "de": "[[ PERSÖNLICHEN SATZ EINFÜGEN: ein Moment aus dem Gespräch oder ein gemeinsames Interesse. "
    "Diese Zeile vor dem Senden löschen. ]]",
    "fr": "[[ AJOUTEZ UNE PHRASE PERSONNELLE : un moment de l'entretien ou un intérêt commun. "
    "Supprimez cette ligne avant l'envoi. ]]",
    "es": "[[ AÑADA UNA FRASE PERSONAL: un momento de la conversación o un interés en común. "
    "Borre esta línea antes de enviar. ]]",
    "nl": "[[ VOEG EEN PERSOONLIJKE ZIN TOE: een moment uit het gesprek of een gedeelde interesse. "
    "Verwijder deze regel voor het versturen. ]]",
    "it": "[[ AGGIUNGA UNA FRASE PERSONALE: un momento del colloquio o un interesse in comune. "
    "Cancelli questa riga prima di inviare. ]]",
    "pt": "[[ ACRESCENTE UMA FRASE PESSOAL: um momento da conversa ou um interesse em comum. "
    "Apague esta linha antes de enviar. ]]",
}
"""Where the personal line goes when there is no note: marked so that nobody sends it as it is."""


@dataclass(frozen=True)
class Sender:
    """The person the drafts speak for, as the configuration describes them."""

    name: str
    email: str
    signature: str = ""
    language: str = "en"
    """Their own language: drafts use it when the invitation does not say clearly."""
    references: tuple[Person, ...] = ()

    @property
    def sign_off(self) -> str:
        """The lines under the closing words: the name once, even when the signature starts with it."""
        first = self.signature.strip().partition("\n")[0]
        if self.name and self.name.lower() in first.lower():
            return self.signature.strip()
        return "\n".join(part for part in (self.name, self.signature.strip()) if part)


class Templates:
    """Each template is looked up in the interview's language: the person's folder first (`de/thank_you_1.txt`,
    then `thank_you_1.txt`, which serves every language), then the built-in ones."""

    def __init__(
        self, folder: Path | None, me: Sender, steps: Steps, zone: ZoneInfo, table: tuple[StepRow, ...] = STEPS
    ) -> None:
        loaders: list[Any] = [PrefixLoader({BUILTIN: PackageLoader("interview_followup", "templates")})]
        if folder:
            loaders.insert(0, FileSystemLoader(str(folder)))
        self._env = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
        )
        self._folder = folder
        self._me = me
        self._steps = steps
        self._zone = zone
        self._table = table
        self._titles: dict[str, Template] = {}

    @classmethod
    def from_config(cls, config: Config, table: tuple[StepRow, ...] = STEPS) -> Templates:
        me = config.me
        sender = Sender(
            untrusted.line(me.name),
            me.addresses[0] if me.addresses else "",
            untrusted.text(me.signature, 1000),
            me.language or "en",
            tuple(Person(r.email, r.name, phone=r.phone, about=r.about) for r in me.references),
        )
        return cls(config.playbook.templates, sender, config.playbook.steps, config.zone, table)

    def version(self) -> tuple[tuple[str, int, int], ...]:
        """The person's template files as they are now (name, time, size): a change rewrites what they made."""
        found: list[tuple[str, int, int]] = []
        folders = [str(self._folder)] if self._folder else []
        for folder in folders:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                with contextlib.suppress(OSError):
                    if entry.is_dir() and folder == str(self._folder):
                        folders.append(entry.path)
                    elif entry.is_file():
                        stat = entry.stat()
                        found.append((entry.path, stat.st_mtime_ns, stat.st_size))
        return tuple(sorted(found))

    def language(self, interview: Interview, override: str | None = None) -> str:
        return language.choose(override, interview.language, self._me.language)

    def draft(self, step: Step, interview: Interview, note: str, today: date, speak: str | None = None) -> Draft:
        contact = step.recipient or main_contact(interview)
        if contact is None:
            raise ValueError("a draft needs a recipient")
        values = self._values(interview, note, today, self.language(interview, speak))
        values["interviewer"] = values["contact"] = self._person(contact, values["language"])
        subject, body = self._message(self._pick(step, values["language"]), values)
        shown = values["interviewer"]["name"] or contact.name  # `Wei Chen`, not the directory's `Chen, Wei`
        return Draft(replace(contact, name=shown), subject, body)

    def entry(
        self, step: Step, interview: Interview, minutes: int, speak: str | None = None, notes: Mapping[str, str] | None = None
    ) -> EntryPayload:
        """`notes`: by address, what the person talked about with each contact; the reminders list it beside them."""
        values = self._values(interview, "", None, self.language(interview, speak), step.ordinal, notes or {})
        title, description = self._titled(self._pick(step, values["language"]), values, step.row)
        return EntryPayload(step.key, title, description, step.due, step.due + timedelta(minutes=minutes))

    def check(self) -> list[str]:
        """Render every template and title with sample data, in every language; the problems, one line each."""
        sample = _sample_interview()
        renders: list[Callable[[], object]] = []
        for speak in language.LANGUAGES:
            values = self._values(sample, "", None, speak)
            values["interviewer"] = values["contact"] = self._person(sample.interviewers[0], speak)
            for row in self._table:
                for ordinal in range(len(row.templates)):
                    step = Step("sample", row, sample.end, sample.end, sample.interviewers[0], ordinal)
                    if row.kind is Kind.DRAFT:
                        renders.append(partial(self._message, self._pick(step, speak), values))
                    else:
                        renders.append(partial(self._titled, self._pick(step, speak), values, row))
        problems = self._strays()
        for render in renders:
            try:
                render()
            except UserError as exc:
                problems.append(str(exc))
        return list(dict.fromkeys(problems))

    def _strays(self) -> list[str]:
        """Files in the person's folder that no step would ever read: a misspelt name is said, not ignored."""
        if self._folder is None or not self._folder.is_dir():
            return []
        known = sorted({name for row in self._table for name in row.templates})
        problems = []
        for path in sorted(self._folder.iterdir()):
            if path.is_dir() and path.name not in language.LANGUAGES:
                problems.append(f"template folder {path}: not one of the languages {', '.join(language.LANGUAGES)}")
            files = sorted(path.glob("*.txt")) if path.is_dir() and path.name in language.LANGUAGES else [path]
            for file in files:
                if file.suffix == ".txt" and file.name not in known:
                    problems.append(f"template {file}: no step uses this name; the names are {', '.join(known)}")
        return problems

    def _pick(self, step: Step, speak: str) -> str:
        """The step's template in this language; where a language has fewer variants, they take turns."""
        for prefix in (f"{speak}/", "", f"{BUILTIN}/{speak}/", f"{BUILTIN}/en/"):
            present = [name for name in step.row.templates if self._exists(prefix + name)]
            if present:
                return prefix + present[step.ordinal % len(present)]
        return f"{BUILTIN}/en/{step.template}"

    def _exists(self, name: str) -> bool:
        try:
            self._env.get_template(name)
        except TemplateNotFound:
            return False
        except TemplateError:
            return True  # it exists; rendering it reports the mistake
        return True

    def _message(self, name: str, values: dict[str, Any]) -> tuple[str, str]:
        """A draft template's subject (its first line) and body."""
        head, _, body = self._render(name, values).partition("\n")
        if not head.lower().startswith("subject:"):
            raise UserError(f"template {_shown(name)}: the first line must be `Subject: ...`")
        return untrusted.line(head[8:], 300), body.strip("\n") + "\n"

    def _titled(self, name: str, values: dict[str, Any], row: StepRow) -> tuple[str, str]:
        """An entry's title and description: the title configured for the step wins over the template's first
        line (`Title: ...`), which a template may then leave out."""
        configured = self._title(row, values)
        text = self._render(name, values)
        head, _, rest = text.partition("\n")
        if head.lower().startswith("title:"):
            text = rest
        elif not configured:
            raise UserError(
                f"template {_shown(name)}: the first line must be `Title: ...`, or set playbook.steps.{row.settings}.title"
            )
        return configured or untrusted.line(head[6:], 200), text.strip() + "\n"

    def _title(self, row: StepRow, values: dict[str, Any]) -> str:
        """The configured title, when there is one: it wins over the template's."""
        source = getattr(settings_of(self._steps, row), "title", "")
        if not source:
            return ""
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
            where = f"{_shown(name)}:{line}" if line else _shown(name)
            raise UserError(f"template {where}: {exc.message or exc}") from None

    def _values(
        self,
        interview: Interview,
        note: str,
        today: date | None,
        speak: str,
        ordinal: int = 0,
        notes: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        from babel.dates import format_date  # loaded when a draft or an entry is written, not at start-up

        locale = speak if speak in language.LANGUAGES else "en"
        day = interview.start.astimezone(self._zone).date()
        me = self._me
        return {
            "language": speak,
            "ordinal": ordinal,
            "me": {
                "name": me.name,
                "email": me.email,
                "signature": me.signature,
                "sign_off": me.sign_off,
                "references": [self._person(p, speak) for p in me.references],
            },
            "company": untrusted.line(interview.company, 80),
            "role": untrusted.line(interview.role, 120),
            "interview_date": format_date(day, "long", locale=locale),
            "interview_weekday": format_date(day, "EEEE", locale=locale),
            "interview_today": day == today,
            "interview_link": untrusted.link(interview.event.link),
            "informational": interview.informational,
            "note": untrusted.text(note, 2000) if note else PLACEHOLDER.get(speak, PLACEHOLDER["en"]),
            "contacts": [self._person(p, speak, (notes or {}).get(p.email, "")) for p in contacts_of(interview)],
        }

    @staticmethod
    def _person(person: Person, speak: str, note: str = "") -> dict[str, str]:
        name = names.parse(person.name, person.email)
        label = f"{name.whole} <{person.email}>" if name.whole and person.email else name.whole or person.email
        details = " · ".join(untrusted.line(part, 120) for part in (person.about, person.phone) if part)
        label = f"{label} ({details})" if details else label
        return {
            "name": name.whole,
            "given_name": name.given,
            "family_name": name.family,
            "email": person.email,
            "phone": untrusted.line(person.phone, 40),
            "about": untrusted.line(person.about, 120),
            "greeting": names.call(name, speak) if name.known else "",
            "salutation": names.salutation(name, speak),
            "note": untrusted.line(note, 300),
            "label": f"{label}: “{untrusted.line(note, 300)}”" if note else label,
        }


def contacts_of(interview: Interview) -> tuple[Person, ...]:
    """Everyone a reminder lists: those who interviewed, who arranged it, and shared mailboxes."""
    return (*interview.interviewers, *interview.coordinators, *interview.contacts)


def main_contact(interview: Interview) -> Person | None:
    """Whom a status e-mail asks: the organizer when they interviewed, else who arranged the interview, else
    the first interviewer, else a shared mailbox."""
    organizer = interview.event.organizer
    if organizer and any(p.email == organizer.email for p in interview.interviewers):
        return next(p for p in interview.interviewers if p.email == organizer.email)
    return next(iter((*interview.coordinators, *interview.interviewers, *interview.contacts)), None)


def _shown(name: str) -> str:
    """A template's name as the person knows it: `de/thank_you_1.txt (built in)`."""
    return f"{name.removeprefix(BUILTIN + '/')} (built in)" if name.startswith(BUILTIN + "/") else name


def _sample_interview() -> Interview:
    start = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("UTC"))  # any date: a check renders, it does not schedule
    person = Person("jane.doe@example.com", "Jane Doe")
    event = Event("sample", "Interview", start, start + timedelta(hours=1), organizer=person)
    return Interview("sample", "sample", event, "example.com", "Example", "Engineer", (person,))
