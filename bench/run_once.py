"""Time `interview-followup run --once` on a large vdir calendar folder and a busy Maildir.

    python bench/run_once.py [--events 5000] [--messages 2000]

Prints the wall time of the first pass (everything parsed), the second (nothing changed), and a
third after one new message and one changed event, each as a separate process like systemd runs it.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SUMMARIES = ["Team sync", "1:1", "Dentist", "Gym", "Lunch with Alex", "Sprint planning", "Call mom", "Book club"]


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def event_file(uid: str, start: datetime, summary: str, people: list[str], rrule: str = "") -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//bench//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp(start)}",
        f"DTSTART:{stamp(start)}",
        f"DTEND:{stamp(start + timedelta(hours=1))}",
        f"SUMMARY:{summary}",
    ]
    if rrule:
        lines.append(rrule)
    if people:
        lines.append(f"ORGANIZER:mailto:{people[0]}")
        lines += [f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{p}" for p in people]
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def build(root: Path, events: int, messages: int, now: datetime) -> Path:
    rng = random.Random(7)
    calendar = root / "calendar"
    calendar.mkdir()
    for index in range(events):
        start = now + timedelta(days=rng.randint(-400, 120), hours=rng.randint(0, 10))
        if index % 100 == 0:
            domain = f"company{index}.com"
            summary, people = f"Interview with Company {index}", [f"recruiter@{domain}", f"lead@{domain}", "me@example.net"]
            start = now - timedelta(days=rng.randint(0, 30), hours=2)
        else:
            summary, people = (
                rng.choice(SUMMARIES),
                [f"colleague{index % 50}@initrode.com", "me@example.net"] if index % 3 else [],
            )
        rrule = "RRULE:FREQ=WEEKLY;COUNT=20" if index % 25 == 1 else ""
        (calendar / f"{index:05d}.ics").write_text(event_file(f"bench-{index}", start, summary, people, rrule))
    inbox = root / "Mail/INBOX"
    for sub in ("new", "cur", "tmp"):
        (inbox / sub).mkdir(parents=True)
    for index in range(messages):
        received = now - timedelta(hours=rng.randint(0, 24 * 60))
        body = (
            f"From: News {index} <news{index % 40}@lists.example.org>\nTo: me@example.net\nSubject: Digest {index}\n"
            f"List-Id: <digest.example.org>\nMessage-ID: <{index}@example.org>\n\n" + "Lorem ipsum dolor sit amet.\n" * 40
        )
        (inbox / "cur" / f"{int(received.timestamp())}.{index}.bench:2,S").write_text(body)
    config = root / "config.yaml"
    config.write_text(
        f"me:\n  name: Bench\n  addresses: [me@example.net]\n  employer_domains: [initrode.com]\n  timezone: Europe/Berlin\n"
        f"accounts:\n  - name: bench\n    type: local\n    calendar: {calendar}\n    followup_calendar: {root}/followups\n"
        f"    inbox: {inbox}\n    drafts: {root}/Mail/Drafts\nstate_dir: {root}/state\n"
    )
    return config


def timed_pass(config: Path) -> tuple[float, str]:
    begin = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "interview_followup", "--config", str(config), "run", "--once"],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - begin, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = build(root, args.events, args.messages, now)
        startup = time.perf_counter()
        subprocess.run([sys.executable, "-m", "interview_followup", "--version"], check=True, capture_output=True)
        startup = time.perf_counter() - startup
        first, out = timed_pass(config)
        second, out2 = timed_pass(config)
        (root / "calendar" / "00100.ics").write_text(
            (root / "calendar" / "00100.ics").read_text().replace("Interview with", "Final round with")
        )
        (root / "Mail/INBOX/new" / f"{int(now.timestamp())}.reply.bench").write_text(
            "From: Lead <lead@company200.com>\nTo: me@example.net\nSubject: Re: Thank you\n\nLet's talk.\n"
        )
        third, out3 = timed_pass(config)
        made = out.count("created")
        print(
            f"calendar folder: {args.events} .ics files (1 in 100 an interview, 1 in 25 recurring); "
            f"inbox: {args.messages} messages"
        )
        print(f"process start-up (--version):          {startup:6.2f} s")
        print(f"first run --once  (all parsed):        {first:6.2f} s   {made} drafts/entries created")
        print(f"second run --once (nothing changed):   {second:6.2f} s   {out2.count('created')} created")
        print(f"third run --once  (1 event, 1 reply):  {third:6.2f} s   {out3.count('removed')} removed")


if __name__ == "__main__":
    main()
