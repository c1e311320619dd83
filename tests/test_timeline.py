"""The status page: one timeline per application, static, and drawn as intended by a real browser."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from conftest import ME, World, at, message, require, vevent
from interview_followup import agenda, status, timeline

ACME = vevent("iv-1@acme.com", at("2026-11-17T10:00"), summary="Acme - Interview for Platform Engineer")
GLOBEX = vevent(
    "iv-2@globex.com",
    at("2026-11-19T14:00"),
    summary="Interview <script>alert(1)</script> Globex",
    organizer="Pat Kim:pat.kim@globex.com",
    attendees=("Pat Kim:pat.kim@globex.com", f"Sam Lee:{ME}"),
)
BLUE, RED, GREEN = (0x25, 0x63, 0xEB), (0xDC, 0x26, 0x26), (0x16, 0xA3, 0x4A)


@pytest.fixture
def two_applications(world: World) -> Iterator[str]:
    """Acme answered after its drafts went out; Globex is still being followed up."""
    world.write_calendar(ACME, GLOBEX)
    world.now = at("2026-11-17T11:10")
    world.cycle()
    world.now = at("2026-11-19T15:10")
    world.cycle()
    world.now = at("2026-11-23T09:00")
    world.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thanks", "Unfortunately we went another way.", received=world.now))
    world.cycle()
    world.now += timedelta(hours=1)
    with world.store() as store:
        items = status.overview(world.config(), store, world.now)
    zone = world.config().zone
    yield timeline.page(items, agenda.tasks(items, world.now, zone), world.now, zone)


def test_the_page_loads_nothing_runs_nothing_and_escapes_what_invitations_say(two_applications: str) -> None:
    page = two_applications
    assert page.count("<section>") == 2 and page.count("<svg") == 2
    assert not re.search(r"""(src|href)\s*=|url\(|@import|<script""", page), "no external resource, no script"
    assert "default-src 'none'" in page
    assert "outcome: rejected?" in page and "employer replied" in page


def test_a_company_name_cannot_become_markup() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    item = {
        "id": "i", "company": hostile, "employer": "x.com", "role": "</svg><script>", "start": "2026-11-17T10:00:00-08:00",
        "stopped_at": None, "phase": "following up", "outcome": None, "outcome_confirmed": False,
        "steps": [{"step": "first_check_in", "kind": "entry", "due": "2026-11-24T10:00:00-08:00", "state": "<b>",
                   "stage": "made"}],
    }  # fmt: skip
    page = timeline.page([item], [], at("2026-11-18T10:00"), ZoneInfo("America/Los_Angeles"))
    assert "<img" not in page and "<script" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_chromium_draws_one_timeline_per_application(two_applications: str, tmp_path: Path) -> None:
    chromium = require("chromium")
    (tmp_path / "status.html").write_text(two_applications)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1040,900",
            (tmp_path / "status.html").as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    picture = Image.open(shot).convert("RGB")
    rows = {colour: _rows_with(picture, colour) for colour in (BLUE, RED, GREEN)}
    assert len(_bands(rows[BLUE])) == 2, "an interview dot on each of two timelines"
    assert len(_bands(rows[RED])) == 1, "one answer, on Acme's timeline"
    assert _bands(rows[GREEN]), "drafts and entries in the person's folders are drawn green"


def _rows_with(picture: Image.Image, colour: tuple[int, int, int]) -> list[int]:
    width, height = picture.size
    pixels = picture.load()
    return [y for y in range(height) if sum(1 for x in range(0, width, 2) if _near(pixels[x, y], colour)) >= 6]


def _near(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(pixel, colour, strict=True))


def _bands(rows: list[int]) -> list[tuple[int, int]]:
    """Runs of neighbouring rows: one per drawn mark's row of the page."""
    bands: list[tuple[int, int]] = []
    for y in rows:
        if bands and y - bands[-1][1] <= 3:
            bands[-1] = (bands[-1][0], y)
        else:
            bands.append((y, y))
    return bands
