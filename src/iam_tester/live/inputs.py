"""Everything the sandbox is asked to do, checked before any AWS call writes anything.

One place checks the input (:func:`check_request`): the policy with ``validate`` (the grammar names the
file, JSON path and line; the IAM catalog's warnings are kept for the caller to show), the ARNs, the
duration. Bad input raises :class:`~iam_tester.errors.PolicyError`
or :class:`~iam_tester.errors.InvalidArgumentError` (CLI exit 2) and nothing is created.
"""

from __future__ import annotations

import os
import re
import reprlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgumentError, Location, PolicyError
from ..policy import (
    Finding,
    PolicyDocument,
    PolicyKind,
    ValidationReport,
    compact_json,
    validate_policy,
    validate_policy_text,
)
from ..policy.textfile import path_name
from .readiness import ReadinessSettings

__all__ = [
    "ARGUMENT_TYPES",
    "MAX_CHAINED_DURATION",
    "MAX_DURATION",
    "MIN_DURATION",
    "SESSION_POLICY_MAX_CHARS",
    "SandboxRequest",
    "check_argument_types",
    "check_duration_for_chaining",
    "check_request",
]

# STS AssumeRole, DurationSeconds: 900 s up to the role's MaxSessionDuration (at most 12 h); at most
# one hour when role chaining (IAM User Guide, "Roles terms and concepts", "Role chaining").
MIN_DURATION = 900
MAX_DURATION = 43_200
MAX_CHAINED_DURATION = 3_600
# STS AssumeRole, Policy: "The plaintext that you use for both inline and managed session policies
# can't exceed 2,048 characters", characters U+0020 to U+00FF (plus tab, line feed, carriage return).
SESSION_POLICY_MAX_CHARS = 2_048
_SESSION_POLICY_CHARS = re.compile(r"[\t\n\r\u0020-\u00ff]*\Z")
# AssumeRole, PolicyArns: at most 10 managed session policies.
_MAX_SESSION_POLICY_ARNS = 10

_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/(?:[\x21-\x7e]*/)?[\w+=,.@-]{1,64}\Z")
_POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(?:\d{12}|aws):policy/(?:[\x21-\x7e]*/)?[\w+=,.@-]{1,128}\Z")


def _is_session(value: object) -> bool:
    import boto3  # only once a sandbox is asked for: ``import iam_tester`` does not load boto3

    return isinstance(value, boto3.Session)


def _optional(check: Callable[[object], bool]) -> Callable[[object], bool]:
    return lambda value: value is None or check(value)


