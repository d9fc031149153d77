"""``iam-tester explain``: AWS's decision for one request and, statement by statement, why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._common import console_for, reported_errors
from ._options import POLICY_FILE, check_account_id, format_option
from ._policies import load_level, load_policy, scp_options

if TYPE_CHECKING:
    from ..engine import Evaluation, Request

__all__ = ["explain"]

# Kept here (not imported) so `explain --help` stays cheap; a test pins it to the suite default.
DEFAULT_PRINCIPAL = "arn:aws:iam::111122223333:role/iam-tester"


def _context_pairs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str | list[str]]:
    """``KEY=VALUE`` pairs as a context; a key given again (in any case) becomes a multi-valued key."""
    del ctx
    context: dict[str, str | list[str]] = {}
    spelling: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE (e.g. aws:SourceIp=203.0.113.9)", param=param)
        first = spelling.setdefault(key.lower(), key)
        if first not in context:
            context[first] = value
            continue
        previous = context[first]
        context[first] = [*previous, value] if isinstance(previous, list) else [previous, value]
    return context


def _request_part(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Check --action, --resource and --principal with the evaluator's own rules, naming the option."""
    del ctx
    from ..engine.principals import parse_request_principal
    from ..engine.requests import checked_action, checked_resource
    from ..errors import InvalidArgumentError

    check: dict[str, Callable[[str], object]] = {
        "action": checked_action,
        "resource": checked_resource,
        "principal": parse_request_principal,
    }
    try:
        check[str(param.name)](value)
    except InvalidArgumentError as exc:
        raise click.BadParameter(f"{exc.message} ({exc.hint})" if exc.hint else exc.message, param=param) from None
    return value


@click.command("explain")
@click.option(
    "--policy", "policies", multiple=True, type=POLICY_FILE, metavar="FILE", help="An identity policy (repeat)."
)
@click.option("--boundary", type=POLICY_FILE, metavar="FILE", help="The permissions boundary.")
@click.option("--session-policy", type=POLICY_FILE, metavar="FILE", help="The session policy.")
@click.option("--resource-policy", type=POLICY_FILE, metavar="FILE", help="The resource's policy (bucket policy, ...).")
@scp_options
@click.option("--action", required=True, callback=_request_part, help="The action, e.g. s3:GetObject.")
@click.option("--resource", required=True, callback=_request_part, help='The resource ARN, or "*".')
@click.option(
    "--principal",
    default=DEFAULT_PRINCIPAL,
    show_default=True,
    callback=_request_part,
    help="Who asks (an ARN or account ID).",
)
@click.option(
    "--resource-account",
    callback=check_account_id,
    help="The account owning the resource (default: from the ARN, else the principal's).",
)
@click.option(
    "--context",
    "context",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_context_pairs,
    help="A request context value; repeat a key for a multi-valued key.",
)
@format_option("text", "json", help="text: a tree of the reasons; json: the request and the explanation as data.")
def explain(
    *,
    policies: tuple[Path, ...],
    boundary: Path | None,
    session_policy: Path | None,
    resource_policy: Path | None,
    scps: tuple[str, ...],
    rcps: tuple[str, ...],
    action: str,
    resource: str,
    principal: str,
    resource_account: str | None,
    context: dict[str, str | list[str]],
    output_format: str,
) -> None:
    """Decide one request as AWS would, offline, and show why: every policy type, every statement,
    and for a statement that did not apply, what failed to match.

    Give at least one policy (any of the FILE options, each a JSON policy document checked as its
    kind) and the request: --action and --resource, optionally who asks and the context.

    \b
    Examples:
      iam-tester explain --policy examples/policies/list-except-infra.json \\
          --action s3:ListBucket --resource arn:aws:s3:::platform-infra
      iam-tester explain --policy dev.json --boundary boundary.json --action s3:GetObject \\
          --resource arn:aws:s3:::reports/q1.csv --context aws:SourceIp=203.0.113.9 --format json
    Exit status: 0 decided (whatever the decision: use `check` to assert one), 2 invalid policy,
    request or usage (a message naming the file and line, or the option).
    """
    if not (policies or boundary or session_policy or resource_policy or scps or rcps):
        raise click.UsageError("give at least one policy (--policy, --resource-policy, ...)")
    with reported_errors():
        from ..engine import PolicySet, Request
        from ..policy import PolicyKind

        policy_set = PolicySet.compile(
            identity=[load_policy(p, PolicyKind.IDENTITY) for p in policies],
            boundary=load_policy(boundary, PolicyKind.BOUNDARY) if boundary else None,
            session=load_policy(session_policy, PolicyKind.SESSION) if session_policy else None,
            resource=load_policy(resource_policy, PolicyKind.RESOURCE) if resource_policy else None,
            scps=[load_level(level, PolicyKind.SCP) for level in scps],
            rcps=[load_level(level, PolicyKind.RCP) for level in rcps],
        )
        request = Request(action, resource, principal, resource_account=resource_account, context=context)
        evaluation = policy_set.evaluate(request)
        if output_format == "json":
            click.echo(json.dumps(_json(request, evaluation), indent=2))
        else:
            from ..engine.tree import explanation_tree

            console_for().print(explanation_tree(request, evaluation.explain()))


def _json(request: Request, evaluation: Evaluation) -> dict[str, object]:
    return {
        "request": {
            "action": request.action,
            "resource": request.resource,
            "principal": request.principal,
            "resourceAccount": request.resource_account,
            "context": dict(request.context),
        },
        **evaluation.explain().to_dict(),
    }
