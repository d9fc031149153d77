"""``sweep``: find what sandbox runs left behind (a crash, a kill -9, a refused cleanup) and remove it.

Three kinds of leftover, each recognised only by everything this tool writes, so that nothing anyone else
made is ever touched:

- a **sandbox role**: path exactly ``/iam-tester/``, name exactly ``iam-tester-<UTC time>-<12 hex>``, and the
  ``iam-tester:created-by`` tag. Removing it means deleting its inline policies and detaching its managed
  policies first (IAM API Reference, DeleteRole);
- a **temporary boundary policy**: a customer managed policy under ``/iam-tester/`` named after a sandbox
  role plus ``-boundary``, with the same tag;
- an **admin-role grant** (``--grant-admin-role``): an inline policy named after a sandbox role plus
  ``-may-assume`` on the admin role, whose document allows exactly ``sts:AssumeRole`` on that sandbox role.
  The admin roles looked at are those named in the sandbox roles' ``iam-tester:grant-on`` tag and those
  given to :func:`sweep`.

**Nothing in use is removed.** Every sandbox is tagged ``iam-tester:expires-at``: the latest moment its
credentials can still be valid. Until then it counts as in use and is skipped (with the reason) unless
``force`` is given; ``older_than`` additionally spares anything younger than that.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ..errors import AwsCallError, CleanupError, InvalidArgumentError
from .clients import Actor, call, collect, session_or_default
from .inputs import MAX_DURATION
from .naming import (
    BOUNDARY_SUFFIX,
    CLOCK_SKEW,
    GRANT_SUFFIX,
    ROLE_PATH,
    TAG_CREATED_BY,
    TAG_EXPIRES_AT,
    TAG_GRANT_ON,
    is_sandbox_name,
    is_sandbox_role,
    parse_expiry,
    sandbox_of,
    tags_of,
)
from .readiness import MAX_READINESS_TIMEOUT
from .resources import AdminGrant, Resource, RoleAttachment, RoleInlinePolicy, SandboxRole, TemporaryPolicy

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_iam import IAMClient

__all__ = ["Leftover", "Skipped", "SweepResult", "find_leftovers", "sweep"]

# A sandbox without a readable expires-at tag is assumed to live as long as any could.
_LONGEST_LIFE = timedelta(seconds=MAX_DURATION + MAX_READINESS_TIMEOUT) + CLOCK_SKEW


@dataclass(frozen=True)
class Leftover:
    """Something a sandbox run left: ``kind`` is ``role``, ``policy`` or ``grant``; ``arn`` is what
    ``CleanupError.left_behind`` would name; ``sandbox`` the sandbox role's name it belongs to.

    ``steps`` are the removals, in order (a role's inline policies and attachments, then the role).
    """

    kind: str
    arn: str
    sandbox: str
    created: datetime
    expires: datetime
    created_by: str | None
    steps: tuple[Resource, ...]


@dataclass(frozen=True)
class _Role:
    """A sandbox role as listed, with its tags read."""

    name: str
    arn: str
    created: datetime
    created_by: str
    expires: datetime
    grant_on: str | None


@dataclass(frozen=True)
class Skipped:
    """A leftover :func:`sweep` did not remove, and why (in words for the user)."""

    leftover: Leftover
    reason: str


@dataclass(frozen=True)
class SweepResult:
    """What :func:`sweep` removed (with ``dry_run``: would remove), and what it skipped and why."""

    removed: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    dry_run: bool


def sweep(
    *,
    session: boto3.Session | None = None,
    older_than: timedelta = timedelta(0),
    force: bool = False,
    admin_role_arns: Sequence[str] = (),
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> SweepResult:
    """Remove the leftovers of sandbox runs whose credentials have expired (all of them with ``force``),
    created more than ``older_than`` ago. ``admin_role_arns`` are admin roles to search for grants besides
    those the sandbox roles name. With ``dry_run`` nothing is removed.

    :raises CleanupError: some leftovers could not be removed; ``left_behind`` lists them (the others were).
    """
    if not isinstance(older_than, timedelta) or older_than < timedelta(0):
        raise InvalidArgumentError(f"older_than must be a non-negative timedelta, not {older_than!r}")
    if isinstance(admin_role_arns, str):
        raise InvalidArgumentError("admin_role_arns must be a list of role ARNs, not one string")
    moment = now or datetime.now(timezone.utc)
    iam = Actor(session_or_default(session)).iam()
    leftovers = find_leftovers(iam, admin_role_arns=admin_role_arns)
    say = _safe(progress)

    in_use = {
        item.sandbox for item in leftovers if item.kind == "role" and _reason_to_keep(item, moment, older_than, force)
    }
    removed: list[str] = []
    skipped: list[Skipped] = []
    failed: list[tuple[Leftover, Resource, AwsCallError]] = []
    for item in leftovers:
        reason = _reason_to_keep(item, moment, older_than, force)
        if reason is None and item.sandbox in in_use:
            reason = f"its sandbox role {item.sandbox} is kept"
        if reason is not None:
            skipped.append(Skipped(item, reason))
            say(f"skipped {item.arn}: {reason}")
            continue
        if dry_run:
            say(f"would delete {item.arn} ({_describe(item)})")
            removed.append(item.arn)
            continue
        problem = _remove(iam, item)
        if problem is None:
            say(f"deleted {item.arn}")
            removed.append(item.arn)
        elif problem[1].code != "NoSuchEntity":  # removed meanwhile (its own cleanup, another sweep)
            failed.append((item, *problem))
            say(f"could not delete {item.arn}: {problem[1].code}")
    if failed:
        raise _sweep_error(removed, failed)
    return SweepResult(tuple(removed), tuple(skipped), dry_run)


def find_leftovers(iam: IAMClient, *, admin_role_arns: Sequence[str] = ()) -> list[Leftover]:
    """Every leftover in the account, in the order to remove them: grants, roles, then boundary policies."""
    roles = _sandbox_roles(iam)
    admins = {arn.rsplit("/", 1)[-1]: arn for arn in admin_role_arns}
    for role in roles:
        if role.grant_on is not None and role.grant_on not in admins:
            admins[role.grant_on] = _role_arn_like(role.arn, role.grant_on)
    by_name = {role.name: role for role in roles}
    grants = [grant for name, arn in admins.items() for grant in _grants(iam, name, arn, by_name)]
    role_items = [item for item in (_gone_meanwhile(_role_leftover, iam, role) for role in roles) if item]
    return grants + role_items + _boundary_policies(iam)


def _tags(iam: IAMClient, operation: str, **params: str) -> dict[str, str] | None:
    """An entity's tags, or None if it was deleted meanwhile (its own cleanup, another sweep)."""
    try:
        return tags_of(collect(iam, operation, "Tags", **params))
    except AwsCallError as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise


def _gone_meanwhile(read: Callable[[IAMClient, _Role], Leftover], iam: IAMClient, role: _Role) -> Leftover | None:
    """``read(iam, role)``, or None if the role was deleted meanwhile (its own cleanup, another sweep)."""
    try:
        return read(iam, role)
    except AwsCallError as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise


def _sandbox_roles(iam: IAMClient) -> list[_Role]:
    found = []
    for role in collect(iam, "list_roles", "Roles", PathPrefix=ROLE_PATH):
        name = role["RoleName"]
        if role["Path"] != ROLE_PATH or not is_sandbox_name(name):
            continue  # not ours: its tags are not even read
        # ListRoles does not return tags; read them per candidate.
        tags = _tags(iam, "list_role_tags", RoleName=name)
        if tags is None or not is_sandbox_role(path=role["Path"], name=name, tags=tags):
            continue
        created = role["CreateDate"]
        expires = _expiry(tags, created)
        found.append(_Role(name, role["Arn"], created, tags[TAG_CREATED_BY], expires, tags.get(TAG_GRANT_ON)))
    return sorted(found, key=lambda role: role.created)


def _role_leftover(iam: IAMClient, role: _Role) -> Leftover:
    sandbox = SandboxRole(role.name, role.arn)
    inline = [
        RoleInlinePolicy(sandbox, name)
        for name in collect(iam, "list_role_policies", "PolicyNames", RoleName=sandbox.name)
    ]
    attached = [
        RoleAttachment(sandbox, policy["PolicyArn"])
        for policy in collect(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=sandbox.name)
    ]
    steps = (*inline, *attached, sandbox)
    return Leftover("role", sandbox.arn, sandbox.name, role.created, role.expires, role.created_by, steps)


def _boundary_policies(iam: IAMClient) -> list[Leftover]:
    found = []
    for policy in collect(iam, "list_policies", "Policies", Scope="Local", PathPrefix=ROLE_PATH):
        sandbox = sandbox_of(policy["PolicyName"], BOUNDARY_SUFFIX)
        if policy.get("Path") != ROLE_PATH or sandbox is None:
            continue
        tags = _tags(iam, "list_policy_tags", PolicyArn=policy["Arn"])
        if tags is None or TAG_CREATED_BY not in tags:
            continue
        resource = TemporaryPolicy(policy["PolicyName"], policy["Arn"])
        created = policy["CreateDate"]
        found.append(
            Leftover(
                "policy", resource.arn, sandbox, created, _expiry(tags, created), tags[TAG_CREATED_BY], (resource,)
            )
        )
    return found


def _grants(iam: IAMClient, admin: str, admin_arn: str, sandboxes: dict[str, _Role]) -> list[Leftover]:
    """The grants on role ``admin`` made for sandbox roles: named by our pattern, allowing exactly
    sts:AssumeRole on that sandbox role."""
    try:
        names = collect(iam, "list_role_policies", "PolicyNames", RoleName=admin)
    except AwsCallError as exc:
        if exc.code == "NoSuchEntity":
            return []
        raise
    found = []
    for name in names:
        sandbox = sandbox_of(name, GRANT_SUFFIX)
        if sandbox is None:
            continue
        document = call(iam.get_role_policy, RoleName=admin, PolicyName=name)["PolicyDocument"]
        if not _is_grant(document, sandbox):
            continue
        role = sandboxes.get(sandbox)
        created = role.created if role else _created_from_name(sandbox)
        expires = role.expires if role else created  # the sandbox role is gone: nothing uses the grant
        resource = AdminGrant(admin, admin_arn, name)
        by = role.created_by if role else None
        found.append(Leftover("grant", resource.left_behind, sandbox, created, expires, by, (resource,)))
    return found


def _is_grant(document: Any, sandbox: str) -> bool:
    """The document is exactly what the sandbox puts on the admin role (boto3 decodes it; be lenient
    about JSON text too)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return False
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(statements, list) or len(statements) != 1:
        return False
    (statement,) = statements
    return (
        isinstance(statement, dict)
        and statement.get("Effect") == "Allow"
        and statement.get("Action") == "sts:AssumeRole"
        and str(statement.get("Resource", "")).endswith(f":role{ROLE_PATH}{sandbox}")
    )


def _remove(iam: IAMClient, item: Leftover) -> tuple[Resource, AwsCallError] | None:
    """Run the item's steps in order; the first refused step stops it (later ones depend on it)."""
    for step in item.steps:
        try:
            step.undo(iam)
        except AwsCallError as exc:
            if exc.code == "NoSuchEntity" and step is not item.steps[-1]:
                continue  # that part is gone already; the rest may not be
            return step, exc
    return None


def _reason_to_keep(item: Leftover, now: datetime, older_than: timedelta, force: bool) -> str | None:
    if now - item.created < older_than:
        return f"created {item.created:%Y-%m-%d %H:%M:%S} UTC, less than {_span(older_than)} ago (--older-than)"
    if not force and now < item.expires:
        return (
            f"in use: its credentials may be valid until {item.expires:%Y-%m-%d %H:%M:%S} UTC "
            "(--force removes it anyway)"
        )
    return None


def _expiry(tags: dict[str, str], created: datetime) -> datetime:
    return parse_expiry(tags.get(TAG_EXPIRES_AT)) or created + _LONGEST_LIFE


def _created_from_name(sandbox: str) -> datetime:
    # iam-tester-20261130T104009Z-<hex>: the name was matched exactly, so the time parses.
    return datetime.strptime(sandbox.split("-")[2], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


def _role_arn_like(arn: str, name: str) -> str:
    """The ARN of role ``name`` in the same account as ``arn`` (its path unknown here: for messages only)."""
    return f"{arn.split(':role/', 1)[0]}:role/{name}"


def _describe(item: Leftover) -> str:
    by = f" by {item.created_by}" if item.created_by else ""
    return f"{item.kind} of sandbox {item.sandbox}, created {item.created:%Y-%m-%d %H:%M:%S} UTC{by}"


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds}s"


def _safe(progress: Callable[[str], None] | None) -> Callable[[str], None]:
    """Progress that can never stop the sweep (a closed stderr, a broken pipe)."""

    def say(message: str) -> None:
        if progress is None:
            return
        with contextlib.suppress(Exception):  # advisory output only
            progress(message)

    return say


def _sweep_error(removed: Iterable[str], failed: list[tuple[Leftover, Resource, AwsCallError]]) -> CleanupError:
    reasons = "; ".join(f"{item.arn}: {step.undo_step}: {exc.code} ({exc.message})" for item, step, exc in failed)
    commands = [step.remove_command for item, first, _ in failed for step in item.steps[item.steps.index(first) :]]
    return CleanupError(
        f"sweep removed {len(list(removed))} leftover(s) but not {len(failed)}: {reasons}",
        left_behind=[item.arn for item, _, _ in failed],
        hint="the caller needs iam:ListRoles, iam:ListRoleTags, iam:ListRolePolicies, iam:GetRolePolicy, "
        "iam:ListAttachedRolePolicies, iam:ListPolicies, iam:ListPolicyTags, iam:DeleteRolePolicy, "
        "iam:DetachRolePolicy, iam:DeleteRole and iam:DeletePolicy; or remove them by hand, in this order:\n    "
        + "\n    ".join(commands),
    )
