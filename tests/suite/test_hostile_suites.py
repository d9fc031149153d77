"""Suites a careless or hostile user might write that need more than one message to pin down: bytes that are
not UTF-8, YAML features (merge keys, anchors, tags) and limits. The located messages for the rest are in
error_cases.py, shared with the `check` CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from iam_tester.errors import PolicyError, SuiteError
from iam_tester.policy.yamltext import load_yaml
from iam_tester.suite import load_suite
from iam_tester.suite import reader as suite_reader

ONE_CASE = "cases:\n  - {action: s3:GetObject, resource: '*', expect: implicitDeny}\n"


def test_suite_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    """A Latin-1 byte in a suite is an error at its line and column, not a decode traceback."""
    path = tmp_path / "s.yaml"
    path.write_bytes(b"name: caf\xe9\n" + ONE_CASE.encode())
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert (caught.value.location.line, caught.value.location.column) == (1, 10)
    assert "not UTF-8 text" in caught.value.message


def test_utf16_suite_says_utf16(tmp_path: Path) -> None:
    """A UTF-16 suite says what it is and how to fix it."""
    path = tmp_path / "s.yaml"
    path.write_text(ONE_CASE, encoding="utf-16")
    with pytest.raises(SuiteError, match="UTF-16 text"):
        load_suite(path)


@pytest.mark.parametrize("name", ["s.yaml", "s.json"])
def test_byte_order_mark_is_read_past(name: str, tmp_path: Path) -> None:
    """A suite saved with a UTF-8 byte-order mark loads; columns are counted as an editor shows them."""
    text = ONE_CASE if name.endswith(".yaml") else '{"cases": [{"action": "s3:GetObject", "resource": "*"}]}'
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert len(load_suite(path).cases) == 1


def test_suite_past_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file past the limit is refused before being read whole (the limit is lowered to test it)."""
    monkeypatch.setattr(suite_reader, "SUITE_FILE_LIMIT", 16)
    path = tmp_path / "s.yaml"
    path.write_text(ONE_CASE, encoding="utf-8")
    with pytest.raises(SuiteError, match="larger than 16 bytes"):
        load_suite(path)


def test_directory_as_suite_hints_at_a_glob(tmp_path: Path) -> None:
    """A directory given as a suite says it cannot be read and suggests DIRECTORY/*.yaml."""
    with pytest.raises(SuiteError) as caught:
        load_suite(tmp_path)
    assert "cannot read the suite" in caught.value.message
    assert caught.value.hint == "give suite files, e.g. DIRECTORY/*.yaml"


def test_merge_key_override_is_not_a_duplicate(tmp_path: Path) -> None:
    """`<<: *case` then `expect:` overrides the merged key, as YAML intends: no duplicate-key error."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "cases:\n"
        "  - &read {action: s3:GetObject, resource: 'arn:aws:s3:::b/k', expect: implicitDeny}\n"
        "  - <<: *read\n"
        "    action: s3:PutObject\n"
        "    expect: denied\n",
        encoding="utf-8",
    )
    cases = load_suite(path).cases
    assert [(c.action, c.expect.value if c.expect else None) for c in cases] == [
        ("s3:GetObject", "implicitDeny"),
        ("s3:PutObject", "denied"),
    ]
    assert cases[1].location.line == 3


def test_merged_key_errors_point_at_the_overriding_key(tmp_path: Path) -> None:
    """An error in a key written after a merge points at that key, not at the merged one."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "cases:\n  - &read {action: s3:GetObject, resource: '*'}\n  - <<: *read\n    expect: maybe\n",
        encoding="utf-8",
    )
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert (caught.value.location.path, caught.value.location.line) == ("cases[1].expect", 4)


def test_aliases_within_bounds_load(tmp_path: Path) -> None:
    """Anchoring a policy once and aliasing it in many cases is fine: the bound is on blow-ups, not on aliases."""
    lines = [
        "policies:",
        "  identity: [&allow {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}]",
        "cases:",
    ]
    lines += ["  - {action: s3:GetObject, resource: '*', policies: {identity: [*allow]}}"] * 500
    path = tmp_path / "s.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(load_suite(path).cases) == 500


def test_alias_bomb_inside_an_inline_policy(tmp_path: Path) -> None:
    """A billion laughs hidden in an inline policy's unknown element is refused when read, before anything
    walks it (the grammar's size check would serialise it)."""
    bomb = "".join(
        f"      l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]\n" if n else "      l0: &l0 [lol, lol]\n"
        for n in range(10)
    )
    path = tmp_path / "s.yaml"
    path.write_text(
        "policies:\n  identity:\n    - Version: '2012-10-17'\n"
        "      Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]\n" + bomb + ONE_CASE,
        encoding="utf-8",
    )
    with pytest.raises(SuiteError, match="alias bomb"):
        load_suite(path)


