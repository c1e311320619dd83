"""The YAML configuration: schema, defaults, and errors that say where and how to fix."""

from __future__ import annotations

import contextlib
import difflib
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from . import untrusted
from .dates import Workdays, country_of
from .errors import UserError
from .language import LANGUAGES
from .locations import state_dir as _state_dir
from .providers.caldav import CALENDAR_KINDS
from .providers.registry import BACKENDS
from .schema import AccountSettings, Clock, Duration, MonthDay, Offset, Strict, UserPath

ENV_CONFIG = "INTERVIEW_FOLLOWUP_CONFIG"
NO_HOLIDAYS = ("none", "")

class Reference(Strict):
    """Someone an employer may call about you: listed in the reminder to tell them."""

    name: str
    email: str = ""
    phone: str = ""
    about: str = ""
    """How they know you: `former manager at Initech`."""


class QuietPeriod(Strict):
    """From one day of the year to another (`12-24` to `01-01`, across the new year when the end comes first)."""

    start: MonthDay = "12-24"
    end: MonthDay = "01-01"


class Me(Strict):
    name: str = ""
    addresses: list[str] = Field(default_factory=list)
    employer_domains: list[str] = Field(default_factory=list)
    timezone: str | None = None
    signature: str = ""
    holidays: str | None = None
    """A country (`DE`, `US-CA`) whose public holidays are not business days; by default the time zone's country."""
    quiet: list[QuietPeriod] = Field(default_factory=lambda: [QuietPeriod()])
    """Spans of the year when nobody is called or written to; by default the year-end break."""
    language: str | None = None
    """The drafts' language when an invitation does not say clearly: en, de, fr, es, nl, it or pt."""
    references: list[Reference] = Field(default_factory=list, max_length=10)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        base = value.strip().lower().replace("_", "-").partition("-")[0]
        if base not in LANGUAGES:
            raise ValueError(f"no built-in templates for {value!r}; use one of {', '.join(LANGUAGES)}")
        return base

    @field_validator("addresses")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        cleaned = []
        for value in values:
            normal = untrusted.address(value)
            if normal is None:
                raise ValueError(f"{value!r} is not an e-mail address")
            cleaned.append(normal)
        return cleaned

    @field_validator("employer_domains")
    @classmethod
    def _domains(cls, values: list[str]) -> list[str]:
        return [v.strip().lower().lstrip("@") for v in values]

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}: use an IANA name like Europe/Berlin") from None
        return value

    @field_validator("holidays")
    @classmethod
    def _holidays(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.strip().lower() in NO_HOLIDAYS:
            return "none"
        country, _, subdiv = value.upper().partition("-")
        supported = holidays.list_supported_countries()
        if country not in supported:
            raise ValueError(f"unknown country {country!r}: use an ISO 3166 code like US, DE or FR")
        if subdiv and subdiv not in supported[country]:
            raise ValueError(f"{country} has no subdivision {subdiv!r}; known: {', '.join(supported[country])}")
        return value.upper()


if TYPE_CHECKING:
    Account: TypeAlias = AccountSettings
else:  # one of the registered backends' settings, chosen by `type:`
    Account = Annotated[Union[tuple(b.account for b in BACKENDS.values())], Field(discriminator="type")]  # noqa: UP007
ACCOUNT_TYPES: dict[str, type[BaseModel]] = {name: backend.account for name, backend in BACKENDS.items()}


class ThankYouStep(Strict):
    enabled: bool = True
    catch_up: Offset = "3 days"
    """How late a thank-you draft is still worth making (a daemon that was off, a late install)."""


class EntryStep(Strict):
    enabled: bool = True
    at: Clock = "10:00"
    after: Offset = "0 days"
    title: str = ""
    """Replaces the title the template's first line gives, in every language."""


class CheckInsStep(EntryStep):
    count: int = Field(default=2, ge=0, le=2, description="at most two more: persistence, not pestering")
    every: Offset = "1 week"


class FirstCheckInStep(EntryStep):
    after_decision: Offset = "1 business day"


class DraftStep(Strict):
    enabled: bool = True
    at: Clock = "09:00"
    after: Offset = "1 month"


class Steps(Strict):
    thank_you: ThankYouStep = ThankYouStep()
    thank_you_reminder: EntryStep = EntryStep(at="18:00")
    references: EntryStep = EntryStep(at="17:30")
    first_check_in: FirstCheckInStep = FirstCheckInStep(after="7 business days")
    weekly_check_ins: CheckInsStep = CheckInsStep()
    status_email: DraftStep = DraftStep()
    call_back: EntryStep = EntryStep(after="2 months")


class Playbook(Strict):
    templates: UserPath | None = None
    """A folder whose files replace the built-in templates of the same name."""
    steps: Steps = Steps()
    entry_minutes: int = Field(default=30, ge=5, le=480)


class Detection(Strict):
    keywords: list[str] = Field(default_factory=list)
    """Extra words or phrases that mark an event as an interview."""
    exclude_keywords: list[str] = Field(default_factory=list)
    exclude_domains: list[str] = Field(default_factory=list)
    """Domains that are never an employer (your recruiting agency, a school...)."""


class Config(Strict):
    me: Me = Me()
    accounts: list[Account] = Field(default_factory=list)
    poll_interval: Duration = timedelta(minutes=5)
    state_dir: UserPath | None = None
    playbook: Playbook = Playbook()
    detection: Detection = Detection()
    notify: bool = True
    """Desktop notices when something needs you: drafts ready, an answer, a bounce, a sign-in."""

    @field_validator("accounts")
    @classmethod
    def _unique_names(cls, accounts: list[Account]) -> list[Account]:
        names = [a.name for a in accounts]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"account names must differ; repeated: {', '.join(dupes)}")
        return accounts

    @field_validator("poll_interval")
    @classmethod
    def _sane_interval(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=30):
            raise ValueError("poll more gently: at least 30s")
        return value

    @model_validator(mode="after")
    def _sender_known(self) -> Config:
        if self.accounts and not self.me.addresses:
            raise ValueError("me.addresses: add your own e-mail address; drafts are written from it")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.me.timezone) if self.me.timezone else system_zone()

    @property
    def workdays(self) -> Workdays:
        """Business days as configured; with no `me.holidays`, those of the time zone's country."""
        country = self.me.holidays if self.me.holidays is not None else country_of(self.zone)
        quiet = tuple((q.start, q.end) for q in self.me.quiet)
        return Workdays(None if country == "none" else country, quiet)


