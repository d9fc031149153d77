"""Where each part of a normalised statement sits in the document as written, for locating findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import Location
from .findings import Finding, Severity
from .model import PolicyDocument, Statement
from .sourcemap import PathPart, SourceMap, format_path

__all__ = ["Locator"]


class Locator:
    """Builds located findings for one document: JSON paths from the raw document, positions from the
    source map (none for a document given as a Python object)."""

    def __init__(self, document: PolicyDocument, source_map: SourceMap) -> None:
        self.document = document
        self.source_map = source_map
        raw = document.raw if isinstance(document.raw, dict) else {}
        self._single = isinstance(raw.get("Statement"), dict)
        statements = raw.get("Statement")
        self._raw_statements: list[Any] = (
            [statements] if isinstance(statements, dict) else statements if isinstance(statements, list) else []
        )

    def statement(self, statement: Statement) -> tuple[PathPart, ...]:
        return ("Statement",) if self._single else ("Statement", statement.index)

    def item(self, statement: Statement, element: str, index: int) -> tuple[PathPart, ...]:
        """The path of the ``index``-th value of ``element`` (a string or a list in the document)."""
        path = (*self.statement(statement), element)
        raw = self._raw(statement).get(element)
        return (*path, index) if isinstance(raw, list) else path

    def condition(self, statement: Statement, operator_text: str, key: str) -> tuple[PathPart, ...]:
        return (*self.statement(statement), "Condition", operator_text, key)

    def _raw(self, statement: Statement) -> dict[str, Any]:
        if statement.index < len(self._raw_statements) and isinstance(self._raw_statements[statement.index], dict):
            found: dict[str, Any] = self._raw_statements[statement.index]
            return found
        return {}

    def finding(
        self, severity: Severity, code: str, message: str, path: Sequence[PathPart], *, key: bool = False
    ) -> Finding:
        position = self.source_map.position(path, key=key)
        line, column = position if position else (None, None)
        return Finding(severity, code, message, Location(self.document.name, format_path(path), line, column))
