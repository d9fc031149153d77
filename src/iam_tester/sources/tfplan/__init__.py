"""``tfplan:`` — the JSON of ``terraform show -json PLAN``: roles, users, groups and their policies
(:mod:`.iam`), resource-based policies (:mod:`.resources`), read from the plan's instances and linked through
its configuration (:mod:`.plan`). Values known only after apply are unknowns, never guesses.

ARNs of planned principals are built from their path and name with the account: the ``account`` option, or
an ``aws_caller_identity`` data source the plan read. The region (for regional ARNs) is the ``region``
option, the ``aws`` provider's constant ``region``, or an ``aws_region`` data source.
"""

from __future__ import annotations

from ...policy.sourcemap import SourceMap
from ..build import SourceDraft
from ..files import read_json_file
from ..spec import SourceSpec, partition_of
from .documents import Documents, PlanContext
from .iam import read_iam
from .plan import Plan
from .resources import read_resources

__all__ = ["plan_draft", "read_tfplan"]


def read_tfplan(spec: SourceSpec) -> SourceDraft:
    """Read a plan file."""
    data, source_map = read_json_file(spec.file, spec.display, "Terraform plan JSON")
    return plan_draft(data, spec, source_map)


def plan_draft(data: object, spec: SourceSpec, source_map: SourceMap) -> SourceDraft:
    plan = Plan(data, spec.display, source_map)
    context = _context(plan, spec)
    documents = Documents(plan, context)
    iam = read_iam(plan, documents, context)
    resources = read_resources(plan, documents, context)
    found = {id(policy) for policy in documents.found}
    synthesized = [r.policy for r in resources if r.policy is not None and id(r.policy) not in found]
    return SourceDraft(
        source=str(spec),
        principals=tuple(iam.principals),
        resources=tuple(resources),
        managed_by_arn=iam.managed_by_arn,
        managed_by_key=iam.managed_by_key,
        managed_unknown=iam.managed_unknown,
        unplaced=tuple(iam.unplaced),
        policies=(*documents.found, *synthesized),
    )


def _context(plan: Plan, spec: SourceSpec) -> PlanContext:
    account = spec.account
    if account is None:
        account = next((i.text("account_id") for i in plan.of_type("aws_caller_identity", mode="data")), None)
    region = spec.region or _provider_region(plan)
    if region is None:
        region = next((i.text("name") or i.text("region") for i in plan.of_type("aws_region", mode="data")), None)
    partition = next((i.text("partition") for i in plan.of_type("aws_partition", mode="data")), None)
    return PlanContext(str(spec), account, region, partition or partition_of(region))


def _provider_region(plan: Plan) -> str | None:
    configuration = plan.data.get("configuration")
    providers = configuration.get("provider_config") if isinstance(configuration, dict) else None
    aws = providers.get("aws") if isinstance(providers, dict) else None
    expressions = aws.get("expressions") if isinstance(aws, dict) else None
    region = expressions.get("region") if isinstance(expressions, dict) else None
    value = region.get("constant_value") if isinstance(region, dict) else None
    return value if isinstance(value, str) and value else None
