"""How the log reads: journald priorities under systemd, level names on a terminal."""

from __future__ import annotations

import logging
import os


class JournalFormatter(logging.Formatter):
    """Under systemd, `<N>` prefixes become journald priorities; on a terminal, plain level names."""

    PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}

    def __init__(self, journald: bool) -> None:
        super().__init__("%(message)s" if journald else "%(levelname)s %(message)s")
        self.journald = journald

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if self.journald:
            return "\n".join(f"<{self.PRIORITY.get(record.levelno, 6)}>{line}" for line in text.splitlines())
        return text


def setup(verbosity: int) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JournalFormatter(bool(os.environ.get("JOURNAL_STREAM"))))
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in ("icalendar", "recurring_ical_events", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
