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
    from ..policy import PolicyKind
    from ..policy.request_checks import RequestProblem

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
@click.option(
    "--trust-policy",
    type=POLICY_FILE,
    metavar="FILE",
    help="The role's trust policy, for sts:AssumeRole* on the role (it is the role's resource policy).",
)
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
@click.option(
    "--no-catalog",
    is_flag=True,
    help="Do not check the request against the IAM catalog (an unknown action, a resource of a type the action "
    "does not take, a context key its requests never carry).",
)
@format_option(
    "text",
    "json",
    help="text: a tree of the reasons (warnings on stderr); json: the request, the explanation and the warnings "
    "as data.",
)
def explain(
    *,
    policies: tuple[Path, ...],
    boundary: Path | None,
    session_policy: Path | None,
    resource_policy: Path | None,
    trust_policy: Path | None,
    scps: tuple[str, ...],
    rcps: tuple[str, ...],
    action: str,
    resource: str,
    principal: str,
    resource_account: str | None,
    context: dict[str, str | list[str]],
    no_catalog: bool,
    output_format: str,
) -> None:
    """Decide one request as AWS would, offline, and show why: every policy type, every statement,
    and for a statement that did not apply, what failed to match.

    Give at least one policy (any of the FILE options, each a JSON policy document checked as its
    kind) and the request: --action and --resource, optionally who asks and the context.

    The request is checked against the IAM catalog: an action that does not exist, a resource of a type
    the action does not take, or a context key its requests never carry is a request AWS never makes, and
    draws a warning (the decision is still shown).

    \b
    Examples:
      iam-tester explain --policy examples/policies/list-except-infra.json \\
          --action s3:ListBucket --resource arn:aws:s3:::platform-infra
      iam-tester explain --policy dev.json --boundary boundary.json --action s3:GetObject \\
          --resource arn:aws:s3:::reports/q1.csv --context aws:SourceIp=203.0.113.9 --format json
    Exit status: 0 decided (whatever the decision: use `check` to assert one), 2 invalid policy,
    request or usage (a message naming the file and line, or the option).
    """
    if not (policies or boundary or session_policy or resource_policy or trust_policy or scps or rcps):
        raise click.UsageError("give at least one policy (--policy, --resource-policy, ...)")
    if trust_policy is not None:
        from ..engine import TRUST_ACTIONS

        if resource_policy is not None:
            raise click.UsageError(
                "a role's trust policy is its resource policy: give --trust-policy or --resource-policy"
            )
        if action.lower() not in TRUST_ACTIONS:
            raise click.UsageError(
                f"a trust policy decides only {', '.join(sorted(TRUST_ACTIONS))} on its role, not {action}"
            )
    with reported_errors():
        from ..engine import PolicySet, Request
        from ..policy import PolicyKind

        resource_document = None
        if resource_policy is not None:
            resource_document = load_policy(resource_policy, PolicyKind.RESOURCE, elsewhere=_option_for)
        elif trust_policy is not None:
            resource_document = load_policy(trust_policy, PolicyKind.TRUST, elsewhere=_option_for)
        policy_set = PolicySet.compile(
            identity=[load_policy(p, PolicyKind.IDENTITY, elsewhere=_option_for) for p in policies],
            boundary=load_policy(boundary, PolicyKind.BOUNDARY) if boundary else None,
            session=load_policy(session_policy, PolicyKind.SESSION) if session_policy else None,
            resource=resource_document,
            scps=[load_level(level, PolicyKind.SCP) for level in scps],
            rcps=[load_level(level, PolicyKind.RCP) for level in rcps],
        )
        request = Request(action, resource, principal, resource_account=resource_account, context=context)
        evaluation = policy_set.evaluate(request)
        problems = [] if no_catalog else _problems(request)
        if output_format == "json":
            click.echo(json.dumps(_json(request, evaluation, problems), indent=2))
        else:
            from ..engine.tree import explanation_tree

            for problem in problems:
                click.echo(f"warning [{problem.code}] {_option(problem)}: {problem.message}", err=True)
            console_for().print(explanation_tree(request, evaluation.explain()))


def _option_for(kind: PolicyKind) -> str | None:
    """Where ``explain`` takes a document of ``kind`` (for the hint on a document given in the wrong slot)."""
    options = {"identity": "--policy", "resource": "--resource-policy", "trust": "--trust-policy"}
    option = options.get(kind.value)
    return f"give it with {option}" if option else None


def _problems(request: Request) -> list[RequestProblem]:
    """What makes ``request`` one AWS never sends (policy/request_checks.py, as `check` does for each case)."""
    from ..policy.catalog import get_catalog
    from ..policy.request_checks import RequestChecker

    return RequestChecker(get_catalog()).problems(request.action, request.resource, tuple(request.context))


def _option(problem: RequestProblem) -> str:
    """The option that wrote the part ``problem`` is about."""
    return f"--context {problem.key}" if problem.key is not None else f"--{problem.part}"


def _json(request: Request, evaluation: Evaluation, problems: list[RequestProblem]) -> dict[str, object]:
    return {
        "request": {
            "action": request.action,
            "resource": request.resource,
            "principal": request.principal,
            "resourceAccount": request.resource_account,
            "context": dict(request.context),
        },
        **evaluation.explain().to_dict(),
        "warnings": [
            {"code": problem.code, "message": problem.message, "option": _option(problem)} for problem in problems
        ],
    }
