"""`repair`: a damaged state database moved aside, the newest readable daily backup put in its place."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from .errors import UserError
from .store import Damaged, Store


def repair(path: Path, now: datetime) -> str:
    """Move a damaged database aside and put the newest readable backup in its place (or nothing: a fresh
    start, where the next pass finds our drafts and entries at the provider by their keys). Says what it did."""
    try:
        Store.open(path).close()
    except Damaged:
        pass
    else:
        return f"{path} is readable; nothing to repair."
    aside = path.with_name(f"{path.name}.damaged-{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            Path(f"{path}{suffix}").replace(f"{aside}{suffix}")
    for backup in sorted((path.parent / "backups").glob("state-*.sqlite3"), reverse=True):
        try:
            Store.copy_of(backup).close()  # read, not opened in place: a backup stays as it was made
        except UserError:
            continue
        shutil.copyfile(backup, path)
        path.chmod(0o600)
        day = backup.stem.removeprefix("state-")
        return (
            f"Moved the damaged database to {aside} and restored the backup of {day}. "
            f"Notes, decision dates and `replied`/`resume` corrections made after {day} are gone: enter them again."
        )
    return (
        f"Moved the damaged database to {aside}; there was no readable backup, so it starts afresh. The next pass "
        "finds the drafts and entries already made by their keys and makes none twice, nor any you had deleted. "
        "Notes, decision dates and "
        "`replied`/`resume` corrections are gone: enter them again (`interview-followup note`, `replied`)."
    )
