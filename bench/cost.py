"""What the daemon costs on this machine, side by side with a naive poller, in one run.

    .venv/bin/python bench/cost.py [--sizes 1000:1000,5000:10000,20000:100000] [--passes 200]

The naive poller is what a first version of such a daemon does each cycle: list every calendar
file and every message in the look-back window, parse them all, look for interviews and judge
every message. Figures are CPU seconds of this process (time.process_time) unless they say wall
or MB; ratios are naive / ours. Calendars and mailboxes are made by `run_once.build`; the clock
is injected and moves five minutes a pass, as the default poll interval does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from run_once import build  # noqa: E402

NOW = datetime(2026, 11, 17, 19, 0, tzinfo=timezone.utc)
POLL = timedelta(minutes=5)
EAGER = "import interview_followup.commands, interview_followup.providers.google, interview_followup.providers.microsoft"
"""What the command line imported before it parsed its arguments, and a daemon that loads every backend."""


def cpu(work: Callable[[], object]) -> float:
    begin = time.process_time()
    work()
    return time.process_time() - begin


def wall(command: list[str], rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        begin = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        best = min(best, time.perf_counter() - begin)
    return best


def startup() -> None:
    python = [sys.executable, "-m", "interview_followup"]
    naive = wall([sys.executable, "-c", EAGER])
    print("== start-up (wall, best of 5)")
    for flag in ("--help", "--version"):
        ours = wall([*python, flag])
        print(f"{flag:<10} {ours:6.3f} s   everything imported first: {naive:6.3f} s   {naive / ours:5.1f}x   goal <= 0.1 s")


class Resident:
    """The daemon's engine over one generated account, passes driven by an injected clock."""

    def __init__(self, config_path: Path) -> None:
        from interview_followup import config as config_module
        from interview_followup.engine import Engine
        from interview_followup.store import Store

        self.now = NOW
        self.config = config_module.load(config_path).config
        self.store = Store.open(config_module.state_dir(self.config) / "state.sqlite3")
        self.engine = Engine(self.config, self.store, clock=lambda: self.now)

    def run(self) -> float:
        from interview_followup.daemon import run_accounts

        self.now += POLL
        return cpu(lambda: run_accounts(self.engine, self.config.accounts))


def naive_cycle(root: Path, messages_cap: int | None) -> tuple[float, float]:
    """One cycle of the naive poller: every .ics parsed, every message in the window parsed and judged.
    With a cap, the messages are timed on that many and the figure scaled to all of them."""
    from zoneinfo import ZoneInfo

    from interview_followup import detect, ics, mail, replies

    zone, rules = ZoneInfo("Europe/Berlin"), detect.Rules(me=frozenset({"me@example.net"}))

    def calendar() -> None:
        for path in sorted((root / "calendar").iterdir()):
            for event in ics.parse(path.read_bytes(), zone, NOW - timedelta(days=100), NOW + timedelta(days=90)).events:
                detect.detect(event, rules)

    paths = sorted((root / "Mail/INBOX/cur").iterdir()) + sorted((root / "Mail/INBOX/new").iterdir())
    sample = paths[:messages_cap] if messages_cap else paths

    def inbox() -> None:
        for path in sample:
            message = mail.parse(path.read_bytes(), path.name, NOW)
            replies.classify(message, ["me@example.net"])

    return cpu(calendar), cpu(inbox) * len(paths) / max(1, len(sample))


