"""Reading article files that were not written for our contract (offline `tag` and `replay` only).

A research corpus or an export often names its fields differently (`text`, `headline`, `date`),
leaves out the outlet or the id, or writes dates in other formats. The worker stays strict (bad
messages go to the dead-letter topic); the offline commands fill such gaps the same way every time
and say how many they filled. Wire archives get three more repairs: an ALL-CAPS first line of the
body is the headline, a separately stored `dateline` goes back in front of the body (here already,
so a filled title or id reads it; `validate_article` does it for the worker too, a contract field),
and a hard-wrapped body has its line breaks inside paragraphs made spaces. A time is never made up:
`published_at` then follows `streams.core.published` (no zone: UTC; none: invalid), as in the worker.

>>> data, filled = loosen({"text": "Troops were sent to Almaty.", "date": "26-FEB-1987 15:01:01.79"})
>>> data["title"], data["source"], data["published_at"], sorted(filled)
('Troops were sent to Almaty.', 'unknown', '1987-02-26T15:01:01.790000+00:00', ['id', 'source', 'title'])
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from streams.core.dateline import prefixed
from streams.core.pages import parse_datetime
from streams.core.published import with_zone
from streams.core.tagging.sentences import unwrapped
from streams.errors import GeopulseError

BODY_FIELDS = ("body", "text", "content", "article", "story")
TITLE_FIELDS = ("title", "headline", "head", "subject")
TIME_FIELDS = ("published_at", "date", "published", "datetime", "timestamp", "time")
SOURCE_FIELDS = ("source", "outlet", "publisher", "agency")
DATELINE_FIELDS = ("dateline",)
_SENTENCE = re.compile(r"(.{1,200}?[.!?])(\s|$)", re.DOTALL)
_OLD_WIRE_DATE = "%d-%b-%Y %H:%M:%S.%f"  # "26-FEB-1987 15:01:01.79", as 1980s wire archives wrote it


def loosen(data: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """A copy of `data` with the Article fields filled in, and the names of the fields it had to fill."""
    out = dict(data)
    filled: set[str] = set()
    body = str(_first(data, BODY_FIELDS) or "")
    title = _first(data, TITLE_FIELDS)
    head, rest = _headline_line(body)
    if head and (not title or head == str(title).strip()):  # the headline is not body text
        title, body = head, rest
    out["body"] = unwrapped(prefixed(body, _first(data, DATELINE_FIELDS)))
    if not title:
        filled.add("title")
        title = _lead(out["body"]) or "(untitled)"
    out["title"] = str(title)
    if not data.get("id") and data.get("id") != 0:
        filled.add("id")
        out["id"] = "sha-" + hashlib.sha256(f"{out['title']}\n{out['body']}".encode()).hexdigest()[:16]
    else:
        out["id"] = str(data["id"])
    source = _first(data, SOURCE_FIELDS)
    if not source:
        filled.add("source")
    out["source"] = str(source or "unknown")
    given = _first(data, TIME_FIELDS)
    if given is not None:
        out = with_zone({**out, "published_at": _as_iso(given)})
    return out, filled


def _first(data: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return value
    return None


def _headline_line(body: str) -> tuple[str | None, str]:
    """An ALL-CAPS first line taken as the headline ("JAPAN CUTS DISCOUNT RATE\\n TOKYO, ..."), and the rest."""
    head, newline, rest = body.strip().partition("\n")
    if newline and rest.strip() and len(head) <= 150 and head.isupper():
        return head.strip(), rest
    return None, body


def _lead(body: str) -> str:
    text = " ".join(body.split())
    match = _SENTENCE.match(text)
    return match.group(1) if match else text[:200]


def _as_iso(value: Any) -> Any:
    """An old wire date or a date the page parser reads, as ISO text; anything else as it is.

    ISO text and unix seconds stay as they are, for the `published_at` rule (streams/core/published.py)
    to read as the worker does. What cannot be read stays too, for validation to name.
    """
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    try:
        datetime.fromisoformat(text)
        return value
    except ValueError:
        pass
    try:
        return datetime.strptime(text.title(), _OLD_WIRE_DATE).isoformat()  # no zone: UTC by the rule
    except ValueError:
        pass
    try:
        parsed = parse_datetime(text)
    except (GeopulseError, ValueError):  # an unknown zone abbreviation or an impossible date
        return value
    return parsed.isoformat() if parsed else value
