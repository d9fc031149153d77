"""``iam-tester check``: decide every case of one or more suites offline and report against expectations;
with ``--live``, also make each case's ``call`` with scoped credentials and report AWS's decision beside
the prediction."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from ._common import console_for, output_stream, report_error, reported_errors
from ._live import (
    DurationParam,
    admin_role_option,
    make_session,
    progress_printer,
    quiet_option,
    readiness_timeout_option,
    refuse_on_embedded_aws,
    session_options,
    session_policy_option,
    signals_as_exceptions,
)
from ._options import format_option
from ._sources import live_managed_policies_option

if TYPE_CHECKING:
    import boto3

    from ..suite.model import Suite
    from ..suite.results import RunResult

__all__ = ["check"]


@click.command("check")
@click.argument("suites", nargs=-1, required=True, metavar="SUITE...")
@format_option(
    "text",
    "json",
    "junit",
    help="text: a table per suite, failures explained in full; json: one object for tools; junit: XML for CI.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of stdout; the summary line then goes to stderr. A file the run "
    "reads (a suite, a policy file, a source) is refused.",
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
@live_managed_policies_option
@click.option(
    "--live",
    is_flag=True,
    help="Also make each case's `call` for real, in a temporary role carrying the case's policies (needs AWS).",
)
@admin_role_option("With --live: assume this role first and act as it (see `exec`).")
@session_policy_option(
    "With --live: create no role; assume --admin-role-arn narrowed by the policies as a session policy."
)
@readiness_timeout_option(
    "With --live: give up waiting for a new role, or for its policy to be in force, after this long (at most 15m)."
)
@click.option(
    "--call-timeout",
    type=DurationParam(minimum=0.1),
    default="30s",
    show_default=True,
    help="With --live: report a call that has not answered after this long as hung, and go on.",
)
@quiet_option("With --live: no progress on stderr (warnings still are).")
@session_options
def check(
    suites: tuple[str, ...],
    *,
    output_format: str,
    output: Path | None,
    strict: bool,
    no_catalog: bool,
    allow_unknown: bool,
    live_managed_policies: bool,
    live: bool,
    admin_role_arn: str | None,
    session_policy: bool,
    readiness_timeout: float,
    call_timeout: float,
    quiet: bool,
    profile: str | None,
    region: str | None,
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

    With --live, each case that has a `call` is also made for real, in a temporary role that
    carries the case's identity policies (one role per distinct set, deleted afterwards, also on
    Ctrl-C), and AWS's decision is shown beside the evaluator's prediction for that role's
    session. A disagreement between the two fails the run, apart from expectations. Calls
    expected to be allowed are made first and retried until the new policy is in force, so IAM's
    propagation gives no false denies. AWS is reached as boto3 would (profile, region,
    AWS_ENDPOINT_URL); see docs/check.md, "Live runs".

    \b
    Examples:
      iam-tester check examples/quickstart.yaml
      iam-tester check --strict examples/*.yaml --format junit --output report.xml
      iam-tester check examples/live.yaml --live
    Exit status: 0 no case failed, 1 some case failed (or, with --strict, a warning; with --live
    also a disagreement, a call that failed or hung, a cleanup AWS refused), 2 invalid suite,
    policy or usage (one message on stderr naming the file, the line and the problem; nothing is
    decided or created).
    """
    if output is not None:
        _not_an_input(output, [(os.path.abspath(suite), "a suite being checked") for suite in suites])
    if not live:
        _no_live_options(admin_role_arn=admin_role_arn, session_policy=session_policy)
    with reported_errors():
        from .._gc import paused_gc
        from ..suite.load import load_suites
        from ..suite.runner import run_local

        # The credentials for whatever reaches AWS: a live run, an aws: source, --live-managed-policies.
        session = make_session(profile, region) if live or profile or region else None
        with paused_gc():  # also while reporting: tens of thousands of objects, no cycles
            loaded = load_suites(
                suites,
                catalog=not no_catalog,
                allow_unknown=allow_unknown,
                live_managed_policies=live_managed_policies,
                session=session,
                check_calls=not live,  # a live run refuses a call that does not fit, before creating anything
            )
            if output is not None:
                _not_an_input(output, [(path, f"read by the suite {s.path}") for s in loaded for path in s.inputs])
            for warning in (w for suite in loaded for w in suite.warnings):
                click.echo(str(warning), err=True)
            if live:
                run = _run_live(
                    loaded,
                    strict=strict,
                    admin_role_arn=admin_role_arn,
                    session_policy=session_policy,
                    readiness_timeout=readiness_timeout,
                    call_timeout=call_timeout,
                    quiet=quiet,
                    session=session or make_session(profile, region),
                )
            else:
                run = run_local(loaded, strict=strict)
            _report(run, output_format, output)
            if run.live and (output_format != "text" or output is not None):
                for note in run.notes:
                    click.echo(f"note: {note}", err=True)
            for error in run.cleanup_errors:
                report_error(error)
    if not run.live:
        _exit_now_when_alone(run.exit_code)
    raise click.exceptions.Exit(run.exit_code)


def _exit_now_when_alone(code: int) -> None:
    """Leave the process at once when this command is the whole process (the ``iam-tester`` script writing to
    the real streams): everything is written and flushed, and freeing the tens of thousands of objects of a big
    run one by one at interpreter shutdown would cost more than a tenth of the run (measured: 50-100 ms of a
    20,000-case suite). Under a test runner, or called from Python, this returns."""
    if sys.stdout is not sys.__stdout__ or sys.stderr is not sys.__stderr__:
        return
    if not os.path.basename(sys.argv[0]).startswith("iam-tester"):
        return
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(code)


def _no_live_options(*, admin_role_arn: str | None, session_policy: bool) -> None:
    """The options that only make sense with --live are usage errors without it."""
    given = {"--admin-role-arn": admin_role_arn is not None, "--session-policy": session_policy}
    for name, present in given.items():
        if present:
            raise click.UsageError(f"{name} is for live runs: add --live (check is offline without it)")


def _run_live(
    suites: list[Suite],
    *,
    strict: bool,
    admin_role_arn: str | None,
    session_policy: bool,
    readiness_timeout: float,
    call_timeout: float,
    quiet: bool,
    session: boto3.Session,
) -> RunResult:
    from ..suite.live_runner import LiveOptions, run_live

    options = LiveOptions(
        admin_role_arn=admin_role_arn,
        session_policy=session_policy,
        readiness_timeout=readiness_timeout,
        call_timeout=call_timeout,
    )
    refuse_on_embedded_aws(session, admin_role_arn=admin_role_arn, session_policy=session_policy)
    with signals_as_exceptions():
        return run_live(
            suites,
            session=session,
            options=options,
            progress=progress_printer(quiet=quiet),
            strict=strict,
        )


def _not_an_input(output: Path, inputs: list[tuple[str, str]]) -> None:
    """Refuse ``--output`` naming a file the run reads (``inputs``: each path and what it is to the run), or a
    file inside a directory it reads (a cdk.out): the report would overwrite it, or be read as input next time.
    Checked once before anything is read (the suites) and once they are loaded (every file they read)."""
    target = os.path.realpath(output)
    for path, what in inputs:
        read = os.path.realpath(path)
        if target == read:
            problem = f"{output} is {what}: the report would overwrite it"
        elif os.path.isdir(read) and target.startswith(read.rstrip(os.sep) + os.sep):
            problem = f"{output} is inside {path}, {what}: the report would be read with it"
        else:
            continue
        raise click.BadParameter(problem, param_hint="'--output'")


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
