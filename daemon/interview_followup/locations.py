"""Where the configuration and the state live on disk; light enough for `--help` to ask."""

from __future__ import annotations

import os
from pathlib import Path

APP = "interview-followup"
ENV_CONFIG = "INTERVIEW_FOLLOWUP_CONFIG"


def default_config() -> Path:
    import platformdirs  # 10 ms: only when a path is needed, not for `--help`

    return Path(platformdirs.user_config_dir(APP)) / "config.yaml"


def config_path(explicit: str | None) -> Path:
    """`--config PATH`, else $INTERVIEW_FOLLOWUP_CONFIG, else the XDG configuration folder."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG]).expanduser()
    return default_config()


def state_dir(explicit: Path | None) -> Path:
    """The configured state directory, else systemd's StateDirectory=, else the XDG state directory."""
    if explicit:
        return explicit
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    import platformdirs

    return Path(platformdirs.user_state_dir(APP))
