"""Taming text that strangers wrote: anyone can send an invite or an e-mail."""

from __future__ import annotations

import html
import re

import nh3

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_TAG = re.compile(r"<[a-zA-Z/!]")

LINE_LIMIT = 200
TEXT_LIMIT = 4000


def line(value: object, limit: int = LINE_LIMIT) -> str:
    """One printable line: no CR/LF or other control characters, bounded length."""
    text = _SPACES.sub(" ", CONTROL.sub(" ", str(value or ""))).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text(value: object, limit: int = TEXT_LIMIT) -> str:
    """Multi-line text with control characters removed and a bounded length."""
    raw = str(value or "")[: limit * 4].replace("\r\n", "\n").replace("\r", "\n")
    cleaned = "\n".join(CONTROL.sub("", part).rstrip() for part in raw.split("\n")).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def plain(value: str, limit: int = TEXT_LIMIT) -> str:
    """Plain text from a description that may be HTML (Google and Outlook send HTML)."""
    source = value[: limit * 8]
    if _TAG.search(source):
        source = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", source)
        source = html.unescape(nh3.clean(source, tags=set(), strip_comments=True))
    return text(source, limit)


def address(value: object) -> str | None:
    """A lower-cased e-mail address, or None when the value is not a plausible one."""
    candidate = str(value or "").strip()
    if candidate.lower().startswith("mailto:"):
        candidate = candidate[7:]
    candidate = candidate.strip().strip("<>").lower()
    return candidate if _ADDRESS.match(candidate) and ".." not in candidate else None


_LINK = re.compile(r"https://[^\s<>\"'\x00-\x1f]{1,2000}", re.I)


def link(value: object) -> str:
    """The first https address in a value, or nothing: a link a reminder can offer without running anything."""
    found = _LINK.search(str(value or "")[:10_000])
    return found[0].rstrip(").,;") if found else ""
