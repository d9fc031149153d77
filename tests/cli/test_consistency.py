"""Options several commands share mean the same everywhere: the same names, the same values, the same checks."""

from __future__ import annotations

import re
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


@pytest.mark.parametrize("name", ["--readiness-timeout", "--admin-role-arn", "--session-policy", "--quiet"])
def test_the_live_options_of_check_and_exec_agree(name: str) -> None:
    """`check --live` and `exec` take the sandbox's options with the same type, range and default."""
    check, exec_ = _option("check", name), _option("exec", name)
    assert check is not None
    assert exec_ is not None
    assert (check.opts, check.is_flag, check.default) == (exec_.opts, exec_.is_flag, exec_.default)
    assert (type(check.type), vars(check.type)) == (type(exec_.type), vars(exec_.type))


def test_the_readiness_limit_is_the_librarys() -> None:
    """The CLI's 15-minute limit on --readiness-timeout is the sandbox's own (kept apart only to start fast)."""
    from iam_tester.cli._live import MAX_READINESS_TIMEOUT
    from iam_tester.live.readiness import MAX_READINESS_TIMEOUT as LIBRARY_LIMIT

    assert MAX_READINESS_TIMEOUT == LIBRARY_LIMIT
    result = CliRunner().invoke(main, ["check", "examples/live.yaml", "--live", "--readiness-timeout", "20m"])
    assert result.exit_code == 2
    assert "'20m' is out of range: it must be between 1s and 15m" in result.stderr


# `iam-tester embedded-aws > FILE &`, and the first `source FILE` after it.
_BACKGROUND_SERVER = re.compile(r"iam-tester embedded-aws\s*>\s*(\S+)\s*&")


def _embedded_aws_examples() -> list[tuple[str, str]]:
    """Every text a user copies commands from: the README, the docs, the examples and embedded-aws --help."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    files += sorted(path for path in (ROOT / "examples").rglob("*") if path.suffix in (".md", ".py", ".sh", ".yaml"))
    texts = [(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")) for path in files]
    help_text = CliRunner().invoke(main, ["embedded-aws", "--help"], terminal_width=200).stdout
    return [*texts, ("embedded-aws --help", help_text)]


@pytest.mark.parametrize(
    ("where", "text"), [pytest.param(*example, id=example[0]) for example in _embedded_aws_examples()]
)
def test_every_embedded_aws_example_waits_before_sourcing(where: str, text: str) -> None:
    """An example that starts embedded-aws in the background waits for its last export before `source`: an
    early `source` reads an empty file and leaves the next command on the real account's credentials."""
    for started in _BACKGROUND_SERVER.finditer(text):
        file = re.escape(started[1])
        sourced = re.compile(rf"\bsource {file}").search(text, started.end())
        assert sourced is not None, f"{where}: {started[0]!r} is never sourced"
        between = text[started.end() : sourced.start()]
        assert re.search(rf"until grep -q IAM_TESTER_ADMIN_ROLE_ARN {file}(?!\w)", between), (
            f"{where}: `source {started[1]}` does not wait for IAM_TESTER_ADMIN_ROLE_ARN after {started[0]!r}"
        )
