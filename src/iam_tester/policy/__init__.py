"""Policy documents: reading, the grammar, the normalised model, size limits and findings."""

from .findings import Finding, Severity
from .limits import SIZE_LIMITS, compact_json, policy_size
from .load import (
    PolicyCheck,
    check_policy,
    check_policy_file,
    check_policy_text,
    load_policy_file,
    parse_policy,
)
from .model import (
    VERSION_2008,
    VERSION_2012,
    ConditionEntry,
    Effect,
    PolicyDocument,
    PolicyKind,
    Principal,
    Statement,
)

__all__ = [
    "SIZE_LIMITS",
    "VERSION_2008",
    "VERSION_2012",
    "ConditionEntry",
    "Effect",
    "Finding",
    "PolicyCheck",
    "PolicyDocument",
    "PolicyKind",
    "Principal",
    "Severity",
    "Statement",
    "check_policy",
    "check_policy_file",
    "check_policy_text",
    "compact_json",
    "load_policy_file",
    "parse_policy",
    "policy_size",
]
