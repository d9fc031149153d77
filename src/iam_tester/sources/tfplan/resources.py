"""Resource-based policies in a plan, each with the ARN of the resource it is attached to.

A policy resource names its resource by name, URL or ARN (``aws_s3_bucket_policy.bucket``,
``aws_sqs_queue_policy.queue_url``, ``aws_sns_topic_policy.arn`` ...); when that value is known only after
apply, the configuration's reference leads to the resource, whose ARN is built from its name where AWS's
ARN format allows it (a bucket, a queue or topic with the account and region known), and is otherwise
unknown (a KMS key's ID is chosen by AWS). A policy that is an optional, computed attribute of the resource
itself (``aws_s3_bucket.policy``, ``aws_kms_key.policy`` ...) is read only when the configuration sets it: an
unset one is the service's default (a KMS key's default policy delegates to the account's IAM policies).
Lambda permissions are assembled into their function's policy (:mod:`..lambda_permissions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...policy.model import PolicyKind
from ..arns import queue_arn
from ..inventory import Origin, SourcePolicy, SourceResource, Unknown
from ..lambda_permissions import permission_statement, policy_of
from .documents import Documents, PlanContext
from .plan import UNKNOWN_AFTER_APPLY, Instance, Plan

__all__ = ["read_resources"]

ArnOf = Callable[[Instance, PlanContext], "str | None"]


def _regional(context: PlanContext, service: str, resource: str | None) -> str | None:
    if resource is None or context.region is None or context.account is None:
        return None
    return f"arn:{context.partition}:{service}:{context.region}:{context.account}:{resource}"


def _bucket(instance: Instance, context: PlanContext) -> str | None:
    name = instance.text("bucket")
    return f"arn:{context.partition}:s3:::{name}" if name else None


def _queue_url(instance: Instance, context: PlanContext) -> str | None:
    return queue_arn(instance.text("queue_url") or "", context.partition)


def _own_arn(regional: tuple[str, str] | None = None) -> ArnOf:
    """The resource's own ``arn``, or one built from its name (``(service, name attribute)``)."""

    def arn_of(instance: Instance, context: PlanContext) -> str | None:
        known = instance.text("arn")
        if known is not None or regional is None:
            return known
        name = instance.text(regional[1])
        prefix = "repository/" if regional[0] == "ecr" else "function:" if regional[0] == "lambda" else ""
        return _regional(context, regional[0], f"{prefix}{name}" if name else None)

    return arn_of


def _attribute_arn(attribute: str, service: str, prefix: str) -> ArnOf:
    """An attribute that holds the ARN, or an ID or name the ARN is built from."""

    def arn_of(instance: Instance, context: PlanContext) -> str | None:
        value = instance.text(attribute)
        if value is None or value.startswith("arn:"):
            return value
        return _regional(context, service, f"{prefix}{value}")

    return arn_of


@dataclass(frozen=True)
class _Kind:
    cfn_type: str
    arn: ArnOf
    target: str | None = None  # the attribute that names the resource (None: the policy is the resource's own)
    targets: dict[str, ArnOf] = field(default_factory=dict)


_QUEUE = _own_arn(("sqs", "name"))
_TOPIC = _own_arn(("sns", "name"))
_KIND_TABLE = {
    "aws_s3_bucket_policy": _Kind("AWS::S3::Bucket", _bucket, "bucket", {"aws_s3_bucket": _bucket}),
    "aws_s3_bucket": _Kind("AWS::S3::Bucket", _bucket),
    "aws_sqs_queue_policy": _Kind("AWS::SQS::Queue", _queue_url, "queue_url", {"aws_sqs_queue": _QUEUE}),
    "aws_sqs_queue": _Kind("AWS::SQS::Queue", _QUEUE),
    "aws_sns_topic_policy": _Kind("AWS::SNS::Topic", _own_arn(), "arn", {"aws_sns_topic": _TOPIC}),
    "aws_sns_topic": _Kind("AWS::SNS::Topic", _TOPIC),
    "aws_kms_key": _Kind("AWS::KMS::Key", _own_arn()),
    "aws_kms_key_policy": _Kind(
        "AWS::KMS::Key", _attribute_arn("key_id", "kms", "key/"), "key_id", {"aws_kms_key": _own_arn()}
    ),
    "aws_secretsmanager_secret_policy": _Kind(
        "AWS::SecretsManager::Secret",
        _attribute_arn("secret_arn", "secretsmanager", "secret:"),
        "secret_arn",
        {"aws_secretsmanager_secret": _own_arn()},
    ),
    "aws_ecr_repository_policy": _Kind(
        "AWS::ECR::Repository",
        _attribute_arn("repository", "ecr", "repository/"),
        "repository",
        {"aws_ecr_repository": _own_arn(("ecr", "name"))},
    ),
}
_FUNCTION = _own_arn(("lambda", "function_name"))


