"""The idle passes of a cloud backend at each hour of the day after an interview, shared by its benches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from conftest import at


def idle_by_hour(world: Any, idle_requests: Callable[[], int], drafts: int) -> None:
    """From the end of the interview (Tue 12:00) to the next evening: a pass, then an idle pass, each hour;
    compared with a naive sent-check that asks about each of the `drafts` on every pass."""
    counts = {}
    for hour in range(30):
        world.now = at("2026-11-17T12:00") + timedelta(hours=hour)
        world.cycle()
        counts[f"{world.now:%a %H:%M}"] = idle_requests()
    before = [n for label, n in counts.items() if label.startswith("Tue") and label < "Tue 18:00"]
    print(f"idle passes, each hour Tue 12:00 to Wed 17:00:  {min(counts.values())} to {max(counts.values())} requests")
    naive = max(before) + drafts
    print(f"  before the 18:00 reminder: {max(before)} requests; a per-draft sent check: {naive} ({naive / max(before):.1f}x)")
