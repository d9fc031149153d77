"""Live runs of suites against the embedded AWS: observations, disagreements, propagation, errors, cleanup."""

from __future__ import annotations

import json
import os
import signal
import textwrap
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import boto3
import pytest

from iam_tester import sweep
from iam_tester.embedded import EmbeddedAws
from iam_tester.errors import AwsCallError, InvalidArgumentError, SuiteError
from iam_tester.live import Progress
from iam_tester.suite import RunResult, Status, load_suites
from iam_tester.suite.live_runner import LiveOptions, run_live
from iam_tester.testing import CallRecorder, FaultInjector, PropagationSimulator

from .helpers import assert_nothing_left
from .test_faults import numbered

SEED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ListAny", "Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
        {
            "Sid": "ProtectBucket",
            "Effect": "Deny",
            "Action": "s3:List*",
            "Resource": "arn:aws:s3:::iam-tester-protected",
        },
    ],
}
SEED_CASES = """
  - name: list the dashboard
    action: s3:ListBucket
    resource: arn:aws:s3:::iam-tester-dashboard
    expect: allowed
    call: {service: s3, operation: list_objects_v2, params: {Bucket: iam-tester-dashboard}}
  - name: list the protected bucket
    action: s3:ListBucket
    resource: arn:aws:s3:::iam-tester-protected
    expect: explicitDeny
    call: {service: s3, operation: list_objects_v2, params: {Bucket: iam-tester-protected}}
"""


def _suite(tmp_path: Path, cases: str, *, policy: dict[str, Any] | None = None, head: str = "") -> Path:
    (tmp_path / "policy.json").write_text(json.dumps(policy or SEED_POLICY))
    path = tmp_path / "live.yaml"
    path.write_text(f"name: live\npolicies:\n  identity: [policy.json]\n{head}cases:{textwrap.dedent(cases)}")
    return path


def _run(
    path: Path, session: boto3.Session, *, interrupt_at: str | None = None, **options: Any
) -> tuple[RunResult, list[Progress]]:
    """Run the suite live; with ``interrupt_at``, send a real SIGINT at the first progress step of that stage."""
    steps: list[Progress] = []
    sent: list[bool] = []

    def progress(step: Progress) -> None:
        steps.append(step)
        if step.stage == interrupt_at and not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)  # delivered to the main thread, which waits for the sandboxes

    run = run_live(load_suites([path]), session=session, options=LiveOptions(**options), progress=progress)
    return run, steps


def test_allowed_and_denied_calls_are_observed(tmp_path: Path, session: boto3.Session) -> None:
    """The seed's example, live: the dashboard is listed, the protected bucket denied, an object read denied; the
    predictions are made for the sandbox's role session and agree; nothing is left."""
    cases = (
        SEED_CASES
        + """
  - name: read an object
    action: s3:GetObject
    resource: arn:aws:s3:::iam-tester-dashboard/README.txt
    expect: implicitDeny
    call: {service: s3, operation: GetObject, params: {Bucket: iam-tester-dashboard, Key: README.txt}}
  - name: offline only
    action: s3:DeleteObject
    resource: arn:aws:s3:::iam-tester-dashboard/README.txt
    expect: denied
"""
    )
    run, _ = _run(_suite(tmp_path, cases), session)
    assert [r.status for r in run.results] == [Status.PASSED] * 4
    live = [r.live for r in run.results]
    assert [check.observed if check else None for check in live] == ["allowed", "denied", "denied", None]
    assert [check.prediction.decision.value if check else None for check in live] == [
        "allowed",
        "explicitDeny",
        "implicitDeny",
        None,
    ]
    caller = live[0].caller if live[0] else ""
    assert caller.startswith("arn:aws:sts::123456789012:assumed-role/iam-tester-")
    assert all(check.prediction.request.principal == caller for check in live if check)
    assert (run.disagreements, run.errors, run.exit_code, run.observed) == (0, 0, 0, 3)
    assert run.summary() == "4 passed, 0 failed, 0 disagreements (4 cases in 1 suite; 3 run live)"
    assert_nothing_left(session)


