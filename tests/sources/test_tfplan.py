"""tfplan: sources — Terraform's JSON plan format: instances by their fields, values known only after apply,
child modules, count and for_each, and links through the configuration's references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iam_tester.cli import main
from iam_tester.errors import SourceError
from iam_tester.sources import Inventory
from iam_tester.sources.tfplan.plan import module_calls

from .helpers import EXAMPLES, inventory, principal, statements
from .plans import ACCOUNT, PlanBuilder, const, document, example_plan, ref

PLAN = EXAMPLES / "plan.json"
ALLOW_S3 = document({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
TRUST = document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


def _read(tmp_path: Path, plan: dict[str, Any], **options: object) -> Inventory:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return inventory(f"tfplan:{path}", **options)


def _role(plan: PlanBuilder, name: str = "app", **fields: Any) -> str:
    values = {"name": name, "path": "/", "assume_role_policy": TRUST, **fields}
    return plan.resource("aws_iam_role", name, values, unknown={"arn": True, "id": True})


def test_example_is_built_from_the_documented_format() -> None:
    """examples/sources/plan.json is exactly what the plan builder (the documented format) makes."""
    assert json.loads(PLAN.read_text(encoding="utf-8")) == example_plan()


def test_example_plan_inventory() -> None:
    """The example's role gets its inline policy, its for_each policy (key with a dot) and its boundary, both
    linked through the configuration because their ARNs are known only after apply."""
    found = inventory(f"tfplan:{PLAN}")
    app = principal(found, "aws_iam_role.app")
    assert app.arn == f"arn:aws:iam::{ACCOUNT}:role/app"  # account from data.aws_caller_identity
    assert [(p.name, p.origin.id) for p in app.identity] == [
        ("app-work", "aws_iam_role_policy.app"),
        ("app-read.only", 'aws_iam_policy.extra["read.only"]'),
    ]
    assert app.boundary is not None
    assert app.boundary.origin.id == "aws_iam_policy.boundary"
    assert app.trust is not None
    assert statements(app.trust.document)[0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert app.unknown == ()


def test_child_module_role_has_its_path_in_the_arn() -> None:
    """A role in a child module keeps its module address as id and its path in the ARN."""
    deploy = principal(inventory(f"tfplan:{PLAN}"), "module.ci.aws_iam_role.deploy")
    assert deploy.arn == f"arn:aws:iam::{ACCOUNT}:role/ci/gha-deploy"
    assert deploy.arn is not None
    assert principal(inventory(f"tfplan:{PLAN}"), deploy.arn).id == deploy.id  # found by ARN too


def test_unknown_policy_is_reported_not_skipped() -> None:
    """A bucket policy known only after apply is listed as unknown, with its address and attribute."""
    found = inventory(f"tfplan:{PLAN}")
    assert [u.to_dict() for u in found.unknown] == [
        {"id": "aws_s3_bucket_policy.logs", "attribute": "policy", "why": "known only after apply"}
    ]
    logs = [r for r in found.resources if r.id == "aws_s3_bucket_policy.logs"]
    assert logs[0].policy is None
    assert logs[0].arn == "arn:aws:s3:::example-logs"


def test_queue_arn_through_the_configuration() -> None:
    """A queue policy whose queue_url is unknown is linked to the queue, whose ARN is built from its name."""
    found = inventory(f"tfplan:{PLAN}")
    (jobs,) = [r for r in found.resources if r.type == "AWS::SQS::Queue"]
    assert jobs.arn == f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
    assert jobs.covers(f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs")


def test_bucket_policy_covers_its_objects() -> None:
    """A bucket's policy covers the bucket and its objects, not another bucket with the same prefix."""
    (reports,) = [r for r in inventory(f"tfplan:{PLAN}").resources if r.id == "aws_s3_bucket_policy.reports"]
    assert reports.covers("arn:aws:s3:::example-reports/q1.csv")
    assert reports.covers("arn:aws:s3:::example-reports")
    assert not reports.covers("arn:aws:s3:::example-reports-old/q1.csv")


