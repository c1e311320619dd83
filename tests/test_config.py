"""A bad configuration gets one clear line per problem: file, line, key path, and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_followup import config
from interview_followup.errors import UserError
from test_cli import Result, cli

REPO = Path(__file__).parent.parent


def problems(text: str) -> str:
    with pytest.raises(UserError) as caught:
        config.parse(text, "cfg.yaml")
    return str(caught.value)


def test_the_shipped_example_is_valid_and_documents_every_default() -> None:
    parsed = config.parse((REPO / "config" / "interview-followup.yaml").read_text())
    assert parsed.accounts[0].type == "local"
    assert parsed.playbook == config.Playbook(), "the example states the built-in defaults"


def test_an_empty_account_list_is_valid() -> None:
    assert config.parse("accounts: []\n").accounts == []
    assert config.parse("").accounts == []


def test_an_unknown_key_names_its_line_and_suggests_the_right_one() -> None:
    text = "me:\n  name: Sam\n  adresses: [sam@example.net]\n"
    assert problems(text) == "cfg.yaml:3: me.adresses: unknown key; did you mean `addresses`?"


def test_an_unknown_account_type_names_the_registered_ones() -> None:
    text = "me:\n  addresses: [sam@example.net]\naccounts:\n  - name: work\n    type: exchange\n"
    assert problems(text) == "cfg.yaml:5: accounts[0].type: use one of local, imap, google, microsoft"


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    text = (
        "me:\n  addresses: [sam@example.net]\n  timezone: Mars/Olympus\n"
        "accounts:\n  - name: home\n    type: local\n    calendar: ~/cal.ics\n    drafts: ~/Mail/Drafts\n"
        "poll_interval: soon\n"
        "playbook:\n  steps:\n    weekly_check_ins:\n      count: 5\n"
    )
    lines = problems(text).splitlines()
    assert "cfg.yaml:3: me.timezone: unknown time zone 'Mars/Olympus': use an IANA name like Europe/Berlin" in lines
    assert "cfg.yaml:5: accounts[0].followup_calendar: required key is missing; add `followup_calendar:` here" in lines
    assert "cfg.yaml:9: poll_interval: use a number and a unit, like 30s, 5m, 2h or 1d" in lines
    assert any(line.startswith("cfg.yaml:13: playbook.steps.weekly_check_ins.count:") for line in lines)


def test_yaml_syntax_errors_point_at_the_line() -> None:
    assert problems("me:\n  name: [unclosed\naccounts: []\n").startswith("cfg.yaml:3: this is not valid YAML")


def test_drafts_need_a_sender_address() -> None:
    text = "accounts:\n  - {name: a, type: local, calendar: x.ics, followup_calendar: f, drafts: d}\n"
    assert "me.addresses: add your own e-mail address" in problems(text)


def test_unknown_holiday_country_and_bad_offsets_are_caught() -> None:
    assert "unknown country 'XX'" in problems("me:\n  holidays: XX\n")
    assert 'like "7 business days"' in problems("playbook:\n  steps:\n    call_back:\n      after: soonish\n")


def test_language_quiet_days_and_references_are_checked_where_they_are_written() -> None:
    assert "cfg.yaml:2: me.language: no built-in templates for 'sv'; use one of en, de, fr, es, nl, it, pt" in problems(
        "me:\n  language: sv\n"
    )
    assert config.parse("me:\n  language: pt-BR\n").me.language == "pt"
    assert 'me.quiet[0].end: use a month and a day like "12-24"' in problems("me:\n  quiet:\n    - {start: 12-24, end: 13-01}\n")
    assert "me.references[0].name: required key is missing" in problems("me:\n  references:\n    - {email: jo@x.com}\n")


def test_times_of_day_survive_yaml_sexagesimal_numbers() -> None:
    parsed = config.parse("playbook:\n  steps:\n    call_back:\n      at: 9:30\n")
    assert parsed.playbook.steps.call_back.at == "9:30"


def test_check_on_a_bad_file_exits_2_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text("me:\n  nmae: Sam\n")
    result = cli("--config", str(bad), "check")
    assert result.returncode == 2
    assert f"{bad}:2: me.nmae: unknown key; did you mean `name`?" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    result = cli("--config", str(tmp_path / "none.yaml"), "status")
    assert result.returncode == 2 and "interview-followup init" in result.stderr


def test_init_writes_a_starter_once_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "config.yaml"
    assert cli("--config", str(target), "init").returncode == 0
    assert target.read_text() == (REPO / "config" / "interview-followup.yaml").read_text()
    target.write_text("me: {}\n")
    again = cli("--config", str(target), "init")
    assert again.returncode == 2 and "not overwriting" in again.stderr
    assert target.read_text() == "me: {}\n"


def check_with(tmp_path: Path, playbook: str) -> Result:
    """`check` on a minimal local configuration with the given `playbook:` section."""
    (tmp_path / "cal.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    path = tmp_path / "c.yaml"
    path.write_text(
        "me: {addresses: [sam@example.net]}\n"
        f"accounts:\n  - {{name: a, type: local, calendar: {tmp_path}/cal.ics,\n"
        f"      followup_calendar: {tmp_path}/f, drafts: {tmp_path}/d}}\n"
        f"playbook:\n{playbook}"
    )
    return cli("--config", str(path), "check")


def test_check_passes_a_good_configuration(tmp_path: Path) -> None:
    result = check_with(tmp_path, "  entry_minutes: 15\n")
    assert result.returncode == 0 and "OK (1 account(s)" in result.stdout


def test_check_catches_a_broken_user_template(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "thank_you_2.txt").write_text("Subject: Hi\n\n{% if company %}unclosed\n")
    result = check_with(tmp_path, f"  templates: {tmp_path}/templates\n")
    assert result.returncode == 2
    assert "template thank_you_2.txt:3:" in result.stderr and "Traceback" not in result.stderr


def test_check_names_template_files_no_step_would_read(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    (folder / "deu").mkdir(parents=True)
    (folder / "fr").mkdir()
    (folder / "fr" / "thankyou_1.txt").write_text("Subject: Merci\n\nmerci\n")
    (folder / "fr" / "check_in.txt").write_text("Vérifier\n")
    result = check_with(tmp_path, f"  templates: {folder}\n")
    assert result.returncode == 2
    assert f"template folder {folder}/deu: not one of the languages en, de, fr, es, nl, it, pt" in result.stderr
    assert f"template {folder}/fr/thankyou_1.txt: no step uses this name; the names are call_back.txt" in result.stderr
    assert "template fr/check_in.txt: the first line must be `Title: ...`, or set playbook.steps." in result.stderr


def test_check_catches_a_broken_entry_title(tmp_path: Path) -> None:
    result = check_with(tmp_path, "  steps:\n    call_back:\n      title: 'Call {{ company.nope() }}'\n")
    assert result.returncode == 2 and "playbook.steps.call_back.title:" in result.stderr


def test_check_finds_what_run_would_fail_on_with_the_line_and_the_fix(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    result = cli("--config", str(empty), "check")
    assert result.returncode == 2 and "no accounts configured" in result.stderr
    (tmp_path / "cal.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    (tmp_path / "Drafts").write_text("a file where the Drafts folder should be")
    path = tmp_path / "c.yaml"
    path.write_text(
        "me: {addresses: [sam@example.net]}\n"
        "accounts:\n"
        "  - name: a\n"
        "    type: local\n"
        f"    calendar: {tmp_path}/cal.ics\n"
        f"    followup_calendar: {tmp_path}/f\n"
        f"    drafts: {tmp_path}/Drafts\n"
        "playbook:\n"
        f"  templates: {tmp_path}/no-such-folder\n"
    )
    result = cli("--config", str(path), "check")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{path}:7: accounts[a].drafts: {tmp_path}/Drafts is a file, not a folder" in result.stderr
    assert f"{path}:9: playbook.templates: {tmp_path}/no-such-folder is not a folder" in result.stderr


def test_a_wrong_kind_of_value_is_said_in_the_words_of_the_file() -> None:
    said = problems("me:\n  addresses: sam@example.net\n")
    assert "cfg.yaml:2: me.addresses: use a list" in said and "Input should be" not in said
