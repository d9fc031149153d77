"""Hostile and careless policy input: every way found to crash the reader or the grammar is now a located
finding or a typed error. One test per crash found by hand (the property tests in test_properties.py look
for more)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from iam_tester.errors import IamTesterError, PolicyError
from iam_tester.policy import (
    PolicyKind,
    load_policy_file,
    parse_policy,
    validate_policy,
    validate_policy_file,
    validate_policy_text,
)
from iam_tester.policy.describe import shown
from iam_tester.policy.jsontext import JsonTextError, load_json
from iam_tester.policy.values import parse_date

ALLOW = '{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}'


def _policy(**statement: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **statement}],
    }


def _codes(document: Any) -> list[tuple[str, str]]:
    return [(f.code, f.location.path) for f in validate_policy(document, catalog=False).errors]


# -- JSON text ------------------------------------------------------------------------------------------


def test_long_integer_is_invalid_json_at_its_place() -> None:
    """A 5,000-digit number (Python refuses to convert it) is an invalid-json finding where it starts."""
    text = '{"Version": "2012-10-17",\n "Id": ' + "7" * 5000 + "}"
    (finding,) = validate_policy_text(text, catalog=False).findings
    assert (finding.code, finding.location.line, finding.location.column) == ("invalid-json", 2, 8)
    assert "5,000 digits" in finding.message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"Version": "2012-10-17", "Statement": [1,]}', (1, 42)),
        ('{"Version": "2012-10-17",\n "Statement": []   ,\n}', (2, 20)),
    ],
)
def test_trailing_comma_is_named_at_the_comma(text: str, where: tuple[int, int]) -> None:
    """A comma after the last item is reported as such, at the comma, whichever Python reads it."""
    (finding,) = validate_policy_text(text, catalog=False).findings
    assert finding.code == "invalid-json"
    assert "a comma after the last item" in finding.message
    assert (finding.location.line, finding.location.column) == where


# Python's JSON parser gives up somewhere between 1,000 (3.10, 3.11) and 20,000 (3.13) levels.
@pytest.mark.parametrize("depth", [25_000, 100_000])
def test_nesting_too_deep_for_the_parser_is_invalid_json(depth: int) -> None:
    """Arrays nested past the parser's recursion limit are an invalid-json finding, not a RecursionError."""
    text = '{"Statement": ' + "[" * depth + "]" * depth + "}"
    (finding,) = validate_policy_text(text, catalog=False).findings
    assert finding.code == "invalid-json"
    assert f"nested {depth + 1:,} levels deep" in finding.message
    assert (finding.location.line, finding.location.column) == (1, 14 + depth)


@pytest.mark.parametrize("depth", [400, 900])
def test_nesting_the_parser_reads_but_the_position_scanner_cannot(depth: int) -> None:
    """Nesting deep enough to break the (recursive) position scanner and the size check still gives findings."""
    junk = "[" * depth + "]" * depth
    text = f'{{"Version": "2012-10-17", "Statement": [{ALLOW}], "Extra": {junk}}}'
    for kind in (PolicyKind.IDENTITY, PolicyKind.SCP):
        report = validate_policy_text(text, kind=kind, catalog=False)
        assert [(f.code, f.location.path, f.location.line) for f in report.errors] == [("unknown-element", "Extra", 1)]


@pytest.mark.parametrize(("constant", "column"), [("NaN", 8), ("Infinity", 8), ("-Infinity", 8)])
def test_nan_and_infinity_are_not_json(constant: str, column: int) -> None:
    """NaN and Infinity (which Python's json reads) are invalid JSON, located where they are written."""
    (finding,) = validate_policy_text(f'{{"Id": {constant}}}', catalog=False).findings
    assert (finding.code, finding.location.column) == ("invalid-json", column)
    assert "is not a JSON value" in finding.message


@pytest.mark.parametrize("operator", ["NumericLessThan", "StringEquals"])
def test_a_number_too_large_for_a_float_is_not_reported_as_inf(operator: str) -> None:
    """A condition value of 1e400 (infinity to Python) is "too large", never the value 'inf' the user never wrote."""
    condition = f'{{"{operator}": {{"s3:max-keys": 1e400}}}}'
    text = f'{{"Version": "2012-10-17", "Statement": [{{{ALLOW[1:-1]}, "Condition": {condition}}}]}}'
    (finding,) = validate_policy_text(text, catalog=False).findings
    assert finding.code == "invalid-condition-value"
    assert finding.location.path == f"Statement[0].Condition.{operator}.s3:max-keys"
    assert "too large to read" in finding.message
    assert "inf" not in finding.message.replace("infinity", "")


