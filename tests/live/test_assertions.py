"""assert_allowed / assert_denied called directly: what counts as AWS's answer, and what is the caller's own error."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from iam_tester import temporary_iam_credentials
from iam_tester.assertions import assert_allowed, assert_denied
from iam_tester.embedded import OPEN_BUCKET, PROTECTED_BUCKET

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED


@pytest.mark.parametrize("helper", [assert_allowed, assert_denied])
def test_a_call_that_is_not_callable_is_a_type_error(helper: object) -> None:
    """A string where the call should be (`"s3.list_buckets"`) raises TypeError naming the argument at once."""
    with pytest.raises(TypeError, match=r"takes the call to make .* not str 's3.list_buckets'"):
        helper("s3.list_buckets")  # type: ignore[operator]


@pytest.mark.parametrize("helper", [assert_allowed, assert_denied])
def test_an_error_of_the_callers_own_code_propagates(helper: object) -> None:
    """An exception that botocore did not raise (a bug in the caller's lambda) comes out as it is, not as
    AWS's answer."""
    with pytest.raises(ZeroDivisionError):
        helper(lambda: 1 / 0)  # type: ignore[operator]
    with pytest.raises(KeyError, match="Bucket"):
        helper(lambda params: params["Bucket"], {})  # type: ignore[operator]


def test_botocore_errors_are_the_calls_outcome() -> None:
    """A ClientError is AWS's answer and a botocore error a failure to get one: each is an assertion failure
    that quotes it."""
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListBuckets")

    def refuse() -> None:
        raise denied

    with pytest.raises(AssertionError, match="AWS said: AccessDenied: no"):
        assert_allowed(refuse)

    def unreachable() -> None:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    with pytest.raises(AssertionError, match="failed without a decision about authorization"):
        assert_denied(unreachable)

    def unreadable() -> None:
        raise ResponseParserError("Unable to parse response, invalid XML received")

    with pytest.raises(AssertionError, match="ResponseParserError: Unable to parse response"):
        assert_allowed(unreadable)


def test_an_s3_transfer_reads_as_the_answer_it_wraps(session: boto3.Session, tmp_path: Path) -> None:
    """boto3's upload_file wraps AWS's AccessDenied in S3UploadFailedError: assert_denied sees the denial."""
    upload = tmp_path / "upload.txt"
    upload.write_text("hello")
    with temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session) as credentials:
        s3 = credentials.client("s3")
        assert_allowed(s3.list_objects_v2, Bucket=OPEN_BUCKET)
        assert_denied(s3.upload_file, str(upload), OPEN_BUCKET, "upload.txt")


def test_a_call_from_a_client_of_ones_own_is_named_by_service_and_operation(session: boto3.Session) -> None:
    """A client not made by iam_sandbox records no call: the failure names it from the bound method
    (`s3.list_objects_v2(Bucket=...)`), not from botocore's internals."""
    with temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session) as credentials:
        s3 = credentials.client("s3")
        with pytest.raises(AssertionError) as caught:
            assert_allowed(s3.list_objects_v2, Bucket=PROTECTED_BUCKET)
        assert str(caught.value).startswith(
            f"s3.list_objects_v2(Bucket='{PROTECTED_BUCKET}') was denied; expected it to be allowed"
        )
        with pytest.raises(AssertionError) as caught:
            assert_denied(s3.list_objects_v2, Bucket=OPEN_BUCKET)
        assert str(caught.value).startswith(f"s3.list_objects_v2(Bucket='{OPEN_BUCKET}') was allowed")
