"""``sweep``: find the roles this tool left behind (a crash, a refused cleanup) and delete them.

A role is swept only if it is under ``/iam-tester/``, named ``iam-tester-…``, carries the
``iam-tester:created-by`` tag, and was created more than ``older_than`` ago — a role anyone else made is
never touched, even if it sits under our path. Deleting a role means deleting its inline policies and
detaching its managed policies first (IAM API Reference, DeleteRole).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ..errors import AwsCallError, CleanupError, InvalidArgumentError
from .clients import CLEANUP_RETRY_CODES, Actor, call
from .naming import ROLE_PATH, TAG_CREATED_BY, TAG_EXPIRES_AT, is_sandbox_role, tags_of

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_iam import IAMClient

__all__ = ["LeftoverRole", "find_leftovers", "sweep"]


@dataclass(frozen=True)
class LeftoverRole:
    """A sandbox role still in the account."""

    arn: str
    name: str
    created: datetime
    created_by: str
    expires_at: str | None


def find_leftovers(iam: IAMClient, *, older_than: timedelta, now: datetime | None = None) -> list[LeftoverRole]:
    """Sandbox roles created more than ``older_than`` before ``now``, oldest first."""
    cutoff = (now or datetime.now(timezone.utc)) - older_than
    found: list[LeftoverRole] = []
    marker: str | None = None
    while True:
        page = call(iam.list_roles, **_paging({"PathPrefix": ROLE_PATH}, marker))
        for role in page["Roles"]:
            if role["CreateDate"] > cutoff:
                continue
            # ListRoles does not return tags; read them per candidate.
            tags = tags_of(call(iam.list_role_tags, RoleName=role["RoleName"])["Tags"])
            if is_sandbox_role(path=role["Path"], name=role["RoleName"], tags=tags):
                found.append(
                    LeftoverRole(
                        arn=role["Arn"],
                        name=role["RoleName"],
                        created=role["CreateDate"],
                        created_by=tags[TAG_CREATED_BY],
                        expires_at=tags.get(TAG_EXPIRES_AT),
                    )
                )
        if not page.get("IsTruncated"):
            break
        marker = page["Marker"]
    return sorted(found, key=lambda role: role.created)


def _paging(params: dict[str, Any], marker: str | None) -> dict[str, Any]:
    return {**params, "Marker": marker} if marker else params


def delete_role(iam: IAMClient, name: str) -> None:
    """Delete a role and what blocks its deletion: inline policies, then managed attachments."""
    for policy in _inline_policies(iam, name):
        call(iam.delete_role_policy, retry_codes=CLEANUP_RETRY_CODES, RoleName=name, PolicyName=policy)
    for arn in _attached_policies(iam, name):
        call(iam.detach_role_policy, retry_codes=CLEANUP_RETRY_CODES, RoleName=name, PolicyArn=arn)
    call(iam.delete_role, retry_codes=CLEANUP_RETRY_CODES, RoleName=name)


def _inline_policies(iam: IAMClient, name: str) -> list[str]:
    names: list[str] = []
    marker: str | None = None
    while True:
        page = call(iam.list_role_policies, **_paging({"RoleName": name}, marker))
        names.extend(page["PolicyNames"])
        if not page.get("IsTruncated"):
            return names
        marker = page["Marker"]


def _attached_policies(iam: IAMClient, name: str) -> list[str]:
    arns: list[str] = []
    marker: str | None = None
    while True:
        page = call(iam.list_attached_role_policies, **_paging({"RoleName": name}, marker))
        arns.extend(policy["PolicyArn"] for policy in page["AttachedPolicies"])
        if not page.get("IsTruncated"):
            return arns
        marker = page["Marker"]


def sweep(
    *,
    session: boto3.Session | None = None,
    older_than: timedelta = timedelta(hours=1),
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[str]:
    """Delete the sandbox roles older than ``older_than``; return their ARNs (with ``dry_run``, the ARNs
    that would be deleted, and nothing is deleted).

    The default hour is longer than the default credential lifetime (15 minutes): a sweep never
    removes a sandbox still in use unless asked for a shorter age than that sandbox's duration.

    :raises CleanupError: some roles could not be deleted; ``left_behind`` lists them (the others were).
    """
    if not isinstance(older_than, timedelta) or older_than < timedelta(0):
        raise InvalidArgumentError(f"older_than must be a non-negative timedelta, not {older_than!r}")
    if session is None:
        import boto3

        session = boto3.Session()
    iam = Actor(session).iam()
    leftovers = find_leftovers(iam, older_than=older_than)
    done: list[str] = []
    failed: list[tuple[str, AwsCallError]] = []
    for role in leftovers:
        if dry_run:
            _say(progress, f"would delete {role.arn} (created {role.created:%Y-%m-%d %H:%M:%S} by {role.created_by})")
            done.append(role.arn)
            continue
        try:
            delete_role(iam, role.name)
        except AwsCallError as exc:
            if exc.code == "NoSuchEntity":  # removed meanwhile (its own cleanup, or another sweep)
                continue
            failed.append((role.arn, exc))
            _say(progress, f"could not delete {role.arn}: {exc.code}")
            continue
        _say(progress, f"deleted {role.arn}")
        done.append(role.arn)
    if failed:
        reasons = "; ".join(f"{arn}: {exc.code} ({exc.message})" for arn, exc in failed)
        raise CleanupError(
            f"sweep deleted {len(done)} role(s) but could not delete {len(failed)}: {reasons}",
            left_behind=[arn for arn, _ in failed],
            hint="the caller needs iam:ListRoles, iam:ListRoleTags, iam:ListRolePolicies, "
            "iam:ListAttachedRolePolicies, iam:DeleteRolePolicy, iam:DetachRolePolicy and iam:DeleteRole",
        )
    return done


def _say(progress: Callable[[str], None] | None, message: str) -> None:
    if progress is not None:
        progress(message)
