"""The ``iam-tester`` command: a thin layer over the library.

Subcommands load lazily, so ``iam-tester --help`` and the offline commands never pay for importing
boto3 or the IAM catalog. Data goes to stdout, progress and errors to stderr.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from .. import __version__

__all__ = ["main"]

# name -> (module, attribute, one-line help). The help is here so that listing the commands does
# not import them.
_COMMANDS: dict[str, tuple[str, str, str]] = {
    "access": ("iam_tester.cli.access_cmd", "access", "Expand a principal's policies into every action it may do."),
    "check": (
        "iam_tester.cli.check_cmd",
        "check",
        "Check suites of expectations with the local evaluator (and, with --live, against AWS).",
    ),
    "diff": ("iam_tester.cli.diff_cmd", "diff", "Show what a new version of a policy allows that the old does not."),
    "explain": ("iam_tester.cli.explain_cmd", "explain", "Show AWS's decision for one request and why, offline."),
    "extract": (
        "iam_tester.cli.extract_cmd",
        "extract",
        "Print the principals and resource policies a plan, template or account holds.",
    ),
    "validate": ("iam_tester.cli.validate_cmd", "validate", "Check policy files: grammar, IAM catalog, footguns."),
    "embedded-aws": (
        "iam_tester.cli.embedded_cmd",
        "embedded_aws_command",
        "Run a local AWS (moto) to try the tool.",
    ),
    "exposure": (
        "iam_tester.cli.exposure_cmd",
        "exposure_command",
        "Show who outside the account a resource or trust policy lets in.",
    ),
    "exec": ("iam_tester.cli.exec_cmd", "exec_command", "Run a command with credentials limited to a policy."),
    "sweep": ("iam_tester.cli.sweep_cmd", "sweep_command", "Remove what sandboxes left behind (never one in use)."),
    "whoami": ("iam_tester.cli.whoami_cmd", "whoami_command", "Show the caller and the principal a sandbox trusts."),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        command = getattr(module, entry[1])
        if not isinstance(command, click.Command):  # pragma: no cover - a wiring mistake, caught by tests
            raise TypeError(f"{entry[0]}.{entry[1]} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="iam-tester")
def main(**_: Any) -> None:
    """Test AWS IAM policy documents: offline with a local evaluator that explains AWS's decision, and
    live with temporary, scoped credentials in a sandbox role that is always cleaned up.

    \b
    Offline (no AWS account needed):
      iam-tester check examples/quickstart.yaml
      iam-tester explain --policy examples/policies/list-except-infra.json \\
          --action s3:ListBucket --resource arn:aws:s3:::platform-infra
      iam-tester validate examples/policies/developer.json
      iam-tester access examples/analysis/reports-reader.json
      iam-tester diff examples/analysis/reports-reader.json examples/analysis/reports-reader-v2.json
      iam-tester exposure examples/analysis/reports-bucket.json
    Live (creates a temporary role in the account of your credentials; see each command's --help):
      iam-tester check examples/live.yaml --live
      iam-tester exec --policy examples/policies/list-except-protected.json -- aws s3 ls
      iam-tester sweep --dry-run

    \b
    Exit status: 0 all good; 1 expectations failed (check), warnings under --strict (validate) or new
    access (diff) or access from outside (exposure);
    2 invalid input or usage: a message on stderr names the file, the line and the problem;
    exec exits with its command's status; 130 when interrupted.
    """
