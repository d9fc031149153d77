"""The local runner: decide every case of every suite with the evaluator, compiling each policy set once.

Cases that inherit the same documents share one compiled :class:`~iam_tester.engine.PolicySet`; a
20,000-case suite over a handful of policy sets compiles a handful of times.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._gc import paused_gc
from ..engine import PolicySet
from ..errors import InvalidInputError, PolicyError, SuiteError
from .model import Case, PolicySlots, Suite
from .results import CaseResult, RunResult

__all__ = ["compile_slots", "run_local"]


def compile_slots(slots: PolicySlots) -> PolicySet:
    """The evaluator's compiled form of one case's policies."""
    return PolicySet.compile(
        identity=slots.identity,
        boundary=slots.boundary,
        session=slots.session,
        resource=slots.resource,
        scps=slots.scps,
        rcps=slots.rcps,
    )


def run_local(suites: Sequence[Suite], *, strict: bool = False) -> RunResult:
    """Every case decided, in input order. Bad input found only now (a principal the evaluator cannot
    read, a policy unusable in its slot) raises an :class:`InvalidInputError` located at the case.
    ``strict``: the suites' warnings fail the run (:attr:`RunResult.exit_code`)."""
    compiled: dict[tuple[object, ...], PolicySet] = {}
    # Cases that inherit every slot share one PolicySlots object: look it up by id first, and only
    # compute the key of the documents it holds once per PolicySlots object.
    by_slots: dict[int, PolicySet] = {}
    results: list[CaseResult] = []
    with paused_gc():
        for suite in suites:
            for case in suite.cases:
                policy_set = by_slots.get(id(case.policies))
                try:
                    if policy_set is None:
                        key = case.policies.identity_key()
                        policy_set = compiled.get(key)
                        if policy_set is None:
                            policy_set = compiled[key] = compile_slots(case.policies)
                        by_slots[id(case.policies)] = policy_set
                    evaluation = policy_set.evaluate(case.request())
                except InvalidInputError as exc:
                    raise _at_case(exc, case) from None
                results.append(CaseResult(suite, case, evaluation))
    return RunResult(tuple(suites), tuple(results), strict=strict)


def _at_case(exc: InvalidInputError, case: Case) -> InvalidInputError:
    """The evaluator's error, pointed at the case that caused it."""
    if isinstance(exc, PolicyError):
        hint = f"used by the case {case.name!r} at {case.location}"
        if exc.hint:
            hint = f"{exc.hint}; {hint}"
        prefix = f"{exc.location}: "
        message = exc.message[len(prefix) :] if exc.message.startswith(prefix) else exc.message
        return type(exc)(message, location=exc.location, code=exc.code, hint=hint, findings=exc.findings)
    return SuiteError(f"in the case {case.name!r}: {exc.message}", location=case.location, hint=exc.hint)
