"""The local evaluator: AWS's policy evaluation logic, offline, with explanations as data."""

from .results import (
    Decision,
    Evaluation,
    Explanation,
    Mismatch,
    Outcome,
    PolicyType,
    PolicyTypeTrace,
    Request,
    StatementRef,
    StatementTrace,
)

__all__ = [
    "Decision",
    "Evaluation",
    "Explanation",
    "Mismatch",
    "Outcome",
    "PolicyType",
    "PolicyTypeTrace",
    "Request",
    "StatementRef",
    "StatementTrace",
]
