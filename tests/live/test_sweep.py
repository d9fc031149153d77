"""sweep: removes the tool's leftovers — and only them, and never one still in use."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from iam_tester import sweep, temporary_iam_credentials
from iam_tester.embedded import EmbeddedAws
from iam_tester.errors import CleanupError, InvalidArgumentError
from iam_tester.live.naming import (
    TAG_CREATED_BY,
    expires_at,
    grant_policy_name,
    is_sandbox_name,
    new_role_name,
    tags,
)
from iam_tester.testing import CallRecorder, FaultInjector, sandbox_role_names

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left, plant_role

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def _all_roles(session: boto3.Session) -> set[str]:
    return {role["Arn"] for role in session.client("iam").list_roles()["Roles"]}


def test_expired_leftover_is_removed_with_its_policies(session: boto3.Session) -> None:
    """A leftover whose credentials have expired is emptied (inline policy, attachment) and deleted."""
    iam = session.client("iam")
    leftover = plant_role(session)
    name = leftover.rsplit("/", 1)[1]
    iam.put_role_policy(RoleName=name, PolicyName="iam-tester-policy", PolicyDocument=POLICY)
    managed = iam.create_policy(PolicyName="m", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=managed)
    result = sweep(session=session)
    assert result.removed == (leftover,)
    assert result.skipped == ()
    assert sandbox_role_names(session) == []
    assert iam.get_policy(PolicyArn=managed)["Policy"]["AttachmentCount"] == 0


def test_roles_not_ours_are_never_touched(session: boto3.Session) -> None:
    """Untagged under our path, tagged outside it, our prefix but not our exact pattern: all left alone."""
    before = _all_roles(session)
    untagged = plant_role(session, tagged=False)
    elsewhere = plant_role(session, path="/other/")
    prefix_only = plant_role(session, name="iam-tester-someone-elses-role")
    wrong_token = plant_role(session, name=new_role_name()[:-1] + "X")
    ours = plant_role(session)
    assert sweep(session=session, force=True).removed == (ours,)
    assert _all_roles(session) == before | {untagged, elsewhere, prefix_only, wrong_token}


def test_a_sandbox_in_use_is_kept_with_its_reason(session: boto3.Session) -> None:
    """Credentials not yet expired: kept, with the time they expire; --force removes it; dry runs delete nothing."""
    in_use = plant_role(session, expires_in=timedelta(hours=3))
    messages: list[str] = []
    result = sweep(session=session, progress=messages.append)
    assert result.removed == ()
    (kept,) = result.skipped
    assert kept.leftover.arn == in_use
    assert "in use" in kept.reason
    assert "--force" in kept.reason
    assert any(in_use in message and "in use" in message for message in messages)
    assert sweep(session=session, force=True, dry_run=True).removed == (in_use,)
    assert in_use in _all_roles(session)
    assert sweep(session=session, force=True).removed == (in_use,)


def test_older_than_spares_young_leftovers(session: boto3.Session) -> None:
    """--older-than keeps anything younger than it, even expired and even with force; a negative age is refused."""
    young = plant_role(session)
    result = sweep(session=session, older_than=timedelta(hours=1), force=True)
    assert result.removed == ()
    assert "less than 1h00m ago" in result.skipped[0].reason
    assert young in _all_roles(session)
    with pytest.raises(InvalidArgumentError):
        sweep(session=session, older_than=timedelta(seconds=-1))


def test_a_long_sandbox_is_not_swept_while_its_body_runs(aws: EmbeddedAws, session: boto3.Session) -> None:
    """A 4-hour sandbox survives the default sweep (and one with --older-than 0) from another session while it
    is in use, and its own cleanup still works afterwards."""
    with temporary_iam_credentials(
        policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session, duration_seconds=4 * 3600
    ) as credentials:
        other = aws.session()
        result = sweep(session=other, older_than=timedelta(0))
        assert result.removed == ()
        assert [skipped.leftover.arn for skipped in result.skipped] == [credentials.role_arn]
        # ... and 90 minutes later, by the sweep's clock, it is still in use.
        later = datetime.now(timezone.utc) + timedelta(minutes=90)
        assert sweep(session=other, now=later).removed == ()
        credentials.client("s3").list_objects_v2(Bucket="iam-tester-dashboard")
    assert_nothing_left(session)


def test_expiry_tag_covers_readiness_and_duration() -> None:
    """The expires-at time is creation + readiness timeout + duration + clock-skew margin, to the second."""
    created = datetime(2026, 11, 30, 10, 0, 0, 500_000, tzinfo=timezone.utc)
    when = expires_at(created, readiness_timeout=120, duration_seconds=900)
    assert when == datetime(2026, 11, 30, 10, 22, 1, tzinfo=timezone.utc)
    marks = tags(created_by="arn:aws:iam::1:user/a,b", expires=when)
    assert marks[0] == {"Key": TAG_CREATED_BY, "Value": "arn:aws:iam::1:user/a_b"}
    assert marks[1]["Value"] == "2026-11-30T10:22:01Z"


def test_the_name_pattern_is_exact() -> None:
    """Only names new_role_name makes match: prefix, UTC second, 12 lowercase hex digits."""
    assert is_sandbox_name(new_role_name())
    for name in ("iam-tester-x", "iam-tester-20261130T104009Z-a6f54524de4", "iam-tester-20261130T104009Z-A6F54524DE47"):
        assert not is_sandbox_name(name)
    assert not is_sandbox_name(new_role_name() + "-boundary")


def test_admin_grants_are_found_and_removed(aws: EmbeddedAws, session: boto3.Session) -> None:
    """A grant whose sandbox is gone is removed when the admin role is named; a grant next to its leftover
    sandbox role is found through the role's grant-on tag; a look-alike policy is left alone."""
    iam = session.client("iam")
    admin = "platform-admin"

    def grant(sandbox: str) -> str:
        name = grant_policy_name(sandbox)
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": f"arn:aws:iam::123456789012:role/iam-tester/{sandbox}",
                }
            ],
        }
        iam.put_role_policy(RoleName=admin, PolicyName=name, PolicyDocument=json.dumps(document))
        return name

    lookalike = grant_policy_name(new_role_name())
    iam.put_role_policy(RoleName=admin, PolicyName=lookalike, PolicyDocument=POLICY)  # not a grant document
    orphan = grant(new_role_name())
    assert sweep(session=session).removed == ()  # nothing points at the admin role
    result = sweep(session=session, admin_role_arns=[aws.admin_role_arn])
    assert result.removed == (f"{aws.admin_role_arn} (inline policy {orphan})",)

    tagged_role = plant_role(session, grant_on=admin)
    beside_role = grant(tagged_role.rsplit("/", 1)[1])
    result = sweep(session=session)  # the role's grant-on tag leads to the admin role
    admin_arn = f"arn:aws:iam::123456789012:role/{admin}"  # as the tag names it: the path is not known
    assert set(result.removed) == {tagged_role, f"{admin_arn} (inline policy {beside_role})"}
    assert sorted(iam.list_role_policies(RoleName=admin)["PolicyNames"]) == sorted(["administrator", lookalike])


