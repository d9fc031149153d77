"""Session-policy mode: narrow an existing role for one session — no IAM writes, no propagation wait.

``sts:AssumeRole`` with ``Policy`` (and optionally ``PolicyArns``) gives a session whose permissions are
the *intersection* of the role's policies and the session policy (IAM User Guide, "Session policies").
It can only narrow: it cannot grant what the role lacks, nor punch through an explicit Deny on the role
— the seed's motivating case (a narrow hole through a blanket Deny) needs the role mode. AWS packs the
policy and reports ``PackedPolicySize`` as a percentage of the packed limit; over 100 % it refuses with
``PackedPolicyTooLarge``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import AwsCallError, InvalidArgumentError
from .clients import Actor, call
from .credentials import SandboxCredentials
from .inputs import SandboxRequest

if TYPE_CHECKING:
    import boto3

__all__ = ["assume_with_session_policy"]


def assume_with_session_policy(
    actor: Actor,
    request: SandboxRequest,
    *,
    session: boto3.Session,
    report: Callable[[str, str], None],
) -> SandboxCredentials:
    """Assume ``request.admin_role_arn`` with the policy as a session policy."""
    role_arn = request.admin_role_arn
    if role_arn is None:  # check_request refuses this; keep mypy and readers sure
        raise InvalidArgumentError("session-policy mode needs admin_role_arn")
    params: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": f"iam-tester-session-{secrets.token_hex(6)}",
        "DurationSeconds": request.duration_seconds,
        "Policy": request.policy_json,
    }
    if request.managed_policy_arns:
        params["PolicyArns"] = [{"arn": arn} for arn in request.managed_policy_arns]
    report("create", f"assuming {role_arn} with the session policy (no IAM changes)")
    try:
        reply = call(actor.sts().assume_role, **params)
    except AwsCallError as exc:
        if exc.code == "PackedPolicyTooLarge":
            raise InvalidArgumentError(
                f"AWS refused the session policy as too large once packed: {exc.message}",
                hint="shorten the policy or use fewer managed policy ARNs, or drop --session-policy",
            ) from exc
        if exc.code == "AccessDenied":
            exc.hint = f"the caller may not assume {role_arn}: its trust policy must name the caller"
        raise
    size = reply.get("PackedPolicySize")
    if size is not None:
        report("ready", f"session policy accepted: PackedPolicySize {size}% of the packed limit")
    return SandboxCredentials.from_sts(
        reply["Credentials"], role_arn=role_arn, mode="session-policy", session=session, packed_policy_size=size
    )
