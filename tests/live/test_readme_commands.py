"""Every command in the README's ``bash`` blocks runs as written, from the repository's root.

The blocks are read from README.md itself, so a command added later is covered without touching this file.
Each block runs as one bash script (a block may start a server in the background and ``source`` what it
prints), each command's exit status recorded. A command must exit 0, or the status its own comment gives
(``# ... exit 1``). Blocks whose commands need an AWS account (``iam-tester exec``, ``whoami``, ``sweep``)
run against the embedded AWS; the others get an environment pointing at no AWS at all, which proves they
need none. The only commands not run are ``uv run pytest`` ones — this very test runs inside them, and CI
runs exactly ``uv run pytest`` — and for those the paths they name must exist.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from iam_tester.embedded import EmbeddedAws

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
_NEEDS_AWS = re.compile(r"\biam-tester (exec|whoami|sweep)\b")
_EXPECTED = re.compile(r"\bexit (\d+)\b")
_STATUS = re.compile(r"^__readme_status__ (\d+) (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class Command:
    line: int  # where it starts in README.md
    text: str  # continuation lines joined, comment included
    expected: int

    @property
    def is_pytest(self) -> bool:
        return self.text.startswith("uv run pytest")


def _commands(block: str, first_line: int) -> list[Command]:
    commands: list[Command] = []
    pending, start = "", first_line
    for offset, raw in enumerate(block.splitlines()):
        if not pending:
            start = first_line + offset
        pending += raw
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        text, pending = pending.strip(), ""
        if text and not text.startswith("#"):
            comment = text.partition(" #")[2]
            found = _EXPECTED.search(comment)
            commands.append(Command(start, text, int(found[1]) if found else 0))
    return commands


def _blocks() -> list[tuple[int, list[Command]]]:
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in _BLOCK.finditer(text):
        first_line = text.count("\n", 0, match.start(1)) + 1
        blocks.append((first_line, _commands(match.group(1), first_line)))
    return blocks


BLOCKS = _blocks()


def _script(commands: list[Command]) -> str:
    lines = ["cd " + shlex.quote(str(ROOT))]
    for command in commands:
        lines += ["{ " + command.text, "}", f'echo "__readme_status__ {command.line} $?" >&2']
    return "\n".join(lines) + "\n"


def _uv_path() -> str:
    """The directories of ``uv`` and of this environment's tools, so ``uv run`` works as in a user's shell."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:  # not a skip: the README's commands start with `uv run`, so the test cannot pass without it
        pytest.fail("uv is not on PATH (nor in $UV): the README's commands cannot run as written")
    return os.pathsep.join([str(Path(uv).parent), os.environ.get("PATH", "")])


def _run(commands: list[Command], env: dict[str, str], tmp_path: Path) -> tuple[dict[int, int], str]:
    # Output to files, not pipes (a server a block leaves in the background would hold a pipe open), and a
    # new session: whatever the block leaves running is stopped with it.
    out_path, err_path = tmp_path / "stdout", tmp_path / "stderr"
    with out_path.open("w") as out, err_path.open("w") as err:
        process = subprocess.Popen(  # noqa: S603 - our own README, run by bash
            ["bash", "-c", _script(commands)],  # noqa: S607
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            process.wait(timeout=240)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait()
    text = err_path.read_text()
    statuses = {int(line): int(status) for line, status in _STATUS.findall(text)}
    return statuses, f"stdout:\n{out_path.read_text()}\nstderr:\n{text}"


def _offline_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    # No account anywhere: no keys, no config or credentials files.
    env.update(AWS_CONFIG_FILE=str(tmp_path / "no-config"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    return env


def test_the_readme_has_its_commands() -> None:
    """The README's two opening commands are its first block, and there are blocks needing AWS and not."""
    first = [c.text.split("#")[0].strip() for c in BLOCKS[0][1]]
    assert first == ["uv run iam-tester check examples/quickstart.yaml", "uv run pytest"]
    assert any(_NEEDS_AWS.search(c.text) for _, block in BLOCKS for c in block)


@pytest.mark.parametrize(("first_line", "commands"), BLOCKS, ids=[f"README.md:{line}" for line, _ in BLOCKS])
def test_readme_block_runs_as_written(
    first_line: int, commands: list[Command], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Each command of the block exits 0 (or the status its comment names), with no traceback."""
    for command in (c for c in commands if c.is_pytest):
        for argument in shlex.split(command.text.partition(" #")[0])[3:]:
            assert argument.startswith("-") or (ROOT / argument).exists(), command.text
    runnable = [c for c in commands if not c.is_pytest]
    if not runnable:
        return
    needs_aws = any(_NEEDS_AWS.search(c.text) for c in runnable) and not any("embedded-aws" in c.text for c in runnable)
    if needs_aws:
        aws: EmbeddedAws = request.getfixturevalue("aws")
        env = aws.subprocess_env()
    else:
        env = _offline_env(tmp_path)
    env["PATH"] = _uv_path()
    env["TMPDIR"] = str(tmp_path)  # what a block makes with mktemp goes with the test's files
    statuses, output = _run(runnable, env, tmp_path)
    for command in runnable:
        assert command.line in statuses, f"README.md:{command.line} did not run: {command.text}\n{output}"
        got = statuses[command.line]
        assert got == command.expected, (
            f"README.md:{command.line} exited {got}, expected {command.expected}: {command.text}\n{output}"
        )
    assert "Traceback" not in output, output
