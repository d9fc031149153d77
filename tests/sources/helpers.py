"""Helpers for the source tests: read sources into an inventory, and the example files' paths."""

from __future__ import annotations

from pathlib import Path

from iam_tester.sources import Inventory, SourcePrincipal, parse_source, read_sources

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "sources"


def inventory(*sources: str, **options: object) -> Inventory:
    """The inventory of ``sources`` (KIND:PATH), read with ``options`` (account, region, parameters)."""
    return read_sources([parse_source(text, **options) for text in sources])  # type: ignore[arg-type]


def principal(found: Inventory, ref: str) -> SourcePrincipal:
    """The principal of id or ARN ``ref``; fails the test when there is none."""
    entry = found.principal(ref)
    assert entry is not None, f"no principal {ref}: {found.principal_ids()}"
    return entry


def statements(document: object) -> list[dict[str, object]]:
    """A document's statements as a list (a single statement object is a list of one)."""
    assert isinstance(document, dict)
    found = document["Statement"]
    return found if isinstance(found, list) else [found]
