"""Bad suites and bad policies inside them: a typed error naming the file, the place and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from iam_tester.errors import InvalidInputError, SuiteError
from iam_tester.suite import load_suite

from .error_cases import BAD_SUITES, BadSuite


def write_bad_suite(directory: Path, bad: BadSuite) -> Path:
    """Write the suite and its files; returns the suite's path."""
    for name, text in bad.files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")
    path = directory / bad.suite_name
    path.write_text(bad.suite, encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", BAD_SUITES, ids=[b.id for b in BAD_SUITES])
def test_error_names_file_place_and_line(bad: BadSuite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The error is of the expected type, exits 2, and points at the file, JSON path and line."""
    monkeypatch.chdir(tmp_path)
    path = write_bad_suite(tmp_path, bad)
    with pytest.raises(InvalidInputError) as caught:
        load_suite(path.name)
    error = caught.value
    assert type(error).__name__ == bad.error
    assert error.exit_code == 2
    location = error.location  # type: ignore[attr-defined]
    assert (location.source, location.path, location.line) == (bad.error_file, bad.path, bad.line)
    assert bad.message in error.message


def test_policy_file_error_says_where_the_suite_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error inside a policy file points into that file, and its hint names the suite line using it."""
    bad = next(b for b in BAD_SUITES if b.id == "bad-policy-file")
    monkeypatch.chdir(tmp_path)
    write_bad_suite(tmp_path, bad)
    with pytest.raises(InvalidInputError) as caught:
        load_suite("suite.yaml")
    assert caught.value.hint is not None
    assert "suite.yaml:2:14 at policies.identity[0]" in caught.value.hint


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    """A misspelt key gets a did-you-mean hint."""
    path = tmp_path / "s.yaml"
    path.write_text("cases:\n  - {action: s3:GetObject, resource: '*', expcet: allowed}\n", encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert caught.value.hint == "did you mean `expect`?"


def test_unreadable_suite(tmp_path: Path) -> None:
    """A suite file that does not exist is a SuiteError naming it."""
    with pytest.raises(SuiteError, match="cannot read the suite") as caught:
        load_suite(tmp_path / "nope.yaml")
    assert caught.value.location.source.endswith("nope.yaml")


def test_inline_policy_errors_count_the_rest(tmp_path: Path) -> None:
    """The first error of an inline document is raised; the hint says how many more there are."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "policies:\n  identity:\n    - {Version: '2012-10-17', Statement: [{Effect: X, Action: '*', Resource: '*'},"
        " {Effect: Y, Action: '*', Resource: '*'}]}\ncases: [{action: s3:GetObject, resource: '*'}]\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError) as caught:
        load_suite(path)
    assert caught.value.hint == "1 more error in this identity policy"


def test_a_rewritten_number_says_quote_it(tmp_path: Path) -> None:
    """A context number YAML reads in another form (octal) is an error whose hint gives the value quoted."""
    path = tmp_path / "s.yaml"
    path.write_text("context: {aws:PrincipalAccount: 011122223333}\ncases: [{action: s3:GetObject, resource: '*'}]\n")
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert caught.value.hint == 'quote it: "011122223333"'
