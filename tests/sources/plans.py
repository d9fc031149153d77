"""Terraform plan JSON for tests, built from Terraform's documented "JSON Output Format"
(developer.hashicorp.com/terraform/internals/json-format): ``format_version``, ``resource_changes`` with
``change.after``/``after_unknown``, ``prior_state`` for data sources read while planning, ``planned_values``
and ``configuration`` with per-module ``expressions`` and their ``references``.

No ``terraform`` binary with the AWS provider can be installed here (the provider comes only from the
Terraform registry), so plans are built by this module, field by field as the format page describes them.
``python -m tests.sources.plans`` writes the example plan in ``examples/sources/plan.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Module = tuple[tuple[str, "str | int | None"], ...]


def _key(index: str | int | None) -> str:
    if index is None:
        return ""
    return f"[{json.dumps(index)}]"


def module_address(module: Module) -> str:
    return ".".join(f"module.{name}{_key(key)}" for name, key in module)


def document(*statements: dict[str, Any]) -> str:
    """A policy document as Terraform holds it: JSON text (as ``jsonencode`` writes it)."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


class PlanBuilder:
    """Collects resource instances and their configuration; :meth:`build` gives the plan's JSON."""

    def __init__(self, *, format_version: str = "1.2", region: str | None = "us-east-1") -> None:
        self.format_version = format_version
        self.region = region
        self.changes: list[dict[str, Any]] = []
        self.prior: list[dict[str, Any]] = []
        self.planned: list[dict[str, Any]] = []
        self.config: dict[str, Any] = {"resources": [], "module_calls": {}}

    def resource(
        self,
        type_: str,
        name: str,
        values: dict[str, Any],
        *,
        unknown: dict[str, Any] | None = None,
        module: Module = (),
        index: str | int | None = None,
        expressions: dict[str, Any] | None = None,
        actions: tuple[str, ...] = ("create",),
        mode: str = "managed",
    ) -> str:
        """Add a resource instance (a resource change); returns its address. ``unknown`` is ``after_unknown``."""
        prefix = "data." if mode == "data" else ""
        local = f"{prefix}{type_}.{name}"
        module_text = module_address(module)
        address = f"{module_text}.{local}{_key(index)}" if module_text else f"{local}{_key(index)}"
        entry: dict[str, Any] = {
            "address": address,
            "mode": mode,
            "type": type_,
            "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": list(actions),
                "before": None,
                "after": None if actions == ("delete",) else values,
                "after_unknown": unknown or {},
                "before_sensitive": False,
                "after_sensitive": {},
            },
        }
        if module_text:
            entry["module_address"] = module_text
        if index is not None:
            entry["index"] = index
        self.changes.append(entry)
        self._configure(module, mode, type_, name, local=local, expressions=expressions)
        return address

    def data(
        self,
        type_: str,
        name: str,
        values: dict[str, Any],
        *,
        module: Module = (),
        expressions: dict[str, Any] | None = None,
    ) -> str:
        """A data source read while planning: in ``prior_state``, its values known."""
        local = f"data.{type_}.{name}"
        module_text = module_address(module)
        address = f"{module_text}.{local}" if module_text else local
        entry = {"address": address, "mode": "data", "type": type_, "name": name, "values": values}
        self.prior.append({"module": module_text, "resource": entry})
        self._configure(module, "data", type_, name, local=local, expressions=expressions)
        return address

    def _configure(
        self, module: Module, mode: str, type_: str, name: str, *, local: str, expressions: dict[str, Any] | None
    ) -> None:
        config = self.config
        for call, _ in module:
            config = config["module_calls"].setdefault(
                call, {"source": f"./modules/{call}", "module": {"resources": [], "module_calls": {}}}
            )["module"]
        if any(r["address"] == local for r in config["resources"]):
            return
        config["resources"].append(
            {
                "address": local,
                "mode": mode,
                "type": type_,
                "name": name,
                "provider_config_key": "aws",
                "expressions": expressions or {},
                "schema_version": 0,
            }
        )

    def build(self) -> dict[str, Any]:
        provider: dict[str, Any] = {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}
        if self.region:
            provider["expressions"] = {"region": {"constant_value": self.region}}
        modules: dict[str, list[dict[str, Any]]] = {}
        for item in self.prior:
            modules.setdefault(item["module"], []).append(item["resource"])
        root: dict[str, Any] = {"resources": modules.pop("", [])}
        if modules:
            root["child_modules"] = [{"address": name, "resources": rs} for name, rs in modules.items()]
        return {
            "format_version": self.format_version,
            "terraform_version": "1.9.8",
            "planned_values": {"root_module": {}},
            "resource_changes": self.changes,
            "prior_state": {"format_version": self.format_version, "values": {"root_module": root}},
            "configuration": {"provider_config": {"aws": provider}, "root_module": self.config},
        }


def ref(*references: str) -> dict[str, Any]:
    """A configuration expression that refers to ``references``."""
    return {"references": list(references)}


def const(value: Any) -> dict[str, Any]:
    return {"constant_value": value}


ACCOUNT = "111122223333"
GITHUB = "token.actions.githubusercontent.com"


