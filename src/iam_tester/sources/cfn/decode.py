"""Read a CloudFormation template, JSON or YAML with the short-form tags (``!Ref``, ``!Sub``, ``!GetAtt`` ...).

The YAML is read by the safe, bounded reader suites use (:mod:`iam_tester.policy.yamltext`: no dates, string
keys, aliases bounded, duplicate keys refused at every level), with one constructor per short form that turns
it into the long form CloudFormation documents ("Intrinsic function reference": ``!GetAtt A.Arn`` is
``{"Fn::GetAtt": ["A", "Arn"]}``, ``!Ref X`` is ``{"Ref": "X"}``). A JSON template is YAML too; when the YAML
reader refuses one, the JSON reader says what is wrong in JSON's terms.

YAML reads an unquoted ``Version: 2012-10-17`` as a date; CloudFormation reads the text, and so does this
reader. :func:`plain` turns an explicit ``!!timestamp`` back into its text all the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import yaml

from ...errors import Location, SourceError
from ...policy.jsontext import JsonTextError, load_json
from ...policy.sourcemap import PathPart, SourceMap, YamlSourceMap
from ...policy.yamltext import SafeYamlLoader, load_yaml

__all__ = ["NearestSourceMap", "decode_template", "plain"]

# The short forms and the functions they stand for (CloudFormation User Guide, "Intrinsic function
# reference" and "Condition functions"; Fn::ToJsonString and Fn::Length come with AWS::LanguageExtensions).
_SHORT_FORMS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "And",
            "Base64",
            "Cidr",
            "Equals",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "If",
            "ImportValue",
            "Join",
            "Length",
            "Not",
            "Or",
            "Select",
            "Split",
            "Sub",
            "ToJsonString",
            "Transform",
        )
    },
}
_HINT = "a template is JSON or YAML (short-form tags such as !Ref and !Sub are fine)"


class _TemplateLoader(SafeYamlLoader):
    """The safe loader, with the short forms of the intrinsic functions."""


def _long_form(name: str) -> Any:
    def construct(loader: _TemplateLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":  # `!GetAtt Logical.Attribute`; the attribute may hold dots (Endpoint.Address)
                logical, _, attribute = value.partition(".")
                value = [logical, attribute]
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    return construct


for _short, _long in _SHORT_FORMS.items():
    _TemplateLoader.add_constructor(f"!{_short}", _long_form(_long))


def decode_template(text: str, display: str) -> tuple[Any, SourceMap]:
    """The template in ``text`` and the map from its paths to lines; raises :class:`SourceError` naming the
    line of the first problem."""
    try:
        data, node = load_yaml(text, display, error=SourceError, loader_class=_TemplateLoader, duplicate_depth=None)
    except SourceError as exc:
        if text.lstrip().startswith("{"):
            _json_problem(text, display)
        syntax = exc.message.removeprefix(f"{exc.location}: ").startswith("not valid YAML")
        if exc.hint is not None or not syntax:
            raise
        raise SourceError(exc.message.removeprefix(f"{exc.location}: "), location=exc.location, hint=_HINT) from None
    if node is None:
        raise SourceError("the template is empty", location=Location(display), hint=_HINT)
    return data, NearestSourceMap(YamlSourceMap(node))


def _json_problem(text: str, display: str) -> None:
    """Raise what is wrong with ``text`` as JSON, if anything."""
    try:
        load_json(text)
    except JsonTextError as exc:
        raise SourceError(
            f"not valid JSON: {exc.message}", location=Location(display, "", exc.line, exc.column), hint=_HINT
        ) from None


def plain(value: Any) -> Any:
    """``value`` with YAML dates as the text CloudFormation reads (``2012-10-17``)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


class NearestSourceMap:
    """The position of a path, or of its nearest ancestor that is written in the file: a path through an
    intrinsic's long form (``...Resource.Fn::Sub``) that the file writes short (``!Sub``) ends at the tag."""

    def __init__(self, inner: SourceMap) -> None:
        self.inner = inner

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        for end in range(len(path), -1, -1):
            found = self.inner.position(path[:end], key=key and end == len(path))
            if found is not None:
                return found
        return None
