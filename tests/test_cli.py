"""The commands a person types, on a pinned clock; and the daemon as systemd runs it: real processes, real signals, real time."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import icalendar
import pytest

from conftest import DATA, ME, World, at, calendar, message, vevent
from interview_followup import config as config_module
from interview_followup.cli import _parser, main

REPO = Path(__file__).parent.parent


NOW = at("2026-11-17T11:10")
"""The pinned time of the commands run in this process: ten minutes after the interview of `interview()`."""


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str, now: datetime = NOW) -> Result:
    """A command as a person types it, run in this process on the pinned clock."""
    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args), clock=lambda: now)
            except SystemExit as exc:  # argparse: --help, --version and usage errors
                code = int(exc.code or 0)
    finally:
        root.handlers[:], root.level = handlers, level
    return Result(code, out.getvalue(), err.getvalue())


def process(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed program in a process of its own, on the real clock."""
    return subprocess.run(
        [sys.executable, "-m", "interview_followup", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def interview(world: World) -> None:
    """An interview that ended ten minutes before `NOW`."""
    world.write_calendar(vevent("iv@acme.com", NOW - timedelta(minutes=70)))


def recent_interview(world: World) -> None:
    """An interview that ended ten minutes ago by the real clock, for the daemon, which schedules by it."""
    start = datetime.now(timezone.utc) - timedelta(minutes=70)
    world.write_calendar(vevent("iv@acme.com", start))


def test_global_options_work_after_the_command_and_every_option_says_what_it_does(world: World) -> None:
    interview(world)
    result = cli("run", "--once", "-v", "--config", str(world.config_path))
    assert result.returncode == 0 and result.stdout.count("created") == 8
    parser = _parser()
    for action in _every_action(parser):
        assert action.help, f"{action.option_strings or action.dest} has no help text"
    wrong = cli("--config", str(world.config_path), "note", "acme", "--decision-date", "12/08/2026")
    assert wrong.returncode == 2 and "write it as YYYY-MM-DD" in wrong.stderr and "fromisoformat" not in wrong.stderr


def _every_action(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _every_action(sub)
        elif not isinstance(action, argparse._HelpAction):
            yield action


def test_version() -> None:
    result = process("--version")
    assert result.returncode == 0 and result.stdout.startswith("interview-followup ")


def test_demo_needs_no_configuration_and_shows_what_it_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    result = cli("demo")
    assert result.returncode == 0, result.stderr
    assert "Drafts (3)" in result.stdout and "Follow-up entries (6)" in result.stdout
    assert "Northwind Robotics" in result.stdout and "mock interview" in result.stdout
    assert "Dear Priya,\n" in result.stdout and "drone-delivery pilot in Lisbon" in result.stdout, "rewritten with the note"
    assert result.stdout.count("rewrote thank you ") == 2 and "holidays of US" in result.stdout
    assert "What to say:" in result.stdout and "(Hiring Manager · +1 312-555-0142)" in result.stdout, "a reminder in full"
    root = Path(result.stdout.split("Demo calendar and mailbox in ")[1].split("\n")[0])
    try:
        assert len(list((root / "Mail/Drafts/cur").iterdir())) == 3
        status = cli("--config", str(root / "config.yaml"), "status", "--json")
        (item,) = json.loads(status.stdout)["interviews"]
        assert item["company"] == "Northwind Robotics" and item["phase"] == "following up"
    finally:
        shutil.rmtree(root)


def test_run_once_twice_then_status(world: World) -> None:
    interview(world)
    first = cli("--config", str(world.config_path), "run", "--once")
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("created") == 8
    second = cli("--config", str(world.config_path), "run", "--once")
    assert second.returncode == 0 and "created" not in second.stdout
    assert len(world.drafts()) == 2 and len(world.entries()) == 6
    (item,) = json.loads(cli("--config", str(world.config_path), "status", "--json").stdout)["interviews"]
    states = {(s["step"], s["state"]) for s in item["steps"]}
    assert ("thank_you", "in your Drafts") in states and ("first_check_in", "in your calendar") in states
    assert ("status_email", "planned") in states
    assert "Acme" in cli("--config", str(world.config_path), "status").stdout


def test_status_dry_run_and_the_next_pass_agree_on_what_is_made(world: World) -> None:
    """Right after the interview: status says what the next pass makes, the dry run lists it, the pass makes it."""
    interview(world)
    assert cli("--config", str(world.config_path), "run", "--once", now=NOW - timedelta(minutes=40)).returncode == 0
    (item,) = json.loads(cli("--config", str(world.config_path), "status", "--json").stdout)["interviews"]
    promised = sorted(s["step"] for s in item["steps"] if s["state"] == "made at the next pass")
    assert "not made (too late)" not in {s["state"] for s in item["steps"]}
    dry = cli("--config", str(world.config_path), "run", "--dry-run").stdout
    made = cli("--config", str(world.config_path), "run", "--once").stdout
    listed, done = (_steps_in(output, verb) for output, verb in ((dry, "would have created"), (made, "created")))
    assert promised == listed == done and promised.count("thank_you") == 2, (promised, listed, done)


def _steps_in(output: str, verb: str) -> list[str]:
    """The step names of the `home: <verb> <step> (<company>): …` lines of a pass."""
    prefix = f"home: {verb} "
    lines = [line.removeprefix(prefix) for line in output.splitlines() if line.startswith(prefix)]
    return sorted(line.split(" (")[0].replace(" ", "_") for line in lines)


def test_dry_run_shows_and_changes_nothing(world: World) -> None:
    interview(world)
    result = cli("--config", str(world.config_path), "run", "--dry-run")
    assert result.returncode == 0 and "would have created" in result.stdout
    assert world.drafts() == [] and world.entries() == []
    assert not (world.root / "state").exists(), "not even the state database is made"
    cli("--config", str(world.config_path), "run", "--once")
    database = world.root / "state/state.sqlite3"
    before = {p.name: p.stat().st_mtime_ns for p in database.parent.iterdir()}
    assert cli("--config", str(world.config_path), "replied", "acme").returncode == 0
    before = {p.name: p.stat().st_mtime_ns for p in database.parent.iterdir()}
    later = cli("--config", str(world.config_path), "run", "--dry-run")
    assert "would have removed" in later.stdout, later.stdout
    assert {p.name: p.stat().st_mtime_ns for p in database.parent.iterdir()} == before


def test_note_replied_and_resume(world: World) -> None:
    interview(world)
    cli("--config", str(world.config_path), "run", "--once")
    (item,) = json.loads(cli("--config", str(world.config_path), "status", "--json").stdout)["interviews"]
    noted = cli(
        "--config", str(world.config_path), "note", item["id"][:4], "We share a love of chess", "--decision-date", "2030-01-15"
    )
    assert noted.returncode == 0, noted.stderr
    assert "2 thank-you draft(s) already in your Drafts are written again with it at the next pass" in noted.stdout
    (item,) = json.loads(cli("--config", str(world.config_path), "status", "--json").stdout)["interviews"]
    states = [s["state"] for s in item["steps"] if s["step"] == "thank_you"]
    assert states == ["written again at the next pass (your note or language changed)"] * 2
    assert item["language"] == "en"
    rewritten = cli("--config", str(world.config_path), "run", "--once").stdout
    assert rewritten.count("rewrote thank you") == 2 and "We share a love of chess" in world.drafts()[0].read_text()
    assert cli("--config", str(world.config_path), "note", "acme", "--language", "xx").returncode == 2
    assert cli("--config", str(world.config_path), "replied", "acme").returncode == 0
    result = cli("--config", str(world.config_path), "run", "--once")
    assert "removed" in result.stdout
    (item,) = json.loads(cli("--config", str(world.config_path), "status", "--json").stdout)["interviews"]
    assert item["phase"] == "employer replied" and item["why_stopped"] == "marked as answered by you"
    assert item["note"] == "We share a love of chess" and item["decision_date"] == "2030-01-15"
    assert cli("--config", str(world.config_path), "resume", item["id"]).returncode == 0
    assert "created" in cli("--config", str(world.config_path), "run", "--once").stdout
    missing = cli("--config", str(world.config_path), "note", "nobody", "x")
    assert missing.returncode == 2 and "matches 0 interviews" in missing.stderr


def test_a_damaged_state_database_says_what_to_do_and_repair_restores_yesterdays_backup(world: World) -> None:
    interview(world)
    assert cli("--config", str(world.config_path), "run", "--once").returncode == 0
    cli("--config", str(world.config_path), "note", "acme", "We share a love of chess")
    assert cli("--config", str(world.config_path), "replied", "acme").returncode == 0
    cli("--config", str(world.config_path), "run", "--once", now=NOW + timedelta(days=1))  # makes the daily backup
    database = world.root / "state/state.sqlite3"
    database.write_bytes(b"this is not a database" * 100)
    broken = cli("--config", str(world.config_path), "run", "--once")
    assert broken.returncode == 2 and "damaged" in broken.stderr and "interview-followup repair" in broken.stderr
    assert "Traceback" not in broken.stderr
    repaired = cli("--config", str(world.config_path), "repair", now=NOW + timedelta(days=1))
    assert repaired.returncode == 0 and "restored the backup of 2026-11-18" in repaired.stdout, repaired.stdout
    assert list((world.root / "state").glob("state.sqlite3.damaged-*")), "the damaged file is kept aside"
    (item,) = json.loads(cli("--config", str(world.config_path), "status", "--json").stdout)["interviews"]
    assert item["note"] == "We share a love of chess" and item["why_stopped"] == "marked as answered by you"
    assert "nothing to repair" in cli("--config", str(world.config_path), "repair").stdout


def test_repair_without_a_backup_starts_afresh_and_makes_nothing_twice(world: World) -> None:
    interview(world)
    assert cli("--config", str(world.config_path), "run", "--once").returncode == 0
    for backup in (world.root / "state/backups").glob("*"):
        backup.unlink()
    (world.root / "state/state.sqlite3").write_bytes(b"\0" * 4096)
    repaired = cli("--config", str(world.config_path), "repair")
    assert "no readable backup" in repaired.stdout and "enter them again" in repaired.stdout
    again = cli("--config", str(world.config_path), "run", "--once")
    assert again.returncode == 0 and "created" not in again.stdout and again.stdout.count("found again") == 8
    assert len(world.drafts()) == 2 and len(world.entries()) == 6


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real file system of 256 KiB (tmpfs), so that a full disk is the kernel's ENOSPC, not a mock."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_said_in_words_leaves_no_half_file_and_loses_nothing(world: World, small_disk: Path) -> None:
    world.config_path.write_text(world.config_text().replace(f"{world.root}/Mail/Drafts", f"{small_disk}/Drafts"))
    interview(world)
    filler = small_disk / "filler"
    handle = os.open(filler, os.O_WRONLY | os.O_CREAT)
    with contextlib.suppress(OSError):
        while True:
            os.write(handle, b"\0" * 4096)
    os.close(handle)
    full = cli("--config", str(world.config_path), "run", "--once")
    assert full.returncode == 1 and "no space left on the device; free some space" in full.stderr, full.stderr
    assert "Nothing was lost" in full.stderr and "Errno" not in full.stderr
    assert list((small_disk / "Drafts/tmp").glob("*")) == [], "no half-written draft left behind"
    filler.unlink()
    assert cli("--config", str(world.config_path), "run", "--once").returncode == 0
    assert len(list((small_disk / "Drafts/cur").iterdir())) == 2 and len(world.entries()) == 6
    assert "created" not in cli("--config", str(world.config_path), "run", "--once").stdout


def test_explain_event_prints_a_verdict_per_vevent(tmp_path: Path) -> None:
    path = tmp_path / "x.ics"
    path.write_text(calendar(vevent("a", at("2026-11-17T10:00")), vevent("b", at("2026-11-18T10:00"), summary="Mock interview")))
    result = cli("--config", str(tmp_path / "none.yaml"), "explain", "event", str(path), "--me", "sam.lee@example.net")
    items = json.loads(result.stdout)
    assert [(i["uid"], i["interview"]) for i in items] == [("a", True), ("b", False)]
    assert set(items[0]) >= {"uid", "summary", "interview", "employer", "company", "interviewers", "reasons"}
    assert items[0]["employer"] == "acme.com" and items[0]["interviewers"] == ["jane.doe@acme.com", "raj.patel@acme.com"]


def test_explain_event_on_a_whole_calendar_gives_one_entry_per_series_interviews_first(tmp_path: Path) -> None:
    alone: dict[str, Any] = {"organizer": "", "attendees": ()}
    standup = vevent("standup", at("2025-01-06T09:00"), summary="Team standup", extra="RRULE:FREQ=DAILY", **alone)
    spam = vevent("spam", at("2026-01-01T00:00"), summary="Win a prize", extra="RRULE:FREQ=SECONDLY", **alone)
    path = tmp_path / "all.ics"
    path.write_text(calendar(standup, spam, vevent("iv", at("2026-11-17T10:00"))))
    result = cli("explain", "event", str(path), "--me", ME)
    items = json.loads(result.stdout)
    assert [i["uid"] for i in items] == ["iv", "standup"], "interviews first; the endless series is left out"
    assert items[1]["occurrences"] == 190 and len(result.stdout) < 5000, "the watch window only, one entry per series"
    assert "'Win a prize' (spam): repeats too often to expand" in result.stderr
    one = json.loads(cli("explain", "event", str(path), "--uid", "iv", "--me", ME).stdout)
    assert one["interview"] is True and one["interviewers"] == ["jane.doe@acme.com", "raj.patel@acme.com"]
    assert [i["uid"] for i in json.loads(cli("explain", "event", str(path), "--summary", "standup").stdout)] == ["standup"]


def test_explain_mail_without_configuration(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(message("Jane <jane@hr.acme.com>", "Next steps", received=at("2026-11-18T09:00")))
    result = cli(
        "--config", str(tmp_path / "none.yaml"), "explain", "mail", str(path), "--employer", "acme.com", "--me", "sam@example.net"
    )
    verdict = json.loads(result.stdout)
    assert verdict["kind"] == "human" and verdict["employer_reply"] is True and verdict["employer"] == "acme.com"
    ooo = cli("explain", "mail", str(DATA / "mail/set-of-emails/rfc3834-01.eml"), "--employer", "example.jp")
    assert json.loads(ooo.stdout)["employer_reply"] is False


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "ooo-en-gmail.eml",
            {"kind": "auto_reply", "employer_reply": False, "last_day_away": "2026-12-01", "back_on": "2026-12-02"},
        ),
        ("ats-greenhouse.eml", {"kind": "human", "employer_reply": True, "employer": "acme.com", "return_date": None}),
        ("invite-next-round.eml", {"kind": "calendar", "employer_reply": True, "employer": "acme.com"}),
        ("dsn-thank-you.eml", {"kind": "bounce", "employer_reply": False, "bounced": []}),
        ("human-de.eml", {"kind": "human", "employer_reply": True, "employer": "acme.com"}),
        ("linkedin-jobs.eml", {"kind": "bulk", "employer_reply": False, "employer": None, "matched_by": None}),
    ],
)
def test_explain_mail_says_what_a_message_would_change(tmp_path: Path, name: str, expected: dict[str, object]) -> None:
    result = cli(
        "--config", str(tmp_path / "none.yaml"), "explain", "mail", str(DATA / "mail/ours" / name), "--employer", "acme.com"
    )
    verdict = json.loads(result.stdout)
    assert {key: verdict[key] for key in expected} == expected
    assert verdict["reasons"] and set(verdict) >= {"kind", "employer_reply", "employer", "matched_by", "return_date", "reasons"}


def test_one_failing_account_does_not_stop_the_others(world: World) -> None:
    interview(world)
    broken = (
        "  - name: web\n    type: local\n    calendar: http://127.0.0.1:9/cal.ics\n"
        f"    followup_calendar: {world.root}/f2\n    drafts: {world.root}/d2\n"
    )
    text = world.config_text().replace("state_dir:", broken + "state_dir:")
    world.config_path.write_text(text)
    result = cli("--config", str(world.config_path), "run", "--once")
    assert result.returncode == 1
    assert "web: FAILED" in result.stderr and "Traceback" not in result.stderr
    assert len(world.drafts()) == 2


class NotifySocket:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "notify.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.sock.settimeout(30)

    def wait_for(self, text: str) -> list[str]:
        seen = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            seen.append(self.sock.recv(4096).decode())
            if text in seen[-1]:
                return seen
        raise AssertionError(f"{text!r} not in {seen}")


@pytest.fixture
def daemon(world: World) -> subprocess.Popen[str]:
    recent_interview(world)
    notify = NotifySocket(Path(os.environ.get("TMPDIR", "/tmp")) if len(str(world.root)) > 80 else world.root)
    process = subprocess.Popen(
        [sys.executable, "-m", "interview_followup", "--config", str(world.config_path), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NOTIFY_SOCKET": str(notify.path), "JOURNAL_STREAM": "8:1"},
    )
    process.notify = notify  # type: ignore[attr-defined]
    yield process
    if process.poll() is None:
        process.kill()
    process.communicate()
    notify.sock.close()
    notify.path.unlink(missing_ok=True)


def test_the_daemon_notifies_systemd_and_stops_cleanly_on_sigterm(world: World, daemon: subprocess.Popen[str]) -> None:
    messages = daemon.notify.wait_for("STATUS=1 account(s); failing: none")  # type: ignore[attr-defined]
    assert any("READY=1" in m for m in messages)
    assert len(world.drafts()) == 2
    daemon.notify.wait_for("WATCHDOG=1")  # type: ignore[attr-defined]
    daemon.send_signal(signal.SIGTERM)
    _, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0
    assert "<6>" in err, "journald priorities on stderr"
    assert "Dear" not in err and "Thank you" not in err.split("draft")[0], "no message bodies in the log"


def test_a_broken_configuration_on_reload_is_reported_and_the_old_one_kept(world: World, daemon: subprocess.Popen[str]) -> None:
    daemon.notify.wait_for("STATUS=1 account(s)")  # type: ignore[attr-defined]
    good = world.config_path.read_text()
    world.config_path.write_text(good + "poll_interval: often\n")
    daemon.send_signal(signal.SIGHUP)
    daemon.notify.wait_for("READY=1")  # type: ignore[attr-defined]
    assert daemon.poll() is None, "still running"
    daemon.send_signal(signal.SIGTERM)
    _, err = daemon.communicate(timeout=30)
    assert "configuration not reloaded" in err and "poll_interval" in err
    assert daemon.returncode == 0


def test_a_second_daemon_refuses_to_start(world: World, daemon: subprocess.Popen[str]) -> None:
    daemon.notify.wait_for("READY=1")  # type: ignore[attr-defined]
    second = cli("--config", str(world.config_path), "run", "--once")
    assert second.returncode == 2 and "already running" in second.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_installed_unit_runs_this_installation_and_verifies(world: World, tmp_path: Path) -> None:
    unit = tmp_path / "interview-followup.service"
    text = cli("--config", str(world.config_path), "install-service", "--print").stdout
    unit.write_text(text)
    assert f"ExecStart={sys.executable} -m interview_followup --config {world.config_path} run" in text
    assert f"ReadWritePaths=-{world.root}/Mail/Drafts -{world.root}/followups -{world.root}/state" in text
    assert "PrivateNetwork=yes" in text, "local files need no network"
    world.config_path.write_text(
        world.config_text().replace(f"calendar: {world.root}/calendar", "calendar: HTTPS://example.org/c.ics")
    )
    online = cli("--config", str(world.config_path), "install-service", "--print").stdout
    assert "PrivateNetwork" not in online and "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" in online
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_note_with_one_interviewer_goes_into_their_draft_alone_and_beside_them_in_the_reminders(world: World) -> None:
    interview(world)
    config = str(world.config_path)
    cli("--config", config, "run", "--once")
    noted = cli("--config", config, "note", "acme", "We both grew up in Pune.", "--with", "raj")
    assert noted.returncode == 0 and "Saved for raj.patel@acme.com at Acme." in noted.stdout, noted.stdout + noted.stderr
    assert "1 thank-you draft(s) already in your Drafts are written again" in noted.stdout
    ran = cli("--config", config, "run", "--once").stdout
    assert ran.count("rewrote thank you") == 1 and "to raj.patel@acme.com" in ran
    texts = {p.read_text().count("We both grew up in Pune.") for p in world.drafts()}
    assert texts == {0, 1}, "Raj's draft has it, Jane's does not"
    events = [next(iter(icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT"))) for p in world.entries()]
    check_in = next(str(e["DESCRIPTION"]) for e in events if e["SUMMARY"] == "Check in with Acme")
    assert "- Raj Patel <raj.patel@acme.com>: “We both grew up in Pune.”" in check_in
    unknown = cli("--config", config, "note", "acme", "hi", "--with", "zoe")
    assert unknown.returncode == 2 and "'zoe' matches 0 of the people at this interview: jane.doe@acme.com" in unknown.stderr


def test_help_and_version_load_nothing_heavy_and_the_version_is_the_projects() -> None:
    """`--help` and `--version` parse arguments before any library is imported: a start-up in tens of milliseconds."""
    probe = (
        "import sys, contextlib, io\n"
        "from interview_followup.cli import main\n"
        "for words in (['--help'], ['--version'], ['run', '--help'], ['note', '--help']):\n"
        "    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "        main(words)\n"
        "heavy = {'pydantic', 'yaml', 'icalendar', 'jinja2', 'holidays', 'sqlite3', 'googleapiclient', 'msal', 'babel'}\n"
        "print(sorted(heavy & {m.partition('.')[0] for m in sys.modules}))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
    from interview_followup import __version__

    assert f'\nversion = "{__version__}"\n' in (REPO / "pyproject.toml").read_text()


def test_status_opens_with_what_to_do_next_soonest_first(world: World) -> None:
    interview(world)
    assert cli("--config", str(world.config_path), "run", "--once").returncode == 0
    shown = cli("--config", str(world.config_path), "status").stdout.splitlines()
    assert shown[:2] == ["Next:", "  today: send 2 thank-you notes to Acme (drafts ready)"], shown
    check_in = next(line for line in shown if "check in with Acme" in line)
    assert re.fullmatch(r"  \w{3}( \d+ \w{3})? \d\d:\d\d PST: check in with Acme \(day \d+ of waiting\)", check_in), check_in
    queue = json.loads(cli("--config", str(world.config_path), "status", "--json").stdout)["next"]
    assert [t["when"] for t in queue] == sorted(t["when"] for t in queue) and len(queue) >= 3
    assert cli("--config", str(world.config_path), "replied", "acme").returncode == 0
    after = json.loads(cli("--config", str(world.config_path), "status", "--json").stdout)["next"]
    assert after[0]["what"] == "send 2 thank-you notes to Acme (drafts ready)"
    assert not [t for t in after if t["days_waited"] is not None], "the answer ends the waiting"


def test_status_csv_is_one_row_per_interview(world: World) -> None:
    interview(world)
    assert cli("--config", str(world.config_path), "run", "--once").returncode == 0
    rows = list(csv.DictReader(io.StringIO(cli("--config", str(world.config_path), "status", "--csv").stdout)))
    assert [(r["company"], r["phase"], r["next"]) for r in rows] == [
        ("Acme", "following up", "send 2 thank-you notes to Acme (drafts ready)")
    ]
    assert rows[0]["interviewers"] == "jane.doe@acme.com raj.patel@acme.com"


def test_replied_with_an_outcome_shows_in_status_and_the_spreadsheet(world: World) -> None:
    interview(world)
    assert cli("--config", str(world.config_path), "run", "--once").returncode == 0
    said = cli("--config", str(world.config_path), "replied", "acme", "--outcome", "next-round")
    assert said.returncode == 0 and "Stopped the follow-ups" in said.stdout and "Outcome for Acme: next-round" in said.stdout
    again = cli("--config", str(world.config_path), "replied", "acme")
    assert "already stopped" in again.stdout and "--outcome" in again.stdout
    assert "    outcome: next-round" in cli("--config", str(world.config_path), "status").stdout.splitlines()
    (row,) = csv.DictReader(io.StringIO(cli("--config", str(world.config_path), "status", "--csv").stdout))
    assert (row["outcome"], row["outcome_by"], row["phase"]) == ("next-round", "you", "employer replied")
    assert cli("--config", str(world.config_path), "replied", "acme", "--outcome", "hired").returncode == 2


def test_the_outcomes_the_command_line_offers_are_the_models() -> None:
    from interview_followup.cli import OUTCOMES
    from interview_followup.model import Answer

    assert tuple(a.value for a in Answer) == OUTCOMES


def test_init_for_a_named_provider_writes_an_imap_account_there(tmp_path: Path) -> None:
    from interview_followup.cli import PROVIDERS
    from interview_followup.providers.presets import PRESETS

    assert set(PROVIDERS) == set(PRESETS)
    target = tmp_path / "config.yaml"
    made = cli("--config", str(target), "init", "--provider", "gmx", "--username", "sam@gmx.de")
    assert made.returncode == 0 and "allow IMAP" in made.stdout
    (account,) = config_module.load(target).config.accounts
    assert (account.type, account.host, account.username) == ("imap", "imap.gmx.net", "sam@gmx.de")  # type: ignore[attr-defined]
    assert account.calendar.type == "caldav", "GMX has a calendar server too"  # type: ignore[attr-defined]
    bridge = tmp_path / "bridge.yaml"
    cli("--config", str(bridge), "init", "--provider", "proton-bridge", "--username", "sam@proton.me")
    (account,) = config_module.load(bridge).config.accounts
    assert account.followup_calendar is not None, "Proton has no CalDAV: a local calendar"  # type: ignore[attr-defined]
    assert "# - name: gmail" in target.read_text(), "the other examples stay"
