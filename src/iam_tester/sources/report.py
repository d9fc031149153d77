"""The inventory for people (``extract``'s text format): a block per principal and resource, then the values
the sources cannot know. Reads the inventory only."""

from __future__ import annotations

from .._text import count, printable
from .inventory import Inventory, SourcePolicy

__all__ = ["inventory_summary", "inventory_text"]


def inventory_text(inventory: Inventory) -> list[str]:
    """One line per fact: each principal with its policies, each resource policy, then what is unknown."""
    lines: list[str] = []
    for principal in inventory.principals:
        lines.append(printable(f"{principal.type} {principal.id}"))
        lines.append(printable(f"  arn       {principal.arn or '(unknown)'}"))
        lines.extend(_policy_line("identity", policy) for policy in principal.identity)
        if principal.boundary is not None:
            lines.append(_policy_line("boundary", principal.boundary))
        if principal.trust is not None:
            lines.append(_policy_line("trust", principal.trust))
    for resource in inventory.resources:
        lines.append(printable(f"resource {resource.id} ({resource.type})"))
        lines.append(printable(f"  arn       {resource.arn or '(unknown)'}"))
        if resource.policy is not None:
            lines.append(_policy_line("policy", resource.policy))
    if inventory.unknown:
        lines.append("unknown")
        lines.extend(printable(f"  {u.id} {u.attribute}: {u.why}") for u in inventory.unknown)
    return lines


def inventory_summary(inventory: Inventory, sources: int) -> str:
    """``3 principals, 1 resource policy, 0 unknown values in 1 source``."""
    return (
        f"{count(len(inventory.principals), 'principal')}, {count(len(inventory.resources), 'resource policy')}, "
        f"{count(len(inventory.unknown), 'unknown value')} in {count(sources, 'source')}"
    )


def _policy_line(slot: str, policy: SourcePolicy) -> str:
    statements = policy.document.get("Statement") if isinstance(policy.document, dict) else None
    number = len(statements) if isinstance(statements, list) else 1 if isinstance(statements, dict) else 0
    name = "" if slot == "trust" or policy.name == policy.origin.id else f"{policy.name} "
    return printable(f"  {slot:<9} {name}from {policy.origin.id} ({count(number, 'statement')})")
