"""The trust policy of a sandbox role: exactly one principal — the caller (or the admin role) — may assume it.

Within one account, a trust policy that names the principal is enough for it to assume the role; no
identity-based ``sts:AssumeRole`` allow is needed (IAM User Guide, "Policy evaluation logic", "Cross-account
policy evaluation" vs same account; STS API Reference, AssumeRole). So the caller's own user or role is
never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..policy import VERSION_2012, compact_json

__all__ = ["TrustPolicy"]


@dataclass(frozen=True)
class TrustPolicy:
    """Allows ``sts:AssumeRole`` to exactly ``principal_arn`` (a user ARN, a role ARN with path, or root)."""

    principal_arn: str

    @classmethod
    def for_principal(cls, principal_arn: str) -> TrustPolicy:
        return cls(principal_arn)

    def document(self) -> dict[str, Any]:
        return {
            "Version": VERSION_2012,
            "Statement": [
                {
                    "Sid": "IamTesterCaller",
                    "Effect": "Allow",
                    "Principal": {"AWS": self.principal_arn},
                    "Action": "sts:AssumeRole",
                }
            ],
        }

    def to_json(self) -> str:
        return compact_json(self.document())
