"""The trust policy of a sandbox role: who may assume it — the caller (or the admin role), and no one else.

Within one account, a trust policy that names the principal is enough for it to assume the role; no
identity-based ``sts:AssumeRole`` allow is needed (IAM User Guide, "Policy evaluation logic", "Cross-account
policy evaluation" vs same account; STS API Reference, AssumeRole). So the caller's own user or role is
never edited.

A role session (an SSO user, a CI job's role) is named by its *role's* ARN: naming the role alone would let
every session of that role assume the sandbox while it exists. So the statement also requires the
caller's own ``aws:userid`` — ``ROLE-ID:SESSION-NAME`` for a role session (IAM User Guide, "AWS global
condition context keys", aws:userid; it is in the request context of every signed request). What remains:
another session of the same role *with the same session name* matches too (an SSO user's sessions are all
named after the user, so that user's other devices can assume the sandbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..policy import VERSION_2012, compact_json

__all__ = ["TrustPolicy"]


@dataclass(frozen=True)
class TrustPolicy:
    """Allows ``sts:AssumeRole`` to exactly ``principal_arn`` (a user ARN, a role ARN with path, or root),
    and, for a role session, only to the session whose ``aws:userid`` is ``session_user_id``."""

    principal_arn: str
    session_user_id: str | None = None

    @classmethod
    def for_principal(cls, principal_arn: str, *, session_user_id: str | None = None) -> TrustPolicy:
        return cls(principal_arn, session_user_id)

    def document(self) -> dict[str, Any]:
        statement: dict[str, Any] = {
            "Sid": "IamTesterCaller",
            "Effect": "Allow",
            "Principal": {"AWS": self.principal_arn},
            "Action": "sts:AssumeRole",
        }
        if self.session_user_id is not None:
            statement["Condition"] = {"StringEquals": {"aws:userid": self.session_user_id}}
        return {"Version": VERSION_2012, "Statement": [statement]}

    def to_json(self) -> str:
        return compact_json(self.document())