def read_resources(plan: Plan, documents: Documents, context: PlanContext) -> list[SourceResource]:
    """Every resource-based policy in ``plan``."""
    found: list[SourceResource] = []
    for instance in plan.of_type(*_KIND_TABLE):
        kind = _KIND_TABLE[instance.type]
        if kind.target is None and plan.configured(instance, "policy") is False:
            continue  # the service's default policy, reflected by the provider (see the module's docstring)
        policy = documents.policy(instance, ("policy",), PolicyKind.RESOURCE, instance.address)
        if policy is None:
            continue
        arn, why = _arn(plan, instance, kind, context)
        unknown: list[Unknown] = []
        if arn is None:
            unknown.append(Unknown(instance.address, kind.target or "arn", why, context.source))
        if isinstance(policy, Unknown):
            unknown.append(policy)
            policy = None
        found.append(
            SourceResource(
                instance.address, arn, kind.cfn_type, policy, tuple(unknown), context.source, account=context.account
            )
        )
    found.extend(_lambda_policies(plan, context))
    return found


def _arn(plan: Plan, instance: Instance, kind: _Kind, context: PlanContext) -> tuple[str | None, str]:
    arn = kind.arn(instance, context)
    if arn is not None:
        return arn, ""
    attribute = kind.target or "arn"
    if kind.target is not None and instance.unknown(kind.target):
        linked = plan.referenced(instance, kind.target, tuple(kind.targets))
        if isinstance(linked, Instance):
            arn = kind.targets[linked.type](linked, context)
            if arn is not None:
                return arn, ""
            return None, _why(linked, context)
        return None, f"{UNKNOWN_AFTER_APPLY}, and {linked}"
    if instance.unknown(attribute):
        return None, _why(instance, context)
    return None, context.missing_account() if context.account is None else "the region is not in the plan: give it"


def _why(instance: Instance, context: PlanContext) -> str:
    if context.account is None and instance.unknown("arn"):
        return f"{UNKNOWN_AFTER_APPLY} ({instance.address}); {context.missing_account()}"
    return f"{UNKNOWN_AFTER_APPLY}: {instance.address} gets its ARN from AWS"


def _lambda_policies(plan: Plan, context: PlanContext) -> list[SourceResource]:
    """One policy per function (or qualified function), from its ``aws_lambda_permission`` s."""
    functions: dict[str, tuple[str, list[dict[str, Any]], list[Instance]]] = {}
    found: list[SourceResource] = []
    for instance in plan.of_type("aws_lambda_permission"):
        arn = _attribute_arn("function_name", "lambda", "function:")(instance, context)
        holder = instance.address
        if arn is None and instance.unknown("function_name"):
            linked = plan.referenced(instance, "function_name", ("aws_lambda_function",))
            if isinstance(linked, Instance):
                holder, arn = linked.address, _FUNCTION(linked, context)
        values = {key: instance.text(key) for key in ("statement_id", "action", "principal", "qualifier")}
        if arn is None or any(instance.unknown(key) for key in ("action", "principal", "source_arn", "source_account")):
            why = UNKNOWN_AFTER_APPLY if arn is not None else f"{UNKNOWN_AFTER_APPLY}: the function's ARN is not known"
            gap = Unknown(instance.address, "function_name" if arn is None else "policy", why, context.source)
            found.append(SourceResource(instance.address, arn, "AWS::Lambda::Function", None, (gap,), context.source))
            continue
        if values["qualifier"]:
            arn = f"{arn}:{values['qualifier']}"
        statement = permission_statement(
            sid=values["statement_id"] or instance.address,
            action=values["action"] or "lambda:InvokeFunction",
            principal=values["principal"] or "*",
            resource=arn,
            source_arn=instance.text("source_arn"),
            source_account=instance.text("source_account"),
            principal_org_id=instance.text("principal_org_id"),
            function_url_auth_type=instance.text("function_url_auth_type"),
        )
        entry = functions.setdefault(arn, (holder, [], []))
        entry[1].append(statement)
        entry[2].append(instance)
    for arn, (holder, statements, instances) in functions.items():
        origin = Origin(
            context.source,
            plan.display,
            holder,
            "policy (from aws_lambda_permission)",
            instances[0].parts,
            True,
            plan.source_map,
        )
        policy = SourcePolicy(name=holder, kind=PolicyKind.RESOURCE, document=policy_of(statements), origin=origin)
        found.append(SourceResource(holder, arn, "AWS::Lambda::Function", policy, (), context.source))
    return found