def test_account_option_and_missing_account(tmp_path: Path) -> None:
    """Without an account anywhere, a planned role's ARN is null and unknown, saying how to give it."""
    plan = PlanBuilder()
    _role(plan)
    found = _read(tmp_path, plan.build())
    app = principal(found, "aws_iam_role.app")
    assert app.arn is None
    assert [u.attribute for u in app.unknown] == ["arn"]
    assert "--account-id" in app.unknown[0].why
    with_account = _read(tmp_path, plan.build(), account="444455556666")
    assert principal(with_account, "aws_iam_role.app").arn == "arn:aws:iam::444455556666:role/app"


def test_generated_name_leaves_the_arn_unknown(tmp_path: Path) -> None:
    """A role named by name_prefix has no ARN until apply; its id still finds it."""
    plan = PlanBuilder()
    plan.resource(
        "aws_iam_role",
        "gen",
        {"name_prefix": "gen-", "path": "/", "assume_role_policy": TRUST},
        unknown={"name": True, "arn": True, "id": True},
    )
    app = principal(_read(tmp_path, plan.build(), account=ACCOUNT), "aws_iam_role.gen")
    assert app.arn is None
    assert "name_prefix" in app.unknown[0].why


def test_count_instances_link_to_the_same_index(tmp_path: Path) -> None:
    """A counted attachment referring to a counted policy with count.index links instance to instance."""
    plan = PlanBuilder()
    _role(plan)
    for i in range(2):
        action = f"s3:Action{i}"
        plan.resource(
            "aws_iam_policy",
            "p",
            {"name": f"p{i}", "path": "/", "policy": document({"Effect": "Allow", "Action": action, "Resource": "*"})},
            index=i,
            unknown={"arn": True},
        )
        plan.resource(
            "aws_iam_role_policy_attachment",
            "a",
            {"role": "app"},
            index=i,
            unknown={"policy_arn": True},
            expressions={"policy_arn": ref("aws_iam_policy.p", "count.index")},
        )
    app = principal(_read(tmp_path, plan.build(), account=ACCOUNT), "aws_iam_role.app")
    assert [p.origin.id for p in app.identity] == ["aws_iam_policy.p[0]", "aws_iam_policy.p[1]"]


def test_ambiguous_reference_is_unknown(tmp_path: Path) -> None:
    """A reference to a resource with several instances, without a key to choose one, stays unknown."""
    plan = PlanBuilder()
    _role(plan)
    for i in range(2):
        plan.resource("aws_iam_policy", "p", {"name": f"p{i}", "path": "/", "policy": ALLOW_S3}, index=i)
    plan.resource(
        "aws_iam_role_policy_attachment",
        "a",
        {"role": "app"},
        unknown={"policy_arn": True},
        expressions={"policy_arn": ref("aws_iam_policy.p", "var.which")},
    )
    app = principal(_read(tmp_path, plan.build(), account=ACCOUNT), "aws_iam_role.app")
    assert app.identity == ()
    assert [(u.id, u.attribute) for u in app.unknown] == [("aws_iam_role_policy_attachment.a", "policy_arn")]
    assert "2 instances" in app.unknown[0].why


def test_module_for_each_keys_with_dots(tmp_path: Path) -> None:
    """Module instances keyed with dots keep their addresses whole, and references resolve inside them."""
    assert module_calls('module.a["x.y"].module.b[0]') == ("a", "b")
    plan = PlanBuilder()
    for key in ("team.one", "team.two"):
        module = (("team", key),)
        plan.resource(
            "aws_iam_role", "r", {"name": f"r-{key}", "path": "/", "assume_role_policy": TRUST}, module=module
        )
        plan.resource(
            "aws_iam_policy",
            "p",
            {"name": f"p-{key}", "path": "/", "policy": ALLOW_S3},
            module=module,
            unknown={"arn": True},
        )
        plan.resource(
            "aws_iam_role_policy_attachment",
            "a",
            {"role": f"r-{key}"},
            module=module,
            unknown={"policy_arn": True},
            expressions={"policy_arn": ref("aws_iam_policy.p.arn", "aws_iam_policy.p")},
        )
    found = _read(tmp_path, plan.build(), account=ACCOUNT)
    role = principal(found, 'module.team["team.one"].aws_iam_role.r')
    assert [p.origin.id for p in role.identity] == ['module.team["team.one"].aws_iam_policy.p']


