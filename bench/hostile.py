"""How long a pass takes when the calendar and inbox hold every hostile shape of tests/hostile.py.

    .venv/bin/python bench/hostile.py

Prints the time to read each hostile calendar file with the bounded parser, the time of a whole pass
over a calendar folder with a real interview alone and with all of them beside it, and, as the naive
baseline, an unbounded expansion of the `FREQ=SECONDLY` invitation (given 20 s in a child process).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import World, at, vevent  # noqa: E402
from hostile import calendars, messages  # noqa: E402
from interview_followup import ics  # noqa: E402
from interview_followup.engine import LOOKAHEAD, LOOKBACK  # noqa: E402

NOW = at("2026-11-17T12:00")
NAIVE = """
import sys, icalendar, recurring_ical_events
from datetime import datetime, timedelta, timezone
now = datetime(2026, 11, 17, 20, tzinfo=timezone.utc)
calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
print(len(recurring_ical_events.of(calendar).between(now - timedelta(days=100), now + timedelta(days=90))))
"""


def world(root: Path, hostile: bool) -> World:
    (root / "calendar").mkdir(parents=True)
    for sub in ("new", "cur", "tmp"):
        (root / "Mail/INBOX" / sub).mkdir(parents=True)
    made = World(root, NOW)
    made.write_calendar(vevent("real@acme.com", at("2026-11-17T10:00"), summary="Acme - Interview"), name="real.ics")
    if hostile:
        for name, data in calendars().items():
            (root / "calendar" / name).write_bytes(data)
        for name, raw in messages().items():
            made.deliver(raw, name=f"1795000000.{name}.host")
    return made


def timed_pass(root: Path, hostile: bool) -> tuple[float, int]:
    made = world(root, hostile)
    started = time.perf_counter()
    made.cycle()
    return time.perf_counter() - started, len(made.drafts()) + len(made.entries())


def main() -> None:
    print("reading each hostile calendar file (bounded parser):")
    for name, data in calendars().items():
        started = time.perf_counter()
        parsed = ics.parse(data, ZoneInfo("UTC"), NOW - LOOKBACK, NOW + LOOKAHEAD)
        note = (parsed.problems[0][:70] + "…") if parsed.problems else f"{len(parsed.events)} events"
        print(f"  {name:<18} {time.perf_counter() - started:6.2f} s   {note}")
    with tempfile.TemporaryDirectory() as folder:
        alone, made_alone = timed_pass(Path(folder) / "alone", hostile=False)
        crowded, made_crowded = timed_pass(Path(folder) / "hostile", hostile=True)
        print(f"pass, the real interview alone:            {alone:6.2f} s   {made_alone} drafts and entries made")
        print(f"pass, beside every hostile shape:          {crowded:6.2f} s   {made_crowded} drafts and entries made")
        path = Path(folder) / "secondly.ics"
        path.write_bytes(calendars()["secondly.ics"])
        started = time.perf_counter()
        try:
            subprocess.run([sys.executable, "-c", NAIVE, str(path)], capture_output=True, timeout=20, check=True)
            naive = f"{time.perf_counter() - started:6.2f} s"
        except subprocess.TimeoutExpired:
            naive = "did not finish in 20 s"
        print(f"naive expansion of the FREQ=SECONDLY invite: {naive}")


if __name__ == "__main__":
    main()
