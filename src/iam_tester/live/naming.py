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
    "DESCRIPTION",
    "INLINE_POLICY_NAME",
    "MAX_SESSION_DURATION",
    "NAME_PREFIX",
    "ROLE_PATH",
    "TAG_CREATED_BY",
    "TAG_EXPIRES_AT",
    "grant_policy_name",
    "is_sandbox_role",
    "new_role_name",
    "role_tags",
    "session_name",
    "tag_value",
    "tags_of",
]

NAME_PREFIX = "iam-tester-"
ROLE_PATH = "/iam-tester/"
TAG_CREATED_BY = "iam-tester:created-by"
TAG_EXPIRES_AT = "iam-tester:expires-at"
INLINE_POLICY_NAME = "iam-tester-policy"
DESCRIPTION = "Temporary role made by iam-tester to try a policy; deleted on exit (else `iam-tester sweep`)."
# The IAM default and minimum. A longer ``duration_seconds`` raises it for that one role.
MAX_SESSION_DURATION = 3600

_ROLE_NAME_MAX = 64
_TAG_VALUE_MAX = 256
_NOT_IN_TAG_VALUE = re.compile(r"[^\w .:/=+\-@]")


def new_role_name(now: datetime | None = None, token: str | None = None) -> str:
    """``iam-tester-<UTC time>-<random>``: sortable by age, and unique even for runs started in the
    same second (48 random bits), which the seed's timestamp-only names were not."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    name = f"{NAME_PREFIX}{moment:%Y%m%dT%H%M%SZ}-{token or secrets.token_hex(6)}"
    if len(name) > _ROLE_NAME_MAX:  # only a caller-supplied token can do this
        raise ValueError(f"role name {name!r} is longer than {_ROLE_NAME_MAX} characters")
    return name


def session_name(role_name: str) -> str:
    """The RoleSessionName: the role's own name, so CloudTrail ties every call to the sandbox."""
    return role_name[:64]


def grant_policy_name(role_name: str) -> str:
    """The name of the opt-in "may assume" inline policy put on the admin role for one sandbox."""
    return f"{role_name}-may-assume"[:128]


def tag_value(text: str) -> str:
    """``text`` made acceptable as an IAM tag value (a user name may hold a comma; a value may not)."""
    return _NOT_IN_TAG_VALUE.sub("_", text)[:_TAG_VALUE_MAX]


def role_tags(*, created_by: str, created_at: datetime, duration_seconds: int) -> list[TagTypeDef]:
    """The tags every sandbox role carries: who made it, and when its credentials expire."""
    expires = created_at.astimezone(timezone.utc) + timedelta(seconds=duration_seconds)
    return [
        {"Key": TAG_CREATED_BY, "Value": tag_value(created_by)},
        {"Key": TAG_EXPIRES_AT, "Value": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
    ]


def tags_of(tags: Sequence[Mapping[str, object]]) -> dict[str, str]:
    """IAM's ``[{"Key": k, "Value": v}]`` list as a dict."""
    return {str(tag["Key"]): str(tag["Value"]) for tag in tags}


def is_sandbox_role(*, path: str, name: str, tags: Mapping[str, str]) -> bool:
    """True only for a role this tool made: under our path, named by our pattern, with our tag.

    All three must hold, so a role someone else happened to put under ``/iam-tester/`` (or tag with
    our key) is never touched.
    """
    return path == ROLE_PATH and name.startswith(NAME_PREFIX) and TAG_CREATED_BY in tags
