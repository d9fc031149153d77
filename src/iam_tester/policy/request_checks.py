"""Checks of one *request* against the IAM catalog: could AWS ever send it?

A test case (``check``) or a question (``explain``) names one action, one resource and some context keys. When
the action does not exist, the resource is not of a type the action takes, or a context key is one the action
never carries, the request is one AWS never makes, and whatever the evaluator answers tests nothing: a
``denied`` expectation passes for ``s3:DeleteObjects`` because no policy names it. Sources: "Actions, resources,
and condition keys for AWS services" (the catalog) and "AWS global condition context keys".

The checks are memoised per action and per set of context keys: a suite of thousands of cases over a few
actions costs a few look-ups per case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .._cache import BoundedCache
from .arns import format_regex
from .catalog import ActionInfo, Catalog, KeyMatcher, ResourceType
from .catalog_checks import or_list

__all__ = ["RequestChecker", "RequestProblem"]


@dataclass(frozen=True)
class RequestProblem:
    """What is wrong with one part of a request: ``part`` is ``action``, ``resource`` or ``context``
    (then ``key`` names the context key)."""

    code: str
    message: str
    part: str
    key: str | None = None


@dataclass(frozen=True)
class _Action:
    problem: RequestProblem | None
    info: ActionInfo | None = None
    types: tuple[ResourceType, ...] = ()
    resource: re.Pattern[str] | None = None  # any ARN of a type the action takes
    keys: KeyMatcher | None = None


class RequestChecker:
    """Finds the problems of requests against one catalog (see the module docstring)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._actions: BoundedCache[str, _Action] = BoundedCache(4096)
        self._keys: BoundedCache[tuple[str, tuple[str, ...]], tuple[RequestProblem, ...]] = BoundedCache(4096)

    def problems(self, action: str, resource: str, keys: Sequence[str]) -> list[RequestProblem]:
        """Every problem of the request ``action`` on ``resource`` with context ``keys`` (none: AWS can send it)."""
        facts = self._actions.get(action) or self._actions.put(action, self._action(action))
        if facts.problem is not None:
            return [facts.problem]
        found: list[RequestProblem] = []
        if resource != "*" and (facts.resource is None or facts.resource.fullmatch(resource) is None):
            found.append(self._resource_problem(action, resource, facts))
        if keys:
            memo_key = (action, tuple(keys))
            key_problems = self._keys.get(memo_key)
            if key_problems is None:
                key_problems = self._keys.put(memo_key, tuple(self._key_problems(action, keys, facts)))
            found.extend(key_problems)
        return found

    def _action(self, action: str) -> _Action:
        service, _, name = action.partition(":")
        catalog = self.catalog
        if not catalog.has_service(service):
            close = catalog.suggest_service(service)
            hint = f" (did you mean {or_list(close)}?)" if close else ""
            message = f"no AWS service has the prefix {service!r}{hint}, so no request names {action}"
            return _Action(RequestProblem("unknown-service", message, "action"))
        info = catalog.action(service, name)
        if info is None:
            close = catalog.suggest_action(service, name)
            hint = f" (did you mean {or_list(close)}?)" if close else ""
            message = f"{service} has no action {name!r}{hint}, so no request names it"
            return _Action(RequestProblem("unknown-action", message, "action"))
        types = catalog.resource_types_of(info)
        pattern = None
        if types:
            alternatives = (format_regex(t.arn, account_optional=t.account_optional).pattern for t in types)
            pattern = re.compile("|".join(f"(?:{p})" for p in alternatives), re.DOTALL)
        return _Action(None, info, types, pattern, catalog.action_keys(info))

    def _resource_problem(self, action: str, resource: str, facts: _Action) -> RequestProblem:
        if not facts.types:
            message = f'{action} takes no resource ARN: its requests name "*", never {resource!r}'
        else:
            shown = "; ".join(f"{t.name}: {t.arn}" for t in facts.types[:4])
            more = f" and {len(facts.types) - 4} more" if len(facts.types) > 4 else ""
            message = f"{resource!r} is not a resource {action} takes ({shown}{more}), so AWS never sends this request"
        return RequestProblem("resource-mismatch", message, "resource")

    def _key_problems(self, action: str, keys: Sequence[str], facts: _Action) -> list[RequestProblem]:
        found = []
        for key in keys:
            info = self.catalog.condition_key(key)
            if info is None:
                close = self.catalog.suggest_condition_key(key)
                hint = f" (did you mean {or_list(close)}?)" if close else ""
                message = (
                    f"context key {key!r} is neither a global condition key nor one any service documents{hint}: "
                    "a condition on the key meant never sees this value"
                )
                found.append(RequestProblem("unknown-condition-key", message, "context", key))
            elif info.service_specific and facts.keys is not None and facts.keys.get(key) is None:
                message = (
                    f"{action} requests never carry {key}: in AWS a condition on it only ever sees a missing key, "
                    "so this context describes a request AWS never makes"
                )
                found.append(RequestProblem("condition-key-not-supported", message, "context", key))
        return found
