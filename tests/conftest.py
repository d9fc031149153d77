"""What every test shares: nothing a test run writes lands in the developer's home directory."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _cache_in_the_test_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The catalog index (policy/catalog_index.py) is written under the run's temporary directory, not
    ~/.cache/iam-tester; commands the tests start in subprocesses inherit the setting."""
    previous = os.environ.get("IAM_TESTER_CACHE_DIR")
    os.environ["IAM_TESTER_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        del os.environ["IAM_TESTER_CACHE_DIR"]
    else:
        os.environ["IAM_TESTER_CACHE_DIR"] = previous
