"""Read a policy or suite file as UTF-8 text, with a message a user can act on when that fails.

Every way a careless or hostile path can fail becomes one :class:`TextFileError`: a missing file, a
directory, a symlink loop, no permission, a NUL character in the path (Python raises
:class:`ValueError` for that, not :class:`OSError`), a file so large it cannot be a policy or suite
(``/dev/zero`` would otherwise be read until memory runs out), UTF-16 text, or bytes that are not
UTF-8 — located at the line and column of the first bad byte.
"""

from __future__ import annotations

import codecs
import os
from typing import IO

__all__ = ["MIB", "TextFileError", "decode_text", "display_path", "path_name", "read_text_file", "read_text_stream"]

MIB = 1024 * 1024

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class TextFileError(Exception):
    """A file that cannot be read as text. ``code`` is ``unreadable-file`` (nothing was read) or
    ``invalid-encoding`` (the bytes are not UTF-8; ``line`` and ``column`` say where, when known)."""

    def __init__(self, message: str, *, code: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line
        self.column = column


def path_name(path: object) -> str:
    """How a message names ``path`` (anything a caller passed as one)."""
    if isinstance(path, (str, os.PathLike)):
        name = os.fspath(path)
        return name if isinstance(name, str) else os.fsdecode(name)
    return repr(path)


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` as the user should read it: relative to the working directory when under it."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute
    return absolute if relative.startswith(os.pardir) else relative


def read_text_file(path: str | os.PathLike[str], *, limit: int, what: str = "file") -> str:
    """The text of ``path``; raises :class:`TextFileError` for anything that stops it being read."""
    given: object = path
    if not isinstance(given, (str, os.PathLike)):  # open() would take an int as a file descriptor
        raise TextFileError(f"{type(given).__name__} is not a path", code="unreadable-file")
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except ValueError:  # "embedded null byte"
        raise TextFileError("the path contains a NUL character", code="unreadable-file") from None
    except OSError as exc:
        raise TextFileError(exc.strerror or str(exc), code="unreadable-file") from None
    return decode_text(data, limit=limit, what=what)


def read_text_stream(stream: IO[str] | None, *, limit: int, what: str = "file") -> str:
    """The text of an open stream (standard input), read and checked like a file."""
    if stream is None:
        raise TextFileError("standard input is closed", code="unreadable-file")
    buffer: IO[bytes] | None = getattr(stream, "buffer", None)
    try:
        if buffer is None:
            text = stream.read(limit + 1)
            return decode_text(text.encode("utf-8", "surrogatepass"), limit=limit, what=what)
        return decode_text(buffer.read(limit + 1), limit=limit, what=what)
    except OSError as exc:
        raise TextFileError(exc.strerror or str(exc), code="unreadable-file") from None


def decode_text(data: bytes, *, limit: int, what: str = "file") -> str:
    """``data`` as UTF-8 text (a UTF-8 byte-order mark is kept for the caller to judge); ``what`` names
    what the text should be in the message for text past ``limit``."""
    if len(data) > limit:
        raise TextFileError(f"the file is larger than {_size(limit)}: no {what} is that large", code="unreadable-file")
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise TextFileError(
                f"the file is {name} text (it starts with a {name} byte-order mark); save it as UTF-8",
                code="invalid-encoding",
                line=1,
                column=1,
            )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise TextFileError(
            f"not UTF-8 text: {exc.reason} (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            code="invalid-encoding",
            line=line,
            column=column,
        ) from None


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit:,} bytes"
