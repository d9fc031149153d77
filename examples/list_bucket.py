#!/usr/bin/env python
"""List a bucket with whatever credentials the environment holds: a command to run under `iam-tester exec`.

    uv run iam-tester exec --policy examples/policies/list-except-protected.json -- \
        python examples/list_bucket.py BUCKET

Prints the keys, or the error AWS answered (such as AccessDenied) and exits 1.
"""

from __future__ import annotations

import sys

import boto3
from botocore.exceptions import ClientError


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: list_bucket.py BUCKET", file=sys.stderr)
        return 2
    bucket = sys.argv[1]
    try:
        listing = boto3.Session().client("s3").list_objects_v2(Bucket=bucket)
    except ClientError as error:
        print(f"listing {bucket}: {error.response['Error']['Code']}", file=sys.stderr)
        return 1
    keys = [item["Key"] for item in listing.get("Contents", [])]
    print(f"listing {bucket}: {len(keys)} objects")
    for key in keys:
        print(key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
