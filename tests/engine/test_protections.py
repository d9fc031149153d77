"""AWS's rules table (``engine.protections``): every rule names the services of its actions, checked when a rule
is built (so under ``python -O`` too), since ``rules_for`` looks only at the services the rules name."""

from __future__ import annotations

import subprocess
import sys

import pytest

from iam_tester.engine.protections import AWS_RULES, AwsRule, RuleEffect, rules_for


@pytest.mark.parametrize("patterns", [("*",), ("*:Get*",), ("kms:Decrypt", "*")])
def test_a_rule_that_could_match_any_service_is_refused(patterns: tuple[str, ...]) -> None:
    """A rule whose action patterns do not each name a service cannot be built, and the error names the rule."""
    with pytest.raises(ValueError, match="'too-wide'"):
        AwsRule("too-wide", RuleEffect.DENY, patterns, None, "no page")


def test_the_check_holds_under_python_optimize() -> None:
    """Under ``python -O`` (no asserts) a rule that could match any service is still refused."""
    code = (
        "from iam_tester.engine.protections import AwsRule, RuleEffect\n"
        "try:\n"
        "    AwsRule('too-wide', RuleEffect.DENY, ('*',), None, 'no page')\n"
        "except ValueError:\n"
        "    raise SystemExit(0)\n"
        "raise SystemExit(1)\n"
    )
    result = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=False)  # noqa: S603 - our own interpreter
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("rule", AWS_RULES, ids=lambda rule: rule.name)
def test_every_rule_is_found_for_its_actions(rule: AwsRule) -> None:
    """Each rule's services are the prefixes of its action patterns, and ``rules_for`` finds it for them."""
    assert rule.services == {pattern.split(":", 1)[0].lower() for pattern in rule.action_patterns}
    for pattern in rule.action_patterns:
        action = pattern.lower().replace("*", "anything")
        assert rule in rules_for(action)
