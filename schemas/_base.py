"""Shared building blocks of the wire contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict

SCHEMA_VERSION = 2  # 2: Alert.topics and Alert.window (one alert per incident)


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware timestamp, normalised to UTC; naive timestamps are rejected."""


class Contract(BaseModel):
    """Base of every topic value: unknown fields are ignored, instances are immutable."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    def to_json(self) -> bytes:
        """Serialise for the wire (UTF-8 JSON, UTC timestamps with a Z suffix)."""
        return self.model_dump_json(exclude_none=False).encode()