def test_a_condition_dependent_case_is_a_disagreement(tmp_path: Path, session: boto3.Session) -> None:
    """The embedded AWS ignores most conditions: a call the evaluator denies for its source IP is allowed
    there — a real disagreement, reported apart from the expectation and failing the run."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
            {
                "Sid": "OfficeOnly",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
            },
        ],
    }
    cases = """
  - name: list all buckets
    action: s3:ListAllMyBuckets
    resource: "*"
    expect: allowed
    call: {service: s3, operation: list_buckets}
  - name: list from outside the office
    action: s3:ListBucket
    resource: arn:aws:s3:::iam-tester-dashboard
    context: {aws:SourceIp: 198.51.100.7}
    expect: implicitDeny
    call: {service: s3, operation: list_objects_v2, params: {Bucket: iam-tester-dashboard}}
"""
    run, _ = _run(_suite(tmp_path, cases, policy=policy), session)
    agreeing, disagreeing = run.results
    assert (agreeing.status, agreeing.disagrees) == (Status.PASSED, False)
    assert disagreeing.live is not None
    assert (disagreeing.live.prediction.decision.value, disagreeing.live.observed) == ("implicitDeny", "allowed")
    assert disagreeing.disagrees
    assert disagreeing.status is Status.FAILED  # AWS's decision does not meet the expectation either
    assert (run.disagreements, run.failed, run.exit_code) == (1, 1, 1)
    assert "1 disagreement" in run.summary()


def test_simulated_propagation_gives_no_false_denies(tmp_path: Path, session: boto3.Session) -> None:
    """With the role's policy not in force for 3 s after CreateRole, the allowed call is retried until it
    succeeds, the denied call is made only after that, and nothing is falsely denied."""
    simulator = PropagationSimulator(session, assume_refused_for=0, keys_refused_for=0, policy_refused_for=3.0)
    run, steps = _run(_suite(tmp_path, SEED_CASES), session)
    assert [r.status for r in run.results] == [Status.PASSED, Status.PASSED]
    allowed, denied = (r.live for r in run.results)
    assert allowed is not None
    assert denied is not None
    assert (allowed.observed, denied.observed, denied.inconclusive) == ("allowed", "denied", False)
    assert simulator.policy_denials >= 2
    assert allowed.seconds >= 3.0
    assert any(step.stage == "retry" and "waiting for the policy to be in force" in step.message for step in steps)
    assert any(step.stage == "ready" and "the policy is in force" in step.message for step in steps)
    assert_nothing_left(session)


def test_calls_that_hang_or_fail_are_reported_as_such(tmp_path: Path, session: boto3.Session) -> None:
    """A call that hangs is reported after the call timeout; one that fails for a reason other than
    authorization is an error, not a denial; an error after authorization (NoSuchKey) is allowed."""
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    cases = """
  - name: read a missing key
    action: s3:GetObject
    resource: arn:aws:s3:::iam-tester-dashboard/missing
    expect: allowed
    call: {service: s3, operation: get_object, params: {Bucket: iam-tester-dashboard, Key: missing}}
  - name: list all buckets
    action: s3:ListAllMyBuckets
    resource: "*"
    expect: allowed
    call: {service: s3, operation: list_buckets}
  - name: read the tags
    action: s3:GetBucketTagging
    resource: arn:aws:s3:::iam-tester-dashboard
    expect: allowed
    call: {service: s3, operation: get_bucket_tagging, params: {Bucket: iam-tester-dashboard}}
