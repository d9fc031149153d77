"""Clients, and how the sandbox makes AWS calls.

Every client comes from the one ``boto3.Session`` the user gave, also those for assumed credentials
(``session.client(svc, aws_access_key_id=...)``), so the profile, region, endpoint URL and event hooks
apply to every call. Clients use botocore's *standard* retry mode, which retries throttling and
transient errors with jittered backoff; :func:`call` adds what botocore does not retry
(``ConcurrentModification``) and turns every failure into a typed error.
"""

from __future__ import annotations

import os
import queue
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, PartialCredentialsError

from ..errors import AwsCallError, SandboxError

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_sts import STSClient

__all__ = [
    "CLEANUP_RETRY_CODES",
    "RETRY_CONFIG",
    "SANDBOX_CONFIG",
    "SETUP_RETRY_CODES",
    "Actor",
    "CallTimedOut",
    "call",
    "call_within",
    "collect",
    "configured_endpoint_url",
    "error_code",
    "new_client",
    "session_or_default",
    "translate",
]

T = TypeVar("T")

# Standard mode: throttling and 5xx are retried with capped, jittered exponential backoff
# (botocore/retries/standard.py). Five attempts rather than three: IAM's write APIs throttle at low rates.
RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})
# The sandbox's own IAM and STS calls answer in well under a second; botocore's 60 s connect and read
# timeouts would let one unresponsive endpoint hold a cleanup step for minutes. With these, a step gives
# up after about a minute at most (5 attempts of 5 s + 7 s), and a Ctrl-C notice can say so.
SANDBOX_CONFIG = RETRY_CONFIG.merge(Config(connect_timeout=5, read_timeout=7))

# IAM answers 409 ConcurrentModification when two writes touch the same entity; botocore does not
# retry it. Cleanup also keeps retrying throttling after botocore gave up: leaving a role behind is
# worse than waiting a few more seconds.
SETUP_RETRY_CODES = frozenset({"ConcurrentModification"})
CLEANUP_RETRY_CODES = SETUP_RETRY_CODES | {"Throttling", "ThrottlingException", "RequestLimitExceeded"}
_EXTRA_ATTEMPTS = 4
_FIRST_DELAY = 0.2

# boto3 sessions are not thread-safe when creating clients (boto3 docs, "Multithreading"); clients are.
_CLIENT_LOCK = threading.Lock()


def session_or_default(session: boto3.Session | None) -> boto3.Session:
    """``session``, or a new ``boto3.Session()`` (the default chain: environment, profile, ...)."""
    if session is not None:
        return session
    import boto3

    return boto3.Session()


