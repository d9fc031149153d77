"""``iam-tester exec``: run a command with scoped, temporary credentials — the guard-rail use."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import CleanupError, IamTesterError, InvalidArgumentError
from ._common import Terminated, reported_errors, say
from ._live import DurationParam, make_session, progress_printer, session_options, signals_as_exceptions

if TYPE_CHECKING:
    import boto3

    from ..live.credentials import SandboxCredentials

__all__ = ["child_environment", "exec_command"]

# Variables that could make the child use other credentials than the scoped ones. The env-var
# provider comes first in botocore's chain, but a profile variable makes botocore skip it
# (botocore/credentials.py, create_credential_resolver), so the profile ones matter most.
_DROPPED = frozenset(
    {
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    }
)
_GRACE_SECONDS = 5.0


class _ChildError(IamTesterError):
    """The command could not be started (126: not executable, 127: not found), as a shell reports it."""

    def __init__(self, message: str, *, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def child_environment(
    base: Mapping[str, str], credentials: SandboxCredentials, session: boto3.Session
) -> dict[str, str]:
    """``base`` without any other credentials or profile, plus the scoped credentials, the session's region
    and its custom endpoint (the child does not get the profile those may have come from)."""
    from ..live.clients import configured_endpoint_url

    env = {key: value for key, value in base.items() if key not in _DROPPED}
    env.update(credentials.env())
    if session.region_name:
        env.setdefault("AWS_REGION", session.region_name)
        env.setdefault("AWS_DEFAULT_REGION", session.region_name)
    endpoint = configured_endpoint_url(session)
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


def _run_child(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run the command; on Ctrl-C or SIGTERM give it a moment to exit (it got the signal too, or we
    forward it), then re-raise so the sandbox is cleaned up."""
    try:
        child = subprocess.Popen(list(command), env=dict(env))  # noqa: S603 - running the user's command is the point
    except FileNotFoundError as exc:
        raise _ChildError(f"command not found: {command[0]}", exit_code=127) from exc
    except PermissionError as exc:
        raise _ChildError(f"command not executable: {command[0]}", exit_code=126) from exc
    try:
        return child.wait()
    except (KeyboardInterrupt, Terminated) as exc:
        # A terminal's Ctrl-C reaches the whole process group; a SIGTERM sent to us alone is forwarded.
        if isinstance(exc, Terminated):
            child.send_signal(exc.signum)
        try:
            child.wait(timeout=_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        raise


@click.command(
    "exec",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "--policy",
    "policy_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The IAM policy document (JSON) the credentials get.",
)
@click.option("--admin-role-arn", help="Assume this role first and act as it (it becomes the trusted principal).")
@click.option(
    "--session-policy",
    is_flag=True,
    help="Do not create a role: assume --admin-role-arn with the policy as a session policy (can only narrow).",
)
@click.option(
    "--duration",
    type=DurationParam(minimum=900, maximum=43_200, whole=True),
    default="15m",
    show_default=True,
    help="Credential lifetime, 15m to 12h (at most 1h when role chaining).",
)
@click.option("--managed-policy-arn", multiple=True, help="Also attach this managed policy (repeatable).")
@click.option("--permissions-boundary", help="Permissions boundary (a managed policy ARN) for the role.")
@click.option(
    "--grant-admin-role",
    is_flag=True,
    help="Also add an inline 'may assume' policy to the admin role (removed on exit). Rarely needed.",
)
@click.option(
    "--readiness-timeout",
    type=DurationParam(minimum=1),
    default="2m",
    show_default=True,
    help="Give up if the role is not usable after this long.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr (errors and policy warnings still are).")
@session_options
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_command(
    *,
    policy_file: Path,
    admin_role_arn: str | None,
    session_policy: bool,
    duration: int,
    managed_policy_arn: tuple[str, ...],
    permissions_boundary: str | None,
    grant_admin_role: bool,
    readiness_timeout: float,
    quiet: bool,
    profile: str | None,
    region: str | None,
    command: tuple[str, ...],
) -> None:
    """Run COMMAND with temporary credentials limited to the policy in --policy.

    \b
    Creates a role under /iam-tester/ that trusts only you, puts the policy on it, waits until IAM
    has propagated it, and runs COMMAND with the role's credentials in its environment only (your
    profile is removed from it). The role is deleted when COMMAND exits, fails or is interrupted.
    Exits with COMMAND's exit code.

    \b
    Example:
      iam-tester exec --policy read-reports.json -- aws s3 ls s3://reports
    """
    from ..live import temporary_iam_credentials

    with reported_errors():
        try:
            text = policy_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InvalidArgumentError(f"{policy_file}: cannot read the policy file: {reason}") from exc
        session = make_session(profile, region)
        code: int | None = None
        try:
            with (
                signals_as_exceptions(),
                temporary_iam_credentials(
                    policy_document=text,
                    policy_source=str(policy_file),
                    admin_role_arn=admin_role_arn,
                    session=session,
                    managed_policy_arns=managed_policy_arn,
                    permissions_boundary_arn=permissions_boundary,
                    duration_seconds=duration,
                    session_policy=session_policy,
                    grant_admin_role=grant_admin_role,
                    readiness_timeout=readiness_timeout,
                    progress=progress_printer(quiet=quiet),
                ) as credentials,
            ):
                if not quiet:
                    say(f"running: {shlex.join(command)}")
                code = _run_child(command, child_environment(os.environ, credentials, session))
        except CleanupError as exc:
            # The command ran; if it failed, its exit code says more than the cleanup failure does.
            if not code:
                raise
            say(f"error: {exc}")
        sys.exit(_shell_exit_code(code, quiet=quiet))


def _shell_exit_code(code: int, *, quiet: bool) -> int:
    """A child killed by signal N (``returncode`` -N) exits 128+N, as a shell reports it."""
    if code >= 0:
        return code
    if not quiet:
        say(f"the command was killed by {signal.Signals(-code).name}")
    return 128 - code
