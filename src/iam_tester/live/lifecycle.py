"""Creating the sandbox role and undoing exactly that.

Each create registers its undo on an :class:`UndoStack` (an ``ExitStack``) the moment it succeeds, so a
failure at any step — or an exception, ``KeyboardInterrupt`` or ``SystemExit`` in the ``with`` body — undoes
exactly what exists, in reverse order. Only things this run created are ever deleted: the role has a
fresh random name, and the inline policies, attachments and grant are the ones this run put there.
DeleteRole fails while inline policies or attachments remain (IAM API Reference, DeleteRole), hence the
order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..errors import AwsCallError, CleanupError
from ..policy import VERSION_2012, compact_json
from .clients import CLEANUP_RETRY_CODES, call
from .naming import (
    DESCRIPTION,
    INLINE_POLICY_NAME,
    MAX_SESSION_DURATION,
    ROLE_PATH,
    grant_policy_name,
    role_tags,
    tags_of,
)
from .trust import TrustPolicy

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

__all__ = ["RoleSpec", "UndoStack", "attach_cleanup_failure", "build_role"]

_log = logging.getLogger("iam_tester.live")


@dataclass(frozen=True)
class _Undo:
    description: str  # "delete role NAME"
    leaves: str  # what stays behind if this step fails (an ARN, or a role's inline policy)
    manual: str  # the AWS CLI command that removes it by hand
    action: Callable[[], object]


class UndoStack:
    """An ``ExitStack`` of undo steps that runs every step, collects failures and reports them once.

    On exit: if a step fails the others still run. With no exception from the body, failures raise
    :class:`CleanupError` listing exactly what is left. With an exception from the body, that exception
    propagates unchanged and the cleanup failure is attached to it (see :func:`attach_cleanup_failure`).
    An interrupt (``KeyboardInterrupt``, ``SystemExit``) during cleanup does not stop the remaining steps.
    """

    def __init__(self, report: Callable[[str, str], None]) -> None:
        self._stack = ExitStack()
        self._report = report
        self._failures: list[tuple[_Undo, BaseException]] = []
        self._interrupt: BaseException | None = None

    def push(self, description: str, *, leaves: str, manual: str, action: Callable[[], object]) -> None:
        """Register the undo of something just created; steps run last-registered first."""
        self._stack.callback(self._run, _Undo(description, leaves, manual, action))

    def _run(self, undo: _Undo) -> None:
        self._report("cleanup", undo.description)
        try:
            undo.action()
        except AwsCallError as exc:
            if exc.code == "NoSuchEntity":  # already gone (removed by hand or by sweep): nothing left
                return
            self._failures.append((undo, exc))
        except Exception as exc:  # every failure is reported in the CleanupError
            self._failures.append((undo, exc))
        except BaseException as exc:  # an interrupt during cleanup: finish cleaning up, then re-raise
            self._failures.append((undo, exc))
            self._interrupt = self._interrupt or exc

    def __enter__(self) -> UndoStack:
        self._stack.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stack.__exit__(None, None, None)  # the steps never raise: _run records failures
        error = self._cleanup_error()
        interrupt = self._interrupt
        if exc is not None:
            if error is not None:
                attach_cleanup_failure(exc, error)
            return  # the body's exception propagates, unchanged
        if interrupt is not None:
            if error is not None:
                attach_cleanup_failure(interrupt, error)
            raise interrupt
        if error is not None:
            raise error

    def _cleanup_error(self) -> CleanupError | None:
        if not self._failures:
            return None
        left: list[str] = []
        manual: list[str] = []
        for undo, _ in self._failures:
            if undo.leaves not in left:
                left.append(undo.leaves)
            manual.append(undo.manual)
        reasons = "; ".join(f"{undo.description}: {_reason(exc)}" for undo, exc in self._failures)
        listed = "\n".join(f"  {item}" for item in left)
        hint = "remove what is left now with:\n    " + "\n    ".join(manual)
        if any(f":role{ROLE_PATH}" in item for item in left):
            hint += "\n  or, for the sandbox role, later with `iam-tester sweep` (it removes them after an hour)"
        message = f"AWS refused part of the cleanup ({reasons}); left behind:\n{listed}"
        return CleanupError(message, left_behind=left, hint=hint)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, AwsCallError):
        return exc.code
    return type(exc).__name__


def attach_cleanup_failure(exc: BaseException, error: CleanupError) -> None:
    """Attach a cleanup failure to an exception that is already propagating, without replacing it.

    On Python 3.11+ this is a note (``add_note``: shown in tracebacks); on 3.10 the same list is set
    as ``__notes__`` for the CLI to print. Either way it is also logged at ERROR on ``iam_tester.live``,
    and ``exc.cleanup_error`` holds the :class:`CleanupError` itself.
    """
    note = f"cleanup also failed: {error}"
    add_note = getattr(exc, "add_note", None)
    if callable(add_note):
        add_note(note)
    else:  # Python 3.10
        notes = list(getattr(exc, "__notes__", []))
        notes.append(note)
        exc.__notes__ = notes  # type: ignore[attr-defined]
    exc.cleanup_error = error  # type: ignore[attr-defined]
    _log.error("%s", note)


@dataclass(frozen=True)
class RoleSpec:
    """What to create: the role, its trust, its policies, and the optional grant on the admin role."""

    name: str
    trust: TrustPolicy
    policy_json: str
    created_by: str
    created_at: datetime
    duration_seconds: int
    managed_policy_arns: Sequence[str] = ()
    permissions_boundary_arn: str | None = None
    grant_to_role_name: str | None = None  # the admin role to give the seed's "may assume" policy


def build_role(
    iam: Callable[[], IAMClient], spec: RoleSpec, undo: UndoStack, report: Callable[[str, str], None]
) -> str:
    """Create the role, its inline policy, attachments and grant, registering each undo; return the role ARN.

    ``iam`` returns the client to use *at the time of the call*: undo steps run at the end of the ``with``
    body, when an assumed admin role's credentials may have been renewed.
    """
    report("create", f"creating role {ROLE_PATH}{spec.name}")
    role_arn = _create_role(iam, spec)
    undo.push(
        f"deleting role {spec.name}",
        leaves=role_arn,
        manual=f"aws iam delete-role --role-name {spec.name}",
        action=lambda: call(iam().delete_role, retry_codes=CLEANUP_RETRY_CODES, RoleName=spec.name),
    )

    call(iam().put_role_policy, RoleName=spec.name, PolicyName=INLINE_POLICY_NAME, PolicyDocument=spec.policy_json)
    undo.push(
        f"deleting inline policy {INLINE_POLICY_NAME} of {spec.name}",
        leaves=role_arn,
        manual=f"aws iam delete-role-policy --role-name {spec.name} --policy-name {INLINE_POLICY_NAME}",
        action=lambda: call(
            iam().delete_role_policy, retry_codes=CLEANUP_RETRY_CODES, RoleName=spec.name, PolicyName=INLINE_POLICY_NAME
        ),
    )

    for arn in spec.managed_policy_arns:
        call(iam().attach_role_policy, RoleName=spec.name, PolicyArn=arn)
        undo.push(
            f"detaching {arn} from {spec.name}",
            leaves=role_arn,
            manual=f"aws iam detach-role-policy --role-name {spec.name} --policy-arn {arn}",
            action=_detach(iam, spec.name, arn),
        )

    if spec.grant_to_role_name is not None:
        _grant(iam, spec, admin=spec.grant_to_role_name, role_arn=role_arn, undo=undo, report=report)
    return role_arn


def _detach(iam: Callable[[], IAMClient], role_name: str, arn: str) -> Callable[[], object]:
    return lambda: call(iam().detach_role_policy, retry_codes=CLEANUP_RETRY_CODES, RoleName=role_name, PolicyArn=arn)


def _create_role(iam: Callable[[], IAMClient], spec: RoleSpec) -> str:
    tags = role_tags(created_by=spec.created_by, created_at=spec.created_at, duration_seconds=spec.duration_seconds)
    params: dict[str, Any] = {
        "RoleName": spec.name,
        "Path": ROLE_PATH,
        "AssumeRolePolicyDocument": spec.trust.to_json(),
        "Description": DESCRIPTION,
        # AssumeRole's DurationSeconds may not exceed the role's MaxSessionDuration.
        "MaxSessionDuration": max(MAX_SESSION_DURATION, spec.duration_seconds),
        "Tags": tags,
    }
    if spec.permissions_boundary_arn is not None:
        params["PermissionsBoundary"] = spec.permissions_boundary_arn
    try:
        return call(iam().create_role, **params)["Role"]["Arn"]
    except AwsCallError as exc:
        # A retried CreateRole whose first attempt did reach IAM answers EntityAlreadyExists. The
        # name is fresh and random, so the role is ours if it carries exactly our tags: adopt it
        # (so it gets cleaned up). Anything else is not ours and is never touched.
        if exc.code != "EntityAlreadyExists":
            raise
        existing = call(iam().get_role, RoleName=spec.name)["Role"]
        existing_tags = tags_of(call(iam().list_role_tags, RoleName=spec.name)["Tags"])
        if existing.get("Path") == ROLE_PATH and existing_tags == tags_of(tags):
            return existing["Arn"]
        exc.hint = f"a role named {spec.name} exists and was not made by this run; it was left alone"
        raise


def _grant(
    iam: Callable[[], IAMClient],
    spec: RoleSpec,
    *,
    admin: str,
    role_arn: str,
    undo: UndoStack,
    report: Callable[[str, str], None],
) -> None:
    """The seed's symmetric grant, opt-in: an inline policy on the admin role allowing it to assume the sandbox role."""
    name = grant_policy_name(spec.name)
    document = {
        "Version": VERSION_2012,
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}],
    }
    report("create", f"granting role {admin} sts:AssumeRole on {spec.name} (--grant-admin-role)")
    call(iam().put_role_policy, RoleName=admin, PolicyName=name, PolicyDocument=compact_json(document))
    undo.push(
        f"removing the grant {name} from role {admin}",
        leaves=f"{spec.trust.principal_arn} (inline policy {name})",
        manual=f"aws iam delete-role-policy --role-name {admin} --policy-name {name}",
        action=lambda: call(iam().delete_role_policy, retry_codes=CLEANUP_RETRY_CODES, RoleName=admin, PolicyName=name),
    )
