"""`DigestBatch`: tagged articles handed from the ingest stage to the count/detect stage.

The internal topic `geopulse.digests` carries one batch per ingest batch to *every* partition:
each count/detect partition must see every article (for the total volume per window, duplicate
detection and stream time) while it keeps series only for the countries it owns.
"""

from __future__ import annotations

from pydantic import Field

from schemas._base import SCHEMA_VERSION, Contract
from schemas.tagged import TaggedArticle


class DigestBatch(Contract):
    """Tagged articles in ingest order; events are dropped (counting does not need them)."""

    schema_version: int = Field(SCHEMA_VERSION, description="Contract version of this message.")
    articles: list[TaggedArticle]
