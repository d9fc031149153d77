"""``iam-tester exec``: run a command with scoped, temporary credentials — the guard-rail use."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import CleanupError, InvalidArgumentError
from ._child import run_in_foreground, signal_name
from ._common import reported_errors, say
from ._live import (
    DurationParam,
    admin_role_option,
    make_session,
    progress_printer,
    quiet_option,
    readiness_timeout_option,
    refuse_on_embedded_aws,
    session_options,
    session_policy_option,
    signals_as_exceptions,
)

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


def child_environment(
    base: Mapping[str, str], credentials: SandboxCredentials, session: boto3.Session
) -> dict[str, str]:
    """``base`` without any other credentials or profile, plus the scoped credentials, the session's region
    and its custom endpoint (the child does not get the profile those may have come from). The session's
    region wins over one already in ``base``: it is what ``--region`` (or the profile) asked for."""
    from ..live.clients import configured_endpoint_url

    env = {key: value for key, value in base.items() if key not in _DROPPED}
    env.update(credentials.env())
    if session.region_name:
        env["AWS_REGION"] = session.region_name
        env["AWS_DEFAULT_REGION"] = session.region_name
    endpoint = configured_endpoint_url(session)
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


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
@admin_role_option("Assume this role first and act as it (it becomes the trusted principal).")
@session_policy_option(
    "Do not create a role: assume --admin-role-arn with the policy as a session policy (can only narrow)."
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
@readiness_timeout_option("Give up if the role is not usable after this long (at most 15m).")
@quiet_option("No progress on stderr (errors and policy warnings still are).")
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
    profile is removed from it; --region and the endpoint are passed on). The role is deleted when
    COMMAND exits, however it exits.

    \b
    Signals, as a shell treats a foreground job: Ctrl-C (SIGINT, SIGQUIT) goes to COMMAND, which
    decides: an interactive shell or REPL carries on, and the sandbox ends when COMMAND does.
    SIGTERM and SIGHUP are passed to COMMAND, which gets 2 s to exit before it is killed; then the
    sandbox is cleaned up. Cleanup itself cannot be interrupted: signals wait until it is done.

    \b
    Exit status: COMMAND's own, or 128+N if signal N killed it; 2 for bad input; 127 if COMMAND is
    not found, 126 if it is not executable; 1 if the sandbox fails; 143/129 after SIGTERM/SIGHUP.

    \b
    Example:
      iam-tester exec --policy examples/policies/list-except-protected.json -- aws s3 ls
    """
    from ..live import temporary_iam_credentials

    with reported_errors():
        try:
            text = policy_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InvalidArgumentError(f"{policy_file}: cannot read the policy file: {reason}") from exc
        session = make_session(profile, region)
        refuse_on_embedded_aws(session, admin_role_arn=admin_role_arn, session_policy=session_policy)
        code: int | None = None
        try:
            with (
                signals_as_exceptions(),
                temporary_iam_credentials(
                    policy_document=text,
                    policy_source=policy_file,
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
                code = run_in_foreground(command, child_environment(os.environ, credentials, session))
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
        say(f"the command was killed by {signal_name(-code)}")
    return 128 - code
