"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'default'}``, ``${*}``, ``${?}``, ``${$}``.

Source: IAM User Guide, "IAM policy elements: Variables and tags"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):

- variables exist only under ``"Version": "2012-10-17"``; otherwise ``${...}`` is literal text;
- key names are case-insensitive; "You can use any single-valued condition key as a variable. You can't use a
  multivalued condition key as a variable" (a key with several values here resolves to nothing);
- a default is written ``${key, 'default'}``;
- ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters;
- "When policy variables reference a condition context key that has no value or is not present ... the value
  is effectively null. There is no equal or like value": an unresolved value matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .wildcard import Chunks

__all__ = ["Context", "Template", "Variable", "parse_template"]

Context = Mapping[str, tuple[str, ...]]
"""The request context: lower-cased key -> its values (never empty)."""

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"\s*,\s*'([^']*)'\s*\Z")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Variable:
    """One ``${...}``: the key to look up (lower-cased) and the default when it is missing."""

    text: str  # as written, e.g. "${aws:username}"
    key: str
    default: str | None = None


@dataclass(frozen=True)
class Template:
    """A policy string split into literal policy text (``str``, wildcards meaningful) and variables."""

    parts: tuple[str | Variable, ...]
    text: str

    @property
    def has_variables(self) -> bool:
        return any(isinstance(p, Variable) for p in self.parts)

    def resolve(self, context: Context) -> tuple[Chunks | None, tuple[tuple[str, str | None], ...]]:
        """The chunks with variables replaced (``None`` when one cannot be resolved) and each variable's value."""
        chunks: list[tuple[str, bool]] = []
        resolved: list[tuple[str, str | None]] = []
        ok = True
        for part in self.parts:
            if isinstance(part, str):
                chunks.append((part, True))
                continue
            value = _lookup(part, context)
            resolved.append((part.text, value))
            if value is None:
                ok = False
            else:
                chunks.append((value, False))
        return (tuple(chunks) if ok else None), tuple(resolved)


def _lookup(variable: Variable, context: Context) -> str | None:
    if variable.key in _SPECIAL:
        return _SPECIAL[variable.key]
    values = context.get(variable.key)
    if values is not None and len(values) == 1:
        return values[0]
    if values is None and variable.default is not None:
        return variable.default
    return None  # missing, or multivalued (which cannot be a variable)


def parse_template(text: str, *, enabled: bool) -> Template:
    """Split ``text`` into literal text and variables; with ``enabled`` false the whole text is literal."""
    if not enabled or "${" not in text:
        return Template((text,), text)
    parts: list[str | Variable] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(_variable(match.group(0), match.group(1)))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return Template(tuple(parts), text)


def _variable(whole: str, inner: str) -> Variable:
    inner_stripped = inner.strip()
    if inner_stripped in _SPECIAL:
        return Variable(whole, inner_stripped)
    default_match = _DEFAULT.search(inner)
    if default_match:
        name = inner[: default_match.start()].strip()
        return Variable(whole, name.lower(), default_match.group(1))
    return Variable(whole, inner_stripped.lower())
