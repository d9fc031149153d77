"""Each case's ``call`` checked offline against botocore's service model, as ``check --live`` checks it.

A call with a typo (``get_objekt``, service ``s4``, a parameter the operation does not take) is never made
offline, but the suite keeps it for live runs: a warning at the call says so now, rather than at the first
``--live`` run. botocore (and its models) is loaded only when a suite has a call, so offline runs of other
suites start as fast as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..errors import Location
from ..policy.findings import Finding, Severity
from .model import Case

__all__ = ["call_findings", "call_location"]


def call_location(case: Case, field: str) -> Location:
    """Where a problem with ``field`` of the case's call is: the key's value, or the call when it is not
    written (a missing ``params``)."""
    location = case.locator.location(("cases", case.index, "call", field))
    if location.line is None:
        location = case.locator.location(("cases", case.index, "call"))
    return location


@lru_cache(maxsize=1)
def _botocore_session() -> Any:
    # A plain botocore session reads the models botocore ships (and AWS_DATA_PATH's): no credentials,
    # no region, no network.
    import botocore.session

    return botocore.session.get_session()


def call_findings(cases: Sequence[Case]) -> tuple[Finding, ...]:
    """A warning for every case whose call does not fit botocore's model, in case order."""
    with_calls = [(case, case.call) for case in cases if case.call is not None]
    if not with_calls:
        return ()
    from ..live.calls import CallCheckError, check_call

    session = _botocore_session()
    available: list[str] = session.get_available_services()
    models: dict[str, Any] = {}
    findings: list[Finding] = []
    for case, call in with_calls:
        if call.service in available and call.service not in models:
            models[call.service] = session.get_service_model(call.service)
        try:
            check_call(call.service, call.operation, call.params, models.get(call.service), available)
        except CallCheckError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            message = f"case {case.name!r}: {exc}{hint}; `check --live` would refuse the suite"
            findings.append(Finding(Severity.WARNING, "invalid-call", message, call_location(case, exc.field)))
    return tuple(findings)