def test_group_policies_reach_users(tmp_path: Path) -> None:
    """A user gets the inline and attached policies of the groups it is a member of."""
    plan = PlanBuilder()
    plan.resource("aws_iam_user", "alice", {"name": "alice", "path": "/"})
    plan.resource("aws_iam_group", "devs", {"name": "devs", "path": "/"})
    plan.resource("aws_iam_group_policy", "devs", {"name": "devs-s3", "group": "devs", "policy": ALLOW_S3})
    plan.resource(
        "aws_iam_group_policy_attachment",
        "ro",
        {"group": "devs", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
    )
    plan.resource("aws_iam_user_group_membership", "alice", {"user": "alice", "groups": ["devs"]})
    alice = principal(_read(tmp_path, plan.build(), account=ACCOUNT), "aws_iam_user.alice")
    assert [(p.name, p.kind.value) for p in alice.identity] == [("devs-s3", "group")]
    assert [(u.id, u.attribute) for u in alice.unknown] == [("aws_iam_group_policy_attachment.ro", "policy_arn")]
    assert "ReadOnlyAccess" in alice.unknown[0].why


def test_deferred_policy_document_data_source(tmp_path: Path) -> None:
    """A role policy built by a policy document read only during apply is unknown, naming the data source."""
    plan = PlanBuilder()
    _role(plan)
    plan.resource("aws_iam_policy_document", "late", {}, mode="data", actions=("read",), unknown={"json": True})
    plan.resource(
        "aws_iam_role_policy",
        "late",
        {"name": "late", "role": "app"},
        unknown={"policy": True},
        expressions={"policy": ref("data.aws_iam_policy_document.late.json", "data.aws_iam_policy_document.late")},
    )
    app = principal(_read(tmp_path, plan.build(), account=ACCOUNT), "aws_iam_role.app")
    assert [(u.id, u.attribute) for u in app.unknown] == [("aws_iam_role_policy.late", "policy")]
    assert "data.aws_iam_policy_document.late" in app.unknown[0].why


def test_inline_policy_blocks_and_managed_policy_arns(tmp_path: Path) -> None:
    """inline_policy blocks and managed_policy_arns set on the role are read; unset, they are ignored."""
    plan = PlanBuilder()
    plan.resource(
        "aws_iam_role",
        "app",
        {
            "name": "app",
            "path": "/",
            "assume_role_policy": TRUST,
            "inline_policy": [{"name": "blk", "policy": ALLOW_S3}],
            "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        },
        expressions={
            "inline_policy": [{"name": const("blk")}],
            "managed_policy_arns": const(["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
        },
    )
    plan.resource(
        "aws_iam_role",
        "other",
        {
            "name": "other",
            "path": "/",
            "assume_role_policy": TRUST,
            "inline_policy": [{"name": "x", "policy": ALLOW_S3}],
        },
        unknown={"managed_policy_arns": True},
    )
    found = _read(tmp_path, plan.build(), account=ACCOUNT)
    app = principal(found, "aws_iam_role.app")
    assert [(p.name, p.origin.attribute) for p in app.identity] == [("blk", "inline_policy[0].policy")]
    assert [u.attribute for u in app.unknown] == ["managed_policy_arns[0]"]
    other = principal(found, "aws_iam_role.other")
    assert other.identity == ()
    assert other.unknown == ()


def test_lambda_permissions_make_the_functions_policy(tmp_path: Path) -> None:
    """aws_lambda_permission resources become statements of their function's one resource policy."""
    plan = PlanBuilder()
    for sid, principal_, source in (("s3", "s3.amazonaws.com", "arn:aws:s3:::uploads"), ("acct", "444455556666", None)):
        values = {
            "statement_id": sid,
            "action": "lambda:InvokeFunction",
            "function_name": "worker",
            "principal": principal_,
        }
        if source:
            values["source_arn"] = source
        plan.resource("aws_lambda_permission", sid, values)
    found = _read(tmp_path, plan.build(), account=ACCOUNT)
    (function,) = found.resources
    assert function.arn == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker"
    assert function.policy is not None
    first, second = statements(function.policy.document)
    assert first["Principal"] == {"Service": "s3.amazonaws.com"}
    assert first["Condition"] == {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}}
    assert second["Principal"] == {"AWS": "arn:aws:iam::444455556666:root"}
    assert function.covers(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker:live")


def test_kms_key_policy_has_an_unknown_arn(tmp_path: Path) -> None:
    """A new KMS key's policy is read, but its ARN is AWS's choice: null, and unknown."""
    plan = PlanBuilder()
    key_policy = document(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
    )
    plan.resource(
        "aws_kms_key",
        "data",
        {"policy": key_policy},
        unknown={"arn": True, "key_id": True},
        expressions={"policy": ref("local.p")},
    )
    (key,) = _read(tmp_path, plan.build(), account=ACCOUNT).resources
    assert key.arn is None
    assert key.policy is not None
    assert [u.attribute for u in key.unknown] == ["arn"]


def test_deleted_resources_are_gone(tmp_path: Path) -> None:
    """A role the plan deletes is not in the inventory."""
    plan = PlanBuilder()
    plan.resource("aws_iam_role", "old", {"name": "old"}, actions=("delete",))
    assert _read(tmp_path, plan.build(), account=ACCOUNT).principals == ()


_PLANNED = '{{"format_version": "1.2", "planned_values": {{"root_module": {}}}}}'
_NO_MODE = '{"resources": [{"address": "aws_iam_role.r", "type": "aws_iam_role", "name": "r", "values": {}}]}'
_NO_VALUES = '{"resources": [{"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r"}]}'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format_version": "1.2", "resource_changes": [', "not valid JSON"),
        ('{"format_version": "2.0", "resource_changes": []}', 'format_version is "2.0"'),
        ('{"resource_changes": []}', "has no `format_version`"),
        ('{"format_version": "1.2", "resource_changes": [{"change": {"after": {}}}]}', "has no `address`"),
        ('{"format_version": "1.2"}', "no resource_changes, planned_values or values"),
        (_PLANNED.format('{"resources": "x"}'), "planned_values.root_module.resources: `resources` must be a list"),
        (_PLANNED.format('{"resources": ["x"]}'), "root_module.resources[0]: a resource must be an object"),
        (_PLANNED.format('{"resources": [{"values": {}}]}'), "root_module.resources[0]: the resource has no `address`"),
        (_PLANNED.format(_NO_MODE), "root_module.resources[0]: the resource has no `mode`"),
        (_PLANNED.format(_NO_VALUES), "root_module.resources[0]: a resource's values must be an object"),
        (_PLANNED.format('"x"'), "planned_values.root_module: a module must be an object"),
        (_PLANNED.format('{"child_modules": "x"}'), "root_module.child_modules: `child_modules` must be a list"),
        (_PLANNED.format('{"child_modules": [{"resources": "x"}]}'), "child_modules[0].resources: `resources` must"),
    ],
    ids=[
        "truncated",
        "another-major",
        "no-version",
        "no-address",
        "empty",
        "root-resources-not-a-list",
        "root-resource-not-an-object",
        "root-resource-without-address",
        "root-resource-without-mode",
        "root-resource-without-values",
        "root-module-not-an-object",
        "child-modules-not-a-list",
        "child-resources-not-a-list",
    ],
)
def test_hostile_plans_exit_2(tmp_path: Path, content: str, message: str) -> None:
    """A plan that cannot be read exits 2 naming the file and the problem."""
    path = tmp_path / "plan.json"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", f"tfplan:{path}"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "plan.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_policy_text_is_located(tmp_path: Path) -> None:
    """A policy attribute that is not JSON is reported at its address, attribute and line."""
    plan = PlanBuilder()
    plan.resource("aws_iam_role", "app", {"name": "app", "path": "/", "assume_role_policy": "{not json"})
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan.build(), indent=2), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        inventory(f"tfplan:{path}", account=ACCOUNT)
    assert "aws_iam_role.app assume_role_policy is not JSON" in caught.value.message
    line = caught.value.location.line
    assert line is not None
    assert "assume_role_policy" in path.read_text(encoding="utf-8").splitlines()[line - 1]
