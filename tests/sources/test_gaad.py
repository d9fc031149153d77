"""gaad: sources — get-account-authorization-details output, decoded or URL-encoded, one response or pages
(IAM API Reference, "GetAccountAuthorizationDetails")."""

from __future__ import annotations

import copy
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iam_tester.cli import main
from iam_tester.errors import SourceError

from .helpers import EXAMPLES, inventory, principal, statements

SNAPSHOT = EXAMPLES / "account.json"
ACCOUNT = "111122223333"
DEPLOY = f"arn:aws:iam::{ACCOUNT}:role/deploy"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


def _example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: object, name: str = "account.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return f"gaad:{path}"


def _encode_documents(value: Any) -> Any:
    """The raw API's form: every policy document as URL-encoded JSON text (RFC 3986)."""
    if isinstance(value, dict):
        return {
            key: urllib.parse.quote(json.dumps(item)) if key.endswith("Document") else _encode_documents(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_encode_documents(item) for item in value]
    return value


def test_group_policies_reach_their_users() -> None:
    """A user's identity policies are its own and its groups', each saying which group it came from."""
    alice = principal(inventory(f"gaad:{SNAPSHOT}"), ALICE)
    assert alice.type == "user"
    assert [(p.name, p.origin.id) for p in alice.identity] == [
        ("read-reports", f"arn:aws:iam::{ACCOUNT}:group/developers")
    ]
    assert alice.identity[0].kind.value == "group"


def test_managed_policy_is_its_default_version_and_boundary_is_read() -> None:
    """A managed policy's document is its default version, not its first; the boundary is resolved by ARN."""
    deploy = principal(inventory(f"gaad:{SNAPSHOT}"), DEPLOY)
    assert deploy.boundary is not None
    assert deploy.boundary.origin.id == f"arn:aws:iam::{ACCOUNT}:policy/deploy-boundary"
    assert statements(deploy.boundary.document)[0]["Sid"] == "StacksAndArtifacts"  # v2, the default
    assert [p.name for p in deploy.identity] == ["AdministratorAccess"]  # an AWS managed policy the snapshot holds
    assert deploy.trust is not None
    assert statements(deploy.trust.document)[0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci-runner"}
    assert deploy.unknown == ()


def test_url_encoded_pages_read_as_the_decoded_response(tmp_path: Path) -> None:
    """The raw API's pages (URL-encoded documents, IsTruncated/Marker) give the same inventory as the CLI's."""
    data = _encode_documents(_example())
    pages = [
        {"RoleDetailList": data["RoleDetailList"], "IsTruncated": True, "Marker": "page-2"},
        {
            "UserDetailList": data["UserDetailList"],
            "GroupDetailList": data["GroupDetailList"],
            "Policies": data["Policies"],
            "IsTruncated": False,
        },
    ]
    assert isinstance(pages[0]["RoleDetailList"][0]["AssumeRolePolicyDocument"], str)
    paged = inventory(_write(tmp_path, pages))
    assert paged.to_dict() == inventory(f"gaad:{SNAPSHOT}").to_dict()
    assert paged.unknown == ()


def test_a_missing_last_page_is_unknown(tmp_path: Path) -> None:
    """A snapshot whose last page says IsTruncated is incomplete: an unknown, never silently smaller."""
    data = _example()
    data.update(IsTruncated=True, Marker="more")
    found = inventory(_write(tmp_path, data))
    assert [(u.id, u.attribute) for u in found.unknown] == [("get-account-authorization-details", "IsTruncated")]
    assert found.unplaced == found.unknown


def test_aws_managed_policy_not_in_the_snapshot_is_unknown_by_name(tmp_path: Path) -> None:
    """An attachment to an AWS managed policy the snapshot lacks is an unknown of the principal, naming it."""
    data = _example()
    data["Policies"] = [p for p in data["Policies"] if p["PolicyName"] != "AdministratorAccess"]
    deploy = principal(inventory(_write(tmp_path, data)), DEPLOY)
    assert deploy.identity == ()
    assert [(u.id, u.attribute) for u in deploy.unknown] == [(DEPLOY, "AttachedManagedPolicies[0]")]
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in deploy.unknown[0].why


def test_aws_managed_policy_from_another_snapshot(tmp_path: Path) -> None:
    """A snapshot holding only AWS managed policies supplies the documents another source attaches."""
    data = _example()
    managed = [p for p in data["Policies"] if p["Arn"].startswith("arn:aws:iam::aws:")]
    data["Policies"] = [p for p in data["Policies"] if p not in managed]
    found = inventory(_write(tmp_path, data), _write(tmp_path, {"Policies": managed}, "aws-managed.json"))
    deploy = principal(found, DEPLOY)
    assert [p.name for p in deploy.identity] == ["AdministratorAccess"]
    assert found.unknown == ()


def test_user_in_a_group_the_snapshot_lacks(tmp_path: Path) -> None:
    """A group named by a user but absent from the snapshot is an unknown of the user."""
    data = _example()
    data["GroupDetailList"] = []
    alice = principal(inventory(_write(tmp_path, data)), ALICE)
    assert alice.identity == ()
    assert [(u.id, u.attribute) for u in alice.unknown] == [(ALICE, "GroupList[0]")]


def test_json_shape_is_the_contract() -> None:
    """extract --format json prints exactly principals/resources/unknown with the contract's keys."""
    result = CliRunner().invoke(main, ["extract", "--format", "json", f"gaad:{SNAPSHOT}"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["principals", "resources", "unknown"]
    assert [list(p) for p in data["principals"]] == [["id", "arn", "type", "identity", "boundary", "trust"]] * 3
    assert list(data["principals"][0]["identity"][0]) == ["name", "from", "document"]
    assert list(data["principals"][0]["boundary"]) == ["from", "document"]
    assert data["principals"][2]["boundary"] is None
    assert "3 principals" in result.stderr


def test_text_lists_each_principal_and_its_policies() -> None:
    """extract's text shows each principal, its policies with where they came from, and exits 0."""
    result = CliRunner().invoke(main, ["extract", f"gaad:{SNAPSHOT}"])
    assert result.exit_code == 0
    assert f"user {ALICE}" in result.stdout
    assert f"identity  read-reports from arn:aws:iam::{ACCOUNT}:group/developers (1 statement)" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"RoleDetailList": [{"RoleName": "a", ', "not valid JSON"),
        ('{"Version": "2012-10-17", "Statement": []}', "not get-account-authorization-details output"),
        ("[]", "an empty list of pages"),
        ('{"RoleDetailList": [{"RoleName": "a"}]}', "has no `Arn`"),
        ('{"RoleDetailList": "roles"}', "`RoleDetailList` must be a list"),
        (
            '{"RoleDetailList": [{"RoleName": "a", "Arn": "arn:aws:iam::111122223333:role/a",\n'
            ' "AssumeRolePolicyDocument": "%7Bnot-json"}]}',
            "neither a JSON object nor URL-encoded JSON",
        ),
    ],
    ids=["truncated", "a-policy", "no-pages", "no-arn", "not-a-list", "bad-document"],
)
def test_hostile_snapshots_exit_2_with_a_located_message(tmp_path: Path, content: str, message: str) -> None:
    """A snapshot that is not one exits 2 with a message naming the file, the place and the problem."""
    path = tmp_path / "account.json"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", f"gaad:{path}"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "account.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_truncated_file_hint_and_location(tmp_path: Path) -> None:
    """A snapshot cut short is said to be so, at its last line."""
    path = tmp_path / "account.json"
    text = json.dumps(_example(), indent=2)[:500]
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        inventory(f"gaad:{path}")
    assert caught.value.location.line == text.count("\n") + 1
    assert caught.value.hint is not None
    assert "cut short" in caught.value.hint


def test_bad_document_is_located_at_its_line(tmp_path: Path) -> None:
    """A malformed document in a snapshot is reported at its JSON path and line."""
    data = _example()
    broken = copy.deepcopy(data)
    broken["RoleDetailList"][1]["RolePolicyList"][0]["PolicyDocument"] = "%7B%22Statement"
    path = tmp_path / "account.json"
    path.write_text(json.dumps(broken, indent=2), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        inventory(f"gaad:{path}")
    location = caught.value.location
    assert location.path == "RoleDetailList[1].RolePolicyList[0].PolicyDocument"
    text = path.read_text(encoding="utf-8").splitlines()
    assert location.line is not None
    assert '"PolicyDocument": "%7B%22Statement"' in text[location.line - 1]