def test_nan_inside_a_string_is_fine() -> None:
    """The word NaN inside a string is text, not the constant."""
    assert load_json('{"Sid": "NaN Infinity", "x": "NaN"}') == {"Sid": "NaN Infinity", "x": "NaN"}


def test_lone_surrogate_escape_is_invalid_json() -> None:
    """A \\ud800 escape alone is not a character: invalid-json at the string (it could not be sent to AWS)."""
    text = '{"Version": "2012-10-17",\n "Id": "ab\\ud800"}'
    (finding,) = validate_policy_text(text, catalog=False).findings
    assert (finding.code, finding.location.line, finding.location.column) == ("invalid-json", 2, 8)
    assert "\\ud800" in finding.message


def test_surrogate_pair_and_escaped_backslash_are_fine() -> None:
    """A proper surrogate pair is one character; an escaped backslash before `ud800` is no escape at all."""
    assert load_json('["\\ud83d\\ude00", "\\\\ud800"]') == ["\U0001f600", "\\ud800"]


def test_lone_surrogate_character_in_python_text() -> None:
    """Text handed over from Python holding a lone surrogate character is caught too."""
    with pytest.raises(JsonTextError, match="surrogate"):
        load_json('{"Id": "\ud800"}')


def test_byte_order_mark_is_read_past_with_a_warning() -> None:
    """A UTF-8 byte-order mark is skipped (positions as an editor shows them) with a byte-order-mark warning."""
    text = (
        '\ufeff{"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]}'
    )
    report = validate_policy(text, catalog=False)
    assert [(f.severity.value, f.code, f.location.column) for f in report.findings] == [
        ("error", "invalid-effect", 52),
        ("warning", "byte-order-mark", 1),
    ]
    assert validate_policy(text.replace("Alow", "Allow"), catalog=False).ok


# -- files ------------------------------------------------------------------------------------------------


def test_non_utf8_byte_is_located(tmp_path: Path) -> None:
    """A Latin-1 byte is an invalid-encoding error at its line and column (in characters)."""
    path = tmp_path / "p.json"
    path.write_bytes(b'{\n  "Sid": "\xc3\xa9t\xe9"}')
    (finding,) = validate_policy_file(path).findings
    assert (finding.code, finding.location.line, finding.location.column) == ("invalid-encoding", 2, 13)


def test_utf16_file_says_utf16(tmp_path: Path) -> None:
    """A UTF-16 file (Windows editors write them) says so instead of 'invalid start byte'."""
    path = tmp_path / "p.json"
    path.write_text('{"Version": "2012-10-17"}', encoding="utf-16")
    (finding,) = validate_policy_file(path).findings
    assert finding.code == "invalid-encoding"
    assert "UTF-16" in finding.message


def test_file_too_large_to_be_a_policy(tmp_path: Path) -> None:
    """A file past 1 MiB is refused before it is read whole (think /dev/zero)."""
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (1024 * 1024 + 1))
    (finding,) = validate_policy_file(path).findings
    assert finding.code == "unreadable-file"
    assert "larger than 1 MiB" in finding.message


def test_nul_in_path_is_unreadable_not_a_crash() -> None:
    """A NUL character in a path (Python raises ValueError for it) is an unreadable-file finding."""
    (finding,) = validate_policy_file("policy\0.json").findings
    assert finding.code == "unreadable-file"
    with pytest.raises(PolicyError, match="NUL"):
        load_policy_file("policy\0.json")


@pytest.mark.parametrize("kind", ["directory", "loop", "missing"])
def test_paths_that_are_not_files(kind: str, tmp_path: Path) -> None:
    """A directory, a symlink loop and a missing file are each an unreadable-file finding naming the file."""
    path = tmp_path / "p.json"
    if kind == "directory":
        path.mkdir()
    elif kind == "loop":
        os.symlink(tmp_path / "q.json", path)
        os.symlink(path, tmp_path / "q.json")
    (finding,) = validate_policy_file(path).findings
    assert (finding.code, finding.location.source) == ("unreadable-file", str(path))


# -- dicts from Python (or YAML): keys and values JSON cannot have -----------------------------------------


