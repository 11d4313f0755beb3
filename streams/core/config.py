"""`TrackerConfig`: the knobs of counting and detection, with their defaults and reasons."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from schemas import TaggedArticle
from streams.core.detect import Detector, GammaPoisson
from streams.core.windows import seconds

UNLIMITED = timedelta.max


@dataclass(frozen=True)
class TrackerConfig:
    """How a SeriesTracker windows, dedupes and judges; build it from the settings at the edge.

    >>> config = TrackerConfig(window=timedelta(days=1))
    >>> config.ahead_seconds(), config.warmup_windows(), config.history_windows()
    (86400, 1, 14)
    >>> config.resolved_detector().half_life
    7.0
    """

    window: timedelta = timedelta(hours=1)  # the window of one SeriesTracker
    # The window sizes an IncidentTracker runs at once (streams/core/incidents.py): an hour catches
    # a burst within the hour, a day what builds up over days; the first one's counts are published.
    windows: tuple[timedelta, ...] = (timedelta(hours=1), timedelta(days=1))
    # Sizes tracked again with their windows offset from the clock, as (size, offset): (1h, 30m) also
    # counts the hours from half past, so a burst split across two clock hours is whole in one of them.
    offset_windows: tuple[tuple[timedelta, timedelta], ...] = ()
    offset: timedelta = timedelta(0)  # of one SeriesTracker's windows (its window starts `offset` past the clock's)
    grace: timedelta = timedelta(minutes=15)
    # How far beyond stream time an article's published_at may move it. None means one window;
    # UNLIMITED trusts event time (replay sorts its input, so nothing there is ahead of its turn).
    max_ahead: timedelta | None = None
    history: timedelta = timedelta(days=14)  # closed-window volumes kept to seed new series
    warmup: timedelta = timedelta(days=1)  # no alerts before this much stream has closed
    dedupe_ttl: timedelta = timedelta(hours=24)  # how long ids, urls and stories are remembered
    # How long a closed window stays correctable by late articles (its tallies kept); older ones are
    # refused. At most dedupe_ttl, so a redelivered late article is still known as a duplicate.
    retain: timedelta = timedelta(hours=6)
    min_resemblance: float = 0.5  # fingerprint resemblance that makes two articles one story
    roles: tuple[str, ...] = ("location", "actor")  # country roles that put an article in a series
    unit: Literal["stories", "articles"] = "stories"  # what detectors count (articles: syndication-blind)
    min_stories: int = 3
    # Windows of a day or longer: a day holds 24 hours of chance clusters (one event, three write-ups),
    # and on a real wire most day-scale false alarms were event-code series with three stories.
    min_stories_day: int = 4
    min_sources: int = 2  # one outlet alone never makes a spike (set 1 for a one-outlet feed)
    # Severity thresholds (low, medium, high, critical) as -log10 of a false-alarm chance per series
    # per day; each window size raises them by log10(its windows a day). None: the detector's own.
    thresholds: tuple[float, float, float, float] | None = None
    half_life: timedelta = timedelta(days=7)  # how fast a series' baseline forgets (in stream time with news)
    # Day windows of a rise held out of a series' baseline at most (`GammaPoisson.update`: a slow build is
    # judged against the history before it, not against its own first days); finer windows hold none.
    guard: int = 3
    seasonal: bool = True  # expect each country's share by hour of day and day of week (seasons.py)
    # Topics whose significant alerts are at least medium (`SeriesTracker._graver`): what they report (armed
    # attacks) is grave whatever the count, and a few stories of it can be no more than `low` by chance alone.
    grave_topics: tuple[str, ...] = ("ASSAULT",)
    season_half_life: timedelta = timedelta(days=28)  # how fast those profiles forget
    season_strength: float = 10.0  # pseudo-stories of the region's profile a country's is shrunk toward
    min_volume_share: float = 0.5  # judge open windows as if at least this × their hour of day's usual volume were in
    # Judge an open longer window (a day) as if at least this × what it usually holds by now were in, so a thin
    # day's few stories are no takeover (`IncidentTracker._usual_floor`). Off (0) by default: at 0.5 the real-wire
    # bench's false alarms off the labels halve, but surges whose stories fall on a thin day are found later or
    # not at all (3 of 160 held-out surges lost: slow builds peaking on a weekend).
    thin_day_share: float = 0.0
    escalate_ratio: float = 1.5  # an open alert updates when stories reach this × the last step
    # Also alert on developments: a few stories on one matter inside a busy country (developments.py; opt-in).
    developments: bool = False
    detector: Detector | None = field(default=None)  # None: GammaPoisson with a 7-day half-life

    def __post_init__(self) -> None:
        for name in ("window", "grace", "history", "warmup", "dedupe_ttl", "retain"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")
        if self.window < timedelta(seconds=1):
            raise ValueError(f"window must be at least one second, got {self.window!r}")
        if self.retain > self.dedupe_ttl:
            raise ValueError(f"retain must be at most dedupe_ttl ({self.dedupe_ttl}), got {self.retain!r}")
        if self.unit not in ("stories", "articles"):
            raise ValueError(f"unit must be 'stories' or 'articles', got {self.unit!r}")
        if not self.windows or any(w < timedelta(seconds=1) for w in self.windows):
            raise ValueError(f"windows must be one or more sizes of at least one second, got {self.windows!r}")
        if any(size < min(self.windows) or not timedelta(0) < offset < size for size, offset in self.offset_windows):
            raise ValueError("offset windows must be no shorter than the shortest window, each offset shorter than "
                             f"its size, got {self.offset_windows!r}")  # fmt: skip
        if not 0.0 < self.min_resemblance <= 1.0:
            raise ValueError(f"min_resemblance must be in (0, 1], got {self.min_resemblance!r}")

    def seconds(self, name: str) -> int:
        span: timedelta = getattr(self, name)
        return int(span.total_seconds()) if span else 0

    def ahead_seconds(self) -> int | None:
        if self.max_ahead is None:
            return seconds(self.window)
        return None if self.max_ahead == UNLIMITED else int(self.max_ahead.total_seconds())

    def windows_in(self, span: timedelta) -> int:
        return max(1, -(-int(span.total_seconds()) // seconds(self.window)))

    def history_windows(self) -> int:
        return self.windows_in(self.history)

    def warmup_windows(self) -> int:
        return self.windows_in(self.warmup) if self.warmup else 0

    def resolved_detector(self) -> Detector:
        if self.detector is not None:
            return self.detector
        half_life_days = self.half_life / timedelta(days=1)
        guard = self.guard if self.window >= timedelta(days=1) else 0
        if self.thresholds is not None:
            return GammaPoisson.for_window(self.window, half_life_days, thresholds=self.thresholds, guard=guard)
        return GammaPoisson.for_window(self.window, half_life_days, guard=guard)

    def series_of(self, article: TaggedArticle) -> Iterator[tuple[str, str]]:
        """(country, topic) of every series the article counts in, in a stable order."""
        countries = dict.fromkeys(c.code for c in article.countries if c.role in self.roles)
        topics = dict.fromkeys([*article.topics, "all"])
        for country in countries:
            for topic in topics:
                yield country, topic
