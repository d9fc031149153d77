"""What a request must look like before it is decided: one concrete action, a resource ARN or ``"*"``, and
(in :mod:`.principals`) a caller IAM can authorize.

An AWS request always names one action (``service:Name``, no wildcards) and a resource ARN, or ``*`` for
actions that take no resource ("IAM JSON policy elements: Resource"). Anything else — an empty string, a
bare bucket name, an ARN cut short — would be decided against nothing AWS ever sees, so it is refused with
:class:`~iam_tester.errors.InvalidArgumentError` rather than silently matched (``Resource: "*"`` matches
``"garbage"`` too). Spaces and other characters inside an ARN are allowed: S3 object keys may hold them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..errors import InvalidArgumentError
from ..policy.describe import shown

__all__ = [
    "ACTION",
    "checked_action",
    "checked_resource",
    "checked_text",
    "is_request_resource",
    "matched_resource",
]

ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9_-]+\Z")


def checked_text(value: object, what: str) -> str:
    """``value`` when it is a string; an :class:`InvalidArgumentError` naming ``what`` otherwise."""
    if isinstance(value, str):
        return value
    raise InvalidArgumentError(f"the request's {what} must be a string, not {shown(value)}")


@lru_cache(maxsize=1024)
def checked_action(action: str) -> str:
    """The action, lower-cased for matching; raises when it is not one concrete ``service:Action``."""
    if not ACTION.match(action):
        raise InvalidArgumentError(
            f"action {shown(action)} is not of the form service:Action (one action, no wildcards)",
            hint="for example s3:GetObject",
        )
    return action.lower()


def is_request_resource(resource: str) -> bool:
    """Whether ``resource`` is ``"*"`` or an ARN (``arn:partition:service:region:account:resource``)."""
    return resource == "*" or (resource.startswith("arn:") and resource.count(":") >= 5)


def checked_resource(resource: str) -> str:
    """The resource, when :func:`is_request_resource`; an :class:`InvalidArgumentError` saying why not."""
    if is_request_resource(resource):
        return resource
    raise InvalidArgumentError(
        f'resource {shown(resource)} is neither an ARN nor "*"',
        hint='give the full ARN (arn:aws:s3:::bucket/key), or "*" for an action that takes no resource',
    )


def matched_resource(action: str, resource: str, partition: str | None) -> str:
    """What a statement's Resource patterns are matched against for ``action`` (lower-cased) on ``resource``.

    Amazon S3 authorizes ``s3:ListAllMyBuckets`` (which takes no resource ARN) on the ARN of S3 itself,
    ``arn:aws:s3:::``: AWS's own examples grant it with ``"Resource": "arn:aws:s3:::*"`` and that works (Amazon
    S3 User Guide, "Controlling access to a bucket with user policies", the console statement). So its ``*``
    request is matched as that ARN: ``*`` and ``arn:aws:s3:::*`` match it, a bucket's ARN does not. Only
    this action: AWS documents no such grant for S3's other account-level actions (S3 Control's).
    """
    if resource == "*" and action in _S3_ITSELF_ACTIONS:
        return f"arn:{partition or 'aws'}:s3:::"
    return resource


_S3_ITSELF_ACTIONS = frozenset({"s3:listallmybuckets"})
"""The actions (lower-cased) a ``*`` request of which is matched as ``arn:aws:s3:::`` (see matched_resource)."""
