"""`Alert`: an explained spike of one (country, topic) series (topic `alerts`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas._base import SCHEMA_VERSION, Contract, UtcDatetime

AlertStatus = Literal["open", "update", "resolved"]
Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[str, ...] = Severity.__args__  # type: ignore[attr-defined]


class AlertArticle(Contract):
    """An article that explains an alert."""

    id: str
    title: str
    url: str | None = None
    source: str
    published_at: UtcDatetime


class DetectorInfo(Contract):
    """Which detector decided, with which parameters."""

    name: str
    params: dict[str, float | int | str] = Field(default_factory=dict)


class Alert(Contract):
    """One lifecycle step of an alert (an incident of one country); key it by its country (`key`).

    One incident seen in several topics and window sizes is one alert: `topic` is the most specific
    of the topics that opened it (an incident its country's `all` opened takes the first named topic
    to join it), `topics` all of its topics, `window` the window size that opened it.
    The counts (observed, expected, window_start/end, ...) are those of the series behind this step.
    """

    schema_version: int = Field(SCHEMA_VERSION, description="Contract version of this message.")
    alert_id: str = Field(description="Stable id of the alert episode, the same for all its steps.")
    revision: int = Field(0, ge=0, description="0 for open, then +1 per update or resolve.")
    status: AlertStatus
    country: str = Field(pattern=r"^[A-Z]{3}$")
    topic: str
    topics: list[str] = Field(default_factory=list, description="All topics of the incident, `topic` first.")
    window: str = Field("", description="Window size that opened the alert, e.g. 1h or 1d.")
    window_start: UtcDatetime
    window_end: UtcDatetime
    observed: int = Field(ge=0, description="Stories in the window.")
    expected: float = Field(ge=0.0, description="Stories the baseline expected in the window.")
    ratio: float = Field(ge=0.0, description="observed / expected (expected floored by the prior).")
    score: float = Field(description="Detector score, e.g. -log10 of the tail probability.")
    severity: Severity
    articles: int = Field(0, ge=0, description="Articles in the window (syndicated copies included).")
    sources: int = Field(0, ge=0, description="Distinct sources in the window.")
    summary: str = Field(description="One line a human reads in a chat message.")
    top_articles: list[AlertArticle] = Field(default_factory=list)
    top_actors: list[str] = Field(default_factory=list)
    co_countries: list[str] = Field(default_factory=list)
    first_seen: UtcDatetime
    last_seen: UtcDatetime
    detector: DetectorInfo

    @property
    def key(self) -> str:
        """Kafka key: the country, so every step of an alert is on one partition, in order, whatever topic names it."""
        return self.country

    @property
    def delivery_id(self) -> str:
        """Id of this lifecycle step, unchanged across webhook retries."""
        return f"{self.alert_id}.{self.revision}"
