"""Helpers every backend uses: retries with back-off, the time format of online APIs, atomic file writes,
and whether a folder can be written."""

from __future__ import annotations

import os
import random
from datetime import datetime
from pathlib import Path
from typing import Any

from ..schema import AccountSettings

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
"""Host names of this machine: the only ones a password may be sent to unencrypted (Proton's Bridge, a test server)."""
RETRIES = 4
MAX_WAIT = 60.0


def backoff(attempt: int, asked: float | None) -> float:
    """Seconds before the next try: what the server asked for, else exponential with jitter; capped either way."""
    delay = asked if asked is not None else min(MAX_WAIT, 2.0**attempt) * random.uniform(0.5, 1.0)
    return min(delay, MAX_WAIT)


def rfc3339(value: object) -> datetime:
    """Python 3.10's fromisoformat does not read the "Z" online APIs write for UTC."""
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def write_atomically(path: Path, data: bytes, temporary: Path | None = None) -> None:
    """Temp file, fsync, rename, fsync the folder: a crash leaves the old file or the new, never half;
    a failed write (a full disk) leaves no temporary file behind."""
    temporary = temporary or path.with_name(f".{path.name}.tmp")
    try:
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def unwritable(folder: Path) -> str:
    """Why a folder we write into (made if missing) cannot be written, or ""."""
    if folder.exists() and not folder.is_dir():
        return "is a file, not a folder"
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot be written: {existing} is not writable for you"
    return ""


def not_signed_in(account: AccountSettings, token: Path) -> list[tuple[str, str]]:
    """`check`'s word on an online account with no sign-in kept yet."""
    if token.is_file():
        return []
    command = f"interview-followup auth {account.type} --account {account.name}"
    return [("name", f"not signed in yet ({token} does not exist): run `{command}`")]


def error_code(body: dict[str, Any]) -> str:
    """The `error.code` of a Graph (OData) error body."""
    error = body.get("error")
    return str(error.get("code", "")) if isinstance(error, dict) else ""