def sizes_table(sizes: list[tuple[int, int]], passes: int) -> None:
    print("\n== one account: a vdir calendar folder and a Maildir inbox (CPU s)")
    header = f"{'events':>6} {'messages':>8} | {'first pass':>10} {'idle pass':>9} {'idle max':>8} {'1 change':>8} "
    print(header + f"{'day slide':>9} | {'naive cycle':>11} {'naive/idle':>10} {'naive/slide':>11}")
    for events, messages in sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            resident = Resident(build(root, events, messages, NOW))
            first = resident.run()
            resident.run()
            idle = [resident.run() for _ in range(passes)]
            touched = root / "calendar" / "00100.ics"
            touched.write_text(touched.read_text().replace("Interview with", "Final round with"))
            (root / "Mail/INBOX/new" / f"{int(resident.now.timestamp())}.reply.bench").write_text(
                "From: Lead <lead@company200.com>\nTo: me@example.net\nSubject: Re: Thank you\n\nLet's talk.\n"
            )
            change = resident.run()
            resident.now = (resident.now + timedelta(days=1)).replace(hour=0, minute=2)
            slide = resident.run()
            resident.store.close()
            cap = 10_000 if messages > 10_000 else None
            naive = sum(naive_cycle(root, cap))
        median = statistics.median(idle)
        print(
            f"{events:>6} {messages:>8} | {first:>10.2f} {median * 1000:>6.1f} ms {max(idle) * 1000:>5.1f} ms {change:>8.2f} "
            f"{slide:>9.2f} | {naive:>10.2f}{'*' if cap else ' '} {naive / median:>9.0f}x {naive / slide:>10.1f}x"
        )
    print(f"(* messages timed on 10,000 and scaled; idle over {passes} passes; goals: idle <= 20 ms, first pass on 5k <= 3 s)")


