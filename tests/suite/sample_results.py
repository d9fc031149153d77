"""Real evaluator results, built from the result dataclasses, for testing the reporters on their own.

They describe what AWS decides for the quickstart suite (and one case whose expectation is wrong),
so the reporters are tested against data shaped exactly as the evaluator returns it.
"""

from __future__ import annotations

from pathlib import Path

from iam_tester.engine.results import (
    Decision,
    Evaluation,
    Explanation,
    Mismatch,
    Outcome,
    PolicyType,
    PolicyTypeTrace,
    Request,
    StatementRef,
    StatementTrace,
)
from iam_tester.policy import Effect
from iam_tester.suite import CaseResult, RunResult, Suite, load_suite

POLICY = "policies/list.json"
LIST_ANY = StatementRef(PolicyType.IDENTITY, POLICY, "ListAnyBucket", 0, Effect.ALLOW)
PROTECT = StatementRef(PolicyType.IDENTITY, POLICY, "ProtectInfra", 1, Effect.DENY)
ROOT_SCP = StatementRef(PolicyType.SCP, "scp.json", "Statement[0]", 0, Effect.ALLOW, level=0)

SUITE = """
name: sample
policies:
  identity: [policies/list.json]
principal: arn:aws:iam::111122223333:user/alice
cases:
  - name: list the dashboard
    action: s3:ListBucket
    resource: arn:aws:s3:::dashboard
    expect: allowed
  - name: list infra
    action: s3:ListBucket
    resource: arn:aws:s3:::infra
    expect: explicitDeny
  - name: read from home <&> "quoted"
    action: s3:GetObject
    resource: arn:aws:s3:::home/alice/x
    context: {aws:SourceIp: 198.51.100.7}
    expect: allowed
  - name: just report
    action: s3:GetObject
    resource: arn:aws:s3:::dashboard/index.html
"""

POLICY_TEXT = """{"Version": "2012-10-17", "Statement": [
 {"Sid": "ListAnyBucket", "Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
 {"Sid": "ProtectInfra", "Effect": "Deny", "Action": "s3:List*", "Resource": "arn:aws:s3:::infra"}]}"""


def _evaluation(request: Request, explanation: Explanation) -> Evaluation:
    return Evaluation(
        request=request,
        decision=explanation.decision,
        deciding=explanation.deciding,
        summary=explanation.summary,
        _explain=lambda: explanation,
    )


def _allowed(request: Request) -> Explanation:
    return Explanation(
        decision=Decision.ALLOWED,
        summary="allowed: Allow statement ListAnyBucket in identity policy policies/list.json",
        deciding=(LIST_ANY,),
        policies=(
            PolicyTypeTrace(PolicyType.SCP, Outcome.ALLOW, (StatementTrace(ROOT_SCP, True),), level=0),
            PolicyTypeTrace(
                PolicyType.IDENTITY,
                Outcome.ALLOW,
                (
                    StatementTrace(LIST_ANY, True),
                    StatementTrace(
                        PROTECT, False, (Mismatch("Resource", f"{request.resource} is not arn:aws:s3:::infra"),)
                    ),
                ),
            ),
        ),
        context=(("aws:username", ("alice",)),),
    )


def _denied(request: Request) -> Explanation:
    del request
    return Explanation(
        decision=Decision.EXPLICIT_DENY,
        summary="explicitDeny: Deny statement ProtectInfra in identity policy policies/list.json",
        deciding=(PROTECT,),
        policies=(
            PolicyTypeTrace(
                PolicyType.IDENTITY, Outcome.DENY, (StatementTrace(LIST_ANY, True), StatementTrace(PROTECT, True))
            ),
        ),
    )


def _implicit(request: Request) -> Explanation:
    del request
    condition = Mismatch(
        "Condition",
        "198.51.100.7 is not in 203.0.113.0/24",
        key="aws:SourceIp",
        operator="IpAddress",
        policy_values=("203.0.113.0/24",),
        request_values=("198.51.100.7",),
    )
    missing = Mismatch(
        "Condition",
        "the key is missing",
        key="aws:PrincipalTag/team",
        operator="StringEquals",
        policy_values=("analytics",),
        request_values=None,
        variables=(("aws:PrincipalTag/team", None),),
    )
    home = StatementRef(PolicyType.IDENTITY, "inline [home]", "Home", 2, Effect.ALLOW)
    return Explanation(
        decision=Decision.IMPLICIT_DENY,
        summary="implicitDeny: no identity policy allows s3:GetObject",
        deciding=(),
        policies=(
            PolicyTypeTrace(
                PolicyType.IDENTITY,
                Outcome.NO_MATCH,
                (
                    StatementTrace(LIST_ANY, False, (Mismatch("Action", "s3:GetObject does not match s3:List*"),)),
                    StatementTrace(home, False, (condition, missing)),
                ),
                note="a note from the combiner",
            ),
        ),
    )


def sample_run(directory: Path) -> RunResult:
    """The sample suite, loaded from ``directory``, with the evaluations AWS would give."""
    (directory / "policies").mkdir(exist_ok=True)
    (directory / "policies" / "list.json").write_text(POLICY_TEXT, encoding="utf-8")
    (directory / "sample.yaml").write_text(SUITE.lstrip("\n"), encoding="utf-8")
    suite: Suite = load_suite(directory / "sample.yaml")
    makers = [_allowed, _denied, _implicit, _implicit]
    results = []
    for case, make in zip(suite.cases, makers, strict=True):
        request = case.request()
        results.append(CaseResult(suite, case, _evaluation(request, make(request))))
    return RunResult((suite,), tuple(results))
