"""A wire dateline sent apart from the body ("ALMATY, Jan 5 (Reuters) -") goes back in front of it.

The tagger reads a dateline at the start of the body (the strongest sign of where a story happened).
Some wire feeds and archives store it in a field of its own, the contract's `dateline`. Both readers
of articles apply this in `validate_article` (streams/core/ingest.py), the worker's ingest and the
offline `tag`/`replay`, so they tag the same text.

>>> with_dateline({"body": "Police detained dozens.", "dateline": "ALMATY, Jan 5 (Reuters) -"})["body"]
'ALMATY, Jan 5 (Reuters) - Police detained dozens.'
>>> prefixed("ALMATY, Jan 5 (Reuters) - Police detained dozens.", "ALMATY, Jan 5 (Reuters) -")
'ALMATY, Jan 5 (Reuters) - Police detained dozens.'
"""

from __future__ import annotations

from typing import Any


def with_dateline(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with its `dateline` in front of its `body`; anything not text is left for validation to name."""
    body = data.get("body") or ""
    if not isinstance(body, str):
        return data
    text = prefixed(body, data.get("dateline"))
    return data if text is body else {**data, "body": text}


def prefixed(body: str, dateline: Any) -> str:
    """`body` with `dateline` in front of it, unless the body already starts with it (or there is none)."""
    if not isinstance(dateline, str) or not dateline.strip():
        return body
    line = " ".join(dateline.split())
    if " ".join(body[: 2 * len(dateline) + 16].split()).startswith(line):  # spacing aside (a wrapped body)
        return body
    return f"{dateline.strip()} {body.lstrip()}"
