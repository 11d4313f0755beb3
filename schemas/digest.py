"""`DigestBatch`: tagged articles handed from the ingest stage to the count/detect stage.

The internal topic `geopulse.digests` carries one batch per ingest batch to *every* partition:
each count/detect partition must see every article (for the total volume per window, duplicate
detection and stream time) while it keeps series only for the countries it owns. Only what
counting reads travels: no events and no actor spans (they default to empty on the way in).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from schemas._base import SCHEMA_VERSION, Contract
from schemas.tagged import TaggedArticle

# What counting does not read: events, and where actors are mentioned (~70% of a digest's bytes).
LEFT_OUT: dict[str, Any] = {"events": True, "actors": {"__all__": {"spans"}}}


class DigestBatch(Contract):
    """Tagged articles in ingest order; events and actor spans are left out (counting does not need them)."""

    schema_version: int = Field(SCHEMA_VERSION, description="Contract version of this message.")
    articles: list[TaggedArticle]

    @staticmethod
    def encode(tagged: Sequence[TaggedArticle], max_bytes: int = 500_000) -> list[bytes]:
        """JSON messages of the articles (events and spans left out), each under about `max_bytes`."""
        head, tail = b'{"schema_version":%d,"articles":[' % SCHEMA_VERSION, b"]}"
        messages: list[bytes] = []
        chunk: list[bytes] = []
        size = 0
        for article in tagged:
            part = article.model_dump_json(exclude=LEFT_OUT).encode()
            if chunk and size + len(part) > max_bytes:
                messages.append(head + b",".join(chunk) + tail)
                chunk, size = [], 0
            chunk.append(part)
            size += len(part) + 1
        if chunk:
            messages.append(head + b",".join(chunk) + tail)
        return messages
