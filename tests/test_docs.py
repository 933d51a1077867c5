"""The README documents every setting and every CLI command (a test fails when one is missing)."""

import re
from pathlib import Path

from cli.main import make_parser
from harvest.config import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_with_its_default():
    for setting in SETTINGS:
        row = re.search(rf"^\| `{setting.name}` \| `([^`]*)` \|", README, re.M)
        assert row, f"setting {setting.name} is not in the README's settings table"
        default = setting.default if not isinstance(setting.default, str) else f'"{setting.default}"'
        assert row.group(1) == str(default), f"README gives the wrong default for {setting.name}"


def _commands(parser, prefix=()):
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        for name, sub in action.choices.items():
            if sub._subparsers:
                yield from _commands(sub, prefix + (name,))
            else:
                yield prefix + (name,)


def test_every_cli_command_is_in_the_reference():
    commands = list(_commands(make_parser()))
    assert ("source", "add") in commands and ("serve",) in commands
    for command in commands:
        assert f"sheaf [--home DIR] {' '.join(command)}" in README, command


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    root = Path(__file__).resolve().parents[1]
    block = re.search(r"## Two commands\n.*?```sh\n(.*?)```", README, re.S).group(1)
    lines = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert lines == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (root / ".ci/run").read_text()
    for line in lines:
        assert (root / line.split()[1]).is_file()