def test_a_grant_of_a_sandbox_in_use_is_kept(aws: EmbeddedAws, session: boto3.Session) -> None:
    """The grant of a sandbox still in use stays, like the sandbox."""
    iam = session.client("iam")
    role = plant_role(session, grant_on="platform-admin", expires_in=timedelta(hours=1))
    name = grant_policy_name(role.rsplit("/", 1)[1])
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role}],
    }
    iam.put_role_policy(RoleName="platform-admin", PolicyName=name, PolicyDocument=json.dumps(document))
    result = sweep(session=session)
    assert result.removed == ()
    assert len(result.skipped) == 2
    assert name in iam.list_role_policies(RoleName="platform-admin")["PolicyNames"]


def test_refused_removal_names_what_is_left_and_the_commands(aws: EmbeddedAws, session: boto3.Session) -> None:
    """If AWS refuses a deletion, the others still happen and the error lists what is left and every command
    needed, in order; a later sweep finishes the job."""
    first, second = plant_role(session), plant_role(session)
    name = first.rsplit("/", 1)[1]
    session.client("iam").put_role_policy(RoleName=name, PolicyName="iam-tester-policy", PolicyDocument=POLICY)
    FaultInjector(session).fail("iam.DeleteRolePolicy", code="AccessDenied", status=403)
    with pytest.raises(CleanupError) as caught:
        sweep(session=session)
    assert caught.value.left_behind == (first,)
    hint = caught.value.hint or ""
    assert hint.index(f"delete-role-policy --role-name {name}") < hint.index(f"delete-role --role-name {name}")
    assert sandbox_role_names(session) == [name]
    assert second not in _all_roles(session)
    assert sweep(session=aws.session()).removed == (first,)


def test_sweep_uses_paginators_over_every_page(aws: EmbeddedAws, session: boto3.Session) -> None:
    """Every page of roles is read (boto3's paginator, not the first page only)."""
    planted = {plant_role(session) for _ in range(3)}
    recorder = CallRecorder(session)
    calls: list[dict[str, object]] = []
    session.events.register("before-parameter-build.iam.ListRoles", lambda params, **_: calls.append(dict(params)))
    # A page size of one through botocore's own paging parameters: three pages for three roles.
    session.events.register(
        "before-parameter-build.iam.ListRoles", lambda params, **_: params.setdefault("MaxItems", 1)
    )
    assert set(sweep(session=session).removed) == planted
    assert recorder.names.count("iam.ListRoles") >= 3


def test_concurrent_sweeps_do_not_fail(aws: EmbeddedAws) -> None:
    """Two sweeps at once over the same leftovers: each role is removed once, neither sweep fails."""
    planted = {plant_role(aws.session()) for _ in range(4)}
    results: list[tuple[str, ...]] = []

    def run() -> None:
        results.append(sweep(session=aws.session()).removed)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results[0]) | set(results[1]) == planted
    assert sandbox_role_names(aws.session()) == []
