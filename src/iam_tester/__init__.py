"""iam-tester: test AWS IAM policy documents, offline and live.

The live sandbox's names (the original ``iam_tester`` API) are importable from here, but load lazily:
``import iam_tester`` does not import boto3.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# A library does not print through the root logger's last-resort handler: its log records reach the
# application's handlers if it configures logging, and nowhere otherwise (the CLI shows what matters).
logging.getLogger("iam_tester").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from .live import (
        create_aws_client_from_credentials,
        create_aws_client_from_role_arn,
        get_underlying_role_arn,
        sweep,
        temporary_iam_credentials,
    )

__all__ = [
    "__version__",
    "create_aws_client_from_credentials",
    "create_aws_client_from_role_arn",
    "get_underlying_role_arn",
    "sweep",
    "temporary_iam_credentials",
]

# public name -> the module that defines it, imported on first use
_LAZY = {
    "create_aws_client_from_credentials": "iam_tester.live",
    "create_aws_client_from_role_arn": "iam_tester.live",
    "get_underlying_role_arn": "iam_tester.live",
    "sweep": "iam_tester.live",
    "temporary_iam_credentials": "iam_tester.live",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
