"""The live commands: exec, sweep, whoami, embedded-aws — exit codes, streams, and cleanup."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from iam_tester.cli import main
from iam_tester.cli._live import DurationParam, parse_duration
from iam_tester.embedded import EmbeddedAws

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left, plant_role

CLI = str(Path(sys.executable).parent / "iam-tester")

# The child: who am I, which AWS_ variables do I see, may I list the protected bucket? Then exit 7.
CHILD = textwrap.dedent(
    """
    import json, os, sys
    import boto3
    from botocore.exceptions import ClientError
    session = boto3.Session()
    arn = session.client("sts").get_caller_identity()["Arn"]
    try:
        session.client("s3").list_objects_v2(Bucket="iam-tester-protected")
        protected = "allowed"
    except ClientError as error:
        protected = error.response["Error"]["Code"]
    names = sorted(k for k in os.environ if k.startswith("AWS_"))
    print(json.dumps({"arn": arn, "names": names, "key": os.environ["AWS_ACCESS_KEY_ID"], "protected": protected}))
    sys.exit(7)
    """
)


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(ALLOW_LIST_EXCEPT_PROTECTED, indent=2))
    return path


@pytest.fixture
def profile_env(aws: EmbeddedAws, tmp_path: Path) -> dict[str, str]:
    """An environment where the caller comes from a named profile (with region and endpoint), as on a laptop."""
    config = tmp_path / "config"
    config.write_text(f"[profile developer]\nregion = us-east-1\nendpoint_url = {aws.endpoint_url}\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[developer]\naws_access_key_id = {aws.caller.access_key_id}\n"
        f"aws_secret_access_key = {aws.caller.secret_access_key}\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        {
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_PROFILE": "developer",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    return env


def test_exec_passes_exit_code_and_only_scoped_credentials(
    aws: EmbeddedAws, session: boto3.Session, policy_file: Path, profile_env: dict[str, str]
) -> None:
    """The child runs as the sandbox role (scoped: the protected bucket is denied), sees no profile, and its
    exit code is passed through; progress goes to stderr; nothing is left."""
    result = subprocess.run(  # noqa: S603 - our own CLI
        [CLI, "exec", "--policy", str(policy_file), "--", sys.executable, "-c", CHILD],
        env=profile_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 7, result.stderr
    seen = json.loads(result.stdout)
    assert seen["arn"].startswith("arn:aws:sts::123456789012:assumed-role/iam-tester-")
    assert seen["protected"] == "AccessDenied"
    assert seen["key"] != aws.caller.access_key_id
    assert "AWS_PROFILE" not in seen["names"]
    assert "AWS_DEFAULT_PROFILE" not in seen["names"]
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} <= set(seen["names"])
    assert "iam-tester: running:" in result.stderr
    assert "credentials ready" in result.stderr
    assert aws.caller.secret_access_key not in result.stderr + result.stdout
    assert_nothing_left(session)


def _invoke(aws: EmbeddedAws, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, list(args), env=aws.subprocess_env(), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_exec_bad_policy_is_exit_2_with_location(aws: EmbeddedAws, session: boto3.Session, tmp_path: Path) -> None:
    """A malformed policy file: exit 2, the file, line and problem on stderr, no traceback, nothing created."""
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "s3:*"}]\n}\n')
    code, out, err = _invoke(aws, "exec", "--policy", str(bad), "--", "true")
    assert code == 2
    assert f"{bad}:3" in err
    assert "Resource" in err
    assert "Traceback" not in err
    assert out == ""
    assert_nothing_left(session)


def test_exec_shows_validation_warnings_even_when_quiet(
    aws: EmbeddedAws, session: boto3.Session, tmp_path: Path
) -> None:
    """exec validates the policy first and prints its warnings on stderr, also with --quiet; the command runs."""
    typo = tmp_path / "typo.json"
    typo.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBuckett", "Resource": "*"}]}'
    )
    code, out, err = _invoke(aws, "exec", "--quiet", "--policy", str(typo), "--", "true")
    assert code == 0, err
    assert err.count("unknown-action") == 1  # once: not also through the logger
    assert f"{typo}:1:" in err
    assert out == ""
    assert_nothing_left(session)


def test_exec_missing_file_and_bad_duration_are_exit_2(aws: EmbeddedAws, tmp_path: Path, policy_file: Path) -> None:
    """An unreadable policy file and an out-of-range duration are usage errors (exit 2)."""
    code, _, err = _invoke(aws, "exec", "--policy", str(tmp_path / "missing.json"), "--", "true")
    assert code == 2
    assert "cannot read the policy file" in err
    code, _, err = _invoke(aws, "exec", "--policy", str(policy_file), "--duration", "5m", "--", "true")
    assert code == 2
    assert "between 15m and 12h" in err
    code, _, err = _invoke(aws, "exec", "--policy", str(policy_file), "--readiness-timeout", "1h", "--", "true")
    assert code == 2
    assert "between 1s and 15m" in err


def test_exec_command_not_found_is_127_and_cleans_up(
    aws: EmbeddedAws, session: boto3.Session, policy_file: Path
) -> None:
    """A command that does not exist exits 127, as a shell would, after cleaning up."""
    code, _, err = _invoke(aws, "exec", "--policy", str(policy_file), "--", "no-such-command-iam-tester")
    assert code == 127
    assert "command not found: no-such-command-iam-tester" in err
    assert_nothing_left(session)


def test_whoami(aws: EmbeddedAws) -> None:
    """whoami prints the caller and the principal a sandbox would trust, as text or JSON, on stdout."""
    code, out, _ = _invoke(aws, "whoami")
    assert code == 0
    assert aws.caller.arn in out
    assert "sandbox trusts" in out
    code, out, _ = _invoke(aws, "whoami", "--format", "json")
    assert code == 0
    fields = json.loads(out)
    assert fields["kind"] == "user"
    assert fields["trust_principal"] == aws.caller.arn
    assert _invoke(aws, "whoami", "--json")[1] == out  # the older spelling still works


def test_sweep_command(aws: EmbeddedAws, session: boto3.Session) -> None:
    """sweep --dry-run lists an expired leftover's ARN on stdout and keeps it; sweep deletes it; a sandbox in
    use is kept and said so on stderr; --force removes it."""
    expired = plant_role(session)
    in_use = plant_role(session, expires_in=timedelta(hours=1))
    code, out, err = _invoke(aws, "sweep", "--dry-run")
    assert (code, out.split()) == (0, [expired])
    assert "would remove 1 leftover; kept 1" in err
    assert f"skipped {in_use}: in use" in err
    code, out, err = _invoke(aws, "sweep")
    assert (code, out.split()) == (0, [expired])
    code, out, err = _invoke(aws, "sweep", "--force")
    assert (code, out.split()) == (0, [in_use])
    assert "removed 1 leftover" in err
    assert_nothing_left(session)


def test_every_command_has_help() -> None:
    """The top-level help lists the live commands, and each has its own --help."""
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for name in ("embedded-aws", "exec", "sweep", "whoami"):
        assert name in top.stdout
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.stdout


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("900", 900), ("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("2d", 172_800), ("1.5h", 5400)],
)
def test_duration_parsing(text: str, seconds: float) -> None:
    """Durations read like s3-credentials': a number of seconds or units s, m, h, d."""
    assert parse_duration(text) == seconds


