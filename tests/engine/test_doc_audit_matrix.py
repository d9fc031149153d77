"""Every combination of caller, account, resource-policy principal, identity policy, boundary and session policy
decides as the IAM User Guide's rules, restated here independently of the engine, say.

The rules, from "How AWS enforcement code logic evaluates requests to allow or deny access"
(reference_policies_evaluation-logic_policy-eval-denyallow.html), "Cross-account policy evaluation logic",
"AWS JSON policy elements: Principal" and the STS GetFederationToken reference:

- a Deny that applies wins; the root user has no identity policy, boundary or session policy;
- same account: a grant to the IAM user, the role session, the federated user or ``"*"`` is not limited by an
  implicit deny elsewhere; a grant to the role ARN "is limited by an implicit deny in a permissions boundary or
  session policy"; a grant to the account "delegates authority to the account", whose IAM policies must allow;
- cross account: "The request is allowed only if both evaluations return a decision of Allow";
- the caller's side is its identity policies, its boundary and (for sessions) its session policy; "If there is
  no session policy ... If the principal is a role session, then the request is Allowed. Otherwise, the
  request is implicitly denied" (a federated user without a session policy has no permissions).
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

import pytest

from iam_tester.engine import Decision, PolicySet, Request
from iam_tester.policy import PolicyDocument, PolicyKind, parse_policy

HOME = "111122223333"
FOREIGN = "444455556666"
CALLERS = {
    "user": f"arn:aws:iam::{HOME}:user/alice",
    "session": f"arn:aws:sts::{HOME}:assumed-role/app/s1",
    "federated": f"arn:aws:sts::{HOME}:federated-user/carol",
    "root": f"arn:aws:iam::{HOME}:root",
}
NAMED = {
    "nobody": None,
    "user": f"arn:aws:iam::{HOME}:user/alice",
    "role": f"arn:aws:iam::{HOME}:role/app",
    "session": f"arn:aws:sts::{HOME}:assumed-role/app/s1",
    "federated": f"arn:aws:sts::{HOME}:federated-user/carol",
    "account": f"arn:aws:iam::{HOME}:root",
    "everyone": "*",
    "other account": "arn:aws:iam::777788889999:root",
}
STATES = ("absent", "allows", "silent", "denies")
IDENTITY = ("allows", "silent", "denies")


def _doc(kind: PolicyKind, statement: dict[str, Any]) -> PolicyDocument:
    return parse_policy({"Version": "2012-10-17", "Statement": [statement]}, kind=kind, name=kind.value)


def _limit(kind: PolicyKind, state: str) -> PolicyDocument | None:
    if state == "absent":
        return None
    action = "s3:*" if state == "silent" else "sqs:*"
    return _doc(kind, {"Effect": "Deny" if state == "denies" else "Allow", "Action": action, "Resource": "*"})


class Combo(NamedTuple):
    caller: str
    same: bool
    named: str
    identity: str
    boundary: str
    session: str

    @property
    def id(self) -> str:
        where = "same" if self.same else "cross"
        return f"{self.caller}-{where}-names:{self.named}-id:{self.identity}-pb:{self.boundary}-sp:{self.session}"


def _expected(combo: Combo) -> Decision:
    caller, same, named, identity, boundary, session = combo
    iam = caller != "root"
    sessions = caller in ("session", "federated")
    if (iam and "denies" in (identity, boundary)) or (sessions and session == "denies"):
        return Decision.EXPLICIT_DENY
    grant = {
        "user": "direct" if caller == "user" else None,
        "role": "role" if caller == "session" else None,
        "session": "direct" if caller == "session" else None,
        "federated": "direct" if caller == "federated" else None,
        "account": "account",
        "everyone": "direct",
    }.get(named)
    identity_ok = not iam or identity == "allows"
    boundary_ok = not iam or boundary in ("absent", "allows")
    if caller == "session":
        session_ok = session != "silent"
    elif caller == "federated":
        session_ok = session == "allows"
    else:
        session_ok = True
    caller_side = identity_ok and boundary_ok and session_ok
    if same:
        allowed = grant == "direct" or (grant == "role" and boundary_ok and session_ok) or caller_side
    else:
        allowed = grant is not None and caller_side
    return Decision.ALLOWED if allowed else Decision.IMPLICIT_DENY


MATRIX = [Combo(*values) for values in itertools.product(CALLERS, (True, False), NAMED, IDENTITY, STATES, STATES)]


@pytest.mark.parametrize("combo", MATRIX, ids=lambda combo: combo.id)
def test_combination(combo: Combo) -> None:
    """The engine's decision for this combination is the one the documented rules give."""
    caller, same, named, identity, boundary, session = combo
    account = HOME if same else FOREIGN
    queue = f"arn:aws:sqs:us-east-1:{account}:q"
    principal = NAMED[named]
    resource = None
    if principal is not None:
        named_as: Any = "*" if principal == "*" else {"AWS": principal}
        statement = {"Effect": "Allow", "Principal": named_as, "Action": "sqs:SendMessage", "Resource": queue}
        resource = _doc(PolicyKind.RESOURCE, statement)
    effect = "Deny" if identity == "denies" else "Allow"
    identity_action = "s3:*" if identity == "silent" else "sqs:*"
    policy_set = PolicySet.compile(
        identity=[_doc(PolicyKind.IDENTITY, {"Effect": effect, "Action": identity_action, "Resource": "*"})],
        boundary=_limit(PolicyKind.BOUNDARY, boundary),
        session=_limit(PolicyKind.SESSION, session),
        resource=resource,
    )
    evaluation = policy_set.evaluate(Request("sqs:SendMessage", queue, CALLERS[caller]))
    expected = _expected(combo)
    assert evaluation.decision is expected, evaluation.summary
