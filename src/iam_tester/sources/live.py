"""``aws:`` — the account of a boto3 session, read live (read-only calls only).

The principals and managed policies come from GetAccountAuthorizationDetails, paginated, and are read exactly
as a ``gaad:`` snapshot of the same pages would be (:mod:`.gaad`); botocore decodes the URL-encoded documents.
With ``bucket_policies``, every bucket's policy is read too (ListBuckets, then GetBucketPolicy per bucket;
"NoSuchBucketPolicy" means the bucket has none). :func:`managed_policy_reader` reads one managed policy's
default version by ARN (GetPolicy, GetPolicyVersion), for the attachments other sources name but do not
define.

Permissions the caller needs: ``iam:GetAccountAuthorizationDetails``; with bucket policies,
``s3:ListAllMyBuckets`` and ``s3:GetBucketPolicy``; for managed policies read live, ``iam:GetPolicy`` and
``iam:GetPolicyVersion``. A refused call is an error naming the call and the permission, never a silently
smaller inventory; a bucket whose policy cannot be read is an unknown of that bucket.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..errors import IamTesterError
from ..policy.arns import split_arn
from ..policy.model import PolicyKind
from .build import ManagedFetcher, SourceDraft
from .gaad import snapshot_draft
from .inventory import Origin, SourcePolicy, SourceResource, Unknown
from .spec import SourceSpec

if TYPE_CHECKING:
    import boto3

__all__ = ["managed_policy_reader", "read_account"]

# Standard retry mode: throttling and 5xx retried with jittered backoff (botocore/retries/standard.py).
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})
_SOURCE = "aws:"


def read_account(spec: SourceSpec, session: boto3.Session) -> SourceDraft:
    """The draft of the session's account: every role, user, group and managed policy, and bucket policies
    when ``spec.bucket_policies``."""
    iam = session.client("iam", config=_CONFIG)
    pages = _calling(
        "iam:GetAccountAuthorizationDetails",
        lambda: list(iam.get_paginator("get_account_authorization_details").paginate()),
    )
    for page in pages:
        page.pop("ResponseMetadata", None)
    draft = snapshot_draft(pages, _SOURCE, _SOURCE)
    if not spec.bucket_policies:
        return draft
    # Buckets listed are the account's own: the account of its principals (an S3 ARN does not name it).
    owner = next((parts[4] for p in draft.principals if p.arn and (parts := split_arn(p.arn))), None)
    resources = _bucket_policies(session, owner)
    return SourceDraft(
        source=draft.source,
        principals=draft.principals,
        resources=resources,
        managed_by_arn=draft.managed_by_arn,
        managed_unknown=draft.managed_unknown,
        unplaced=draft.unplaced,
        policies=draft.policies + tuple(r.policy for r in resources if r.policy is not None),
    )


def managed_policy_reader(session: boto3.Session) -> ManagedFetcher:
    """A function reading a managed policy's default version by ARN (``None`` when there is no such policy)."""
    iam = session.client("iam", config=_CONFIG)

    def fetch(arn: str) -> SourcePolicy | None:
        try:
            policy = iam.get_policy(PolicyArn=arn)["Policy"]
            version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        except ClientError as exc:
            if _code(exc) == "NoSuchEntity":
                return None
            raise _refused("iam:GetPolicy and iam:GetPolicyVersion", exc) from None
        except BotoCoreError as exc:
            raise _failed(exc) from None
        document = version["Document"]
        if isinstance(document, str):  # botocore decodes it; a proxy that does not is still read right
            document = json.loads(document)
        origin = Origin(_SOURCE, _SOURCE, arn, f"PolicyVersion {version['VersionId']}")
        return SourcePolicy(
            name=policy["PolicyName"], kind=PolicyKind.MANAGED, document=document, origin=origin, arn=arn
        )

    return fetch


def _bucket_policies(session: boto3.Session, owner: str | None) -> tuple[SourceResource, ...]:
    """Every bucket with a policy; a bucket whose policy cannot be read carries that as an unknown."""
    s3 = session.client("s3", config=_CONFIG)
    listing = _calling("s3:ListAllMyBuckets", s3.list_buckets)
    partition = session.get_partition_for_region(session.region_name or "us-east-1")
    resources: list[SourceResource] = []
    for bucket in listing.get("Buckets", []):
        name = bucket["Name"]
        arn = f"arn:{partition}:s3:::{name}"
        try:
            text = s3.get_bucket_policy(Bucket=name)["Policy"]
        except ClientError as exc:
            if _code(exc) == "NoSuchBucketPolicy":
                continue
            gap = Unknown(arn, "policy", f"GetBucketPolicy failed: {_code(exc)}: {_message(exc)}", _SOURCE)
            resources.append(SourceResource(arn, arn, "AWS::S3::Bucket", None, (gap,), _SOURCE, account=owner))
            continue
        except BotoCoreError as exc:
            raise _failed(exc) from None
        origin = Origin(_SOURCE, _SOURCE, arn, "policy", embedded=True)
        policy = SourcePolicy(name=name, kind=PolicyKind.RESOURCE, document=json.loads(text), origin=origin)
        resources.append(SourceResource(arn, arn, "AWS::S3::Bucket", policy, (), _SOURCE, account=owner))
    return tuple(resources)


def _calling(permission: str, work: Any) -> Any:
    try:
        return work()
    except ClientError as exc:
        raise _refused(permission, exc) from None
    except BotoCoreError as exc:
        raise _failed(exc) from None


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")) or str(exc)


def _refused(permission: str, exc: ClientError) -> IamTesterError:
    return IamTesterError(
        f"reading the account (aws:) failed: {exc.operation_name}: {_code(exc)}: {_message(exc)}",
        hint=f"the credentials in use need {permission} to read the account",
    )


def _failed(exc: BotoCoreError) -> IamTesterError:
    return IamTesterError(
        f"reading the account (aws:) failed: {exc}",
        hint="check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID ...), the region and the network",
    )
