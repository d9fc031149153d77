"""The request context a policy sees: what the request gives, plus what AWS derives from the caller.

Derived keys follow "AWS global condition context keys"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html) and the table of
principal key values in "IAM policy elements: Variables and tags":

==================  =============  ======================================  ===============  ===================
caller              aws:username   aws:userid                              aws:PrincipalType aws:PrincipalArn
==================  =============  ======================================  ===============  ===================
account root        (absent)       the account ID                          Account          ...:root
IAM user            the user name  (a unique ID: not derivable)            User             the user ARN
role session        (absent)       role-id:session (role-id not derivable) AssumedRole      the *role* ARN
federated user      (absent)       account:name                            FederatedUser    the federated ARN
anonymous           (absent)       anonymous                               Anonymous        (absent)
==================  =============  ======================================  ===============  ===================

``aws:PrincipalAccount``, ``aws:PrincipalIsAWSService`` (``true`` only for service principals),
``aws:PrincipalServiceName`` (service principals) and ``aws:ResourceAccount`` (when the resource account is
known) are derived too. A key the request gives always wins over a derived one. Keys are matched without
regard to case ("Key names are case-insensitive").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from .principals import PrincipalKind, RequestPrincipal
from .results import Request

__all__ = ["RequestState", "build_context", "derived_keys", "key_names", "normalise_value"]


class RequestState(NamedTuple):
    """One request, read once: the caller, the lower-cased action, the resource's account and the context."""

    request: Request
    caller: RequestPrincipal
    action: str  # lower-cased
    resource_account: str | None
    context: dict[str, tuple[str, ...]]
    resource: str  # what Resource patterns are matched against (requests.matched_resource)


@lru_cache(maxsize=4096)
def derived_keys(caller: RequestPrincipal) -> tuple[tuple[str, str], ...]:
    """The keys AWS sets from the caller alone, in their documented spelling."""
    keys: list[tuple[str, str]] = []
    if caller.kind is PrincipalKind.IDENTITY_PROVIDER:
        # AssumeRoleWithWebIdentity/SAML: the provider's claims (token.actions.githubusercontent.com:sub,
        # saml:aud ...) are what the trust policy sees; they come with the request's context.
        return ()
    if caller.kind is PrincipalKind.SERVICE:
        keys.append(("aws:PrincipalServiceName", caller.text))
        keys.append(("aws:PrincipalIsAWSService", "true"))
        return tuple(keys)
    keys.append(("aws:PrincipalIsAWSService", "false"))
    if caller.kind is PrincipalKind.ANONYMOUS:
        # An unsigned request: no account, no ARN ("AWS global condition context keys", aws:PrincipalType's
        # values include Anonymous; aws:userid is "anonymous" in the principal table of "IAM policy elements:
        # Variables and tags").
        return (*keys, ("aws:PrincipalType", "Anonymous"), ("aws:userid", "anonymous"))
    if caller.account:
        keys.append(("aws:PrincipalAccount", caller.account))
    kind = caller.kind
    if kind is PrincipalKind.ROOT:
        keys += [("aws:PrincipalArn", caller.root_arn or ""), ("aws:PrincipalType", "Account")]
        keys.append(("aws:userid", caller.account or ""))
    elif kind is PrincipalKind.USER:
        keys += [("aws:PrincipalArn", caller.text), ("aws:PrincipalType", "User")]
        keys.append(("aws:username", caller.name or ""))
    elif kind in (PrincipalKind.ROLE, PrincipalKind.ROLE_SESSION):
        # aws:PrincipalArn of a session is the role's ARN; a session ARN carries no role path, so the role
        # ARN derived from it has none either (give aws:PrincipalArn in the context when the path matters).
        keys += [("aws:PrincipalArn", caller.role_arn or caller.text), ("aws:PrincipalType", "AssumedRole")]
    elif kind is PrincipalKind.FEDERATED_USER:
        keys += [("aws:PrincipalArn", caller.text), ("aws:PrincipalType", "FederatedUser")]
        keys.append(("aws:userid", f"{caller.account}:{caller.name}"))
    return tuple(keys)


def normalise_value(value: object) -> tuple[str, ...]:
    """One value or a list of values, as strings (JSON/YAML booleans and numbers as their text)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence):
        return tuple(_text(v) for v in value)
    return (_text(value),)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@lru_cache(maxsize=4096)
def _derived_context(caller: RequestPrincipal, resource_account: str | None) -> dict[str, tuple[str, ...]]:
    values: dict[str, tuple[str, ...]] = {name.lower(): (value,) for name, value in derived_keys(caller)}
    if resource_account:
        values["aws:resourceaccount"] = (resource_account,)
    return values


def build_context(
    given: Mapping[str, object], caller: RequestPrincipal, resource_account: str | None
) -> dict[str, tuple[str, ...]]:
    """The effective context: lower-cased keys, each with its values; an empty list is dropped, as AWS treats
    it as absent."""
    values: dict[str, tuple[str, ...]] = dict(_derived_context(caller, resource_account))
    for name, raw in given.items():
        if type(raw) is str:
            values[name.lower()] = (raw,)
            continue
        normalised = normalise_value(raw)
        if normalised:
            values[name.lower()] = normalised
        else:
            values.pop(name.lower(), None)
    return values


def key_names(given: Mapping[str, object], caller: RequestPrincipal) -> dict[str, str]:
    """Each context key's spelling, for explanations: as given, or as AWS documents a derived key."""
    names = {name.lower(): name for name, _ in derived_keys(caller)}
    names["aws:resourceaccount"] = "aws:ResourceAccount"
    names.update((name.lower(), name) for name in given)
    return names
