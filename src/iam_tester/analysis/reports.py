"""Text and SARIF renderings of the analyses' results (they only read the results)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from .. import __version__
from .._text import count
from ..engine import Request
from ..engine.results import StatementRef
from ..policy.catalog import Catalog
from .results import AccessReport, ActionAccess, DiffReport, ExposureReport, Finding

__all__ = ["access_summary", "access_text", "diff_sarif", "diff_text", "exposure_text"]

_LEVELS = ("List", "Read", "Write", "Tagging", "Permissions management")
_SHOWN = 8  # action names listed before "and N more"


def _context(context: object) -> str:
    if not context:
        return "no context keys"
    pairs = dict(context)  # type: ignore[call-overload]
    return ", ".join(f"{k}={v if isinstance(v, str) else list(v)}" for k, v in pairs.items())


def _when(conditions: dict[str, dict[str, list[str]]]) -> str:
    """A Condition block as one line: ``StringLike aws:PrincipalTag/team fin*; Bool aws:SecureTransport true``."""
    return "; ".join(
        f"{operator} {key} {' or '.join(values)}"
        for operator, keys in conditions.items()
        for key, values in keys.items()
    )


def _names(names: Sequence[str], total: int | None = None) -> str:
    if total is not None and len(names) == total and total > 1:
        return f"all {total}"
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def access_summary(report: AccessReport) -> str:
    """One line: how many actions in how many services, and the risky ones."""
    services = {a.service for a in report.actions}
    risky = [a.action for a in report.actions if a.risks]
    line = f"{count(len(report.actions), 'action')} in {count(len(services), 'service')}"
    if risky:
        line += f"; called out: {_names(risky)}"
    if report.undecided:
        line += f"; undecided: {sum(len(u.actions) for u in report.undecided)}"
    return line


def access_text(report: AccessReport, catalog: Catalog) -> str:
    """Grouped by service and access level; the privilege-escalation and data-exfiltration actions first."""
    lines: list[str] = []
    services = sorted({a.service for a in report.actions})
    lines.append(
        f"{report.principal} may perform {count(len(report.actions), 'action')} in "
        f"{count(len(services), 'service')} (IAM catalog {report.catalog_version})."
    )
    risky = [a for a in report.actions if a.risks]
    if risky:
        lines += ["", "Called out (docs/analysis.md, risky actions):"]
        for entry in risky:
            lines.append(f"  {entry.action} on {', '.join(entry.resources)}{_conditional(entry)}{_rules(entry)}")
            lines.append(f"      {entry.risks[0]}")
    by_service: dict[str, list[ActionAccess]] = defaultdict(list)
    for entry in report.actions:
        by_service[entry.service].append(entry)
    for service in services:
        entries = by_service[service]
        known = catalog.actions(service)
        lines += ["", f"{service} ({catalog.service_name(service)}): {len(entries)} of {len(known)} actions"]
        levels: dict[str, list[ActionAccess]] = defaultdict(list)
        for entry in entries:
            levels[entry.access_level or "Unknown"].append(entry)
        order = [lv for lv in _LEVELS if lv in levels] + sorted(lv for lv in levels if lv not in _LEVELS)
        for level in order:
            total = sum(1 for info in known.values() if (info.access_level or "Unknown") == level)
            groups: dict[tuple[tuple[str, ...], str], list[str]] = defaultdict(list)
            for entry in levels[level]:
                groups[(entry.resources, _conditional(entry) + _rules(entry))].append(entry.action.split(":", 1)[1])
            for (resources, conditional), names in groups.items():
                out_of = total if len(groups) == 1 else None
                lines.append(f"  {level}: {_names(names, out_of)} on {', '.join(resources)}{conditional}")
    notes = {note.split(":", 1)[0]: note for entry in report.actions for note in entry.aws_rules}
    if notes:
        lines += ["", "AWS's rules beyond the policies (docs/evaluator.md):"]
        lines += [f"  [{name}] {note.split(': ', 1)[1]}" for name, note in sorted(notes.items())]
    for gap in report.undecided:
        lines += ["", f"Undecided ({gap.why}): {_names(list(gap.actions))}"]
    return "\n".join(lines)


def _rules(entry: ActionAccess) -> str:
    """The names of AWS's rules that concern the action, explained once at the end of the report."""
    return "".join(f" [{note.split(':', 1)[0]}]" for note in entry.aws_rules)


def _conditional(entry: ActionAccess) -> str:
    if not entry.conditional:
        return ""
    keys = ", ".join(entry.conditions)
    return f" (only under conditions: {keys})" if keys else " (only under conditions)"