@pytest.mark.parametrize("key", [1, None, ("a",), 1.5, True])
def test_non_string_condition_keys_and_operators(key: Any) -> None:
    """A condition key or operator that is not a string is a wrong-type error, not an AttributeError."""
    assert [code for code, _ in _codes(_policy(Condition={"StringEquals": {key: "x"}}))] == ["wrong-type"]
    assert [code for code, _ in _codes(_policy(Condition={key: {"aws:username": "x"}}))] == ["wrong-type"]


@pytest.mark.parametrize(("key", "path"), [(None, "[null]"), (True, "[true]"), (("a",), "[('a',)]"), (3, "[3]")])
def test_non_string_top_level_key_is_an_unknown_element(key: Any, path: str) -> None:
    """A non-string element name is an unknown-element error whose path still renders."""
    document = {"Version": "2012-10-17", "Statement": [_policy()["Statement"][0]], key: "x"}
    assert _codes(document) == [("unknown-element", path)]


@pytest.mark.parametrize(
    ("value", "shown_as"),
    [
        (10**5000, "a number too long to read"),
        (dt.date(2020, 1, 1), "a value of type date"),
        (b"x", "a value of type bytes"),
        ({1, 2}, "a value of type set"),
    ],
    ids=["long-number", "date", "bytes", "set"],
)
def test_condition_values_json_cannot_hold(value: Any, shown_as: str) -> None:
    """A 5,000-digit number, a date, bytes or a set as a condition value is a wrong-type error saying what it is."""
    (error,) = validate_policy(_policy(Condition={"StringEquals": {"aws:username": value}}), catalog=False).errors
    assert error.code == "wrong-type"
    assert shown_as in error.message


def test_date_version_from_yaml_says_date() -> None:
    """A Version that YAML made a date (explicit !!timestamp) is invalid-version, shown as a date."""
    (error,) = validate_policy(
        {"Version": dt.date(2012, 10, 17), "Statement": _policy()["Statement"]}, catalog=False
    ).errors
    assert error.code == "invalid-version"
    assert "the date 2012-10-17" in error.message


@pytest.mark.parametrize("kind", [PolicyKind.IDENTITY, PolicyKind.SCP])
def test_unserialisable_junk_does_not_break_the_size_check(kind: PolicyKind) -> None:
    """The size check skips a document JSON cannot encode; the element holding it is the error."""
    nested: list[Any] = []
    for _ in range(100_000):  # deeper than Python's JSON encoder goes (up to 3.13 at least)
        nested = [nested]
    for junk in (dt.date(2020, 1, 1), nested, 10**5000):
        document = {"Version": "2012-10-17", "Statement": _policy()["Statement"], "Extra": junk}
        assert [f.code for f in validate_policy(document, kind=kind, catalog=False).errors] == ["unknown-element"]


def test_messages_show_values_bounded() -> None:
    """A huge value in a message is shortened (a YAML alias bomb would otherwise print for ever)."""
    error = validate_policy(_policy(Effect=["Allow"] * 100_000), catalog=False).errors[0]
    assert error.code == "invalid-effect"
    assert len(error.message) < 200
    assert shown(10**5000) == "a number too long to show"


@pytest.mark.parametrize(
    "text",
    [
        "99999999999999999999",
        "-99999999999999",
        "253402300800",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
    ],
)
def test_out_of_range_epoch_dates(text: str) -> None:
    """An epoch, or a date whose zone puts it in UTC, past year 9999 or before year 1 is a ValueError (a bad
    date), not an OverflowError."""
    with pytest.raises(ValueError, match="range of dates"):
        parse_date(text)
    (error,) = validate_policy(_policy(Condition={"DateGreaterThan": {"aws:CurrentTime": text}}), catalog=False).errors
    assert error.code == "invalid-condition-value"


def test_parse_policy_raises_only_policy_errors() -> None:
    """parse_policy on junk keys raises PolicyError (an IamTesterError), never a Python error."""
    with pytest.raises(IamTesterError):
        parse_policy({None: 1, "Statement": {(1, 2): 3}})  # type: ignore[dict-item]


def test_crlf_and_tabs_keep_lines_and_columns() -> None:
    """Windows line endings and tab indentation give the same line and column (in characters) as LF and spaces."""
    lines = [
        "{",
        '  "Version": "2012-10-17",',
        '  "Statement": [{"Effect": "Alow", "Action": "s3:*", "Resource": "*"}]',
        "}",
    ]
    for text in ("\n".join(lines), "\r\n".join(lines), "\n".join(line.replace("  ", "\t\t") for line in lines)):
        (finding,) = validate_policy_text(text, catalog=False).findings
        assert (finding.location.line, finding.location.column) == (3, 28)
