"""The code passes the linters and the strict type checker: part of the test command so CI enforces it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed in the test environment (it is a dev dependency)"
    return found


def test_ruff_lint() -> None:
    """ruff finds nothing to fix."""
    result = _run(_tool("ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    """The code is formatted as ruff formats it."""
    result = _run(_tool("ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    """mypy --strict accepts the package, the tests, the benchmarks and the examples."""
    result = _run(_tool("mypy"))
    assert result.returncode == 0, result.stdout + result.stderr