def _group(findings: Sequence[Finding]) -> list[tuple[Finding, list[str]]]:
    """Findings that differ only in their action, as one line."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for finding in findings:
        key = (finding.resource, finding.principal, repr(finding.conditions), repr(dict(finding.witness.context)))
        groups.setdefault(key, []).append(finding)
    return [(members[0], [m.action for m in members]) for members in groups.values()]


def _example(witness: Request) -> str:
    return f"{witness.action} on {witness.resource} by {witness.principal} with {_context(witness.context)}"


def diff_text(report: DiffReport, old_name: str, new_name: str) -> str:
    lines: list[str] = []
    for title, findings, sign in (
        (f"New access: what {new_name} allows and {old_name} does not", report.new_access, "+"),
        (f"Removed access: what {old_name} allows and {new_name} does not", report.removed_access, "-"),
    ):
        lines.append(f"{title}: {len(findings) or 'nothing'}")
        for first, actions in _group(findings):
            who = f" for {first.principal}" if first.principal else ""
            lines.append(f"  {sign} {_names(actions)} on {first.resource}{who}")
            if first.conditions:
                lines.append(f"      when {_when(first.conditions)}")
            witness = first.witness
            lines.append(f"      e.g. {_example(witness)}")
        lines.append("")
    for gap in report.undecided:
        lines.append(f"Undecided, counted as new access ({gap.why}): {_names(list(gap.actions))}")
    verdict = "NEW ACCESS" if report.adds_access else "no new access"
    lines.append(f"Result: {verdict}.")
    return "\n".join(lines)


def diff_sarif(
    report: DiffReport,
    old_name: str,
    new_name: str,
    *,
    new_uri: str | None = None,
    line_of: Callable[[StatementRef], int | None] | None = None,
) -> dict[str, Any]:
    """SARIF 2.1.0 for code scanning: one result per new-access finding (and per undecided group), located in
    NEW's file — ``new_uri``, a path code scanning can open (default ``new_name``) — at the line of the first
    statement that grants it when ``line_of`` knows it."""
    uri = new_uri or new_name

    def location(refs: Sequence[StatementRef] = ()) -> dict[str, Any]:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        line = next((found for ref in refs if (found := line_of(ref)) is not None), None) if line_of else None
        if line is not None:
            physical["region"] = {"startLine": line}
        return {"physicalLocation": physical}

    results: list[dict[str, Any]] = []
    for finding in report.new_access:
        witness = finding.witness
        where = f" for {finding.principal}" if finding.principal else ""
        text = (
            f"{new_name} allows {finding.action} on {finding.resource}{where}, which {old_name} does not: "
            f"e.g. {_example(witness)}"
        )
        logical = [{"name": ref.statement, "kind": "statement"} for ref in finding.granted_by]
        results.append(
            {
                "ruleId": "new-access",
                "level": "error",
                "message": {"text": text},
                "locations": [{**location(finding.granted_by), "logicalLocations": logical}],
                "properties": {"witness": finding.to_dict()["witness"]},
            }
        )
    for gap in report.undecided:
        results.append(
            {
                "ruleId": "undecided",
                "level": "warning",
                "message": {
                    "text": f"could not decide whether {new_name} adds access ({gap.why}): {_names(list(gap.actions))}"
                },
                "locations": [location()],
            }
        )
    rules = [
        {
            "id": "new-access",
            "shortDescription": {"text": "The new policy allows a request the old one does not."},
            "help": {"text": "See docs/analysis.md: the witness is a request the new policy allows."},
        },
        {
            "id": "undecided",
            "shortDescription": {"text": "The analysis could not finish; treated as new access."},
            "help": {"text": "See docs/analysis.md: a search limit was reached; review by hand."},
        },
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "iam-tester", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }


def exposure_text(report: ExposureReport) -> str:
    outside = f"outside organization {report.org_id}" if report.org_id else f"outside account {report.resource_account}"
    lines = [f"Access {outside}: {len(report.exposures) or 'none'}"]
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    firsts: dict[tuple[str, str, str], Any] = {}
    for exposure in report.exposures:
        key = (exposure.who, exposure.resource, repr(exposure.conditions))
        groups[key].append(exposure.action)
        firsts.setdefault(key, exposure)
    for key, actions in groups.items():
        first = firsts[key]
        lines.append(f"  {first.who}: {_names(actions)} on {first.resource}")
        if first.conditions:
            lines.append(f"      when {_when(first.conditions)}")
        witness = first.witness
        lines.append(
            f"      e.g. {witness.action} on {witness.resource} by {witness.principal} with {_context(witness.context)}"
        )
    for gap in report.undecided:
        lines.append(f"Undecided, counted as exposed ({gap.why}): {_names(list(gap.actions))}")
    return "\n".join(lines)
