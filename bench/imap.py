"""What an IMAP account costs, on a real Dovecot (Debian's dovecot-imapd), against a naive poller.

    .venv/bin/python bench/imap.py [--messages 1000,10000] [--passes 30]

The naive poller logs in each cycle, opens the inbox and fetches the headers of every message in
the look-back window, as a first version of such a daemon would. Ours keeps its session and asks
one STATUS. Figures: IMAP commands per pass, CPU seconds of this process (time.process_time), and
wall time (the server's work included); ratios are naive / ours.
"""

from __future__ import annotations

import argparse
import imaplib
import os
import ssl
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from conftest import at, message, vevent  # noqa: E402
from dovecot import PASSWORD, dovecot  # noqa: E402
from fake_microsoft import certificate  # noqa: E402

NOW = at("2026-11-17T11:10")
COMMANDS: Counter[str] = Counter()
_original = imaplib.IMAP4._command


def _counting(self: imaplib.IMAP4, name: str, *args: Any) -> Any:
    COMMANDS[name] += 1
    return _original(self, name, *args)


def measure(work: Any) -> tuple[float, float, int]:
    COMMANDS.clear()
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall, sum(COMMANDS.values())


def run(messages: int, passes: int, root: Path, pem: Path) -> None:
    from imapclient import IMAPClient

    from interview_followup import config as config_module
    from interview_followup.engine import Engine
    from interview_followup.store import Store

    with dovecot(pem) as server:
        user = server.user()
        with server.client(user) as client:
            for n in range(messages):
                received = NOW - timedelta(days=20) + timedelta(minutes=n * 20 * 24 * 60 // max(messages, 1))
                raw = message(f"Person {n} <p{n}@example.org>", f"Note {n}", "Hello.\n" * 20, received=received)
                client.append("INBOX", raw, msg_time=received)
        folder = root / f"account-{messages}"
        (folder / "calendar").mkdir(parents=True)
        (folder / "calendar" / "personal.ics").write_text(
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//bench//EN\n"
            + vevent("iv-1@acme.com", at("2026-11-17T10:00"), summary="Acme - Interview for Platform Engineer")
            + "END:VCALENDAR\n"
        )
        config_path = folder / "config.yaml"
        config_path.write_text(
            f"me:\n  name: Sam Lee\n  addresses: [sam.lee@example.net]\n  timezone: America/Los_Angeles\n"
            f"accounts:\n  - name: mail\n    type: imap\n    host: 127.0.0.1\n    port: {server.tls_port}\n"
            f"    username: {user}\n    password_command: printf '%s' '{PASSWORD}'\n"
            f"    calendar: {folder}/calendar\n    followup_calendar: {folder}/followups\nstate_dir: {folder}/state\n"
        )
        config = config_module.load(config_path).config
        store = Store.open(folder / "state" / "state.sqlite3")
        now = [NOW]
        engine = Engine(config, store, clock=lambda: now[0])

        def one_pass() -> None:
            now[0] += timedelta(minutes=5)
            engine.run(config.accounts[0])

        first = measure(one_pass)
        one_pass()
        idle = [measure(one_pass) for _ in range(passes)]
        since = NOW - timedelta(days=30)

        def naive() -> None:
            context = ssl.create_default_context()
            with IMAPClient("127.0.0.1", server.tls_port, ssl=True, ssl_context=context, timeout=60) as client:
                client.login(user, PASSWORD)
                client.select_folder("INBOX", readonly=True)
                uids = client.search(["SINCE", since.date()])
                for start in range(0, len(uids), 500):
                    client.fetch(uids[start : start + 500], ["BODY.PEEK[HEADER]"])

        cycle = [measure(naive) for _ in range(3)]
        store.close()
    cpu, wall = statistics.median(i[0] for i in idle), statistics.median(i[1] for i in idle)
    commands = statistics.median(i[2] for i in idle)
    n_cpu, n_wall, n_commands = (statistics.median(c[k] for c in cycle) for k in range(3))
    print(
        f"{messages:>8} | {first[0]:>9.2f} {first[1]:>9.2f} {first[2]:>8} |"
        f" {cpu * 1000:>7.2f} {wall * 1000:>8.2f} {commands:>8.0f} |"
        f" {n_cpu * 1000:>8.1f} {n_wall * 1000:>9.1f} {n_commands:>8.0f} | {n_cpu / cpu:>7.0f}x {n_wall / wall:>7.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", default="1000,10000")
    parser.add_argument("--passes", type=int, default=30)
    args = parser.parse_args()
    imaplib.IMAP4._command = _counting  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        pem = certificate(root)
        os.environ["SSL_CERT_FILE"] = str(pem)
        print("== an IMAP account on a real Dovecot (implicit TLS): first pass, idle pass (median), and a naive poller's cycle")
        print(
            f"{'messages':>8} | {'first cpu':>9} {'wall s':>9} {'commands':>8} | {'idle ms':>7} {'wall ms':>8} {'commands':>8} |"
            f" {'naive ms':>8} {'wall ms':>9} {'commands':>8} | {'cpu':>8} {'wall':>8}"
        )
        for count in (int(n) for n in args.messages.split(",")):
            run(count, args.passes, root, pem)
    print(f"(idle over {args.passes} passes; ratios are naive / ours)")


if __name__ == "__main__":
    main()
