"""Graph requests and time per pass on the Microsoft backend, against the loopback fake of the test suite.

    .venv/bin/python bench/microsoft_requests.py

Prints, for each kind of pass, the HTTP requests made (a JSON batch counts once; its parts are
listed by route), the requests to the identity platform and the wall time; then the idle passes
at every hour of the day after an interview, before and after the evening reminder, against a
naive sent-check that asks about each thank-you draft on every pass. The fake speaks HTTPS on
loopback, so the time is the client's own cost plus a local TLS round trip per request.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hours import idle_by_hour  # noqa: E402

from conftest import at, message  # noqa: E402
from fake_microsoft import certificate, serve  # noqa: E402
from test_microsoft import MicrosoftWorld, interview  # noqa: E402


def measure(world: MicrosoftWorld, label: str, quiet: bool = False) -> int:
    before, http = len(world.fake.requests), world.fake.http
    refreshes = world.fake.token_requests
    started = time.perf_counter()
    report = world.cycle()
    elapsed = time.perf_counter() - started
    routes = Counter(route for route, _ in world.fake.requests[before:])
    token = world.fake.token_requests - refreshes
    total = world.fake.http - http + token
    detail = ", ".join(f"{r} {n}" for r, n in sorted(routes.items())) + (f", token {token}" if token else "")
    if not quiet:
        print(f"{label:<44} {total:>3} requests  {elapsed * 1000:>6.0f} ms  {len(report.actions)} actions  ({detail})")
    return total


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        os.environ["REQUESTS_CA_BUNDLE"] = str(certificate(root))
        with serve(root / "fake-microsoft.pem", clock=lambda: world.now) as fake:
            world = MicrosoftWorld(root, fake, at("2026-11-17T09:00"))
            world.sign_in()  # prints the device code it would show
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
        with serve(root / "fake-microsoft.pem", clock=lambda: world.now) as fake:
            world = MicrosoftWorld(root / "hours", fake, at("2026-11-17T12:00"))
            world.root.mkdir()
            world.sign_in()
            fake.put_event(interview())
            world.cycle()
            idle_by_hour(world, lambda: measure(world, "", quiet=True), len(fake.drafts()))


if __name__ == "__main__":
    main()
