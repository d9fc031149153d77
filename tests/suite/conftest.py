"""Helpers for suite tests: write a suite and its policy files into a temporary directory."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ALLOW_S3_LIST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "List", "Effect": "Allow", "Action": "s3:List*", "Resource": "*"}],
}

WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """Write ``text`` (dedented) at ``name`` under the temporary directory; returns the path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def policy_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a policy document as JSON at ``name`` (default: the S3 listing policy)."""

    def _policy(name: str = "policies/list.json", document: Any = None) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(ALLOW_S3_LIST if document is None else document, indent=2), encoding="utf-8")
        return path

    return _policy
