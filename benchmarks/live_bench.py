"""How long a live run of a suite takes, on the embedded AWS (loopback): ``check --live`` in the library.

A 20-case suite (one policy set, so one sandbox; 10 calls expected allowed, 10 denied, on S3) is loaded and
run live; measured from the start of loading to the report's data (wall time), and to the first case
observed (time to first observation):

- on the loopback server as is (goal: wall time <= 2 s);
- under simulated IAM propagation — AssumeRole refused for 2 s after CreateRole, new keys refused for 1 s —
  (goal: <= propagation + 1.5 s, i.e. <= 4.5 s);
- the same, with the role's policy also not in force for 5 s after CreateRole (no goal: it shows the
  allowed-first wait at work: the first allowed call is retried until then).

    uv run python benchmarks/live_bench.py [--runs 5]

The first run is reported apart (it loads the service models and the IAM catalog once per process).
Figures depend on the machine's load, which is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import boto3

from iam_tester.embedded import OPEN_BUCKET, PROTECTED_BUCKET, EmbeddedAws
from iam_tester.suite import load_suites
from iam_tester.suite.live_runner import run_live
from iam_tester.testing import PropagationSimulator

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "List", "Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{OPEN_BUCKET}/*"},
        {"Sid": "Protect", "Effect": "Deny", "Action": "s3:*", "Resource": f"arn:aws:s3:::{PROTECTED_BUCKET}*"},
    ],
}


def _case(
    name: str, action: str, resource: str, expect: str, *, operation: str, params: dict[str, str]
) -> dict[str, object]:
    call = {"service": "s3", "operation": operation, "params": params}
    return {"name": name, "action": action, "resource": resource, "expect": expect, "call": call}


def suite_cases() -> list[dict[str, object]]:
    """20 cases: each kind of call five times (10 allowed, 10 denied)."""
    cases = []
    for i in range(5):
        cases += [
            _case(f"list open {i}", "s3:ListBucket", f"arn:aws:s3:::{OPEN_BUCKET}", "allowed",
                  operation="list_objects_v2", params={"Bucket": OPEN_BUCKET}),
            _case(f"read open {i}", "s3:GetObject", f"arn:aws:s3:::{OPEN_BUCKET}/README.txt", "allowed",
                  operation="get_object", params={"Bucket": OPEN_BUCKET, "Key": "README.txt"}),
            _case(f"list protected {i}", "s3:ListBucket", f"arn:aws:s3:::{PROTECTED_BUCKET}", "explicitDeny",
                  operation="list_objects_v2", params={"Bucket": PROTECTED_BUCKET}),
            _case(f"read scratch {i}", "s3:GetObject", "arn:aws:s3:::iam-tester-scratch/README.txt", "implicitDeny",
                  operation="get_object", params={"Bucket": "iam-tester-scratch", "Key": "README.txt"}),
        ]  # fmt: skip
    return cases


def one_run(path: Path, session: boto3.Session) -> tuple[float, float]:
    """Seconds from the start of loading to the whole result, and to the first observation."""
    start = time.monotonic()
    suites = load_suites([path])
    loaded = time.monotonic()
    run = run_live(suites, session=session)  # each observation's seconds count from here
    wall = time.monotonic() - start
    if run.exit_code != 0 or run.observed != 20:
        raise SystemExit(f"the benchmark suite did not pass: {run.summary()}")
    first = min(result.live.seconds for result in run.results if result.live is not None)
    return wall, (loaded - start) + first


def summary(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    return (
        f"{label}: median {statistics.median(values):.3f} s, min {ordered[0]:.3f} s, max {ordered[-1]:.3f} s "
        f"(n={len(values)})"
    )


def measure(label: str, path: Path, make_session: Callable[[], boto3.Session], runs: int) -> None:
    results = [one_run(path, make_session()) for _ in range(runs)]
    print(summary(f"{label}: wall time", [wall for wall, _ in results]))
    print(summary(f"{label}: first observation", [first for _, first in results]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory() as directory, EmbeddedAws() as aws:
        path = Path(directory) / "live.json"
        path.write_text(json.dumps({"name": "bench", "policies": {"identity": [POLICY]}, "cases": suite_cases()}))
        wall, first = one_run(path, aws.session())
        print(f"loopback, first run in the process: wall {wall:.3f} s, first observation {first:.3f} s")
        measure("loopback", path, aws.session, args.runs)

        def slow() -> boto3.Session:
            session = aws.session()
            PropagationSimulator(session, assume_refused_for=2.0, keys_refused_for=1.0)
            return session

        measure("propagation 2 s + 1 s", path, slow, args.runs)

        def slower() -> boto3.Session:
            session = aws.session()
            PropagationSimulator(session, assume_refused_for=2.0, keys_refused_for=1.0, policy_refused_for=5.0)
            return session

        measure("propagation 2 s + 1 s, policy 5 s", path, slower, args.runs)


if __name__ == "__main__":
    main()