"""
    release = threading.Event()
    faults = FaultInjector(session)
    faults.hang("s3.ListBuckets", until=release)
    faults.fail("s3.GetBucketTagging", code="NotImplemented", status=501, message="not here", times=0)
    try:
        run, _ = _run(_suite(tmp_path, cases, policy=policy), session, call_timeout=2.0)
    finally:
        release.set()
    missing, hung, failed = run.results
    assert missing.status is Status.PASSED
    assert missing.live is not None
    assert missing.live.observed == "allowed"
    assert missing.live.outcome.error is not None
    assert missing.live.outcome.error.code == "NoSuchKey"
    assert hung.status is Status.ERROR
    assert hung.live is not None
    assert str(hung.live.outcome.error) == "Timeout: no answer within 2 s"
    assert failed.status is Status.ERROR
    assert failed.live is not None
    assert failed.live.outcome.error is not None
    assert (failed.live.outcome.error.code, failed.live.observed) == ("NotImplemented", None)
    assert (run.errors, run.exit_code) == (2, 1)
    assert_nothing_left(session)


def test_ctrl_c_while_waiting_for_the_policy_leaves_nothing(tmp_path: Path, session: boto3.Session) -> None:
    """A real SIGINT while the run waits for the policy to be in force: the interrupt goes on, after the role
    is deleted."""
    PropagationSimulator(session, assume_refused_for=0, keys_refused_for=0, policy_refused_for=60)
    recorder = CallRecorder(session)
    with pytest.raises(KeyboardInterrupt):
        _run(_suite(tmp_path, SEED_CASES), session, interrupt_at="retry")
    assert recorder.names.count("s3.ListObjectsV2") >= 1  # it was retrying the allowed call
    assert_nothing_left(session)


def test_ctrl_c_while_sandboxes_open_leaves_nothing(tmp_path: Path, session: boto3.Session) -> None:
    """A real SIGINT while two sandboxes wait to become assumable, concurrently: both roles are deleted."""
    simulator = PropagationSimulator(session, assume_refused_for=60, keys_refused_for=0)
    cases = (
        SEED_CASES
        + """
  - name: another policy set
    action: s3:ListAllMyBuckets
    resource: "*"
    policies: {identity: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}]}
    call: {service: s3, operation: list_buckets}
"""
    )
    with pytest.raises(KeyboardInterrupt):
        _run(_suite(tmp_path, cases), session, interrupt_at="retry")  # a sandbox retrying AssumeRole
    assert len(simulator.role_created_at) >= 1
    assert_nothing_left(session)


def test_one_sandbox_per_policy_set_opened_concurrently(tmp_path: Path, session: boto3.Session) -> None:
    """Two distinct policy sets get two roles, created before either is deleted; cases sharing a set share one."""
    recorder = CallRecorder(session)
    cases = (
        SEED_CASES
        + """
  - name: everything in s3
    action: s3:ListBucket
    resource: arn:aws:s3:::iam-tester-protected
    expect: allowed
    policies: {identity: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}]}
    call: {service: s3, operation: list_objects_v2, params: {Bucket: iam-tester-protected}}
"""
    )
    run, _ = _run(_suite(tmp_path, cases), session)
    assert [r.status for r in run.results] == [Status.PASSED] * 3
    callers = {r.live.caller for r in run.results if r.live}
    assert len(callers) == 2
    names = recorder.names
    assert names.count("iam.CreateRole") == 2
    assert max(i for i, n in enumerate(names) if n == "iam.CreateRole") < names.index("iam.DeleteRole")
    assert_nothing_left(session)


def test_a_sandbox_that_fails_stops_the_others(tmp_path: Path, session: boto3.Session) -> None:
    """When one of two sandboxes cannot be set up, its error ends the run and the other is closed too."""
    FaultInjector(session).fail("iam.PutRolePolicy", code="NotImplemented", status=501, occurrence=1, times=1)
    cases = (
        SEED_CASES
        + """
  - name: everything in s3
    action: s3:ListAllMyBuckets
    resource: "*"
    policies: {identity: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}]}
    call: {service: s3, operation: list_buckets}
