"""Test helpers for the live sandbox: record, fail and delay AWS calls through botocore events.

Everything here works through ``before-send`` / ``after-call`` handlers registered on a ``boto3.Session``'s
event system — below botocore's retry layer, above the network — so the code under test runs unchanged
(no patching): a handler that returns a response makes botocore skip sending the request and treat
that response as AWS's answer, including for retries. Register handlers *before* the code under test
creates its clients (clients copy the session's handlers when they are made).

Error bodies are written in the protocol of the service answered (:func:`error_response`): the query
protocol's XML for IAM and STS, EC2's own XML, S3's REST-XML, the JSON and REST-JSON protocols' JSON.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

if TYPE_CHECKING:
    import boto3

__all__ = [
    "Call",
    "CallRecorder",
    "FaultInjector",
    "PropagationSimulator",
    "error_response",
    "protocol_of",
    "sandbox_role_names",
]


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


_REQUEST_ID = "00000000-0000-0000-0000-000000000000"


def error_response(
    code: str, message: str = "injected by iam_tester.testing", status: int = 400, *, protocol: str = "query"
) -> AWSResponse:
    """An HTTP response carrying an AWS error as a service of ``protocol`` sends it: ``query`` (IAM, STS,
    SNS), ``ec2``, ``rest-xml`` (S3), ``json`` (DynamoDB, KMS) or ``rest-json`` (Lambda); botocore's
    parser for that protocol reads it back."""
    headers = HTTPHeaders()
    headers["x-amzn-RequestId"] = _REQUEST_ID
    text = _xml_escape(message)
    if protocol == "json":
        headers["Content-Type"] = "application/x-amz-json-1.0"
        body = json.dumps({"__type": f"com.amazonaws.injected#{code}", "message": message})
    elif protocol == "rest-json":
        headers["Content-Type"] = "application/json"
        headers["x-amzn-ErrorType"] = f"{code}:http://internal.amazon.com/coral/com.amazonaws.injected/"
        body = json.dumps({"message": message})
    elif protocol == "rest-xml":
        headers["Content-Type"] = "application/xml"
        body = f"<Error><Code>{code}</Code><Message>{text}</Message><RequestId>{_REQUEST_ID}</RequestId></Error>"
    elif protocol == "ec2":
        headers["Content-Type"] = "text/xml"
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{text}</Message></Error></Errors>"
            f"<RequestID>{_REQUEST_ID}</RequestID></Response>"
        )
    else:
        headers["Content-Type"] = "text/xml"
        body = (
            '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
            f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{text}</Message></Error>"
            f"<RequestId>{_REQUEST_ID}</RequestId></ErrorResponse>"
        )
    return AWSResponse("https://injected.invalid/", status, headers, _Body(body.encode()))


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def protocol_of(session: boto3.Session, event_name: str) -> str:
    """The protocol of the service an event (``before-send.s3.GetObject``) is about; ``query`` if unknown."""
    service = event_name.split(".")[1]
    from botocore.exceptions import DataNotFoundError

    try:
        model = session._session.get_service_model(service)  # boto3 exposes no public accessor
    except DataNotFoundError:  # a service whose event name is not its model's name: the common protocol
        return "query"
    return str(model.metadata.get("protocol", "query"))


@dataclass(frozen=True)
class Call:
    """One request botocore was about to send: ``iam.CreateRole``."""

    service: str
    operation: str

    @property
    def name(self) -> str:
        return f"{self.service}.{self.operation}"

    @classmethod
    def from_event(cls, event_name: str) -> Call:
        _, service, operation = event_name.split(".", 2)
        return cls(service, operation)


def _access_key_of(request: Any) -> str | None:
    """The access key id a signed request was signed with (SigV4 ``Credential=AKID/...``)."""
    authorization = request.headers.get("Authorization")
    if isinstance(authorization, bytes):
        authorization = authorization.decode()
    if not authorization or "Credential=" not in authorization:
        return None
    return str(authorization.split("Credential=", 1)[1].split("/", 1)[0])


def _form(request: Any) -> dict[str, str]:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode()
    if not isinstance(body, str):
        return {}
    return {key: values[0] for key, values in urllib.parse.parse_qs(body).items()}


def _register(session: boto3.Session, event: str, handler: Callable[..., Any]) -> None:
    # A before-send handler that returns a response replaces the request (botocore/endpoint.py); the
    # stubs declare handlers as returning None.
    session.events.register(event, handler)


class CallRecorder:
    """Records every request sent through the session, in order (each retry is a request)."""

    def __init__(self, session: boto3.Session) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        session.events.register("before-send", self._record)

    def _record(self, event_name: str, **_: Any) -> None:
        with self._lock:
            self.calls.append(Call.from_event(event_name))

    @property
    def names(self) -> list[str]:
        return [call.name for call in self.calls]


class FaultInjector:
    """Makes chosen requests fail with an AWS error instead of being sent."""

    def __init__(self, session: boto3.Session) -> None:
        self._session = session
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.injected: list[tuple[str, int, str]] = []  # (operation, occurrence, code) of each fault sent

    def fail(
        self,
        operation: str,
        *,
        code: str,
        status: int = 400,
        occurrence: int = 1,
        times: int = 1,
        message: str = "injected by iam_tester.testing",
    ) -> None:
        """Answer requests number ``occurrence`` .. ``occurrence + times - 1`` of ``operation``
        (``"iam.CreateRole"``) with ``code``; ``times=0`` means every request from ``occurrence`` on."""

        def handler(event_name: str, **_: Any) -> AWSResponse | None:
            with self._lock:
                self._seen[operation] += 1
                number = self._seen[operation]
            if number < occurrence or (times and number >= occurrence + times):
                return None
            with self._lock:
                self.injected.append((operation, number, code))
            return error_response(code, message, status, protocol=protocol_of(self._session, event_name))

        _register(self._session, f"before-send.{operation}", handler)

    def hang(self, operation: str, *, until: threading.Event, occurrence: int = 1) -> None:
        """Make request number ``occurrence`` of ``operation`` hang — no answer — until ``until`` is set;
        it is then answered with a 500 (the test is over; nobody should be waiting for it any more)."""

        def handler(event_name: str, **_: Any) -> AWSResponse | None:
            with self._lock:
                self._seen[operation] += 1
                number = self._seen[operation]
            if number != occurrence:
                return None
            with self._lock:
                self.injected.append((operation, number, "hang"))
            until.wait()
            return error_response(
                "InternalFailure", "the hang ended", 500, protocol=protocol_of(self._session, event_name)
            )

        _register(self._session, f"before-send.{operation}", handler)

    def lose_response(self, operation: str, *, occurrence: int = 1) -> None:
        """Send request number ``occurrence`` of ``operation`` to AWS for real, then answer the client with
        a 500 instead of AWS's reply — a response lost on the way back, so botocore retries a request
        that has already taken effect."""

        def handler(event_name: str, request: Any, **_: Any) -> AWSResponse | None:
            with self._lock:
                self._seen[operation] += 1
                number = self._seen[operation]
            if number != occurrence:
                return None
            body = request.body.encode() if isinstance(request.body, str) else request.body
            sent = urllib.request.Request(  # noqa: S310 - the URL botocore prepared for this client
                request.url, data=body, headers=dict(request.headers.items()), method=request.method
            )
            try:
                with urllib.request.urlopen(sent, timeout=30):  # noqa: S310 - as above
                    pass
            except urllib.error.HTTPError:
                pass  # AWS's answer, whatever it was, is what gets lost
            with self._lock:
                self.injected.append((operation, number, "InternalFailure"))
            return error_response("InternalFailure", "the response was lost", 500)

        _register(self._session, f"before-send.{operation}", handler)


class PropagationSimulator:
    """IAM's eventual consistency, simulated: AssumeRole on a role is refused with ``AccessDenied`` for
    ``assume_refused_for`` seconds after CreateRole returned it, and credentials from AssumeRole are
    refused with ``InvalidClientTokenId`` for ``keys_refused_for`` seconds after they were issued.
    With ``policy_refused_for``, the role's policy is not in force for that many seconds after CreateRole:
    every call made with its credentials (other than to STS, which needs no permission for
    GetCallerIdentity) is refused with ``AccessDenied``, in the protocol of the service called.

    ``accepted_at`` records, per role ARN and per access key, when the first request was let through;
    ``policy_denials`` counts the calls refused because the policy was not in force yet.
    """

    def __init__(
        self,
        session: boto3.Session,
        *,
        assume_refused_for: float = 2.0,
        keys_refused_for: float = 1.0,
        policy_refused_for: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.assume_refused_for = assume_refused_for
        self.keys_refused_for = keys_refused_for
        self.policy_refused_for = policy_refused_for
        self._session = session
        self._key_roles: dict[str, str] = {}  # access key -> the ARN of the role it was issued for
        self.policy_denials = 0
        self._clock = clock
        self._lock = threading.Lock()
        self.role_created_at: dict[str, float] = {}
        self.keys_issued_at: dict[str, float] = {}
        self.accepted_at: dict[str, float] = {}
        self.refusals: Counter[str] = Counter()  # "AccessDenied" / "InvalidClientTokenId" -> count
        session.events.register("after-call.iam.CreateRole", self._role_created)
        session.events.register("after-call.sts.AssumeRole", self._keys_issued)
        _register(session, "before-send", self._gate)

    def _role_created(self, parsed: dict[str, Any], **_: Any) -> None:
        with self._lock:
            self.role_created_at[parsed["Role"]["Arn"]] = self._clock()

    def _keys_issued(self, parsed: dict[str, Any], **_: Any) -> None:
        credentials = parsed.get("Credentials")
        if credentials:
            # arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION: the role is found by its name
            role_name = str(parsed.get("AssumedRoleUser", {}).get("Arn", "")).split("/")[1:2]
            with self._lock:
                self.keys_issued_at[credentials["AccessKeyId"]] = self._clock()
                for role_arn in self.role_created_at:
                    if role_name and role_arn.rsplit("/", 1)[-1] == role_name[0]:
                        self._key_roles[credentials["AccessKeyId"]] = role_arn

    def _gate(self, event_name: str, request: Any, **_: Any) -> AWSResponse | None:
        now = self._clock()
        with self._lock:
            key = _access_key_of(request)
            issued = self.keys_issued_at.get(key or "")
            if issued is not None and now - issued < self.keys_refused_for:
                self.refusals["InvalidClientTokenId"] += 1
                return error_response(
                    "InvalidClientTokenId", "The security token included in the request is invalid.", 403
                )
            if key is not None and issued is not None:
                self.accepted_at.setdefault(key, now)
            created = self.role_created_at.get(self._key_roles.get(key or "", ""))
            if (
                created is not None
                and now - created < self.policy_refused_for
                and not event_name.startswith("before-send.sts.")
            ):
                self.policy_denials += 1
                return error_response(
                    "AccessDenied",
                    "not authorized: the role's policy is not in force yet (simulated)",
                    403,
                    protocol=protocol_of(self._session, event_name),
                )
            if event_name == "before-send.sts.AssumeRole":
                role_arn = _form(request).get("RoleArn", "")
                created = self.role_created_at.get(role_arn)
                if created is not None and now - created < self.assume_refused_for:
                    self.refusals["AccessDenied"] += 1
                    return error_response(
                        "AccessDenied", f"not authorized to perform sts:AssumeRole on {role_arn}", 403
                    )
                if created is not None:
                    self.accepted_at.setdefault(role_arn, now)
        return None


def sandbox_role_names(session: boto3.Session) -> list[str]:
    """Names of every role under the sandbox's path, tagged or not (to check that nothing is left)."""
    from .live.naming import ROLE_PATH

    iam = session.client("iam")
    names: list[str] = []
    for page in iam.get_paginator("list_roles").paginate(PathPrefix=ROLE_PATH):
        names.extend(role["RoleName"] for role in page["Roles"])
    return names
