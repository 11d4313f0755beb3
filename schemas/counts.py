"""`WindowCount`: articles about one (country, topic) in one event-time window (topic `counts`)."""

from __future__ import annotations

from pydantic import Field

from schemas._base import SCHEMA_VERSION, Contract, UtcDatetime


class WindowCount(Contract):
    """A count per series and window; key it by `country|topic`."""

    schema_version: int = Field(SCHEMA_VERSION, description="Contract version of this message.")
    country: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code.")
    topic: str = Field(min_length=1, description="Topic name, e.g. 'unrest', 'PROTEST' or 'all'.")
    window_start: UtcDatetime
    window_end: UtcDatetime
    count: int = Field(ge=0, description="Distinct articles in the window.")
    stories: int = Field(ge=0, description="Distinct stories (syndicated copies count once).")
    sources: int = Field(ge=0, description="Distinct sources.")
    volume: int = Field(ge=0, description="All articles in the window, any country or topic.")
    final: bool = Field(False, description="True once the window is closed (past its grace).")
    revision: int = Field(
        0, ge=0, description="Corrections of a final count by late articles: 0 at close, then 1, 2, ..."
    )

    @property
    def key(self) -> str:
        return f"{self.country}|{self.topic}"
