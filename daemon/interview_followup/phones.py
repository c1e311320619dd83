"""Phone numbers a reminder can offer: beside a name in an invitation, or in the signature of a person's mail.

Found with `phonenumbers` (Google's libphonenumber), which knows every country's numbering and so
passes over meeting ids and passcodes that a pattern would take for numbers. Numbers without a
country code are read as numbers of `region`, the person's own country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import untrusted, wording

SIGNATURE_LINES = 12
"""How far up from the end of a message's own text a signature reaches."""
_NOT_A_PHONE = re.compile(r"\b(fax|dial|dial-in|meeting id|conference id|passcode|pin|einwahl|code)\b", re.I)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    number: str
    """In the international format: `+49 30 1234567`."""


def find(text: str, region: str | None) -> list[Found]:
    """The phone numbers in a line of text (a bounded one: callers pass lines, not whole messages)."""
    import phonenumbers  # 0.03 s to import: only when an invitation or a signature is read

    if _NOT_A_PHONE.search(text):
        return []
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text[:500], region or "ZZ", leniency=phonenumbers.Leniency.VALID):
        shown = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        found.append(Found(match.start, match.end, untrusted.line(shown, 40)))
    return found


def in_signature(body: str, region: str | None) -> str:
    """The first phone number in the last lines of a message's own text (not the quoted mail), or nothing."""
    lines = [line for line in wording.fresh(body[:20_000]).splitlines() if line.strip()][-SIGNATURE_LINES:]
    for line in lines:
        numbers = find(line, region)
        if numbers:
            return numbers[0].number
    return ""
