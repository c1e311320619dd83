"""Patterns that turn text away cheaply: a scan for literal anchors before the regular expression runs.

Python's `re` tries every branch of a long case-insensitive alternation at every position, which
costs about a millisecond on a page of mail. Every match of an anchored pattern contains one of its
anchors (tests check this on generated matches), so when the text's `skeleton` holds none of them,
the pattern cannot match and is not run. The skeleton is built so that any character `re.I`
equates with a letter becomes that letter: what the pattern would match, the scan finds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DOTLESS = str.maketrans({"ı": "i"})
"""The one letter `re.I` equates with an ASCII letter that NFKD does not reduce to it (İ, ſ and K do)."""


def alternation(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive pattern that matches where any of `patterns` does."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def skeleton(text: str) -> str:
    """The text in lower-case ASCII: accents, compatibility forms and other scripts reduced or dropped."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_DOTLESS)).encode("ascii", "ignore").decode()
    return text.lower()


_skeleton_of_recent = lru_cache(maxsize=8)(skeleton)
"""A message's text is looked at by several patterns in a row."""


class Phrases:
    """A case-insensitive alternation of `patterns` that every match of which holds one of `anchors`."""

    def __init__(self, patterns: tuple[str, ...], anchors: tuple[str, ...]) -> None:
        self.patterns = patterns
        self.pattern = alternation(patterns)
        self.anchors = tuple(skeleton(anchor) for anchor in anchors)

    def may_match(self, text: str) -> bool:
        folded = _skeleton_of_recent(text)
        return any(anchor in folded for anchor in self.anchors)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.may_match(text) else None

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.pattern.match(text, pos) if self.may_match(text[pos:]) else None


def phrases(*patterns: str, anchors: tuple[str, ...]) -> Phrases:
    return Phrases(patterns, anchors)
