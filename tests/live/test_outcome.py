"""Classifying a real call's outcome across AWS's protocols: allowed, denied, which kind of deny, or nothing."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ClientError, EndpointConnectionError

from iam_tester import temporary_iam_credentials
from iam_tester.embedded import OPEN_BUCKET, PROTECTED_BUCKET
from iam_tester.live.outcome import CallOutcome, Observed, classify, classify_error, denial_kind, denied_request
from iam_tester.testing import FaultInjector

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED

WHO = "User: arn:aws:sts::111122223333:assumed-role/dev/alice is not authorized to perform:"


# The messages of the IAM User Guide, "Troubleshoot access denied error messages", one per policy type.
@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (f"{WHO} codecommit:ListRepositories because no identity-based policy allows the codecommit:"
         "ListRepositories action", Observed.IMPLICIT_DENY),
        (f"{WHO} codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* "
         "with an explicit deny in an identity-based policy", Observed.EXPLICIT_DENY),
        (f"{WHO} codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* "
         "because no permissions boundary allows the codedeploy:ListDeployments action", Observed.IMPLICIT_DENY),
        (f"{WHO} sagemaker:ListModels with an explicit deny in a permissions boundary", Observed.EXPLICIT_DENY),
        (f"{WHO} codecommit:ListRepositories because no session policy allows the codecommit:ListRepositories "
         "action", Observed.IMPLICIT_DENY),
        (f"{WHO} secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:* "
         "with an explicit deny in a resource-based policy", Observed.EXPLICIT_DENY),
        (f"{WHO} codecommit:ListRepositories because no VPC endpoint policy allows the codecommit:ListRepositories "
         "action", Observed.IMPLICIT_DENY),
        (f"{WHO} sts:AssumeRole with an explicit deny in the role trust policy", Observed.EXPLICIT_DENY),
        # "When an SCP denies access, the error message can include the phrase ... explicit deny in a Service
        # Control Policy, even if the denial is implicit": the kind is not known.
        (f"{WHO} codecommit:ListRepositories with an explicit deny in a service control policy", Observed.DENIED),
        (f"{WHO} SNS:Publish with an explicit deny in a VPC endpoint policy transitively through a service control "
         "policy", Observed.DENIED),
        ("Access Denied", Observed.DENIED),
        ("", Observed.DENIED),
    ],
)  # fmt: skip
def test_denial_kind_from_aws_messages(message: str, kind: Observed) -> None:
    """The kind of deny is read from AWS's documented phrases; an SCP's "explicit" is not trusted."""
    assert denial_kind(message) is kind


def test_denied_request_names_action_and_resource() -> None:
    """The action and resource an access-denied message names are read back (quoted or not, or absent)."""
    quoted = f'{WHO} s3:GetObject on resource: "arn:aws:s3:::reports/q1.csv" because no identity-based policy allows'
    assert denied_request(quoted) == ("s3:GetObject", "arn:aws:s3:::reports/q1.csv")
    assert denied_request(f"{WHO} sagemaker:ListModels with an explicit deny") == ("sagemaker:ListModels", None)
    assert denied_request("Access Denied") is None


@pytest.mark.parametrize(
    ("code", "status", "observed", "failed"),
    [
        ("AccessDenied", 403, Observed.DENIED, False),
        ("NoSuchKey", 404, Observed.ALLOWED, False),  # authorized, then the key was not there
        ("ResourceNotFoundException", 400, Observed.ALLOWED, False),
        ("DryRunOperation", 412, Observed.ALLOWED, False),  # EC2: "would have succeeded"
        ("InvalidClientTokenId", 403, None, True),  # authentication, not authorization
        ("SignatureDoesNotMatch", 403, None, True),
        ("ThrottlingException", 400, None, True),
        ("InternalError", 500, None, True),
        ("NotImplemented", 501, None, True),
    ],
)
def test_error_codes(code: str, status: int, observed: Observed | None, failed: bool) -> None:
    """Denial codes are denials, errors after authorization are allowed, the rest tell nothing."""
    outcome = classify_error(code, "a message", status)
    assert outcome.observed is observed
    assert outcome.failed is failed
    assert outcome.error is not None
    assert outcome.error.code == code


def test_xml_error_body_read_by_a_json_client_is_unwrapped() -> None:
    """An XML error read by a JSON-protocol client (code = the HTTP status, message = the body) is unwrapped."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error><Code>AccessDenied</Code>'
        f"<Message>{WHO} dynamodb:ListTables</Message></Error></Errors></ErrorResponse>"
    )
    outcome = classify_error("403", body, 403)
    assert outcome.observed is Observed.DENIED
    assert outcome.error is not None
    assert (outcome.error.code, outcome.error.message) == ("AccessDenied", f"{WHO} dynamodb:ListTables")
    assert classify_error("400", "<not xml", 400).observed is Observed.ALLOWED


