"""The reviewed findings over AWS's managed policies (benchmarks/managed_policies.py fetches the policies; CI
does not): the list's shape, and AWS mistakes it keeps, reproduced on excerpts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from iam_tester.policy import PolicyKind, validate_policy

ROOT = Path(__file__).resolve().parents[2]
REVIEWED = json.loads((ROOT / "benchmarks" / "managed_policies_reviewed.json").read_text(encoding="utf-8"))
VERDICTS = {"aws-mistake", "aws-leftover", "intended", "aws-exempt"}


def test_every_entry_is_reviewed_with_a_documented_code() -> None:
    """Each kept finding names a policy, a documented code, a JSON path and a verdict (none left unreviewed)."""
    documented = set(re.findall(r"^\| `([a-z][a-z0-9-]+)`", (ROOT / "docs" / "validate.md").read_text(), re.M))
    assert REVIEWED["findings"]
    for entry in REVIEWED["findings"]:
        assert set(entry) == {"policy", "code", "path", "verdict"}, entry
        assert entry["verdict"] in VERDICTS, entry
        assert entry["code"] in documented, entry
        assert entry["path"].startswith("Statement") or entry["code"] == "policy-too-large", entry


def test_aws_mistakes_kept_in_the_list_are_found_on_excerpts() -> None:
    """Excerpts of two kept AWS mistakes draw their finding: a log-group path where a log stream is taken,
    and a KMS key ARN with no key."""
    excerpts = [
        ("AWSGlueConsoleFullAccess", "logs:GetLogEvents", "arn:aws:logs:*:*:/aws-glue/*"),
        ("AmazonBedrockLimitedAccess", "kms:DescribeKey", "arn:*:kms:*:::*"),
    ]
    for policy, action, resource in excerpts:
        assert any(e["policy"] == policy and e["code"] == "resource-mismatch" for e in REVIEWED["findings"])
        document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
        report = validate_policy(document, kind=PolicyKind.MANAGED, name=policy)
        assert [f.code for f in report.findings] == ["resource-mismatch"]
