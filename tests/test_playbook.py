"""The sequence's timing rules, as pure functions of an interview and the settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from interview_followup.config import Steps
from interview_followup.dates import Workdays, finished_at, shift
from interview_followup.dates import local as wall_clock
from interview_followup.model import Event, Interview, Kind, Person
from interview_followup.playbook import Progress, Settings, plan

BERLIN = ZoneInfo("Europe/Berlin")
PEOPLE = (Person("b@acme.com", "Bo"), Person("a@acme.com", "Al"))


def interview(start: datetime, hours: float = 1, all_day: bool = False) -> Interview:
    end = start + (timedelta(days=1) if all_day else timedelta(hours=hours))
    return Interview("iv", "acct", Event("u", "Interview", start, end, all_day=all_day), "acme.com", "Acme", "", PEOPLE)


def settings(country: str | None = None, steps: Steps | None = None) -> Settings:
    return Settings(steps or Steps(), BERLIN, Workdays(country))


def by_name(steps: list) -> dict[str, list]:  # type: ignore[type-arg]
    found: dict[str, list] = {}  # type: ignore[type-arg]
    for step in steps:
        found.setdefault(step.name, []).append(step)
    return found


def local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%a %Y-%m-%d %H:%M")


def test_the_default_sequence() -> None:
    steps = by_name(plan(interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN)), Progress(), settings()))
    assert [s.recipient.email for s in steps["thank_you"]] == ["a@acme.com", "b@acme.com"]
    assert {s.due for s in steps["thank_you"]} == {datetime(2026, 11, 17, 11, tzinfo=BERLIN)}
    assert local(steps["thank_you_reminder"][0].due) == "Tue 2026-11-17 18:00"
    assert local(steps["references"][0].due) == "Tue 2026-11-17 17:30"
    assert local(steps["first_check_in"][0].due) == "Thu 2026-11-26 10:00"
    assert [local(s.due) for s in steps["weekly_check_in"]] == ["Thu 2026-12-03 10:00", "Thu 2026-12-10 10:00"]
    assert local(steps["status_email"][0].due) == "Thu 2026-12-17 09:00"
    assert steps["status_email"][0].kind is Kind.DRAFT and steps["status_email"][0].materialize_at == steps["status_email"][0].due
    assert local(steps["call_back"][0].due) == "Mon 2027-01-18 10:00", "two months on is a Sunday: next business day"
    contacts = [
        s for s in plan(interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN)), Progress(), settings()) if not s.keep_after_stop
    ]
    assert len(contacts) <= 5, "persistence, not pestering"


def test_reminders_after_a_late_interview_come_after_it() -> None:
    steps = by_name(plan(interview(datetime(2026, 11, 17, 18, 30, tzinfo=BERLIN)), Progress(), settings()))
    assert local(steps["thank_you_reminder"][0].due) == "Tue 2026-11-17 19:45"


def test_no_check_in_the_same_or_next_day_even_with_an_imminent_decision_date() -> None:
    progress = Progress(decision_date=date(2026, 11, 17))
    steps = by_name(plan(interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN)), progress, settings()))
    assert local(steps["first_check_in"][0].due) == "Thu 2026-11-19 10:00"


def test_a_decision_date_sets_the_first_check_in_and_the_weekly_ones_follow() -> None:
    progress = Progress(decision_date=date(2026, 12, 4))
    steps = by_name(plan(interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN)), progress, settings()))
    assert local(steps["first_check_in"][0].due) == "Mon 2026-12-07 10:00"
    assert local(steps["weekly_check_in"][0].due) == "Mon 2026-12-14 10:00"


def test_holidays_are_not_business_days() -> None:
    # 25 and 26 Dec are German public holidays.
    assert shift(date(2026, 12, 23), "3 business days", Workdays("DE")) == date(2026, 12, 29)
    assert shift(date(2026, 12, 23), "3 business days", Workdays()) == date(2026, 12, 28)
    assert Workdays("DE-BY").is_business_day(date(2026, 1, 6)) is False  # Epiphany, Bavaria only
    assert Workdays("DE-BE").is_business_day(date(2026, 1, 6)) is True


def test_months_clamp_to_the_end_of_shorter_months() -> None:
    assert shift(date(2027, 1, 31), "1 month", Workdays()) == date(2027, 2, 28)
    assert shift(date(2026, 12, 15), "2 months", Workdays()) == date(2027, 2, 15)


def test_wall_clock_times_hold_across_daylight_saving_changes() -> None:
    # Berlin leaves summer time on 25 Oct 2026; a check-in set for 10:00 stays at 10:00 local.
    steps = by_name(plan(interview(datetime(2026, 10, 20, 15, tzinfo=BERLIN)), Progress(), settings()))
    first = steps["first_check_in"][0].due
    assert local(first) == "Thu 2026-10-29 10:00"
    assert first.astimezone(timezone.utc).hour == 9


def test_a_time_that_daylight_saving_skips_becomes_the_first_valid_instant() -> None:
    # Berlin's clocks jump from 02:00 to 03:00 on 28 March 2027.
    assert wall_clock(date(2027, 3, 28), "02:30", BERLIN) == datetime(2027, 3, 28, 1, 30, tzinfo=timezone.utc)
    assert wall_clock(date(2027, 3, 28), "02:30", BERLIN).astimezone(BERLIN).hour == 3


def test_an_all_day_interview_ends_in_the_afternoon_of_its_day() -> None:
    start = datetime(2026, 11, 17, tzinfo=BERLIN)
    day = interview(start, all_day=True)
    assert finished_at(day, BERLIN) == datetime(2026, 11, 17, 17, tzinfo=BERLIN)
    steps = by_name(plan(day, Progress(), settings()))
    assert local(steps["thank_you"][0].due) == "Tue 2026-11-17 17:00"


def test_a_stop_keeps_the_thank_you_steps_and_what_was_already_due() -> None:
    iv = interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN))
    stopped = plan(iv, Progress(stopped_at=datetime(2026, 11, 27, tzinfo=BERLIN)), settings())
    assert sorted({s.name for s in stopped}) == ["first_check_in", "references", "thank_you", "thank_you_reminder"]


def test_cancelled_before_it_ended_means_nothing_at_all() -> None:
    iv = interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN))
    assert plan(iv, Progress(cancelled_at=datetime(2026, 11, 16, tzinfo=BERLIN)), settings()) == []


def test_steps_can_be_switched_off() -> None:
    steps = Steps.model_validate(
        {"references": {"enabled": False}, "weekly_check_ins": {"count": 0}, "call_back": {"enabled": False}}
    )
    names = {s.name for s in plan(interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN)), Progress(), settings(steps=steps))}
    assert names == {"thank_you", "thank_you_reminder", "first_check_in", "status_email"}


def test_effect_keys_are_stable_and_distinct() -> None:
    first = plan(interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN)), Progress(), settings())
    moved = plan(interview(datetime(2026, 11, 18, 10, tzinfo=BERLIN)), Progress(), settings())
    assert [s.key for s in first] == [s.key for s in moved], "a moved interview keeps its keys"
    assert len({s.key for s in first}) == len(first)


ZONES = ["America/Los_Angeles", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham", "America/Sao_Paulo"]


@settings_hypothesis(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - Hypothesis takes naive bounds and adds the zone
        max_value=datetime(2030, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from([ZoneInfo(z) for z in ZONES]),
    ),
    hours=st.floats(min_value=0.25, max_value=9),
    country=st.sampled_from([None, "US", "DE", "FR", "ES"]),
    decision=st.one_of(st.none(), st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 6, 1))),
)
def test_the_plan_never_pesters_and_never_lands_off_hours(
    moment: datetime, hours: float, country: str | None, decision: date | None
) -> None:
    tz = moment.tzinfo
    assert isinstance(tz, ZoneInfo)
    iv = interview(moment, hours)
    workdays = Workdays(country)
    steps = plan(iv, Progress(decision_date=decision), Settings(Steps(), tz, workdays))
    end_day = iv.end.astimezone(tz).date()
    contacts = [s for s in steps if not s.keep_after_stop]
    assert len({s.key for s in steps}) == len(steps)
    assert all(s.due >= iv.end for s in steps), "nothing before the interview is over"
    for step in contacts:
        local_due = step.due.astimezone(tz)
        assert (local_due.date() - end_day).days >= 2, "never the same or the next day"
        assert workdays.is_business_day(local_due.date()), step.name
        assert 8 <= local_due.hour <= 11, f"{step.name} at {local_due}"
    checkins = [s.due for s in contacts if s.name in ("first_check_in", "weekly_check_in")]
    assert checkins == sorted(checkins) and len(checkins) <= 3


def test_an_informational_interview_gets_thanks_and_nothing_that_asks_about_a_decision() -> None:
    informational = replace(interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN)), informational=True)
    steps = by_name(plan(informational, Progress(), settings()))
    assert set(steps) == {"thank_you", "thank_you_reminder"}


def test_a_one_way_video_interview_gets_check_ins_but_no_thanks() -> None:
    recorded = replace(interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN)), interviewers=())
    steps = by_name(plan(recorded, Progress(), settings()))
    assert "thank_you" not in steps and "thank_you_reminder" not in steps and "status_email" not in steps
    assert {"first_check_in", "weekly_check_in", "call_back", "references"} <= set(steps)


def test_a_shared_mailbox_is_written_to_when_no_person_is_known() -> None:
    recruiting = (Person("recruiting@acme.com"),)
    shared = replace(interview(datetime(2026, 11, 17, 10, tzinfo=BERLIN)), interviewers=(), contacts=recruiting)
    steps = by_name(plan(shared, Progress(), settings()))
    assert "thank_you" not in steps and len(steps["status_email"]) == 1


def test_holidays_default_to_the_time_zones_country() -> None:
    from interview_followup import config

    def workdays(me: str) -> Workdays:
        return config.parse(f"me:\n  addresses: [sam@example.net]\n{me}").workdays

    assert workdays("  timezone: Europe/Berlin\n").country == "DE"
    assert workdays("  timezone: America/New_York\n").country == "US"
    assert workdays("  timezone: Europe/Berlin\n  holidays: FR\n").country == "FR"
    assert workdays("  timezone: Europe/Berlin\n  holidays: none\n").country is None
    assert workdays("  timezone: UTC\n").country is None, "a zone of no country"
    assert workdays("  timezone: Europe/Berlin\n").quiet == (("12-24", "01-01"),)
    assert workdays("  timezone: Europe/Berlin\n  quiet: []\n").quiet == ()


def test_no_check_in_call_or_status_email_lands_in_the_year_end_break() -> None:
    year_end = Settings(Steps(), BERLIN, Workdays("DE", (("12-24", "01-01"),)))
    steps = by_name(plan(interview(datetime(2026, 12, 16, 10, tzinfo=BERLIN)), Progress(), year_end))
    assert local(steps["thank_you"][0].due) == "Wed 2026-12-16 11:00", "the thank-you is not held back"
    assert local(steps["first_check_in"][0].due) == "Tue 2027-01-05 10:00", "seven business days, none in the break"
    assert [local(s.due) for s in steps["weekly_check_in"]] == ["Tue 2027-01-12 10:00", "Tue 2027-01-19 10:00"]
    early = by_name(plan(interview(datetime(2026, 12, 1, 10, tzinfo=BERLIN)), Progress(), year_end))
    assert local(early["status_email"][0].due) == "Mon 2027-01-04 09:00", "a month on is New Year's Day, in the break"
    without = by_name(plan(interview(datetime(2026, 12, 1, 10, tzinfo=BERLIN)), Progress(), settings("DE")))
    assert local(without["weekly_check_in"][1].due) == "Thu 2026-12-24 10:00", "Christmas Eve is no public holiday"


def test_a_quiet_period_within_the_year() -> None:
    summer = Workdays(None, (("08-01", "08-15"),))
    assert not summer.is_business_day(date(2026, 8, 3)) and summer.is_business_day(date(2026, 8, 17))
    assert summer.on_or_after(date(2026, 8, 10)) == date(2026, 8, 17)
