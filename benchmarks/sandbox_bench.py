"""How long the sandbox takes to hand out usable credentials, on the embedded AWS (loopback).

Measures the time from entering ``temporary_iam_credentials`` to the first line of the ``with`` body
(the credentials have then passed the readiness probes), and to the first real call with them:

- on the loopback server as is (goal: median <= 0.2 s; the original tool slept 15 s, 15.2 s in all);
- under simulated IAM propagation — AssumeRole refused for 2 s after CreateRole, new keys refused for
  1 s — the floor is 3 s (goal: median <= 3.5 s).

    uv run python benchmarks/sandbox_bench.py [--runs 20] [--propagation-runs 5]

The first loopback run is reported apart (the embedded AWS's sessions share already-loaded service models).
Figures depend on the machine's load, which is printed with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import boto3

from iam_tester import temporary_iam_credentials
from iam_tester.embedded import OPEN_BUCKET, EmbeddedAws
from iam_tester.testing import PropagationSimulator

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}]}


def one_run(session: boto3.Session) -> tuple[float, float, float]:
    """Seconds to credentials, to the first successful call with them, and for cleanup (leaving the block)."""
    start = time.perf_counter()
    with temporary_iam_credentials(policy_document=POLICY, session=session) as credentials:
        ready = time.perf_counter() - start
        credentials.client("s3").list_objects_v2(Bucket=OPEN_BUCKET)
        first_call = time.perf_counter() - start
        leaving = time.perf_counter()
    return ready, first_call, time.perf_counter() - leaving


def summary(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return (
        f"{label}: median {statistics.median(values):.3f} s, p90 {p90:.3f} s, "
        f"min {ordered[0]:.3f} s, max {ordered[-1]:.3f} s (n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--propagation-runs", type=int, default=5)
    args = parser.parse_args()

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with EmbeddedAws() as aws:
        session = aws.session()
        cold_ready, cold_call, _ = one_run(session)
        print(f"loopback, first run: credentials {cold_ready:.3f} s, first call {cold_call:.3f} s")
        runs = [one_run(session) for _ in range(args.runs)]
        print(summary("loopback, credentials", [ready for ready, _, _ in runs]))
        print(summary("loopback, first call  ", [call for _, call, _ in runs]))
        print(summary("loopback, cleanup     ", [cleanup for _, _, cleanup in runs]))

        if args.propagation_runs < 1:
            return
        aws.reset()
        slow = aws.session()
        PropagationSimulator(slow, assume_refused_for=2.0, keys_refused_for=1.0)
        one_run(slow)  # warm the models, as above
        runs = [one_run(slow) for _ in range(args.propagation_runs)]
        print(summary("propagation 2 s + 1 s, credentials", [ready for ready, _, _ in runs]))
        print(summary("propagation 2 s + 1 s, first call  ", [call for _, call, _ in runs]))


if __name__ == "__main__":
    main()
