"""The live sandbox: temporary IAM roles and scoped credentials, safe for concurrent use, always cleaned up.

This package imports boto3; ``import iam_tester`` does not (its public names load this package lazily).
"""

from .compat import create_aws_client_from_credentials, create_aws_client_from_role_arn, get_underlying_role_arn
from .credentials import SandboxCredentials
from .identity import CallerIdentity, whoami
from .leftovers import Leftover, Skipped, SweepResult, sweep
from .progress import Progress
from .readiness import ReadinessSettings, wait_until_assumable
from .sandbox import temporary_iam_credentials

__all__ = [
    "CallerIdentity",
    "Leftover",
    "Progress",
    "ReadinessSettings",
    "SandboxCredentials",
    "Skipped",
    "SweepResult",
    "create_aws_client_from_credentials",
    "create_aws_client_from_role_arn",
    "get_underlying_role_arn",
    "sweep",
    "temporary_iam_credentials",
    "wait_until_assumable",
    "whoami",
]
