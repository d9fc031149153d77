"""Positions in policy text, for findings that point at the right line and column."""

from __future__ import annotations

import yaml

from iam_tester.policy.sourcemap import JsonSourceMap, YamlSourceMap, format_path

TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": true}}}
  ]
}"""


def test_json_value_positions() -> None:
    """Each value's line and column is where its first character is."""
    source = JsonSourceMap(TEXT)
    assert source.position(()) == (1, 1)
    assert source.position(("Version",)) == (2, 14)
    assert source.position(("Statement", 0, "Action", 1)) == (4, 52)
    assert source.position(("Statement", 0, "Condition", "Bool", "aws:SecureTransport")) == (5, 69)


def test_json_key_positions() -> None:
    """With key=True the position is the key's, and it falls back to the value for list items."""
    source = JsonSourceMap(TEXT)
    assert source.position(("Statement", 0, "Resource"), key=True) == (5, 6)
    assert source.position(("Statement", 0), key=True) == (4, 5)


def test_unknown_path_has_no_position() -> None:
    """A path that is not in the document has no position rather than a wrong one."""
    assert JsonSourceMap(TEXT).position(("Nope",)) is None


def test_yaml_positions() -> None:
    """Inline documents in YAML suites are located through the composed node's marks."""
    node = yaml.compose("policies:\n  identity:\n    - Version: '2012-10-17'\n      Statement: []\n")
    assert node is not None
    source = YamlSourceMap(node)
    assert source.position(("policies", "identity", 0, "Statement")) == (4, 18)
    assert source.position(("policies", "identity", 0, "Statement"), key=True) == (4, 7)


def test_format_path() -> None:
    """Paths read the way a user would write them; odd keys are quoted."""
    assert format_path(("Statement", 0, "Condition", "StringEquals", "aws:username")) == (
        "Statement[0].Condition.StringEquals.aws:username"
    )
    assert format_path(("Statement", 1, "Condition", "key with space")) == 'Statement[1].Condition["key with space"]'
    assert format_path(()) == ""
