"""Draw the README's pictures: `status` in a terminal and the timeline page, from three made-up applications.

    .venv/bin/python scripts/screenshots.py [OUT_FOLDER]    # default: docs/

Everything runs through the command line on a pinned clock, against a throw-away folder calendar
and Maildir; headless Chromium (Debian's `chromium`) takes the pictures.
"""

from __future__ import annotations

import contextlib
import html
import io
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests")]

from conftest import ME, World, at, message, vevent  # noqa: E402
from interview_followup import cli  # noqa: E402

INTERVIEWS = [
    vevent("iv-1@acme.com", at("2026-11-10T10:00"), summary="Acme - Interview for Platform Engineer"),
    vevent(
        "iv-2@globex.com",
        at("2026-11-16T14:00"),
        summary="Globex: final round (Data Engineer)",
        organizer="Pat Kim:pat.kim@globex.com",
        attendees=("Pat Kim:pat.kim@globex.com", "Lena Ortiz:lena.ortiz@globex.com", f"Sam Lee:{ME}"),
    ),
    vevent(
        "iv-3@initech.example",
        at("2026-11-18T09:00"),
        summary="Initech interview - Site Reliability",
        organizer="Bill Lumbergh:bill@initech.example",
        attendees=("Bill Lumbergh:bill@initech.example", f"Sam Lee:{ME}"),
    ),
]


def run(config: Path, *args: str, now: object) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(["--config", str(config), "-q", *args], clock=lambda: now)  # type: ignore[arg-type, return-value]
    return out.getvalue()


def shoot(chromium: str, page: Path, picture: Path, size: str, profile: Path) -> None:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    flags += ["--disable-component-update", "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}"]
    command = [chromium, *flags, f"--screenshot={picture}", f"--window-size={size}", page.as_uri()]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parent / "docs")
    out.mkdir(exist_ok=True)
    chromium = shutil.which("chromium") or sys.exit("needs Debian's chromium (apt install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for sub in ("calendar", "Mail/INBOX/new", "Mail/INBOX/cur", "Mail/INBOX/tmp"):
            (root / sub).mkdir(parents=True)
        world = World(root, at("2026-11-10T11:10"))
        world.config_path.write_text(world.config_text())
        world.write_calendar(*INTERVIEWS)
        for moment in ("2026-11-10T11:10", "2026-11-16T15:10", "2026-11-18T10:10"):
            world.now = at(moment)
            run(world.config_path, "run", "--once", now=world.now)
        world.now = at("2026-11-19T16:30")
        answer = "Hi Sam, thank you for your time. Unfortunately we have decided to move forward with other candidates."
        world.deliver(message("Jane Doe <jane.doe@acme.com>", "Re: Thank you", answer, received=world.now))
        world.now += timedelta(minutes=5)
        run(world.config_path, "run", "--once", now=world.now)
        world.now = at("2026-11-19T17:00")
        text = run(world.config_path, "status", now=world.now)
        run(world.config_path, "status", "--html", str(out / "status.html"), now=world.now)
        terminal = root / "terminal.html"
        terminal.write_text(
            "<!doctype html><meta charset=utf-8><body style='margin:0;background:#1e1e2e'>"
            "<pre style='margin:0;padding:16px;color:#e5e7eb;font:13px/1.35 DejaVu Sans Mono,monospace'>"
            f"$ interview-followup status\n{html.escape(text)}</pre>"
        )
        shoot(chromium, terminal, out / "status-terminal.png", "1100,760", root / "profile")
        shoot(chromium, out / "status.html", out / "status-page.png", "1040,980", root / "profile")
    (out / "status.html").unlink()
    print(f"wrote {out / 'status-terminal.png'} and {out / 'status-page.png'}")


if __name__ == "__main__":
    main()
