"""Assertions about AWS's decision on a call made with a sandbox's credentials, and about the evaluator's.

``assert_allowed`` / ``assert_denied`` make a call and classify its outcome (:mod:`iam_tester.live.outcome`);
a failure names the call as it was made through the sandbox's session, AWS's error code and message, and
the evaluator's prediction for the principal that really called. ``assert_decision`` asks the evaluator
alone. The pytest plugin (:mod:`iam_tester.pytest_plugin`) exports them; they raise ``AssertionError`` and
need no pytest.

What the helpers know of a sandbox is a :class:`SandboxRecord`, attached by :func:`remember_calls` to the
botocore session that signs its calls: each call made through it is remembered per thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Evaluation, PolicySet
    from .live.outcome import CallOutcome
    from .policy import PolicyDocument

__all__ = [
    "SandboxRecord",
    "assert_allowed",
    "assert_decision",
    "assert_denied",
    "optional_document",
    "policy_document",
    "remember_calls",
]


@dataclass
class SandboxRecord:
    """What the helpers know of a sandbox: its policy, its credentials, and whether its policy was seen in force."""

    policies: PolicySet  # what the evaluator knows of the sandbox's policies
    credentials: Any  # SandboxCredentials
    unknown_policies: bool  # managed policies or a boundary by ARN, the admin role's own: not seen by the evaluator
    in_force: bool = False
    ended: bool = False  # its ``with`` block has ended: the role is deleted, AWS's answers say nothing of the policy
    _caller: str | None = None

    def caller(self) -> str:
        """The role session that makes the calls (asked of STS once, when a prediction needs it)."""
        if self._caller is None:
            self._caller = str(self.credentials.client("sts").get_caller_identity()["Arn"])
        return self._caller


@dataclass(frozen=True)
class _Call:
    """The last call made through a sandbox's session in this thread: ``s3.ListObjectsV2(Bucket=...)``."""

    service: str
    operation: str
    params: dict[str, Any]
    sandbox: SandboxRecord
    prefix: str  # the service's prefix in IAM actions (its signing name: s3, elasticloadbalancing)

    def describe(self) -> str:
        return _call_text(f"{self.service}.{self.operation}", (), self.params)


_last = threading.local()


def remember_calls(core: Any, record: SandboxRecord) -> None:
    """Remember, per thread, each call made through the botocore session ``core`` (a sandbox's), for the
    helpers' messages: the operation and the parameters as given, before botocore adds its own."""

    def remember(**event: Any) -> None:
        params, model = event["params"], event["model"]
        service = model.service_model
        _last.call = _Call(service.service_name, model.name, dict(params), record, service.signing_name)

    core.register("provide-client-params", remember)


