"""[[rules]] in config.toml: each problem is one line naming the rule's index and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tmtui import config
from tmtui.rules import parse_rules
from tmtui.rules.parse import parse_duration

GOOD = '''
[[rules]]
name = "github codes"
mailbox = ["github*", "*@a.test"]
from = '@github\\.com$'
subject = "code|verify"
has_code = true
copy_code = true
notify = true
run = ["notify-send", "tmtui"]
run_timeout = "5s"
delete_after = "10m"
save_attachments = "~/mail"
webhook = "https://hooks.example/x"

[[rules]]
bell = true
'''


def load(tmp_path: Path, text: str) -> config.Config:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return config.load(path)


def test_a_good_rule_is_read_whole_and_the_rules_key_is_known(tmp_path: Path) -> None:
    loaded = load(tmp_path, GOOD)
    assert loaded.warnings == ()
    rules, errors = parse_rules(loaded.rules)
    assert errors == []
    first, second = rules
    assert (first.index, first.name, first.title) == (0, "github codes", 'rules[0] "github codes"')
    assert first.match.mailbox == ("github*", "*@a.test")
    assert first.match.sender is not None and first.match.sender.search("noreply@github.com")
    assert first.match.has_code is True and first.match.has_attachment is None
    actions = first.actions
    assert actions.run == ("notify-send", "tmtui") and actions.run_timeout == 5
    assert actions.delete_after == 600 and actions.webhook == "https://hooks.example/x"
    assert actions.save_attachments == Path("~/mail").expanduser()
    assert first.needs_content and not second.needs_content
    assert (second.index, second.title, second.actions.bell) == (1, "rules[1]", True)


@pytest.mark.parametrize(("table", "where", "words"), [
    ('delete_after = "10x"', "rules[1].delete_after", "not a duration"),
    ('delete_after = "30d"', "rules[1].delete_after", "between"),
    ('run = "rm -rf ~"', "rules[1].run", "never a shell string"),
    ("run = []", "rules[1].run", "non-empty"),
    ('from = "(unclosed"', "rules[1].from", "bad regular expression"),
    ('notify = "yes"', "rules[1].notify", "true or false"),
    ('form = "github"\nnotify = true', "rules[1].form", "unknown key"),
    ('webhook = "ftp://x.example/"', "rules[1].webhook", "http:// or https://"),
    ('mailbox = []\nbell = true', "rules[1].mailbox", "glob"),
    ('run = ["x"]\nrun_timeout = 0', "rules[1].run_timeout", "not 0"),
    ('subject = "x"', "rules[1]", "no action"),
])
def test_each_problem_names_the_rule_and_the_key(tmp_path: Path, table: str, where: str, words: str) -> None:
    loaded = load(tmp_path, f"[[rules]]\nbell = true\n\n[[rules]]\n{table}\n")
    rules, errors = parse_rules(loaded.rules)
    assert [r.index for r in rules] == [0]  # the good rule still runs
    assert len(errors) == 1
    text = str(errors[0])
    assert text.startswith(f"{where}: ") and words in text and "\n" not in text


def test_every_problem_of_a_rule_is_reported_at_once(tmp_path: Path) -> None:
    loaded = load(tmp_path, '[[rules]]\ndelete_after = "soon"\nbell = 1\nfrm = "x"\n')
    rules, errors = parse_rules(loaded.rules)
    assert rules == []
    assert sorted(e.key or "" for e in errors) == ["bell", "delete_after", "frm"]


def test_rules_that_are_not_tables_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match=r"rules must be an array of tables"):
        load(tmp_path, 'rules = "notify"\n')
    rules, errors = parse_rules(load(tmp_path, "rules = [1]\n").rules)
    assert rules == [] and str(errors[0]).startswith("rules[0]: must be a table")


@pytest.mark.parametrize(("text", "seconds"), [("10m", 600), ("1h30m", 5400), ("45s", 45), ("2d", 172800),
                                               ("0s", 0), (90, 90), (1.5, 1.5), (" 1M ", 60)])
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "m", "10 m", "-1s", True, "1h-5m", -3])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)
