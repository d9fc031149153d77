"""What a real API call's outcome says about authorization: allowed, denied (explicitly or implicitly), or nothing.

A call is **allowed** when it succeeds, or fails with an error that comes after authorization (``NoSuchKey``,
``ResourceNotFoundException``, EC2's ``DryRunOperation``): AWS decides whether a request is authorized before
the service looks at what it asks for. It is **denied** when AWS answers with one of its authorization
errors — each protocol has its own spelling: ``AccessDenied`` (query: IAM, STS, SQS; REST-XML: S3),
``AccessDeniedException`` (JSON and REST-JSON: DynamoDB, KMS, Lambda, ...), ``UnauthorizedOperation`` (EC2),
``AuthorizationError`` (SNS), ``Forbidden``, and a bare HTTP 403 for a request whose answer has no body
(S3's HEAD requests). AWS's message then says which kind of deny, in the format of the IAM User Guide,
"Troubleshoot access denied error messages" (troubleshoot_access-denied.html): ``... with an explicit deny
in a <type> policy`` or ``... because no <type> policy allows the <action> action``. Where it does not (S3's
plain "Access Denied"), the outcome is ``denied`` without a kind. Everything else — bad credentials,
throttling after botocore's retries, a server error, a timeout, a connection that fails — says nothing
about authorization: the outcome is an error, with no observation.
"""

from __future__ import annotations

import enum
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from .readiness import KEY_PROPAGATION_CODES

__all__ = [
    "DENIAL_CODES",
    "CallError",
    "CallOutcome",
    "Observed",
    "call_failure",
    "classify",
    "classify_error",
    "denial_kind",
    "denied_request",
]

# The error codes AWS uses for "the caller is not authorized", across protocols. Error codes of *another*
# service's refusal (Lambda's KMSAccessDeniedException: Lambda could not use a key) are not here: they are
# about the service's own access, and are reported as errors after authorization.
DENIAL_CODES = frozenset(
    {
        "AccessDenied",  # query (IAM, STS, SQS), REST-XML (S3)
        "AccessDeniedException",  # JSON / REST-JSON (DynamoDB, KMS, Lambda, Secrets Manager, ...)
        "UnauthorizedOperation",  # EC2
        "AuthorizationError",  # SNS (query)
        "AuthorizationErrorException",  # SNS (JSON)
        "Forbidden",
        "ForbiddenException",  # API Gateway and other REST-JSON services
        "403",  # a HEAD request's 403 has no body: botocore names the error by its status
    }
)
# Credentials AWS does not (yet) recognise: new session credentials can be unknown to an endpoint for a
# moment after AssumeRole (IAM User Guide, "Troubleshooting IAM"). About authentication, not authorization.
AUTHENTICATION_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "UnrecognizedClientException",
        "AuthFailure",
        "InvalidToken",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidSignatureException",
        "MissingAuthenticationToken",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
    }
)
_THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "RequestThrottled",
        "RequestThrottledException",
    }
)
# The packages whose errors are a call's outcome (see call_failure).
_SDK_PACKAGES = frozenset({"botocore", "boto3", "s3transfer"})
# EC2's DryRun: "Request would have succeeded, but DryRun flag is set" — authorized, not performed.
_DRY_RUN_SUCCESS = "DryRunOperation"

_EXPLICIT = re.compile(r"with an explicit deny in (?:an? |the )?(?P<type>[\w -]+?)(?: policy)?(?=[\s.,;]|$)", re.I)
_IMPLICIT = re.compile(r"because no (?P<type>[\w -]+?)(?: policy)? allows the ", re.I)
_REQUEST = re.compile(
    r"is not authorized to perform: (?P<action>[\w-]+:[\w*-]+)"
    r"(?: on resource: \"?(?P<resource>arn:[^\s\"]+|\*)\"?)?",
    re.I,
)


class Observed(enum.Enum):
    """What AWS was seen to decide. ``denied`` when AWS refused without saying which kind of deny."""

    ALLOWED = "allowed"
    DENIED = "denied"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"

    @property
    def is_denial(self) -> bool:
        return self is not Observed.ALLOWED

    @property
    def decision(self) -> str | None:
        """The decision this is, in AWS's words; ``None`` for a deny of unstated kind."""
        return None if self is Observed.DENIED else self.value

    def covers(self, decision: str) -> bool:
        """Whether a decision (``allowed``, ``explicitDeny``, ``implicitDeny``) is what was seen:
        ``denied`` covers either kind of deny."""
        if self is Observed.DENIED:
            return decision in {Observed.EXPLICIT_DENY.value, Observed.IMPLICIT_DENY.value}
        return bool(decision == self.value)


