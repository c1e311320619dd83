"""Requests and time per pass on the Google backend, against the loopback fake of the test suite.

    .venv/bin/python bench/google_requests.py

Prints, for each kind of pass, the API requests made (by method) and the wall time; then the idle
passes at every hour of the day after an interview, before and after the evening reminder, against
a naive sent-check that asks about each thank-you draft on every pass. The fake answers in well
under a millisecond, so the time is the client's own cost plus loopback HTTP.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hours import idle_by_hour  # noqa: E402

from conftest import at, message  # noqa: E402
from fake_google import serve, token_file  # noqa: E402
from test_google import GoogleWorld, interview  # noqa: E402


def measure(world: GoogleWorld, label: str, quiet: bool = False) -> int:
    before = len(world.fake.requests)
    refreshes = world.fake.token_requests
    started = time.perf_counter()
    report = world.cycle()
    elapsed = time.perf_counter() - started
    methods = Counter(m.removeprefix("calendar.").removeprefix("gmail.users.") for m, _ in world.fake.requests[before:])
    token = world.fake.token_requests - refreshes
    total = sum(methods.values()) + token
    detail = ", ".join(f"{m} {n}" for m, n in sorted(methods.items())) + (f", token {token}" if token else "")
    if not quiet:
        print(f"{label:<44} {total:>3} requests  {elapsed * 1000:>6.0f} ms  {len(report.actions)} actions  ({detail})")
    return total


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, serve(clock=lambda: world.now) as fake:
        root = Path(folder)
        token_file(root / "token.json", fake)
        (root / "client.json").write_text("{}")
        world = GoogleWorld(root, fake, at("2026-11-17T09:00"))
        measure(world, "first pass, empty calendar and mailbox")
        measure(world, "idle pass")
        fake.put_event(interview())
        world.now = at("2026-11-17T12:00")
        measure(world, "one interview has just ended")
        world.now = at("2026-11-18T09:00")
        measure(world, "next morning, nothing new")
        measure(world, "idle pass")
        fake.deliver(message("Pat <pat@example.org>", "Dinner?", "At eight?", received=world.now), world.now)
        measure(world, "one unrelated message")
        fake.deliver(
            message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", "Let's talk Friday.", received=world.now),
            world.now,
        )
        measure(world, "the employer replies")
        measure(world, "idle pass")
    with tempfile.TemporaryDirectory() as folder, serve(clock=lambda: world.now) as fake:
        root = Path(folder)
        token_file(root / "token.json", fake)
        (root / "client.json").write_text("{}")
        world = GoogleWorld(root, fake, at("2026-11-17T12:00"))
        fake.put_event(interview())
        world.cycle()
        idle_by_hour(world, lambda: measure(world, "", quiet=True), len(fake.drafts))


if __name__ == "__main__":
    main()
