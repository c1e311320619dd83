"""A mail password, never written in the configuration: a command prints it, or the environment or the
desktop keyring holds it. It is never logged, and kept only in memory while a session is opened."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass

from ..errors import UserError

COMMAND_SECONDS = 60
KEYRING_SERVICE = "interview-followup"


@dataclass(frozen=True)
class PasswordSource:
    command: str | None
    environment: str | None
    keyring_user: str
    """The keyring's user name for this account (`user@host`), under the service `interview-followup`."""


def password(source: PasswordSource) -> str:
    """The password from the first source configured; what went wrong, in words, when none gives one."""
    if source.command:
        return _from_command(source.command)
    if source.environment:
        value = os.environ.get(source.environment)
        if not value:
            raise UserError(f"password_env: the environment variable {source.environment} is not set (or empty)")
        return value
    return _from_keyring(source.keyring_user)


def _from_command(command: str) -> str:
    try:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=COMMAND_SECONDS, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"password_command could not be run ({type(exc).__name__}: {exc})") from None
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()[:1]
        raise UserError(f"password_command failed (exit {done.returncode}{': ' + said[0] if said else ''})")
    first = done.stdout.splitlines()[:1]
    if not first or not first[0]:
        raise UserError("password_command printed nothing; it should print the password on its first line")
    return first[0]


def _from_keyring(user: str) -> str:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise UserError(
            "no password source: add password_command (or password_env) to the account, or install the keyring"
            f" extra and store it with `keyring set {KEYRING_SERVICE} {user}`"
        ) from None
    try:
        found: str | None = keyring.get_password(KEYRING_SERVICE, user)
    except KeyringError as exc:
        raise UserError(f"the desktop keyring could not be read ({exc})") from None
    if not found:
        raise UserError(f"no password in the keyring for {user}: store it with `keyring set {KEYRING_SERVICE} {user}`")
    return found
