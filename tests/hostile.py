"""Hostile and broken shapes of calendar files and messages, made here (nothing of anyone else's).

Each is what anyone can put in a person's calendar or inbox: the tests and `bench/hostile.py` put
them beside a real interview and check that the interview is still handled.
"""

from __future__ import annotations

import random
from datetime import timedelta

from conftest import DATA, ME, at, calendar, message, vevent

START = at("2026-01-05T09:00")


def _series(uid: str, rule: str, summary: str = "Interview prep club") -> str:
    return vevent(uid, START, START + timedelta(minutes=30), summary=summary, organizer="", attendees=(), extra=rule)


def calendars() -> dict[str, bytes]:
    """File name to content; every one of them must be survivable."""
    crowd = tuple(f"Person {n}:person{n}@bigcorp.example" for n in range(5000))
    flipped = bytearray(sorted((DATA / "ics").rglob("*.ics"))[0].read_bytes())
    rng = random.Random(7)
    for _ in range(len(flipped) // 20):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    whole = calendar(vevent("trunc", START, summary="Interview with Initech")).encode()
    return {
        "secondly.ics": calendar(_series("secondly", "RRULE:FREQ=SECONDLY")).encode(),
        "minutely.ics": calendar(_series("minutely", "RRULE:FREQ=MINUTELY")).encode(),
        "count.ics": calendar(_series("count", "RRULE:FREQ=DAILY;COUNT=1000000000")).encode(),
        "impossible.ics": calendar(_series("never", "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30")).encode(),
        "byrules.ics": calendar(_series("dense", "RRULE:FREQ=DAILY;" + "BYMINUTE=" + ",".join(map(str, range(60))))).encode(),
        "crowd.ics": calendar(vevent("crowd", START, summary="Interview day: all candidates", attendees=crowd)).encode(),
        "truncated.ics": whole[: len(whole) // 2],
        "no-end.ics": calendar(vevent("noend", START)).replace("END:VEVENT\n", "").replace("END:VCALENDAR\n", "").encode(),
        "flipped.ics": bytes(flipped),
        "long-line.ics": calendar(vevent("long", START, description="x" * 10_000_000)).encode(),
        "latin1.ics": calendar(vevent("latin", START, summary="Réunion café")).encode("cp1252"),
        "binary.ics": bytes(rng.randrange(256) for _ in range(50_000)),
        "empty.ics": b"",
    }


def messages() -> dict[str, bytes]:
    """File name to raw message; none may stop a pass."""
    nested = b"Content-Type: multipart/mixed; boundary=b0\n\n"
    for depth in range(1, 2000):
        nested += f"--b{depth - 1}\nContent-Type: multipart/mixed; boundary=b{depth}\n\n".encode()
    received = at("2026-11-17T12:30")
    return {
        "nested.eml": b"From: a@b.example\nTo: " + ME.encode() + b"\nSubject: nest\n" + nested,
        "long-line.eml": message("Spam <spam@b.example>", "Hi", "y" * 10_000_000, received=received),
        "truncated.eml": message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", received=received)[:40],
        "headers-only.eml": b"From: =?utf-8?b?!!!?= <x@y.example>\nSubject: " + b"\xff" * 5000 + b"\n",
        "garbage.eml": bytes(random.Random(3).randrange(256) for _ in range(100_000)),
    }
