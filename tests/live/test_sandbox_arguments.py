"""Arguments of the wrong type, given to temporary_iam_credentials or to the plugin's iam_sandbox, are refused
with InvalidArgumentError naming the argument, what it got and what it takes, before any AWS call."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path
from typing import Any

import boto3
import pytest

from iam_tester import temporary_iam_credentials
from iam_tester.assertions import assert_decision
from iam_tester.embedded import EmbeddedAws
from iam_tester.errors import InvalidArgumentError, PolicyError
from iam_tester.live.inputs import ARGUMENT_TYPES
from iam_tester.testing import CallRecorder

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left

pytest_plugins = ["pytester"]

# Each argument with a value of the wrong type, and words the message must show of what it got.
WRONG_TYPES: list[tuple[str, Any, str]] = [
    ("policy_document", 42, "int 42"),
    ("admin_role_arn", 7, "int 7"),
    ("session", "abc", "str 'abc'"),
    ("managed_policy_arns", 5, "int 5"),
    ("managed_policy_arns", [5], "list [5]"),
    ("permissions_boundary_arn", b"arn", "bytes b'arn'"),
    ("permissions_boundary_document", 3.5, "float 3.5"),
    ("duration_seconds", 900.0, "float 900.0"),
    ("session_policy", "yes", "str 'yes'"),
    ("session_policy", 1, "int 1"),
    ("grant_admin_role", "no", "str 'no'"),
    ("readiness_timeout", "60", "str '60'"),
    ("readiness", {"timeout": 5}, "dict {'timeout': 5}"),
    ("progress", 5, "int 5"),
    ("policy_source", None, "NoneType None"),
    ("boundary_source", 1, "int 1"),
    ("session_policy_document", ["x"], "list ['x']"),
    ("cancel", True, "bool True"),
]


def test_every_keyword_argument_has_a_type_check() -> None:
    """The table of argument types names exactly temporary_iam_credentials's keyword arguments."""
    parameters = inspect.signature(temporary_iam_credentials.__wrapped__).parameters  # type: ignore[attr-defined]
    assert set(ARGUMENT_TYPES) == set(parameters)


@pytest.mark.parametrize(("name", "value", "got"), WRONG_TYPES)
def test_wrong_types_are_refused_before_any_aws_call(session: boto3.Session, name: str, value: Any, got: str) -> None:
    """A wrong-type argument raises InvalidArgumentError naming it, what it got and what it takes; nothing is called."""
    recorder = CallRecorder(session)
    options: dict[str, Any] = {"policy_document": ALLOW_LIST_EXCEPT_PROTECTED, "session": session, name: value}
    with pytest.raises(InvalidArgumentError) as caught, temporary_iam_credentials(**options):
        pytest.fail("the body must not run")
    message = str(caught.value)
    assert message.startswith(f"{name} must be ")
    assert message.endswith(f", not {got}")
    assert recorder.calls == []
    assert_nothing_left(session)


def test_iam_sandbox_checks_its_options_the_same_way(aws: EmbeddedAws, pytester: pytest.Pytester) -> None:
    """The plugin's iam_sandbox refuses wrong-type options (and an unknown one) with the same errors, before
    its own use of them."""
    pytester.makepyfile(
        test_inner=textwrap.dedent(
            """
            import pytest
            from iam_tester.errors import InvalidArgumentError

            POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}

            @pytest.mark.parametrize(("options", "message"), [
                ({"session": "abc"}, "session must be a boto3.Session or None, not str 'abc'"),
                ({"session_policy": "yes"}, "session_policy must be True or False, not str 'yes'"),
                ({"cancel": True}, "cancel must be a threading.Event or None, not bool True"),
                ({"permissions_boundary_document": 3}, "permissions_boundary_document must be a dict or JSON text"),
                ({"sesion": None}, "iam_sandbox has no option 'sesion'"),
            ])
            def test_refused(embedded_aws, iam_sandbox, options, message):
                with pytest.raises(InvalidArgumentError, match=message):
                    with iam_sandbox(POLICY, **options):
                        pytest.fail("the body must not run")

            def test_policy_refused(embedded_aws, iam_sandbox):
                with pytest.raises(InvalidArgumentError, match="policy_document must be a dict or JSON text"):
                    with iam_sandbox(7):
                        pytest.fail("the body must not run")
            """
        )
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=6)


def test_policy_error_hints_fit_where_the_policy_came_from(session: boto3.Session, tmp_path: Path) -> None:
    """A bad policy_document given in memory hints at the library's validate_policy; one the CLI read from a file
    (policy_source a path) hints at `iam-tester validate` on that file."""
    with pytest.raises(PolicyError) as in_memory, temporary_iam_credentials(policy_document="{", session=session):
        pytest.fail("the body must not run")
    assert "iam-tester validate" not in (in_memory.value.hint or "")
    assert "iam_tester.policy.validate_policy(...)" in (in_memory.value.hint or "")
    path = tmp_path / "bad.json"
    with (
        pytest.raises(PolicyError) as from_file,
        temporary_iam_credentials(policy_document="{", policy_source=path, session=session),
    ):
        pytest.fail("the body must not run")
    assert str(from_file.value).startswith(f"{path}:1")
    assert f"run `iam-tester validate --type identity {path}`" in (from_file.value.hint or "")


def test_assert_decision_hint_names_no_file() -> None:
    """assert_decision's error for a bad policy hints at validate_policy, not at a file called policy[0]."""
    with pytest.raises(PolicyError) as caught:
        assert_decision({"Statement": "nope"}, action="s3:GetObject", resource="*", expected="allowed")
    assert "policy[0]" in str(caught.value)
    assert "iam-tester validate" not in (caught.value.hint or "")
    assert "iam_tester.policy.validate_policy(...)" in (caught.value.hint or "")
