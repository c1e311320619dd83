"""A failing account waits longer after each failure; the others keep their schedule."""

from __future__ import annotations

from conftest import World, at, vevent
from interview_followup.daemon import Health, run_accounts
from interview_followup.engine import Engine


def test_a_failing_account_backs_off_while_the_other_keeps_working(world: World) -> None:
    world.write_calendar(vevent("iv@acme.com", at("2026-11-17T10:00")))
    down = "  - name: web\n    type: local\n    calendar: http://127.0.0.1:9/cal.ics\n"
    down += f"    followup_calendar: {world.root}/f2\n    drafts: {world.root}/d2\n"
    world.config_path.write_text(world.config_text().replace("state_dir:", down + "state_dir:"))
    config = world.config()
    health: dict[str, Health] = {}
    with world.store() as store:
        engine = Engine(config, store, clock=lambda: world.now)
        first = run_accounts(engine, config.accounts, health)
        assert list(first.failed) == ["web"] and [r.account for r in first.reports] == ["home"]
        assert health["web"].failures == 1 and "127.0.0.1" in health["web"].last_error
        wait = health["web"].next_try

        second = run_accounts(engine, config.accounts, health)
        assert second.failed == {} and [r.account for r in second.reports] == ["home"], "web is left alone while it waits"

        health["web"].next_try = 0.0
        run_accounts(engine, config.accounts, health)
        assert health["web"].failures == 2
        # twice the base wait, each with ±20% jitter: at least 1.6 base against at most 1.2 base
        assert health["web"].next_try - wait > 0.35 * config.poll_interval.total_seconds(), "the wait grows"
    assert len(world.drafts()) == 2
