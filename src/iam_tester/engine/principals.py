"""Who makes a request, and whether a statement's Principal/NotPrincipal names them.

Sources (IAM User Guide): "AWS JSON policy elements: Principal"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html) and
"AWS JSON policy elements: NotPrincipal" (reference_policies_elements_notprincipal.html).

- An account ID or ``arn:aws:iam::ACCOUNT:root`` names the *account*: it delegates to the account's own
  IAM policies, so it grants nothing by itself ("How AWS enforcement code logic evaluates requests").
- A role ARN matches every session of that role (the session ARN carries the role name without its path);
  a session ARN matches that session only.
- ``"*"`` and ``{"AWS": "*"}`` match everyone.
- A ``Service`` entry matches that service exactly: service principals are lower case
  (:data:`~iam_tester.policy.principals.SERVICE_PRINCIPAL` cites the rule), and a caller in another case is refused.
- NotPrincipal: AWS checks every identity the caller has (its account, its role, its session), and the
  statement applies unless each of them is listed; that is why the NotPrincipal page says to list the account
  and the role beside a session ARN.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..errors import InvalidArgumentError
from ..policy.arns import ACCOUNT_ID, IAM_PRINCIPAL_ARN
from ..policy.model import Principal
from ..policy.principals import SERVICE_PRINCIPAL

__all__ = [
    "Grant",
    "PrincipalKind",
    "PrincipalMatcher",
    "RequestPrincipal",
    "compile_principals",
    "parse_request_principal",
]


class PrincipalKind(enum.Enum):
    USER = "User"
    ROLE = "Role"  # a role ARN given as the caller: some session of that role
    ROLE_SESSION = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Account"
    SERVICE = "Service"
    # A caller authenticated by an OIDC or SAML identity provider, calling AssumeRoleWithWebIdentity or
    # AssumeRoleWithSAML: named by the provider's ARN, which is what a trust policy's Federated names. It has
    # no identity policies; only the role's trust policy can allow it (IAM User Guide, "Create a role for
    # OpenID Connect federation" and "Create a role for SAML 2.0 federation").
    IDENTITY_PROVIDER = "IdentityProvider"
    # A request that is not signed (a public S3 GET, say), written ``anonymous``. Only a resource-based policy
    # naming everyone — ``"Principal": "*"`` or ``{"AWS": "*"}`` — can allow it; identity policies, boundaries
    # and SCPs do not apply to it, RCPs do ("AWS JSON policy elements: Principal", anonymous users; AWS
    # Organizations User Guide, "Resource control policies").
    ANONYMOUS = "Anonymous"


IAM_KINDS = frozenset(
    {PrincipalKind.USER, PrincipalKind.ROLE, PrincipalKind.ROLE_SESSION, PrincipalKind.FEDERATED_USER}
)
SESSION_KINDS = frozenset({PrincipalKind.ROLE, PrincipalKind.ROLE_SESSION, PrincipalKind.FEDERATED_USER})


class Grant(enum.IntEnum):
    """How directly a resource policy's Allow names the caller (higher is more direct)."""

    ACCOUNT = 1  # the account (ID or root ARN): the caller's identity policies must allow too
    ROLE = 2  # the role ARN: capped by the role's permissions boundary and session policy
    DIRECT = 3  # the user, the session, the federated user, the service, or "*": not capped


@dataclass(frozen=True, eq=False)
class RequestPrincipal:
    """The caller, parsed once: its kind, account, and (for roles and sessions) the role's name.

    Parsing is cached by text, so one caller is one object; it compares (and hashes) by identity, which keeps
    the caches keyed on it cheap.
    """

    text: str
    kind: PrincipalKind
    account: str | None = None
    partition: str = "aws"
    name: str | None = None  # user, role or federated-user name
    role_arn: str | None = None  # for a role or session: the role's ARN (a session's lacks the role path)
    session: str | None = None
    service_linked: bool = False

    @property
    def root_arn(self) -> str | None:
        return f"arn:{self.partition}:iam::{self.account}:root" if self.account else None

    @property
    def is_iam(self) -> bool:
        return self.kind in IAM_KINDS

    @property
    def is_session(self) -> bool:
        return self.kind in SESSION_KINDS


