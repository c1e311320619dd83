"""What to call a person in a draft: the parts of a display name, and the salutation a careful writer would use.

Display names arrive as directories write them: `Chen, Wei`, `WANG Wei`, `Dr. Anna Schmidt`,
`Jan van der Berg`, `Priya Raman (Contoso)`, the bare address, or nothing. `nameparser` splits
them; this module only decides which part a letter uses. No gender is ever inferred: where a
language's formal greeting would need one, the neutral form with the full name is used.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from . import untrusted

_NOISE = re.compile(r"\s*(\([^)]*\)|\[[^\]]*\]|\s[-–|/]\s.*$|\bvia\b.*$)")
"""What directories append to a name: `(Contoso)`, `[EXT]`, ` - Recruiting`, ` via Greenhouse`."""
_GROUP = re.compile(
    r"\b(team|recruiting|recruitment|talent|careers?|jobs|hr|human resources|people|hiring|personalabteilung"
    r"|bewerbermanagement|recrutement|ressources humaines|rrhh|recursos humanos|selectie|werving|risorse umane)\b",
    re.I,
)
"""A mailbox's name that is a department's (`Personalabteilung Umbrella`, `Acme Talent Team`): nobody to greet by it."""
_ACADEMIC = {"dr", "prof", "professor", "doctor", "dr.-ing", "dr-ing"}
_COURTESY = {
    "mr", "mrs", "ms", "mx", "miss", "herr", "frau", "m", "mme", "mlle", "sr", "sra", "srta", "dhr", "mevr", "sig", "sig.ra",
}  # fmt: skip

NEUTRAL = {
    "en": ("Dear {name},", "Hello,"),
    "de": ("Guten Tag {name},", "Guten Tag,"),
    "fr": ("Bonjour {name},", "Bonjour,"),
    "es": ("Buenos días, {name}:", "Buenos días:"),
    "nl": ("Beste {name},", "Goedendag,"),
    "it": ("Gentile {name},", "Buongiorno,"),
    "pt": ("Bom dia, {name},", "Bom dia,"),
}
"""Per language: the salutation with a name, and without one. None of them needs the person's gender."""
FIRST_NAME_TERMS = {"en"}
"""Languages whose business mail greets an interviewer by the given name; the others use the full name."""


@dataclass(frozen=True)
class Name:
    given: str = ""
    family: str = ""
    title: str = ""
    """An academic title (`Dr.`, `Prof.`), or a courtesy title the person wrote themselves (`Ms.`)."""
    whole: str = ""
    """The name as a person would write it out in full: with an academic title, and with a courtesy title
    only when there is no given name (`Frau Schmidt`)."""

    @property
    def known(self) -> bool:
        return bool(self.whole)


@lru_cache(maxsize=4096)
def parse(display: str, email: str = "") -> Name:
    """The parts of a display name; a name that is only the address, or none, is derived from a
    `first.last@` address when it has that shape, else left unknown."""
    text = untrusted.line(display, 100)
    if not text or "@" in text:
        return _from_address(email)
    text = _NOISE.sub("", text).strip(" ,;'\"")
    if not text or _GROUP.search(text):
        return _from_address(email)
    if _no_spaces_script(text):
        return Name(whole=text)
    from nameparser import HumanName  # 0.04 s to import: only when a draft is written

    family_first = _family_in_capitals(text)
    parsed = HumanName(text)
    if family_first:
        parsed = HumanName(f"{family_first[0]}, {family_first[1]}")
    if text.isupper() or text.islower() or family_first:
        parsed.capitalize(force=True)
    kept = [t for t in parsed.title.split() if t.rstrip(".").lower() in _ACADEMIC | _COURTESY]
    given, family = parsed.first, parsed.last
    shown = kept if not given else [t for t in kept if t.rstrip(".").lower() in _ACADEMIC]
    whole = " ".join(p for p in (*shown, given, parsed.middle, family) if p)
    return Name(given, family, " ".join(kept), whole)


def salutation(name: Name, language: str) -> str:
    """The greeting line of a letter to this person, in this language."""
    with_name, without = NEUTRAL.get(language, NEUTRAL["en"])
    if not name.known:
        return without
    return with_name.format(name=call(name, language))


def call(name: Name, language: str) -> str:
    """What the letter calls the person: `Wei` in English, `Dr. Schmidt`, `Anna Schmidt` in German."""
    if language in FIRST_NAME_TERMS:
        if name.title and name.family:
            return f"{name.title.split()[0]} {name.family}"
        return name.given or name.whole
    return name.whole


def _from_address(email: str) -> Name:
    local = email.partition("@")[0]
    parts = local.split(".")
    if len(parts) == 2 and all(len(p) > 1 and p.isalpha() for p in parts):
        given, family = (p.capitalize() for p in parts)
        return Name(given, family, "", f"{given} {family}")
    return Name()


def _family_in_capitals(text: str) -> tuple[str, str] | None:
    """`WANG Wei`, `Wei WANG`: where one word alone is in capitals, it is the family name."""
    words = text.replace(",", " ").split()
    if len(words) != 2 or text.isupper():
        return None
    capitals = [w for w in words if w.isupper() and len(w) > 1]
    if len(capitals) != 1:
        return None
    family = capitals[0]
    return family, next(w for w in words if w is not family)


def _no_spaces_script(text: str) -> bool:
    """Chinese, Japanese and Korean names are written family name first, often without a space: kept whole."""
    return any(unicodedata.name(c, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")) for c in text)
