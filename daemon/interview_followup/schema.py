"""The building blocks of the configuration schema, shared by config.py and each backend's account settings."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountSettings(Strict):
    """What every backend's account settings have; each backend's own model adds the rest and fixes `type`."""

    name: str
    type: str

    @property
    def online(self) -> bool:
        """Needs the network: the systemd unit opens it only then."""
        return True

    @property
    def written(self) -> list[Path]:
        """Folders the daemon writes to, for the systemd unit's ReadWritePaths."""
        return []


def _month_day(value: object) -> str:
    text = str(value).strip()
    match = re.match(r"^(\d{1,2})-(\d{1,2})$", text)
    if not match or not (1 <= int(match[1]) <= 12 and 1 <= int(match[2]) <= 31):
        raise ValueError('use a month and a day like "12-24"')
    return f"{int(match[1]):02d}-{int(match[2]):02d}"


MonthDay = Annotated[str, BeforeValidator(_month_day)]