ANONYMOUS = "anonymous"
"""How an unsigned request's caller is written."""
_SERVICE_LINKED_PATH = "role/aws-service-role/"
_SERVICE_LINKED_NAME = "AWSServiceRoleFor"


@lru_cache(maxsize=4096)
def parse_request_principal(text: str) -> RequestPrincipal:
    """Read the caller; raises :class:`InvalidArgumentError` for a form IAM never authorizes."""
    if text == ANONYMOUS:
        return RequestPrincipal(text, PrincipalKind.ANONYMOUS)
    if ACCOUNT_ID.match(text):
        return RequestPrincipal(text, PrincipalKind.ROOT, account=text)
    if SERVICE_PRINCIPAL.match(text):
        return RequestPrincipal(text, PrincipalKind.SERVICE)
    if SERVICE_PRINCIPAL.match(text.lower()):
        raise InvalidArgumentError(
            f"principal {text!r} is not a service principal: services call as their lower-case name",
            hint=f"write {text.lower()}",
        )
    match = IAM_PRINCIPAL_ARN.match(text)
    if match:
        parsed = _parse_arn(text, match["partition"], match["service"], match["account"], match["resource"])
        if parsed is not None:
            return parsed
    raise InvalidArgumentError(
        f"principal {text!r} is not a caller IAM can authorize",
        hint="use an IAM user, role, assumed-role session or federated-user ARN, an account root ARN or ID, "
        "a service principal such as s3.amazonaws.com, an OIDC or SAML provider ARN "
        "(arn:aws:iam::ACCOUNT:oidc-provider/HOST) for a web identity or SAML caller, or anonymous",
    )


def _parse_arn(text: str, partition: str, service: str, account: str, resource: str) -> RequestPrincipal | None:
    kind_name, _, rest = resource.partition("/")
    if service == "iam" and resource == "root":
        return RequestPrincipal(text, PrincipalKind.ROOT, account=account, partition=partition)
    if service == "iam" and kind_name == "user" and rest:
        return RequestPrincipal(text, PrincipalKind.USER, account, partition, name=rest.rsplit("/", 1)[-1])
    if service == "iam" and kind_name == "role" and rest:
        name = rest.rsplit("/", 1)[-1]
        linked = resource.startswith(_SERVICE_LINKED_PATH)
        return RequestPrincipal(
            text, PrincipalKind.ROLE, account, partition, name=name, role_arn=text, service_linked=linked
        )
    if service == "iam" and kind_name in ("oidc-provider", "saml-provider") and rest:
        return RequestPrincipal(text, PrincipalKind.IDENTITY_PROVIDER, account, partition, name=rest)
    if service == "sts" and kind_name == "assumed-role" and "/" in rest:
        role, session = rest.split("/", 1)
        return RequestPrincipal(
            text,
            PrincipalKind.ROLE_SESSION,
            account,
            partition,
            name=role,
            role_arn=f"arn:{partition}:iam::{account}:role/{role}",
            session=session,
            service_linked=role.startswith(_SERVICE_LINKED_NAME),
        )
    if kind_name == "federated-user" and rest:
        return RequestPrincipal(
            f"arn:{partition}:sts::{account}:federated-user/{rest}",
            PrincipalKind.FEDERATED_USER,
            account,
            partition,
            name=rest,
        )
    return None


# -- the Principal element ----------------------------------------------------------------------------

EntryTest = Callable[[RequestPrincipal], "Grant | None"]


