"""iam-tester's pytest plugin: policies tested as ordinary pytest tests, offline and in a live sandbox.

Installing iam-tester registers it (the ``pytest11`` entry point ``iam_tester``); no ``conftest.py`` needed::

    from iam_tester.pytest_plugin import assert_allowed, assert_decision, assert_denied

    def test_offline():
        assert_decision(POLICY, action="s3:ListBucket", resource="arn:aws:s3:::protected", expected="explicitDeny")

    def test_live(embedded_aws, iam_sandbox):
        with iam_sandbox(POLICY) as session:
            s3 = session.client("s3")
            assert_allowed(s3.list_objects_v2, Bucket="dashboard")
            assert_denied(s3.list_objects_v2, Bucket="protected")

- ``iam_sandbox`` — a factory: ``with iam_sandbox(policy, **options) as session:`` gives a ``boto3.Session``
  holding credentials scoped to ``policy`` (a dict or JSON text), in a temporary role deleted afterwards;
  ``options`` are :func:`~iam_tester.temporary_iam_credentials`'s. It is handed out once the policy is seen in
  force (see :mod:`iam_tester.live.propagation`), so a denial is never IAM still propagating. It runs on the
  embedded AWS when the test also asks for ``embedded_aws``; otherwise on real AWS, which only tests marked
  ``aws`` may reach.
- ``embedded_aws`` — the embedded AWS (a moto server on 127.0.0.1, IAM enforcement on), started once per test
  session (or the one already running in the process).
- ``assert_allowed`` / ``assert_denied`` — make a call and assert AWS's decision; a failure names the call,
  AWS's error code and message, and the evaluator's prediction. ``assert_decision`` — the evaluator alone,
  offline; a failure shows the explanation tree.
- the ``aws`` marker — tests that need a real AWS account; skipped unless ``--real-aws``.

The module imports neither boto3 nor the evaluator until a fixture or helper is used: every pytest run of a
project that has iam-tester installed loads it.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import boto3

    from .embedded import EmbeddedAws
    from .engine import Evaluation
    from .live.outcome import CallOutcome
    from .policy import PolicyDocument

__all__ = ["SandboxFactory", "assert_allowed", "assert_decision", "assert_denied"]

# The type of the ``iam_sandbox`` fixture, for annotating tests.
SandboxFactory = Callable[..., AbstractContextManager["boto3.Session"]]

_REAL_AWS_OPTION = "--real-aws"
_RETRY_FIRST, _RETRY_CAP = 0.1, 0.25  # the sandbox's readiness backoff


# -- pytest hooks ---------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("iam-tester")
    group.addoption(
        _REAL_AWS_OPTION,
        action="store_true",
        default=False,
        help="run the tests marked `aws`, against the AWS account of the default boto3 session",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "aws: needs a real AWS account; skipped unless --real-aws is given")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption(_REAL_AWS_OPTION):
        return
    skip = pytest.mark.skip(reason=f"needs a real AWS account: run with {_REAL_AWS_OPTION}")
    for item in items:
        if item.get_closest_marker("aws") is not None:
            item.add_marker(skip)


# -- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def embedded_aws() -> Iterator[EmbeddedAws]:
    """The embedded AWS, started once per test session — or the one already running in this process (moto's
    enforcement switch is process-wide, so there is only ever one). Its state is shared by the tests: call
    ``embedded_aws.reset()`` for a fresh one."""
    from .embedded import EmbeddedAws

    running = EmbeddedAws.running()
    if running is not None:
        yield running
        return
    with EmbeddedAws() as aws:
        yield aws


@pytest.fixture
def iam_sandbox(request: pytest.FixtureRequest) -> SandboxFactory:
    """A factory of sandboxes: ``with iam_sandbox(policy, **options) as session:`` (see the module's docstring)."""
    if "embedded_aws" in request.fixturenames:
        aws: EmbeddedAws = request.getfixturevalue("embedded_aws")
        return lambda policy, **options: _sandbox(options.pop("session", None) or aws.session(), policy, options)
    if request.node.get_closest_marker("aws") is None:
        raise pytest.UsageError(
            f"{request.node.nodeid}: iam_sandbox would create a role in the AWS account of your default "
            "credentials: mark the test @pytest.mark.aws (it then runs only with --real-aws), or ask for the "
            "embedded_aws fixture too"
        )

    def real(policy: Mapping[str, Any] | str, **options: Any) -> AbstractContextManager[boto3.Session]:
        import boto3

        return _sandbox(options.pop("session", None) or boto3.Session(), policy, options)

    return real


# -- the sandbox ----------------------------------------------------------------------------------------


@dataclass
class _Sandbox:
    """What the helpers know of a sandbox: its policy, its credentials, and whether its policy was seen in force."""

    policy: PolicyDocument
    credentials: Any  # SandboxCredentials
    unknown_policies: bool  # managed policies or a boundary given by ARN: the evaluator cannot see them
    in_force: bool = False
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
    sandbox: _Sandbox
    prefix: str  # the service's prefix in IAM actions (its signing name: s3, elasticloadbalancing)

    def describe(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.service}.{self.operation}({arguments})"


_last = threading.local()


@contextmanager
def _sandbox(base: boto3.Session, policy: Mapping[str, Any] | str, options: dict[str, Any]) -> Iterator[boto3.Session]:
    from .live import temporary_iam_credentials
    from .policy import PolicyKind
    from .suite.live_plan import probe_predicted_allowed, with_probe_statement

    kind = PolicyKind.SESSION if options.get("session_policy") else PolicyKind.IDENTITY
    document = _document(policy, kind, "the policy given to iam_sandbox")
    unknown = bool(options.get("managed_policy_arns") or options.get("permissions_boundary_arn"))
    # A new role's policy is in force only some time after its credentials work: allow a harmless probe too,
    # and wait for it, when the evaluator says the policy would allow it (a session policy applies at once).
    sent: Any = policy
    probe = kind is PolicyKind.IDENTITY and not unknown
    if probe:
        probed = with_probe_statement(json.loads(policy) if isinstance(policy, str) else policy)
        probe = probe_predicted_allowed(probed)
        sent = probed if probe else policy
    with temporary_iam_credentials(policy_document=sent, session=base, **options) as credentials:
        record = _Sandbox(document, credentials, unknown, in_force=kind is PolicyKind.SESSION)
        if probe:
            record.in_force = _wait_for_probe(credentials, options.get("readiness_timeout") or 120.0)
        yield _scoped_session(base, credentials, record)


def _wait_for_probe(credentials: Any, timeout: float) -> bool:
    from .live.calls import timed_call
    from .live.propagation import PolicyWait, Trial, wait_until_in_force

    iam = credentials.client("iam")
    probe = Trial("probe", lambda: timed_call(iam.list_account_aliases, timeout=30.0), True, "the probe")
    return wait_until_in_force(probe, wait=PolicyWait(timeout=timeout), report=lambda stage, message: None)


def _scoped_session(base: boto3.Session, credentials: Any, record: _Sandbox) -> boto3.Session:
    """A new session signed with the scoped credentials, with the base session's region and endpoint; every
    call made through it is remembered (in this thread) for the helpers' messages."""
    import boto3
    import botocore.session

    from .live.clients import configured_endpoint_url

    core = botocore.session.Session()
    # The base session's parsed service models, shared: loading them is most of a new session's first calls.
    core.register_component("data_loader", base._session.get_component("data_loader"))
    endpoint = configured_endpoint_url(base)
    if endpoint:
        core.get_component("config_store").set_config_variable("endpoint_url", endpoint)

    def remember(**event: Any) -> None:
        params, model = event["params"], event["model"]
        service = model.service_model
        _last.call = _Call(service.service_name, model.name, dict(params), record, service.signing_name)

    core.register("provide-client-params", remember)  # the parameters as given, before botocore adds its own
    return boto3.Session(
        botocore_session=core,
        region_name=base.region_name,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


# -- assertions -----------------------------------------------------------------------------------------


def assert_allowed(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` and assert that AWS allowed it; return its result.

    An error that comes after authorization (``NoSuchKey``) counts as allowed (the result is then ``None``).
    While the sandbox's policy has not been seen in force, a denial is retried with backoff for up to two
    minutes (IAM propagating); a success marks the policy in force.
    """
    __tracebackhide__ = True
    from .live.outcome import Observed

    result, outcome, call = _attempt(fn, args, kwargs)
    if outcome.denied and call is not None and not call.sandbox.in_force:
        result, outcome, call = _retry_denials(fn, args, kwargs, outcome, call)
    if outcome.observed is Observed.ALLOWED:
        if call is not None:
            call.sandbox.in_force = True
        return result
    verdict = "was denied" if outcome.denied else "failed without a decision about authorization"
    raise AssertionError(_message(f"{_named(fn, call)} {verdict}; expected it to be allowed", outcome, call))


def assert_denied(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Call ``fn(*args, **kwargs)`` and assert that AWS denied it (either kind of deny).

    A denial counts only once the sandbox's policy has been seen in force — by the probe ``iam_sandbox``
    makes, or by an ``assert_allowed`` that passed — since a new role denies everything until then.
    """
    __tracebackhide__ = True
    _, outcome, call = _attempt(fn, args, kwargs)
    if outcome.denied:
        if call is None or call.sandbox.in_force:
            return
        raise AssertionError(
            _message(
                f"{_named(fn, call)} was denied, but that proves nothing yet: the sandbox's policy was never seen in "
                "force (its policy denies the probe iam:ListAccountAliases, or uses managed policies or a boundary "
                "by ARN); assert_allowed a call it allows first",
                outcome,
                call,
            )
        )
    verdict = "was allowed" if not outcome.failed else "failed without a decision about authorization"
    raise AssertionError(_message(f"{_named(fn, call)} {verdict}; expected a denial", outcome, call))


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
        identity=[_document(doc, PolicyKind.IDENTITY, f"policy[{i}]") for i, doc in enumerate(identity)],
        boundary=None if boundary is None else _document(boundary, PolicyKind.BOUNDARY, "boundary"),
        session=None if session_policy is None else _document(session_policy, PolicyKind.SESSION, "session_policy"),
        resource=None
        if resource_policy is None
        else _document(resource_policy, PolicyKind.RESOURCE, "resource_policy"),
    )
    request = Request(action=action, resource=resource, principal=principal or DEFAULT_PRINCIPAL, context=context or {})
    evaluation = policy_set.evaluate(request)
    if not wanted.matches(evaluation.decision):
        tree = plain_text(explanation_tree(request, evaluation.explain()))
        raise AssertionError(f"expected {wanted.value}, the evaluator decides {evaluation.decision.value}\n{tree}")
    return evaluation


# -- internals ------------------------------------------------------------------------------------------


def _document(raw: Mapping[str, Any] | str, kind: Any, name: str) -> PolicyDocument:
    from .policy import validate_policy, validate_policy_text

    if isinstance(raw, str):
        return validate_policy_text(raw, kind=kind, name=name, catalog=False).raise_for_errors()
    return validate_policy(raw, kind=kind, name=name, catalog=False).raise_for_errors()


def _attempt(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, CallOutcome, _Call | None]:
    from .live.outcome import CallOutcome, classify

    _last.call = None
    try:
        result = fn(*args, **kwargs)
        outcome = CallOutcome.success()
    except Exception as exc:  # every failure is an outcome to classify
        result, outcome = None, classify(exc)
    return result, outcome, getattr(_last, "call", None)


def _retry_denials(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], outcome: CallOutcome, call: _Call
) -> tuple[Any, CallOutcome, _Call | None]:
    deadline = time.monotonic() + 120.0
    delay = _RETRY_FIRST
    result: Any = None
    latest: _Call | None = call
    while outcome.denied and time.monotonic() < deadline:
        time.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not cryptography
        delay = min(delay * 2, _RETRY_CAP)
        result, outcome, latest = _attempt(fn, args, kwargs)
    return result, outcome, latest


def _named(fn: Callable[..., Any], call: _Call | None) -> str:
    return call.describe() if call is not None else getattr(fn, "__qualname__", repr(fn))


def _message(headline: str, outcome: CallOutcome, call: _Call | None) -> str:
    lines = [headline]
    if outcome.error is not None:
        lines.append(f"  AWS said: {outcome.error}")
    if call is not None:
        lines.append(f"  the evaluator predicts: {_prediction(call, outcome)}")
    return "\n".join(lines)


def _prediction(call: _Call, outcome: CallOutcome) -> str:
    """The evaluator's decision for the request AWS named (or the catalog's action of the same name)."""
    from .engine import PolicySet, Request
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
    evaluation = PolicySet.compile(identity=[call.sandbox.policy]).evaluate(
        Request(action=action, resource=resource, principal=caller)
    )
    note = " (managed policies and boundaries given by ARN are not seen by the evaluator)"
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
