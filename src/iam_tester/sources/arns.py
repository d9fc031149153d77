"""ARNs the source readers build from what a source names instead (one place for each rule)."""

from __future__ import annotations

import re

__all__ = ["queue_arn"]

# https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (.amazonaws.com.cn in China): Amazon SQS Developer Guide,
# "Amazon SQS queue and message identifiers".
_QUEUE_URL = re.compile(r"https://sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(\d{12})/([^/?#]+)\Z")


def queue_arn(url: str, partition: str) -> str | None:
    """The ARN of the queue at ``url`` (``arn:PARTITION:sqs:REGION:ACCOUNT:NAME``), or ``None`` if it is not a
    queue URL."""
    match = _QUEUE_URL.match(url)
    if match is None:
        return None
    region, account, name = match.groups()
    return f"arn:{partition}:sqs:{region}:{account}:{name}"
