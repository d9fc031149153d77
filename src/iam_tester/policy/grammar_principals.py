"""The grammar of the Principal and NotPrincipal elements; which kinds of policy take them is in
:mod:`.kinds`, what a principal may look like in :mod:`.principals` (both with their sources)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .findings import Severity
from .grammar_conditions import kind_of
from .kinds import KindRules
from .model import Effect, Principal
from .principals import PRINCIPAL_TYPES, principal_problem
from .sourcemap import PathPart

__all__ = ["STAR", "PrincipalGrammar"]

STAR = (Principal("*", "*"),)


class _Reporter(Protocol):
    def add(
        self, severity: Severity, code: str, message: str, path: Sequence[PathPart], *, key: bool = False
    ) -> None: ...

    def error(self, code: str, message: str, path: Sequence[PathPart], *, key: bool = False) -> None: ...

    def string_list(self, value: Any, path: tuple[PathPart, ...]) -> tuple[str, ...] | None: ...


class PrincipalGrammar:
    """Checks one statement's Principal/NotPrincipal and reads it into :class:`Principal` values."""

    def __init__(self, reporter: _Reporter, rules: KindRules, article: str) -> None:
        self.reporter = reporter
        self.rules = rules
        self.article = article

    def principals(
        self, raw: dict[str, Any], path: tuple[PathPart, ...], effect: Effect | None
    ) -> tuple[tuple[Principal, ...] | None, tuple[Principal, ...] | None]:
        present = [e for e in ("Principal", "NotPrincipal") if e in raw]
        if self.rules.principal == "forbidden":
            for element in present:
                self.reporter.error(
                    "principal-not-allowed",
                    f"{self.article} policy may not have {element}: it applies to whoever holds it (a bucket, key "
                    "or queue policy is checked with --type resource, a role's trust policy with --type trust)",
                    (*path, element),
                    key=True,
                )
            return None, None
        if "NotPrincipal" in present and not self.rules.not_principal:
            self.reporter.error(
                "notprincipal-not-allowed",
                f"{self.article} policy may not have NotPrincipal; name the principals in Principal, or use a "
                "condition on aws:PrincipalArn",
                (*path, "NotPrincipal"),
                key=True,
            )
            return None, None
        if len(present) == 2:
            self.reporter.error(
                "principal-and-notprincipal",
                "a statement may have Principal or NotPrincipal, not both",
                (*path, "NotPrincipal"),
                key=True,
            )
            return None, None
        if not present:
            if self.rules.principal == "required":
                self.reporter.error(
                    "missing-principal",
                    f"a statement in {self.article} policy needs Principal (or NotPrincipal)",
                    path,
                )
            return None, None
        element = present[0]
        if element == "NotPrincipal" and effect is Effect.ALLOW:
            self.reporter.error(
                "notprincipal-with-allow",
                'NotPrincipal is only supported with "Effect": "Deny"; with Allow it would grant every other '
                "principal in the world",
                (*path, "NotPrincipal"),
                key=True,
            )
        principals = self.principal_value(raw[element], (*path, element))
        if principals is not None and self.rules.principal_star_only and principals != STAR:
            self.reporter.error(
                "invalid-principal",
                'an RCP\'s Principal must be "*"; restrict principals with conditions such as aws:PrincipalOrgID',
                (*path, element),
            )
        return (principals, None) if element == "Principal" else (None, principals)

    def principal_value(self, value: Any, path: tuple[PathPart, ...]) -> tuple[Principal, ...] | None:
        if value == "*":
            return STAR
        if not isinstance(value, dict):
            self.reporter.error(
                "invalid-principal",
                'Principal must be "*" or an object like {"AWS": "arn:aws:iam::111122223333:root"}, '
                f"not {kind_of(value)}",
                path,
            )
            return None
        principals: list[Principal] = []
        ok = True
        for principal_type, entries in value.items():
            where = (*path, principal_type)
            if principal_type not in PRINCIPAL_TYPES:
                self.reporter.error(
                    "invalid-principal-type",
                    f"unknown principal type {principal_type!r}; use one of {', '.join(PRINCIPAL_TYPES)}",
                    where,
                    key=True,
                )
                ok = False
                continue
            names = self.reporter.string_list(entries, where)
            if names is None:
                ok = False
                continue
            for i, name in enumerate(names):
                item_path = (*where, i) if isinstance(entries, list) else where
                problem = principal_problem(principal_type, name)
                if problem is not None:
                    code = "invalid-principal" if problem.severity is Severity.ERROR else "suspicious-principal"
                    self.reporter.add(problem.severity, code, problem.message, item_path)
                    ok = ok and problem.severity is not Severity.ERROR
                principals.append(Principal(principal_type, name))
        return tuple(principals) if ok else None
