"""Options several commands share mean the same everywhere: the same names, the same values, the same checks."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from iam_tester.cli import main

ROOT = Path(__file__).resolve().parents[2]
REPORTS_BUCKET = str(ROOT / "examples" / "analysis" / "reports-bucket.json")
PLAN = "tfplan:" + str(ROOT / "examples" / "sources" / "plan.json")

_ACCOUNT_COMMANDS = {
    "extract": [PLAN],
    "validate": [PLAN],
    "diff": [REPORTS_BUCKET, REPORTS_BUCKET, "--type", "resource"],
    "exposure": [REPORTS_BUCKET],
}


def _option(command: str, name: str) -> click.Option | None:
    cli = main.get_command(click.Context(main), command)
    assert cli is not None
    found = [p for p in cli.params if isinstance(p, click.Option) and name in p.opts]
    return found[0] if found else None


@pytest.mark.parametrize("command", sorted(_ACCOUNT_COMMANDS))
@pytest.mark.parametrize("spelling", ["--account-id", "--account"])
def test_an_account_id_is_taken_and_checked_alike(command: str, spelling: str) -> None:
    """Every command that takes an account ID takes `--account-id` (and `--account`) and refuses a bad one, exit 2."""
    runner = CliRunner()
    bad = runner.invoke(main, [command, *_ACCOUNT_COMMANDS[command], spelling, "12"])
    assert bad.exit_code == 2, bad.output
    assert "'12' is not a 12-digit account ID" in bad.stderr
    good = runner.invoke(main, [command, *_ACCOUNT_COMMANDS[command], spelling, "111122223333"])
    assert good.exit_code in (0, 1), good.output  # diff and exposure exit 1 on what they find


@pytest.mark.parametrize("command", ["access", "check", "diff", "explain", "exposure", "extract", "validate", "whoami"])
def test_every_report_has_format_text_and_json(command: str) -> None:
    """Every command that prints a report chooses it with `--format`, text by default, json for tools."""
    option = _option(command, "--format")
    assert option is not None
    assert option.default == "text"
    assert isinstance(option.type, click.Choice)
    assert {"text", "json"} <= set(option.type.choices)
