"""Reading articles from files or stdin for the CLI: JSONL lines or raw scraped pages."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path


class InputFormat(str, Enum):
    jsonl = "jsonl"
    text = "text"


def read_messages(paths: list[Path], fmt: InputFormat) -> Iterator[tuple[str, bytes]]:
    """(where, article JSON bytes) per input article; `-` or no path reads stdin.

    JSONL lines are passed through untouched (the worker validates and dead-letters them); raw pages
    are parsed into Article JSON here (a page that cannot be read raises PageParseError).
    """
    for name, text in _sources(paths):
        if fmt is InputFormat.jsonl:
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    yield f"{name}:{n}", line.encode()
        else:
            from streams.core.pages import iter_pages, parse_page

            for n, page in enumerate(iter_pages(text), 1):
                yield f"{name}#{n}", parse_page(page).to_json()


def _sources(paths: list[Path]) -> Iterator[tuple[str, str]]:
    if not paths or paths == [Path("-")]:
        yield "<stdin>", sys.stdin.read()
        return
    for path in paths:
        yield str(path), path.read_text(encoding="utf-8")
