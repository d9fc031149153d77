"""A Terraform plan's JSON as resource instances with known and unknown values, and the configuration's
references between them.

The format is Terraform's "JSON Output Format" (developer.hashicorp.com/terraform/internals/json-format):

- ``format_version``: "Reject any input which reports an unsupported major version" — majors 0 and 1 are read;
- ``resource_changes``: one entry per resource instance, with ``address``, ``module_address``, ``mode``,
  ``type``, ``name`` and ``index`` (the ``count`` number or ``for_each`` key) as separate fields, and
  ``change.after`` / ``change.after_unknown`` (a mirror of the values, ``true`` where a value is "known only
  after apply"); an instance is identified by those fields, never by splitting its address on dots, because
  ``for_each`` keys may contain dots;
- ``prior_state`` and ``planned_values``: modules of resources with their ``values`` (data sources read while
  planning are in ``prior_state``); a plan with nothing to change may have no ``resource_changes`` entry for a
  resource that ``planned_values`` holds;
- ``configuration``: per module (``module_calls`` nest them), resources with their ``expressions``; an
  expression's ``references`` name what it refers to (``aws_iam_policy.p.arn``, ``aws_iam_policy.p``,
  ``each.key``), relative to its module — which is how an attachment whose ARN is unknown at plan time is
  linked to the policy it attaches.

``terraform show -json`` of a state (``values`` instead of ``planned_values``) is read the same way, every
value known.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import SourceError
from ...policy.sourcemap import PathPart, SourceMap
from ..files import source_error

__all__ = ["UNKNOWN_AFTER_APPLY", "Instance", "Plan", "module_calls"]

UNKNOWN_AFTER_APPLY = "known only after apply"
_SUPPORTED_MAJORS = ("0", "1")
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY = r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]'
_MODULE_STEP = re.compile(rf"module\.({_NAME})({_KEY})?")
_REFERENCE = re.compile(rf"(?:(data)\.)?([a-z][a-z0-9_]*)\.({_NAME})({_KEY})?(?:\.|\Z)")

InstanceKey = tuple[str, str, str, str, "str | int | None"]


def module_calls(module_address: str) -> tuple[str, ...]:
    """The module call names of a module instance address (``module.a["x.y"].module.b`` -> ``("a", "b")``),
    read with the address grammar, so keys with dots in them stay whole. Raises ``ValueError`` if malformed."""
    names: list[str] = []
    position = 0
    while position < len(module_address):
        if names:
            if module_address[position] != ".":
                raise ValueError(module_address)
            position += 1
        match = _MODULE_STEP.match(module_address, position)
        if match is None:
            raise ValueError(module_address)
        names.append(match.group(1))
        position = match.end()
    return tuple(names)


def _index(text: str | None) -> str | int | None:
    if text is None:
        return None
    inner = text[1:-1]
    return json.loads(inner) if inner.startswith('"') else int(inner)


@dataclass(frozen=True)
class Instance:
    """One resource instance (or data source) as planned: its identity fields, the values known now, and the
    mirror of what is known only after apply. ``parts`` is where its values are in the plan file."""

    address: str
    module: str  # the module instance address ("" for the root module)
    mode: str  # "managed" or "data"
    type: str
    name: str
    index: str | int | None
    values: Mapping[str, Any]
    after_unknown: Any
    parts: tuple[PathPart, ...]

    @property
    def key(self) -> InstanceKey:
        return (self.module, self.mode, self.type, self.name, self.index)

    def unknown(self, *path: PathPart) -> bool:
        """Whether the value at ``path`` (an attribute, then list indexes and keys) is known only after apply."""
        node = self.after_unknown
        for part in path:
            if node is True:
                return True
            if isinstance(node, dict) and isinstance(part, str):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return False
        return _any_true(node)

    def text(self, attribute: str) -> str | None:
        """A known, non-empty string attribute, or ``None``."""
        value = self.values.get(attribute)
        return value if isinstance(value, str) and value and not self.unknown(attribute) else None


def _any_true(node: Any) -> bool:
    if node is True:
        return True
    if isinstance(node, dict):
        return any(_any_true(value) for value in node.values())
    if isinstance(node, list):
        return any(_any_true(value) for value in node)
    return False


class Plan:
    """The instances of a plan, indexed, with the configuration that links them."""

    def __init__(self, data: Any, display: str, source_map: SourceMap) -> None:
        self.display = display
        self.source_map = source_map
        self._check_format(data)
        self.data: Mapping[str, Any] = data
        self.instances: dict[InstanceKey, Instance] = {}
        self._by_resource: dict[tuple[str, str, str, str], list[Instance]] = {}
        self._read_instances()
        self._config: dict[tuple[tuple[str, ...], str, str, str], Mapping[str, Any]] = {}
        configuration = data.get("configuration")
        if isinstance(configuration, dict) and isinstance(configuration.get("root_module"), dict):
            self._index_config(configuration["root_module"], ())

    def error(self, message: str, parts: tuple[PathPart, ...], hint: str | None = None) -> SourceError:
        return source_error(message, self.display, self.source_map, parts, hint)

    # -- reading --------------------------------------------------------------------------------------
    def _check_format(self, data: Any) -> None:
        if not isinstance(data, dict) or "format_version" not in data:
            raise self.error(
                "this is not the JSON of a Terraform plan: it has no `format_version`",
                (),
                hint="make it with `terraform plan -out=plan.tfplan && terraform show -json plan.tfplan > plan.json`",
            )
        version = data["format_version"]
        major = version.split(".", 1)[0] if isinstance(version, str) else None
        if major not in _SUPPORTED_MAJORS:
            raise self.error(
                f"the plan's format_version is {json.dumps(version)}: only majors "
                f"{' and '.join(_SUPPORTED_MAJORS)} are known, and Terraform says to reject any other",
                ("format_version",),
                hint="a newer major version changed the format incompatibly; this tool needs updating to read it",
            )

    def _read_instances(self) -> None:
        changes = self.data.get("resource_changes", [])
        if not isinstance(changes, list):
            raise self.error("`resource_changes` must be a list", ("resource_changes",))
        for i, change in enumerate(changes):
            where: tuple[PathPart, ...] = ("resource_changes", i)
            if not isinstance(change, dict) or not isinstance(change.get("change"), dict):
                raise self.error("a resource change must be an object with a `change`", where)
            after = change["change"].get("after")
            if after is None:  # deleted (or a data source read that has nothing yet)
                if change.get("mode") != "data":
                    continue
                after = {}
            self._add(change, after, change["change"].get("after_unknown") or {}, (*where, "change", "after"))
        # Data sources read while planning are in prior_state (its managed resources are the state before the
        # change: a resource being deleted is there too, so only data is taken from it); planned_values holds
        # what resource_changes may leave out (a plan with nothing to change), and a state has `values`.
        prior = self.data.get("prior_state")
        if isinstance(prior, dict) and isinstance(prior.get("values"), dict):
            self._walk(prior["values"].get("root_module"), ("prior_state", "values", "root_module"), data_only=True)
        if isinstance(self.data.get("planned_values"), dict):
            self._walk(self.data["planned_values"].get("root_module"), ("planned_values", "root_module"))
        elif isinstance(self.data.get("values"), dict):
            self._walk(self.data["values"].get("root_module"), ("values", "root_module"))
        if not self.instances and not any(k in self.data for k in ("resource_changes", "planned_values", "values")):
            raise self.error(
                "this is not the JSON of a Terraform plan: it has no resource_changes, planned_values or values",
                (),
                hint="make it with `terraform show -json plan.tfplan > plan.json`",
            )

    def _walk(self, module: Any, where: tuple[PathPart, ...], *, data_only: bool = False) -> None:
        """A module of the state representation ("Values Representation" in the format's page): every module,
        resource and child module is checked for the shape the format gives it, at every depth, so a plan that
        is not one is exit 2 rather than an inventory silently missing what it holds."""
        if module is None:  # an empty configuration may leave root_module out
            return
        if not isinstance(module, dict):
            raise self.error("a module must be an object with `resources` and `child_modules`", where)
        resources = module.get("resources", [])
        if not isinstance(resources, list):
            raise self.error("`resources` must be a list", (*where, "resources"))
        for i, resource in enumerate(resources):
            at: tuple[PathPart, ...] = (*where, "resources", i)
            if not isinstance(resource, dict):
                raise self.error("a resource must be an object", at)
            if data_only and resource.get("mode") != "data":
                continue  # prior_state's managed resources are the state before the change: only shape-checked
            self._add(resource, resource.get("values"), {}, (*at, "values"), only_new=True)
        children = module.get("child_modules", [])
        if not isinstance(children, list):
            raise self.error("`child_modules` must be a list", (*where, "child_modules"))
        for i, child in enumerate(children):
            self._walk(child, (*where, "child_modules", i), data_only=data_only)

    def _add(
        self,
        entry: Mapping[str, Any],
        values: Any,
        after_unknown: Any,
        where: tuple[PathPart, ...],
        *,
        only_new: bool = False,
    ) -> None:
        fields = {name: entry.get(name) for name in ("address", "mode", "type", "name")}
        for name, value in fields.items():
            if not isinstance(value, str) or not value:
                raise self.error(
                    f"the resource has no `{name}` (a non-empty string)", where[:-1] if where[-1] == "values" else where
                )
        if not isinstance(values, dict):
            missing = values is None and where[-1] == "values"  # no `values` key: point at the resource
            raise self.error("a resource's values must be an object", where[:-1] if missing else where)
        module = entry.get("module_address", "")
        if not isinstance(module, str):
            raise self.error("`module_address` must be a string", where)
        try:
            module_calls(module)
        except ValueError:
            raise self.error(f"`module_address` {json.dumps(module)} is not a module instance address", where) from None
        index = entry.get("index")
        if index is not None and (isinstance(index, bool) or not isinstance(index, (str, int))):
            raise self.error("`index` must be a number (count) or a string (for_each)", where)
        instance = Instance(
            address=fields["address"],  # type: ignore[arg-type]
            module=module,
            mode=fields["mode"],  # type: ignore[arg-type]
            type=fields["type"],  # type: ignore[arg-type]
            name=fields["name"],  # type: ignore[arg-type]
            index=index,
            values=values,
            after_unknown=after_unknown,
            parts=where,
        )
        if only_new and instance.key in self.instances:
            return
        if instance.key not in self.instances:
            self._by_resource.setdefault((instance.module, instance.mode, instance.type, instance.name), []).append(
                instance
            )
        self.instances[instance.key] = instance

    def _index_config(self, module: Mapping[str, Any], calls: tuple[str, ...]) -> None:
        for resource in module.get("resources") or []:
            if isinstance(resource, dict):
                key = (calls, str(resource.get("mode")), str(resource.get("type")), str(resource.get("name")))
                self._config[key] = resource
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                self._index_config(call["module"], (*calls, name))

    # -- queries --------------------------------------------------------------------------------------
    def of_type(self, *types: str, mode: str = "managed") -> Iterator[Instance]:
        """Every instance of ``types``, in the plan's order."""
        for instance in self.instances.values():
            if instance.mode == mode and instance.type in types:
                yield instance

    def configured(self, instance: Instance, attribute: str) -> bool | None:
        """Whether the configuration sets ``attribute`` (an expression or a block); ``None`` without one."""
        config = self._config.get((module_calls(instance.module), instance.mode, instance.type, instance.name))
        if config is None:
            return None
        expressions = config.get("expressions")
        return isinstance(expressions, dict) and attribute in expressions

    def referenced(
        self, instance: Instance, attribute: str, types: tuple[str, ...], mode: str = "managed"
    ) -> Instance | str:
        """The instance of one of ``types`` that ``attribute``'s expression refers to, or why there is none.

        A reference without an index to a resource with several instances is followed to the instance with
        the referring one's own ``count``/``for_each`` key when the expression uses ``each.key`` or
        ``count.index`` (the usual ``aws_iam_policy.p[each.key].arn``); otherwise it is ambiguous.
        """
        config = self._config.get((module_calls(instance.module), instance.mode, instance.type, instance.name))
        if config is None:
            return "the plan's configuration does not describe this resource"
        expression = (config.get("expressions") or {}).get(attribute)
        references = expression.get("references") if isinstance(expression, dict) else None
        if not isinstance(references, list) or not references:
            return "the configuration's expression refers to no resource of this plan"
        own_key = "each.key" in references or "count.index" in references
        for reference in references:
            match = _REFERENCE.match(reference) if isinstance(reference, str) else None
            if match is None:
                continue
            ref_mode = "data" if match.group(1) else "managed"
            if ref_mode != mode or match.group(2) not in types:
                continue
            candidates = self._by_resource.get((instance.module, ref_mode, match.group(2), match.group(3)), [])
            if match.group(4) is not None:
                wanted = _index(match.group(4))
                chosen = [c for c in candidates if c.index == wanted]
            elif len(candidates) > 1 and own_key:
                chosen = [c for c in candidates if c.index == instance.index]
            else:
                chosen = candidates
            if len(chosen) == 1:
                return chosen[0]
            if len(chosen) > 1:
                return f"it refers to {reference}, which has {len(chosen)} instances: which one is not known"
        named = ", ".join(map(str, references[:3]))
        return f"the configuration's expression ({named}) refers to no {' or '.join(types)} of this plan"
