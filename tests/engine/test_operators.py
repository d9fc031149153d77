"""Every condition operator, with IfExists, the set operators, Null and missing keys: one table, one runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iam_tester.engine import Decision, PolicySet, Request
from iam_tester.policy import parse_policy
from iam_tester.policy.operators import OPERATORS

TABLE = yaml.safe_load((Path(__file__).parent / "operators.yaml").read_text(encoding="utf-8"))["rows"]
KEY = "test:Key"


def _evaluate(operator: str, policy_values: list[str], request_values: Any) -> Any:
    document = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {operator: {KEY: policy_values}}}
            ],
        },
        name="table.json",
    )
    context = {} if request_values is None else {KEY: request_values}
    request = Request(
        action="s3:GetObject", resource="*", principal="arn:aws:iam::111122223333:user/alice", context=context
    )
    return PolicySet.compile(identity=[document]).evaluate(request)


@pytest.mark.parametrize(
    ("operator", "policy_values", "request_values", "holds"),
    [tuple(row) for row in TABLE],
    ids=[f"{row[0]}{row[1]}~{row[2]}" for row in TABLE],
)
def test_operator(operator: str, policy_values: list[str], request_values: Any, holds: bool) -> None:
    """The condition holds (the Allow applies) exactly when the table says, and a failure is explained."""
    evaluation = _evaluate(operator, policy_values, request_values)
    assert evaluation.decision is (Decision.ALLOWED if holds else Decision.IMPLICIT_DENY)
    (statement,) = evaluation.explain().policies[0].statements
    assert statement.applies is holds
    if not holds:
        (mismatch,) = statement.mismatches
        assert mismatch.element == "Condition"
        assert mismatch.key == KEY
        assert mismatch.operator is not None
        assert mismatch.operator.lower() == operator.lower()


def test_table_covers_every_operator() -> None:
    """Each base operator, its IfExists form, both set operators and the missing-key case appear in the table."""
    operators = {row[0] for row in TABLE}
    for spec in OPERATORS.values():
        assert spec.name in operators, spec.name
        if spec.name != "Null":
            assert f"{spec.name}IfExists" in operators, spec.name
        missing = [row for row in TABLE if row[0] == spec.name and row[2] is None]
        assert missing, f"{spec.name} has no missing-key row"
    assert any(op.startswith("ForAnyValue:") for op in operators)
    assert any(op.startswith("ForAllValues:") for op in operators)


def test_every_operator_has_its_comparison() -> None:
    """Each operator's relation names a comparison of its value type, shared by the operator and its negation."""
    from iam_tester.engine.conditions import COMPARISONS

    for spec in OPERATORS.values():
        if spec.name == "Null":
            continue
        assert spec.relation in COMPARISONS[spec.value_type], spec.name
        if spec.negated:
            positives = [p for p in OPERATORS.values() if not p.negated and p.value_type is spec.value_type]
            assert any(p.relation == spec.relation for p in positives), spec.name
