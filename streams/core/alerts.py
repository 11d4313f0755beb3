"""The lifecycle of one series' alert: open → update (only on escalation) → resolved.

An `Episode` is the open alert of a series, stored under `a:<country>|<topic>` while it lasts. Its
id is a hash of the series and the start of the window that opened it, so a redelivered article
or a restarted worker can never open the same alert twice; `revision` counts its steps.

>>> alert_id("KAZ", "unrest", 1_641_254_400)
'9714992c7bbe51cc'
>>> episode = Episode.open("KAZ", "unrest", start=0, severity="low", observed=5, ts=10)
>>> episode.escalates("medium", 5, ratio=1.5), episode.escalates("low", 7, ratio=1.5)
(True, False)
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass
from typing import Any

from schemas import SCHEMA_VERSION
from schemas.alert import SEVERITIES, Alert, AlertArticle, AlertStatus, DetectorInfo, Severity
from streams.core.detect import Verdict
from streams.core.explain import Tally, summary
from streams.core.windows import from_seconds


def alert_id(country: str, topic: str, window_start: int) -> str:
    """Stable id of the alert a series opened in the window starting at `window_start`."""
    return hashlib.sha256(f"{country}|{topic}|{window_start}".encode()).hexdigest()[:16]


def rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass
class Episode:
    """An open alert of one series (JSON-able through `asdict`)."""

    id: str
    revision: int
    opened: int  # start of the window that opened it
    window: int  # start of the window of its latest step
    severity: str
    observed: int
    first_seen: int

    @classmethod
    def open(cls, country: str, topic: str, start: int, severity: str, observed: int, ts: int) -> Episode:
        return cls(alert_id(country, topic, start), 0, start, start, severity, observed, ts)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Episode:
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def escalates(self, severity: str, observed: int, ratio: float) -> bool:
        """True when the series got worse: higher severity, or `ratio` × the stories last reported."""
        return rank(severity) > rank(self.severity) or observed >= max(math.ceil(ratio * self.observed),
                                                                        self.observed + 1)  # fmt: skip

    def step(self, window: int, severity: str, observed: int) -> None:
        self.revision += 1
        self.window = window
        self.severity = severity if rank(severity) > rank(self.severity) else self.severity
        self.observed = observed


@dataclass(frozen=True)
class AlertContext:
    """What an alert message needs besides the episode: the window and how it was judged."""

    country: str
    topic: str
    start: int
    size: int
    tally: Tally
    verdict: Verdict
    detector: DetectorInfo


def message(episode: Episode, status: AlertStatus, ctx: AlertContext) -> Alert:
    """The Alert published for one lifecycle step of `episode`."""
    tally, verdict = ctx.tally, ctx.verdict
    end = ctx.start + ctx.size
    severity: Severity = episode.severity  # type: ignore[assignment]
    return Alert(
        schema_version=SCHEMA_VERSION,
        alert_id=episode.id,
        revision=episode.revision,
        status=status,
        country=ctx.country,
        topic=ctx.topic,
        window_start=from_seconds(ctx.start),
        window_end=from_seconds(end),
        observed=tally.stories,
        expected=round(verdict.expected, 4),
        ratio=round(tally.stories / max(verdict.expected, 1e-3), 2),
        score=round(verdict.score, 2),
        severity=severity,
        articles=tally.articles,
        sources=tally.sources,
        summary=summary(ctx.country, ctx.topic, tally, end, ctx.size, verdict, severity, status),
        top_articles=[exemplar(entry[2]) for entry in tally.top],
        top_actors=tally.top_actors(),
        co_countries=tally.co_countries(),
        first_seen=from_seconds(episode.first_seen),
        last_seen=from_seconds(tally.last if tally.last is not None else episode.first_seen),
        detector=ctx.detector,
    )


def exemplar(article: dict[str, Any]) -> AlertArticle:
    return AlertArticle(**{**article, "published_at": from_seconds(article["published_at"])})
