"""Every error iam-tester raises on purpose.

One base class, :class:`IamTesterError`, carries a ``hint`` (what to do next). The CLI maps the two
families to exit codes: :class:`InvalidInputError` and its subclasses mean the user's input is wrong
(exit 2); everything else is a failure while doing the work (exit 1, or the command's own code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AwsCallError",
    "CancelledError",
    "CleanupError",
    "CommandStartError",
    "IamTesterError",
    "InvalidArgumentError",
    "InvalidInputError",
    "Location",
    "PolicyError",
    "PolicyUsageError",
    "ReadinessTimeoutError",
    "SandboxError",
    "SourceError",
    "SuiteError",
]


class IamTesterError(Exception):
    """The base of every error this library raises on purpose; ``hint`` says what to do about it."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class CommandStartError(IamTesterError):
    """``exec`` could not start its command; ``exit_code`` is what a shell reports: 127 when it is not
    found, 126 when it is not executable."""

    def __init__(self, message: str, *, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class InvalidInputError(IamTesterError):
    """The input (a policy, a suite, an argument) is wrong; nothing was done. The CLI exits 2."""

    exit_code = 2


class InvalidArgumentError(InvalidInputError):
    """An argument is malformed or out of range (an ARN, a duration, a role name)."""


@dataclass(frozen=True)
class Location:
    """Where in an input a problem is: the file (or a name for inline input), a JSON path, line and column.

    ``line`` and ``column`` are 1-based and ``None`` when the input had no text to point into (a dict
    given from Python).
    """

    source: str
    path: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.source
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.path:
            text += f" at {self.path}"
        return text


class PolicyError(InvalidInputError):
    """A policy document is malformed. ``findings`` holds every error found, first one first."""

    def __init__(
        self,
        message: str,
        *,
        location: Location,
        code: str,
        hint: str | None = None,
        findings: Sequence[object] = (),
    ) -> None:
        super().__init__(f"{location}: {message}", hint=hint)
        self.location = location
        self.code = code
        self.findings = tuple(findings)


class PolicyUsageError(PolicyError):
    """A well-formed policy that cannot be used where it was given: a resource policy as an identity policy,
    or a condition value its operator cannot compare (found when the evaluator compiles a policy set)."""


class SuiteError(InvalidInputError):
    """A suite file is malformed: unreadable, bad YAML/JSON, an unknown key, an invalid ``expect``."""

    def __init__(self, message: str, *, location: Location, hint: str | None = None) -> None:
        super().__init__(f"{location}: {message}", hint=hint)
        self.location = location


class SourceError(InvalidInputError):
    """A source (a Terraform plan, a CloudFormation template, an account snapshot) cannot be read:
    unreadable, not the format its kind names, or an address or reference that cannot be followed.
    ``location`` names the file, the JSON path and, when known, the line."""

    def __init__(self, message: str, *, location: Location, hint: str | None = None) -> None:
        super().__init__(f"{location}: {message}", hint=hint)
        self.location = location


class SandboxError(IamTesterError):
    """The live sandbox could not be set up or used."""


class CancelledError(SandboxError):
    """The sandbox was cancelled (its ``cancel`` event was set) while it was being set up — or, in a live run
    of a suite, while its calls were made; what it had created is removed."""


class AwsCallError(SandboxError):
    """An AWS call the sandbox needed was refused or failed (after retries)."""

    def __init__(self, message: str, *, operation: str, code: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.operation = operation
        self.code = code


class ReadinessTimeoutError(SandboxError):
    """The temporary role did not become usable before the readiness timeout."""

    def __init__(self, message: str, *, role_arn: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.role_arn = role_arn


class CleanupError(SandboxError):
    """AWS refused part of the cleanup; ``left_behind`` lists exactly what still exists."""

    def __init__(self, message: str, *, left_behind: Sequence[str], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.left_behind = tuple(left_behind)
