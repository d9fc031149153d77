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

    @property
    def where(self) -> str:
        """``file:line:column`` (the parts known), as editors and CI annotators read it."""
        where = self.location.source
        if self.location.line is not None:
            where += f":{self.location.line}:{self.location.column or 1}"
        return where

    @property
    def label(self) -> str:
        """``severity [code]``."""
        return f"{self.severity.value} [{self.code}]"

    @property
    def detail(self) -> str:
        """The message, followed by the JSON path when there is one."""
        return f"{self.message} (at {self.location.path})" if self.location.path else self.message

    def __str__(self) -> str:
        """The one line every command prints a finding as: ``file:line:column: severity [code] message (at
        path)``."""
        return f"{self.where}: {self.label} {self.detail}"

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
