"""What a principal in a Principal/NotPrincipal element may look like, by principal type.

Source: IAM User Guide, "AWS JSON policy elements: Principal"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):

- ``AWS``: ``"*"``, an account ID (12 digits) or ``arn:aws:iam::ACCOUNT:root``, an IAM user
  (``:user/...``) or role (``:role/...``) ARN, an assumed-role session
  (``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``) or a federated user session
  (``arn:aws:sts::ACCOUNT:federated-user/NAME``). IAM groups cannot be principals, and "you cannot use a
  wildcard to match part of a principal name or ARN".
- ``Service``: a service principal, ``SERVICE.amazonaws.com`` (some are Regional,
  ``SERVICE.REGION.amazonaws.com``; ``.amazonaws.com.cn`` in China), in lower case (:data:`SERVICE_PRINCIPAL`).
- ``Federated``: a SAML or OIDC provider ARN (``arn:aws:iam::ACCOUNT:saml-provider/NAME``,
  ``:oidc-provider/HOST``) or a well-known web identity provider (``cognito-identity.amazonaws.com``,
  ``www.amazon.com``, ``graph.facebook.com``, ``accounts.google.com``).
- ``CanonicalUser``: an S3 canonical user ID, 64 hexadecimal characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .arns import ACCOUNT_ID, IAM_PRINCIPAL_ARN
from .findings import Severity

__all__ = ["PRINCIPAL_TYPES", "SERVICE_PRINCIPAL", "PrincipalProblem", "principal_problem"]

PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?\Z")
"""A service principal: a DNS name under ``amazonaws.com`` (``amazonaws.com.cn`` in China), in lower case only.
IAM User Guide, "IAM policy validation check reference", Error - Invalid service principal format: the
identifier "is usually in the following format in all lowercase letters: service-name.amazonaws.com" (a value
in another case is that error). Services call as that lower-case name (``aws:PrincipalServiceName``), so the
validator warns about another case and the evaluator neither accepts it as a caller nor matches it."""
_WEB_IDENTITY = frozenset(
    {"cognito-identity.amazonaws.com", "www.amazon.com", "graph.facebook.com", "accounts.google.com"}
)
_CANONICAL_USER = re.compile(r"[0-9a-fA-F]{64}\Z")


@dataclass(frozen=True)
class PrincipalProblem:
    """Why a principal value is wrong, and how sure we are (an error IAM rejects, or a warning)."""

    severity: Severity
    message: str


def principal_problem(principal_type: str, name: str) -> PrincipalProblem | None:
    """The problem with ``name`` as a principal of ``principal_type``, or ``None`` when it is fine."""
    if principal_type == "AWS":
        return None if _valid_aws(name) else PrincipalProblem(Severity.ERROR, _AWS_HELP.format(name=name))
    if principal_type == "Service":
        if SERVICE_PRINCIPAL.match(name):
            return None
        if SERVICE_PRINCIPAL.match(name.lower()):
            return PrincipalProblem(
                Severity.WARNING,
                f"{name!r} is not in lower case: service principals are written in lower case "
                f"({name.lower()!r}); IAM Access Analyzer reports any other case as an invalid service principal "
                "format, and the evaluator matches it to no service",
            )
        return PrincipalProblem(
            Severity.WARNING,
            f"{name!r} does not look like a service principal; they are written SERVICE.amazonaws.com "
            "(e.g. ec2.amazonaws.com)",
        )
    if principal_type == "Federated":
        if name in _WEB_IDENTITY or _valid_provider(name):
            return None
        return PrincipalProblem(
            Severity.WARNING,
            f"{name!r} is not a federated principal: use a SAML or OIDC provider ARN "
            "(arn:aws:iam::111122223333:saml-provider/NAME, :oidc-provider/HOST) or cognito-identity.amazonaws.com, "
            "www.amazon.com, graph.facebook.com, accounts.google.com",
        )
    if principal_type == "CanonicalUser":
        if _CANONICAL_USER.match(name):
            return None
        return PrincipalProblem(Severity.ERROR, f"{name!r} is not an S3 canonical user ID (64 hexadecimal characters)")
    return None  # unknown types are reported by the grammar itself


_AWS_HELP = (
    "{name!r} is not an AWS principal: use an account ID, arn:aws:iam::111122223333:root, an IAM user or role "
    "ARN (:user/NAME, :role/NAME), a session ARN (arn:aws:sts::111122223333:assumed-role/ROLE/SESSION or "
    ':federated-user/NAME), or "*"; wildcards inside an ARN are not allowed and groups cannot be principals'
)


def _valid_aws(name: str) -> bool:
    if name == "*" or ACCOUNT_ID.match(name):
        return True
    match = IAM_PRINCIPAL_ARN.match(name)
    if not match or "*" in name or "?" in name:
        return False
    resource = match["resource"]
    if match["service"] == "iam":
        return resource == "root" or _named(resource, "user/") or _named(resource, "role/")
    if resource.startswith("assumed-role/"):
        # assumed-role/ROLE-NAME/SESSION-NAME: the role's path is not part of a session ARN.
        parts = resource.split("/")
        return len(parts) == 3 and all(parts)
    return _named(resource, "federated-user/")


def _named(resource: str, prefix: str) -> bool:
    return resource.startswith(prefix) and len(resource) > len(prefix) and not resource.endswith("/")


def _valid_provider(name: str) -> bool:
    match = IAM_PRINCIPAL_ARN.match(name)
    if not match or match["service"] != "iam":
        return False
    return _named(match["resource"], "saml-provider/") or _named(match["resource"], "oidc-provider/")
