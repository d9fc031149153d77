"""The policy grammar: what IAM rejects as ``MalformedPolicyDocument``, found in one pass that also
builds the normalised :class:`~iam_tester.policy.model.PolicyDocument`.

Sources: IAM User Guide, "IAM JSON policy element reference" and "Grammar of the IAM JSON policy
language" (reference_policies_grammar.html); "IAM JSON policy elements: Principal" for what a principal
may be; the Organizations user guide for SCPs and RCPs. The rules that differ by kind of policy are in
:mod:`.kinds`, with their sources; principal formats in :mod:`.principals`; conditions in
:mod:`.grammar_conditions`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import Location
from .describe import shown
from .findings import Finding, Severity
from .grammar_conditions import ConditionGrammar, kind_of
from .grammar_principals import STAR, PrincipalGrammar
from .kinds import KIND_RULES
from .limits import SIZE_LIMITS, compact_json, policy_size
from .model import VERSION_2008, VERSION_2012, Effect, PolicyDocument, PolicyKind, Statement
from .sourcemap import PathPart, SourceMap, format_path

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

_SID = re.compile(r"[A-Za-z0-9]*\Z")
_ACTION = re.compile(r"(?P<service>[A-Za-z0-9-]+):(?P<name>[A-Za-z0-9*?_-]+)\Z")
_VARIABLE = "${"
_ARTICLES = {PolicyKind.SCP: "an SCP", PolicyKind.RCP: "an RCP"}


def analyse(
    raw: Any,
    *,
    kind: PolicyKind,
    name: str,
    source_map: SourceMap,
    text: str | None = None,
    duplicate_keys: Sequence[tuple[tuple[PathPart, ...], tuple[int, int]]] = (),
) -> tuple[PolicyDocument | None, list[Finding]]:
    """Check ``raw`` (parsed JSON) against the grammar for ``kind``.

    ``text`` is the document as written, when there is one (Organizations policies count its white space
    towards their size limit); ``duplicate_keys`` are the repeated keys the JSON parser dropped. Returns
    the normalised document (``None`` when there are errors) and every finding, in document order. Never
    raises for bad input.
    """
    checker = _Checker(kind=kind, name=name, source_map=source_map, text=text)
    for path, (line, column) in duplicate_keys:
        checker.duplicate_key(path, line, column)
    document = checker.document(raw)
    # Document order where positions are known; Python's sort is stable for the rest.
    findings = sorted(checker.findings, key=lambda f: (f.location.line or 0, f.location.column or 0))
    return document, findings


class _Checker:
    def __init__(self, *, kind: PolicyKind, name: str, source_map: SourceMap, text: str | None) -> None:
        self.kind = kind
        self.rules = KIND_RULES[kind]
        self.name = name
        self.source_map = source_map
        self.text = text
        self.findings: list[Finding] = []
        self.errors = 0
        self.article = _ARTICLES.get(kind) or f"{'an' if kind.value[0] in 'aeiou' else 'a'} {kind.value}"
        self.variable_paths: list[tuple[PathPart, ...]] = []
        self.condition_grammar = ConditionGrammar(self)
        self.principal_grammar = PrincipalGrammar(self, self.rules, self.article)

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
        self._append(Finding(severity, code, message, Location(self.name, format_path(path), line, column)))

    def _append(self, finding: Finding) -> None:
        self.findings.append(finding)
        if finding.severity is Severity.ERROR:
            self.errors += 1

    def error(self, code: str, message: str, path: Sequence[PathPart], *, key: bool = False) -> None:
        self.add(Severity.ERROR, code, message, path, key=key)

    def note_variable(self, path: tuple[PathPart, ...]) -> None:
        self.variable_paths.append(path)

    def duplicate_key(self, path: tuple[PathPart, ...], line: int, column: int) -> None:
        message = (
            f"key {str(path[-1])!r} appears more than once in this object; JSON keeps only the last one, so the "
            "earlier one is silently ignored: merge them into one"
        )
        location = Location(self.name, format_path(path), line, column)
        self._append(Finding(Severity.ERROR, "duplicate-key", message, location))

    # -- document --------------------------------------------------------------------------------
    def document(self, raw: Any) -> PolicyDocument | None:
        if not isinstance(raw, dict):
            self.error(
                "not-an-object",
                f"a policy must be a JSON object with Version and Statement, not {kind_of(raw)}",
                (),
            )
            return None
        self.unknown_elements(raw, _TOP_LEVEL, ())
        version = self.version(raw)
        policy_id = raw.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            self.error("wrong-type", f"Id must be a string, not {kind_of(policy_id)}", ("Id",))
        statements = self.statements(raw)
        self.size(raw)
        if self.variable_paths and version != VERSION_2012:
            self.add(
                Severity.WARNING,
                "variables-need-version",
                f'policy variables (${{...}}) are plain text unless the policy says "Version": "{VERSION_2012}"; '
                "add it, or this value never matches what you meant",
                self.variable_paths[0],
            )
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
                f"unknown element {shown(element)}{hint}; allowed here: {', '.join(known)}",
                (*path, element),
                key=True,
            )

    def version(self, raw: dict[str, Any]) -> str | None:
        if "Version" not in raw:
            if self.rules.version_required:
                self.error("missing-version", f'{self.article} must say "Version": "{VERSION_2012}"', ())
                return None
            self.add(
                Severity.WARNING,
                "missing-version",
                f'no Version: IAM assumes {VERSION_2008}, where policy variables are plain text; add "Version": '
                f'"{VERSION_2012}"',
                (),
            )
            return None
        version = raw["Version"]
        if version == VERSION_2008 and self.rules.version_required:
            self.error("invalid-version", f"{self.article} must use Version {VERSION_2012!r}", ("Version",))
            return None
        if version not in (VERSION_2012, VERSION_2008):
            self.error(
                "invalid-version",
                f"Version must be {VERSION_2012!r} (or the legacy {VERSION_2008!r}), not {shown(version)}",
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
                f"Statement must be a list of statement objects (or one object), not {kind_of(value)}",
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
        try:
            if self.rules.counts_whitespace:
                # Organizations counts every character of the document as sent (see kinds.py).
                size = len(self.text) if self.text is not None else len(compact_json(raw))
                counted = "every character counted, white space too"
            else:
                size = policy_size(raw)
                counted = "white space not counted"
        except (TypeError, ValueError, RecursionError):
            # A dict from Python or YAML holding what JSON cannot (a date, a 5,000-digit number, nesting
            # deeper than the encoder goes): the element holding it is already an error, and the size of
            # a document that cannot be sent is moot.
            if not self.errors:
                self.error("wrong-type", "the policy holds a value JSON cannot represent", ())
            return
        if size > limit:
            self.error(
                "policy-too-large",
                f"the policy is {size:,} characters ({counted}); {self.article} policy may "
                f"have at most {limit:,}, so it is {size - limit:,} over",
                (),
            )

    # -- statement -------------------------------------------------------------------------------
    def statement(
        self, index: int, raw: Any, path: tuple[PathPart, ...], sids: dict[str, tuple[PathPart, ...]]
    ) -> Statement | None:
        if not isinstance(raw, dict):
            self.error("statement-not-object", f"a statement must be a JSON object, not {kind_of(raw)}", path)
            return None
        errors_before = self.errors
        self.unknown_elements(raw, _STATEMENT_ELEMENTS, path)
        sid = self.sid(raw, path, sids)
        effect = self.effect(raw, path)
        if not self.rules.not_action and "NotAction" in raw:
            self.error(
                "element-not-supported",
                f"{self.article} policy may not have NotAction; list the actions in Action",
                (*path, "NotAction"),
                key=True,
            )
        action, not_action = self.pair(raw, "Action", "NotAction", path, self.action_value, required=True)
        resource, not_resource = self.resources(raw, path)
        principal, not_principal = self.principal_grammar.principals(raw, path, effect)
        conditions = self.condition_grammar.conditions(raw, path)
        if self.errors > errors_before or effect is None:
            return None
        statement = Statement(
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
        if self.rules.allow_only_full_access and effect is Effect.ALLOW and not _is_full_access(statement):
            self.error(
                "rcp-allow",
                'an RCP statement must be "Effect": "Deny": Allow is only supported in the AWS-managed '
                "RCPFullAWSAccess policy, which is attached everywhere already",
                (*path, "Effect"),
            )
            return None
        return statement

    def sid(self, raw: dict[str, Any], path: tuple[PathPart, ...], sids: dict[str, tuple[PathPart, ...]]) -> str | None:
        if "Sid" not in raw:
            return None
        sid = raw["Sid"]
        where = (*path, "Sid")
        if not isinstance(sid, str):
            self.error("wrong-type", f"Sid must be a string, not {kind_of(sid)}", where)
            return None
        if not self.rules.free_sid and not _SID.match(sid):
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
            f'Effect must be exactly "Allow" or "Deny", not {shown(value)}{hint}',
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
        self.error("wrong-type", f"{path[-1]} must be a string or a list of strings, not {kind_of(value)}", path)
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
        if _VARIABLE in resource:
            self.note_variable(path)
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
        if self.rules.resource == "forbidden":
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


def _is_full_access(statement: Statement) -> bool:
    """Is this the statement of RCPFullAWSAccess (allow everyone everything, no condition)?"""
    return (
        statement.principal == STAR
        and statement.action == ("*",)
        and statement.resource == ("*",)
        and not statement.conditions
    )
