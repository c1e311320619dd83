"""The YAML configuration: schema, defaults, and errors that say where and how to fix."""

from __future__ import annotations

import contextlib
import difflib
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import platformdirs
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import untrusted
from .errors import UserError

APP = "interview-followup"
ENV_CONFIG = "INTERVIEW_FOLLOWUP_CONFIG"

_DURATION = re.compile(r"^\s*(\d+)\s*(s|sec|seconds?|m|min|minutes?|h|hours?|d|days?)\s*$", re.I)
_OFFSET = re.compile(r"^\s*(\d+)\s*(business days?|days?|weeks?|months?)\s*$", re.I)
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int):
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError("use a number and a unit, like 30s, 5m, 2h or 1d")
    amount, unit = int(match[1]), match[2][0].lower()
    return timedelta(seconds=amount * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit])


def _offset(value: object) -> str:
    match = _OFFSET.match(str(value))
    if not match:
        raise ValueError('use a count and a unit, like "7 business days", "10 days", "1 week" or "2 months"')
    return f"{int(match[1])} {match[2].lower()}"


def _clock(value: object) -> str:
    text = str(value)
    if isinstance(value, int) and 0 <= value < 24 * 60:  # YAML 1.1 reads 10:00 as sexagesimal 600
        text = f"{value // 60}:{value % 60:02d}"
    if not _CLOCK.match(text):
        raise ValueError('use a 24-hour local time like "10:00"')
    return text


def is_url(value: str) -> bool:
    """A web calendar rather than a file or folder."""
    return re.match(r"^https?://", value, re.I) is not None


Duration = Annotated[timedelta, BeforeValidator(_duration)]
Offset = Annotated[str, BeforeValidator(_offset)]
Clock = Annotated[str, BeforeValidator(_clock)]
UserPath = Annotated[Path, BeforeValidator(lambda v: Path(os.path.expandvars(str(v))).expanduser())]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Me(_Strict):
    name: str = ""
    addresses: list[str] = Field(default_factory=list)
    employer_domains: list[str] = Field(default_factory=list)
    timezone: str | None = None
    signature: str = ""
    holidays: str | None = None

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
        country, _, subdiv = value.upper().partition("-")
        supported = holidays.list_supported_countries()
        if country not in supported:
            raise ValueError(f"unknown country {country!r}: use an ISO 3166 code like US, DE or FR")
        if subdiv and subdiv not in supported[country]:
            raise ValueError(f"{country} has no subdivision {subdiv!r}; known: {', '.join(supported[country])}")
        return value.upper()


class LocalAccount(_Strict):
    """Needs no account anywhere: an .ics calendar and Maildir folders."""

    name: str
    type: Literal["local"]
    calendar: str
    followup_calendar: UserPath
    drafts: UserPath
    inbox: UserPath | None = None
    sent: UserPath | None = None
    """Maildir of sent mail (read only): tells when thank-you drafts went out."""

    @field_validator("calendar")
    @classmethod
    def _calendar(cls, value: str) -> str:
        if is_url(value) or re.match(r"^webcal://", value, re.I):
            return re.sub(r"^webcal://", "https://", value, flags=re.I)
        return str(Path(os.path.expandvars(value)).expanduser())

    @property
    def web_calendar(self) -> bool:
        return is_url(self.calendar)

    @property
    def online(self) -> bool:
        return self.web_calendar

    @property
    def written(self) -> list[Path]:
        """Folders the daemon writes to, for the systemd unit's ReadWritePaths."""
        return [self.followup_calendar, self.drafts]


class GoogleAccount(_Strict):
    """Gmail and Google Calendar, signed in with `interview-followup auth google`."""

    name: str
    type: Literal["google"]
    client_secrets: UserPath
    """The OAuth client file (type "Desktop app") downloaded from the Google Cloud console."""
    token_file: UserPath | None = None
    """Where the sign-in is kept (0600); defaults to `google-NAME.json` in the state directory."""
    calendars: list[str] = Field(default_factory=lambda: ["primary"], min_length=1)
    """Calendars watched for interviews: ids, or names as shown in Google Calendar."""
    followup_calendar: str = "primary"
    api_endpoint: str | None = None
    """For tests and proxies: the base URL that replaces https://www.googleapis.com/ and https://gmail.googleapis.com/."""
    token_uri: str | None = None
    """For tests and proxies: where access tokens are refreshed instead of https://oauth2.googleapis.com/token."""

    @field_validator("api_endpoint", "token_uri")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not is_url(value):
            raise ValueError("use an http(s) URL, like http://127.0.0.1:8080/")
        return value

    @field_validator("api_endpoint")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        return value.rstrip("/") + "/" if value else None

    @property
    def online(self) -> bool:
        return True

    @property
    def written(self) -> list[Path]:
        return [self.token_file.parent] if self.token_file else []


