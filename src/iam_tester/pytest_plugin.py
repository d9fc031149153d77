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
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from .assertions import (
    SandboxRecord,
    assert_allowed,
    assert_decision,
    assert_denied,
    optional_document,
    policy_document,
    remember_calls,
)

if TYPE_CHECKING:
    import boto3

    from .embedded import EmbeddedAws

__all__ = ["SandboxFactory", "assert_allowed", "assert_decision", "assert_denied"]

# The type of the ``iam_sandbox`` fixture, for annotating tests.
SandboxFactory = Callable[..., AbstractContextManager["boto3.Session"]]

_REAL_AWS_OPTION = "--real-aws"


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
        return lambda policy, **options: _sandbox(aws.session, policy, options)
    if request.node.get_closest_marker("aws") is None:
        raise pytest.UsageError(
            f"{request.node.nodeid}: iam_sandbox would create a role in the AWS account of your default "
            "credentials: mark the test @pytest.mark.aws (it then runs only with --real-aws), or ask for the "
            "embedded_aws fixture too"
        )

    def real(policy: Mapping[str, Any] | str, **options: Any) -> AbstractContextManager[boto3.Session]:
        import boto3

        return _sandbox(boto3.Session, policy, options)

    return real


# -- the sandbox ----------------------------------------------------------------------------------------


@contextmanager
def _sandbox(
    default_session: Callable[[], boto3.Session], policy: Mapping[str, Any] | str, options: dict[str, Any]
) -> Iterator[boto3.Session]:
    from .engine import PolicySet
    from .errors import InvalidArgumentError
    from .live import temporary_iam_credentials
    from .live.inputs import ARGUMENT_TYPES, check_argument_types
    from .policy import PolicyKind
    from .suite.live_plan import probe_predicted_allowed, with_probe_statement

    # The options are read below before temporary_iam_credentials sees them: check them first, as it does.
    strange = [name for name in options if name not in ARGUMENT_TYPES or name == "policy_document"]
    if strange:
        raise InvalidArgumentError(
            f"iam_sandbox has no option {strange[0]!r}",
            hint="the policy is its first argument; the options are temporary_iam_credentials's keyword arguments",
        )
    check_argument_types({"policy_document": policy, **options})
    given = options.pop("session", None)
    base = given if given is not None else default_session()
    kind = PolicyKind.SESSION if options.get("session_policy") else PolicyKind.IDENTITY
    document = policy_document(policy, kind, "the policy given to iam_sandbox")
    boundary = optional_document(options.get("permissions_boundary_document"), PolicyKind.BOUNDARY, "the boundary")
    session = (
        document
        if kind is PolicyKind.SESSION
        else optional_document(options.get("session_policy_document"), PolicyKind.SESSION, "the session policy")
    )
    identity = [document] if kind is PolicyKind.IDENTITY else []
    known = PolicySet.compile(identity=identity, boundary=boundary, session=session)
    # With session_policy=True the admin role's own policies decide too; the evaluator never sees them.
    unknown = bool(options.get("managed_policy_arns") or options.get("permissions_boundary_arn")) or (
        kind is PolicyKind.SESSION
    )
    # A new role's policy is in force only some time after its credentials work: allow a harmless probe too,
    # and wait for it, when the evaluator says the policy would allow it (a session policy applies at once).
    sent: Any = policy
    probe = kind is PolicyKind.IDENTITY and not unknown
    if probe:
        probed = with_probe_statement(json.loads(policy) if isinstance(policy, str) else policy)
        probe = probe_predicted_allowed(probed, boundary=boundary, session=session)
        sent = probed if probe else policy
    with temporary_iam_credentials(policy_document=sent, session=base, **options) as credentials:
        record = SandboxRecord(known, credentials, unknown, in_force=kind is PolicyKind.SESSION)
        if probe:
            record.in_force = _wait_for_probe(credentials, options.get("readiness_timeout") or 120.0)
        try:
            yield _scoped_session(base, credentials, record)
        finally:
            record.ended = True


def _wait_for_probe(credentials: Any, timeout: float) -> bool:
    from .live.calls import timed_call
    from .live.propagation import PolicyWait, Trial, wait_until_in_force

    iam = credentials.client("iam")
    probe = Trial("probe", lambda: timed_call(iam.list_account_aliases, timeout=30.0), True, "the probe")
    return wait_until_in_force(probe, wait=PolicyWait(timeout=timeout), report=lambda stage, message: None)


def _scoped_session(base: boto3.Session, credentials: Any, record: SandboxRecord) -> boto3.Session:
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

    remember_calls(core, record)
    return boto3.Session(
        botocore_session=core,
        region_name=base.region_name,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
