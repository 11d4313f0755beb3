"""`DeadLetter`: a message that could not be processed (topics `*.dlq`)."""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import Field

from schemas._base import SCHEMA_VERSION, Contract, UtcDatetime


class DeadLetter(Contract):
    """The original bytes of a failed message with where it came from and why it failed."""

    schema_version: int = Field(SCHEMA_VERSION, description="Contract version of this message.")
    original: str = Field(description="The original value bytes, base64.")
    original_key: str | None = Field(None, description="The original key bytes, base64.")
    topic: str
    partition: int | None = None
    offset: int | None = None
    stage: str = Field(description="Which stage gave up, e.g. 'ingest' or 'notify'.")
    error_kind: str = Field(description="Machine-readable reason, e.g. 'invalid_json'.")
    error: str = Field(description="Human-readable reason.")
    failed_at: UtcDatetime
    context: dict[str, str] = Field(default_factory=dict, description="Extra details, e.g. the endpoint.")

    @classmethod
    def from_error(
        cls,
        value: bytes,
        *,
        key: bytes | None,
        topic: str,
        partition: int | None,
        offset: int | None,
        stage: str,
        kind: str,
        error: str,
        at: datetime,
        context: dict[str, str] | None = None,
    ) -> DeadLetter:
        return cls(
            original=base64.b64encode(value).decode(),
            original_key=None if key is None else base64.b64encode(key).decode(),
            topic=topic,
            partition=partition,
            offset=offset,
            stage=stage,
            error_kind=kind,
            error=error[:2_000],
            failed_at=at,
            context=context or {},
        )

    def original_bytes(self) -> bytes:
        return base64.b64decode(self.original)
