"""Policy documents in a plan: JSON text in an attribute, known now, or linked to the
``aws_iam_policy_document`` data source the configuration builds it from, or unknown (and why)."""

from __future__ import annotations

from dataclasses import dataclass

from ...policy.jsontext import JsonTextError, load_json
from ...policy.model import PolicyKind
from ...policy.sourcemap import PathPart, format_path
from ..inventory import Origin, SourcePolicy, Unknown
from .plan import UNKNOWN_AFTER_APPLY, Instance, Plan

__all__ = ["Documents", "PlanContext"]

_DOCUMENT_SOURCES = ("aws_iam_policy_document",)


@dataclass(frozen=True)
class PlanContext:
    """What ARNs are built with where the plan does not say: the account, region and partition."""

    source: str
    account: str | None
    region: str | None
    partition: str

    def missing_account(self) -> str:
        return "the account is not in the plan: give it (--account-id, or {tfplan: ..., account: ID} in a suite)"


class Documents:
    """Reads the documents of a plan's instances, recording each one found for validation."""

    def __init__(self, plan: Plan, context: PlanContext) -> None:
        self.plan = plan
        self.context = context
        self.found: list[SourcePolicy] = []

    def policy(
        self, instance: Instance, path: tuple[PathPart, ...], kind: PolicyKind, name: str
    ) -> SourcePolicy | Unknown | None:
        """The document at ``path`` in ``instance``'s values: ``None`` when the attribute is empty (no policy)."""
        if instance.unknown(*path):
            return self._linked(instance, path, kind, name)
        value = _get(instance.values, path)
        if value is None or value == "":
            return None
        return self.decode(value, instance, path, kind=kind, name=name)

    def decode(
        self, value: object, instance: Instance, path: tuple[PathPart, ...], *, kind: PolicyKind, name: str
    ) -> SourcePolicy:
        attribute = format_path(path)
        where = (*instance.parts, *path)
        if not isinstance(value, str):
            raise self.plan.error(f"{instance.address} {attribute} must be a policy document as JSON text", where)
        try:
            document = load_json(value)
        except JsonTextError as exc:
            raise self.plan.error(f"{instance.address} {attribute} is not JSON: {exc.message}", where) from None
        if not isinstance(document, dict):
            raise self.plan.error(f"{instance.address} {attribute} must be a JSON object (a policy document)", where)
        origin = Origin(
            self.context.source, self.plan.display, instance.address, attribute, where, True, self.plan.source_map
        )
        policy = SourcePolicy(name=name, kind=kind, document=document, origin=origin)
        self.found.append(policy)
        return policy

    def _linked(
        self, instance: Instance, path: tuple[PathPart, ...], kind: PolicyKind, name: str
    ) -> SourcePolicy | Unknown:
        attribute = format_path(path)
        unknown = Unknown(instance.address, attribute, UNKNOWN_AFTER_APPLY, self.context.source)
        if len(path) != 1 or not isinstance(path[0], str):
            return unknown
        target = self.plan.referenced(instance, path[0], _DOCUMENT_SOURCES, mode="data")
        if isinstance(target, str):
            return unknown
        for key in ("json", "minified_json"):
            if target.text(key) is not None:
                return self.decode(target.values[key], target, (key,), kind=kind, name=name)
        why = f"{UNKNOWN_AFTER_APPLY}: it is built by {target.address}, which is read during apply"
        return Unknown(instance.address, attribute, why, self.context.source)


def _get(values: object, path: tuple[PathPart, ...]) -> object:
    node = values
    for part in path:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node
