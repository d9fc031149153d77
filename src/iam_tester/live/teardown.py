"""The undo machinery: one place that knows what a sandbox run has (or may have) created, what undoes
it, and what to tell the user if it cannot.

**Register before you create.** Each create call runs inside :meth:`Teardown.creating`, which records the
resource *before* the call is sent. If the call returns, the resource exists; if AWS answers with an error,
it does not (nothing to undo); if anything else stops the call — Ctrl-C as the request goes out or as the
response comes back, a lost connection — nobody knows, so cleanup tries the undo anyway and a
``NoSuchEntity`` answer counts as done.

**Cleanup cannot be cut short.** On leaving the ``with`` block every step runs, last created first:

- a step AWS refuses is recorded, and the others still run;
- a failing progress callback or logger never skips a step (the :class:`~.progress.Reporter` swallows it);
- SIGINT, SIGTERM and SIGHUP are held back while it runs (see :mod:`.signals`), then raised again;
- a step interrupted anyway (by an exception that is not an AWS answer) is tried again.

Then: with no exception from the body, failures raise :class:`~iam_tester.errors.CleanupError` naming what
is left and the commands that remove it, in order; with an exception from the body, that exception
propagates unchanged, carrying the cleanup failure (:func:`attach_cleanup_failure`).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from .._text import count
from ..errors import AwsCallError, CleanupError
from .resources import Resource
from .signals import deferred_signals, redeliver

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

__all__ = ["Created", "Registered", "Teardown", "attach_cleanup_failure"]

_log = logging.getLogger("iam_tester.live")

# How often a step stopped by an interrupt that got through anyway is tried before it counts as failed.
_STEP_ATTEMPTS = 3
# How often cleanup starts again when an interrupt slips in just before signals are held back.
_SHIELD_ATTEMPTS = 3
# For the message a held-back Ctrl-C prints: a step is one IAM call, usually well under a second; the
# sandbox's clients give up on an unresponsive endpoint after about a minute (clients.SANDBOX_CONFIG).
_TYPICAL_STEP_SECONDS = 1


class Created(enum.Enum):
    """What is known about a registered resource."""

    UNKNOWN = "unknown"  # registered, the create call not answered (yet): undo it, tolerating NoSuchEntity
    YES = "yes"  # the create call returned
    NO = "no"  # AWS refused the create call: nothing to undo
    NOT_OURS = "not ours"  # it exists, but is not confirmed to be this run's: never touched


@dataclass
class Registered:
    """A resource on the teardown list, and what is known about whether it exists."""

    resource: Resource
    created: Created = Created.UNKNOWN
    undone: bool = False

    def mark(self, created: Created) -> None:
        self.created = created


class Teardown:
    """Registers what a run creates and undoes it on exit; see the module docstring.

    ``iam`` returns the client to use *at the time of the call* (an assumed admin role's credentials
    may have been renewed by then); ``report(stage, message)`` shows progress; ``before_create()`` runs
    before each create and may raise to stop the setup (a cancel request).
    """

    def __init__(
        self,
        iam: Callable[[], IAMClient],
        report: Callable[[str, str], None],
        *,
        before_create: Callable[[], None] = lambda: None,
    ) -> None:
        self._iam = iam
        self._report = report
        self._before_create = before_create  # may raise to stop the setup (a cancel request)
        self._entries: list[Registered] = []
        self._failures: list[tuple[Resource, BaseException]] = []
        self._unconfirmed: list[Resource] = []
        self._interrupts: list[BaseException] = []  # interrupts that got through during cleanup

    # -- registering -----------------------------------------------------------------------------
    @contextmanager
    def creating(self, resource: Resource) -> Iterator[Registered]:
        """Register ``resource`` for undo, then run the block that creates it (see the module docstring).

        The block may :meth:`Registered.mark` the entry itself: ``Created.NOT_OURS`` while it checks whether
        an entity found under the same name is this run's, then ``YES`` or ``NO``."""
        self._before_create()
        entry = Registered(resource)
        self._entries.append(entry)
        try:
            yield entry
        except AwsCallError:
            if entry.created is Created.UNKNOWN:
                entry.mark(Created.NO)  # AWS answered "no": nothing was created
            raise
        if entry.created is Created.UNKNOWN:
            entry.mark(Created.YES)

    # -- undoing ---------------------------------------------------------------------------------
    def __enter__(self) -> Teardown:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        held, late = self._undo_all_shielded()
        error = self._cleanup_error()
        if exc is not None and not isinstance(exc, Exception):
            # The body was interrupted or is exiting: the process is stopping anyway, with that exception.
            if error is not None:
                attach_cleanup_failure(exc, error)
            return
        # An interrupt that came during cleanup acts now, as if it had come just after it.
        outgoing = late
        if outgoing is None:
            try:
                redeliver(held)
            except BaseException as interrupt:  # re-raised below, carrying the cleanup failure
                outgoing = interrupt
        if outgoing is not None:
            if error is not None:
                attach_cleanup_failure(outgoing, error)
            raise outgoing
        if exc is not None:
            if error is not None:
                attach_cleanup_failure(exc, error)
            return  # the body's exception propagates, unchanged
        if error is not None:
            raise error

    def _undo_all_shielded(self) -> tuple[list[int], BaseException | None]:
        """Every pending step, with signals held back; the signals held, and an interrupt that slipped in
        just before they were held back or as they were released (the steps left are then run again)."""
        held: list[int] = []
        late: BaseException | None = None
        for _ in range(_SHIELD_ATTEMPTS):
            try:
                with deferred_signals(held, self._notice):
                    for entry in self._pending():
                        self._undo(entry)
                        entry.undone = True
                break
            except BaseException as exc:  # kept, and raised once cleanup is done
                late = late or exc
        late = late or next(iter(self._interrupts), None)
        self._unconfirmed = [entry.resource for entry in self._entries if entry.created is Created.NOT_OURS]
        return held, late

    def _pending(self) -> list[Registered]:
        maybe = {Created.YES, Created.UNKNOWN}
        return [entry for entry in reversed(self._entries) if not entry.undone and entry.created in maybe]

    def _undo(self, entry: Registered) -> None:
        """Run one step and record a failure; never raise. An interrupt that gets through anyway (cleanup in
        another thread, a callback raising one) is kept for later and the step is tried again."""
        self._tell("cleanup", entry.resource.undo_step)
        for attempt in range(1, _STEP_ATTEMPTS + 1):
            try:
                entry.resource.undo(self._iam())
            except AwsCallError as exc:
                if exc.code != "NoSuchEntity":  # NoSuchEntity: never made, or already removed (sweep, by hand)
                    self._failures.append((entry.resource, exc))
            except Exception as exc:  # no usable answer (endpoint gone, ...): reported, not retried
                self._failures.append((entry.resource, exc))
            except BaseException as exc:  # an interrupt: finish the step first
                self._interrupts.append(exc)
                if attempt < _STEP_ATTEMPTS:
                    continue
                self._failures.append((entry.resource, exc))
            return

    def _tell(self, stage: str, message: str) -> None:
        """Progress is advisory: whatever the callback raises, the step runs."""
        try:
            self._report(stage, message)
        except Exception:
            _log.debug("progress report failed during cleanup", exc_info=True)
        except BaseException as exc:  # an interrupt from the callback: acts after cleanup
            self._interrupts.append(exc)

    def _notice(self) -> str:
        steps = len(self._pending())
        return (
            f"iam-tester: finishing the cleanup first ({count(steps, 'step')} left, usually "
            f"about {_TYPICAL_STEP_SECONDS} s each; a minute each at most if AWS stops answering); "
            "the interrupt takes effect after that. Killing the process now leaves the sandbox to "
            "`iam-tester sweep`."
        )

    def _cleanup_error(self) -> CleanupError | None:
        if not self._failures and not self._unconfirmed:
            return None
        left: list[str] = []
        commands: list[str] = []
        sweeps: list[str] = []
        for resource, _ in self._failures:
            if resource.left_behind not in left:
                left.append(resource.left_behind)
            commands.append(resource.remove_command)
            if resource.sweep_command not in sweeps:
                sweeps.append(resource.sweep_command)
        reasons = [f"{resource.undo_step}: {_reason(exc)}" for resource, exc in self._failures]
        for resource in self._unconfirmed:
            left.append(resource.left_behind)
            reasons.append(f"{resource.left_behind} exists but could not be confirmed as this run's")
            if resource.sweep_command not in sweeps:
                sweeps.append(resource.sweep_command)
        listed = "\n".join(f"  {item}" for item in left)
        hint_parts = []
        if commands:
            hint_parts.append("remove what is left now with, in this order:\n    " + "\n    ".join(commands))
        hint_parts.append(
            f"or, once its credentials have expired, with `{'` and `'.join(sweeps)}` "
            "(it only removes what carries this tool's name and tags)"
        )
        message = f"part of the cleanup failed ({'; '.join(reasons)}); left behind:\n{listed}"
        return CleanupError(message, left_behind=left, hint="\n  ".join(hint_parts))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, AwsCallError):
        return f"AWS answered {exc.code}"
    return f"stopped by {type(exc).__name__}"


def attach_cleanup_failure(exc: BaseException, error: CleanupError) -> None:
    """Attach a cleanup failure to an exception that is already propagating, without replacing it.

    On Python 3.11+ this is a note (``add_note``: shown in tracebacks); on 3.10 the same list is set
    as ``__notes__`` for the CLI to print. Either way it is also logged at ERROR on ``iam_tester.live``,
    and ``exc.cleanup_error`` holds the :class:`CleanupError` itself.
    """
    note = f"cleanup also failed: {error}"
    add_note = getattr(exc, "add_note", None)
    if callable(add_note):
        add_note(note)
    else:  # Python 3.10
        notes = list(getattr(exc, "__notes__", []))
        notes.append(note)
        exc.__notes__ = notes  # type: ignore[attr-defined]
    exc.cleanup_error = error  # type: ignore[attr-defined]
    _log.error("%s", note)
