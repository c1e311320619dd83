"""Which language an interview was held in, from its invitation: the drafts and reminders speak it.

Invitations are short and half boilerplate, so the interview's own wording decides first
(`Vorstellungsgespräch` is German whatever the video link says); otherwise the common words of
the text vote. A statistical identifier (py3langid) was tried: it takes a second and numpy to
load, and calls `Entrevista de emprego` Spanish.
"""

from __future__ import annotations

import re
from collections import Counter

LANGUAGES = ("en", "de", "fr", "es", "nl", "it", "pt")
"""The languages the built-in templates are written in."""

_INTERVIEW_WORDS = {
    "de": r"vorstellungsgespr[aä]ch|bewerbungsgespr[aä]ch|kennenlerngespr[aä]ch|bewerbungsinterview",
    "fr": r"entretien",
    "es": r"entrevista (de trabajo|laboral)|proceso de selecci[oó]n",
    "pt": r"entrevista de emprego|processo seletivo",
    "nl": r"sollicitatie-?gesprek(ken)?|(eerste|tweede|derde|vervolg) ?gesprek",
    "it": r"colloqui[oa]",
}
_WORDING = {language: re.compile(rf"(?<!\w)({words})(?!\w)", re.I) for language, words in _INTERVIEW_WORDS.items()}
_COMMON = {
    "en": "the and you with for your our will this are we be please to of",
    "de": "und der die das mit sie ihnen ihr wir für ist nicht bei uns auf freuen gespräch bitte",
    "fr": "et le la les vous avec pour nous est une des votre au sur merci",
    "es": "y el los las usted con para nosotros es una su por del gracias le",
    "nl": "en de het een met u voor wij we is uw ons bij niet graag van",
    "it": "e il la le lei con per noi è una suo gli della grazie del di",
    "pt": "e o os as você com para nós é uma seu sua pela do da obrigado não",
}
_VOCABULARY = {language: frozenset(words.split()) for language, words in _COMMON.items()}
_WORD = re.compile(r"[^\W\d_]+")
_LINK = re.compile(r"\S*(https?://|www\.)\S*")
MIN_VOTES = 4
"""Common words a text needs before its vote counts: a title alone is not enough."""


def detect(summary: str, description: str, declared: str = "") -> str | None:
    """The language of the invitation, or None when it does not say clearly: its interview wording, else the
    common words of its text, else the language it declares (`SUMMARY;LANGUAGE=de-DE`), which is often only
    the organizer's calendar program's."""
    for language, wording in _WORDING.items():
        if wording.search(summary):
            return language
    words = _WORD.findall(_LINK.sub(" ", f"{summary}\n{description[:5000]}").lower())
    votes = Counter({language: sum(1 for w in words if w in _VOCABULARY[language]) for language in LANGUAGES})
    (best, count), *rest = votes.most_common(2) or [("", 0)]
    runner_up = rest[0][1] if rest else 0
    if count >= MIN_VOTES and count >= 1.5 * runner_up:
        return best
    return declared if declared in LANGUAGES else None


def choose(override: str | None, detected: str | None, preferred: str | None) -> str:
    """The person's word for this interview, else what the invitation speaks, else their own language."""
    for candidate in (override, detected, preferred):
        if candidate:
            return candidate
    return "en"

