"""The pytest plugin, through pytester: its fixtures on the embedded AWS, its assertions and their failure
messages, the `aws` marker with --real-aws, and the example file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest

from iam_tester.embedded import EmbeddedAws

from .helpers import assert_nothing_left

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
# The inner runs need neither a cache nor hypothesis (whose plugin costs most of an inner run's start-up).
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

HEADER = """
import pytest
from iam_tester.pytest_plugin import assert_allowed, assert_decision, assert_denied
from iam_tester.testing import PropagationSimulator

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ListAnyBucket", "Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
        {"Sid": "ProtectBucket", "Effect": "Deny", "Action": "s3:List*",
         "Resource": "arn:aws:s3:::iam-tester-protected"},
        {"Sid": "Topics", "Effect": "Allow", "Action": "sns:ListTopics", "Resource": "*"},
    ],
}
"""


def _tests(pytester: pytest.Pytester, body: str) -> None:
    pytester.makepyfile(test_inner=HEADER + textwrap.dedent(body))


def test_fixtures_and_assertions_on_the_embedded_aws(
    aws: EmbeddedAws, session: boto3.Session, pytester: pytest.Pytester
) -> None:
    """iam_sandbox gives a session scoped to the policy on the embedded AWS; the assertions pass where AWS
    agrees; the sandbox is deleted afterwards."""
    _tests(
        pytester,
        """
        def test_live(embedded_aws, iam_sandbox):
            with iam_sandbox(POLICY) as session:
                arn = session.client("sts").get_caller_identity()["Arn"]
                assert arn.startswith("arn:aws:sts::123456789012:assumed-role/iam-tester-")
                s3 = session.client("s3")
                listing = assert_allowed(s3.list_objects_v2, Bucket="iam-tester-dashboard")
                assert listing["KeyCount"] == 1
                assert_denied(s3.list_objects_v2, Bucket="iam-tester-protected")
                assert_denied(s3.get_object, Bucket="iam-tester-dashboard", Key="README.txt")
                assert_allowed(session.client("sns").list_topics)

        def test_offline():
            evaluation = assert_decision(POLICY, action="s3:ListBucket", resource="arn:aws:s3:::x", expected="allowed")
            assert evaluation.decision.value == "allowed"
            assert_decision(POLICY, action="s3:ListBucket", resource="arn:aws:s3:::iam-tester-protected",
                            expected="denied")
        """,
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=2)
    assert_nothing_left(session)


def test_failure_messages_name_the_call_the_error_and_the_prediction(
    aws: EmbeddedAws, pytester: pytest.Pytester
) -> None:
    """A failed assertion names the call, AWS's error code and message, and the evaluator's prediction for
    the request AWS named (or says why it cannot predict); a failed offline assertion shows the tree."""
    _tests(
        pytester,
        """
        def test_denied_but_expected_allowed(embedded_aws, iam_sandbox):
            with iam_sandbox(POLICY) as session:
                assert_allowed(session.client("ec2").describe_regions)

        def test_allowed_but_expected_denied(embedded_aws, iam_sandbox):
            with iam_sandbox(POLICY) as session:
                assert_denied(session.client("sns").list_topics)

        def test_s3_denial_names_nothing(embedded_aws, iam_sandbox):
            with iam_sandbox(POLICY) as session:
                assert_allowed(session.client("s3").list_objects_v2, Bucket="iam-tester-protected")

        def test_offline_failure():
            assert_decision(POLICY, action="s3:ListBucket", resource="arn:aws:s3:::iam-tester-protected",
                            expected="allowed")
        """,
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: ec2.DescribeRegions() was denied; expected it to be allowed",
            "*AWS said: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/iam-tester-*"
            "is not authorized to perform: ec2:DescribeRegions",
            "*the evaluator predicts: implicitDeny: no identity-based policy allows ec2:DescribeRegions "
            "— for ec2:DescribeRegions on *",
            "*AssertionError: sns.ListTopics() was allowed; expected a denial",
            "*the evaluator predicts: allowed: Allow statement Topics in identity policy *— for sns:ListTopics on *",
            "*AssertionError: s3.ListObjectsV2(Bucket='iam-tester-protected') was denied; expected it to be allowed",
            "*AWS said: AccessDenied: Access Denied",
            "*the evaluator predicts: unknown: AWS's answer names no action and resource, and iam-tester cannot "
            "tell which IAM action s3.ListObjectsV2 needs*",
            "*AssertionError: expected allowed, the evaluator decides explicitDeny",
            "*explicitDeny: Deny statement ProtectBucket in identity policy policy[[]0[]]",
            "*Allow ListAnyBucket in policy[[]0[]]: applies*",
        ]
    )


def test_the_sandbox_is_handed_out_once_the_policy_is_in_force(aws: EmbeddedAws, pytester: pytest.Pytester) -> None:
    """With the role's policy not in force for 2 s, iam_sandbox waits (on its probe) before handing out the
    session, so a denial seen in the test is conclusive."""
    _tests(
        pytester,
        """
        import time

        def test_wait(embedded_aws, iam_sandbox):
            base = embedded_aws.session()
            simulator = PropagationSimulator(base, assume_refused_for=0, keys_refused_for=0, policy_refused_for=2.0)
            with iam_sandbox(POLICY, session=base) as session:
                (created,) = simulator.role_created_at.values()
                assert time.monotonic() - created >= 2.0
                assert simulator.policy_denials >= 1
                assert_denied(session.client("s3").list_objects_v2, Bucket="iam-tester-protected")
        """,
    )
    pytester.runpytest(*QUIET).assert_outcomes(passed=1)


def test_without_a_probe_denials_count_only_after_an_allowed_call(aws: EmbeddedAws, pytester: pytest.Pytester) -> None:
    """A policy that denies the probe is handed out at once: assert_allowed retries early denials until the call
    is allowed, and only then does assert_denied count a denial; before, it says why it proves nothing."""
    _tests(
        pytester,
        """
        from iam_tester.testing import FaultInjector

        DENY_IAM = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
        NO_PROBE = {**POLICY, "Statement": [*POLICY["Statement"], DENY_IAM]}

        def test_retried_then_conclusive(embedded_aws, iam_sandbox):
            with iam_sandbox(NO_PROBE) as session:
                faults = FaultInjector(session)  # the policy "not in force" for the first three calls
                faults.fail("s3.ListObjectsV2", code="AccessDenied", status=403, times=3)
                s3 = session.client("s3")
                assert_allowed(s3.list_objects_v2, Bucket="iam-tester-dashboard")
                assert len(faults.injected) == 3
                assert_denied(s3.list_objects_v2, Bucket="iam-tester-protected")

        def test_denial_before_the_policy_is_seen(embedded_aws, iam_sandbox):
            with iam_sandbox(NO_PROBE) as session:
                assert_denied(session.client("s3").list_objects_v2, Bucket="iam-tester-protected")
        """,
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*s3.ListObjectsV2(Bucket='iam-tester-protected') was denied, but that proves nothing yet*"]
    )


def test_a_call_after_the_sandbox_ended_says_so(aws: EmbeddedAws, pytester: pytest.Pytester) -> None:
    """A session used after its iam_sandbox block has ended (its role deleted) fails saying the sandbox has
    ended, whatever AWS answered, and is never retried as if IAM were propagating."""
    _tests(
        pytester,
        """
        def test_allowed_after(embedded_aws, iam_sandbox):
            with iam_sandbox(POLICY) as session:
                s3 = session.client("s3")
            assert_allowed(s3.list_objects_v2, Bucket="iam-tester-dashboard")

        def test_denied_after(embedded_aws, iam_sandbox):
            with iam_sandbox(POLICY) as session:
                sns = session.client("sns")
            assert_denied(sns.list_topics)
        """,
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(failed=2)
    ended = "was made after its sandbox's `with iam_sandbox(...)` block ended: its role is deleted*"
    result.stdout.fnmatch_lines(
        [f"*AssertionError: s3.ListObjectsV2(Bucket='iam-tester-dashboard') {ended}", f"*sns.ListTopics() {ended}"]
    )


def test_aws_marker_needs_real_aws(pytester: pytest.Pytester) -> None:
    """A test marked `aws` is skipped, with the reason, unless --real-aws is given."""
    _tests(
        pytester,
        """
        @pytest.mark.aws
        def test_on_real_aws():
            pass
        """,
    )
    skipped = pytester.runpytest(*QUIET, "-rs")
    skipped.assert_outcomes(skipped=1)
    skipped.stdout.fnmatch_lines(["*needs a real AWS account: run with --real-aws*"])
    pytester.runpytest(*QUIET, "--real-aws").assert_outcomes(passed=1)


def test_iam_sandbox_never_reaches_real_aws_unmarked(pytester: pytest.Pytester) -> None:
    """Without embedded_aws and without the `aws` marker, iam_sandbox refuses, saying what to do."""
    _tests(
        pytester,
        """
        def test_unmarked(iam_sandbox):
            pass
        """,
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*iam_sandbox would create a role in the AWS account of your default credentials*"])


def test_the_example_file_passes(aws: EmbeddedAws, session: boto3.Session, pytester: pytest.Pytester) -> None:
    """examples/test_policies.py, as the README runs it: two tests pass, the real-AWS one is skipped."""
    pytester.makepyfile(test_policies=(ROOT / "examples" / "test_policies.py").read_text())
    pytester.runpytest(*QUIET).assert_outcomes(passed=2, skipped=1)
    assert_nothing_left(session)


def test_loading_the_plugin_is_cheap() -> None:
    """Every pytest run of a project with iam-tester installed loads the plugin: it imports neither boto3 nor
    the evaluator until a fixture or helper is used."""
    code = (
        "import sys, iam_tester.pytest_plugin\n"
        "heavy = ('boto3', 'botocore', 'moto', 'rich', 'iam_tester.engine', 'iam_tester.policy', 'iam_tester.live')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "[]"
