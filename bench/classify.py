"""Reply classification over every labelled message: confusion table, mistakes that matter, speed.

    .venv/bin/python bench/classify.py [--rounds N]

"Employer-reply mistakes" count the messages whose stop-or-not verdict would be wrong if the
employer had sent them: a machine message read as a person (a wrong stop) or a person read as a
machine (a missed answer). Then the realistic shapes of tests/data/mail/world, judged as replies in
the thread of a thank-you note to an Acme interviewer: does each stop the follow-ups when it should?
And the realistic invitations of tests/data/ics/world: interview or not, and whom to thank.
Throughput is for parsing plus classifying raw messages, in one process.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from interview_followup import ics, mail
from interview_followup.detect import Rules, detect
from interview_followup.model import Event, Interview, Person
from interview_followup.replies import MessageKind, classify, judge

MAIL = Path(__file__).resolve().parent.parent / "tests/data/mail"
ME = ["sam.lee@example.net"]
RECEIVED = datetime(2026, 11, 17, tzinfo=timezone.utc)


def labelled() -> list[tuple[str, str, str, bytes]]:
    rows = []
    for line in (MAIL / "labels.tsv").read_text().splitlines()[1:]:
        name, kind, back, _ = line.split("\t")
        raw = (MAIL / name).read_bytes()
        if name.startswith("email-reply-parser/"):
            raw = b"From: Jane <jane@acme.com>\nSubject: Re: Thank you\n\n" + raw
        rows.append((name, kind, back, raw))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over the collection for the throughput figure")
    rounds = parser.parse_args().rounds
    rows = labelled()
    table: Counter[tuple[str, str]] = Counter()
    wrong_stop, missed, dates_right, dates_total = [], [], 0, 0
    for name, kind, back, raw in rows:
        verdict = classify(mail.parse(raw, name, RECEIVED), ME)
        got = verdict.kind.value
        table[(kind, got)] += 1
        if kind != "human" and got == "human":
            wrong_stop.append(name)
        if kind == "human" and got != "human":
            missed.append(name)
        if kind == "auto_reply":
            dates_total += 1
            dates_right += str(verdict.return_date or "") == back

    kinds = [k.value for k in MessageKind]
    print(f"{len(rows)} labelled messages (rows: expected kind, columns: classified as)\n")
    print(f"{'':<12}" + "".join(f"{k:>11}" for k in kinds) + f"{'total':>8}")
    for expected in kinds:
        counts = [table[(expected, got)] for got in kinds]
        print(f"{expected:<12}" + "".join(f"{c:>11}" for c in counts) + f"{sum(counts):>8}")
    correct = sum(table[(k, k)] for k in kinds)
    print(f"\ncorrect kind: {correct}/{len(rows)}")
    print(f"return date right on {dates_right}/{dates_total} auto-replies (including 'none given')")
    print(f"employer-reply mistakes: {len(wrong_stop) + len(missed)}")
    print(f"  machine mail read as a person (would stop wrongly): {len(wrong_stop)} {wrong_stop}")
    print(f"  a person read as machine mail (answer missed): {len(missed)} {missed}")
    world()
    invitations()

    parsed = [mail.parse(raw, name, RECEIVED) for name, _, _, raw in rows]
    started = time.perf_counter()
    for _ in range(rounds):
        for name, _, _, raw in rows:
            classify(mail.parse(raw, name, RECEIVED), ME)
    both = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(rounds):
        for message in parsed:
            classify(message, ME)
    alone = time.perf_counter() - started
    count = rounds * len(rows)
    print(f"\nthroughput over {count} messages: parse + classify {count / both:,.0f}/s, classify alone {count / alone:,.0f}/s")


def world() -> None:
    """Stop-or-not for each realistic shape, as `judge` decides it in our thread."""
    acme = Person("jane.doe@acme.com", "Jane Doe")
    event = Event("iv", "Interview", RECEIVED, RECEIVED + timedelta(hours=1), organizer=acme)
    interview = Interview("iv", "acct", event, "acme.com", "Acme", "", (acme,))
    rows = [line.split("\t") for line in (MAIL / "world/expected.tsv").read_text().splitlines()[1:]]
    wrong = []
    for name, stops, _ in rows:
        message = mail.parse((MAIL / "world" / name).read_bytes(), name, RECEIVED)
        decisions = judge(message, classify(message, ME), [interview], {"<if.3f2a9c1e@example.net>": "iv"})
        if any(d.stop for d in decisions) != (stops == "yes"):
            wrong.append(name)
    print(f"\nrealistic shapes judged in our thread (tests/data/mail/world): {len(rows) - len(wrong)}/{len(rows)} right {wrong}")


def invitations() -> None:
    """Interview or not, and the people to thank, for each realistic invitation."""
    rules = Rules(me=frozenset(ME), employer_domains=frozenset({"initrode.com"}))
    folder = MAIL.parent / "ics/world"
    rows = [line.split("\t") for line in (folder / "expected.tsv").read_text().splitlines()[1:]]
    wrong = []
    window = (RECEIVED - timedelta(days=9), RECEIVED + timedelta(days=9))
    for name, interview, people, *_ in rows:
        (event,) = ics.parse((folder / name).read_bytes(), ZoneInfo("UTC"), *window).events
        verdict = detect(event, rules)
        expected = (interview != "no", [a for a in people.split(",") if a])
        if (verdict.interview, [p.email for p in verdict.interviewers]) != expected:
            wrong.append(name)
    print(f"realistic invitations (tests/data/ics/world): {len(rows) - len(wrong)}/{len(rows)} right {wrong}")


if __name__ == "__main__":
    main()
