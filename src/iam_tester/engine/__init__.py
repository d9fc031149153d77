"""The local evaluator: AWS's policy evaluation logic, offline, with explanations as data.

Compile a :class:`PolicySet` once, then :meth:`PolicySet.evaluate` many :class:`Request` objects; each gives a
frozen :class:`Evaluation` whose :meth:`~Evaluation.explain` builds the full :class:`Explanation` on demand.
"""

from .policy_set import TRUST_ACTIONS, PolicyInput, PolicySet
from .results import (
    DEFAULT_PRINCIPAL,
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
    "DEFAULT_PRINCIPAL",
    "TRUST_ACTIONS",
    "Decision",
    "Evaluation",
    "Explanation",
    "Mismatch",
    "Outcome",
    "PolicyInput",
    "PolicySet",
    "PolicyType",
    "PolicyTypeTrace",
    "Request",
    "StatementRef",
    "StatementTrace",
]
