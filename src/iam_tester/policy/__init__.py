"""Policy documents: reading, the grammar, the normalised model, size limits, findings and validation
(the catalog behind it loads lazily, on the first validation that needs it)."""

from .findings import Finding, Severity
from .limits import SIZE_LIMITS, compact_json, policy_size
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
from .validate import (
    PolicySource,
    ValidationReport,
    ValidPolicy,
    load_policy_file,
    parse_policy,
    require_valid_policy,
    validate_policy,
    validate_policy_file,
    validate_policy_text,
)

__all__ = [
    "SIZE_LIMITS",
    "VERSION_2008",
    "VERSION_2012",
    "ConditionEntry",
    "Effect",
    "Finding",
    "PolicyDocument",
    "PolicyKind",
    "PolicySource",
    "Principal",
    "Severity",
    "Statement",
    "ValidPolicy",
    "ValidationReport",
    "compact_json",
    "load_policy_file",
    "parse_policy",
    "policy_size",
    "require_valid_policy",
    "validate_policy",
    "validate_policy_file",
    "validate_policy_text",
]
