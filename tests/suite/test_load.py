"""Loading suites: defaults apply to every case, a case overrides them, files resolve next to the suite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from iam_tester.engine.results import Decision
from iam_tester.policy import PolicyKind
from iam_tester.suite import DEFAULT_PRINCIPAL, Call, Expectation, load_suite, load_suites

from .conftest import WriteFile


def test_defaults_apply_and_cases_override(write: WriteFile, policy_file: Callable[..., Path]) -> None:
    """A case inherits the suite's principal, context and policies, and replaces what it names."""
    policy_file()
    policy_file("policies/other.json")
    suite_path = write(
        "suite.yaml",
        """
        name: my suite
        principal: arn:aws:iam::111122223333:role/dev
        context: {aws:SourceIp: 203.0.113.9, aws:RequestedRegion: eu-west-1}
        policies:
          identity: [policies/list.json]
        cases:
          - action: s3:ListBucket
            resource: arn:aws:s3:::a
          - name: overrides
            principal: arn:aws:iam::111122223333:user/alice
            context: {AWS:SOURCEIP: 198.51.100.1, aws:RequestedRegion: null, s3:prefix: [a/, b/]}
            policies: {identity: policies/other.json}
            action: s3:ListBucket
            resource: arn:aws:s3:::b
            expect: Denied
        """,
    )
    suite = load_suite(suite_path)
    first, second = suite.cases
    assert suite.name == "my suite"
    assert first.name == "s3:ListBucket arn:aws:s3:::a"
    assert first.principal == "arn:aws:iam::111122223333:role/dev"
    assert dict(first.context) == {"aws:SourceIp": "203.0.113.9", "aws:RequestedRegion": "eu-west-1"}
    assert [d.name for d in first.policies.identity] == [str(Path(suite_path.parent, "policies/list.json"))]
    assert first.expect is None
    assert second.principal == "arn:aws:iam::111122223333:user/alice"
    # Keys compare without regard to case: the case's spelling replaces the suite's; null removes.
    assert dict(second.context) == {"AWS:SOURCEIP": "198.51.100.1", "s3:prefix": ("a/", "b/")}
    assert [d.name for d in second.policies.identity] == [str(Path(suite_path.parent, "policies/other.json"))]
    assert second.expect is Expectation.DENIED


def test_request_carries_multivalued_keys_as_lists(write: WriteFile) -> None:
    """The evaluator's request gets single values as strings and multi-valued keys as lists."""
    path = write(
        "s.yaml",
        """
        cases:
          - {action: s3:PutObject, resource: "arn:aws:s3:::b/k", resource_account: 111122223333,
             context: {aws:TagKeys: [a, b], aws:SecureTransport: true, s3:max-keys: 10}}
        """,
    )
    request = load_suite(path).cases[0].request()
    assert request.principal == DEFAULT_PRINCIPAL
    assert request.resource_account == "111122223333"
    assert dict(request.context) == {"aws:TagKeys": ["a", "b"], "aws:SecureTransport": "true", "s3:max-keys": "10"}


def test_plain_decimal_numbers_in_the_context_are_taken_as_written(write: WriteFile) -> None:
    """Numbers YAML reads back as the same text (10, -3, 2.5, 0) are context values, with no quotes needed."""
    path = write(
        "s.yaml",
        """
        context: {s3:max-keys: 10, x:n: [-3, 2.5, 0]}
        cases: [{action: s3:ListBucket, resource: "arn:aws:s3:::b"}]
        """,
    )
    assert dict(load_suite(path).cases[0].context) == {"s3:max-keys": "10", "x:n": ("-3", "2.5", "0")}


