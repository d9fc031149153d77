"""Bad suites, each with where the error must point: shared by the loader tests and the `check` CLI tests.

Every entry names the file the error is in (relative to the test's directory), the JSON path inside it,
the line, and a fragment of the message. The suite is always ``suite.yaml`` (or ``suite.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

BAD_EFFECT_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:*", "Resource": "*"}]}, indent=2
)


@dataclass(frozen=True)
class BadSuite:
    id: str
    suite: str
    error_file: str
    path: str
    line: int | None
    message: str
    suite_name: str = "suite.yaml"
    files: dict[str, str] = field(default_factory=dict)
    error: str = "SuiteError"


def _inline(statement: str) -> str:
    """A suite whose only case has one inline identity policy with ``statement`` (a YAML flow mapping)."""
    return (
        "cases:\n"
        "  - action: s3:GetObject\n"
        "    resource: '*'\n"
        "    policies:\n"
        "      identity:\n"
        "        - Version: '2012-10-17'\n"
        "          Statement:\n"
        f"            - {statement}\n"
    )


_POLICY_PATH = "cases[0].policies.identity[0].Statement[0]"

BAD_SUITES = [
    BadSuite(
        "malformed-yaml",
        "cases:\n  - action: s3:GetObject\n    resource: [unclosed\n",
        "suite.yaml",
        "",
        4,
        "not valid YAML",
    ),
    BadSuite(
        "malformed-json",
        '{"cases": [\n  {"action": "s3:GetObject",}\n]}',
        "suite.json",
        "",
        2,
        "not valid JSON",
        suite_name="suite.json",
    ),
    BadSuite(
        "unknown-case-key",
        "cases:\n  - actoin: s3:GetObject\n    resource: '*'\n",
        "suite.yaml",
        "cases[0].actoin",
        2,
        "unknown key 'actoin' in a case",
    ),
    BadSuite(
        "unknown-suite-key",
        "principle: arn:aws:iam::111122223333:role/x\ncases: [{action: s3:GetObject, resource: '*'}]\n",
        "suite.yaml",
        "principle",
        1,
        "unknown key 'principle' in the suite",
    ),
    BadSuite(
        "unknown-policy-slot",
        "cases:\n  - action: s3:GetObject\n    resource: '*'\n    policies: {identities: []}\n",
        "suite.yaml",
        "cases[0].policies.identities",
        4,
        "unknown key 'identities' in policies",
    ),
    BadSuite(
        "bad-effect",
        _inline("{Effect: Permit, Action: 's3:*', Resource: '*'}"),
        "suite.yaml",
        f"{_POLICY_PATH}.Effect",
        8,
        "Effect",
        error="PolicyError",
    ),
    BadSuite(
        "action-with-notaction",
        _inline("{Effect: Allow, Action: 's3:*', NotAction: 'iam:*', Resource: '*'}"),
        "suite.yaml",
        f"{_POLICY_PATH}.NotAction",
        8,
        "not both",
        error="PolicyError",
    ),
    BadSuite(
        "unknown-condition-operator",
        _inline("{Effect: Allow, Action: 's3:*', Resource: '*', Condition: {StringEqualz: {'aws:username': bob}}}"),
        "suite.yaml",
        f"{_POLICY_PATH}.Condition.StringEqualz",
        8,
        "StringEqualz",
        error="PolicyError",
    ),
    BadSuite(
        "bad-cidr",
        _inline(
            "{Effect: Allow, Action: 's3:*', Resource: '*', Condition: {IpAddress: {'aws:SourceIp': 10.0.0.0/33}}}"
        ),
        "suite.yaml",
        f"{_POLICY_PATH}.Condition.IpAddress.aws:SourceIp",
        8,
        "10.0.0.0/33",
        error="PolicyError",
    ),
    BadSuite(
        "bad-date",
        _inline(
            "{Effect: Allow, Action: 's3:*', Resource: '*',"
            " Condition: {DateLessThan: {'aws:CurrentTime': 'next week'}}}"
        ),
        "suite.yaml",
        f"{_POLICY_PATH}.Condition.DateLessThan.aws:CurrentTime",
        8,
        "next week",
        error="PolicyError",
    ),
    BadSuite(
        "bad-number",
        _inline("{Effect: Allow, Action: 's3:*', Resource: '*', Condition: {NumericLessThan: {'s3:max-keys': ten}}}"),
        "suite.yaml",
        f"{_POLICY_PATH}.Condition.NumericLessThan.s3:max-keys",
        8,
        "ten",
        error="PolicyError",
    ),
    BadSuite(
        "principal-in-scp",
        "policies:\n  scps:\n    - - Version: '2012-10-17'\n        Statement:\n"
        "          - {Effect: Deny, Principal: '*', Action: 's3:*', Resource: '*'}\n"
        "cases: [{action: s3:GetObject, resource: '*'}]\n",
        "suite.yaml",
        "policies.scps[0][0].Statement[0].Principal",
        5,
        "Principal",
        error="PolicyError",
    ),
    BadSuite(
        "bad-policy-in-json-suite",
        json.dumps(
            {
                "cases": [
                    {
                        "action": "s3:GetObject",
                        "resource": "*",
                        "policies": {
                            "identity": [
                                {
                                    "Version": "2012-10-17",
                                    "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}],
                                }
                            ]
                        },
                    }
                ]
            },
            indent=2,
        ),
        "suite.json",
        f"{_POLICY_PATH}.Effect",
        12,
        "Effect",
        suite_name="suite.json",
        error="PolicyError",
    ),
    BadSuite(
        "missing-action",
        "cases:\n  - resource: arn:aws:s3:::b\n    expect: allowed\n",
        "suite.yaml",
        "cases[0]",
        2,
        "no `action`",
    ),
    BadSuite(
        "missing-resource",
        "cases:\n  - action: s3:GetObject\n",
        "suite.yaml",
        "cases[0]",
        2,
        "no `resource`",
    ),
    BadSuite(
        "wildcard-action",
        "cases:\n  - action: s3:Get*\n    resource: '*'\n",
        "suite.yaml",
        "cases[0].action",
        2,
        "no wildcards",
    ),
    BadSuite(
        "unreadable-policy-file",
        "policies:\n  identity:\n    - policies/missing.json\ncases: [{action: s3:GetObject, resource: '*'}]\n",
        "suite.yaml",
        "policies.identity[0]",
        3,
        "missing.json",
    ),
    BadSuite(
        "bad-policy-file",
        "policies:\n  identity: [policies/bad.json]\ncases: [{action: s3:GetObject, resource: '*'}]\n",
        "policies/bad.json",
        "Statement[0].Effect",
        5,
        "Effect",
        files={"policies/bad.json": BAD_EFFECT_POLICY},
        error="PolicyError",
    ),
    BadSuite(
        "invalid-expect",
        "cases:\n  - action: s3:GetObject\n    resource: '*'\n    expect: allow\n",
        "suite.yaml",
        "cases[0].expect",
        4,
        "`expect` must be one of",
    ),
    BadSuite(
        "empty-scp-level",
        "policies:\n  scps: [[]]\ncases: [{action: s3:GetObject, resource: '*'}]\n",
        "suite.yaml",
        "policies.scps[0]",
        2,
        "level 0 is empty",
    ),
    BadSuite(
        "bad-policy-reference",
        "policies:\n  identity: [42]\ncases: [{action: s3:GetObject, resource: '*'}]\n",
        "suite.yaml",
        "policies.identity[0]",
        2,
        "not a number",
    ),
    BadSuite(
        "bad-context-value",
        "context:\n  aws:SourceIp: {nested: mapping}\ncases: [{action: s3:GetObject, resource: '*'}]\n",
        "suite.yaml",
        "context.aws:SourceIp",
        2,
        "a context value",
    ),
    BadSuite(
        "bad-call-params",
        "cases:\n  - action: s3:GetObject\n    resource: '*'\n    call: {service: s3, operation: get_object,"
        " params: [1]}\n",
        "suite.yaml",
        "cases[0].call.params",
        4,
        "`params` must be a mapping",
    ),
    BadSuite(
        "call-without-operation",
        "cases:\n  - action: s3:GetObject\n    resource: '*'\n    call: {service: s3}\n",
        "suite.yaml",
        "cases[0].call",
        4,
        "a call needs `operation`",
    ),
    BadSuite(
        "bad-resource-account",
        "cases:\n  - {action: s3:GetObject, resource: '*', resource_account: '1234'}\n",
        "suite.yaml",
        "cases[0].resource_account",
        2,
        "12-digit",
    ),
    BadSuite("no-cases", "name: empty\n", "suite.yaml", "", 1, "needs a `cases` list"),
    BadSuite("empty-cases", "cases: []\n", "suite.yaml", "cases", 1, "`cases` is empty"),
    BadSuite("not-a-mapping", "- just\n- a list\n", "suite.yaml", "", 1, "a suite is a mapping"),
]

BAD_SUITES.append(
    BadSuite(
        "duplicate-key",
        "cases:\n  - action: s3:GetObject\n    resource: '*'\n    expect: allowed\n    expect: denied\n",
        "suite.yaml",
        "cases[0].expect",
        5,
        "the key 'expect' appears twice",
    )
)

# Hostile and careless suites found by hand (issue: "never a traceback"); each crashed or misled before.
_ONE_CASE = "cases: [{action: s3:GetObject, resource: '*'}]\n"
_BOMB = "".join(
    f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]\n" if n else "l0: &l0 [lol, lol, lol, lol, lol, lol]\n"
    for n in range(9)
)
BAD_SUITES.extend(
    [
        BadSuite("int-key", "1: x\n" + _ONE_CASE, "suite.yaml", "", 1, "YAML reads `1` as a number"),
        BadSuite("null-key", "null: y\n" + _ONE_CASE, "suite.yaml", "", 1, "YAML reads `null` as null"),
        BadSuite(
            "bool-context-key",
            "context: {true: x}\n" + _ONE_CASE,
            "suite.yaml",
            "",
            1,
            "YAML reads `true` as a boolean",
        ),
        BadSuite("list-key", "cases:\n  - {? [a]: b, action: s3:GetObject}\n", "suite.yaml", "", 2, "not a list"),
        BadSuite(
            "expect-yes",
            "cases:\n  - action: s3:GetObject\n    resource: '*'\n    expect: yes\n",
            "suite.yaml",
            "cases[0].expect",
            4,
            "not the boolean true (YAML reads unquoted yes",
        ),
        BadSuite(
            "python-object-tag",
            "cases:\n  - !!python/object/apply:os.system ['echo pwned']\n",
            "suite.yaml",
            "",
            2,
            "could not determine a constructor",
        ),
        BadSuite(
            "bad-int-tag",
            "context: {a: !!int forty}\n" + _ONE_CASE,
            "suite.yaml",
            "",
            1,
            "'forty' is not a valid !!int",
        ),
        BadSuite(
            "bad-timestamp-tag",
            "context: {a: !!timestamp 2020-13-45}\n" + _ONE_CASE,
            "suite.yaml",
            "",
            1,
            "is not a valid !!timestamp",
        ),
        BadSuite(
            "empty-int-tag", "context: {a: !!int ''}\n" + _ONE_CASE, "suite.yaml", "", 1, "'' is not a valid !!int"
        ),
        BadSuite("bad-bool-tag", "context: {a: !!bool maybe}\n" + _ONE_CASE, "suite.yaml", "", 1, "not a valid !!bool"),
        BadSuite(
            "long-number",
            "context: {a: " + "9" * 5000 + "}\n" + _ONE_CASE,
            "suite.yaml",
            "",
            1,
            "a number of 5,000 digits",
        ),
        BadSuite("alias-bomb", _BOMB + _ONE_CASE, "suite.yaml", "", 7, "an alias bomb"),
        BadSuite(
            "recursive-alias", "cases: &a [*a]\n", "suite.yaml", "", 1, "refers to a list or mapping that contains"
        ),
        BadSuite("nul-character", "cases: []\n\0\n", "suite.yaml", "", 2, "U+0000 is not allowed"),
        BadSuite(
            "json-nan",
            '{"context": {"a": NaN},\n "cases": [{"action": "s3:GetObject", "resource": "*"}]}',
            "suite.json",
            "",
            1,
            "NaN is not a JSON value",
            suite_name="suite.json",
        ),
        BadSuite(
            "json-duplicate-key",
            '{"cases": [\n  {"action": "s3:GetObject", "resource": "*",\n'
            '   "expect": "allowed", "expect": "denied"}\n]}',
            "suite.json",
            "cases[0].expect",
            3,
            "the key 'expect' appears twice in one object",
            suite_name="suite.json",
        ),
        BadSuite(
            "json-too-deep",
            '{"cases": ' + "[" * 25_000 + "]" * 25_000 + "}",  # past the parser's limit on 3.10 to 3.13
            "suite.json",
            "",
            1,
            "nested 25,001 levels deep",
            suite_name="suite.json",
        ),
        BadSuite(
            "json-lone-surrogate",
            '{"cases": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/\\udc00"}]}',
            "suite.json",
            "",
            1,
            "half of a UTF-16 surrogate pair",
            suite_name="suite.json",
        ),
        BadSuite(
            "bad-suite-principal",
            "principal: alice\n" + _ONE_CASE,
            "suite.yaml",
            "principal",
            1,
            "principal 'alice' is not a caller IAM can authorize",
        ),
        BadSuite(
            "resource-not-an-arn",
            "cases:\n  - {action: s3:GetObject, resource: my-bucket}\n",
            "suite.yaml",
            "cases[0].resource",
            2,
            "resource 'my-bucket' is neither an ARN nor \"*\"",
        ),
        BadSuite(
            "empty-resource",
            "cases:\n  - {action: s3:GetObject, resource: ''}\n",
            "suite.yaml",
            "cases[0].resource",
            2,
            "not an empty string",
        ),
        BadSuite(
            "nul-in-policy-path",
            'policies: {identity: ["p.json\\0"]}\n' + _ONE_CASE,
            "suite.yaml",
            "policies.identity[0]",
            1,
            "may not contain a NUL character",
        ),
        BadSuite(
            "tagged-date-version",
            "policies:\n  identity:\n    - Version: !!timestamp 2012-10-17\n"
            "      Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]\n" + _ONE_CASE,
            "suite.yaml",
            "policies.identity[0].Version",
            3,
            "not the date 2012-10-17",
            error="PolicyError",
        ),
        BadSuite(
            "empty-policy-path",
            'policies: {identity: [""]}\n' + _ONE_CASE,
            "suite.yaml",
            "policies.identity[0]",
            1,
            "must be a non-empty string, not an empty string",
        ),
        BadSuite(
            "empty-context-key",
            'context: {"": x}\n' + _ONE_CASE,
            "suite.yaml",
            'context[""]',
            1,
            "must be a non-empty string, not an empty string",
        ),
        BadSuite(
            "source-bucket-policies-not-boolean",
            'sources: [{aws: null, bucket_policies: "yes"}]\n' + _ONE_CASE,
            "suite.yaml",
            "sources[0].bucket_policies",
            1,
            "`bucket_policies` must be true or false, not 'yes'",
        ),
        BadSuite(
            "source-region-not-string",
            "sources:\n  - cfn: template.yaml\n    region: [us-east-1]\n" + _ONE_CASE,
            "suite.yaml",
            "sources[0].region",
            3,
            "`region` must be an AWS region name like us-east-1, not a list",
        ),
        BadSuite(
            "source-parameters-not-mapping",
            "sources:\n  - cfn: template.yaml\n    parameters: [Env=prod]\n" + _ONE_CASE,
            "suite.yaml",
            "sources[0].parameters",
            3,
            "`parameters` must be a mapping of template parameters to values, not a list",
        ),
        BadSuite(
            "source-parameter-value-not-scalar",
            "sources:\n  - cfn: template.yaml\n    parameters:\n      Env: {name: prod}\n" + _ONE_CASE,
            "suite.yaml",
            "sources[0].parameters.Env",
            4,
            "the value of parameter 'Env' must be a string or number, not a mapping",
        ),
        BadSuite(
            "context-octal",
            "context: {aws:PrincipalAccount: 011122223333}\n" + _ONE_CASE,
            "suite.yaml",
            "context.aws:PrincipalAccount",
            1,
            "YAML reads 011122223333 as the number 1229530843",
        ),
        BadSuite(
            "json-context-exponent",
            '{"context": {"s3:max-keys": 1E3}, "cases": [{"action": "s3:GetObject", "resource": "*"}]}',
            "suite.json",
            "context.s3:max-keys",
            1,
            "JSON reads 1E3 as the number 1000.0",
            suite_name="suite.json",
        ),
        BadSuite(
            "context-hex",
            "context: {s3:max-keys: 0x10}\n" + _ONE_CASE,
            "suite.yaml",
            "context.s3:max-keys",
            1,
            "YAML reads 0x10 as the number 16",
        ),
        BadSuite(
            "context-underscore",
            "context: {s3:max-keys: 1_000}\n" + _ONE_CASE,
            "suite.yaml",
            "context.s3:max-keys",
            1,
            "YAML reads 1_000 as the number 1000",
        ),
        BadSuite(
            "context-sexagesimal",
            "context:\n  x:duration: 1:30\n" + _ONE_CASE,
            "suite.yaml",
            "context.x:duration",
            2,
            "YAML reads 1:30 as the number 90",
        ),
        BadSuite(
            "context-exponent-in-list",
            "context: {x:n: [1, 1.5e+3]}\n" + _ONE_CASE,
            "suite.yaml",
            "context.x:n[1]",
            1,
            "YAML reads 1.5e+3 as the number 1500.0",
        ),
        BadSuite(
            "resource-account-hex",
            "resource_account: 0x1b3b58a4c0d\n" + _ONE_CASE,
            "suite.yaml",
            "resource_account",
            1,
            "YAML reads 0x1b3b58a4c0d as the number",
        ),
        BadSuite(
            "policy-given-as-suite",
            '{"Version": "2012-10-17", "Statement": []}',
            "suite.yaml",
            "",
            1,
            "this is a policy document, not a suite",
        ),
    ]
)