class MicrosoftAccount(_Strict):
    """Outlook.com or Microsoft 365 mail and calendar, signed in with `interview-followup auth microsoft`."""

    name: str
    type: Literal["microsoft"]
    client_id: str
    """The application (client) id of the app registered in the Microsoft Entra admin center."""
    tenant: str = "common"
    """`common` (any account), `consumers` (Outlook.com only), `organizations` (work or school only) or a tenant id."""
    token_cache: UserPath | None = None
    """Where the sign-in is kept (0600); defaults to `microsoft-NAME.json` in the state directory."""
    keyring: bool = False
    """Keep the sign-in in the desktop keyring (libsecret) instead of a file: needs the `keyring` extra."""
    calendars: list[str] = Field(default_factory=lambda: ["default"], min_length=1)
    """Calendars watched for interviews: `default`, or names as shown in Outlook."""
    followup_calendar: str = "default"
    authority: str | None = None
    """For tests and national clouds: replaces https://login.microsoftonline.com/TENANT."""
    graph_endpoint: str = "https://graph.microsoft.com/v1.0"
    """For tests and national clouds, e.g. https://graph.microsoft.us/v1.0."""

    @field_validator("client_id")
    @classmethod
    def _client_id(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", value.strip()):
            raise ValueError("use the Application (client) ID of your app registration (8-4-4-4-12 hex digits)")
        return value.strip()

    @field_validator("tenant")
    @classmethod
    def _tenant(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9.-]+", value):
            raise ValueError("use common, consumers, organizations, a tenant id or a domain like contoso.onmicrosoft.com")
        return value

    @field_validator("authority", "graph_endpoint")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https://[^/]+", value):
            raise ValueError("use an https URL, like https://login.microsoftonline.us/common")
        return value.rstrip("/") if value else value

    @property
    def authority_url(self) -> str:
        return self.authority or f"https://login.microsoftonline.com/{self.tenant}"

    @property
    def online(self) -> bool:
        return True

    @property
    def written(self) -> list[Path]:
        return [self.token_cache.parent] if self.token_cache else []


Account = Annotated[LocalAccount | GoogleAccount | MicrosoftAccount, Field(discriminator="type")]
ACCOUNT_TYPES: dict[str, type[BaseModel]] = {"local": LocalAccount, "google": GoogleAccount, "microsoft": MicrosoftAccount}


class ThankYouStep(_Strict):
    enabled: bool = True
    catch_up: Offset = "3 days"
    """How late a thank-you draft is still worth making (a daemon that was off, a late install)."""


class EntryStep(_Strict):
    enabled: bool = True
    at: Clock = "10:00"
    after: Offset = "0 days"
    title: str = ""


class CheckInsStep(EntryStep):
    count: int = Field(default=2, ge=0, le=2, description="at most two more: persistence, not pestering")
    every: Offset = "1 week"


class FirstCheckInStep(EntryStep):
    after_decision: Offset = "1 business day"


class DraftStep(_Strict):
    enabled: bool = True
    at: Clock = "09:00"
    after: Offset = "1 month"


class Steps(_Strict):
    thank_you: ThankYouStep = ThankYouStep()
    thank_you_reminder: EntryStep = EntryStep(at="18:00", title="Send thank-you notes for {{ company }}")
    references: EntryStep = EntryStep(at="17:30", title="Tell your references about {{ company }}")
    first_check_in: FirstCheckInStep = FirstCheckInStep(after="7 business days", title="Check in with {{ company }}")
    weekly_check_ins: CheckInsStep = CheckInsStep(title="Check in again with {{ company }}")
    status_email: DraftStep = DraftStep()
    call_back: EntryStep = EntryStep(after="2 months", title="Long-shot call back to {{ company }}")


class Playbook(_Strict):
    templates: UserPath | None = None
    """A folder whose files replace the built-in templates of the same name."""
    steps: Steps = Steps()
    entry_minutes: int = Field(default=30, ge=5, le=480)


class Detection(_Strict):
    keywords: list[str] = Field(default_factory=list)
    """Extra words or phrases that mark an event as an interview."""
    exclude_keywords: list[str] = Field(default_factory=list)
    exclude_domains: list[str] = Field(default_factory=list)
    """Domains that are never an employer (your recruiting agency, a school...)."""


class Config(_Strict):
    me: Me = Me()
    accounts: list[Account] = Field(default_factory=list)
    poll_interval: Duration = timedelta(minutes=5)
    state_dir: UserPath | None = None
    playbook: Playbook = Playbook()
    detection: Detection = Detection()

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


def default_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.yaml"


def resolve_path(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG]).expanduser()
    return default_path()


def state_dir(config: Config) -> Path:
    if config.state_dir:
        return config.state_dir
    if os.environ.get("STATE_DIRECTORY"):  # set by systemd's StateDirectory=
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    return Path(platformdirs.user_state_dir(APP))


def token_file(account: GoogleAccount | MicrosoftAccount, config: Config) -> Path:
    """Where an online account's sign-in is kept."""
    if isinstance(account, MicrosoftAccount):
        return account.token_cache or state_dir(config) / f"microsoft-{account.name}.json"
    return account.token_file or state_dir(config) / f"google-{account.name}.json"


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
    loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function-")))
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
        return f"{where}: {dotted}.type: use one of {', '.join(ACCOUNT_TYPES)}"
    if kind == "extra_forbidden":
        parent = account if account and len(loc) == 3 else _model_at(loc[:-1])
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


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        annotation = field.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        models = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        if not models:
            return None
        model = models[0]
    return model