@dataclass(frozen=True)
class Loaded:
    config: Config
    path: Path | None
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def where(self, *keys: Any) -> str:
        """`file:line` of the deepest of these keys that the file has, for messages about a value."""
        probe = tuple(keys)
        while probe and probe not in self.lines:
            probe = probe[:-1]
        return f"{self.path}:{self.lines.get(probe, 1)}"


def state_dir(config: Config) -> Path:
    return _state_dir(config.state_dir)



def system_zone() -> ZoneInfo:
    """The machine's IANA zone (a fixed offset would drift an hour across DST)."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    with contextlib.suppress(OSError):
        candidates.append(os.readlink("/etc/localtime").partition("zoneinfo/")[2])
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def load(path: Path) -> Loaded:
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(
            f"{path}: no configuration file here. Run `interview-followup init` to write a starter file, or pass --config PATH."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the configuration: {exc}") from None
    config, lines = _validated(source, str(path))
    return Loaded(config, path, lines)


def parse(source: str, name: str = "config.yaml") -> Config:
    """Validate YAML text; every problem is reported at once, each with its line."""
    return _validated(source, name)[0]


def _validated(source: str, name: str) -> tuple[Config, dict[tuple[Any, ...], int]]:
    """The configuration, and the line of each key for messages about its values."""
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise UserError(f"{where}: this is not valid YAML ({problem}). Check indentation and quoting.") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"{name}:1: the file must be a mapping of keys such as `me:` and `accounts:`.")
    lines = _lines(node)
    try:
        return Config.model_validate(data), lines
    except ValidationError as exc:
        problems = [_describe(error, lines, name) for error in exc.errors()]
        raise UserError("\n".join(sorted(set(problems), key=problems.index))) from None


def _lines(node: yaml.Node | None, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map each key path to its 1-based line, so errors can point into the file."""
    found: dict[tuple[Any, ...], int] = {}
    if node is None:
        return found
    found[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            found.update(_lines(value, child))
            found[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            found.update(_lines(value, (*path, index)))
    return found


def _describe(error: Any, lines: dict[tuple[Any, ...], int], name: str) -> str:
    loc = tuple(
        part
        for before, part in zip((None, *error["loc"]), error["loc"], strict=False)
        if not (isinstance(part, str) and part.startswith("function-")) and not (before == "calendar" and part in CALENDAR_KINDS)
    )
    account = ACCOUNT_TYPES.get(str(loc[2])) if len(loc) > 2 and loc[0] == "accounts" else None
    if account:  # pydantic names the union member chosen by `type:`; the file does not
        loc = loc[:2] + loc[3:]
    probe = loc
    while probe not in lines and probe:
        probe = probe[:-1]
    where = f"{name}:{lines.get(probe, 1)}"
    dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top level)"
    kind = error["type"]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        where = f"{name}:{lines.get((*loc, 'type'), lines.get(probe, 1))}"
        return f"{where}: {dotted}.type: use one of {', '.join(ACCOUNT_TYPES)}"
    if kind == "extra_forbidden":
        parent = _model_at(loc[2:-1], account) if account else _model_at(loc[:-1])
        options = list(parent.model_fields) if parent else []
        guess = difflib.get_close_matches(str(loc[-1]), options, n=1)
        hint = f"did you mean `{guess[0]}`?" if guess else f"known keys here: {', '.join(options)}"
        return f"{where}: {dotted}: unknown key; {hint}"
    if kind == "missing":
        return f"{where}: {dotted}: required key is missing; add `{loc[-1]}:` here"
    message = _PLAIN.get(kind) or str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {dotted}: {message}"


_PLAIN = {
    "list_type": "use a list: `[a, b]` on the line, or one `- item` per line below it",
    "dict_type": "use keys below it, indented, like `name: value`",
    "string_type": "use text here (put it in quotes if it looks like a number or a date)",
    "int_type": "use a whole number",
    "int_parsing": "use a whole number",
    "float_parsing": "use a number",
    "bool_type": "use true or false",
    "bool_parsing": "use true or false",
}
"""pydantic's messages for wrong kinds of value, in the words of a YAML file."""


def _model_at(loc: tuple[Any, ...], model: type[BaseModel] | None = None) -> type[BaseModel] | None:
    model = model or Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        annotation = field.annotation
        inner = [getattr(a, "__origin__", a) for a in getattr(annotation, "__args__", (annotation,))]  # Annotated[X, …]: X
        models = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        if not models:
            return None
        model = models[0]
    return model
