"""Each offline command's --help teaches: a one-line summary, what the arguments mean, an example, and the
exit status (the one promise every command shares: 2 for bad input, with the file and the line)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from iam_tester.cli import main


def _help(*command: str) -> str:
    result = CliRunner().invoke(main, [*command, "--help"], terminal_width=100)
    assert result.exit_code == 0
    return result.stdout


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        ((), ["COMMAND"]),
        (("validate",), ["FILE is a JSON policy file", "- reads one from standard input", "--type", "--format"]),
        (("check",), ["SUITE files (YAML, or JSON for .json)", "--format", "--output"]),
        (("explain",), ["at least one policy", "--action", "--resource", "--context KEY=VALUE", "--format"]),
        (("extract",), ["SOURCE is KIND:PATH", "gaad:account.json", "aws:", "--format", "--account"]),
        (("access",), ["identity POLICY files", "--boundary", "--scp", "--principal", "--format"]),
        (("diff",), ["every request NEW allows and OLD does not", "--type", "--format"]),
        (("exposure",), ["resource or trust POLICY", "--org-id", "--account", "--format"]),
    ],
    ids=["iam-tester", "validate", "check", "explain", "extract", "access", "diff", "exposure"],
)
def test_help_has_summary_arguments_example_and_exit_status(command: tuple[str, ...], arguments: list[str]) -> None:
    """The help starts with a summary line, names its arguments, shows an example and states the exit codes."""
    text = _help(*command)
    summary = text.split("\n\n")[1].strip()
    assert summary
    assert summary[0].isupper()
    for argument in arguments:
        assert argument in text, argument
    assert "iam-tester " in text.split("Options:")[0].split("Usage:")[1].split("\n", 1)[1]  # an example line
    assert "Exit status: 0" in text
    assert "2 invalid" in text or "2 errors" in text


@pytest.mark.parametrize("command", ["validate", "check", "explain", "extract", "access", "diff", "exposure"])
def test_every_option_says_what_it_does(command: str) -> None:
    """No option of an offline command is listed without a description."""
    cli = main.get_command(click.Context(main), command)
    assert cli is not None
    undocumented = [p.name for p in cli.params if isinstance(p, click.Option) and not p.help]
    assert undocumented == []
