"""`DigestBatch`: tagged articles handed from the ingest stage to the count/detect stage.

The internal topic `geopulse.digests` carries one batch per ingest batch to *every* partition:
each count/detect partition must see every article (for the total volume per window, duplicate
detection and stream time) while it keeps series only for the countries it owns. Only what
counting reads travels: no events and no actor spans (they default to empty on the way in).

Stream time is the slowest input partition's watermark (streams/core/watermarks.py): each article
says which `articles` partition it was read from (`origins`), and each batch carries its reader's
view of the partitions it reads (`inputs`: which are idle, which it has read to their end offsets).
A batch without articles carries only that view (sent when it changed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from schemas._base import SCHEMA_VERSION, Contract
from schemas.tagged import TaggedArticle

# What counting does not read: events, and where actors are mentioned (~70% of a digest's bytes).
LEFT_OUT: dict[str, Any] = {"events": True, "actors": {"__all__": {"spans"}}}


class InputReport(Contract):
    """One reader's view of the input partitions it reads: which of them are idle, which caught up.

    `caught_up` and `through` are additive: a report without them (an older worker's) says no partition
    is caught up, and the articles read ahead of its partitions wait for their idleness, as before.
    """

    partitions: int = Field(ge=1, description="Partitions of the input topic.")
    assigned: list[int] = Field(description="The input partitions the sending worker reads.")
    idle: list[int] = Field(
        default_factory=list, description="Of those, the ones caught up and quiet for the idle timeout."
    )
    caught_up: list[int] = Field(
        default_factory=list,
        description="Of those, the ones read to the end offsets the sender listed after sending the articles"
        " up to `through` (nothing still to come from them sorts before it).",
    )
    through: tuple[int, str] | None = Field(
        None, description="(event time in epoch seconds, article id): the greatest the sender had sent then."
    )


class DigestBatch(Contract):
    """Tagged articles in ingest order; events and actor spans are left out (counting does not need them)."""

    schema_version: int = Field(SCHEMA_VERSION, description="Contract version of this message.")
    articles: list[TaggedArticle]
    origins: list[int] = Field(
        default_factory=list, description="Input partition of each article, in order (empty: all from 0)."
    )
    inputs: InputReport | None = Field(None, description="The sender's view of its input partitions.")

    def sourced(self) -> list[tuple[TaggedArticle, int]]:
        """(article, input partition) in order."""
        return list(zip(self.articles, self.origins or [0] * len(self.articles), strict=True))

    @staticmethod
    def encode(tagged: Sequence[TaggedArticle], max_bytes: int = 500_000, origins: Sequence[int] = (),
               inputs: InputReport | None = None) -> list[bytes]:  # fmt: skip
        """JSON messages of the articles (events and spans left out), each under about `max_bytes`.

        Every message carries the origins of its articles and the reader's `inputs` report; with no
        articles, one message carries the report alone.
        """
        head = b'{"schema_version":%d,"articles":[' % SCHEMA_VERSION
        report = b"null" if inputs is None else inputs.model_dump_json().encode()
        origins = list(origins) or [0] * len(tagged)
        messages: list[bytes] = []
        chunk: list[bytes] = []
        size = 0

        def close(first: int) -> None:
            where = b",".join(b"%d" % o for o in origins[first : first + len(chunk)])
            messages.append(head + b",".join(chunk) + b'],"origins":[%s],"inputs":%s}' % (where, report))

        first = 0
        for article in tagged:
            part = article.model_dump_json(exclude=LEFT_OUT).encode()
            if chunk and size + len(part) > max_bytes:
                close(first)
                first, chunk, size = first + len(chunk), [], 0
            chunk.append(part)
            size += len(part) + 1
        if chunk or not messages:
            close(first)
        return messages
