"""What the live commands share: signals as exceptions, durations, sessions and progress."""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import InvalidArgumentError
from ._common import Terminated, say

if TYPE_CHECKING:
    import boto3

    from ..live.progress import Progress

__all__ = [
    "MAX_READINESS_TIMEOUT",
    "DurationParam",
    "admin_role_option",
    "make_session",
    "parse_duration",
    "progress_printer",
    "quiet_option",
    "readiness_timeout_option",
    "refuse_on_embedded_aws",
    "session_options",
    "session_policy_option",
    "signals_as_exceptions",
]

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """While inside, SIGTERM (and SIGHUP) raise :class:`Terminated` in the main thread — unless the
    process was started with them ignored (``nohup`` ignores SIGHUP): what was ignored stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {
        signum: signal.signal(signum, handler) for signum in wanted if signal.getsignal(signum) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)?", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1, None: 1}


def parse_duration(text: str) -> float:
    """Seconds in ``text``: ``900``, ``90s``, ``15m``, ``1h``, ``1h30m``, ``2d``. ValueError if malformed."""
    compact = text.strip().replace(" ", "")
    if not compact:
        raise ValueError("empty duration")
    total = 0.0
    position = 0
    while position < len(compact):
        match = _DURATION_PART.match(compact, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read {text!r} as a duration")
        unit = match.group(2).lower() if match.group(2) else None
        total += float(match.group(1)) * _UNIT_SECONDS[unit]
        position = match.end()
    return total


def _format_duration(seconds: float) -> str:
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


class DurationParam(click.ParamType):  # type: ignore[type-arg]  # generic since click 8.2, not before
    """A duration such as ``15m``, ``1h`` or ``900`` (seconds), within ``[minimum, maximum]``; the value is
    a number of seconds (an ``int`` when ``whole``)."""

    name = "duration"

    def __init__(self, *, minimum: float = 0, maximum: float | None = None, whole: bool = False) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.whole = whole

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = float(value)
        else:
            try:
                seconds = parse_duration(str(value))
            except ValueError:
                self.fail(f"{value!r} is not a duration: use e.g. 900, 90s, 15m, 1h, 1h30m", param, ctx)
        too_long = self.maximum is not None and seconds > self.maximum
        if seconds < self.minimum or too_long:
            upper = f" and {_format_duration(self.maximum)}" if self.maximum is not None else ""
            self.fail(
                f"{value!r} is out of range: it must be between {_format_duration(self.minimum)}{upper}", param, ctx
            )
        if self.whole:
            if seconds != int(seconds):
                self.fail(f"{value!r} must be a whole number of seconds", param, ctx)
            return int(seconds)
        return seconds


# The readiness wait's upper bound (live.readiness.MAX_READINESS_TIMEOUT), here without importing boto3.
MAX_READINESS_TIMEOUT = 900


def readiness_timeout_option(help: str) -> Callable[[F], F]:
    """``--readiness-timeout``: how long to wait for a new role (and its policy), 1 s to 15 min, default 2 min."""
    return click.option(
        "--readiness-timeout",
        type=DurationParam(minimum=1, maximum=MAX_READINESS_TIMEOUT),
        default="2m",
        show_default=True,
        help=help,
    )


def admin_role_option(help: str) -> Callable[[F], F]:
    """``--admin-role-arn ARN``: assume this role first and act as it."""
    return click.option("--admin-role-arn", metavar="ARN", help=help)


def session_policy_option(help: str) -> Callable[[F], F]:
    """``--session-policy``: no new role; the admin role narrowed by the policy as a session policy."""
    return click.option("--session-policy", is_flag=True, help=help)


def quiet_option(help: str) -> Callable[[F], F]:
    """``-q`` / ``--quiet``: no progress on stderr."""
    return click.option("-q", "--quiet", is_flag=True, help=help)


def session_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--profile`` and ``--region``: which credentials and region the command uses."""
    function = click.option("--region", help="AWS region (default: the profile's or AWS_REGION).")(function)
    return click.option("--profile", help="AWS profile to use (default: AWS_PROFILE or the default chain).")(function)


def refuse_on_embedded_aws(session: boto3.Session, *, admin_role_arn: str | None, session_policy: bool) -> None:
    """Fail at once, not after the readiness timeout, where the embedded AWS cannot do what was asked."""
    from ..embedded import is_embedded_endpoint
    from ..live.clients import configured_endpoint_url

    if admin_role_arn is None or session_policy or not is_embedded_endpoint(configured_endpoint_url(session)):
        return
    raise InvalidArgumentError(
        "--admin-role-arn cannot work on the embedded AWS: moto matches a trust policy against the caller's "
        "session ARN, so the admin role's session can never assume the sandbox role (on AWS it can)",
        hint="drop --admin-role-arn (the embedded caller is an IAM user, which works), or add --session-policy",
    )


def make_session(profile: str | None, region: str | None) -> boto3.Session:
    """A ``boto3.Session`` for the options; an unknown profile is bad input (exit 2)."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as exc:
        raise InvalidArgumentError(str(exc), hint="`aws configure list-profiles` lists the profiles") from exc


def progress_printer(*, quiet: bool, every: float = 2.0) -> Callable[[Progress], None]:
    """A progress callback printing to stderr; repeated "still waiting" lines at most every ``every`` s."""
    last_wait = [-every]

    def show(step: Progress) -> None:
        if step.stage == "warning":  # about the user's policy (it names itself a warning): shown even when quiet
            say(step.message)
            return
        if step.stage == "notice":  # about what the results mean: shown even when quiet
            say(f"note: {step.message}")
            return
        if quiet:
            return
        if step.stage == "retry":
            now = time.monotonic()
            if now - last_wait[0] < every:
                return
            last_wait[0] = now
        say(f"{step.message} [{step.elapsed:.1f}s]")

    return show
