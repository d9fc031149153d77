"""``iam-tester whoami``: the calling principal, and the ARN a sandbox role's trust policy would name."""

from __future__ import annotations

import json

import click

from ._common import reported_errors
from ._live import make_session, session_options

__all__ = ["whoami_command"]


@click.command("whoami")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@session_options
def whoami_command(*, as_json: bool, profile: str | None, region: str | None) -> None:
    """Show who the current credentials belong to.

    For a role session (an SSO login, an assumed role) it also shows the role's ARN with its path
    (read with iam:GetRole): that is the principal a sandbox role's trust policy names, narrowed to
    this session's aws:userid (shown as "only user id").
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
        if as_json:
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