def _is_document(value: object) -> bool:
    return isinstance(value, (Mapping, str))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_source(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def _is_arn_list(value: object) -> bool:
    # One string is a sequence of characters: refused, it is always a forgotten list.
    return (
        isinstance(value, Sequence)
        and not isinstance(value, (str, bytes))
        and all(isinstance(arn, str) for arn in value)
    )


# The type of each keyword argument of ``temporary_iam_credentials``, as a test and as words for the error.
# Python checks no annotation at run time: without this, ``session="abc"`` fails deep inside with an
# AttributeError, and ``session_policy="yes"`` is taken as true.
ARGUMENT_TYPES: dict[str, tuple[Callable[[object], bool], str]] = {
    "policy_document": (_is_document, "a dict or JSON text"),
    "admin_role_arn": (_optional(lambda v: isinstance(v, str)), "a role ARN (a str) or None"),
    "session": (_optional(_is_session), "a boto3.Session or None"),
    "managed_policy_arns": (_is_arn_list, "a list of policy ARNs (str)"),
    "permissions_boundary_arn": (_optional(lambda v: isinstance(v, str)), "a policy ARN (a str) or None"),
    "permissions_boundary_document": (_optional(_is_document), "a dict or JSON text, or None"),
    "duration_seconds": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an int (seconds)"),
    "session_policy": (lambda v: isinstance(v, bool), "True or False"),
    "grant_admin_role": (lambda v: isinstance(v, bool), "True or False"),
    "readiness_timeout": (_optional(_is_number), "a number of seconds or None"),
    "readiness": (_optional(lambda v: isinstance(v, ReadinessSettings)), "a ReadinessSettings or None"),
    "progress": (_optional(callable), "a callable taking a Progress, or None"),
    "policy_source": (_is_source, "a str or a path (how errors name the policy)"),
    "boundary_source": (_is_source, "a str or a path (how errors name the boundary)"),
    "session_policy_document": (_optional(_is_document), "a dict or JSON text, or None"),
    "cancel": (_optional(lambda v: isinstance(v, threading.Event)), "a threading.Event or None"),
}


def check_argument_types(arguments: Mapping[str, object]) -> None:
    """Refuse an argument of the wrong type, naming it, what it got and what it takes."""
    for name, value in arguments.items():
        check, takes = ARGUMENT_TYPES[name]
        if not check(value):
            raise InvalidArgumentError(f"{name} must be {takes}, not {type(value).__name__} {reprlib.repr(value)}")


@dataclass(frozen=True)
class SandboxRequest:
    """A checked request: what :func:`~iam_tester.live.temporary_iam_credentials` will do."""

    policy: PolicyDocument
    policy_json: str  # the document as sent to AWS: compact JSON
    admin_role_arn: str | None
    managed_policy_arns: tuple[str, ...]
    permissions_boundary_arn: str | None
    duration_seconds: int
    session_policy: bool
    grant_admin_role: bool
    readiness: ReadinessSettings
    warnings: tuple[Finding, ...] = ()  # what validation found suspicious (a typo'd action, say)
    boundary_json: str | None = None  # a boundary document, to be made a temporary managed policy
    session_json: str | None = None  # role mode: a session policy for the sandbox's own AssumeRole


def check_request(
    *,
    policy_document: Mapping[str, Any] | str,
    policy_source: str | os.PathLike[str] = "policy_document",
    admin_role_arn: str | None = None,
    managed_policy_arns: Sequence[str] = (),
    permissions_boundary_arn: str | None = None,
    duration_seconds: int = MIN_DURATION,
    session_policy: bool = False,
    grant_admin_role: bool = False,
    readiness: ReadinessSettings | None = None,
    permissions_boundary_document: Mapping[str, Any] | str | None = None,
    boundary_source: str | os.PathLike[str] = "permissions_boundary_document",
    session_policy_document: Mapping[str, Any] | str | None = None,
    session_source: str | os.PathLike[str] = "session_policy_document",
) -> SandboxRequest:
    """Check every argument; ``policy_source`` (``boundary_source``, ``session_source``) names the policy (the
    boundary, the session policy) in errors; a path (the CLI's) says the text was read from that file."""
    kind = PolicyKind.SESSION if session_policy else PolicyKind.IDENTITY
    report = _validate(policy_document, "policy_document", kind, policy_source)
    policy = report.raise_for_errors()
    policy_json = compact_json(policy.raw)
    if session_policy:
        _check_session_policy_text(policy_json, path_name(policy_source))
    warnings = report.warnings
    boundary_json: str | None = None
    if permissions_boundary_document is not None:
        if permissions_boundary_arn is not None:
            raise InvalidArgumentError(
                "both permissions_boundary_arn and permissions_boundary_document were given; a role has one boundary"
            )
        boundary = _validate(
            permissions_boundary_document, "permissions_boundary_document", PolicyKind.BOUNDARY, boundary_source
        )
        boundary_json = compact_json(boundary.raise_for_errors().raw)
        warnings += boundary.warnings
    session_json: str | None = None
    if session_policy_document is not None:
        if session_policy:
            raise InvalidArgumentError(
                "session_policy_document was given in session-policy mode, where policy_document is the session policy"
            )
        narrowing = _validate(session_policy_document, "session_policy_document", PolicyKind.SESSION, session_source)
        session_json = compact_json(narrowing.raise_for_errors().raw)
        _check_session_policy_text(session_json, path_name(session_source))
        warnings += narrowing.warnings

    if admin_role_arn is not None:
        _check_arn(admin_role_arn, _ROLE_ARN, "admin_role_arn", "arn:aws:iam::111122223333:role/path/name")
    if isinstance(managed_policy_arns, str):
        raise InvalidArgumentError("managed_policy_arns must be a list of ARNs, not one string")
    arns = tuple(managed_policy_arns)
    for arn in arns:
        _check_arn(arn, _POLICY_ARN, "managed policy ARN", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    if permissions_boundary_arn is not None:
        _check_arn(
            permissions_boundary_arn, _POLICY_ARN, "permissions_boundary_arn", "arn:aws:iam::111122223333:policy/name"
        )

    _check_mode(
        session_policy=session_policy,
        admin_role_arn=admin_role_arn,
        permissions_boundary_arn=permissions_boundary_arn or boundary_json,
        grant_admin_role=grant_admin_role,
        managed_policy_count=len(arns),
    )
    _check_duration(duration_seconds)
    # caller -> admin role -> sandbox role is role chaining: the admin role's session assumes the sandbox
    # role, and AWS caps that session at one hour (STS API Reference, AssumeRole, DurationSeconds: "Role
    # chaining limits your ... AWS API role session to a maximum of one hour"). Session-policy mode is one
    # hop, caller -> admin role: a chain only when the caller is itself a role session, which
    # temporary_iam_credentials checks once STS has said who the caller is.
    if admin_role_arn is not None and not session_policy:
        check_duration_for_chaining(duration_seconds, reason="the sandbox role is assumed from the admin role")

    settings = readiness or ReadinessSettings()
    return SandboxRequest(
        policy=policy,
        policy_json=policy_json,
        admin_role_arn=admin_role_arn,
        managed_policy_arns=arns,
        permissions_boundary_arn=permissions_boundary_arn,
        duration_seconds=duration_seconds,
        session_policy=session_policy,
        grant_admin_role=grant_admin_role,
        readiness=settings,
        warnings=warnings,
        boundary_json=boundary_json,
        session_json=session_json,
    )


def _validate(document: object, argument: str, kind: PolicyKind, source: str | os.PathLike[str]) -> ValidationReport:
    if not isinstance(document, (Mapping, str)):
        raise InvalidArgumentError(f"{argument} must be a dict or JSON text, not {type(document).__name__}")
    # JSON text is always text here (the API promises "a dict or JSON text"), never a path.
    if isinstance(document, str):
        path = source if isinstance(source, os.PathLike) else None
        return validate_policy_text(document, kind=kind, name=path_name(source), path=path)
    return validate_policy(document, kind=kind, name=path_name(source))


def check_duration_for_chaining(duration_seconds: int, *, reason: str) -> None:
    """Role chaining caps a session at one hour; AWS would refuse AssumeRole after the role exists."""
    if duration_seconds > MAX_CHAINED_DURATION:
        raise InvalidArgumentError(
            f"duration {duration_seconds} s is longer than the {MAX_CHAINED_DURATION} s AWS allows for role "
            f"chaining ({reason})",
            hint="ask for at most 1h (--duration 1h)",
        )


def _check_mode(
    *,
    session_policy: bool,
    admin_role_arn: str | None,
    permissions_boundary_arn: str | None,
    grant_admin_role: bool,
    managed_policy_count: int,
) -> None:
    """The options that only make sense in one mode."""
    if session_policy:
        if admin_role_arn is None:
            raise InvalidArgumentError(
                "session-policy mode assumes an existing role, and no admin_role_arn was given",
                hint="pass the role to narrow (--admin-role-arn), or drop --session-policy to create a new role",
            )
        if permissions_boundary_arn is not None:
            raise InvalidArgumentError(
                "a permissions boundary needs a new role; session-policy mode creates none",
                hint="drop --session-policy, or drop the boundary",
            )
        if grant_admin_role:
            raise InvalidArgumentError("--grant-admin-role has no use in session-policy mode: no role is created")
        if managed_policy_count > _MAX_SESSION_POLICY_ARNS:
            raise InvalidArgumentError(
                f"{managed_policy_count} managed policy ARNs given; AssumeRole takes at most {_MAX_SESSION_POLICY_ARNS}"
            )
    if grant_admin_role and admin_role_arn is None:
        raise InvalidArgumentError(
            "--grant-admin-role edits the admin role, and no admin_role_arn was given",
            hint="the caller's own user or role is never edited; pass --admin-role-arn",
        )


def _check_duration(duration_seconds: int) -> None:
    if isinstance(duration_seconds, bool) or not isinstance(duration_seconds, int):
        raise InvalidArgumentError(f"duration_seconds must be an integer, not {duration_seconds!r}")
    if not MIN_DURATION <= duration_seconds <= MAX_DURATION:
        raise InvalidArgumentError(
            f"duration {duration_seconds} s is out of range: AWS allows {MIN_DURATION} s (15m) to "
            f"{MAX_DURATION} s (12h)",
        )


def _check_arn(arn: str, pattern: re.Pattern[str], what: str, example: str) -> None:
    if not isinstance(arn, str) or not pattern.match(arn):
        raise InvalidArgumentError(f"{what} {arn!r} is not a well-formed ARN", hint=f"expected e.g. {example}")


def _check_session_policy_text(policy_json: str, source: str) -> None:
    if len(policy_json) > SESSION_POLICY_MAX_CHARS:
        raise PolicyError(
            f"the session policy is {len(policy_json):,} characters as sent (compact JSON); AssumeRole takes at "
            f"most {SESSION_POLICY_MAX_CHARS:,}",
            location=Location(source),
            code="session-policy-too-large",
            hint="shorten it (wildcards, fewer statements), or drop --session-policy: a role's inline policy "
            "may have 10,240",
        )
    if not _SESSION_POLICY_CHARS.match(policy_json):
        raise PolicyError(
            "the session policy has characters outside U+0020..U+00FF, which AssumeRole rejects",
            location=Location(source),
            code="session-policy-characters",
        )
