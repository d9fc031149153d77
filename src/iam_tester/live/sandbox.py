"""``temporary_iam_credentials``: scoped, temporary credentials for a policy document, always cleaned up.

Role mode (the default) creates a role under ``/iam-tester/`` whose trust policy names exactly the caller
(or the admin role), puts the policy on it inline, waits until the role is assumable and its credentials
work, yields them, and deletes everything on exit. Session-policy mode assumes an existing role with the
policy as a session policy instead (no IAM writes). See docs/sandbox.md for what each does to an account.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..embedded import LIMITS, is_embedded_endpoint
from ..errors import AwsCallError, CancelledError
from .clients import SANDBOX_CONFIG, Actor, call, configured_endpoint_url, new_client, session_or_default
from .credentials import SandboxCredentials
from .identity import CallerIdentity, identify, parse_principal_arn
from .inputs import SandboxRequest, check_argument_types, check_duration_for_chaining, check_request
from .lifecycle import RoleSpec, build_role
from .naming import expires_at, new_role_name, session_name
from .progress import ProgressCallback, Reporter
from .readiness import ReadinessSettings, wait_until_assumable
from .session_policy import assume_with_session_policy
from .teardown import Teardown
from .trust import TrustPolicy

if TYPE_CHECKING:
    import boto3

__all__ = ["temporary_iam_credentials"]

# The admin role only makes the setup and cleanup calls; Actor renews it when it nears expiry.
_ADMIN_SESSION_SECONDS = 3600


@contextmanager
def temporary_iam_credentials(
    *,
    policy_document: Mapping[str, Any] | str,
    admin_role_arn: str | None = None,
    session: boto3.Session | None = None,
    managed_policy_arns: Sequence[str] = (),
    permissions_boundary_arn: str | None = None,
    permissions_boundary_document: Mapping[str, Any] | str | None = None,
    duration_seconds: int = 900,
    session_policy: bool = False,
    grant_admin_role: bool = False,
    readiness_timeout: float | None = None,
    readiness: ReadinessSettings | None = None,
    progress: ProgressCallback | None = None,
    policy_source: str | os.PathLike[str] = "policy_document",
    boundary_source: str | os.PathLike[str] = "permissions_boundary_document",
    session_policy_document: Mapping[str, Any] | str | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[SandboxCredentials]:
    """Temporary credentials whose permissions are ``policy_document`` (a dict or JSON text).

    Yields a read-only mapping with ``AccessKeyId``, ``SecretAccessKey``, ``SessionToken`` and
    ``Expiration``, as the original ``iam_tester`` did. Every AWS call goes through clients of
    ``session`` (default ``boto3.Session()``).

    :param admin_role_arn: first assume this role and act as it (the seed's behaviour); the sandbox
        role then trusts the admin role. Without it, the caller itself is trusted and acts.
    :param managed_policy_arns: managed policies to attach as well (session policies in session mode).
    :param permissions_boundary_arn: a permissions boundary for the new role.
    :param permissions_boundary_document: a boundary given as a document (a dict or JSON text) instead: it
        becomes a temporary managed policy under ``/iam-tester/``, deleted after the role.
    :param session_policy_document: in role mode, a session policy (a dict or JSON text) for the sandbox's
        own AssumeRole of the new role: the credentials get the intersection of the role's policies and it.
    :param cancel: an event another thread may set to give up the setup: checked before every setup call
        and during the readiness wait; what exists is removed and :class:`~iam_tester.errors.CancelledError`
        is raised (for running sandboxes in worker threads, where Ctrl-C does not arrive).
    :param duration_seconds: lifetime of the credentials, 900-43,200 (at most 3,600 when role chaining).
    :param session_policy: assume ``admin_role_arn`` with the policy as a session policy instead of
        creating a role: no IAM writes, but it can only narrow the admin role's permissions.
    :param grant_admin_role: also put the seed's inline "may assume the sandbox role" policy on the
        admin role (removed on exit). Off by default: same-account trust is enough.
    :param readiness_timeout: seconds to wait for the new role to work (default 120, at most 900); it
        bounds every AWS call made while waiting too.
    :param progress: called with each :class:`~iam_tester.live.progress.Progress` step; if it raises, it
        is logged and not called again (progress never changes what the sandbox does).
    :param policy_source: how errors name the policy; the CLI passes the path of the file it read the text
        from, so that the hint of a :class:`~iam_tester.errors.PolicyError` can suggest ``iam-tester validate``
        on it. ``boundary_source`` likewise for the boundary document.
    :raises PolicyError, InvalidArgumentError: bad input; nothing was created.
    :raises AwsCallError, ReadinessTimeoutError, SandboxError: setup failed; what was created is removed.
    :raises CleanupError: the ``with`` body succeeded but part of the cleanup failed; it names what is left.

    Cleanup runs however the block ends — an exception, ``KeyboardInterrupt``, ``SystemExit`` — and cannot
    be cut short: SIGINT, SIGTERM and SIGHUP arriving during it are held back and raised again after it
    (main thread only; see docs/sandbox.md, "Interrupts and signals").
    """
    check_argument_types(locals())  # here, locals() is exactly the arguments
    settings = readiness if readiness is not None else ReadinessSettings()
    if readiness_timeout is not None:
        settings = replace(settings, timeout=float(readiness_timeout))
    request = check_request(
        policy_document=policy_document,
        policy_source=policy_source,
        admin_role_arn=admin_role_arn,
        managed_policy_arns=managed_policy_arns,
        permissions_boundary_arn=permissions_boundary_arn,
        duration_seconds=duration_seconds,
        session_policy=session_policy,
        grant_admin_role=grant_admin_role,
        readiness=settings,
        permissions_boundary_document=permissions_boundary_document,
        boundary_source=boundary_source,
        session_policy_document=session_policy_document,
    )
    session = session_or_default(session)
    report = Reporter(progress)
    for finding in request.warnings:
        report("warning", str(finding))
    if is_embedded_endpoint(configured_endpoint_url(session)):
        report("notice", LIMITS)
    stop = Cancel(cancel)
    caller_actor = Actor(session)
    stop.check()
    report("identify", "asking STS who the caller is")
    caller = identify(caller_actor)
    if caller.is_role_session:
        check_duration_for_chaining(
            request.duration_seconds, reason=f"the caller {caller.arn} is itself a role session"
        )
    if request.session_policy:
        stop.check()
        yield assume_with_session_policy(caller_actor, request, session=session, report=report)
        return
    with _role_mode(session, request, caller, caller_actor, report=report, stop=stop) as credentials:
        yield credentials


@contextmanager
def _role_mode(
    session: boto3.Session,
    request: SandboxRequest,
    caller: CallerIdentity,
    caller_actor: Actor,
    *,
    report: Reporter,
    stop: Cancel,
) -> Iterator[SandboxCredentials]:
    if request.admin_role_arn is not None:
        actor, trusted = _act_as_admin(session, caller_actor, request.admin_role_arn, report)
    else:
        actor, trusted = caller_actor, _trust_for(caller)
    partition, _, account, _ = parse_principal_arn(trusted.principal_arn)
    created_at = datetime.now(timezone.utc)
    name = new_role_name(created_at)
    spec = RoleSpec(
        name=name,
        account=account,
        partition=partition,
        trust=trusted,
        policy_json=request.policy_json,
        created_by=caller.arn,
        created_at=created_at,
        expires=expires_at(
            created_at, readiness_timeout=request.readiness.timeout, duration_seconds=request.duration_seconds
        ),
        duration_seconds=request.duration_seconds,
        managed_policy_arns=request.managed_policy_arns,
        permissions_boundary_arn=request.permissions_boundary_arn,
        boundary_policy_json=request.boundary_json,
        grant_to_role_arn=trusted.principal_arn if request.grant_admin_role else None,
    )
    with Teardown(actor.iam, report, before_create=stop.check) as teardown:
        role_arn = build_role(actor.iam, spec, teardown, report)
        report("wait", f"waiting for IAM to make {name} assumable")
        # A session policy given for role mode narrows the sandbox's own session of the new role.
        narrowing: dict[str, Any] = {} if request.session_json is None else {"Policy": request.session_json}

        def assume() -> Mapping[str, Any]:
            stop.check()
            return call(
                actor.sts().assume_role,
                RoleArn=role_arn,
                RoleSessionName=session_name(name),
                DurationSeconds=request.duration_seconds,
                **narrowing,
            )

        def probe(credentials: Mapping[str, Any]) -> Any:
            sts = new_client(session, "sts", credentials, config=SANDBOX_CONFIG)

            def check() -> Any:
                stop.check()
                return call(sts.get_caller_identity)

            return check

        reply = wait_until_assumable(
            role_arn=role_arn,
            assume=assume,
            probe=probe,
            settings=request.readiness,
            report=report,
            sleep=stop.sleep,
            poll=stop.check,
        )
        stop.check()
        credentials = SandboxCredentials.from_sts(reply["Credentials"], role_arn=role_arn, mode="role", session=session)
        yield credentials
    report("done", f"deleted {name}")


class Cancel:
    """The optional ``cancel`` event, checked between setup steps and waited on instead of sleeping."""

    def __init__(self, event: threading.Event | None) -> None:
        self._event = event

    def check(self) -> None:
        if self._event is not None and self._event.is_set():
            raise CancelledError("the sandbox was cancelled while it was being set up; what it created is removed")

    def sleep(self, seconds: float) -> None:
        if self._event is None:
            time.sleep(seconds)
            return
        self._event.wait(seconds)
        self.check()


def _trust_for(caller: CallerIdentity) -> TrustPolicy:
    """Trust the caller: a user (or root) by its ARN; a role session by its role's ARN and its own user id."""
    if caller.is_role_session:
        return TrustPolicy.for_principal(caller.trust_principal, session_user_id=caller.user_id)
    return TrustPolicy.for_principal(caller.trust_principal)


def _act_as_admin(
    session: boto3.Session, caller_actor: Actor, admin_role_arn: str, report: Reporter
) -> tuple[Actor, TrustPolicy]:
    """Assume the admin role (as the seed did); return an actor using it and the trust policy naming it."""
    report("identify", f"assuming the admin role {admin_role_arn}")
    sts = caller_actor.sts()
    session_label = f"iam-tester-admin-{secrets.token_hex(6)}"
    user_ids: list[str] = []

    def assume_admin() -> Mapping[str, Any]:
        try:
            reply = call(
                sts.assume_role,
                RoleArn=admin_role_arn,
                RoleSessionName=session_label,
                DurationSeconds=_ADMIN_SESSION_SECONDS,
            )
        except AwsCallError as exc:
            if exc.code == "AccessDenied":
                exc.hint = f"the caller may not assume {admin_role_arn}: its trust policy must name the caller"
            raise
        user_ids.append(reply["AssumedRoleUser"]["AssumedRoleId"])  # ROLE-ID:SESSION, the session's aws:userid
        credentials: Mapping[str, Any] = reply["Credentials"]
        return credentials

    actor = Actor(session, credentials=assume_admin(), renew=assume_admin)
    # The trust policy must name the role with its path; the ARN given may lack it. The admin role
    # manages IAM, so it can read itself; if it cannot, trust the ARN as given.
    role_name = admin_role_arn.rsplit("/", 1)[-1]
    try:
        principal = str(call(actor.iam().get_role, RoleName=role_name)["Role"]["Arn"])
    except AwsCallError as exc:
        if exc.code not in {"AccessDenied", "AccessDeniedException"}:
            raise
        principal = admin_role_arn
    # Renewals keep the session name, so the user id stays the same: only this tool's admin session matches.
    return actor, TrustPolicy.for_principal(principal, session_user_id=user_ids[0])
