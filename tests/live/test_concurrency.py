"""Many sandboxes at once, sharing one session, from threads."""

from __future__ import annotations

import threading

import boto3

from iam_tester import temporary_iam_credentials

from .helpers import ALLOW_LIST_EXCEPT_PROTECTED, assert_nothing_left

SANDBOXES = 20


def test_twenty_sandboxes_at_once(session: boto3.Session) -> None:
    """20 threads entering a sandbox together get 20 distinct roles, each usable, with no error and nothing left."""
    start = threading.Barrier(SANDBOXES)
    in_use = threading.Barrier(SANDBOXES)  # every role exists at the same time
    roles: list[str] = []
    identities: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            start.wait()
            with temporary_iam_credentials(policy_document=ALLOW_LIST_EXCEPT_PROTECTED, session=session) as credentials:
                arn = credentials.client("sts").get_caller_identity()["Arn"]
                in_use.wait(timeout=60)
                with lock:
                    roles.append(credentials.role_arn)
                    identities.append(arn)
        except BaseException as exc:  # collected and asserted on below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(SANDBOXES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(roles)) == SANDBOXES
    # each thread's credentials belong to its own role
    assert {arn.split("/")[1] for arn in identities} == {role.rsplit("/", 1)[1] for role in roles}
    assert_nothing_left(session)
