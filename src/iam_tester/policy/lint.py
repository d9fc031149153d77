"""Known footguns: statements IAM accepts that almost certainly grant more than their author meant.

Sources: IAM User Guide, "IAM JSON policy elements: NotAction" ("Allow with NotAction ... grants every
action not listed, in every service, including ones added later") and "NotResource" (an Allow with
NotResource applies to every resource not listed, including resources created later), and
"Set operators for multivalued context keys": "ForAllValues ... returns true if the key is missing from
the request" - so an Allow guarded only by ForAllValues allows a request that carries no such key.
"""

from __future__ import annotations

from .findings import Finding, Severity
from .model import Effect, PolicyDocument, Statement
from .operators import SetQualifier, ValueType
from .paths import Locator

__all__ = ["footgun_findings"]


def footgun_findings(document: PolicyDocument, locator: Locator) -> list[Finding]:
    """Warnings for the known footguns in ``document``."""
    findings: list[Finding] = []
    for statement in document.statements:
        if statement.effect is not Effect.ALLOW:
            continue
        findings.extend(_not_action(statement, locator))
        findings.extend(_not_resource(statement, locator))
        findings.extend(_for_all_values(statement, locator))
    return findings


def _not_action(statement: Statement, locator: Locator) -> list[Finding]:
    if statement.not_action is None:
        return []
    everywhere = statement.not_resource is not None or (statement.resource is not None and "*" in statement.resource)
    if not everywhere and statement.resource is not None:
        return []
    return [
        locator.finding(
            Severity.WARNING,
            "allow-with-notaction",
            "Allow with NotAction on every resource grants every action not listed, in every service, including "
            "services added later; list the actions to allow in Action instead",
            (*locator.statement(statement), "NotAction"),
            key=True,
        )
    ]


def _not_resource(statement: Statement, locator: Locator) -> list[Finding]:
    if statement.not_resource is None or statement.action is None:
        return []
    if not any(a == "*" or a.endswith(":*") for a in statement.action):
        return []
    return [
        locator.finding(
            Severity.WARNING,
            "allow-with-notresource",
            "Allow with NotResource and a wildcard action grants those actions on every resource not listed, "
            "including resources created later; list the resources to allow in Resource instead",
            (*locator.statement(statement), "NotResource"),
            key=True,
        )
    ]


def _for_all_values(statement: Statement, locator: Locator) -> list[Finding]:
    # Keys a Null condition already requires to be present ({"Null": {"key": "false"}}).
    guarded = {
        entry.key.lower()
        for entry in statement.conditions
        if entry.operator.base.value_type is ValueType.NULL and entry.values == ("false",)
    }
    findings = []
    for entry in statement.conditions:
        if entry.operator.qualifier is not SetQualifier.FOR_ALL_VALUES or entry.key.lower() in guarded:
            continue
        findings.append(
            locator.finding(
                Severity.WARNING,
                "forallvalues-allows-missing-key",
                f"{entry.operator.text} is true when the request has no {entry.key} at all, so this Allow also "
                f'allows requests without it; add "Null": {{"{entry.key}": "false"}} to the same statement',
                locator.condition(statement, entry.operator.text, entry.key),
                key=True,
            )
        )
    return findings
