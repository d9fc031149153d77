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


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.extend(_paths(child, (*prefix, index)))
    return out


def test_lookups_agree_with_a_full_scan() -> None:
    """A lookup that walks one path finds every value and key where a scan of the whole text does."""
    import json

    texts = [
        TEXT,
        json.dumps({"cases": [{"name": f"c{i}", "context": {"k": [1, 2.5, None, True]}} for i in range(30)]}),
        json.dumps({"a": {"b": [[], {}, 'x\\"y', {"c": "é\u2028"}]}, "z": -1e3}, indent=3),
    ]
    for text in texts:
        walked, scanned = JsonSourceMap(text), JsonSourceMap(text)
        scanned.duplicate_keys()  # scans the whole text
        for path in _paths(json.loads(text)):
            for key in (False, True):
                assert walked.position(path, key=key) == scanned.position(path, key=key), (path, key)
        assert not walked._built


def test_a_lookup_reads_only_its_path() -> None:
    """Locating an early value of a huge document leaves the rest of the text unread."""
    import json

    text = json.dumps({"policies": {"identity": ["p.json"]}, "cases": [{"name": str(i)} for i in range(50_000)]})
    source = JsonSourceMap(text)
    assert source.position(("policies", "identity", 0)) == (1, text.index('"p.json"') + 1)
    assert source.position(("cases", 2, "name"), key=True) == (1, text.index('{"name": "2"}') + 2)
    assert len(source._children[("cases",)].items) == 3
