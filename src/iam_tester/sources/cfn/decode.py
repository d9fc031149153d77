"""Read a CloudFormation template, JSON or YAML with the short-form tags (``!Ref``, ``!Sub``, ``!GetAtt`` ...),
with cfn-lint's template decoder (``cfnlint.decode``): maintained by AWS with the template format, it turns
the short forms into the long ones (``!GetAtt A.Arn`` into ``{"Fn::GetAtt": ["A", "Arn"]}``), rejects duplicate
keys and YAML alias bombs, and marks every mapping, list and string with its line and column.

YAML reads an unquoted ``Version: 2012-10-17`` as a date; CloudFormation reads the text, so dates are turned
back into ``YYYY-MM-DD`` strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ...errors import IamTesterError, Location, SourceError
from ...policy.sourcemap import PathPart

__all__ = ["NodeSourceMap", "decode_template", "plain"]


def decode_template(text: str, display: str) -> Any:
    """The template in ``text``, its nodes marked with their lines; raises :class:`SourceError` naming the
    line of the first problem."""
    try:
        from cfnlint.decode import decode_str
    except ImportError:  # pragma: no cover - cfn-lint is installed with the `cloudformation` extra
        raise IamTesterError(
            "reading CloudFormation templates needs cfn-lint's template decoder, which is not installed",
            hint="install it with `pip install 'iam-tester[cloudformation]'`",
        ) from None
    template, matches = decode_str(text)
    if matches:
        first = matches[0]
        message = getattr(first, "message", str(first))
        line = getattr(first, "linenumber", None)
        column = getattr(first, "columnnumber", None)
        raise SourceError(
            f"not a readable template: {message}",
            location=Location(display, "", line, column),
            hint="a template is JSON or YAML (short-form tags such as !Ref and !Sub are fine)",
        )
    return template


def plain(value: Any) -> Any:
    """``value`` with YAML dates as the text CloudFormation reads (``2012-10-17``)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


class NodeSourceMap:
    """Positions from the decoder's marks: the node at a JSON path, or its nearest marked ancestor."""

    def __init__(self, template: Any) -> None:
        self.template = template

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int] | None:
        node = self.template
        found = _mark(node)
        for part in path:
            key_node = None
            if isinstance(node, dict) and part in node:
                key_node = next((k for k in node if k == part), None)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                break
            found = _mark(key_node if key and key_node is not None else node) or found
        return found


def _mark(node: Any) -> tuple[int, int] | None:
    mark = getattr(node, "start_mark", None)
    if mark is None:
        return None
    return mark.line + 1, mark.column + 1
