"""Property tests: whatever document or text the policy layer is given, it answers with findings or an
:class:`~iam_tester.errors.IamTesterError` — never another exception — and every finding names its file
(and, for text, the line). Documents the grammar accepts compile and evaluate any request the same way."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from iam_tester.engine import Decision, PolicySet, Request
from iam_tester.errors import IamTesterError
from iam_tester.policy import PolicyKind, parse_policy, validate_policy, validate_policy_text

from ..strategies import (
    CONDITION_KEYS,
    JSON_TOKENS,
    OPERATORS,
    SCALARS,
    STRINGS,
    fuzz,
    policies,
    token_soup,
)

KINDS = st.sampled_from(list(PolicyKind))
NAME = "fuzz.json"


@fuzz(400)
@given(document=policies(non_string_keys=True), kind=KINDS)
def test_any_document_gives_findings_not_exceptions(document: Any, kind: PolicyKind) -> None:
    """validate_policy on any Python value returns findings naming the document, and the IAM catalog never
    turns a usable document into an unusable one; parse_policy raises only IamTesterError, and exactly when
    validation found errors."""
    report = validate_policy(document, kind=kind, name=NAME, catalog=False)
    assert all(f.location.source == NAME for f in report.findings)
    assert report.ok == validate_policy(document, kind=kind, name=NAME).ok
    try:
        parsed = parse_policy(document, kind=kind, name=NAME)
    except IamTesterError as exc:
        code = exc.exit_code
        assert not report.ok
        assert code == 2
    else:
        assert report.ok
        assert parsed.kind is kind


@fuzz(250)
@given(document=policies(), kind=KINDS, indent=st.sampled_from([None, 2, "\t"]), crlf=st.booleans())
def test_any_document_as_text_is_located(document: Any, kind: PolicyKind, indent: int | str | None, crlf: bool) -> None:
    """The same documents as JSON text (NaN included, CRLF or not): every finding has a line and column."""
    text = json.dumps(document, indent=indent)
    if crlf:
        text = text.replace("\n", "\r\n")
    report = validate_policy_text(text, kind=kind, name=NAME, catalog=False)
    for finding in report.findings:
        assert finding.location.source == NAME
        assert finding.location.line is not None, finding
        assert finding.location.column is not None, finding


@fuzz(300)
@given(text=token_soup(JSON_TOKENS) | st.text(max_size=60), kind=KINDS)
def test_any_text_is_located(text: str, kind: PolicyKind) -> None:
    """JSON-ish token soup and arbitrary text: findings only, each with a line (invalid JSON included)."""
    report = validate_policy_text(text, kind=kind, name=NAME, catalog=False)
    for finding in report.findings:
        assert finding.location.line is not None, finding


# Statements that often pass the grammar, so the evaluator gets real documents to compile: each condition
# operator with a key and values of its type (and, now and then, values the grammar rejects).
_ACTIONS = st.sampled_from(["*", "s3:*", "s3:Get*", "s3:GetObject", "iam:PassRole", "s3:?etObject", "sts:*"])
_RESOURCES = st.sampled_from(
    ["*", "arn:aws:s3:::reports/*", "arn:aws:s3:::${aws:username}/*", "arn:aws:iam::111122223333:role/*"]
)
_TYPED_CONDITIONS = st.one_of(
    st.tuples(
        st.sampled_from(["DateGreaterThan", "DateLessThanEquals", "DateEqualsIfExists"]),
        st.just("aws:CurrentTime"),
        st.sampled_from(["2026-01-31T12:00:00Z", "1700000000", "2020", "2020-02-30"]),
    ),
    st.tuples(
        st.sampled_from(["NumericLessThan", "NumericEquals", "ForAnyValue:NumericGreaterThan"]),
        st.just("s3:max-keys"),
        st.sampled_from(["10", "-2.5", "1e3", "ten"]),
    ),
    st.tuples(
        st.sampled_from(["IpAddress", "NotIpAddress"]),
        st.just("aws:SourceIp"),
        st.sampled_from(["10.0.0.0/8", "2001:db8::/32", "203.0.113.9", "10.0.0.0/33"]),
    ),
    st.tuples(
        st.sampled_from(OPERATORS[:6]),
        st.sampled_from(["aws:username", "aws:PrincipalTag/team", "aws:TagKeys"]),
        st.sampled_from(["alice", "${aws:username}", "a*", "${aws:username", "${}", "${aws:username, 'x'}"]),
    ),
    st.tuples(
        st.sampled_from(["Bool", "BoolIfExists"]), st.just("aws:SecureTransport"), st.sampled_from(["true", "1"])
    ),
    st.tuples(st.just("Null"), st.sampled_from(CONDITION_KEYS), st.sampled_from(["true", "false"])),
    st.tuples(st.just("BinaryEquals"), st.just("aws:username"), st.sampled_from(["aGVsbG8=", "===="])),
    st.tuples(
        st.sampled_from(["ArnLike", "ArnNotEquals"]),
        st.just("aws:SourceArn"),
        st.sampled_from(["arn:aws:s3:::*", "arn:aws:iam::*:role/x", "*"]),
    ),
)
_CONDITION = st.lists(_TYPED_CONDITIONS, max_size=3).map(
    lambda entries: {operator: {key: value} for operator, key, value in entries}
)
_ACTION_PART = st.builds(lambda a: {"Action": a}, _ACTIONS | st.lists(_ACTIONS, min_size=1, max_size=3)) | st.builds(
    lambda a: {"NotAction": a}, _ACTIONS
)
_RESOURCE_PART = st.builds(
    lambda r: {"Resource": r}, _RESOURCES | st.lists(_RESOURCES, min_size=1, max_size=2)
) | st.builds(lambda r: {"NotResource": r}, _RESOURCES)
_STATEMENT = st.builds(
    lambda effect, action, resource, condition: {"Effect": effect, **action, **resource, **condition},
    st.sampled_from(["Allow", "Deny"]),
    _ACTION_PART,
    _RESOURCE_PART,
    st.builds(lambda c: {"Condition": c}, _CONDITION) | st.just({}),
)
_DOCUMENTS = st.builds(
    lambda statements, version: {"Version": version, "Statement": statements},
    st.lists(_STATEMENT, min_size=1, max_size=3),
    st.sampled_from(["2012-10-17", "2008-10-17"]),
)
_REQUEST_TEXT = st.sampled_from(["s3:GetObject", "arn:aws:s3:::reports/q1.csv", "*"]) | STRINGS
# Request values the evaluator parses per request: dates past year 9999, numbers with huge exponents,
# things that are not IPs, and plain junk.
_HOSTILE_VALUES = st.sampled_from(
    [
        "99999999999999999999",
        "-99999999999999",
        "253402300800",
        "2026-01-31T12:00:00Z",
        "nan",
        "1e999999",
        "9" * 5000,
        "10.0.0.1",
        "::1",
        "fe80::1%eth0",
        "not an ip",
        "TRUE",
        "",
        "${aws:username}",
        "====",
        "arn:aws:s3:::reports",
    ]
)
_CONTEXT_VALUE = _HOSTILE_VALUES | _HOSTILE_VALUES | STRINGS | st.lists(_HOSTILE_VALUES | STRINGS, max_size=3)
_CONTEXT = st.builds(
    lambda typed, junk: {**junk, **typed},
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            [*CONDITION_KEYS, "aws:SecureTransport", "aws:SourceArn", "aws:TagKeys"], _CONTEXT_VALUE
        ),
    ),
    st.dictionaries(STRINGS, _CONTEXT_VALUE, max_size=2),
)
_PRINCIPALS = st.sampled_from(
    [
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::111122223333:role/dev",
        "arn:aws:sts::111122223333:assumed-role/dev/s",
        "arn:aws:sts::111122223333:federated-user/f",
        "111122223333",
        "s3.amazonaws.com",
    ]
)


@fuzz(300)
@given(
    documents=st.lists(_DOCUMENTS, min_size=1, max_size=3),
    action=st.sampled_from(["s3:GetObject", "iam:PassRole"]) | _REQUEST_TEXT,
    resource=st.sampled_from(["arn:aws:s3:::reports/q1.csv", "*"]) | _REQUEST_TEXT,
    principal=_PRINCIPALS | _PRINCIPALS | _PRINCIPALS | STRINGS,
    context=_CONTEXT,
    account=st.none() | st.sampled_from(["111122223333", "444455556666"]),
)
def test_valid_documents_decide_any_request(  # noqa: PLR0917 - one argument per part of the request
    documents: list[Any], action: str, resource: str, principal: str, context: dict[str, Any], account: str | None
) -> None:
    """Documents the grammar accepts compile; any request is decided (or refused with IamTesterError), and its
    explanation is JSON data."""
    parsed = []
    for index, document in enumerate(documents):
        try:
            parsed.append(parse_policy(document, name=f"p{index}.json"))
        except IamTesterError:
            continue
    try:
        policy_set = PolicySet.compile(identity=parsed, boundary=parsed[0] if parsed else None)
        evaluation = policy_set.evaluate(
            Request(action, resource, principal, resource_account=account, context=context)
        )
    except IamTesterError as exc:
        code = exc.exit_code
        assert code == 2
        return
    assert evaluation.decision in Decision
    json.dumps(evaluation.explain().to_dict())


@fuzz(150)
@given(action=SCALARS | st.lists(STRINGS), resource=SCALARS, principal=SCALARS, context=SCALARS | _CONTEXT)
def test_requests_of_the_wrong_type_are_refused(action: Any, resource: Any, principal: Any, context: Any) -> None:
    """A Request built from Python with non-strings (or a context that is not a mapping) raises IamTesterError."""
    policy_set = PolicySet.compile(identity=[parse_policy(_allow_all())])
    try:
        policy_set.evaluate(Request(action, resource, principal, context=context))
    except IamTesterError as exc:
        code = exc.exit_code
        assert code == 2


def _allow_all() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@fuzz(300)
@given(condition=_TYPED_CONDITIONS, value=_CONTEXT_VALUE, principal=_PRINCIPALS)
def test_any_context_value_against_every_operator(condition: tuple[str, str, str], value: Any, principal: str) -> None:
    """Each operator family parses request values per request: no value (a date past year 9999, a 5,000-digit
    number, something that is not an IP) makes it raise; the statement just does or does not apply."""
    operator, key, policy_value = condition
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {operator: {key: policy_value}}}
    try:
        parsed = parse_policy({"Version": "2012-10-17", "Statement": [statement]})
    except IamTesterError:
        return  # a policy value the grammar rejects: covered by the tests above
    evaluation = PolicySet.compile(identity=[parsed]).evaluate(
        Request("s3:GetObject", "arn:aws:s3:::reports/q1.csv", principal, context={key: value})
    )
    assert evaluation.decision in Decision
    json.dumps(evaluation.explain().to_dict())
