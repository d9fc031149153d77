"""The credentials the sandbox hands out: the STS mapping the seed yielded, and a little more.

It is a read-only mapping with exactly ``AccessKeyId``, ``SecretAccessKey``, ``SessionToken`` and
``Expiration`` (as ``sts:AssumeRole`` returns them), so code written for the seed keeps working. It
also remembers the session it came from, so clients made from it go through the same endpoint,
region and event hooks. Its ``repr`` never shows the secret or the token.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .clients import new_client, session_or_default

if TYPE_CHECKING:
    import boto3

__all__ = ["SandboxCredentials"]

_KEYS = ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")


@dataclass(frozen=True, eq=False, repr=False)
class SandboxCredentials(Mapping[str, Any]):
    """Scoped, temporary credentials. ``role_arn`` is the role they belong to; ``mode`` is ``role``
    (a new role) or ``session-policy``; ``packed_policy_size`` is AWS's PackedPolicySize (percent of
    the packed limit) when a session policy was used."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime
    role_arn: str
    mode: str
    session: boto3.Session | None = None
    packed_policy_size: int | None = None

    @classmethod
    def from_sts(
        cls,
        credentials: Mapping[str, Any],
        *,
        role_arn: str,
        mode: str,
        session: boto3.Session | None,
        packed_policy_size: int | None = None,
    ) -> SandboxCredentials:
        return cls(
            access_key_id=credentials["AccessKeyId"],
            secret_access_key=credentials["SecretAccessKey"],
            session_token=credentials["SessionToken"],
            expiration=credentials["Expiration"],
            role_arn=role_arn,
            mode=mode,
            session=session,
            packed_policy_size=packed_policy_size,
        )

    # -- the seed's mapping ----------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        values = {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.expiration,
        }
        return values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)

    def __repr__(self) -> str:
        return (
            f"SandboxCredentials(role_arn={self.role_arn!r}, mode={self.mode!r}, "
            f"access_key_id={self.access_key_id!r}, expiration={self.expiration!r}, secret=<hidden>)"
        )

    # -- conveniences ----------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        """A client for ``service`` signed with these credentials, from the sandbox's session."""
        return new_client(session_or_default(self.session), service, self)

    def env(self) -> dict[str, str]:
        """The environment variables that make an AWS SDK or the AWS CLI use these credentials."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
            "AWS_CREDENTIAL_EXPIRATION": self.expiration.isoformat(),
        }