def new_client(
    session: boto3.Session,
    service: str,
    credentials: Mapping[str, Any] | None = None,
    *,
    config: Config = RETRY_CONFIG,
) -> Any:
    """A client for ``service`` from ``session``; with ``credentials`` (an STS mapping), signed by them."""
    keys: dict[str, Any] = {}
    if credentials is not None:
        keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials.get("SessionToken"),
        }
    with _CLIENT_LOCK:
        return session.client(service, config=config, **keys)  # type: ignore[call-overload]


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a failed call, if it was AWS that answered."""
    if isinstance(exc, AwsCallError):
        return exc.code
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) or None
    return None


def call(
    method: Callable[..., T],
    /,
    *,
    retry_codes: frozenset[str] = SETUP_RETRY_CODES,
    **params: Any,
) -> T:
    """``method(**params)``, retrying ``retry_codes`` a few times; any failure becomes a typed error.

    :raises AwsCallError: AWS refused the call (the error code is kept); other failures (no
        credentials, endpoint unreachable) raise :class:`SandboxError`.
    """
    delay = _FIRST_DELAY
    attempt = 0
    while True:
        try:
            return method(**params)
        except ClientError as exc:
            if error_code(exc) in retry_codes and attempt < _EXTRA_ATTEMPTS:
                attempt += 1
                time.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not cryptography
                delay *= 2
                continue
            raise translate(exc) from exc
        except BotoCoreError as exc:
            raise translate(exc) from exc


def collect(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    """Every item under ``key`` in all pages of ``operation`` (boto3's paginator); failures as :func:`call`'s."""
    items: list[Any] = []
    try:
        for page in client.get_paginator(operation).paginate(**params):
            items.extend(page.get(key, []))
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc) from exc
    return items


_POLL_SECONDS = 0.1


class CallTimedOut(SandboxError):
    """A call did not answer within the time it was given (it may still complete in the background)."""


def call_within(seconds: float, function: Callable[[], T], *, what: str, poll: Callable[[], None] = lambda: None) -> T:
    """``function()``, given up after ``seconds``: it runs in a worker thread, which is left to finish on its
    own (its client's timeouts end it). For read-only calls whose answer is no longer wanted after a
    deadline — AssumeRole and GetCallerIdentity while waiting for readiness. Ctrl-C interrupts the wait,
    and so does ``poll()``, called every tenth of a second, if it raises (a cancel request).

    :raises CallTimedOut: no answer in time.
    """
    box: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

    def run() -> None:
        try:
            box.put((True, function()))
        except BaseException as exc:  # handed to the waiting thread, which raises it
            box.put((False, exc))

    threading.Thread(target=run, name=f"iam-tester {what}", daemon=True).start()
    deadline = time.monotonic() + max(seconds, 0.0)
    while True:
        try:
            ok, value = box.get(timeout=min(max(deadline - time.monotonic(), 0.0), _POLL_SECONDS))
            break
        except queue.Empty:
            if time.monotonic() >= deadline:
                raise CallTimedOut(f"{what} did not answer within {seconds:.1f} s") from None
            poll()
    if ok:
        return cast("T", value)
    raise value


def translate(exc: ClientError | BotoCoreError) -> SandboxError:
    """A typed error, with a hint, for a botocore failure."""
    if isinstance(exc, ClientError):
        code = error_code(exc) or "Unknown"
        operation = exc.operation_name
        message = str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
        hint = None
        if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
            hint = (
                f"the credentials in use may not call {operation}; the sandbox needs IAM role management "
                "(iam:CreateRole, iam:TagRole, iam:PutRolePolicy, iam:DeleteRolePolicy, iam:DeleteRole, ...) "
                "and sts:AssumeRole: see docs/sandbox.md, 'Permissions'"
            )
        elif code in {"InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch", "InvalidAccessKeyId"}:
            hint = "the credentials in use are not valid (expired, or for another endpoint): refresh them and retry"
        return AwsCallError(f"{operation} failed: {code}: {message}", operation=operation, code=code, hint=hint)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return SandboxError(
            f"no usable AWS credentials: {exc}",
            hint="configure a profile (--profile / AWS_PROFILE) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; "
            "to try the tool without an account, run `iam-tester embedded-aws`",
        )
    if isinstance(exc, NoRegionError):
        return SandboxError(f"no AWS region configured: {exc}", hint="set AWS_REGION or pass --region")
    return SandboxError(f"AWS call failed: {exc}", hint="check the network and the endpoint URL")


def configured_endpoint_url(session: boto3.Session) -> str | None:
    """A custom endpoint the session is configured with, in botocore's order: a session-level override, the
    ``AWS_ENDPOINT_URL`` variable, the profile's ``endpoint_url`` (botocore/configprovider.py,
    ConfiguredEndpointProvider; per-service variants are not looked at).

    ``exec`` hands it to the child explicitly, because the child does not get the profile.
    """
    core = session._session  # boto3 has no public accessor for its botocore session
    for value in (
        core.get_config_variable("endpoint_url"),
        os.environ.get("AWS_ENDPOINT_URL"),
        core.get_scoped_config().get("endpoint_url"),
    ):
        if value:
            return str(value)
    return None


class Actor:
    """Who makes the sandbox's IAM and STS calls: the session's own credentials, or an assumed role's.

    For an assumed role (``admin_role_arn``), ``renew`` assumes it again when its credentials are
    about to expire, so cleanup at the end of a long ``with`` body still works.
    """

    _RENEW_MARGIN = timedelta(minutes=5)

    def __init__(
        self,
        session: boto3.Session,
        *,
        credentials: Mapping[str, Any] | None = None,
        renew: Callable[[], Mapping[str, Any]] | None = None,
    ) -> None:
        self.session = session
        self._credentials = credentials
        self._renew = renew
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        with self._lock:
            if self._renew is not None and self._expiring():
                self._credentials = self._renew()
                self._clients.clear()
            if service not in self._clients:
                self._clients[service] = new_client(self.session, service, self._credentials, config=SANDBOX_CONFIG)
            return self._clients[service]

    def iam(self) -> IAMClient:
        return cast("IAMClient", self.client("iam"))

    def sts(self) -> STSClient:
        return cast("STSClient", self.client("sts"))

    def _expiring(self) -> bool:
        if self._credentials is None:
            return False
        expiration = self._credentials.get("Expiration")
        if not isinstance(expiration, datetime):
            return False
        return expiration - datetime.now(timezone.utc) < self._RENEW_MARGIN
