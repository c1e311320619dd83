"""The anchor scan never turns away text its pattern would match."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from interview_followup import mail, wording
from interview_followup.anchors import Phrases, skeleton

ANCHORED = {name: value for name, value in vars(wording).items() if isinstance(value, Phrases)}
BRANCHES = [(name, pattern) for name, phrases in ANCHORED.items() for pattern in phrases.patterns]


def test_the_patterns_searched_over_bodies_are_anchored() -> None:
    assert {"AUTO_BODY", "AUTO_SUBJECT", "BOUNCE_BODY", "CHALLENGE", "JOB_PROCESS", "ANSWER", "NOTICE"} <= set(ANCHORED)


@pytest.mark.parametrize(("name", "pattern"), BRANCHES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BRANCHES)])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_every_match_holds_an_anchor(name: str, pattern: str, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(re.compile(pattern, re.I), fullmatch=True))
    assert ANCHORED[name].may_match(text), (pattern, text)


def test_the_skeleton_keeps_every_letter_case_insensitive_matching_equates_with_an_anchor_letter() -> None:
    letters = sorted({c for phrases in ANCHORED.values() for anchor in phrases.anchors for c in anchor if c.isalpha()})
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    for letter in letters:
        for twin in re.findall(re.escape(letter), everything, re.I):
            assert skeleton(twin) == letter, (letter, twin)
    assert skeleton("ınterVİEW ſurvey") == "interview survey"


@pytest.mark.parametrize("path", sorted(DATA.glob("mail/**/*.eml")), ids=lambda p: str(p.relative_to(DATA)))
def test_on_real_mail_the_scan_changes_no_answer(path: Path) -> None:
    message = mail.parse(path.read_bytes(), "k", datetime(2026, 1, 1, tzinfo=timezone.utc))
    for text in (message.subject, message.body[:3000], wording.fresh(message.body[:3000])):
        for phrases in ANCHORED.values():
            assert (phrases.search(text) is None) == (phrases.pattern.search(text) is None), (path, phrases.patterns)
