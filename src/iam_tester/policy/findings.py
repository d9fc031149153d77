"""Findings: what validation says about a policy, as data."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from ..errors import Location

__all__ = ["Finding", "Severity"]


class Severity(enum.Enum):
    ERROR = "error"  # IAM would reject the document, or the tool cannot use it
    WARNING = "warning"  # accepted, but almost certainly not what was meant
    SUGGESTION = "suggestion"  # fine, could be clearer


@dataclass(frozen=True)
class Finding:
    """One problem: its severity, a stable code, a message saying what to do, and where it is."""

    severity: Severity
    code: str
    message: str
    location: Location

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value} [{self.code}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data (the shape of ``validate --format json``'s findings)."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
        }
