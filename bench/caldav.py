"""What a CalDAV calendar costs, on a real Radicale (from PyPI), against a naive poller.

    .venv/bin/python bench/caldav.py [--events 1000,5000] [--passes 30]

The calendar holds `events` events over a year (a tenth of them weekly series) and one interview.
Ours finds the calendars once, then asks one sync REPORT per pass; a new day reads the window again
(one time-range REPORT). The naive poller asks for every event each cycle (one calendar-query with
the data) and parses it all, as a first version of such a daemon would. Figures: HTTP requests,
CPU seconds of this process (time.process_time) and wall time (the server's work included);
ratios are naive / ours.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests"), str(HERE.parent / "daemon")]

from caldav_server import radicale  # noqa: E402
from conftest import at, calendar, vevent  # noqa: E402
from dovecot import PASSWORD  # noqa: E402
from fake_microsoft import certificate  # noqa: E402
from interview_followup import ics  # noqa: E402
from interview_followup.providers import Window  # noqa: E402
from interview_followup.providers.caldav import CalDavCalendar, CalDavSettings, Dav, Login  # noqa: E402
from interview_followup.providers.secrets import PasswordSource  # noqa: E402

NOW = at("2026-11-17T11:10")
ZONE = ZoneInfo("America/Los_Angeles")
REQUESTS: list[str] = []
_original = Dav._once


def _counting(self: Dav, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Any:
    REQUESTS.append(method)
    return _original(self, method, url, body, headers)


def measure(work: Any) -> tuple[float, float, int]:
    REQUESTS.clear()
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall, len(REQUESTS)


def window(now: Any) -> Window:
    return Window(now - timedelta(days=60), now + timedelta(days=120))


def run(events: int, passes: int, pem: Path) -> None:
    with radicale(pem) as server:
        user = server.user()
        items = [vevent("iv-1@acme.com", at("2026-11-17T10:00"), summary="Acme - Interview for Platform Engineer")]
        for n in range(events):
            start = NOW - timedelta(days=180) + timedelta(minutes=n * 365 * 24 * 60 // max(events, 1))
            extra = "RRULE:FREQ=WEEKLY;COUNT=20" if n % 10 == 0 else ""
            items.append(vevent(f"e{n}@example.org", start, summary=f"Meeting {n}", attendees=(), extra=extra))
        session = server.session(user)
        whole = calendar(*items).encode()
        answer = session.put(f"{server.url}{user}/personal/", data=whole, headers={"Content-Type": "text/calendar"})
        assert answer.status_code in (201, 204), answer.text
        login = Login(server.url, user, PasswordSource(f"printf '%s' '{PASSWORD}'", None, "bench"), pem)
        ours = CalDavCalendar(login, CalDavSettings(type="caldav"), ZONE, lambda data: b"nterview" in data)
        cursor: list[str | None] = [None]

        def one_pass(now: Any = NOW) -> None:
            cursor[0] = ours.changes(cursor[0], window(now)).cursor

        first = measure(one_pass)
        idle = [measure(one_pass) for _ in range(passes)]
        slide = measure(lambda: one_pass(NOW + timedelta(days=1)))
        dav = Dav(login)
        query = (
            b'<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/>'
            b'</d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>'
        )

        def naive() -> None:
            url = f"{server.url}{user}/personal/"
            for item in dav.request("REPORT", url, query, depth="1").items(url):
                data = item.text("{urn:ietf:params:xml:ns:caldav}calendar-data").encode()
                ics.parse(data, ZONE, window(NOW).start, window(NOW).end)

        cycle = [measure(naive) for _ in range(3)]
    cpu, wall = statistics.median(i[0] for i in idle), statistics.median(i[1] for i in idle)
    sent = statistics.median(i[2] for i in idle)
    n_cpu, n_wall, n_sent = (statistics.median(c[k] for c in cycle) for k in range(3))
    print(
        f"{events:>7} | {first[0]:>7.2f} {first[1]:>7.2f} {first[2]:>4} | {cpu * 1000:>6.2f} {wall * 1000:>7.2f} {sent:>4.0f} |"
        f" {slide[0]:>6.2f} {slide[1]:>6.2f} {slide[2]:>4} | {n_cpu:>6.2f} {n_wall:>6.2f} {n_sent:>4.0f} |"
        f" {n_cpu / cpu:>6.0f}x {n_wall / wall:>6.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", default="1000,5000")
    parser.add_argument("--passes", type=int, default=30)
    args = parser.parse_args()
    Dav._once = _counting  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as folder:
        pem = certificate(Path(folder))
        print("== a CalDAV calendar on a real Radicale (TLS): first pass, idle pass (median), a new day, a naive poller's cycle")
        print(
            f"{'events':>7} | {'first s':>7} {'wall s':>7} {'reqs':>4} | {'idle ms':>6} {'wall ms':>7} {'reqs':>4} |"
            f" {'day s':>6} {'wall s':>6} {'reqs':>4} | {'naive s':>6} {'wall s':>6} {'reqs':>4} | {'cpu':>7} {'wall':>7}"
        )
        for count in (int(n) for n in args.events.split(",")):
            run(count, args.passes, pem)
    print(f"(CPU seconds of this process unless said; idle over {args.passes} passes; ratios are naive / ours)")


if __name__ == "__main__":
    main()
