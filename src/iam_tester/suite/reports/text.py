"""The human report: a table per suite (case, expected, got, why), every failure explained, a summary.

A live run's table has the evaluator's prediction and AWS's observed decision side by side, with AWS's
message for a denial; every case that failed, disagreed or ended in an error is then shown in full.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..._text import printable
from ...engine.results import Evaluation
from ...engine.tree import DECISION_STYLES, explanation_tree, reason, ref_text
from ..results import CaseResult, RunResult, Status

__all__ = ["render_text", "summary_line"]

_STATUS = {
    Status.PASSED: Text("pass", style="green"),
    Status.FAILED: Text("FAIL", style="bold red"),
    Status.UNCHECKED: Text("-", style="dim"),
    Status.ERROR: Text("ERROR", style="bold red"),
    Status.INCONCLUSIVE: Text("?", style="bold yellow"),
}
_OBSERVED_STYLES = {
    "allowed": "bold green",
    "explicitDeny": "bold red",
    "implicitDeny": "bold yellow",
    "denied": "bold yellow",
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
    table = _live_table if run.live else _table
    for suite in run.suites:
        out.append(table(suite.name, suite.path, by_suite.get(id(suite), [])))
    if run.live:
        out.extend(_live_details(run))
    else:
        failures = [r for r in run.results if r.status is Status.FAILED]
        if failures:
            out.append(Rule(Text(f"{len(failures)} failed", style="bold red")))
            out.extend(_failure(result) for result in failures)
    out.append(summary_line(run))
    return out


def summary_line(run: RunResult) -> Text:
    """The run's summary, red when something failed, green otherwise."""
    return Text(run.summary(), style="bold red" if run.exit_code else "bold green")


def _table(name: str, path: str, results: list[CaseResult]) -> Table:
    table = _new_table(name, path, ["expected", "got"])
    for result in results:
        decision = result.evaluation.decision
        table.add_row(
            _STATUS[result.status],
            Text(printable(result.case.name)),
            _expected(result),
            Text(decision.value, style=DECISION_STYLES[decision]),
            Text(_because(result.evaluation)),
        )
    return table


def _live_table(name: str, path: str, results: list[CaseResult]) -> Table:
    table = _new_table(name, path, ["expected", "predicted", "observed"])
    for result in results:
        check = result.live
        predicted = check.prediction.decision if check is not None else result.evaluation.decision
        status = _STATUS[result.status]
        if result.disagrees:
            status = Text.assemble(status, "\n", ("DISAGREE", "bold magenta"))
        table.add_row(
            status,
            Text(printable(result.case.name)),
            _expected(result),
            Text(predicted.value, style=DECISION_STYLES[predicted]),
            _observed(result),
            Text(_live_because(result)),
        )
    return table


def _new_table(name: str, path: str, decisions: list[str]) -> Table:
    table = Table(title=Text(printable(f"{name} ({path})"), style="bold"), title_justify="left", expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("case")
    for column in decisions:
        table.add_column(column, no_wrap=True)
    table.add_column("because")
    return table


def _expected(result: CaseResult) -> Text:
    expect = result.case.expect
    return Text(expect.value if expect else "-", style="" if expect else "dim")


def _observed(result: CaseResult) -> Text:
    check = result.live
    if check is None:
        return Text("offline", style="dim")
    if check.observed is None:
        return Text("error", style="bold red")
    text = Text(check.observed, style=_OBSERVED_STYLES[check.observed])
    if check.inconclusive:
        text.append(" (too early?)", style="yellow")
    return text


def _because(evaluation: Evaluation) -> str:
    if not evaluation.deciding:
        return reason(evaluation.decision, evaluation.summary)
    more = len(evaluation.deciding) - 1
    return ref_text(evaluation.deciding[0]) + (f" (+{more} more)" if more else "")


def _live_because(result: CaseResult) -> str:
    """For a call that failed or was denied, AWS's own words; otherwise the evaluator's reason."""
    check = result.live
    if check is None:
        return _because(result.evaluation)
    if check.outcome.error is not None:
        return printable(f"AWS: {check.outcome.error}")
    return _because(check.prediction)


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


def _live_details(run: RunResult) -> list[RenderableType]:
    """Each case that failed, disagreed or ended in an error, in full; then the run's notes."""
    shown = [r for r in run.results if r.status in {Status.FAILED, Status.ERROR} or r.disagrees]
    out: list[RenderableType] = []
    if shown:
        counts = [(run.failed, "failed"), (run.disagreements, "disagreeing"), (run.errors, "in error")]
        title = ", ".join(f"{count} {what}" for count, what in counts if count)
        out.append(Rule(Text(title, style="bold red")))
        out.extend(_live_case(result) for result in shown)
    for note in run.notes:
        out.append(Text.assemble(("note: ", "bold"), printable(note)))
    return out


def _live_case(result: CaseResult) -> RenderableType:
    case, check = result.case, result.live
    assert check is not None  # noqa: S101 - only live cases fail, disagree or err in a live run
    labels = []
    if result.status is Status.FAILED:
        labels.append(("FAIL", "bold red"))
    if result.disagrees:
        labels.append(("DISAGREE", "bold magenta"))
    if result.status is Status.ERROR:
        labels.append(("ERROR", "bold red"))
    header = Text()
    for label, style in labels:
        header.append(f"{label} ", style=style)
    header.append(printable(case.name), style="bold")
    header.append(printable(f" ({case.location}): "))
    expect = case.expect.value if case.expect else None
    predicted = check.prediction.decision.value
    if check.observed is None:
        header.append(f"the call told nothing about authorization (predicted {predicted})")
    else:
        header.append(f"AWS decided {check.observed}, the evaluator predicted {predicted}")
        if expect is not None:
            header.append(f", expected {expect}")
    assert case.call is not None  # noqa: S101 - a live case has a call
    lines: list[RenderableType] = [
        header,
        Text.assemble(("  call: ", "dim"), printable(f"{case.call.describe()} as {check.caller}")),
    ]
    if check.outcome.error is not None:
        lines.append(Text.assemble(("  AWS said: ", "dim"), printable(str(check.outcome.error))))
    if result.disagrees:
        lines.append(
            Text(
                "  the evaluator and AWS differ: a condition, an SCP, a resource policy or the real resource may not "
                "be what the suite says (or the evaluator is wrong: please report it)",
                style="italic",
            )
        )
    if check.observed is not None:
        lines.append(explanation_tree(check.prediction.request, check.prediction.explain()))
    lines.append(Text(""))
    return Group(*lines)