def test_duration_param_rejects_nonsense() -> None:
    """Text that is not a duration, or outside the range, is a usage error naming the range."""
    import click

    param = DurationParam(minimum=900, maximum=43_200, whole=True)
    assert param.convert("1h", None, None) == 3600
    with pytest.raises(click.BadParameter, match="not a duration"):
        param.convert("soon", None, None)
    with pytest.raises(click.BadParameter, match="between 15m and 12h"):
        param.convert("13h", None, None)


def _serve_embedded_aws(*options: str) -> tuple[dict[str, str], str]:
    """Run `iam-tester embedded-aws OPTIONS`, read its exports, check they work, stop it with SIGTERM: the
    exports and what it wrote on stderr."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [CLI, "embedded-aws", *options], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        exports: dict[str, str] = {}
        while "IAM_TESTER_ADMIN_ROLE_ARN" not in exports:
            line = process.stdout.readline()
            assert line, "embedded-aws exited early"
            if line.startswith("export "):
                key, _, value = line.removeprefix("export ").strip().partition("=")
                exports[key] = value
        served = boto3.Session(
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
            region_name=exports["AWS_REGION"],
        )
        sts = served.client("sts", endpoint_url=exports["AWS_ENDPOINT_URL"])
        assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:user/iam-tester-caller"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    return exports, stderr


def test_embedded_aws_command_serves_until_stopped() -> None:
    """embedded-aws prints exports that work (as the admin caller) and stops cleanly on SIGTERM."""
    _, stderr = _serve_embedded_aws()
    assert "press Ctrl-C to stop" in stderr
    assert "warning" not in stderr


def test_embedded_aws_on_a_network_address_warns() -> None:
    """embedded-aws listening on all addresses (0.0.0.0) says on stderr that others can act as its administrator."""
    _, stderr = _serve_embedded_aws("--host", "0.0.0.0")  # noqa: S104 - the exposure this test is about
    assert "warning: 0.0.0.0 is not a loopback address" in stderr
    assert "act as the embedded AWS's administrator" in stderr


def test_embedded_aws_on_a_port_in_use_fails_at_once() -> None:
    """embedded-aws on a port another program listens on exits 1 naming the port, instead of waiting forever."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(  # noqa: S603 - our own CLI
            [CLI, "embedded-aws", "--port", str(port)], env=env, capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_seed_example_script_runs_on_its_own() -> None:
    """`python examples/seed_example.py` with no AWS configured starts its own embedded AWS and passes."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    script = Path(__file__).resolve().parents[2] / "examples" / "seed_example.py"
    result = subprocess.run(  # noqa: S603 - our own example
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "listing iam-tester-dashboard: allowed" in result.stdout
    assert "listing iam-tester-protected: denied" in result.stdout