@dataclass(frozen=True)
class CallError:
    """The error a call ended with: AWS's code and message, or for a failure before AWS answered, the kind
    of failure (``Timeout``, ``EndpointConnectionError``, ...) and what botocore said."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


@dataclass(frozen=True)
class CallOutcome:
    """One call's outcome. ``observed`` is ``None`` when the outcome says nothing about authorization;
    ``error`` is the error the call ended with (also for a denial, or an allowed call that failed later)."""

    observed: Observed | None
    error: CallError | None = None

    @property
    def denied(self) -> bool:
        return self.observed is not None and self.observed.is_denial

    @property
    def failed(self) -> bool:
        """Nothing was learned about authorization: an error, a timeout, a failure to connect."""
        return self.observed is None

    @property
    def maybe_propagating(self) -> bool:
        """Could this go away by waiting for IAM: a denial (the policy not yet in force), or credentials
        the endpoint does not know yet."""
        return self.denied or (self.error is not None and self.error.code in KEY_PROPAGATION_CODES)

    @classmethod
    def success(cls) -> CallOutcome:
        return cls(Observed.ALLOWED)

    @classmethod
    def timed_out(cls, seconds: float) -> CallOutcome:
        return cls(None, CallError("Timeout", f"no answer within {seconds:g} s"))


def denial_kind(message: str) -> Observed:
    """The kind of deny an access-denied message states; ``DENIED`` when it states none.

    IAM User Guide, "Troubleshoot access denied error messages": "When an SCP denies access, the error
    message can include the phrase ``due to an explicit deny in a Service Control Policy``, even if the
    denial is implicit" — so an explicit deny naming a service control policy is only ``denied``.
    """
    explicit = _EXPLICIT.search(message)
    if explicit is not None:
        if "service control" in explicit.group("type").lower() or "service control policy" in message.lower():
            return Observed.DENIED
        return Observed.EXPLICIT_DENY
    if _IMPLICIT.search(message) is not None:
        return Observed.IMPLICIT_DENY
    return Observed.DENIED


def denied_request(message: str) -> tuple[str, str | None] | None:
    """``(action, resource)`` an access-denied message names (``resource`` ``None`` when it names none)."""
    match = _REQUEST.search(message)
    if match is None:
        return None
    return match["action"], match["resource"]


def classify_error(code: str, message: str, status: int | None = None) -> CallOutcome:
    """The outcome of an AWS error answer."""
    code, message = _unwrapped(code, message)
    error = CallError(code, message)
    if code in DENIAL_CODES or (status == 403 and code in {"", "Unknown"}):
        return CallOutcome(denial_kind(message), error)
    if code == _DRY_RUN_SUCCESS:
        return CallOutcome(Observed.ALLOWED, error)
    if code in AUTHENTICATION_CODES or code in _THROTTLING_CODES:
        return CallOutcome(None, error)
    if status is not None and status >= 500:  # the service failed: it may not have authorized anything
        return CallOutcome(None, error)
    return CallOutcome(Observed.ALLOWED, error)


def classify(exc: BaseException) -> CallOutcome:
    """The outcome of a call that raised ``exc`` (a botocore ``ClientError``, or any other failure)."""
    from botocore.exceptions import ClientError, ParamValidationError

    if isinstance(exc, ClientError):
        response: dict[str, Any] = dict(exc.response)
        details = response.get("Error", {})
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return classify_error(
            str(details.get("Code", "") or ""),
            str(details.get("Message", "") or ""),
            status if isinstance(status, int) else None,
        )
    if isinstance(exc, ParamValidationError):
        return CallOutcome(None, CallError("ParamValidationError", str(exc)))
    return CallOutcome(None, CallError(type(exc).__name__, str(exc)))


def call_failure(exc: BaseException) -> BaseException | None:
    """The error of an AWS call in ``exc``, for :func:`classify`; ``None`` when ``exc`` is not one.

    botocore raises every outcome of a call that is not a result: ``ClientError`` (AWS's answer),
    ``BotoCoreError`` (no answer: a connection, a timeout, parameters refused before sending), and a few
    errors of its own outside that tree (``botocore.parsers.ResponseParserError``, for an answer it cannot
    read). boto3's S3 transfers wrap AWS's answer in their own errors (``upload_file``'s
    ``S3UploadFailedError``, raised while handling the ``ClientError``): the answer is the wrapped error.
    Anything else — a ``TypeError`` in the caller's own code, before any call — is no outcome of a call,
    and must not be read as AWS's answer.
    """
    from boto3.exceptions import RetriesExceededError, S3TransferFailedError, S3UploadFailedError
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, (S3UploadFailedError, S3TransferFailedError, RetriesExceededError)):
        wrapped = exc.__cause__ or exc.__context__ or getattr(exc, "last_exception", None)
        return wrapped if isinstance(wrapped, (ClientError, BotoCoreError)) else exc
    if isinstance(exc, (ClientError, BotoCoreError)) or type(exc).__module__.split(".")[0] in _SDK_PACKAGES:
        return exc
    return None


def _unwrapped(code: str, message: str) -> tuple[str, str]:
    """The code and message of an error whose body is in another protocol's format than the client reads.

    A JSON-protocol client given an XML error body (as some emulators send) names the error by its HTTP
    status and keeps the body as the message; the real code and message are inside it.
    """
    if (code.isdigit() or not code) and message.lstrip().startswith("<"):
        try:
            root = ET.fromstring(message.strip())  # noqa: S314 - a short error body from the endpoint called
        except ET.ParseError:
            return code, message
        inner_code = root.findtext(".//Code")
        if inner_code:
            return inner_code.strip(), (root.findtext(".//Message") or "").strip()
    return code, message
