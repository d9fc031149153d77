"""The resources an action is requested on: its resource types' ARN formats from the catalog, in the caller's
partition and the resource's account, as a regular language (for the search) and as readable examples."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..policy.catalog import ActionInfo, Catalog
from .regular import ANY, NOT_COLON, Item, Language, literal

__all__ = ["ResourceUniverse"]

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_EXAMPLE = "example"
# A named part of an ARN (an ID, a name) holds no colon — but an S3 object key, which may hold anything.
_FREE_PLACEHOLDERS = frozenset({"ObjectName"})


@dataclass
class ResourceUniverse:
    """Per action: the ARNs of its resource types (``*`` for an action without one), for ``partition``,
    ``account`` (the resource's) and ``region`` (examples only: any region is a candidate)."""

    catalog: Catalog
    partition: str
    account: str
    region: str = "us-east-1"
    _universes: dict[tuple[str, ...], tuple[Language, list[str]]] = field(default_factory=dict, repr=False)
    _samples: dict[tuple[str, ...], list[str]] = field(default_factory=dict, repr=False)
    _action_formats: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def formats(self, action: ActionInfo) -> tuple[str, ...]:
        key = action.full_name
        found = self._action_formats.get(key)
        if found is None:
            found = self._action_formats[key] = tuple(r.arn for r in self.catalog.resource_types_of(action))
        return found

    def language(self, action: ActionInfo) -> tuple[Language, list[str]]:
        """The resources ``action`` is requested on (its resource types' ARNs in the caller's partition and the
        resource account; ``*`` for an action without resource types), and readable examples of them."""
        formats = self.formats(action)
        found = self._universes.get(formats)
        if found is None:
            if not formats:
                found = (Language.of([literal("*")]), ["*"])
            else:
                found = (Language.of(self._format_items(f) for f in formats), self.samples(action))
            self._universes[formats] = found
        return found

    def samples(self, action: ActionInfo) -> list[str]:
        """Readable resources ``action`` may be requested on, one per resource type (``*`` without one)."""
        formats = self.formats(action)
        found = self._samples.get(formats)
        if found is None:
            # The plainest first (an object's ARN before an access point's).
            found = sorted((self._format_sample(f) for f in formats), key=len) if formats else ["*"]
            self._samples[formats] = found
        return found

    def _format_items(self, arn_format: str) -> list[Item]:
        items: list[Item] = []
        position = 0
        for match in _PLACEHOLDER.finditer(arn_format):
            items.extend(literal(arn_format[position : match.start()]))
            fixed = self._fixed_part(match.group(1))
            if fixed is not None:
                items.extend(literal(fixed))
            else:
                # A named part is at least one character.
                charset = ANY if match.group(1) in _FREE_PLACEHOLDERS else NOT_COLON
                items.extend(((charset, False), (charset, True)))
            position = match.end()
        items.extend(literal(arn_format[position:]))
        return items

    def _fixed_part(self, placeholder: str) -> str | None:
        if placeholder == "Partition":
            return self.partition
        if placeholder == "Account":
            return self.account
        return None

    def _format_sample(self, arn_format: str) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "Region":
                return self.region
            return self._fixed_part(name) or _EXAMPLE

        return _PLACEHOLDER.sub(fill, arn_format)