"""
    )
    with pytest.raises(AwsCallError, match="PutRolePolicy failed: NotImplemented"):
        _run(_suite(tmp_path, cases), session)
    assert_nothing_left(session)


def test_what_an_interrupted_cleanup_leaves_is_attached(
    aws: EmbeddedAws, tmp_path: Path, session: boto3.Session
) -> None:
    """Ctrl-C, and then AWS refuses to delete the role: the interrupt carries what is left and how to remove it."""
    PropagationSimulator(session, assume_refused_for=0, keys_refused_for=0, policy_refused_for=60)
    FaultInjector(session).fail("iam.DeleteRole", code="NotImplemented", status=501, times=0)
    with pytest.raises(KeyboardInterrupt) as caught:
        _run(_suite(tmp_path, SEED_CASES), session, interrupt_at="retry")
    notes = getattr(caught.value, "__notes__", [])
    assert any("left behind" in note and "aws iam delete-role --role-name iam-tester-" in note for note in notes)
    assert len(sweep(session=aws.session(), force=True).removed) == 1
    assert_nothing_left(session)


def test_session_policy_mode_creates_no_role(aws: EmbeddedAws, tmp_path: Path, session: boto3.Session) -> None:
    """With --session-policy the admin role is assumed with the case's policies as a session policy: no IAM
    writes and no wait. The embedded AWS does not enforce session policies, so the administrator's session is
    allowed what the policy denies — a disagreement, as AWS's own would not be."""
    recorder = CallRecorder(session)
    run, _ = _run(_suite(tmp_path, SEED_CASES), session, session_policy=True, admin_role_arn=aws.admin_role_arn)
    allowed, protected = run.results
    assert allowed.status is Status.PASSED
    assert protected.live is not None
    assert protected.live.caller.startswith("arn:aws:sts::123456789012:assumed-role/platform-admin/iam-tester-")
    assert (protected.live.prediction.decision.value, protected.live.observed) == ("explicitDeny", "allowed")
    assert protected.disagrees
    assert not [name for name in recorder.names if name.startswith("iam.")]
    assert recorder.names.count("s3.ListObjectsV2") == 2  # each call once: a session policy applies at once


def _form_bodies(session: boto3.Session, event: str) -> list[dict[str, str]]:
    """Every request body of ``event`` sent through the session, decoded (query protocol)."""
    bodies: list[dict[str, str]] = []

    def record(request: Any, **_: Any) -> None:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        bodies.append({k: v[0] for k, v in urllib.parse.parse_qs(body).items()})

    session.events.register(f"before-send.{event}", record)
    return bodies


def test_a_suites_session_policy_is_applied(tmp_path: Path, session: boto3.Session) -> None:
    """A case's session policy is passed on the sandbox's AssumeRole of the new role; its calls are made as that
    session."""
    assumed = _form_bodies(session, "sts.AssumeRole")
    head = "  session: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 's3:List*', Resource: '*'}]}\n"
    run, _ = _run(_suite(tmp_path, SEED_CASES, head=head), session)
    assert [r.status for r in run.results] == [Status.PASSED, Status.PASSED]
    with_policy = [body for body in assumed if "Policy" in body]
    assert len(with_policy) == 1
    assert json.loads(with_policy[0]["Policy"])["Statement"][0]["Action"] == "s3:List*"
    assert run.results[0].live is not None
    assert run.results[0].live.caller.startswith("arn:aws:sts::123456789012:assumed-role/iam-tester-")
    assert_nothing_left(session)


