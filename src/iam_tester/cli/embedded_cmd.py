"""``iam-tester embedded-aws``: serve the embedded AWS (a local moto server) in the foreground."""

from __future__ import annotations

import ipaddress
import shlex
import threading
from urllib.parse import urlsplit

import click

from ._common import Terminated, reported_errors, say
from ._live import signals_as_exceptions

__all__ = ["embedded_aws_command"]


@click.command("embedded-aws")
@click.option("--port", type=click.IntRange(0, 65_535), default=0, show_default=True, help="0: any free port.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but a loopback address (127.0.0.1, ::1, localhost) lets other "
    "machines act as its administrator: a warning on stderr says so.",
)
def embedded_aws_command(*, port: int, host: str) -> None:
    """Run a local AWS (moto) to try iam-tester without an account; Ctrl-C stops it.

    \b
    Prints shell `export` lines on stdout that point the AWS CLI, SDKs and iam-tester at it, as
    an administrator IAM user. It has a role /embedded/platform-admin you may assume and S3
    buckets (one "protected"). IAM enforcement is on, so denials are real; it does not enforce
    permissions boundaries, session policies or most conditions.

    Wait for the last export line before `source`: it reads the file as it is at that moment, and
    a file still empty would leave the next command on your usual AWS credentials (a real account).

    \b
    Example:
      iam-tester embedded-aws > /tmp/embedded-aws.env &
      until grep -q IAM_TESTER_ADMIN_ROLE_ARN /tmp/embedded-aws.env; do sleep 0.2; done
      source /tmp/embedded-aws.env
      iam-tester exec --policy examples/policies/list-except-protected.json -- aws s3 ls
    Exit status: 0 stopped (Ctrl-C, SIGTERM); 1 it could not start (moto missing: install
    iam-tester[embedded]; the port taken).
    """
    from ..embedded import BUCKETS, PROTECTED_BUCKET, EmbeddedAws

    with reported_errors(), signals_as_exceptions():
        aws = EmbeddedAws(host=host, port=port).start()
        try:
            click.echo("unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN")
            for key, value in aws.env().items():
                click.echo(f"export {key}={shlex.quote(value)}")
            click.echo(f"export IAM_TESTER_ADMIN_ROLE_ARN={shlex.quote(aws.admin_role_arn)}")
            say(f"embedded AWS listening on {aws.endpoint_url} (these keys work only there)")
            if not _is_loopback(host):
                say(
                    f"warning: {host} is not a loopback address: anyone who can reach this machine on port "
                    f"{urlsplit(aws.endpoint_url).port} can act as the embedded AWS's administrator (with the "
                    "keys printed here, or without keys through moto's /moto-api/); use --host 127.0.0.1 unless "
                    "that is meant"
                )
            say(f"caller: {aws.caller.arn} (administrator)")
            say(f"admin role: {aws.admin_role_arn}")
            say(f"buckets: {', '.join(BUCKETS)} ({PROTECTED_BUCKET} is the seed example's protected one)")
            say("press Ctrl-C to stop")
            try:
                threading.Event().wait()
            except (KeyboardInterrupt, Terminated):
                say("stopping")
        finally:
            aws.stop()


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only. A name other than localhost may resolve anywhere,
    so it counts as not loopback: the warning is cheap, exposed administrator keys are not."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
