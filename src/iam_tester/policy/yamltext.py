"""Read YAML safely — suites, and CloudFormation templates (with their short-form tags, see
``sources/cfn/decode.py``): data only, bounded, and every problem a located error (:class:`SuiteError` for a
suite, the error class the caller names otherwise).

- **Safe loading only.** PyYAML's safe loader (libyaml's C parser when PyYAML was built with it):
  ``!!python/object`` and every other non-standard tag is an error, never code that runs.
- **No dates.** Timestamps are not resolved implicitly: ``Version: 2012-10-17`` in an inline policy must
  stay the string IAM expects.
- **Keys are strings.** YAML 1.1 reads unquoted ``1``, ``true``, ``yes``, ``null`` and ``~`` as a number,
  a boolean or null; as a key that is always a mistake in a suite (its keys, condition keys, parameter
  names and policy elements are all text), so it is reported where it is written, with "quote it".
- **Explicit tags cannot crash.** ``!!int foo``, ``!!int ''``, ``!!timestamp 2020-13-45`` and
  ``!!bool maybe`` make PyYAML's constructors raise ``ValueError``, ``IndexError``, ``AttributeError``
  or ``KeyError``; here they are errors at the tag.
- **Aliases are bounded.** A "billion laughs" document (aliases of aliases, each level multiplying the
  size) is tiny as text and composes into a small graph, but expands to billions of values for anything
  that walks it. The expanded size is computed over the graph before anything else walks it, and a
  recursive alias (a list that contains itself) is refused.
- **Duplicate keys** are refused as written — before merge keys (``<<: *defaults``) are applied, so
  overriding a merged key is fine. A suite is checked down to a case's ``context``, ``policies`` and ``call``
  (deeper, inline policy documents are left as IAM reads them); a template everywhere.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from ..errors import IamTesterError, Location, SuiteError
from ..policy.describe import shown
from ..policy.jsontext import line_column
from ..policy.sourcemap import PathPart, format_path

__all__ = ["SafeYamlLoader", "load_yaml"]

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_STR, _MERGE, _TIMESTAMP = f"{_TAG}str", f"{_TAG}merge", f"{_TAG}timestamp"
_WHAT = {
    "int": "a number",
    "float": "a number",
    "bool": "a boolean",
    "null": "null",
    "timestamp": "a date",
    "binary": "binary data",
    "seq": "a list",
    "map": "a mapping",
    "set": "a set",
    "omap": "an ordered mapping",
    "pairs": "a list of pairs",
}
_LONG_INTEGER = 4300  # CPython's default sys.get_int_max_str_digits()

# Only documents with an anchor can have aliases; most suites have none and skip the size walk.
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&\S")
# Aliases may multiply a suite's size this much before it is refused (the floor leaves room for a big
# generated suite that aliases one policy in every case).
_EXPANSION_FACTOR = 100
_EXPANSION_FLOOR = 1_000_000
# A suite is checked for duplicate keys down to: the root, the `cases` list, a case, and a case's mappings
# (context, policies, call). Deeper, inline policy documents are JSON-like and left as IAM reads them.
SUITE_DUPLICATE_DEPTH = 4

LocatedError = Callable[..., IamTesterError]
"""An error class taking ``(message, *, location, hint=None)``: :class:`SuiteError` or :class:`SourceError`."""


class SafeYamlLoader(_BaseLoader):  # type: ignore[misc]  # PyYAML's loaders are untyped C/Python hybrids
    """The safe loader without timestamp resolution, with string keys and checked scalar tags. Subclass it to
    add constructors for more tags (a template's ``!Ref``)."""

    def __init__(self, text: str, display: str, error: LocatedError = SuiteError) -> None:
        super().__init__(text)
        self.display = display
        self.error = error

    def error_at(self, node: yaml.Node, message: str, *, hint: str | None = None) -> IamTesterError:
        mark = node.start_mark
        return self.error(message, location=Location(self.display, "", mark.line + 1, mark.column + 1), hint=hint)

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if key_node.tag not in (_STR, _MERGE):
                    message, hint = _key_message(key_node)
                    raise self.error_at(key_node, message, hint=hint)
        return super().construct_mapping(node, deep=deep)


SafeYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _checked(tag: str, construct: Callable[[Any, yaml.Node], Any]) -> Callable[[Any, yaml.Node], Any]:
    name = tag.removeprefix(_TAG)

    def checked(loader: SafeYamlLoader, node: yaml.Node) -> Any:
        if name == "int" and isinstance(node.value, str) and len(node.value) > _LONG_INTEGER:
            raise loader.error_at(node, f"a number of {len(node.value):,} digits: too long to read")
        try:
            return construct(loader, node)
        except (ValueError, LookupError, AttributeError, TypeError, ArithmeticError):
            raise loader.error_at(node, f"{shown(node.value)} is not a valid !!{name}") from None

    return checked


for _tag in ("null", "bool", "int", "float", "binary", "timestamp"):
    SafeYamlLoader.add_constructor(
        f"{_TAG}{_tag}", _checked(f"{_TAG}{_tag}", _BaseLoader.yaml_constructors[f"{_TAG}{_tag}"])
    )


def _key_message(key_node: yaml.Node) -> tuple[str, str | None]:
    name = str(key_node.tag).removeprefix(_TAG)
    what = _WHAT.get(name, f"a value tagged {key_node.tag}")
    if isinstance(key_node, yaml.ScalarNode):
        text = key_node.value
        written = f"`{text}`" if text else "an empty key"
        quoted = f'"{text}"' if text else '""'
        return (
            f"a key must be a string, but YAML reads {written} as {what}",
            f"quote it: {quoted}",
        )
    return f"a key must be a string, not {what}", None


def load_yaml(
    text: str,
    display: str,
    *,
    error: LocatedError = SuiteError,
    loader_class: type[SafeYamlLoader] = SafeYamlLoader,
    duplicate_depth: int | None = SUITE_DUPLICATE_DEPTH,
) -> tuple[Any, yaml.Node | None]:
    """The data in ``text`` and its composed node (``None`` for an empty document). Problems are ``error`` s;
    duplicate keys are refused ``duplicate_depth`` levels down (``None``: at every level)."""
    loader = loader_class(text, display, error)
    try:
        node = loader.get_single_node()
        if node is not None:
            _no_duplicate_keys(node, display, error, duplicate_depth)
            if "&" in text and _ANCHOR.search(text):
                _bounded_aliases(node, display, error)
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        problem = exc.problem or "unexpected text"
        if exc.context:
            started = exc.context_mark
            where = f" at line {started.line + 1}" if started is not None and started is not mark else ""
            problem = f"{problem} ({exc.context}{where})"
        hint = _hint(text, mark, exc.problem)
        location = Location(display, "", line, column)
        raise error(f"not valid YAML: {problem}", location=location, hint=hint) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        line, column = line_column(text, exc.position)
        message = f"not valid YAML: the character U+{exc.character:04X} is not allowed ({exc.reason})"
        raise error(message, location=Location(display, "", line, column)) from None
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML: {exc}", location=Location(display)) from None
    except RecursionError:  # the pure-Python parser (without libyaml) recurses once per nesting level
        raise error(
            "not valid YAML: lists and mappings nested too deeply to read", location=Location(display)
        ) from None
    finally:
        loader.dispose()
    return data, node


def _hint(text: str, mark: Any, problem: str | None) -> str | None:
    if _tab_at(text, mark):
        return "YAML does not allow tabs for indentation: indent with spaces"
    if problem == "found unexpected ':'":
        # libyaml refuses a plain value ending in ':' inside [ ] or { }: `sources: [aws:]` is the usual case.
        return "inside [ ] or { }, quote a value that holds ':' (sources: ['aws:', 'gaad:account.json'])"
    return None


def _tab_at(text: str, mark: Any) -> bool:
    """Is the character where parsing broke a tab (the commonest YAML mistake after a missing space)?"""
    if mark is None:
        return False
    lines = text.splitlines()
    line: int = mark.line
    column: int = mark.column
    return line < len(lines) and lines[line][column : column + 1] == "\t"


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _bounded_aliases(root: yaml.Node, display: str, error: LocatedError) -> None:
    """Refuse a recursive alias, and aliases that expand the document past a bound (see the module doc)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                mark = child.start_mark
                raise error(
                    "a YAML alias here refers to a list or mapping that contains it: the data would be infinite",
                    location=Location(display, "", mark.line + 1, mark.column + 1),
                )
            if id(child) not in sizes:
                stack.append((child, False))
    limit = max(_EXPANSION_FLOOR, _EXPANSION_FACTOR * len(sizes))
    if sizes[id(root)] <= limit:
        return
    # Point at the smallest list or mapping already past the bound: where the multiplying starts.
    culprit = min((node for node in _all_nodes(root) if sizes[id(node)] > limit), key=lambda node: sizes[id(node)])
    mark = culprit.start_mark
    raise error(
        f"YAML aliases expand this to more than {limit:,} values (an alias bomb): a document that size is not meant",
        location=Location(display, "", mark.line + 1, mark.column + 1),
        hint="write the repeated data once (in a suite: in a policy file the cases name)",
    )


def _all_nodes(root: yaml.Node) -> Iterator[yaml.Node]:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(_children(node))


def _no_duplicate_keys(root: yaml.Node, display: str, error: LocatedError, depth_limit: int | None) -> None:
    # YAML keeps the last of two equal keys without a word; in a suite that hides a mistake (a case with
    # two `expect`s). Each node is checked once, however many aliases share it. This runs over every
    # case of a big suite: scalars are never pushed, and the path is a linked trail flattened on error.
    checked: dict[int, int] = {}
    # Without a limit, every level is checked: a depth that never runs out.
    stack: list[tuple[yaml.Node, int, Any]] = [(root, sys.maxsize if depth_limit is None else depth_limit, None)]
    containers = (yaml.MappingNode, yaml.SequenceNode)
    while stack:
        node, depth, trail = stack.pop()
        if checked.get(id(node), 0) >= depth:
            continue
        checked[id(node)] = depth
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if key.tag == _MERGE or not isinstance(key, yaml.ScalarNode):
                    continue
                name = key.value
                if name in seen:
                    mark = key.start_mark
                    where = format_path(_flatten((trail, name)))
                    raise error(
                        f"the key {name!r} appears twice in one mapping; YAML would silently keep the last",
                        location=Location(display, where, mark.line + 1, mark.column + 1),
                    )
                seen.add(name)
                if depth > 1 and isinstance(value, containers):
                    stack.append((value, depth - 1, (trail, name)))
        elif depth > 1:  # a sequence
            stack.extend(
                (item, depth - 1, (trail, index))
                for index, item in enumerate(node.value)
                if isinstance(item, containers)
            )


def _flatten(trail: Any) -> list[PathPart]:
    parts: list[PathPart] = []
    while trail is not None:
        trail, part = trail
        parts.append(part)
    return parts[::-1]
