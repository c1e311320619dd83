"""A picture of every application: one timeline each, as a static page readable offline.

Built from `status.overview` and the queue of `agenda`, like `status` itself. The page loads
nothing (a Content-Security-Policy forbids it) and runs nothing: inline CSS and SVG. Every text
in it comes from invitations and mail that anyone can send, so all of it is escaped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from . import agenda
from .status import Stage

WIDTH, LEFT, RIGHT = 960, 30, 30
SPAN_DAYS = (14, 120)
"""A timeline shows at least two weeks and at most four months."""
COLOURS = {
    "interview": "#2563eb",
    "answer": "#dc2626",
    "today": "#7c3aed",
    Stage.PLANNED: "#ffffff",
    Stage.MADE: "#16a34a",
    Stage.SENT: "#0f766e",
    Stage.KEPT: "#f59e0b",
    Stage.GONE: "#9ca3af",
    Stage.REMOVED: "#d1d5db",
    Stage.SKIPPED: "#e5e7eb",
}
LEGEND = {
    "interview": "interview",
    Stage.PLANNED: "planned",
    Stage.MADE: "in your Drafts or calendar",
    Stage.SENT: "sent",
    Stage.KEPT: "changed by you",
    Stage.REMOVED: "removed (no longer needed)",
    Stage.GONE: "deleted by you",
    Stage.SKIPPED: "too late, not made",
    "answer": "the employer's answer",
}
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;color:#111827;margin:24px;max-width:1000px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 2px}
.meta{color:#4b5563;margin:0 0 6px}.next li{margin:2px 0}
.legend span{display:inline-block;margin:0 14px 4px 0}.legend i{display:inline-block;width:11px;height:11px;
border:1px solid #6b7280;border-radius:50%;margin-right:5px;vertical-align:-1px}
svg text{font:11px system-ui,sans-serif;fill:#374151}
"""


def page(items: list[dict[str, Any]], queue: list[agenda.Task], now: datetime, zone: ZoneInfo) -> str:
    """The whole page: what comes next, a legend, then one timeline per application, newest first."""
    local = now.astimezone(zone)
    head = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Interview follow-ups</title><style>{STYLE}</style></head><body>"
        f"<h1>Interview follow-ups</h1><p class=meta>As of {local:%a %d %b %Y %H:%M} ({escape(str(zone))})</p>"
    )
    upcoming = "".join(f"<li>{escape(agenda.when(t, now))}: {escape(t.what)}</li>" for t in queue[:12])
    parts = [head, f"<ul class=next>{upcoming}</ul>" if upcoming else "<p>Nothing to do now.</p>", _legend()]
    newest = sorted(items, key=lambda i: i["start"], reverse=True)
    parts.extend(_application(item, now, zone) for item in newest)
    if not items:
        parts.append("<p>No interviews found yet.</p>")
    parts.append("</body></html>")
    return "".join(parts)


def _legend() -> str:
    spans = "".join(f'<span><i style="background:{COLOURS[key]}"></i>{escape(words)}</span>' for key, words in LEGEND.items())
    return f"<p class=legend>{spans}</p>"


def _application(item: dict[str, Any], now: datetime, zone: ZoneInfo) -> str:
    title = " — ".join(filter(None, (item["company"] or item["employer"] or "Unknown employer", item["role"])))
    start = datetime.fromisoformat(item["start"]).astimezone(zone)
    answered = datetime.fromisoformat(item["stopped_at"]).astimezone(zone) if item["stopped_at"] else None
    steps = [(datetime.fromisoformat(s["due"]).astimezone(zone), s) for s in item["steps"]]
    outcome = f"; outcome: {item['outcome']}{'' if item['outcome_confirmed'] else '?'}" if item["outcome"] else ""
    meta = f"{start:%a %d %b %Y %H:%M} · {item['phase']}{outcome}"
    return f"<section><h2>{escape(title)}</h2><p class=meta>{escape(meta)}</p>{_svg(start, steps, answered, now)}</section>"


def _svg(start: datetime, steps: list[tuple[datetime, dict[str, Any]]], answered: datetime | None, now: datetime) -> str:
    times = [start, *(when for when, _ in steps), *([answered] if answered else []), now]
    first = start - timedelta(days=1)
    last = min(max(times), start + timedelta(days=SPAN_DAYS[1])) + timedelta(days=1)
    last = max(last, first + timedelta(days=SPAN_DAYS[0]))
    scale = (WIDTH - LEFT - RIGHT) / (last - first).total_seconds()

    def x(when: datetime) -> float:
        return LEFT + (min(max(when, first), last) - first).total_seconds() * scale

    axis = 40
    shapes = [f'<line x1="{LEFT}" y1="{axis}" x2="{WIDTH - RIGHT}" y2="{axis}" stroke="#9ca3af" stroke-width="2"/>']
    day = first.replace(hour=0, minute=0, second=0, microsecond=0)
    while day <= last:
        if day.weekday() == 0:
            shapes.append(f'<text x="{x(day):.1f}" y="{axis + 44}" text-anchor="middle">{day:%d %b}</text>')
            shapes.append(f'<line x1="{x(day):.1f}" y1="{axis - 4}" x2="{x(day):.1f}" y2="{axis + 4}" stroke="#9ca3af"/>')
        day += timedelta(days=1)
    if first <= now <= last:
        shapes.append(
            f'<line x1="{x(now):.1f}" y1="6" x2="{x(now):.1f}" y2="{axis + 30}" stroke="{COLOURS["today"]}" '
            'stroke-dasharray="4 3"><title>now</title></line>'
        )
    for when, step in steps:
        stage = Stage(step["stage"])
        what = f"{step['step'].replace('_', ' ')}: {step['state']} ({when:%a %d %b %H:%M})"
        colour, edge = COLOURS[stage], "#6b7280" if stage is Stage.PLANNED else COLOURS[stage]
        if step["kind"] == "draft":  # a draft is a square, an entry a dot
            tag, geometry = "rect", f'x="{x(when) - 6:.1f}" y="{axis - 6}" width="12" height="12"'
        else:
            tag, geometry = "circle", f'cx="{x(when):.1f}" cy="{axis}" r="5"'
        paint = f'fill="{colour}" stroke="{edge}" stroke-width="1.5"'
        shapes.append(f"<{tag} {geometry} {paint}><title>{escape(what)}</title></{tag}>")
    held = f"interview {start:%a %d %b %H:%M}"
    shapes.append(f'<circle cx="{x(start):.1f}" cy="{axis}" r="9" fill="{COLOURS["interview"]}"><title>{held}</title></circle>')
    shapes.append(f'<text x="{x(start):.1f}" y="{axis - 16}" text-anchor="middle">interview</text>')
    if answered:
        ax = x(answered)
        points = f"{ax:.1f},{axis - 10} {ax + 10:.1f},{axis} {ax:.1f},{axis + 10} {ax - 10:.1f},{axis}"
        came = f"answer {answered:%a %d %b %H:%M}"
        shapes.append(f'<polygon points="{points}" fill="{COLOURS["answer"]}"><title>{came}</title></polygon>')
        shapes.append(f'<text x="{ax:.1f}" y="{axis - 16}" text-anchor="middle">answer</text>')
    return f'<svg width="{WIDTH}" height="{axis + 54}" role="img" aria-label="timeline">{"".join(shapes)}</svg>'