@dataclass(frozen=True)
class PrincipalMatcher:
    """A compiled Principal or NotPrincipal element."""

    entries: tuple[Principal, ...]
    negated: bool
    tests: tuple[EntryTest, ...]

    def grant(self, caller: RequestPrincipal) -> Grant | None:
        """How this element grants to ``caller`` (``None``: it does not name them)."""
        if not self.negated:
            best: Grant | None = None
            for test in self.tests:
                level = test(caller)
                if level is not None and (best is None or level > best):
                    best = level
            return best
        # NotPrincipal: applies unless every identity of the caller is listed (each one exactly: listing the
        # account excludes the account, not every user in it).
        for identity in _identities(caller):
            if not any(test(identity) is not None for test in self.tests):
                return Grant.DIRECT
        return None


def _identities(caller: RequestPrincipal) -> tuple[RequestPrincipal, ...]:
    """The caller and the identities above it that NotPrincipal must all list to exclude it."""
    if caller.kind is PrincipalKind.SERVICE or caller.account is None:
        return (caller,)
    account = RequestPrincipal(
        caller.root_arn or caller.account, PrincipalKind.ROOT, account=caller.account, partition=caller.partition
    )
    if caller.kind is PrincipalKind.ROOT:
        return (account,)
    if caller.kind is PrincipalKind.ROLE_SESSION and caller.role_arn:
        role = RequestPrincipal(
            caller.role_arn, PrincipalKind.ROLE, caller.account, caller.partition, caller.name, caller.role_arn
        )
        return (account, role, caller)
    return (account, caller)


def compile_principals(entries: Sequence[Principal], *, negated: bool) -> PrincipalMatcher:
    return PrincipalMatcher(tuple(entries), negated, tuple(_entry_test(entry, exact=negated) for entry in entries))


def _entry_test(entry: Principal, *, exact: bool) -> EntryTest:
    """How one entry names a caller. ``exact`` (for NotPrincipal) matches identities one for one: an account
    entry names the account itself and a role entry the role itself, not their users and sessions."""
    if entry.value == "*" and entry.kind in ("*", "AWS"):
        return lambda caller: Grant.DIRECT
    if entry.kind == "Service":
        # Exactly: a service principal is lower case (policy.principals.SERVICE_PRINCIPAL, which cites the rule);
        # an entry in another case names no service (the validator warns about it).
        return lambda caller: (
            Grant.DIRECT if caller.kind is PrincipalKind.SERVICE and caller.text == entry.value else None
        )
    if entry.kind != "AWS":  # Federated and CanonicalUser: the caller is that exact identity
        return lambda caller: Grant.DIRECT if caller.text == entry.value else None
    return _aws_entry_test(entry.value, exact)


def _aws_entry_test(value: str, exact: bool) -> EntryTest:
    if ACCOUNT_ID.match(value):
        # A bare ID names the account in the policy's own partition, which the request does not give: any.
        return _account_test(value, None, exact)
    match = IAM_PRINCIPAL_ARN.match(value)
    if not match:
        return lambda caller: None
    named = _parse_arn(value, match["partition"], match["service"], match["account"], match["resource"])
    if named is None:
        return lambda caller: None
    if named.kind is PrincipalKind.ROOT:
        return _account_test(match["account"], named.partition, exact)
    if named.kind is PrincipalKind.ROLE:
        account, role_name, partition = named.account, named.name, named.partition
        role_kinds = (PrincipalKind.ROLE,) if exact else (PrincipalKind.ROLE, PrincipalKind.ROLE_SESSION)

        def role_test(caller: RequestPrincipal) -> Grant | None:
            is_role = caller.kind in role_kinds and caller.partition == partition
            return Grant.ROLE if is_role and caller.account == account and caller.name == role_name else None

        return role_test
    canonical = named.text
    kind = named.kind
    return lambda caller: Grant.DIRECT if caller.kind is kind and caller.text == canonical else None


def _account_test(account: str, partition: str | None, exact: bool) -> EntryTest:
    """An account names its principals in its own partition only (``partition=None``: any)."""

    def test(caller: RequestPrincipal) -> Grant | None:
        if caller.account != account or (partition is not None and caller.partition != partition):
            return None
        if caller.kind is PrincipalKind.ROOT or (caller.is_iam and not exact):
            return Grant.ACCOUNT
        return None

    return test
