"""Can this calendar file hold an interview? A scan of its raw text, to spare the full parse of the rest.

`detect` calls an event an interview only on some wording (its patterns, or the person's keywords)
or on an applicant-tracking system's domain in an address or a link. Every match of a wording
pattern contains one of `ANCHORS` (a test checks this on generated matches), so this scan looks
for the anchors and the schedulers' domains in the file's text, in each form parsing may give it
(folded lines joined, iCalendar escapes undone or not, control characters dropped or not), reduced
to a skeleton in which case and accents do not matter. It answers False only when nothing is
there, so a file it turns away holds no interview, nor the cancellation of one. What it cannot
see through (another character set, HTML, entities) goes to the full parse.
"""

from __future__ import annotations

import re

from . import detect, domains, untrusted
from .anchors import skeleton

ANCHORS = (
    "interview", "screen", "call", "chat", "final", "hiring", "site", "gespr", "bewerbung", "entretien", "entrevista",
    "selecci", "seletivo", "sollicitatie", "colloqui", "intervju", "samtal", "rozmow", "informational", "panel",
    "recruiter", "candidat", "round", "selezione", "rekrutacja", "ansokan", "coffee", "meet", "opening", "role", "position",
)  # fmt: skip
"""Every match of `detect.STRONG` and `detect.WEAK` contains one of these, as a skeleton."""

_FOLD = re.compile(rb"\r?\n[ \t]")
_ESCAPE = re.compile(r"\\(.)")
_OPAQUE = re.compile(r"[<&]|ENCODING=|CHARSET=", re.I)


_LOOKED_FOR = tuple(skeleton(word) for word in (*ANCHORS, *sorted(domains.SCHEDULERS)))


def may_hold_interview(data: bytes, rules: detect.Rules) -> bool:
    """False only when no event in `data` can be an interview under `rules`, whatever its status."""
    try:
        raw = _FOLD.sub(b"", data).decode("utf-8")
    except UnicodeDecodeError:
        return True
    if _OPAQUE.search(raw) or raw.lstrip("\ufeff \r\n")[:15].upper() != "BEGIN:VCALENDAR":
        return True
    unescaped = _ESCAPE.sub(lambda m: "\n" if m[1] in "nN" else m[1], raw)
    forms = [raw, unescaped, untrusted.CONTROL.sub("", raw), untrusted.CONTROL.sub("", unescaped)]
    every = "\n".join(forms)
    if detect.STRONG_CJK.search(every):
        return True
    bare = skeleton(every)
    if any(word in bare for word in _LOOKED_FOR):
        return True
    if not rules.keywords:
        return False
    lowered = [form.lower() for form in (*forms, untrusted.line(raw, len(raw)), untrusted.line(unescaped, len(raw)))]
    return any(word.lower() in form for word in rules.keywords for form in lowered)