def test_a_probe_shows_the_policy_in_force_when_no_call_is_allowed(tmp_path: Path, session: boto3.Session) -> None:
    """A suite of denials only: the role's policy also allows a harmless probe, and the report says so."""
    put = _form_bodies(session, "iam.PutRolePolicy")
    cases = """
  - name: list the protected bucket
    action: s3:ListBucket
    resource: arn:aws:s3:::iam-tester-protected
    expect: explicitDeny
    call: {service: s3, operation: list_objects_v2, params: {Bucket: iam-tester-protected}}
"""
    run, _ = _run(_suite(tmp_path, cases), session)
    (result,) = run.results
    assert result.status is Status.PASSED
    assert result.live is not None
    assert result.live.inconclusive is False
    (document,) = [json.loads(body["PolicyDocument"]) for body in put]
    assert document["Statement"][-1] == {
        "Sid": "IamTesterPropagationProbe",
        "Effect": "Allow",
        "Action": "iam:ListAccountAliases",
        "Resource": "*",
    }
    assert any("iam:ListAccountAliases" in note for note in run.notes)


def test_denials_are_inconclusive_when_nothing_can_show_the_policy(tmp_path: Path, session: boto3.Session) -> None:
    """A policy that denies everything cannot show itself in force: its denials are inconclusive, said plainly,
    and do not fail the run."""
    deny_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    cases = """
  - name: list the dashboard
    action: s3:ListBucket
    resource: arn:aws:s3:::iam-tester-dashboard
    expect: denied
    call: {service: s3, operation: list_objects_v2, params: {Bucket: iam-tester-dashboard}}
"""
    run, steps = _run(_suite(tmp_path, cases, policy=deny_all), session)
    (result,) = run.results
    assert result.status is Status.INCONCLUSIVE
    assert result.ok is None
    assert (run.inconclusive, run.exit_code) == (1, 0)
    assert any("inconclusive" in note for note in run.notes)
    assert any(step.stage == "warning" and "inconclusive" in step.message for step in steps)


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        ("{service: s4, operation: list_buckets}", "service", "unknown service 's4'"),
        ("{service: s3, operation: list_bucket}", "operation", "s3 has no operation 'list_bucket'"),
        ("{service: s3, operation: list_objects_v2, params: {Bucket: 7}}", "params", "the parameters do not fit"),
        ("{service: s3, operation: list_objects_v2}", "", "Missing required parameter"),
    ],
)
def test_bad_calls_are_located_before_anything_is_created(
    tmp_path: Path, session: boto3.Session, call: str, field: str, message: str
) -> None:
    """A call that cannot be made is bad input at its place in the suite; no AWS write happens."""
    recorder = CallRecorder(session)
    path = _suite(tmp_path, f"\n  - action: s3:ListBucket\n    resource: '*'\n    call: {call}\n")
    with pytest.raises(SuiteError) as caught:
        _run(path, session)
    assert message in str(caught.value)
    assert caught.value.location.path == f"cases[0].call{'.' if field else ''}{field}"
    assert caught.value.location.line == 7
    assert recorder.names == []


def test_a_boundary_becomes_a_temporary_managed_policy(tmp_path: Path, session: boto3.Session) -> None:
    """A case's boundary is applied live as a temporary managed policy, deleted afterwards. The embedded AWS
    does not enforce boundaries: what the boundary denies is allowed there — a real disagreement."""
    recorder = CallRecorder(session)
    boundary = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
    }
    (tmp_path / "boundary.json").write_text(json.dumps(boundary))
    cases = """
  - name: list every bucket
    action: s3:ListAllMyBuckets
    resource: "*"
    expect: allowed
    call: {service: s3, operation: list_buckets}
  - name: list the dashboard
    action: s3:ListBucket
    resource: arn:aws:s3:::iam-tester-dashboard
    call: {service: s3, operation: list_objects_v2, params: {Bucket: iam-tester-dashboard}}
"""
    run, _ = _run(_suite(tmp_path, cases, head="  boundary: boundary.json\n"), session)
    every, dashboard = run.results
    assert every.status is Status.PASSED
    assert dashboard.live is not None
    assert (dashboard.live.prediction.decision.value, dashboard.live.observed) == ("implicitDeny", "allowed")
    assert "permissions boundary" in dashboard.live.prediction.summary
    assert dashboard.disagrees
    assert (recorder.names.count("iam.CreatePolicy"), recorder.names.count("iam.DeletePolicy")) == (1, 1)
    assert_nothing_left(session)


