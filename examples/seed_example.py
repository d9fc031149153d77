#!/usr/bin/env python
"""The original tool's example, on iam-tester: a policy that allows listing any bucket except one.

It creates a temporary role with the policy, gets its credentials, and checks that listing one bucket
is allowed while listing the protected one is denied — then everything is deleted.

    uv run python examples/seed_example.py

With no endpoint configured (no ``AWS_ENDPOINT_URL``), it starts the embedded AWS (a local moto server)
and uses its buckets. Against an account, set the buckets (and, optionally, the admin role to act as):

    AWS_PROFILE=... EXAMPLE_OPEN_BUCKET=... EXAMPLE_PROTECTED_BUCKET=... \\
    EXAMPLE_REAL_AWS=1 uv run python examples/seed_example.py
"""

from __future__ import annotations

import os
import sys

import boto3
from botocore.exceptions import ClientError

from iam_tester import create_aws_client_from_credentials, temporary_iam_credentials
from iam_tester.embedded import OPEN_BUCKET, PROTECTED_BUCKET, EmbeddedAws


def run(session: boto3.Session, *, open_bucket: str, protected_bucket: str, admin_role_arn: str | None = None) -> None:
    """The seed's example: List* everywhere, except the protected bucket."""
    policy_document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:List*", "Resource": f"arn:aws:s3:::{protected_bucket}"},
        ],
    }
    with temporary_iam_credentials(
        policy_document=policy_document, admin_role_arn=admin_role_arn, session=session
    ) as credentials:
        s3_client = create_aws_client_from_credentials("s3", credentials=credentials)

        # The caller may list everything; the temporary role may list any bucket but the protected one.
        s3_client.list_objects_v2(Bucket=open_bucket)
        print(f"listing {open_bucket}: allowed")

        try:
            s3_client.list_objects_v2(Bucket=protected_bucket)
        except ClientError as error:
            if error.response["Error"]["Code"] != "AccessDenied":
                raise
            print(f"listing {protected_bucket}: denied, as the policy says")
        else:
            raise AssertionError(f"listing {protected_bucket} did not fail!")


def main() -> int:
    if os.environ.get("EXAMPLE_REAL_AWS") or os.environ.get("AWS_ENDPOINT_URL"):
        run(
            boto3.Session(),
            open_bucket=os.environ.get("EXAMPLE_OPEN_BUCKET", OPEN_BUCKET),
            protected_bucket=os.environ.get("EXAMPLE_PROTECTED_BUCKET", PROTECTED_BUCKET),
            admin_role_arn=os.environ.get("EXAMPLE_ADMIN_ROLE_ARN"),
        )
        return 0
    print("no AWS endpoint configured: starting the embedded AWS", file=sys.stderr)
    with EmbeddedAws() as aws:
        run(aws.session(), open_bucket=OPEN_BUCKET, protected_bucket=PROTECTED_BUCKET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