def assert_allowed(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` and assert that AWS allowed it; return its result.

    An error that comes after authorization (``NoSuchKey``) counts as allowed (the result is then ``None``).
    While the sandbox's policy has not been seen in force, a denial is retried with backoff for up to two
    minutes (IAM propagating); a success marks the policy in force.
    """
    __tracebackhide__ = True
    from .live.outcome import Observed

    _check_callable(fn, "assert_allowed")
    result, outcome, call = _attempt(fn, args, kwargs)
    _check_not_ended(_named(fn, args, kwargs, call), outcome, call)
    if outcome.denied and call is not None and not call.sandbox.in_force:
        result, outcome, call = _until_in_force(fn, args, kwargs)
    if outcome.observed is Observed.ALLOWED:
        if call is not None:
            call.sandbox.in_force = True
        return result
    verdict = "was denied" if outcome.denied else "failed without a decision about authorization"
    named = _named(fn, args, kwargs, call)
    raise AssertionError(_message(f"{named} {verdict}; expected it to be allowed", outcome, call))


def assert_denied(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Call ``fn(*args, **kwargs)`` and assert that AWS denied it (either kind of deny).

    A denial counts only once the sandbox's policy has been seen in force — by the probe ``iam_sandbox``
    makes, or by an ``assert_allowed`` that passed — since a new role denies everything until then.
    """
    __tracebackhide__ = True
    _check_callable(fn, "assert_denied")
    _, outcome, call = _attempt(fn, args, kwargs)
    named = _named(fn, args, kwargs, call)
    _check_not_ended(named, outcome, call)
    if outcome.denied:
        if call is None or call.sandbox.in_force:
            return
        raise AssertionError(
            _message(
                f"{named} was denied, but that proves nothing yet: the sandbox's policy was never seen in "
                "force (its policy denies the probe iam:ListAccountAliases, or uses managed policies or a boundary "
                "by ARN); assert_allowed a call it allows first",
                outcome,
                call,
            )
        )
    verdict = "was allowed" if not outcome.failed else "failed without a decision about authorization"
    raise AssertionError(_message(f"{named} {verdict}; expected a denial", outcome, call))


def assert_decision(
    policy: Mapping[str, Any] | str | Sequence[Mapping[str, Any] | str],
    *,
    action: str,
    resource: str,
    expected: str,
    principal: str | None = None,
    boundary: Mapping[str, Any] | str | None = None,
    session_policy: Mapping[str, Any] | str | None = None,
    resource_policy: Mapping[str, Any] | str | None = None,
    context: Mapping[str, str | Sequence[str]] | None = None,
) -> Evaluation:
    """Assert the evaluator's decision for one request, offline: ``expected`` is ``allowed``, ``denied``,
    ``explicitDeny`` or ``implicitDeny``. ``policy`` is one identity policy or a list (dicts or JSON text).
    A failure shows the explanation tree; the evaluation is returned."""
    __tracebackhide__ = True
    from .engine import PolicySet, Request
    from .engine.tree import explanation_tree, plain_text
    from .policy import PolicyKind
    from .suite.model import DEFAULT_PRINCIPAL, Expectation

    wanted = Expectation.parse(expected)
    if wanted is None:
        raise ValueError(f"expected must be one of {', '.join(e.value for e in Expectation)}, not {expected!r}")
    identity = [policy] if isinstance(policy, (str, Mapping)) else list(policy)
    policy_set = PolicySet.compile(
        identity=[policy_document(doc, PolicyKind.IDENTITY, f"policy[{i}]") for i, doc in enumerate(identity)],
        boundary=optional_document(boundary, PolicyKind.BOUNDARY, "boundary"),
        session=optional_document(session_policy, PolicyKind.SESSION, "session_policy"),
        resource=optional_document(resource_policy, PolicyKind.RESOURCE, "resource_policy"),
    )
    request = Request(action=action, resource=resource, principal=principal or DEFAULT_PRINCIPAL, context=context or {})
    evaluation = policy_set.evaluate(request)
    if not wanted.matches(evaluation.decision):
        tree = plain_text(explanation_tree(request, evaluation.explain()))
        raise AssertionError(f"expected {wanted.value}, the evaluator decides {evaluation.decision.value}\n{tree}")
    return evaluation


# -- internals ------------------------------------------------------------------------------------------


def optional_document(raw: Mapping[str, Any] | str | None, kind: Any, name: str) -> PolicyDocument | None:
    return None if raw is None else policy_document(raw, kind, name)


def policy_document(raw: Mapping[str, Any] | str, kind: Any, name: str) -> PolicyDocument:
    from .policy import validate_policy, validate_policy_text

    if isinstance(raw, str):
        return validate_policy_text(raw, kind=kind, name=name, catalog=False).raise_for_errors()
    return validate_policy(raw, kind=kind, name=name, catalog=False).raise_for_errors()


def _check_callable(fn: object, helper: str) -> None:
    # Called, a string would fail with "'str' object is not callable", which reads as AWS's answer.
    if not callable(fn):
        raise TypeError(
            f"{helper} takes the call to make as its first argument (a client method such as "
            f"s3.list_buckets, or a function), not {type(fn).__name__} {fn!r}"
        )


def _check_not_ended(named: str, outcome: CallOutcome, call: _Call | None) -> None:
    """A call made after the sandbox was deleted: on AWS, denied as if by the policy (and retried as if IAM
    were propagating); on the embedded AWS, a server error. Neither says anything of the policy."""
    __tracebackhide__ = True
    if call is not None and call.sandbox.ended:
        raise AssertionError(
            _message(
                f"{named} was made after its sandbox's `with iam_sandbox(...)` block ended: its role is deleted, "
                "so AWS's answer says nothing about the policy; make the call inside the block",
                outcome,
                None,
            )
        )


def _attempt(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, CallOutcome, _Call | None]:
    from .live.outcome import CallOutcome, call_failure, classify

    _last.call = None
    try:
        result = fn(*args, **kwargs)
        outcome = CallOutcome.success()
    except Exception as exc:
        failure = call_failure(exc)
        if failure is None:  # the caller's own error, not AWS's answer: theirs to see as it is
            raise
        result, outcome = None, classify(failure)
    return result, outcome, getattr(_last, "call", None)


def _until_in_force(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, CallOutcome, _Call | None]:
    """The call made again through its denials, as ``check --live`` waits for a new policy, until allowed."""
    from .live.propagation import PolicyWait, Trial, wait_until_in_force

    latest: list[tuple[Any, CallOutcome, _Call | None]] = []

    def attempt() -> CallOutcome:
        latest.append(_attempt(fn, args, kwargs))
        return latest[-1][1]

    wait_until_in_force(Trial("call", attempt, True, "the call"), wait=PolicyWait(), report=lambda *_: None)
    return latest[-1]


def _named(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], call: _Call | None) -> str:
    """The call as recorded through a sandbox's session; else, for a method of a botocore client of the
    caller's own (``__self__`` the client, ``__name__`` the Python operation name), ``s3.list_objects_v2(...)``
    as it was called — its ``__qualname__`` is botocore's internal ``_api_call``."""
    if call is not None:
        return call.describe()
    try:
        service = fn.__self__.meta.service_model.service_name  # type: ignore[attr-defined]
    except AttributeError:
        return getattr(fn, "__qualname__", repr(fn))
    return _call_text(f"{service}.{fn.__name__}", args, kwargs)


def _call_text(name: str, args: tuple[Any, ...], params: Mapping[str, Any]) -> str:
    arguments = [repr(value) for value in args] + [f"{key}={value!r}" for key, value in params.items()]
    return f"{name}({', '.join(arguments)})"


def _message(headline: str, outcome: CallOutcome, call: _Call | None) -> str:
    lines = [headline]
    if outcome.error is not None:
        lines.append(f"  AWS said: {outcome.error}")
    if call is not None:
        lines.append(f"  the evaluator predicts: {_prediction(call, outcome)}")
    return "\n".join(lines)


def _prediction(call: _Call, outcome: CallOutcome) -> str:
    """The evaluator's decision for the request AWS named (or the catalog's action of the same name)."""
    from .engine import Request
    from .live.outcome import denied_request

    named = denied_request(outcome.error.message) if outcome.error is not None else None
    action, resource = named if named is not None else (None, None)
    if action is None or resource is None:
        action, resource = _catalog_request(call, action)
    if action is None or resource is None:
        return (
            f"unknown: AWS's answer names no action and resource, and iam-tester cannot tell which IAM action "
            f"{call.service}.{call.operation} needs (assert_decision checks one offline)"
        )
    try:
        caller = call.sandbox.caller()
    except Exception as exc:
        return f"unknown: cannot ask STS who the caller is ({exc})"
    evaluation = call.sandbox.policies.evaluate(Request(action=action, resource=resource, principal=caller))
    note = " (the evaluator does not see policies given by ARN, nor an admin role's own)"
    return f"{evaluation.summary} — for {action} on {resource}" + (note if call.sandbox.unknown_policies else "")


def _catalog_request(call: _Call, action: str | None) -> tuple[str | None, str | None]:
    """The catalog's action named like the operation, on ``*`` when it takes no resource."""
    from .policy.catalog import get_catalog

    catalog = get_catalog()
    service, name = action.split(":", 1) if action else (call.prefix, call.operation)
    info = catalog.action(service, name)
    if info is None:
        return action, None
    return info.full_name, None if info.resource_types else "*"