def rss_now(field: str = "VmRSS") -> float:
    """This process's resident memory in MB (VmHWM: its peak; ru_maxrss would count the parent's, kept across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_child(config_path: str, passes: int) -> None:
    """Run in a process of its own: the resident daemon's memory over idle passes, printed as JSON."""
    from interview_followup import config as config_module
    from interview_followup.daemon import give_back_memory, run_accounts
    from interview_followup.engine import Engine
    from interview_followup.store import Store

    config = config_module.load(Path(config_path)).config
    store = Store.open(config_module.state_dir(config) / "state.sqlite3")
    engine = Engine(config, store)
    seen = {}
    for index in range(1, passes + 1):
        outcome = run_accounts(engine, config.accounts)
        give_back_memory()  # as the daemon's loop does after each pass
        if outcome.failed or outcome.needs_sign_in:
            raise SystemExit(f"pass {index}: {outcome.failed or outcome.needs_sign_in}")
        if index in (1, 10, passes // 2, passes):
            seen[index] = round(rss_now(), 1)
    peak = rss_now("VmHWM")
    print(json.dumps({"rss": seen, "peak": round(peak, 1), "modules": len(sys.modules)}))


def memory(passes: int) -> None:
    """Local, Google and Microsoft accounts in one daemon; the fakes run in this process, the daemon in a child."""
    import fake_google
    import fake_microsoft
    from conftest import at, message
    from places import Clock

    print(f"\n== resident memory: a local, a Google and a Microsoft account, {passes} idle passes (MB)")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        pem = fake_microsoft.certificate(root)
        os.environ["REQUESTS_CA_BUNDLE"] = str(pem)
        clock = Clock()
        with fake_google.serve(clock) as google, fake_microsoft.serve(pem, clock) as microsoft:
            (root / "local").mkdir()
            config = build(root / "local", 1000, 1000, NOW)
            fake_google.token_file(root / "token.json", google)
            (root / "client.json").write_text("{}")
            for fake in (google, microsoft):
                fake.deliver(message("Pat <pat@example.org>", "Dinner?", "At eight?", received=at("2026-11-17T09:00")), NOW)
            accounts = (
                f"  - name: gmail\n    type: google\n    client_secrets: {root}/client.json\n    token_file: {root}/token.json\n"
                f"    api_endpoint: {google.url}\n    token_uri: {google.url}token\n"
                f"  - name: outlook\n    type: microsoft\n    client_id: {fake_microsoft.CLIENT_ID}\n"
                f"    token_cache: {root}/msal.json\n    authority: {microsoft.authority}\n"
                f"    graph_endpoint: {microsoft.graph}\n"
            )
            config.write_text(config.read_text().replace("state_dir:", accounts + "state_dir:"))
            _sign_in_microsoft(config)
            child = [sys.executable, __file__, "--resident", str(config), "--passes", str(passes)]
            result = subprocess.run(child, capture_output=True, text=True)
            if result.returncode:
                raise SystemExit(f"the resident daemon failed:\n{result.stderr[-3000:]}")
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            measure = f"{EAGER}\nimport sys; sys.path.insert(0, {str(HERE)!r}); import cost; print(cost.rss_now())"
            naive = subprocess.run([sys.executable, "-c", measure], check=True, capture_output=True, text=True)
    by_pass = "  ".join(f"after pass {n}: {mb:.1f}" for n, mb in figures["rss"].items())
    print(f"{by_pass}  peak: {figures['peak']:.1f}  modules loaded: {figures['modules']}")
    last = list(figures["rss"].values())[-1]
    eager = float(naive.stdout)
    print(f"everything imported, nothing run: {eager:.1f} MB ({eager / last:.2f}x); goal <= 60 MB, no growth")


def _sign_in_microsoft(config_path: Path) -> None:
    """What `auth microsoft` does, with the person entering the code at once."""
    from interview_followup import config as config_module
    from interview_followup.providers import microsoft_auth

    account = next(a for a in config_module.load(config_path).config.accounts if a.name == "outlook")
    token = Path(account.token_cache)  # type: ignore[attr-defined]
    microsoft_auth.sign_in(account, microsoft_auth.FileKeeper(token), browser=False, say=lambda *_: None)  # type: ignore[arg-type]


def message_table(count: int) -> None:
    """The `messages` table after `count` messages seen over a year, a few hundred a day, kept as the daemon keeps it."""
    from interview_followup.engine import FORGET_AFTER, LOOKBACK
    from interview_followup.model import InboundMessage, Person
    from interview_followup.store import Store

    print(f"\n== the state database after {count:,} messages seen over a year")
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "state.sqlite3")
        start = NOW - timedelta(days=365)
        step = timedelta(days=365) / count
        for day in range(365):
            with store.transaction():
                for n in range(day * count // 365, (day + 1) * count // 365):
                    received = start + step * n
                    sender = Person(f"news{n % 40}@lists.example.org", "News")
                    message = InboundMessage(f"m{n}", sender, "Digest", received)
                    store.record_message("bench", message, "bulk", ["list header"], received)
            store.forget_messages(start + timedelta(days=day + 1) - LOOKBACK - FORGET_AFTER)
        rows = store._db.execute("SELECT count(*) FROM messages").fetchone()[0]
        store._db.execute("VACUUM")
        size = (Path(folder) / "state.sqlite3").stat().st_size / 2**20
        query = cpu(lambda: [store.human_messages("bench", NOW - LOOKBACK) for _ in range(100)]) / 100
        store.close()
    print(f"rows kept: {rows:,} of {count:,} ({count / rows:.1f}x fewer)  file: {size:.1f} MB")
    print(f"human messages of the window, as asked when a new interview appears: {query * 1000:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000:1000,5000:10000,20000:100000")
    parser.add_argument("--passes", type=int, default=200)
    parser.add_argument("--resident", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["start", "sizes", "memory", "messages"], action="append")
    args = parser.parse_args()
    if args.resident:
        resident_child(args.resident, args.passes)
        return
    parts = args.only or ["start", "sizes", "memory", "messages"]
    if "start" in parts:
        startup()
    if "sizes" in parts:
        sizes = [tuple(int(n) for n in pair.split(":")) for pair in args.sizes.split(",")]
        sizes_table(sizes, min(args.passes, 30))  # type: ignore[arg-type]
    if "memory" in parts:
        memory(args.passes)
    if "messages" in parts:
        message_table(100_000)


if __name__ == "__main__":
    main()
