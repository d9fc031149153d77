"""Load suite files: check every key, apply the suite's defaults to each case, resolve the policies.

The format is documented in ``docs/suites.md``. Any problem raises :class:`~iam_tester.errors.SuiteError`
(or :class:`~iam_tester.errors.PolicyError` for a policy) naming the file, the place and the line.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._gc import paused_gc
from ..engine import TRUST_ACTIONS
from ..engine.principals import parse_request_principal
from ..engine.requests import ACTION, checked_resource, is_request_resource
from ..errors import InvalidArgumentError, Location, SourceError, SuiteError
from ..policy import PolicyDocument, PolicyKind
from ..policy.arns import ACCOUNT_ID
from ..policy.sourcemap import JsonSourceMap, PathPart
from ..policy.textfile import path_name
from ..sources import KINDS, SourcePrincipal, SourceSpec, parse_source
from .call_checks import call_findings
from .case_checks import case_findings
from .model import DEFAULT_PRINCIPAL, Call, Case, ContextValue, Expectation, PolicySlots, Suite
from .reader import SuiteText, kind_of, nonempty_kind, read_data_file, value_text
from .resolve import PolicyResolver, display_path
from .sources import CaseSources, SourceReader

if TYPE_CHECKING:
    import boto3

__all__ = ["load_suite", "load_suites"]

SUITE_KEYS = ("name", "sources", "policies", "principal", "resource_account", "context", "cases")
CASE_KEYS = ("name", "action", "resource", "principal", "resource_account", "context", "expect", "call", "policies")
POLICY_KEYS = ("identity", "boundary", "session", "resource", "trust", "scps", "rcps")
SOURCE_OPTIONS = ("account", "region", "parameters", "bucket_policies")
CALL_KEYS = ("service", "operation", "params")

_SINGLE_SLOTS = {
    "boundary": PolicyKind.BOUNDARY,
    "session": PolicyKind.SESSION,
    "resource": PolicyKind.RESOURCE,
    "trust": PolicyKind.TRUST,
}
_LEVEL_SLOTS = {"scps": PolicyKind.SCP, "rcps": PolicyKind.RCP}
_SUITE_KEY_SET = frozenset(SUITE_KEYS)
_CASE_KEY_SET = frozenset(CASE_KEYS)


def load_suites(
    paths: Iterable[str | os.PathLike[str]],
    *,
    catalog: bool = True,
    allow_unknown: bool = False,
    live_managed_policies: bool = False,
    session: boto3.Session | None = None,
    check_calls: bool = True,
) -> list[Suite]:
    """Load several suites, reading and validating each policy file and source they share only once.

    ``catalog=False`` skips the IAM catalog checks of the policies (their grammar is always checked).
    ``allow_unknown`` decides cases without the values their sources cannot know (a warning says so) instead
    of failing; ``live_managed_policies`` reads the managed policies sources attach but do not define from
    the account of the current AWS credentials. ``session`` is the boto3 session that reads the live account
    (``aws:`` sources, ``live_managed_policies``); default: a new ``boto3.Session()`` when one is needed.
    ``check_calls`` checks each case's ``call`` against botocore's model, a warning for each that does not
    fit (a live run leaves it off: it refuses such a call itself, before anything is created).
    """
    resolver = PolicyResolver(catalog=catalog)
    reader = SourceReader(
        catalog=catalog, allow_unknown=allow_unknown, live_managed_policies=live_managed_policies, session=session
    )
    with paused_gc():
        return [load_suite(path, resolver=resolver, sources=reader, check_calls=check_calls) for path in paths]


def load_suite(
    path: str | os.PathLike[str],
    *,
    resolver: PolicyResolver | None = None,
    sources: SourceReader | None = None,
    check_calls: bool = True,
) -> Suite:
    """Load one suite file (YAML, or JSON for ``.json``); raises on the first problem found."""
    given: object = path
    if not isinstance(given, (str, os.PathLike)):
        raise SuiteError(f"{path_name(given)} is not a path to a suite", location=Location(path_name(given)))
    file = Path(given)
    display = display_path(file)
    with paused_gc():
        data, text = read_data_file(file, display)
        builder = _SuiteBuilder(text, resolver or PolicyResolver(), sources or SourceReader(), check_calls)
        builder.inputs.append(os.path.abspath(file))
        return builder.suite(data, default_name=file.stem)


class _SuiteBuilder:
    def __init__(self, text: SuiteText, resolver: PolicyResolver, reader: SourceReader, check_calls: bool) -> None:
        self.text = text
        self.check_calls = check_calls
        self.resolver = resolver
        self.reader = reader
        self.sources: CaseSources | None = None
        self._trust_slots: dict[int, PolicySlots] = {}
        self.inputs: list[str] = []

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
        if data.get("sources") is not None:
            self.sources = self.read_sources(data["sources"], ("sources",))
        slots = (
            self.policies(data.get("policies"), ("policies",), PolicySlots()) if "policies" in data else PolicySlots()
        )
        given = _given(data.get("policies"))
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
        defaults = _Defaults(slots, principal, account, context, given)
        cases = tuple(self.case(i, raw, defaults) for i, raw in enumerate(raw_cases))
        warnings = self.resolver.take_warnings() + self.reader.take_warnings()
        if self.resolver.catalog:
            warnings += case_findings(cases, self.text)
        if self.check_calls:
            warnings += call_findings(cases)
        inputs = tuple(dict.fromkeys([*self.inputs, *self.resolver.take_paths()]))
        return Suite(path=self.text.display, name=name, cases=cases, warnings=warnings, inputs=inputs)

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
                f"`resource` must be a non-empty string, not {nonempty_kind(resource)}", (*where, "resource")
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
        principal = self.principal(raw, where) or defaults.principal
        account = self.account(raw, where) if "resource_account" in raw else defaults.account
        if self.sources is not None:
            given = defaults.given | _given(raw.get("policies"))
            if account is None and "resource" not in given and action.lower() not in TRUST_ACTIONS:
                account = self.sources.resource_account(resource)
            principal, policies = self.from_sources(
                self.sources, principal, policies, given, action=action, resource=resource, where=where
            )
        elif policies.trust is not None and action.lower() in TRUST_ACTIONS:
            policies = self.trust_slots(policies)
        return Case(
            name=name,
            index=index,
            action=action,
            resource=resource,
            principal=principal,
            policies=policies,
            locator=self.text,
            resource_account=account,
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
            raise self.text.error(f"`{key}` must be a non-empty string, not {nonempty_kind(value)}", (*where, key))
        return value

    def principal(self, raw: Mapping[str, Any], where: tuple[PathPart, ...]) -> str | None:
        """The caller, checked now so that a bad one is reported where it is written, not at run time: an
        ARN (or account, service ...), or the id or ARN of a principal in the suite's sources."""
        value = self.optional_string(raw, "principal", where)
        if value is None:
            return value
        if self.sources is not None and self.source_principal(value, (*where, "principal")) is not None:
            return value
        try:
            parse_request_principal(value)
        except InvalidArgumentError as exc:
            hint = exc.hint
            if self.sources is not None:
                ids = self.sources.inventory.principal_ids()
                close = difflib.get_close_matches(value, ids, n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else "the sources' principals: " + ", ".join(ids[:5])
                raise self.text.error(
                    f"no principal {value!r} in the suite's sources, and it is not a principal ARN",
                    (*where, "principal"),
                    hint=hint,
                ) from None
            raise self.text.error(exc.message, (*where, "principal"), hint=hint) from None
        return value

    def source_principal(self, value: str, where: tuple[PathPart, ...]) -> SourcePrincipal | None:
        if self.sources is None:
            return None
        try:
            return self.sources.principal(value)
        except InvalidArgumentError as exc:
            raise self.text.error(exc.message, where, hint=exc.hint) from None

    def from_sources(
        self,
        sources: CaseSources,
        principal: str,
        policies: PolicySlots,
        given: frozenset[str],
        *,
        action: str,
        resource: str,
        where: tuple[PathPart, ...],
    ) -> tuple[str, PolicySlots]:
        """The case's caller and policies completed from the suite's sources (see :mod:`.sources`)."""
        found = self.source_principal(principal, where)
        try:
            if found is not None:
                principal = sources.request_principal(found)
            policies = sources.slots(
                policies, given, action=action, resource=resource, principal=found, where=self.text.location(where)
            )
        except InvalidArgumentError as exc:
            raise self.text.error(exc.message, where, hint=exc.hint) from None
        return principal, policies

    def trust_slots(self, slots: PolicySlots) -> PolicySlots:
        """``slots`` for a case the trust policy decides: the trust policy is the resource's policy."""
        found = self._trust_slots.get(id(slots))
        if found is None:
            found = self._trust_slots[id(slots)] = dataclasses.replace(slots, resource=slots.trust)
        return found

    def read_sources(self, raw: Any, where: tuple[PathPart, ...]) -> CaseSources:
        """``sources:``, a list of ``KIND:PATH`` or ``{KIND: PATH, option: value ...}``, read into one inventory."""
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            raise self.text.error("`sources` is empty: name at least one source, e.g. tfplan:plan.json", where)
        specs = tuple(
            self.source_spec(item, (*where, i) if isinstance(raw, list) else where) for i, item in enumerate(items)
        )
        self.inputs.extend(os.path.abspath(spec.file) for spec in specs if spec.kind != "aws")
        try:
            inventory = self.reader.inventory(specs)
        except SourceError as exc:
            # The problem is located in the source; say which suite line named it (a parameter given there ...).
            at = self.text.location(where)
            named = f"the suite names this source at {Location(at.source, '', at.line, at.column)} ({at.path})"
            raise SourceError(
                exc.message.removeprefix(f"{exc.location}: "),
                location=exc.location,
                hint=f"{exc.hint}; {named}" if exc.hint else named,
            ) from None
        return CaseSources(self.reader, inventory)

    def source_spec(self, raw: Any, where: tuple[PathPart, ...]) -> SourceSpec:
        if isinstance(raw, str):
            try:
                return parse_source(raw, base=self.text.directory)
            except InvalidArgumentError as exc:
                raise self.text.error(exc.message, where, hint=exc.hint) from None
        if not isinstance(raw, dict):
            raise self.text.error(f"a source is KIND:PATH or a mapping with options, not {kind_of(raw)}", where)
        kinds = [key for key in raw if key in KINDS]
        if len(kinds) != 1:
            raise self.text.error(f"a source mapping names exactly one kind ({', '.join(KINDS)}) with its path", where)
        kind = kinds[0]
        path = "" if raw[kind] is None else raw[kind]
        if not isinstance(path, str):
            raise self.text.error(f"the path of a {kind} source must be a string", (*where, kind))
        self.known_keys(
            {k: v for k, v in raw.items() if k != kind}, frozenset(SOURCE_OPTIONS), SOURCE_OPTIONS, where, "a source"
        )
        options = {key: raw[key] for key in SOURCE_OPTIONS if key in raw}
        account = options.get("account")
        if isinstance(account, int) and not isinstance(account, bool):
            account = self.number_text(account, (*where, "account"), "the account ID")
        if account is not None and not isinstance(account, str):
            raise self.text.error(
                f"`account` must be a 12-digit account ID, not {value_text(account)}", (*where, "account")
            )
        region = options.get("region")
        if region is not None and not isinstance(region, str):
            raise self.text.error(
                f"`region` must be an AWS region name like us-east-1, not {value_text(region)}", (*where, "region")
            )
        # Anything but a real boolean would be read as "no" and the run would go on without saying so.
        bucket_policies = options.get("bucket_policies", False)
        if not isinstance(bucket_policies, bool):
            raise self.text.error(
                f"`bucket_policies` must be true or false, not {value_text(bucket_policies)}",
                (*where, "bucket_policies"),
            )
        try:
            return SourceSpec(
                kind=kind,
                path=path,
                account=account,
                region=region,
                parameters=self.source_parameters(options.get("parameters"), (*where, "parameters")),
                bucket_policies=bucket_policies,
                base=self.text.directory,
            )
        except InvalidArgumentError as exc:
            raise self.text.error(exc.message, where, hint=exc.hint) from None

    def source_parameters(self, raw: Any, where: tuple[PathPart, ...]) -> dict[str, str]:
        """A template's parameter values: text, as CloudFormation passes them (a list parameter is written "a,b")."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise self.text.error(
                f"`parameters` must be a mapping of template parameters to values, not {kind_of(raw)}", where
            )
        parameters: dict[str, str] = {}
        for name, value in raw.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                parameters[name] = str(value)
            else:
                raise self.text.error(
                    f"the value of parameter {name!r} must be a string or number, not {value_text(value)}",
                    (*where, name),
                )
        return parameters

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
        if isinstance(value, int) and not isinstance(value, bool):
            text: Any = self.number_text(value, (*where, "resource_account"), "the account ID")
        else:
            text = value
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
            if type(key) is not str or not key:
                raise self.text.error(
                    f"a context key must be a non-empty string, not {nonempty_kind(key)}", (*where, str(key)), key=True
                )
            lower = key.lower()
            previous = lowered.pop(lower, None)
            if previous is not None:
                del merged[previous]
            if value is None:
                continue
            # A plain string (the common case) needs no conversion.
            merged[key] = value if type(value) is str else self.context_value(value, (*where, key))
            lowered[lower] = key
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
            return self.number_text(value, where)
        raise self.text.error(
            f"a context value must be a string, number, boolean or a list of them, not {kind_of(value)}", where
        )

    def number_text(self, value: float, where: tuple[PathPart, ...], what: str = "the context value") -> str:
        """A number the suite holds, as the text it stands for (``what``: a context value, an account ID): only
        as written. YAML 1.1 reads 011122223333 as octal, 0x10, 1_000, 1:30 (base 60) and 1.5e3 as numbers
        whose text is not what the user wrote, and JSON reads 1E3 as 1000.0 — a value the request would
        silently carry instead."""
        text = str(value)
        json_text = isinstance(self.text.source_map, JsonSourceMap)
        # A JSON integer is written as its digits (JSON has no other form): only its floats need a look.
        written = None if json_text and isinstance(value, int) else self.text.written(where)
        if written is not None and written != text:
            language = "JSON" if json_text else "YAML"
            raise self.text.error(
                f"{language} reads {written} as the number {text}: {what} would be {text!r}, not what is written",
                where,
                hint=f'quote it: "{written}"',
            )
        if isinstance(value, float) and not math.isfinite(value):  # JSON's 1e400
            raise self.text.error(
                f"{what} must be kept as written, but this number is too large to read (beyond ±1.8e308)",
                where,
                hint="quote it, as a string",
            )
        return text

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
    given: frozenset[str]


def _given(raw: Any) -> frozenset[str]:
    """The policy slots a `policies` mapping sets itself (null included): sources do not fill those."""
    return frozenset(key for key in raw if isinstance(key, str)) if isinstance(raw, dict) else frozenset()
