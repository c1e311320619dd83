"""Requests and time per pass on each cloud backend, against the loopback fakes of the test suite.

    .venv/bin/python bench/api_requests.py [google|microsoft ...]

Prints, for each kind of pass, the HTTP requests made (a Graph JSON batch counts once; its parts
are listed by route), the requests to the token endpoint and the wall time; then the idle passes
at every hour of the day after an interview, before and after the evening reminder, against a
naive sent-check that asks about each thank-you draft on every pass. The fakes answer in well
under a millisecond (Microsoft's over TLS), so the time is the client's own cost plus loopback HTTP.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fake_google  # noqa: E402
import fake_microsoft  # noqa: E402
from conftest import at, message  # noqa: E402
from places import Clock, GooglePlace, Place, Servers  # noqa: E402


def requests_so_far(place: Place) -> tuple[int, Counter[str]]:
    """HTTP requests made at the place's fake, with the token endpoint's; and the API calls by name."""
    fake = place.fake  # type: ignore[union-attr]
    calls = Counter(m.removeprefix("calendar.").removeprefix("gmail.users.") for m, _ in fake.requests)
    http = len(fake.requests) if isinstance(place, GooglePlace) else fake.http
    return http + fake.token_requests, calls


def measure(place: Place, label: str, quiet: bool = False) -> int:
    total_before, calls_before = requests_so_far(place)
    started = time.perf_counter()
    report = place.cycle()
    elapsed = time.perf_counter() - started
    total, calls = requests_so_far(place)
    made = total - total_before
    detail = ", ".join(f"{name} {n}" for name, n in sorted((calls - calls_before).items()))
    if not quiet:
        print(f"{label:<44} {made:>3} requests  {elapsed * 1000:>6.0f} ms  {len(report.actions)} actions  ({detail})")
    return made


def passes(place: Place) -> None:
    place.now = at("2026-11-17T09:00")
    measure(place, "first pass, empty calendar and mailbox")
    measure(place, "idle pass")
    place.interview_ends()
    place.now = at("2026-11-17T12:00")
    measure(place, "one interview has just ended")
    place.now = at("2026-11-18T09:00")
    measure(place, "next morning, nothing new")
    measure(place, "idle pass")
    place.fake.deliver(message("Pat <pat@example.org>", "Dinner?", "At eight?", received=place.now), place.now)  # type: ignore[union-attr]
    measure(place, "one unrelated message")
    with place.store() as store:
        (record,) = store.interviews()
        store.set_note(record.interview.id, "We both race sailboats.", None)
    measure(place, "a note: the two thank-you drafts rewritten")
    place.employer_replies()
    measure(place, "the employer replies")
    measure(place, "idle pass")


def idle_by_hour(place: Place) -> None:
    """From the end of the interview (Tue 12:00) to the next evening: a pass, then an idle pass, each hour."""
    place.interview_ends()
    place.cycle()
    drafts = sum(place.drafts_by_key().values())
    counts = {}
    for hour in range(30):
        place.now = at("2026-11-17T12:00") + timedelta(hours=hour)
        place.cycle()
        counts[f"{place.now:%a %H:%M}"] = measure(place, "", quiet=True)
    before = [n for label, n in counts.items() if label.startswith("Tue") and label < "Tue 18:00"]
    print(f"idle passes, each hour Tue 12:00 to Wed 17:00:  {min(counts.values())} to {max(counts.values())} requests")
    naive = max(before) + drafts
    print(f"  before the 18:00 reminder: {max(before)} requests; a per-draft sent check: {naive} ({naive / max(before):.1f}x)")


def main(kinds: list[str]) -> None:
    clock = Clock()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        os.environ["REQUESTS_CA_BUNDLE"] = str(fake_microsoft.certificate(root))
        with fake_google.serve(clock) as google, fake_microsoft.serve(root / "fake-microsoft.pem", clock) as microsoft:
            servers = Servers(google, microsoft, clock)
            for kind in kinds:
                print(f"== {kind}")
                passes(servers.place(kind, root / kind / "passes"))
                idle_by_hour(servers.place(kind, root / kind / "hours"))


if __name__ == "__main__":
    main(sys.argv[1:] or ["google", "microsoft"])