def test_failures_before_aws_answers_tell_nothing() -> None:
    """A connection failure or a timeout is an error with no observation."""
    outcome = classify(EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
    assert (outcome.observed, outcome.failed) == (None, True)
    assert outcome.error is not None
    assert outcome.error.code == "EndpointConnectionError"
    assert CallOutcome.timed_out(2.5).error == CallOutcome.timed_out(2.5).error
    assert str(CallOutcome.timed_out(2.5).error) == "Timeout: no answer within 2.5 s"


def _offline_session() -> boto3.Session:
    """A session whose requests never leave the process: every one is answered by an injected response."""
    return boto3.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1")


def _raised(session: boto3.Session, service: str, operation: str, params: dict[str, Any]) -> ClientError:
    client = session.client(service, endpoint_url="http://127.0.0.1:9")  # type: ignore[call-overload]
    with pytest.raises(ClientError) as caught:
        getattr(client, operation)(**params)
    return caught.value


# Each protocol's error format, as the real services send it, parsed by botocore and classified.
@pytest.mark.parametrize(
    ("service", "operation", "params", "code", "message", "observed"),
    [
        ("s3", "get_object", {"Bucket": "b", "Key": "k"}, "AccessDenied",
         f'{WHO} s3:GetObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the '
         "s3:GetObject action", Observed.IMPLICIT_DENY),
        ("dynamodb", "list_tables", {}, "AccessDeniedException",
         f"{WHO} dynamodb:ListTables with an explicit deny in an identity-based policy", Observed.EXPLICIT_DENY),
        ("kms", "list_keys", {}, "AccessDeniedException", "not authorized", Observed.DENIED),
        ("lambda", "list_functions", {}, "AccessDeniedException",
         f"{WHO} lambda:ListFunctions because no session policy allows the lambda:ListFunctions action",
         Observed.IMPLICIT_DENY),
        ("ec2", "describe_instances", {}, "UnauthorizedOperation",
         f"You are not authorized to perform this operation. {WHO} ec2:DescribeInstances with an explicit deny "
         "in a permissions boundary. Encoded authorization failure message: abc", Observed.EXPLICIT_DENY),
        ("sns", "list_topics", {}, "AuthorizationError",
         f"{WHO} SNS:ListTopics because no identity-based policy allows the SNS:ListTopics action",
         Observed.IMPLICIT_DENY),
        ("iam", "list_roles", {}, "AccessDenied", f"{WHO} iam:ListRoles", Observed.DENIED),
        ("s3", "get_object", {"Bucket": "b", "Key": "k"}, "NoSuchKey", "The specified key does not exist.",
         Observed.ALLOWED),
        ("ec2", "describe_instances", {"DryRun": True}, "DryRunOperation",
         "Request would have succeeded, but DryRun flag is set.", Observed.ALLOWED),
    ],
    ids=["s3-rest-xml", "dynamodb-json", "kms-json", "lambda-rest-json", "ec2", "sns-query", "iam-query",
         "s3-no-such-key", "ec2-dry-run"],
)  # fmt: skip
def test_protocols(
    *, service: str, operation: str, params: dict[str, Any], code: str, message: str, observed: Observed
) -> None:
    """Each protocol's error, as botocore parses it, is classified by its code and message."""
    session = _offline_session()
    status = 404 if code == "NoSuchKey" else 412 if code == "DryRunOperation" else 403
    api = "".join(part.title() for part in operation.split("_"))
    FaultInjector(session).fail(f"{service}.{api}", code=code, status=status, message=message, times=0)
    error = _raised(session, service, operation, params)
    assert error.response["Error"]["Code"] == code
    outcome = classify(error)
    assert outcome.observed is observed
    assert outcome.error is not None
    assert outcome.error.message == message


def test_head_request_403_without_a_body_is_a_denial() -> None:
    """S3's HEAD answers carry no body: a bare 403 is a denial, with no kind."""
    session = _offline_session()

    def forbidden(**_: Any) -> AWSResponse:
        class Empty:
            def stream(self, **_: Any) -> Any:
                yield b""

        return AWSResponse("https://injected.invalid/", 403, HTTPHeaders(), Empty())

    session.events.register("before-send.s3.HeadObject", forbidden)  # type: ignore[arg-type]  # it answers
    error = _raised(session, "s3", "head_object", {"Bucket": "b", "Key": "k"})
    assert error.response["Error"]["Code"] == "403"
    assert classify(error).observed is Observed.DENIED


def test_embedded_aws_denials_across_services(session: boto3.Session) -> None:
    """Against the embedded AWS with enforcement on, real answers of S3, EC2, SNS, IAM, DynamoDB and KMS
    are classified: what the policy allows is allowed, the rest denied."""
    statements = [*ALLOW_LIST_EXCEPT_PROTECTED["Statement"], {"Effect": "Allow", "Action": "sns:*", "Resource": "*"}]
    policy = {"Version": "2012-10-17", "Statement": statements}
    calls = [
        ("s3", "list_objects_v2", {"Bucket": OPEN_BUCKET}, Observed.ALLOWED),
        ("s3", "list_objects_v2", {"Bucket": PROTECTED_BUCKET}, Observed.DENIED),
        ("s3", "head_object", {"Bucket": OPEN_BUCKET, "Key": "README.txt"}, Observed.DENIED),
        ("sns", "list_topics", {}, Observed.ALLOWED),
        ("ec2", "describe_instances", {}, Observed.DENIED),
        ("iam", "list_roles", {}, Observed.DENIED),
        ("dynamodb", "list_tables", {}, Observed.DENIED),
        ("kms", "list_keys", {}, Observed.DENIED),
    ]
    seen = []
    with temporary_iam_credentials(policy_document=policy, session=session) as credentials:
        for service, operation, params, _ in calls:
            try:
                getattr(credentials.client(service), operation)(**params)
                seen.append(CallOutcome.success().observed)
            except ClientError as error:
                seen.append(classify(error).observed)
    assert seen == [expected for *_, expected in calls]
