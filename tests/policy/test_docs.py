"""docs/validate.md documents every finding code the validator can emit, and nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "src" / "iam_tester" / "policy"


def _documented() -> set[str]:
    text = (ROOT / "docs" / "validate.md").read_text()
    return set(re.findall(r"^\| `([a-z][a-z0-9-]+)`", text, flags=re.MULTILINE))


def test_every_corpus_code_is_documented() -> None:
    """Each code the bad-policy corpus pins down has a row in the docs."""
    index = json.loads((ROOT / "tests" / "policy" / "corpus" / "bad.index.json").read_text())["files"]
    codes = {f["code"] for entry in index.values() for f in entry["findings"]}
    assert codes - _documented() == set()


def test_every_documented_code_is_emitted_somewhere() -> None:
    """Each documented code appears in the validator's source (so the docs name no retired code)."""
    source = "\n".join(p.read_text() for p in SOURCES.glob("*.py"))
    generated = {"action-and-notaction", "resource-and-notresource", "missing-action", "missing-resource"}
    missing = {code for code in _documented() - generated if f'"{code}"' not in source}
    assert missing == set()


def test_every_emitted_code_has_a_corpus_file() -> None:
    """Every code in the docs has a policy in the corpus showing it (except an unreadable file)."""
    index = json.loads((ROOT / "tests" / "policy" / "corpus" / "bad.index.json").read_text())["files"]
    codes = {f["code"] for entry in index.values() for f in entry["findings"]}
    security = json.loads((ROOT / "tests" / "policy" / "corpus" / "security" / "index.json").read_text())
    codes |= {code for entry in security["risky"].values() for code in entry["warnings"]}
    assert _documented() - codes == {"unreadable-file"}
