"""The local runner: every case decided in order, each distinct policy set compiled once."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest

from iam_tester._gc import paused_gc
from iam_tester.engine import PolicySet
from iam_tester.suite import PolicySlots, Status, load_suites
from iam_tester.suite import runner as runner_module
from iam_tester.suite.runner import run_local

from .conftest import WriteFile

CASES = """
policies: {identity: [policies/list.json]}
cases:
  - {name: a, action: s3:ListBucket, resource: 'arn:aws:s3:::a', expect: allowed}
  - {name: b, action: s3:GetObject, resource: 'arn:aws:s3:::a/k', expect: implicitDeny}
  - {name: c, action: s3:ListBucket, resource: 'arn:aws:s3:::c', policies: {identity: [policies/list.json]}}
  - {name: d, action: s3:ListBucket, resource: 'arn:aws:s3:::d', expect: allowed, policies: {identity: null}}
"""


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[PolicySlots]:
    """Record every policy set the runner compiles (the real compile still runs)."""
    seen: list[PolicySlots] = []
    real = runner_module.compile_slots

    def counting(slots: PolicySlots) -> PolicySet:
        seen.append(slots)
        return real(slots)

    monkeypatch.setattr(runner_module, "compile_slots", counting)
    return seen


def test_cases_in_order_with_verdicts(write: WriteFile, policy_file: Callable[..., Path]) -> None:
    """Results come in input order, with the evaluator's decision compared to each expectation."""
    policy_file()
    run = run_local(load_suites([write("s.yaml", CASES)]))
    assert [(r.case.name, r.evaluation.decision.value, r.status) for r in run.results] == [
        ("a", "allowed", Status.PASSED),
        ("b", "implicitDeny", Status.PASSED),
        ("c", "allowed", Status.UNCHECKED),
        ("d", "implicitDeny", Status.FAILED),
    ]
    assert run.exit_code == 1


def test_each_distinct_policy_set_compiles_once(
    write: WriteFile, policy_file: Callable[..., Path], compiles: list[PolicySlots]
) -> None:
    """Across two suites naming the same file, only two policy sets exist (with and without it)."""
    policy_file()
    run_local(load_suites([write("one.yaml", CASES), write("two.yaml", CASES)]))
    assert len(compiles) == 2
    assert {len(slots.identity) for slots in compiles} == {0, 1}


def _fail_inside_nested_pause(seen: list[bool]) -> None:
    with paused_gc():
        with paused_gc():
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())
        raise RuntimeError


def test_paused_gc_restores_the_collector() -> None:
    """The collector is off inside (even nested) and back on after, also after an error."""
    assert gc.isenabled()
    seen: list[bool] = []
    with pytest.raises(RuntimeError):
        _fail_inside_nested_pause(seen)
    assert seen == [False, False]
    assert gc.isenabled()
