"""systemd integration: the sd_notify protocol and installing the user unit."""

from __future__ import annotations

import logging
import os
import shlex
import socket
import sys
from importlib import resources
from pathlib import Path

import platformdirs

from . import config as config_module
from . import locations
from .errors import UserError

log = logging.getLogger(__name__)

UNIT_NAME = "interview-followup.service"


def notify(message: str) -> None:
    """sd_notify(3): tell systemd we are ready, alive, or what we are doing."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.debug("sd_notify failed: %s", exc)


def unit_text(config_path: Path | None) -> str:
    """The packaged unit, fitted to this installation: its Python, its folders, its need for a network."""
    text = resources.files("interview_followup").joinpath("unit.service").read_text(encoding="utf-8")
    command = [sys.executable, "-m", "interview_followup"]
    if config_path:
        command += ["--config", str(config_path.resolve())]
    text = text.replace("ExecStart=%h/.local/bin/interview-followup run", "ExecStart=" + shlex.join([*command, "run"]))
    try:
        config = config_module.load(config_path or locations.config_path(None)).config
    except UserError:  # without a readable configuration, keep the starter's settings
        return text
    folders = {str(folder) for a in config.accounts for folder in a.written}
    if config.state_dir:
        folders.add(str(config.state_dir))
    if folders:
        writable = " ".join(f"-{folder}" for folder in sorted(folders))
        text = text.replace("ReadWritePaths=-%h/calendars/followups -%h/Mail/Drafts", f"ReadWritePaths={writable}")
    if any(a.online for a in config.accounts):
        offline = "PrivateNetwork=yes\nIPAddressDeny=any\nRestrictAddressFamilies=AF_UNIX\n"
        text = text.replace(offline, "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n")
    return text


def install(config_path: Path | None, print_only: bool) -> int:
    text = unit_text(config_path)
    if print_only:
        print(text, end="")
        return 0
    target = Path(platformdirs.user_config_dir("systemd")) / "user" / UNIT_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"Wrote {target}. Now run:\n  systemctl --user daemon-reload\n  systemctl --user enable --now interview-followup")
    print("To keep it running while you are logged out:  loginctl enable-linger $USER")
    return 0
