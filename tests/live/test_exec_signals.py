"""``exec`` as a shell runs a foreground job: Ctrl-C at a terminal goes to the command, which decides;
SIGINT sent to exec alone is passed on; SIGTERM ends the command, then the sandbox; any exit status is
passed on; a closed or broken stderr changes nothing. Every run ends with nothing left in the account.

The terminal cases run exec under a real pseudo-terminal whose foreground process group is exec's, so a
typed ``^C`` makes the kernel send SIGINT to exec and the command alike — as in a user's terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest

from iam_tester.cli._child import signal_name
from iam_tester.embedded import EmbeddedAws
from iam_tester.testing import sandbox_role_names

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left

CLI = str(Path(sys.executable).parent / "iam-tester")

# A stand-in for an interactive program: says "ready", survives Ctrl-C (saying so), exits 5 on "quit".
INTERACTIVE = textwrap.dedent(
    """
    import signal, sys
    signal.signal(signal.SIGINT, lambda signum, frame: print("child got INT", flush=True))
    print("child ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            sys.exit(5)
    """
)

# Opens the terminal given as argv[1] as its controlling terminal (it is a session leader: the test
# starts it with start_new_session), puts it on 0, 1 and 2, and becomes exec.
TERMINAL_LEADER = textwrap.dedent(
    """
    import os, sys
    fd = os.open(sys.argv[1], os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(fd, target)
    os.execv(sys.argv[2], sys.argv[2:])
    """
)


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(ALLOW_LIST_EXCEPT_PROTECTED))
    return path


class Terminal:
    """The controlling side of a pseudo-terminal: what the program printed, and typing into it."""

    def __init__(self, master: int, process: subprocess.Popen[bytes]) -> None:
        self.master = master
        self.process = process
        self.output = b""

    def wait_for(self, text: str, *, count: int = 1, timeout: float = 60) -> None:
        """Until ``text`` has appeared ``count`` times."""
        deadline = time.monotonic() + timeout
        while self.output.count(text.encode()) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"{text!r} never appeared; the terminal showed:\n{self.output.decode(errors='replace')}")
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the other side is closed: everything has been read
                    chunk = b""
                if not chunk and self.process.poll() is not None:
                    pytest.fail(f"{text!r} never appeared before exit; the terminal showed:\n{self.output.decode()}")
                self.output += chunk

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def finish(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout=timeout)
        with contextlib.suppress(OSError):
            while True:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if not ready:
                    break
                chunk = os.read(self.master, 4096)
                if not chunk:
                    break
                self.output += chunk
        return code


@contextmanager
def in_terminal(aws: EmbeddedAws, *arguments: str) -> Iterator[Terminal]:
    """``iam-tester ARGUMENTS`` with a pseudo-terminal as its controlling terminal, in the foreground."""
    master, slave = os.openpty()
    name = os.ttyname(slave)
    process = subprocess.Popen(  # noqa: S603 - our own CLI, under a terminal of our own
        [sys.executable, "-c", TERMINAL_LEADER, name, CLI, *arguments],
        env=aws.subprocess_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(slave)
    terminal = Terminal(master, process)
    try:
        yield terminal
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


def test_ctrl_c_at_the_terminal_goes_to_an_interactive_command(
    aws: EmbeddedAws, session: boto3.Session, policy_file: Path
) -> None:
    """^C typed while an interactive command runs reaches the command, which carries on; exec does not end
    the sandbox; when the command exits, exec exits with its status and nothing is left."""
    with in_terminal(aws, "exec", "--policy", str(policy_file), "--", sys.executable, "-c", INTERACTIVE) as terminal:
        terminal.wait_for("\nchild ready")
        terminal.type(b"\x03")
        terminal.wait_for("^Cchild got INT")  # the terminal echoes ^C, the child answers
        assert len(sandbox_role_names(session)) == 1  # the sandbox is still there, in use
        terminal.type(b"\x03")
        terminal.wait_for("^Cchild got INT", count=2)
        terminal.type(b"quit\n")
        code = terminal.finish()
    assert code == 5, terminal.output.decode()
    assert b"Traceback" not in terminal.output
    assert_nothing_left(session)


def test_a_command_that_traps_ctrl_c_decides(aws: EmbeddedAws, session: boto3.Session, policy_file: Path) -> None:
    """A shell script trapping INT runs its trap; exec exits with the status the trap chose."""
    script = 'trap "echo trapped; exit 3" INT; echo child ready; while :; do sleep 0.05; done'
    with in_terminal(aws, "exec", "--policy", str(policy_file), "--", "sh", "-c", script) as terminal:
        terminal.wait_for("\nchild ready")
        terminal.type(b"\x03")
        terminal.wait_for("trapped")
        code = terminal.finish()
    assert code == 3, terminal.output.decode()
    assert_nothing_left(session)


def test_ctrl_c_ending_a_plain_command_exits_130(aws: EmbeddedAws, session: boto3.Session, policy_file: Path) -> None:
    """A command that does not handle Ctrl-C dies of it; exec reports that, cleans up and exits 130."""
    with in_terminal(
        aws, "exec", "--policy", str(policy_file), "--", "sh", "-c", "echo child ready; exec sleep 60"
    ) as terminal:
        terminal.wait_for("\nchild ready")
        terminal.type(b"\x03")
        code = terminal.finish()
    assert code == 130, terminal.output.decode()
    assert b"killed by SIGINT" in terminal.output
    assert_nothing_left(session)


def _exec(aws: EmbeddedAws, policy_file: Path, *command: str, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]  # noqa: S603 - our own CLI
        [CLI, "exec", "--policy", str(policy_file), "--", *command],
        env=aws.subprocess_env(),
        text=True,
        **{"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "stdin": subprocess.DEVNULL, **popen},
    )


def _signal_while_running(
    aws: EmbeddedAws, policy_file: Path, child: str, *signums: int, session: boto3.Session
) -> tuple[int, str]:
    """Run ``python -c child`` under exec without a terminal; once it prints "ready" (the sandbox is then in
    use), send exec ``signums``; exec's exit status and stderr."""
    process = _exec(aws, policy_file, sys.executable, "-c", f"{child}\nprint('ready', flush=True)\ntime.sleep(60)")
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        assert len(sandbox_role_names(session)) == 1
        for signum in signums:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert "Traceback" not in stderr
    return process.returncode, stderr


def test_sigint_sent_to_exec_alone_is_passed_on(aws: EmbeddedAws, session: boto3.Session, policy_file: Path) -> None:
    """With no terminal (a CI runner's cancel, ``kill -INT``), exec passes SIGINT to the command, which decides."""
    child = "import signal, sys, time\nsignal.signal(signal.SIGINT, lambda *a: sys.exit(9))"
    code, stderr = _signal_while_running(aws, policy_file, child, signal.SIGINT, session=session)
    assert code == 9, stderr
    assert_nothing_left(session)


def test_sigterm_ends_the_command_then_the_sandbox(aws: EmbeddedAws, session: boto3.Session, policy_file: Path) -> None:
    """SIGTERM to exec while the command runs: the command is stopped, the role deleted, exit code 143."""
    code, stderr = _signal_while_running(aws, policy_file, "import time", signal.SIGTERM, session=session)
    assert code == 143, stderr
    assert "terminated by signal 15" in stderr
    assert_nothing_left(session)


def test_sigint_then_sigterm_ends_a_stubborn_command(
    aws: EmbeddedAws, session: boto3.Session, policy_file: Path
) -> None:
    """A CI cancel — SIGINT, then SIGTERM — to a command ignoring both: it is killed after the grace period,
    the sandbox is cleaned up, exec exits 143."""
    child = "import signal, time\nfor s in (signal.SIGINT, signal.SIGTERM):\n    signal.signal(s, signal.SIG_IGN)"
    code, stderr = _signal_while_running(aws, policy_file, child, signal.SIGINT, signal.SIGTERM, session=session)
    assert code == 143, stderr
    assert "terminated by signal 15" in stderr
    assert_nothing_left(session)


def test_sighup_ends_the_command_and_the_sandbox(aws: EmbeddedAws, session: boto3.Session, policy_file: Path) -> None:
    """SIGHUP (the terminal went away) is passed to the command; then cleanup; exit 129."""
    code, stderr = _signal_while_running(aws, policy_file, "import time", signal.SIGHUP, session=session)
    assert code == 129, stderr
    assert_nothing_left(session)


@pytest.mark.parametrize("signum", [signal.SIGUSR1, signal.SIGRTMIN + 6, signal.SIGRTMAX])
def test_death_by_any_signal_is_passed_on(
    aws: EmbeddedAws, session: boto3.Session, policy_file: Path, signum: int
) -> None:
    """A command killed by signal N — real-time signals included — makes exec exit 128+N, naming it."""
    process = _exec(aws, policy_file, "sh", "-c", f"kill -{int(signum)} $$")
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, stderr
    assert f"killed by {signal_name(signum)}" in stderr
    assert "Traceback" not in stderr
    assert_nothing_left(session)


def test_signal_names() -> None:
    """Every signal number has a name: the usual ones, real-time ones by offset, and any other number."""
    assert signal_name(2) == "SIGINT"
    assert signal_name(signal.SIGRTMIN + 6) == "SIGRTMIN+6"
    assert signal_name(200) == "signal 200"


def test_stderr_closed_changes_nothing(aws: EmbeddedAws, session: boto3.Session, policy_file: Path) -> None:
    """exec with stderr closed (``2>&-``) runs the command, passes its status on, and cleans up."""
    result = subprocess.run(  # noqa: S603 - our own CLI through a shell that closes stderr
        ["/bin/sh", "-c", f'exec 2>&- "$0" exec --policy {policy_file} -- sh -c "exit 7"', CLI],
        env=aws.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 7, result.stdout
    assert_nothing_left(session)


def test_stderr_a_broken_pipe_changes_nothing(aws: EmbeddedAws, session: boto3.Session, policy_file: Path) -> None:
    """exec whose stderr is a pipe nobody reads any more (a terminal gone, ``| head``) still cleans up."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        process = _exec(aws, policy_file, "sh", "-c", "exit 7", stderr=write_end)
        process.communicate(timeout=60)
    finally:
        os.close(write_end)
    assert process.returncode == 7
    assert_nothing_left(session)


def test_region_option_wins_over_the_environment(aws: EmbeddedAws, session: boto3.Session, policy_file: Path) -> None:
    """--region is what the command gets, even with another AWS_REGION in exec's environment."""
    env = {**aws.subprocess_env(), "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
    show = "import os; print(os.environ['AWS_REGION'], os.environ['AWS_DEFAULT_REGION'])"
    result = subprocess.run(  # noqa: S603 - our own CLI
        [CLI, "exec", "--region", "eu-west-1", "--policy", str(policy_file), "--", sys.executable, "-c", show],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["eu-west-1", "eu-west-1"]
    assert_nothing_left(session)


def test_embedded_aws_is_named_and_admin_mode_fails_fast(
    aws: EmbeddedAws, session: boto3.Session, policy_file: Path
) -> None:
    """On the embedded AWS, exec says up front what it does not enforce; --admin-role-arn (which cannot work
    there) is refused at once with exit 2, before anything is created."""
    result = subprocess.run(  # noqa: S603 - our own CLI
        [CLI, "exec", "--quiet", "--policy", str(policy_file), "--", "true"],
        env=aws.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "note: this is the embedded AWS (moto)" in result.stderr
    assert "session policies" in result.stderr
    result = subprocess.run(  # noqa: S603 - our own CLI
        [CLI, "exec", "--admin-role-arn", aws.admin_role_arn, "--policy", str(policy_file), "--", "true"],
        env=aws.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "cannot work on the embedded AWS" in result.stderr
    assert_nothing_left(session)


def test_signals_the_shell_ignored_stay_ignored(aws: EmbeddedAws, session: boto3.Session, policy_file: Path) -> None:
    """Started with SIGINT and SIGHUP ignored (a background job, ``nohup``): exec leaves them ignored, for
    itself (a SIGHUP does not end it) and for the command, which inherits them ignored."""
    child = (
        "import signal, sys\n"
        "ignored = [signal.getsignal(s) is signal.SIG_IGN for s in (signal.SIGINT, signal.SIGHUP)]\n"
        "print('ignored:', *ignored, flush=True)\n"
        "sys.stdin.readline()\nsys.exit(4)"
    )
    process = subprocess.Popen(  # noqa: S603 - our own CLI, from a shell that ignores INT and HUP
        [
            "/bin/sh",
            "-c",
            'trap "" INT HUP; exec "$@"',
            "sh",
            CLI,
            "exec",
            "--policy",
            str(policy_file),
            "--",
            sys.executable,
            "-c",
            child,
        ],
        env=aws.subprocess_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdin is not None
        assert process.stdout.readline().split() == ["ignored:", "True", "True"]
        process.send_signal(signal.SIGHUP)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate("go on\n", timeout=60)
    finally:
        process.kill()
    assert process.returncode == 4, stderr
    assert_nothing_left(session)
