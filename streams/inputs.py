"""Reading articles from files or stdin for the CLI: JSONL lines or raw scraped pages."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path

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
    for name, text in _sources(paths):
        if fmt is InputFormat.jsonl:
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    yield f"{name}:{n}", line.encode()
        else:
            from streams.core.pages import iter_pages, parse_page

            for n, page in enumerate(iter_pages(text), 1):
                try:
                    yield f"{name}#{n}", parse_page(page).to_json()
                except GeopulseError as exc:
                    if on_error is None:
                        raise
                    on_error(f"{name}#{n}", exc)


def _sources(paths: list[Path]) -> Iterator[tuple[str, str]]:
    if not paths or paths == [Path("-")]:
        yield "<stdin>", sys.stdin.read()
        return
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot read {path}: not UTF-8 text (byte {exc.start})") from exc
        yield str(path), text
