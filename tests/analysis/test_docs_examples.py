"""Every command in docs/analysis.md's ``bash`` blocks runs as written, with the exit status its comment gives.

The blocks are read from the page itself (with the README test's reader), so an example added later is covered.
They run in a scratch directory holding the repository's ``examples/`` (what they write, ``diff.sarif``, lands
there), with ``uv run`` pointed at the repository (``UV_PROJECT``), and an environment with no AWS account.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from iam_tester.cli import main

from ..live.test_readme_commands import _BLOCK, Command, _commands, _uv_path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "analysis.md"
_STATUS = re.compile(r"^__docs_status__ (\d+) (\d+)$", re.MULTILINE)


def _blocks() -> list[tuple[int, list[Command]]]:
    text = PAGE.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start(1)) + 1, _commands(match.group(1), text.count("\n", 0, match.start(1)) + 1))
        for match in _BLOCK.finditer(text)
    ]


BLOCKS = _blocks()


def test_the_page_has_an_example_of_each_command() -> None:
    """access, diff and exposure each have examples, and every file an example names ships."""
    commands = [c.text for _, block in BLOCKS for c in block]
    for name in ("access", "diff", "exposure"):
        assert any(c.startswith(f"uv run iam-tester {name} ") for c in commands), name
    for command in commands:
        for path in re.findall(r"(?:gaad:|tfplan:|\s)(examples/\S+)", command):
            assert (ROOT / path).is_file(), (command, path)


@pytest.mark.parametrize(("first_line", "commands"), BLOCKS, ids=[f"analysis.md:{line}" for line, _ in BLOCKS])
def test_docs_block_runs_as_written(first_line: int, commands: list[Command], tmp_path: Path) -> None:
    """Each command exits 0 or the status its comment names, with no traceback; the SARIF written is SARIF."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    script = "\n".join(f'{c.text}\necho "__docs_status__ {c.line} $?" >&2' for c in commands)
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        PATH=_uv_path(),
        UV_PROJECT=str(ROOT),
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
    )
    done = subprocess.run(  # noqa: S603 - our own documentation, run by bash
        ["bash", "-c", script],  # noqa: S607
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    statuses = {int(line): int(status) for line, status in _STATUS.findall(done.stderr)}
    output = f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
    for command in commands:
        assert statuses.get(command.line) == command.expected, f"analysis.md:{command.line}: {command.text}\n{output}"
    assert "Traceback" not in done.stderr, output
    if (tmp_path / "diff.sarif").exists():
        assert json.loads((tmp_path / "diff.sarif").read_text())["version"] == "2.1.0"


@pytest.mark.parametrize("command", ["access", "diff", "exposure"])
def test_help_examples_name_files_that_ship(command: str) -> None:
    """Every file the --help examples of access, diff and exposure name is in the repository."""
    text = CliRunner().invoke(main, [command, "--help"]).stdout
    examples = text.split("Examples:")[1].split("Exit status")[0]
    paths = re.findall(r"(?:gaad:|tfplan:|\s)(examples/\S+)", examples)
    assert paths
    for path in paths:
        assert (ROOT / path).is_file(), path