def example_plan() -> dict[str, Any]:
    """The plan of examples/sources/plan.json: an application role with an inline policy, a boundary and a
    for_each policy whose key has a dot, a bucket and a queue with their policies, a bucket policy known
    only after apply, and a child module with a role GitHub Actions may assume."""
    plan = PlanBuilder()
    plan.data(
        "aws_caller_identity",
        "current",
        {"account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "id": ACCOUNT},
    )
    trust = document({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    plan.data("aws_iam_policy_document", "app_trust", {"json": trust, "minified_json": trust})
    plan.resource(
        "aws_iam_role",
        "app",
        {"name": "app", "path": "/", "assume_role_policy": trust, "max_session_duration": 3600},
        unknown={
            "arn": True,
            "id": True,
            "unique_id": True,
            "permissions_boundary": True,
            "inline_policy": True,
            "managed_policy_arns": True,
        },
        expressions={
            "name": const("app"),
            "assume_role_policy": ref(
                "data.aws_iam_policy_document.app_trust.json", "data.aws_iam_policy_document.app_trust"
            ),
            "permissions_boundary": ref("aws_iam_policy.boundary.arn", "aws_iam_policy.boundary"),
        },
    )
    plan.resource(
        "aws_iam_role_policy",
        "app",
        {
            "name": "app-work",
            "role": "app",
            "policy": document(
                {
                    "Sid": "ReadReports",
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::example-reports/*",
                },
                {
                    "Sid": "Jobs",
                    "Effect": "Allow",
                    "Action": "sqs:*",
                    "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs",
                },
            ),
        },
        unknown={"id": True},
        expressions={"role": ref("aws_iam_role.app.name", "aws_iam_role.app"), "name": const("app-work")},
    )
    plan.resource(
        "aws_iam_policy",
        "boundary",
        {
            "name": "app-boundary",
            "path": "/",
            "policy": document(
                {
                    "Sid": "Storage",
                    "Effect": "Allow",
                    "Action": ["s3:*", "sqs:SendMessage", "sqs:ReceiveMessage"],
                    "Resource": "*",
                }
            ),
        },
        unknown={"arn": True, "id": True, "policy_id": True},
        expressions={"name": const("app-boundary")},
    )
    plan.resource(
        "aws_iam_policy",
        "extra",
        {
            "name": "app-read.only",
            "path": "/",
            "policy": document(
                {
                    "Sid": "ListReports",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": "arn:aws:s3:::example-reports",
                }
            ),
        },
        index="read.only",
        unknown={"arn": True, "id": True, "policy_id": True},
        expressions={"name": ref("each.key")},
    )
    plan.resource(
        "aws_iam_role_policy_attachment",
        "extra",
        {"role": "app"},
        index="read.only",
        unknown={"id": True, "policy_arn": True},
        expressions={
            "role": ref("aws_iam_role.app.name", "aws_iam_role.app"),
            "policy_arn": ref("aws_iam_policy.extra", "each.key"),
        },
    )
    plan.resource(
        "aws_s3_bucket", "reports", {"bucket": "example-reports"}, unknown={"arn": True, "id": True, "policy": True}
    )
    plan.resource(
        "aws_s3_bucket_policy",
        "reports",
        {
            "bucket": "example-reports",
            "policy": document(
                {
                    "Sid": "AppReads",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::example-reports/*",
                },
                {
                    "Sid": "NoDeletes",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteObject",
                    "Resource": "arn:aws:s3:::example-reports/*",
                },
            ),
        },
        unknown={"id": True},
        expressions={"bucket": ref("aws_s3_bucket.reports.id", "aws_s3_bucket.reports")},
    )
    plan.resource(
        "aws_s3_bucket", "logs", {"bucket": "example-logs"}, unknown={"arn": True, "id": True, "policy": True}
    )
    plan.resource(
        "aws_s3_bucket_policy",
        "logs",
        {"bucket": "example-logs"},
        unknown={"id": True, "policy": True},
        expressions={
            "bucket": ref("aws_s3_bucket.logs.id", "aws_s3_bucket.logs"),
            "policy": ref("aws_s3_bucket.logs.arn", "aws_s3_bucket.logs"),
        },
    )
    plan.resource(
        "aws_sqs_queue", "jobs", {"name": "jobs"}, unknown={"arn": True, "id": True, "url": True, "policy": True}
    )
    plan.resource(
        "aws_sqs_queue_policy",
        "jobs",
        {
            "policy": document(
                {
                    "Sid": "OwnAccount",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sqs:*",
                    "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs",
                }
            )
        },
        unknown={"id": True, "queue_url": True},
        expressions={"queue_url": ref("aws_sqs_queue.jobs.url", "aws_sqs_queue.jobs")},
    )
    ci: Module = (("ci", None),)
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"
    deploy_trust = document(
        {
            "Sid": "GitHubMainBranch",
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{GITHUB}:aud": "sts.amazonaws.com",
                    f"{GITHUB}:sub": "repo:example-org/app:ref:refs/heads/main",
                }
            },
        }
    )
    plan.resource(
        "aws_iam_role",
        "deploy",
        {"name": "gha-deploy", "path": "/ci/", "assume_role_policy": deploy_trust},
        module=ci,
        unknown={"arn": True, "id": True, "unique_id": True, "inline_policy": True, "managed_policy_arns": True},
        expressions={"name": const("gha-deploy"), "path": const("/ci/"), "assume_role_policy": ref("local.trust")},
    )
    return plan.build()


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[2] / "examples" / "sources" / "plan.json"
    target.write_text(json.dumps(example_plan(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")
