"""The policy grammar: what IAM rejects as ``MalformedPolicyDocument``, found in one pass that also
builds the normalised :class:`~iam_tester.policy.model.PolicyDocument`.

Sources: IAM User Guide, "IAM JSON policy element reference" and "Grammar of the IAM JSON policy
language" (reference_policies_grammar.html); "IAM JSON policy elements: Principal" for what a principal
may be; the Organizations user guide for SCPs and RCPs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import Location
from .findings import Finding, Severity
from .limits import SIZE_LIMITS, policy_size
from .model import (
    VERSION_2008,
    VERSION_2012,
    ConditionEntry,
    Effect,
    PolicyDocument,
    PolicyKind,
    Principal,
    Statement,
)
from .operators import OPERATORS, ParsedOperator, ValueType, parse_operator
from .sourcemap import PathPart, SourceMap, format_path
from .values import parse_binary, parse_bool, parse_date, parse_ip_network, parse_number

__all__ = ["analyse"]

_TOP_LEVEL = ("Version", "Id", "Statement")
_STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

# Identity-based policies (and boundaries, session policies, SCPs) apply to whoever holds them: a
# Principal element makes IAM reject them. Resource and trust policies must name one.
_NO_PRINCIPAL = frozenset(
    {
        PolicyKind.IDENTITY,
        PolicyKind.USER,
        PolicyKind.GROUP,
        PolicyKind.MANAGED,
        PolicyKind.BOUNDARY,
        PolicyKind.SESSION,
        PolicyKind.SCP,
    }
)
_NEEDS_PRINCIPAL = frozenset({PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP})
# A trust policy's resource is the role itself: IAM rejects a Resource element in one.
_NO_RESOURCE = frozenset({PolicyKind.TRUST})
# Resource-based policies with free-form Sids (S3 allows spaces, for instance); IAM's own policies
# take letters and digits only ("IAM JSON policy elements: Sid").
_FREE_SID = frozenset({PolicyKind.RESOURCE})

_SID = re.compile(r"[A-Za-z0-9]*\Z")
_ACTION = re.compile(r"(?P<service>[A-Za-z0-9-]+):(?P<name>[A-Za-z0-9*?_-]+)\Z")
_ACCOUNT_ID = re.compile(r"\d{12}\Z")
_AWS_PRINCIPAL_ARN = re.compile(
    r"arn:(?P<partition>aws[a-zA-Z-]*):(?P<service>iam|sts)::(?P<account>\d{12}):(?P<resource>.+)\Z"
)
_VARIABLE = "${"


def analyse(
    raw: Any,
    *,
    kind: PolicyKind,
    name: str,
    source_map: SourceMap,
) -> tuple[PolicyDocument | None, list[Finding]]:
    """Check ``raw`` (parsed JSON) against the grammar for ``kind``.

    Returns the normalised document (``None`` when there are errors) and every finding, in document
    order. Never raises for bad input.
    """
    checker = _Checker(kind=kind, name=name, source_map=source_map)
    document = checker.document(raw)
    # Document order where positions are known; Python's sort is stable for the rest.
    findings = sorted(checker.findings, key=lambda f: (f.location.line or 0, f.location.column or 0))
    return document, findings


class _Checker:
    def __init__(self, *, kind: PolicyKind, name: str, source_map: SourceMap) -> None:
        self.kind = kind
        self.name = name
        self.source_map = source_map
        self.findings: list[Finding] = []
        self.errors = 0
        self.article = f"{'an' if kind.value[0] in 'aeiou' else 'a'} {kind.value}"

    # -- reporting -------------------------------------------------------------------------------
    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        path: Sequence[PathPart],
        *,
        key: bool = False,
    ) -> None:
        position = self.source_map.position(path, key=key)
        line, column = position if position else (None, None)
        location = Location(self.name, format_path(path), line, column)
        self.findings.append(Finding(severity, code, message, location))
        if severity is Severity.ERROR:
            self.errors += 1

    def error(self, code: str, message: str, path: Sequence[PathPart], *, key: bool = False) -> None:
        self.add(Severity.ERROR, code, message, path, key=key)

    # -- document --------------------------------------------------------------------------------
    def document(self, raw: Any) -> PolicyDocument | None:
        if not isinstance(raw, dict):
            self.error(
                "not-an-object",
                f"a policy must be a JSON object with Version and Statement, not {_kind_of(raw)}",
                (),
            )
            return None
        self.unknown_elements(raw, _TOP_LEVEL, ())
        version = self.version(raw)
        policy_id = raw.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            self.error("wrong-type", f"Id must be a string, not {_kind_of(policy_id)}", ("Id",))
        statements = self.statements(raw)
        self.size(raw)
        if self.errors or statements is None:
            return None
        return PolicyDocument(
            name=self.name,
            kind=self.kind,
            statements=tuple(statements),
            version=version,
            id=policy_id if isinstance(policy_id, str) else None,
            raw=raw,
        )

    def unknown_elements(self, raw: dict[str, Any], known: tuple[str, ...], path: tuple[PathPart, ...]) -> None:
        for element in raw:
            if element in known:
                continue
            same_but_case = [k for k in known if k.lower() == str(element).lower()]
            hint = f" (element names are case-sensitive: did you mean {same_but_case[0]}?)" if same_but_case else ""
            self.error(
                "unknown-element",
                f"unknown element {element!r}{hint}; allowed here: {', '.join(known)}",
                (*path, element),
                key=True,
            )

    def version(self, raw: dict[str, Any]) -> str | None:
        if "Version" not in raw:
            self.add(
                Severity.WARNING,
                "missing-version",
                f'no Version: IAM assumes {VERSION_2008}, where policy variables are plain text; add "Version": '
                f'"{VERSION_2012}"',
                (),
            )
            return None
        version = raw["Version"]
        if version not in (VERSION_2012, VERSION_2008):
            self.error(
                "invalid-version",
                f"Version must be {VERSION_2012!r} (or the legacy {VERSION_2008!r}), not {version!r}",
                ("Version",),
            )
            return None
        if version == VERSION_2008:
            self.add(
                Severity.WARNING,
                "legacy-version",
                f"Version {VERSION_2008} does not support policy variables; use {VERSION_2012}",
                ("Version",),
            )
        return str(version)

    def statements(self, raw: dict[str, Any]) -> list[Statement] | None:
        if "Statement" not in raw:
            self.error("missing-statement", "a policy needs a Statement element (a list of statements)", ())
            return None
        value = raw["Statement"]
        items: list[tuple[tuple[PathPart, ...], Any]]
        if isinstance(value, dict):
            items = [(("Statement",), value)]
        elif isinstance(value, list):
            items = [(("Statement", i), item) for i, item in enumerate(value)]
            if not items:
                self.error("empty-statement", "Statement is an empty list: the policy says nothing", ("Statement",))
        else:
            self.error(
                "invalid-statement",
                f"Statement must be a list of statement objects (or one object), not {_kind_of(value)}",
                ("Statement",),
            )
            return None
        statements: list[Statement] = []
        sids: dict[str, tuple[PathPart, ...]] = {}
        for index, (path, item) in enumerate(items):
            statement = self.statement(index, item, path, sids)
            if statement is not None:
                statements.append(statement)
        return statements

    def size(self, raw: dict[str, Any]) -> None:
        limit = SIZE_LIMITS[self.kind]
        if limit is None:
            return
        size = policy_size(raw)
        if size > limit:
            self.error(
                "policy-too-large",
                f"the policy is {size:,} characters (white space not counted); {self.article} policy may "
                f"have at most {limit:,}, so it is {size - limit:,} over",
                (),
            )

    # -- statement -------------------------------------------------------------------------------
    def statement(
        self, index: int, raw: Any, path: tuple[PathPart, ...], sids: dict[str, tuple[PathPart, ...]]
    ) -> Statement | None:
        if not isinstance(raw, dict):
            self.error("statement-not-object", f"a statement must be a JSON object, not {_kind_of(raw)}", path)
            return None
        errors_before = self.errors
        self.unknown_elements(raw, _STATEMENT_ELEMENTS, path)
        sid = self.sid(raw, path, sids)
        effect = self.effect(raw, path)
        action, not_action = self.pair(raw, "Action", "NotAction", path, self.action_value, required=True)
        resource, not_resource = self.resources(raw, path)
        principal, not_principal = self.principals(raw, path)
        conditions = self.conditions(raw, path)
        if self.errors > errors_before or effect is None:
            return None
        return Statement(
            index=index,
            effect=effect,
            sid=sid,
            action=action,
            not_action=not_action,
            resource=resource,
            not_resource=not_resource,
            principal=principal,
            not_principal=not_principal,
            conditions=conditions,
        )

    def sid(self, raw: dict[str, Any], path: tuple[PathPart, ...], sids: dict[str, tuple[PathPart, ...]]) -> str | None:
        if "Sid" not in raw:
            return None
        sid = raw["Sid"]
        where = (*path, "Sid")
        if not isinstance(sid, str):
            self.error("wrong-type", f"Sid must be a string, not {_kind_of(sid)}", where)
            return None
        if self.kind not in _FREE_SID and not _SID.match(sid):
            self.error(
                "invalid-sid",
                f"Sid {sid!r} may contain only letters (A-Z, a-z) and digits (0-9) in {self.article} policy",
                where,
            )
        if sid:
            if sid in sids:
                self.error("duplicate-sid", f"Sid {sid!r} is used twice; each statement's Sid must be unique", where)
            sids[sid] = where
        return sid or None

    def effect(self, raw: dict[str, Any], path: tuple[PathPart, ...]) -> Effect | None:
        if "Effect" not in raw:
            self.error("missing-effect", 'a statement needs "Effect": "Allow" or "Deny"', path)
            return None
        value = raw["Effect"]
        for effect in Effect:
            if value == effect.value:
                return effect
        hint = ""
        if isinstance(value, str):
            close = [e.value for e in Effect if e.value.lower() == value.lower()]
            if close:
                hint = f" (it is case-sensitive: write {close[0]!r})"
        self.error(
            "invalid-effect",
            f'Effect must be exactly "Allow" or "Deny", not {value!r}{hint}',
            (*path, "Effect"),
        )
        return None

    def pair(
        self,
        raw: dict[str, Any],
        positive: str,
        negative: str,
        path: tuple[PathPart, ...],
        check: Callable[[str, tuple[PathPart, ...]], None],
        *,
        required: bool,
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        has_positive, has_negative = positive in raw, negative in raw
        if has_positive and has_negative:
            self.error(
                f"{positive.lower()}-and-{negative.lower()}",
                f"a statement may have {positive} or {negative}, not both",
                (*path, negative),
                key=True,
            )
            return None, None
        if not has_positive and not has_negative:
            if required:
                self.error(
                    f"missing-{positive.lower()}",
                    f"a statement needs {positive} (or {negative}) in {self.article} policy",
                    path,
                )
            return None, None
        element = positive if has_positive else negative
        values = self.string_list(raw[element], (*path, element))
        if values is None:
            return None, None
        for i, value in enumerate(values):
            check(value, (*path, element, i) if isinstance(raw[element], list) else (*path, element))
        return (values, None) if has_positive else (None, values)

    def string_list(self, value: Any, path: tuple[PathPart, ...]) -> tuple[str, ...] | None:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(value)
        if isinstance(value, list) and not value:
            self.error("empty-list", f"{path[-1]} is an empty list; give at least one value", path)
            return None
        self.error("wrong-type", f"{path[-1]} must be a string or a list of strings, not {_kind_of(value)}", path)
        return None

    def action_value(self, action: str, path: tuple[PathPart, ...]) -> None:
        if action == "*":
            return
        if ":" not in action:
            self.error(
                "action-no-service-prefix",
                f"action {action!r} has no service prefix; write it as service:Action (e.g. s3:GetObject)",
                path,
            )
        elif not _ACTION.match(action):
            self.error(
                "invalid-action",
                f"action {action!r} is not of the form service:Action (letters, digits, -, _, * and ? only)",
                path,
            )

    def resource_value(self, resource: str, path: tuple[PathPart, ...]) -> None:
        if resource == "*":
            return
        if not resource.startswith("arn:") or resource.count(":") < 5:
            self.error(
                "invalid-resource",
                f"resource {resource!r} is neither '*' nor an ARN (arn:partition:service:region:account:resource)",
                path,
            )

    def resources(
        self, raw: dict[str, Any], path: tuple[PathPart, ...]
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        if self.kind in _NO_RESOURCE:
            for element in ("Resource", "NotResource"):
                if element in raw:
                    self.error(
                        "resource-not-allowed",
                        f"{self.article} policy may not have {element}: its resource is the role itself",
                        (*path, element),
                        key=True,
                    )
            return None, None
        return self.pair(raw, "Resource", "NotResource", path, self.resource_value, required=True)

    # -- principals ------------------------------------------------------------------------------
    def principals(
        self, raw: dict[str, Any], path: tuple[PathPart, ...]
    ) -> tuple[tuple[Principal, ...] | None, tuple[Principal, ...] | None]:
        present = [e for e in ("Principal", "NotPrincipal") if e in raw]
        if self.kind in _NO_PRINCIPAL:
            for element in present:
                self.error(
                    "principal-not-allowed",
                    f"{self.article} policy may not have {element}: it applies to whoever holds it",
                    (*path, element),
                    key=True,
                )
            return None, None
        if len(present) == 2:
            self.error(
                "principal-and-notprincipal",
                "a statement may have Principal or NotPrincipal, not both",
                (*path, "NotPrincipal"),
                key=True,
            )
            return None, None
        if not present:
            if self.kind in _NEEDS_PRINCIPAL:
                self.error(
                    "missing-principal",
                    f"a statement in {self.article} policy needs Principal (or NotPrincipal)",
                    path,
                )
            return None, None
        element = present[0]
        principals = self.principal_value(raw[element], (*path, element))
        if principals is not None and self.kind is PolicyKind.RCP and principals != (Principal("*", "*"),):
            self.error("invalid-principal", 'an RCP\'s Principal must be "*"', (*path, element))
        return (principals, None) if element == "Principal" else (None, principals)

    def principal_value(self, value: Any, path: tuple[PathPart, ...]) -> tuple[Principal, ...] | None:
        if value == "*":
            return (Principal("*", "*"),)
        if not isinstance(value, dict):
            self.error(
                "invalid-principal",
                'Principal must be "*" or an object like {"AWS": "arn:aws:iam::111122223333:root"}, '
                f"not {_kind_of(value)}",
                path,
            )
            return None
        principals: list[Principal] = []
        ok = True
        for principal_type, entries in value.items():
            where = (*path, principal_type)
            if principal_type not in _PRINCIPAL_TYPES:
                self.error(
                    "invalid-principal-type",
                    f"unknown principal type {principal_type!r}; use one of {', '.join(_PRINCIPAL_TYPES)}",
                    where,
                    key=True,
                )
                ok = False
                continue
            names = self.string_list(entries, where)
            if names is None:
                ok = False
                continue
            for i, name in enumerate(names):
                item_path = (*where, i) if isinstance(entries, list) else where
                if principal_type == "AWS" and not _valid_aws_principal(name):
                    self.error(
                        "invalid-principal",
                        f"{name!r} is not an AWS principal: use an account ID, an IAM ARN "
                        "(arn:aws:iam::111122223333:root, :user/..., :role/...), an assumed-role session ARN, "
                        'or "*" (wildcards inside an ARN are not allowed)',
                        item_path,
                    )
                    ok = False
                principals.append(Principal(principal_type, name))
        return tuple(principals) if ok else None

    # -- conditions ------------------------------------------------------------------------------
    def conditions(self, raw: dict[str, Any], path: tuple[PathPart, ...]) -> tuple[ConditionEntry, ...]:
        if "Condition" not in raw:
            return ()
        block = raw["Condition"]
        where = (*path, "Condition")
        if not isinstance(block, dict):
            self.error(
                "invalid-condition-block",
                'Condition must be an object of operators, each an object of keys: {"StringEquals": {"aws:username": '
                f'"alice"}}}}, not {_kind_of(block)}',
                where,
            )
            return ()
        entries: list[ConditionEntry] = []
        for operator_text, keys in block.items():
            op_path = (*where, operator_text)
            operator = parse_operator(operator_text)
            if operator is None:
                self.error("unknown-operator", _unknown_operator_message(operator_text), op_path, key=True)
                continue
            if not isinstance(keys, dict):
                self.error(
                    "invalid-condition-block",
                    f"the {operator_text} block must be an object of condition keys to values, not {_kind_of(keys)}",
                    op_path,
                )
                continue
            for key, values in keys.items():
                entry = self.condition_entry(operator, key, values, (*op_path, key))
                if entry is not None:
                    entries.append(entry)
        return tuple(entries)

    def condition_entry(
        self, operator: ParsedOperator, key: str, raw_values: Any, path: tuple[PathPart, ...]
    ) -> ConditionEntry | None:
        if not key:
            self.error("invalid-condition-key", "a condition key may not be empty", path, key=True)
            return None
        items = raw_values if isinstance(raw_values, list) else [raw_values]
        if not items:
            self.error("empty-list", f"the values of {key} are an empty list; give at least one value", path)
            return None
        values: list[str] = []
        for i, item in enumerate(items):
            item_path = (*path, i) if isinstance(raw_values, list) else path
            text = _condition_text(item)
            if text is None:
                self.error(
                    "wrong-type",
                    f"a condition value must be a string, number or boolean, not {_kind_of(item)}",
                    item_path,
                )
                return None
            problem = _value_problem(operator, text)
            if problem:
                self.error("invalid-condition-value", f"{operator.text} on {key}: {problem}", item_path)
                return None
            values.append(text)
        return ConditionEntry(operator=operator, key=key, values=tuple(values))


def _value_problem(operator: ParsedOperator, text: str) -> str | None:
    """Why ``text`` cannot be a value of ``operator``'s type, or ``None`` when it can."""
    spec = operator.base
    if spec.variables and _VARIABLE in text:
        return None  # checked after substitution, at evaluation time
    parsers: dict[ValueType, Callable[[str], object]] = {
        ValueType.NUMERIC: parse_number,
        ValueType.DATE: parse_date,
        ValueType.BOOL: parse_bool,
        ValueType.NULL: parse_bool,
        ValueType.IP: parse_ip_network,
        ValueType.BINARY: parse_binary,
    }
    parser = parsers.get(spec.value_type)
    if parser is None:
        return None
    try:
        parser(text)
    except ValueError as exc:
        return str(exc)
    return None


def _condition_text(item: Any) -> str | None:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (int, float)):
        return str(item)
    if isinstance(item, str):
        return item
    return None


def _unknown_operator_message(text: str) -> str:
    names = [spec.name for spec in OPERATORS.values()]
    base = text.split(":", 1)[-1]
    close = difflib.get_close_matches(base, names, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown condition operator {text!r}{hint}"


def _valid_aws_principal(name: str) -> bool:
    if name == "*" or _ACCOUNT_ID.match(name):
        return True
    match = _AWS_PRINCIPAL_ARN.match(name)
    if not match or "*" in name or "?" in name:
        return False
    resource = match["resource"]
    if match["service"] == "iam":
        return resource == "root" or resource.startswith(("user/", "role/", "federated-user/"))
    return resource.startswith(("assumed-role/", "federated-user/"))


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
