"""Reading articles from files or stdin for the CLI: JSONL lines or raw scraped pages.

A file that starts with gzip's magic bytes is read through gzip (archives are kept as `.jsonl.gz`).
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from streams.errors import GeopulseError, InputError


class InputFormat(StrEnum):
    jsonl = "jsonl"
    text = "text"


def read_messages(
    paths: list[Path], fmt: InputFormat, on_error: Callable[[str, GeopulseError], None] | None = None
) -> Iterator[tuple[str, bytes]]:
    """(where, article JSON bytes) per input article; `-` or no path reads stdin.

    JSONL lines are passed through untouched (the worker validates and dead-letters them); raw pages
    are parsed into Article JSON here. A page that cannot be read goes to `on_error` with where it
    was and is skipped; without `on_error` its PageParseError propagates.
    """
    if fmt is InputFormat.jsonl:
        for name, lines in _line_sources(paths):
            for n, line in enumerate(lines, 1):
                if line.strip():
                    yield f"{name}:{n}", line.rstrip("\r\n").encode()
        return
    from streams.core.pages import iter_pages, parse_page

    for name, text in _sources(paths):
        for n, page in enumerate(iter_pages(text), 1):
            try:
                yield f"{name}#{n}", parse_page(page).to_json()
            except GeopulseError as exc:
                if on_error is None:
                    raise
                on_error(f"{name}#{n}", exc)


def _line_sources(paths: list[Path]) -> Iterator[tuple[str, Iterator[str]]]:
    """(name, its lines) per input, read a line at a time (memory does not grow with the file).

    Lines end at \\n, \\r\\n or \\r only: U+2028, U+0085 and the like may sit raw inside a JSON string.
    """
    if not paths or paths == [Path("-")]:
        yield "<stdin>", _decoded("<stdin>", iter(sys.stdin.readline, ""))
        return
    for path in paths:
        try:
            lines = _open_text(path)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
        with lines:
            yield str(path), _decoded(str(path), lines)


GZIP_MAGIC = b"\x1f\x8b"


def _open_text(path: Path, newline: str | None = "") -> TextIO:
    """`path` as UTF-8 text, through gzip when it starts with gzip's magic bytes."""
    with path.open("rb") as raw:
        packed = raw.read(2) == GZIP_MAGIC
    if packed:
        return gzip.open(path, "rt", encoding="utf-8", newline=newline)
    return path.open(encoding="utf-8", newline=newline)


def _decoded(name: str, lines: Iterator[str]) -> Iterator[str]:
    n = 0  # lines read; the decoder reads ahead, so a bad byte is known to be after these only
    try:
        for n, line in enumerate(lines, 1):  # noqa: B007
            yield line
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {name}: not UTF-8 text" + (f" after line {n}" if n else "")) from exc
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(f"cannot read {name}: broken gzip data" + (f" after line {n}" if n else "")) from exc


def _sources(paths: list[Path]) -> Iterator[tuple[str, str]]:
    if not paths or paths == [Path("-")]:
        yield "<stdin>", sys.stdin.read()
        return
    for path in paths:
        try:
            with _open_text(path, newline=None) as file:  # universal newlines, as read_text
                text = file.read()
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise InputError(f"cannot read {path}: broken gzip data") from exc
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot read {path}: not UTF-8 text (byte {exc.start})") from exc
        yield str(path), text
