"""``iam-tester check``: decide every case of one or more suites offline and report against expectations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from ._common import console_for, output_stream, reported_errors

if TYPE_CHECKING:
    from ..suite.results import RunResult

__all__ = ["check"]


@click.command("check")
@click.argument("suites", nargs=-1, required=True, metavar="SUITE...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "junit"]),
    default="text",
    show_default=True,
    help="text: a table per suite, failures explained in full; json: one object for tools; junit: XML for CI.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of stdout; the summary line then goes to stderr.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1) on any warning: a policy's (a typo'd action, a public grant) or a case's (a request AWS "
    "never makes). The warnings are in every format.",
)
@click.option(
    "--no-catalog",
    is_flag=True,
    help="Check the policies' grammar only: skip the IAM catalog's warnings (typo'd actions and the like).",
)
@click.option(
    "--allow-unknown",
    is_flag=True,
    help="Decide cases without the values their sources cannot know (known only after apply ...), with a "
    "warning for each, instead of stopping with exit status 2.",
)
@click.option(
    "--live-managed-policies",
    is_flag=True,
    help="Read the managed policies that sources attach but do not define (AWS managed ones) from the account "
    "of the current AWS credentials.",
)
def check(
    suites: tuple[str, ...],
    *,
    output_format: str,
    output: Path | None,
    strict: bool,
    no_catalog: bool,
    allow_unknown: bool,
    live_managed_policies: bool,
) -> None:
    """Check SUITE files (YAML, or JSON for .json) offline with the local evaluator.

    Every case's request is decided as AWS would decide it and compared with its `expect`
    (allowed, denied, explicitDeny or implicitDeny). A case without `expect` is reported but
    neither passes nor fails. The format is in docs/suites.md.

    Every policy is validated first (as `iam-tester validate` does): an error stops the run; a
    warning, such as a typo'd action that silently grants nothing, is printed on stderr. Every case
    is checked against the IAM catalog: an unknown action, a resource of a type the action does not
    take, or a context key the action never sees draws a warning naming the case and its line. The
    warnings are also in the JSON report (`warnings`) and in JUnit; with --strict they fail the run.

    A suite may test policies where they live: `sources: [tfplan:plan.json]` (or cfn:, gaad:, aws:)
    and a `principal` that is an id or ARN from them (docs/sources.md). A case that depends on a value
    its sources cannot know stops the run (exit 2) unless --allow-unknown.

    \b
    Examples:
      iam-tester check examples/quickstart.yaml
      iam-tester check --strict examples/*.yaml --format junit --output report.xml
    Exit status: 0 no case failed, 1 some case failed (or, with --strict, a warning), 2 invalid
    suite, policy or usage (one message on stderr naming the file, the line and the problem).
    """
    if output is not None:
        _not_a_suite(output, suites)
    with reported_errors():
        from ..suite._gc import paused_gc
        from ..suite.load import load_suites
        from ..suite.runner import run_local

        with paused_gc():  # also while reporting: tens of thousands of objects, no cycles
            loaded = load_suites(
                suites,
                catalog=not no_catalog,
                allow_unknown=allow_unknown,
                live_managed_policies=live_managed_policies,
            )
            run = run_local(loaded, strict=strict)
            for warning in run.warnings:
                click.echo(str(warning), err=True)
            _report(run, output_format, output)
    raise click.exceptions.Exit(run.exit_code)


def _not_a_suite(output: Path, suites: tuple[str, ...]) -> None:
    """Refuse ``--output`` naming one of the suites: the report would overwrite it after it was read."""
    target = os.path.realpath(output)
    for suite in suites:
        if os.path.realpath(suite) == target:
            raise click.BadParameter(
                f"{output} is a suite being checked: the report would overwrite it", param_hint="'--output'"
            )


def _report(run: RunResult, output_format: str, output: Path | None) -> None:
    if output is None:
        _write(run, output_format, output_stream(), to_terminal=True)
        return
    try:
        with output.open("w", encoding="utf-8") as stream:
            _write(run, output_format, stream, to_terminal=False)
    except OSError as exc:
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError(f"cannot write the report to {output}: {exc.strerror or exc}") from None
    click.echo(run.summary(), err=True)


def _write(run: RunResult, output_format: str, stream: IO[str], *, to_terminal: bool) -> None:
    if output_format == "json":
        from ..suite.reports.json_report import write_json

        write_json(run, stream)
    elif output_format == "junit":
        from ..suite.reports.junit import write_junit

        write_junit(run, stream)
    else:
        from rich.console import Console

        from ..suite.reports.text import render_text

        console = console_for(stream) if to_terminal else Console(file=stream, width=120, color_system=None)
        render_text(run, console)
