"""An :class:`~iam_tester.engine.Explanation` as a readable rich Tree (for ``explain`` and failures).

Everything shown comes from the explanation's data; nothing is re-derived. Data is put into
:class:`rich.text.Text` objects, never into markup, so ARNs and ``[0]`` paths print as written, and
through :func:`printable`, so a control character in a suite (an escape sequence in a case name, a
newline in an ARN) is shown as ``\x1b`` or ``\n`` instead of being sent to the terminal.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from .._text import printable
from .results import (
    Decision,
    Explanation,
    Mismatch,
    Outcome,
    PolicyTypeTrace,
    Request,
    StatementRef,
    StatementTrace,
)

__all__ = ["DECISION_STYLES", "explanation_tree", "plain_text", "reason", "ref_text"]

DECISION_STYLES = {
    Decision.ALLOWED: "bold green",
    Decision.EXPLICIT_DENY: "bold red",
    Decision.IMPLICIT_DENY: "bold yellow",
}
_OUTCOMES = {
    Outcome.ALLOW: ("allows", "green"),
    Outcome.DENY: ("denies", "red"),
    Outcome.NO_MATCH: ("no statement applies", "yellow"),
}


def ref_text(ref: StatementRef) -> str:
    """One statement, briefly: ``Deny DenyInfra in identity policy dev.json (level 0)``."""
    level = f" (level {ref.level})" if ref.level is not None else ""
    return printable(f"{ref.effect.value} {ref.statement} in {ref.policy_type.value} policy {ref.policy}{level}")


def reason(decision: Decision, summary: str) -> str:
    """The summary without a leading ``"<decision>: "`` (reports show the decision on its own)."""
    prefix = f"{decision.value}: "
    return printable(summary[len(prefix) :] if summary.startswith(prefix) else summary)


def explanation_tree(request: Request | None, explanation: Explanation) -> Tree:
    """The decision at the root; then the request (when given), the deciding statements, each policy type, the
    context."""
    decision = explanation.decision
    root = Tree(Text.assemble((decision.value, DECISION_STYLES[decision]), ": ", reason(decision, explanation.summary)))
    if request is not None:
        asked = root.add(Text("request", style="bold"))
        for label, value in _request_rows(request):
            asked.add(Text.assemble((f"{label}: ", "dim"), printable(value)))
    if explanation.deciding:
        decided = root.add(Text("decided by", style="bold"))
        for ref in explanation.deciding:
            decided.add(Text(ref_text(ref), style=DECISION_STYLES[decision]))
    deciding = set(explanation.deciding)
    for trace in explanation.policies:
        _add_policy_type(root, trace, deciding)
    if explanation.context:
        context = root.add(Text("context (given and derived)", style="bold"))
        for key, values in explanation.context:
            context.add(Text.assemble((f"{printable(key)}: ", "dim"), _values(values)))
    return root


def plain_text(tree: Tree, *, width: int = 120) -> str:
    """The tree rendered without colour, for JUnit failure bodies and files."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False, soft_wrap=False).print(tree)
    return buffer.getvalue()


def _request_rows(request: Request) -> list[tuple[str, str]]:
    rows = [("action", request.action), ("resource", request.resource), ("principal", request.principal)]
    if request.resource_account is not None:
        rows.append(("resource account", request.resource_account))
    return rows


def _add_policy_type(root: Tree, trace: PolicyTypeTrace, deciding: set[StatementRef]) -> None:
    words, style = _OUTCOMES[trace.outcome]
    name = trace.policy_type.value + (f" level {trace.level}" if trace.level is not None else "")
    branch = root.add(Text.assemble((name, "bold"), ": ", (words, style)))
    if trace.note:
        branch.add(Text(f"note: {printable(trace.note)}", style="italic"))
    for statement in trace.statements:
        _add_statement(branch, statement, statement.ref in deciding)


def _add_statement(branch: Tree, statement: StatementTrace, is_deciding: bool) -> None:
    ref = statement.ref
    label = Text.assemble(
        (f"{ref.effect.value} ", "red" if ref.effect.value == "Deny" else "green"),
        (printable(ref.statement), "bold" if is_deciding else ""),
        (f" in {printable(ref.policy)}", "dim"),
        ": ",
        ("applies", "bold") if statement.applies else ("does not apply", "dim"),
    )
    if is_deciding:
        label.append("  <- decided", style="bold")
    node = branch.add(label)
    for mismatch in statement.mismatches:
        _add_mismatch(node, mismatch)


def _add_mismatch(node: Tree, mismatch: Mismatch) -> None:
    what = mismatch.element
    if mismatch.operator is not None and mismatch.key is not None:
        what = f"{mismatch.element} {mismatch.operator} {mismatch.key}"
    child = node.add(Text.assemble((f"{printable(what)}: ", "bold"), printable(mismatch.message)))
    if mismatch.key is not None:
        child.add(Text.assemble(("policy values: ", "dim"), _values(mismatch.policy_values)))
        if mismatch.request_values is None:
            child.add(Text.assemble(("request values: ", "dim"), ("the key is missing", "italic")))
        else:
            child.add(Text.assemble(("request values: ", "dim"), _values(mismatch.request_values)))
    for variable, value in mismatch.variables:
        shown = ("unresolved (matches nothing)", "italic") if value is None else (printable(value), "")
        written = variable if variable.startswith("${") else f"${{{variable}}}"
        child.add(Text.assemble((f"{printable(written)} = ", "dim"), shown))


def _values(values: Sequence[str]) -> str:
    if not values:
        return "(no values)"
    return ", ".join(repr(v) if (not v or v != v.strip()) else printable(v) for v in values)
