"""The human report: a table per suite (case, expected, got, why), every failure explained, a summary."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ...engine.tree import DECISION_STYLES, explanation_tree, printable, reason, ref_text
from ..results import CaseResult, RunResult, Status

__all__ = ["render_text", "summary_line"]

_STATUS = {
    Status.PASSED: Text("pass", style="green"),
    Status.FAILED: Text("FAIL", style="bold red"),
    Status.UNCHECKED: Text("-", style="dim"),
}


def render_text(run: RunResult, console: Console) -> None:
    """Print the whole report to ``console``."""
    for renderable in text_report(run):
        console.print(renderable)


def text_report(run: RunResult) -> list[RenderableType]:
    """The report as rich renderables, in print order."""
    out: list[RenderableType] = []
    by_suite: dict[int, list[CaseResult]] = {}
    for result in run.results:
        by_suite.setdefault(id(result.suite), []).append(result)
    for suite in run.suites:
        out.append(_table(suite.name, suite.path, by_suite.get(id(suite), [])))
    failures = [r for r in run.results if r.status is Status.FAILED]
    if failures:
        out.append(Rule(Text(f"{len(failures)} failed", style="bold red")))
        out.extend(_failure(result) for result in failures)
    out.append(summary_line(run))
    return out


def summary_line(run: RunResult) -> Text:
    """The run's summary, red when something failed, green otherwise."""
    return Text(run.summary(), style="bold red" if run.failed else "bold green")


def _table(name: str, path: str, results: list[CaseResult]) -> Table:
    table = Table(title=Text(printable(f"{name} ({path})"), style="bold"), title_justify="left", expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("case")
    table.add_column("expected", no_wrap=True)
    table.add_column("got", no_wrap=True)
    table.add_column("because")
    for result in results:
        decision = result.evaluation.decision
        expect = result.case.expect
        table.add_row(
            _STATUS[result.status],
            Text(printable(result.case.name)),
            Text(expect.value if expect else "-", style="" if expect else "dim"),
            Text(decision.value, style=DECISION_STYLES[decision]),
            Text(_because(result)),
        )
    return table


def _because(result: CaseResult) -> str:
    deciding = result.evaluation.deciding
    if not deciding:
        return reason(result.evaluation.decision, result.evaluation.summary)
    more = len(deciding) - 1
    return ref_text(deciding[0]) + (f" (+{more} more)" if more else "")


def _failure(result: CaseResult) -> RenderableType:
    case = result.case
    expect = case.expect.value if case.expect else "-"
    header = Text.assemble(
        ("FAIL ", "bold red"),
        (printable(case.name), "bold"),
        printable(f" ({case.location}): expected {expect}, got "),
        (result.evaluation.decision.value, DECISION_STYLES[result.evaluation.decision]),
    )
    return Group(header, explanation_tree(result.evaluation.request, result.evaluation.explain()), Text(""))
