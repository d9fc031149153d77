"""Names, the path and the tags of the roles the sandbox creates.

Everything that lets a later ``sweep`` recognise a leftover — and only a leftover — is defined here:
the path, the tag keys, the name pattern. Limits from the IAM User Guide, "IAM and AWS STS quotas" and
"Tagging IAM resources" (tag values: letters, digits, spaces and ``_ . : / = + - @``, at most 256).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_iam.type_defs import TagTypeDef

__all__ = [
    "BOUNDARY_SUFFIX",
    "CLOCK_SKEW",
    "DESCRIPTION",
    "GRANT_SUFFIX",
    "INLINE_POLICY_NAME",
    "MAX_SESSION_DURATION",
    "NAME_PREFIX",
    "ROLE_PATH",
    "TAG_CREATED_BY",
    "TAG_EXPIRES_AT",
    "TAG_GRANT_ON",
    "boundary_policy_name",
    "expires_at",
    "grant_policy_name",
    "is_sandbox_name",
    "is_sandbox_role",
    "new_role_name",
    "parse_expiry",
    "sandbox_of",
    "session_name",
    "tag_value",
    "tags",
    "tags_of",
]

NAME_PREFIX = "iam-tester-"
ROLE_PATH = "/iam-tester/"  # also the path of the temporary boundary policies
TAG_CREATED_BY = "iam-tester:created-by"
TAG_EXPIRES_AT = "iam-tester:expires-at"
TAG_GRANT_ON = "iam-tester:grant-on"  # the admin role that got the opt-in grant, for sweep to find it
INLINE_POLICY_NAME = "iam-tester-policy"
GRANT_SUFFIX = "-may-assume"
BOUNDARY_SUFFIX = "-boundary"
DESCRIPTION = "Temporary role made by iam-tester to try a policy; deleted on exit (else `iam-tester sweep`)."
# The IAM default and minimum. A longer ``duration_seconds`` raises it for that one role.
MAX_SESSION_DURATION = 3600
# Added to a sandbox's expiry so that a clock running a little behind AWS's never sweeps one in use.
CLOCK_SKEW = timedelta(minutes=5)

_ROLE_NAME_MAX = 64
_TAG_VALUE_MAX = 256
_NOT_IN_TAG_VALUE = re.compile(r"[^\w .:/=+\-@]")
_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
_EXPIRY_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Exactly what new_role_name makes: the prefix, the UTC time to the second, 48 random bits in hex.
_SANDBOX_NAME = re.compile(r"iam-tester-\d{8}T\d{6}Z-[0-9a-f]{12}")


def new_role_name(now: datetime | None = None) -> str:
    """``iam-tester-<UTC time>-<random>``: sortable by age, and unique even for runs started in the
    same second (48 random bits), which the seed's timestamp-only names were not."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return f"{NAME_PREFIX}{moment:{_TIME_FORMAT}}-{secrets.token_hex(6)}"


def is_sandbox_name(name: str) -> bool:
    """True for a name :func:`new_role_name` could have made, and nothing else."""
    return _SANDBOX_NAME.fullmatch(name) is not None


def session_name(role_name: str) -> str:
    """The RoleSessionName: the role's own name, so CloudTrail ties every call to the sandbox."""
    return role_name[:_ROLE_NAME_MAX]


def grant_policy_name(role_name: str) -> str:
    """The name of the opt-in "may assume" inline policy put on the admin role for one sandbox."""
    return f"{role_name}{GRANT_SUFFIX}"


def boundary_policy_name(role_name: str) -> str:
    """The name of the temporary managed policy that serves as one sandbox's permissions boundary."""
    return f"{role_name}{BOUNDARY_SUFFIX}"


def sandbox_of(name: str, suffix: str) -> str | None:
    """The sandbox role a grant or boundary policy named ``name`` belongs to, if the name is exactly ours."""
    if not name.endswith(suffix):
        return None
    role = name[: -len(suffix)]
    return role if is_sandbox_name(role) else None


def tag_value(text: str) -> str:
    """``text`` made acceptable as an IAM tag value (a user name may hold a comma; a value may not)."""
    return _NOT_IN_TAG_VALUE.sub("_", text)[:_TAG_VALUE_MAX]


def expires_at(created_at: datetime, *, readiness_timeout: float, duration_seconds: int) -> datetime:
    """The latest moment a sandbox's credentials can be valid: they are issued at most
    ``readiness_timeout`` after the role is created and last ``duration_seconds``; plus :data:`CLOCK_SKEW`.
    Until then, ``sweep`` treats the sandbox as in use."""
    lifetime = timedelta(seconds=readiness_timeout + duration_seconds) + CLOCK_SKEW
    return created_at.astimezone(timezone.utc).replace(microsecond=0) + lifetime + timedelta(seconds=1)


def parse_expiry(value: str | None) -> datetime | None:
    """The ``iam-tester:expires-at`` tag's time, or None if it is missing or not ours."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, _EXPIRY_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def tags(*, created_by: str, expires: datetime, grant_on: str | None = None) -> list[TagTypeDef]:
    """The tags every sandbox role and temporary policy carries: who made it, when it stops being in
    use, and (for a role with the opt-in grant) which admin role holds the grant."""
    result: list[TagTypeDef] = [
        {"Key": TAG_CREATED_BY, "Value": tag_value(created_by)},
        {"Key": TAG_EXPIRES_AT, "Value": expires.astimezone(timezone.utc).strftime(_EXPIRY_FORMAT)},
    ]
    if grant_on is not None:
        result.append({"Key": TAG_GRANT_ON, "Value": tag_value(grant_on)})
    return result


def tags_of(tags: Sequence[Mapping[str, object]]) -> dict[str, str]:
    """IAM's ``[{"Key": k, "Value": v}]`` list as a dict."""
    return {str(tag["Key"]): str(tag["Value"]) for tag in tags}


def is_sandbox_role(*, path: str, name: str, tags: Mapping[str, str]) -> bool:
    """True only for a role this tool made: under our path, named exactly by our pattern, with our tag.

    All three must hold, so a role someone else happened to put under ``/iam-tester/`` (or tag with
    our key, or name with our prefix) is never touched.
    """
    return path == ROLE_PATH and is_sandbox_name(name) and TAG_CREATED_BY in tags
