"""Size limits of policy documents, by where the document goes.

Source: IAM User Guide, "IAM and AWS STS quotas"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): IAM does not count white
space towards these limits. Organizations policy limits: "Quotas and service limits for AWS Organizations".
Session policies: STS AssumeRole, "Policy" parameter (2,048 characters of plaintext; a separate
packed-size limit is reported back by AWS as ``PackedPolicySize``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .model import PolicyKind

__all__ = ["SIZE_LIMITS", "compact_json", "policy_size"]

SIZE_LIMITS: dict[PolicyKind, int | None] = {
    PolicyKind.IDENTITY: 10_240,  # all inline policies of one role, together
    PolicyKind.USER: 2_048,  # all inline policies of one user, together
    PolicyKind.GROUP: 5_120,  # all inline policies of one group, together
    PolicyKind.MANAGED: 6_144,
    PolicyKind.BOUNDARY: 6_144,  # a boundary is a managed policy
    PolicyKind.TRUST: 2_048,  # default quota; can be raised to 4,096
    PolicyKind.SESSION: 2_048,
    PolicyKind.SCP: 5_120,
    PolicyKind.RCP: 5_120,
    PolicyKind.RESOURCE: None,  # each service sets its own (an S3 bucket policy: 20 KB)
}

_WHITESPACE = re.compile(r"\s+")


def compact_json(document: Any) -> str:
    """The document as the tool sends it to AWS: JSON without insignificant white space."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def policy_size(document: Any) -> int:
    """The size IAM measures: characters of the JSON text, white space not counted."""
    return len(_WHITESPACE.sub("", compact_json(document)))