def test_a_suite_without_calls_runs_nothing_live(tmp_path: Path, session: boto3.Session) -> None:
    """Without any `call`, a live run decides offline, makes no AWS call, and says so."""
    recorder = CallRecorder(session)
    path = _suite(tmp_path, "\n  - {action: s3:ListBucket, resource: '*', expect: allowed}\n")
    run, _ = _run(path, session)
    assert (run.live, run.passed, run.notes) == (True, 1, ("no case has a `call`: nothing was run live",))
    assert recorder.names == []


# A live run of the two seed cases: every call, in order, with its occurrence number.
LIVE_RUN_CALLS = [
    ("sts.GetCallerIdentity", 1),  # who is the caller
    ("iam.CreateRole", 1),
    ("iam.PutRolePolicy", 1),
    ("sts.AssumeRole", 1),
    ("sts.GetCallerIdentity", 2),  # three readiness probes with the new credentials
    ("sts.GetCallerIdentity", 3),
    ("sts.GetCallerIdentity", 4),
    ("sts.GetCallerIdentity", 5),  # who really calls, for the predictions
    ("s3.ListObjectsV2", 1),  # the allowed call first
    ("s3.ListObjectsV2", 2),  # then the denied one
    ("iam.DeleteRolePolicy", 1),
    ("iam.DeleteRole", 1),
]
CLEANUP_CALLS = {"iam.DeleteRolePolicy", "iam.DeleteRole"}
CASE_CALLS = {"s3.ListObjectsV2"}


def test_recorded_live_run_calls_match_the_list(tmp_path: Path, session: boto3.Session) -> None:
    """A recorded live run makes exactly the calls the fault tests cover, in that order."""
    recorder = CallRecorder(session)
    _run(_suite(tmp_path, SEED_CASES), session)
    assert numbered(recorder.names) == LIVE_RUN_CALLS


@pytest.mark.parametrize(("operation", "occurrence"), LIVE_RUN_CALLS, ids=[f"{o}#{n}" for o, n in LIVE_RUN_CALLS])
def test_a_hard_error_at_any_call(tmp_path: Path, session: boto3.Session, operation: str, occurrence: int) -> None:
    """A hard error at a setup call stops the run with a typed error; at a case's call it is that case's error;
    at a cleanup call the report still comes, with the cleanup failure naming what is left. Nothing is left
    that sweep cannot name."""
    faults = FaultInjector(session)
    faults.fail(operation, code="NotImplemented", status=501, occurrence=occurrence, times=0)
    path = _suite(tmp_path, SEED_CASES)
    if operation in CASE_CALLS:
        run, _ = _run(path, session)
        assert run.errors >= 1
        assert run.exit_code == 1
    elif operation in CLEANUP_CALLS:
        run, _ = _run(path, session)
        (failure,) = run.cleanup_errors
        assert failure.left_behind
        assert run.exit_code == 1
        assert [r.status for r in run.results] == [Status.PASSED, Status.PASSED]
        return  # the role is left, and the error says how to remove it (tests/live/test_faults.py sweeps it)
    else:
        with pytest.raises(AwsCallError, match="NotImplemented"):
            _run(path, session)
    assert_nothing_left(session)


def test_a_readiness_timeout_out_of_range_is_the_callers_error(tmp_path: Path, session: boto3.Session) -> None:
    """A readiness timeout beyond 15 minutes is refused as the caller's bad argument, before anything is created,
    not blamed on the suite's first case."""
    with pytest.raises(InvalidArgumentError, match="readiness timeout must be a number of seconds in") as caught:
        _run(_suite(tmp_path, SEED_CASES), session, readiness_timeout=1200)
    assert not isinstance(caught.value, SuiteError)
    assert_nothing_left(session)
