"""The explanation tree moved to :mod:`iam_tester.engine.tree` (an :class:`~iam_tester.engine.Explanation`
renders itself as text); this name stays for code that imports it from here."""

from ..._text import printable
from ...engine.tree import DECISION_STYLES, explanation_tree, plain_text, reason, ref_text

__all__ = ["DECISION_STYLES", "explanation_tree", "plain_text", "printable", "reason", "ref_text"]