def test_policy_files_resolve_next_to_the_suite(
    write: WriteFile, policy_file: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paths are relative to the suite's directory, whatever the working directory is."""
    policy_file("suites/policies/list.json")
    path = write(
        "suites/s.yaml", "policies: {identity: [policies/list.json]}\ncases: [{action: s3:ListBucket, resource: '*'}]"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    suite = load_suite(path)
    (document,) = suite.cases[0].policies.identity
    assert document.statements[0].sid == "List"


def test_policy_names_are_relative_to_the_working_directory(
    write: WriteFile, policy_file: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file policy is named by its path from the working directory; the suite's path likewise."""
    policy_file("proj/policies/list.json")
    write("proj/s.yaml", "policies: {identity: [policies/list.json]}\ncases: [{action: s3:ListBucket, resource: '*'}]")
    monkeypatch.chdir(tmp_path)
    suite = load_suite("proj/s.yaml")
    assert suite.path == "proj/s.yaml"
    assert suite.cases[0].policies.identity[0].name == "proj/policies/list.json"
    assert str(suite.cases[0].location) == "proj/s.yaml:2:9 at cases[0]"


def test_each_file_is_loaded_once_and_shared(write: WriteFile, policy_file: Callable[..., Path]) -> None:
    """Cases and suites naming the same file share one document, so they share one compiled policy set."""
    policy_file()
    text = "policies: {identity: [policies/list.json]}\ncases:\n" + "".join(
        f"  - {{action: s3:ListBucket, resource: 'arn:aws:s3:::b{i}'}}\n" for i in range(3)
    )
    one, two = load_suites([write("one.yaml", text), write("two.yaml", text)])
    keys = {case.policies.identity_key() for suite in (one, two) for case in suite.cases}
    assert len(keys) == 1
    assert one.cases[0].policies.identity[0] is two.cases[2].policies.identity[0]


def test_the_same_file_in_two_slots_is_checked_as_each_kind(write: WriteFile, policy_file: Callable[..., Path]) -> None:
    """A file used as identity policy and as boundary becomes two documents, each of its own kind."""
    policy_file()
    path = write(
        "s.yaml",
        "policies: {identity: [policies/list.json], boundary: policies/list.json}\n"
        "cases: [{action: s3:ListBucket, resource: '*'}]",
    )
    slots = load_suite(path).cases[0].policies
    assert slots.identity[0].kind is PolicyKind.IDENTITY
    assert slots.boundary is not None
    assert slots.boundary.kind is PolicyKind.BOUNDARY


def test_inline_and_named_documents(write: WriteFile, policy_file: Callable[..., Path]) -> None:
    """Inline documents are named by their place in the suite unless given a name; YAML dates stay strings."""
    policy_file()
    path = write(
        "s.yaml",
        """
        policies:
          identity:
            - Version: 2012-10-17
              Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]
            - {name: listing, file: policies/list.json}
            - name: reader
              document: {Version: "2012-10-17", Statement: {Effect: Allow, Action: s3:Get*, Resource: "*"}}
          session: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
        cases: [{action: s3:ListBucket, resource: '*'}]
        """,
    )
    slots = load_suite(path).cases[0].policies
    assert [d.name for d in slots.identity] == ["policies.identity[0]", "listing", "reader"]
    assert slots.identity[0].version == "2012-10-17"
    assert slots.session is not None
    assert slots.session.name == "policies.session"
    assert slots.session.kind is PolicyKind.SESSION


def test_scp_and_rcp_levels(write: WriteFile, policy_file: Callable[..., Path]) -> None:
    """SCP levels are lists (or one reference each); a case can replace the chain or empty it with null."""
    policy_file(
        "scp.json", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    policy_file(
        "rcp.json",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
        },
    )
    path = write(
        "s.yaml",
        """
        policies:
          scps: [[scp.json], scp.json, [scp.json, scp.json]]
          rcps: [rcp.json]
        cases:
          - {action: s3:ListBucket, resource: '*'}
          - {action: s3:ListBucket, resource: '*', policies: {scps: null}}
        """,
    )
    first, second = load_suite(path).cases
    assert [len(level) for level in first.policies.scps] == [1, 1, 2]
    assert first.policies.scps[0][0].kind is PolicyKind.SCP
    assert first.policies.rcps[0][0].kind is PolicyKind.RCP
    assert second.policies.scps == ()
    assert second.policies.rcps == first.policies.rcps


def test_json_suites(tmp_path: Path, policy_file: Callable[..., Path]) -> None:
    """A .json suite is read as JSON with the same format."""
    policy_file()
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "policies": {"identity": ["policies/list.json"]},
                "cases": [{"action": "s3:ListBucket", "resource": "*", "expect": "allowed"}],
            }
        ),
        encoding="utf-8",
    )
    suite = load_suite(path)
    assert suite.name == "s"
    assert suite.cases[0].expect is Expectation.ALLOWED


def test_call_is_kept_for_live_runs(write: WriteFile) -> None:
    """A case's `call` is validated and kept (service, operation, params) for the live runner."""
    path = write(
        "s.yaml",
        """
        cases:
          - action: s3:GetObject
            resource: arn:aws:s3:::reports/q1.csv
            call: {service: s3, operation: get_object, params: {Bucket: reports, Key: q1.csv}}
          - {action: s3:ListBucket, resource: '*', call: {service: s3, operation: list_buckets}}
        """,
    )
    first, second = load_suite(path).cases
    assert first.call == Call("s3", "get_object")
    assert first.call is not None
    assert dict(first.call.params) == {"Bucket": "reports", "Key": "q1.csv"}
    assert second.call is not None
    assert dict(second.call.params) == {}


@pytest.mark.parametrize(
    ("expect", "allowed", "explicit", "implicit"),
    [
        (Expectation.ALLOWED, True, False, False),
        (Expectation.DENIED, False, True, True),
        (Expectation.EXPLICIT_DENY, False, True, False),
        (Expectation.IMPLICIT_DENY, False, False, True),
    ],
)
def test_expectations_match_decisions(expect: Expectation, allowed: bool, explicit: bool, implicit: bool) -> None:
    """`denied` accepts either kind of deny; the others accept exactly their decision."""
    assert expect.matches(Decision.ALLOWED) is allowed
    assert expect.matches(Decision.EXPLICIT_DENY) is explicit
    assert expect.matches(Decision.IMPLICIT_DENY) is implicit


def test_examples_load() -> None:
    """Every suite in examples/ loads (the CLI tests check that they pass)."""
    examples = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
    assert len(examples) >= 5
    suites = load_suites(examples)
    assert all(suite.cases for suite in suites)