def test_python_tags_never_run(tmp_path: Path) -> None:
    """`!!python/object/apply` is refused by the safe loader: the command it names never runs."""
    marker = tmp_path / "pwned"
    path = tmp_path / "s.yaml"
    path.write_text(
        f"name: !!python/object/apply:os.system ['touch {marker}']\n" + ONE_CASE,
        encoding="utf-8",
    )
    with pytest.raises(SuiteError, match="could not determine a constructor"):
        load_suite(path)
    assert not marker.exists()


def test_unquoted_version_date_stays_a_string(tmp_path: Path) -> None:
    """`Version: 2012-10-17` unquoted in an inline policy is the string IAM expects, not a date."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "policies:\n  identity:\n    - Version: 2012-10-17\n"
        "      Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]\n" + ONE_CASE,
        encoding="utf-8",
    )
    (case,) = load_suite(path).cases
    assert case.policies.identity[0].version == "2012-10-17"


def test_crlf_line_endings_keep_lines_and_columns(tmp_path: Path) -> None:
    """A suite with Windows line endings reports the same line and column as with Unix ones."""
    text = "cases:\n  - action: s3:GetObject\n    resource: '*'\n    expect: allow\n"
    for name, data in (("unix.yaml", text), ("dos.yaml", text.replace("\n", "\r\n"))):
        path = tmp_path / name
        path.write_bytes(data.encode())
        with pytest.raises(SuiteError) as caught:
            load_suite(path)
        assert (caught.value.location.line, caught.value.location.column) == (4, 13), name


def test_non_ascii_everywhere(tmp_path: Path) -> None:
    """Non-ASCII file names, case names, context keys and values load and are reported as written."""
    directory = tmp_path / "pólizas"
    directory.mkdir()
    (directory / "política.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Sid": "Lectura", "Effect": "Allow", "Action": "s3:GetObject",'
        ' "Resource": "arn:aws:s3:::informes/año-2024/*"}]}',
        encoding="utf-8",
    )
    path = directory / "suite-ñ.yaml"
    path.write_text(
        "policies: {identity: [política.json]}\n"
        "context: {aws:PrincipalTag/équipe: données}\n"
        "cases:\n  - {name: lee el informe ✓, action: s3:GetObject,"
        " resource: 'arn:aws:s3:::informes/año-2024/q1.csv', expect: allowed}\n",
        encoding="utf-8",
    )
    (case,) = load_suite(path).cases
    assert case.name == "lee el informe ✓"
    assert case.context == {"aws:PrincipalTag/équipe": "données"}


def test_tab_indentation_gets_a_hint(tmp_path: Path) -> None:
    """A suite indented with a tab is invalid YAML at the tab, with a hint saying so."""
    path = tmp_path / "s.yaml"
    path.write_text("cases:\n\t- {action: s3:GetObject, resource: '*'}\n", encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert (caught.value.location.line, caught.value.location.column) == (2, 1)
    assert caught.value.hint == "YAML does not allow tabs for indentation: indent with spaces"


def test_an_unquoted_source_in_a_flow_list_gets_a_hint(tmp_path: Path) -> None:
    """`sources: [aws:]` is invalid YAML at the colon, with a hint to quote the source; quoted, it loads."""
    path = tmp_path / "s.yaml"
    path.write_text("sources: [aws:]\nprincipal: app\ncases: []\n", encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert (caught.value.location.line, caught.value.location.column) == (1, 14)
    assert caught.value.hint is not None
    assert "quote a value that holds ':'" in caught.value.hint
    data, _ = load_yaml("sources: ['aws:']\n", str(path))
    assert data == {"sources": ["aws:"]}


def test_policy_paths_may_lead_out_of_the_suite_directory(tmp_path: Path) -> None:
    """A policy path may go up (`../shared/p.json`) like any path on the command line; the file is only read."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "p.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}',
        encoding="utf-8",
    )
    (tmp_path / "suites").mkdir()
    path = tmp_path / "suites" / "s.yaml"
    path.write_text(
        "policies: {identity: [../shared/p.json]}\ncases: [{action: s3:GetObject, resource: '*'}]\n",
        encoding="utf-8",
    )
    (case,) = load_suite(path).cases
    assert case.policies.identity[0].statements[0].action == ("s3:*",)


def test_a_file_that_is_not_a_policy_is_not_echoed(tmp_path: Path) -> None:
    """Naming a file that is not JSON (`../../etc/passwd`) says only where it stops being JSON, not what it holds."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:hunter2\n", encoding="utf-8")
    (tmp_path / "suites").mkdir()
    path = tmp_path / "suites" / "s.yaml"
    path.write_text("policies: {identity: [../secret.txt]}\n" + ONE_CASE, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_suite(path)
    assert "hunter2" not in str(caught.value)
    assert caught.value.location.line == 1
