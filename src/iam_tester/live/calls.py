"""Real API calls with scoped credentials: checked before anything is created, made with a deadline.

A call names a boto3 client method (``s3``, ``get_object``) and its parameters. :func:`check_call` checks
it against botocore's service model — the service exists, the operation exists, the parameters are of the
operation's shape — so a typo is bad input, reported before any AWS write. :func:`timed_call` makes it in a
daemon thread and stops waiting after a deadline: a call that hangs is reported as such and never holds up
cleanup (its thread is abandoned; the sandbox's credentials are deleted anyway).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import CancelledError
from .clients import CallTimedOut, call_within
from .outcome import CallOutcome, classify

__all__ = ["CallCheckError", "check_call", "timed_call"]


class CallCheckError(ValueError):
    """A call that cannot be made: unknown service or operation, or parameters of the wrong shape.
    ``field`` is the key of the call it is about (``service``, ``operation``, ``params``)."""

    def __init__(self, message: str, *, field: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.hint = hint


def check_call(service: str, operation: str, params: Mapping[str, Any], model: Any, available: list[str]) -> str:
    """The operation as boto3's method name (``GetObject`` is accepted for ``get_object``), once the service,
    the operation and the parameters fit botocore's model; else :class:`CallCheckError`.

    ``model`` is the service's botocore ``ServiceModel`` (a client's ``meta.service_model``, or a botocore
    session's, offline); ``available`` the session's service names, for suggestions.
    """
    from botocore import xform_name
    from botocore.exceptions import ParamValidationError
    from botocore.validate import validate_parameters

    if service not in available:
        close = difflib.get_close_matches(service, available, n=1)
        raise CallCheckError(
            f"unknown service {service!r}",
            field="service",
            hint=f"did you mean {close[0]!r}?" if close else "services are boto3's names: s3, dynamodb, ec2",
        )
    # The client's method names, made from the API's operation names as botocore makes them.
    methods = {xform_name(name): name for name in model.operation_names}
    if operation not in methods:
        by_api_name = {api: method for method, api in methods.items()}
        if operation in by_api_name:
            operation = by_api_name[operation]
        else:
            close = difflib.get_close_matches(operation, list(methods), n=1)
            raise CallCheckError(
                f"{service} has no operation {operation!r}",
                field="operation",
                hint=f"did you mean {close[0]!r}?" if close else "operations are boto3's method names: get_object",
            )
    shape = model.operation_model(methods[operation]).input_shape
    try:
        if shape is not None:
            validate_parameters(dict(params), shape)
        elif params:
            raise CallCheckError(f"{service}.{operation} takes no parameters", field="params")
    except ParamValidationError as exc:
        report = str(exc.kwargs.get("report", exc)).strip()
        raise CallCheckError(f"the parameters do not fit {service}.{operation}: {report}", field="params") from None
    return operation


def timed_call(
    function: Callable[[], object],
    *,
    timeout: float,
    cancelled: Callable[[], bool] = lambda: False,
) -> CallOutcome:
    """Make the call in a daemon thread (:func:`~iam_tester.live.clients.call_within`); its outcome, or a
    timeout after ``timeout`` seconds.

    :raises CancelledError: ``cancelled()`` became true while waiting (the call's thread is abandoned).
    """

    def outcome() -> CallOutcome:
        try:
            function()
        except Exception as exc:  # every failure is an outcome to classify
            return classify(exc)
        return CallOutcome.success()

    def poll() -> None:
        if cancelled():
            raise CancelledError("cancelled while waiting for a call; the call is abandoned")

    try:
        return call_within(timeout, outcome, what="the call", poll=poll)
    except CallTimedOut:
        return CallOutcome.timed_out(timeout)
