"""``iam-tester whoami``: the calling principal, and the ARN a sandbox role's trust policy would name."""

from __future__ import annotations

import json

import click

from ._common import reported_errors
from ._live import make_session, session_options
from ._options import format_option

__all__ = ["whoami_command"]


@click.command("whoami")
@format_option("text", "json", help="text: one field a line; json: every field, for tools.")
@click.option("--json", "as_json", is_flag=True, hidden=True, help="The same as --format json.")
@session_options
def whoami_command(*, output_format: str, as_json: bool, profile: str | None, region: str | None) -> None:
    """Show who the current credentials belong to.

    For a role session (an SSO login, an assumed role) it also shows the role's ARN with its path
    (read with iam:GetRole): that is the principal a sandbox role's trust policy names, narrowed to
    this session's aws:userid (shown as "only user id").

    \b
    Examples:
      iam-tester whoami
      iam-tester whoami --profile sso-dev --format json
    Exit status: 0 the caller was identified; 1 AWS could not say (no or expired credentials, no
    network: the message says which); 2 bad usage (an unknown profile, say).
    """
    from ..errors import SandboxError
    from ..live import whoami

    with reported_errors():
        identity = whoami(make_session(profile, region))
        try:
            trusted: str | None = identity.trust_principal
        except SandboxError:
            trusted = None
        fields = {
            "arn": identity.arn,
            "account": identity.account,
            "user_id": identity.user_id,
            "kind": identity.kind,
            "role_arn": identity.role_arn,
            "session_name": identity.session_name,
            "trust_principal": trusted,
            "trust_user_id": identity.user_id if trusted is not None and identity.is_role_session else None,
        }
        if as_json or output_format == "json":
            click.echo(json.dumps(fields, indent=2))
            return
        labels = {
            "arn": "arn",
            "account": "account",
            "kind": "kind",
            "role_arn": "role (with path)",
            "session_name": "session",
            "trust_principal": "sandbox trusts",
            "trust_user_id": "only user id",
        }
        width = max(len(label) for label in labels.values())
        for key, label in labels.items():
            value = fields[key]
            if value is not None:
                click.echo(f"{label:<{width}}  {value}")
        if trusted is None:
            click.echo(f"{'sandbox trusts':<{width}}  (nobody: {identity.kind} credentials cannot assume roles)")
