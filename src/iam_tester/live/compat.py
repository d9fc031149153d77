"""The original ``iam_tester`` module's helpers, kept working (each now takes an optional ``session``)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .clients import Actor, call, new_client, session_or_default
from .credentials import SandboxCredentials
from .identity import identify

if TYPE_CHECKING:
    import boto3

__all__ = ["create_aws_client_from_credentials", "create_aws_client_from_role_arn", "get_underlying_role_arn"]


def create_aws_client_from_credentials(
    service: str, *, credentials: Mapping[str, Any], session: boto3.Session | None = None
) -> Any:
    """A client for ``service`` signed with ``credentials`` (an STS credentials mapping).

    Credentials from :func:`~iam_tester.temporary_iam_credentials` remember their session, so the
    client goes through the same endpoint, region and event hooks without passing ``session``.
    """
    if session is None and isinstance(credentials, SandboxCredentials):
        session = credentials.session
    return new_client(session_or_default(session), service, credentials)


def create_aws_client_from_role_arn(service: str, *, role_arn: str, session: boto3.Session | None = None) -> Any:
    """Assume ``role_arn`` and return a client for ``service`` signed with the role's credentials."""
    session = session_or_default(session)
    reply = call(
        Actor(session).sts().assume_role, RoleArn=role_arn, RoleSessionName=f"iam-tester-{secrets.token_hex(6)}"
    )
    return new_client(session, service, reply["Credentials"])


def get_underlying_role_arn(*, session: boto3.Session | None = None) -> str:
    """The caller's own ARN — for a role session, the *role's* ARN with its path (the seed returned the
    session ARN, which cannot be used where a role ARN is expected, such as ``admin_role_arn``)."""
    identity = identify(Actor(session_or_default(session)))
    return identity.role_arn or identity.arn
