"""Load suite files: check every key, apply the suite's defaults to each case, resolve the policies.

The format is documented in ``docs/suites.md``. Any problem raises :class:`~iam_tester.errors.SuiteError`
(or :class:`~iam_tester.errors.PolicyError` for a policy) naming the file, the place and the line.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..engine.principals import parse_request_principal
from ..engine.requests import ACTION, checked_resource, is_request_resource
from ..errors import InvalidArgumentError, Location, SuiteError
from ..policy import PolicyDocument, PolicyKind
from ..policy.arns import ACCOUNT_ID
from ..policy.sourcemap import PathPart
from ..policy.textfile import path_name
from ._gc import paused_gc
from .case_checks import case_findings
from .model import DEFAULT_PRINCIPAL, Call, Case, ContextValue, Expectation, PolicySlots, Suite
from .reader import SuiteText, kind_of, read_data_file, value_text
from .resolve import PolicyResolver, display_path

__all__ = ["load_suite", "load_suites"]

SUITE_KEYS = ("name", "policies", "principal", "resource_account", "context", "cases")
CASE_KEYS = ("name", "action", "resource", "principal", "resource_account", "context", "expect", "call", "policies")
POLICY_KEYS = ("identity", "boundary", "session", "resource", "scps", "rcps")
CALL_KEYS = ("service", "operation", "params")

_SINGLE_SLOTS = {"boundary": PolicyKind.BOUNDARY, "session": PolicyKind.SESSION, "resource": PolicyKind.RESOURCE}
_LEVEL_SLOTS = {"scps": PolicyKind.SCP, "rcps": PolicyKind.RCP}
_SUITE_KEY_SET = frozenset(SUITE_KEYS)
_CASE_KEY_SET = frozenset(CASE_KEYS)


def load_suites(paths: Iterable[str | os.PathLike[str]], *, catalog: bool = True) -> list[Suite]:
    """Load several suites, reading and validating each policy file they share only once.

    ``catalog=False`` skips the IAM catalog checks of the policies (their grammar is always checked).
    """
    resolver = PolicyResolver(catalog=catalog)
    with paused_gc():
        return [load_suite(path, resolver=resolver) for path in paths]


def load_suite(path: str | os.PathLike[str], *, resolver: PolicyResolver | None = None) -> Suite:
    """Load one suite file (YAML, or JSON for ``.json``); raises on the first problem found."""
    given: object = path
    if not isinstance(given, (str, os.PathLike)):
        raise SuiteError(f"{path_name(given)} is not a path to a suite", location=Location(path_name(given)))
    file = Path(given)
    display = display_path(file)
    with paused_gc():
        data, text = read_data_file(file, display)
        return _SuiteBuilder(text, resolver or PolicyResolver()).suite(data, default_name=file.stem)


class _SuiteBuilder:
    def __init__(self, text: SuiteText, resolver: PolicyResolver) -> None:
        self.text = text
        self.resolver = resolver

    # -- the file ---------------------------------------------------------------------------------
    def suite(self, data: Any, *, default_name: str) -> Suite:
        if not isinstance(data, dict):
            raise self.text.error(
                f"a suite is a mapping with a `cases` list, not {kind_of(data)}",
                (),
                hint="see docs/suites.md for the format",
            )
        if "Statement" in data and "cases" not in data:
            raise self.text.error(
                "this is a policy document, not a suite",
                (),
                hint="check takes suites (docs/suites.md); for one policy use `iam-tester validate FILE` or "
                "`iam-tester explain --policy FILE --action ... --resource ...`",
            )
        self.known_keys(data, _SUITE_KEY_SET, SUITE_KEYS, (), "the suite")
        name = self.optional_string(data, "name", ()) or default_name
        slots = (
            self.policies(data.get("policies"), ("policies",), PolicySlots()) if "policies" in data else PolicySlots()
        )
        principal = self.principal(data, ()) or DEFAULT_PRINCIPAL
        account = self.account(data, ())
        context = self.context(data["context"], ("context",), {}) if "context" in data else {}
        if "cases" not in data:
            raise self.text.error("a suite needs a `cases` list", (), hint="see docs/suites.md for the format")
        raw_cases = data["cases"]
        if not isinstance(raw_cases, list):
            raise self.text.error(f"`cases` must be a list of cases, not {kind_of(raw_cases)}", ("cases",))
        if not raw_cases:
            raise self.text.error("`cases` is empty: a suite needs at least one case", ("cases",))
        defaults = _Defaults(slots, principal, account, context)
        cases = tuple(self.case(i, raw, defaults) for i, raw in enumerate(raw_cases))
        warnings = self.resolver.take_warnings()
        if self.resolver.catalog:
            warnings += case_findings(cases, self.text)
        return Suite(path=self.text.display, name=name, cases=cases, warnings=warnings)

    def case(self, index: int, raw: Any, defaults: _Defaults) -> Case:
        where: tuple[PathPart, ...] = ("cases", index)
        if not isinstance(raw, dict):
            raise self.text.error(f"a case is a mapping with action and resource, not {kind_of(raw)}", where)
        if not raw.keys() <= _CASE_KEY_SET:
            self.known_keys(raw, _CASE_KEY_SET, CASE_KEYS, where, "a case")
        action = raw.get("action")
        if action is None:
            raise self.text.error(
                "the case has no `action`", where, hint="give the action, e.g. `action: s3:GetObject`"
            )
        if not isinstance(action, str) or not ACTION.match(action):
            raise self.text.error(
                f"`action` must be one action like s3:GetObject (service:Name, no wildcards), not {value_text(action)}",
                (*where, "action"),
            )
        resource = raw.get("resource")
        if resource is None:
            raise self.text.error(
                "the case has no `resource`", where, hint='give the resource ARN, or "*" for actions without one'
            )
        if not isinstance(resource, str) or not resource:
            raise self.text.error(
                f"`resource` must be a non-empty string, not {_nonempty_kind(resource)}", (*where, "resource")
            )
        if not is_request_resource(resource):
            self.request_part(checked_resource, resource, (*where, "resource"))  # raises, saying why
        name = self.optional_string(raw, "name", where) or f"{action} {resource}"
        policies = defaults.slots
        if "policies" in raw:
            policies = self.policies(raw["policies"], (*where, "policies"), defaults.slots)
        context = defaults.context
        if "context" in raw:
            context = self.context(raw["context"], (*where, "context"), defaults.context)
        return Case(
            name=name,
            index=index,
            action=action,
            resource=resource,
            principal=self.principal(raw, where) or defaults.principal,
            policies=policies,
            locator=self.text,
            resource_account=self.account(raw, where) if "resource_account" in raw else defaults.account,
            context=context,
            expect=self.expect(raw["expect"], (*where, "expect")) if "expect" in raw else None,
            call=self.call(raw["call"], (*where, "call")) if "call" in raw else None,
        )

    # -- values -----------------------------------------------------------------------------------
    def known_keys(
        self,
        raw: Mapping[Any, Any],
        known: frozenset[str],
        order: Sequence[str],
        where: tuple[PathPart, ...],
        what: str,
    ) -> None:
        for key in raw:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), order, n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"the keys of {what} are: {', '.join(order)}"
            raise self.text.error(f"unknown key {value_text(key)} in {what}", (*where, key), key=True, hint=hint)

    def optional_string(self, raw: Mapping[str, Any], key: str, where: tuple[PathPart, ...]) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise self.text.error(f"`{key}` must be a non-empty string, not {_nonempty_kind(value)}", (*where, key))
        return value

    def principal(self, raw: Mapping[str, Any], where: tuple[PathPart, ...]) -> str | None:
        """The caller, checked now so that a bad one is reported where it is written, not at run time."""
        value = self.optional_string(raw, "principal", where)
        if value is not None:
            self.request_part(parse_request_principal, value, (*where, "principal"))
        return value

    def request_part(self, check: Callable[[str], object], value: str, where: tuple[PathPart, ...]) -> None:
        """Run one of the evaluator's own request checks, reporting its error at ``where``."""
        try:
            check(value)
        except InvalidArgumentError as exc:
            raise self.text.error(exc.message, where, hint=exc.hint) from None

    def account(self, raw: Mapping[str, Any], where: tuple[PathPart, ...]) -> str | None:
        value = raw.get("resource_account")
        if value is None:
            return None
        # YAML reads an unquoted account ID as a number; that is fine unless it had leading zeros.
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not ACCOUNT_ID.match(text):
            raise self.text.error(
                f"`resource_account` must be a 12-digit account ID, not {value_text(value)}",
                (*where, "resource_account"),
                hint='quote it in YAML ("012345678901") so leading zeros are kept',
            )
        return text

    def expect(self, raw: Any, where: tuple[PathPart, ...]) -> Expectation | None:
        if raw is None:
            return None
        found = Expectation.parse(raw) if isinstance(raw, str) else None
        if found is None:
            choices = [e.value for e in Expectation]
            close = difflib.get_close_matches(raw, choices, n=1, cutoff=0.5) if isinstance(raw, str) else []
            hint = f"did you mean `{close[0]}`?" if close else "denied matches either kind of deny"
            if isinstance(raw, bool):
                hint = "write the decision you expect, e.g. `expect: allowed` or `expect: denied`"
            raise self.text.error(
                f"`expect` must be one of {', '.join(choices)}, not {value_text(raw)}", where, hint=hint
            )
        return found

    def context(
        self, raw: Any, where: tuple[PathPart, ...], inherited: Mapping[str, ContextValue]
    ) -> Mapping[str, ContextValue]:
        """``raw`` merged over ``inherited``; keys compare without regard to case, as AWS matches them.

        A key set to null removes the inherited key (the request then lacks it).
        """
        if raw is None:
            return inherited
        if not isinstance(raw, dict):
            raise self.text.error(f"`context` must be a mapping of condition keys to values, not {kind_of(raw)}", where)
        merged: dict[str, ContextValue] = dict(inherited)
        lowered = {key.lower(): key for key in merged}
        for key, value in raw.items():
            if not isinstance(key, str) or not key:
                raise self.text.error(
                    f"a context key must be a non-empty string, not {kind_of(key)}", (*where, str(key)), key=True
                )
            previous = lowered.pop(key.lower(), None)
            if previous is not None:
                del merged[previous]
            if value is None:
                continue
            merged[key] = self.context_value(value, (*where, key))
            lowered[key.lower()] = key
        return merged

    def context_value(self, value: Any, where: tuple[PathPart, ...]) -> ContextValue:
        if isinstance(value, list):
            return tuple(self.scalar(item, (*where, i)) for i, item in enumerate(value))
        return self.scalar(value, where)

    def scalar(self, value: Any, where: tuple[PathPart, ...]) -> str:
        # Request context values are strings to AWS; YAML's booleans and numbers are written as JSON would.
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        raise self.text.error(
            f"a context value must be a string, number, boolean or a list of them, not {kind_of(value)}", where
        )

    def call(self, raw: Any, where: tuple[PathPart, ...]) -> Call | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise self.text.error(
                f"`call` must be a mapping with service, operation and params, not {kind_of(raw)}", where
            )
        self.known_keys(raw, frozenset(CALL_KEYS), CALL_KEYS, where, "a call")
        service = self.optional_string(raw, "service", where)
        operation = self.optional_string(raw, "operation", where)
        if service is None or operation is None:
            missing = "service" if service is None else "operation"
            raise self.text.error(
                f"a call needs `{missing}`", where, hint="e.g. {service: s3, operation: get_object, params: {...}}"
            )
        params = raw.get("params")
        if params is None:
            params = {}
        if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
            raise self.text.error(
                f"`params` must be a mapping of parameter names to values, not {kind_of(params)}", (*where, "params")
            )
        return Call(service=service, operation=operation, params=params)

    # -- policies ---------------------------------------------------------------------------------
    def policies(self, raw: Any, where: tuple[PathPart, ...], inherited: PolicySlots) -> PolicySlots:
        """The slots ``raw`` names replace the inherited ones; a slot set to null is emptied."""
        if raw is None:
            return inherited
        if not isinstance(raw, dict):
            raise self.text.error(
                f"`policies` must be a mapping of policy kinds to policies, not {kind_of(raw)}", where
            )
        self.known_keys(raw, frozenset(POLICY_KEYS), POLICY_KEYS, where, "policies")
        changes: dict[str, Any] = {}
        for slot, value in raw.items():
            at = (*where, slot)
            if slot == "identity":
                changes[slot] = self.documents(value, PolicyKind.IDENTITY, at)
            elif slot in _SINGLE_SLOTS:
                changes[slot] = None if value is None else self.document(value, _SINGLE_SLOTS[slot], at)
            else:
                changes[slot] = self.levels(value, _LEVEL_SLOTS[slot], at)
        return dataclasses.replace(inherited, **changes)

    def document(self, raw: Any, kind: PolicyKind, where: tuple[PathPart, ...]) -> PolicyDocument:
        return self.resolver.resolve(raw, kind, self.text, where)

    def documents(self, raw: Any, kind: PolicyKind, where: tuple[PathPart, ...]) -> tuple[PolicyDocument, ...]:
        """A list of references (one reference alone is a list of one; null is none)."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            return (self.document(raw, kind, where),)
        return tuple(self.document(item, kind, (*where, i)) for i, item in enumerate(raw))

    def levels(self, raw: Any, kind: PolicyKind, where: tuple[PathPart, ...]) -> tuple[tuple[PolicyDocument, ...], ...]:
        """Levels, root first: each a list of references or one reference (null is no levels)."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            return ((self.document(raw, kind, where),),)
        levels = []
        for i, level in enumerate(raw):
            if isinstance(level, list) and not level:
                raise self.text.error(
                    f"{kind.value.upper()} level {i} is empty; every level has at least one policy",
                    (*where, i),
                    hint=f"AWS attaches at least one {kind.value.upper()} at each level of the organization",
                )
            levels.append(self.documents(level, kind, (*where, i)))
        return tuple(levels)


@dataclasses.dataclass(frozen=True)
class _Defaults:
    slots: PolicySlots
    principal: str
    account: str | None
    context: Mapping[str, ContextValue]


def _nonempty_kind(value: Any) -> str:
    return "an empty string" if value == "" else kind_of(value)
