"""Running several window sizes over one store: the key-prefixed views and the shared indexes.

The first (shortest) size's tracker dedupes articles and assigns stories; a longer size asks it
(`FollowerIndex`, `FollowerStories`) instead of matching fingerprints again, and keeps only which of
its own windows have seen a story (`sw:<story>`). Stream time is the first size's too: one set of
input-partition watermarks (`FollowerWatermarks`), so every size closes its windows, and tells a
late article, by the same clock. Each size's state lives under `<label>/` in the one store
(`Prefixed`). A longer size judges its open window as the span of news it holds (`OpenWindow`).

>>> window_label(3_600), window_label(86_400), window_label(5_400), window_label(3_600, 1_800)
('1h', '1d', '90m', '1h+30m')
>>> store = {}
>>> Prefixed(store, "1d/")["clock"] = 1
>>> store
{'1d/clock': 1}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, replace
from typing import Any

from streams.core.dedupe import DedupeIndex, Expiry, StoryIndex
from streams.core.detect import JSON, GammaPoisson, Verdict, severity_of
from streams.core.series import SeriesTracker
from streams.core.watermarks import Watermarks
from streams.core.windows import format_duration

__all__ = [
    "FollowerIndex",
    "FollowerStories",
    "FollowerWatermarks",
    "OpenWindow",
    "Prefixed",
    "RecordingStories",
    "window_label",
]


def window_label(size: int, offset: int = 0) -> str:
    """ "1h", "6h", "1d", "90m": the short name of a window size in seconds; "1h+30m" with its windows'
    offset from the clock (windows.py `parse_window` reads it back)."""
    return format_duration(size) + (f"+{format_duration(offset)}" if offset else "")


class RecordingStories(StoryIndex):
    """The first size's story index, remembering the story it gave the article in hand."""

    last: tuple[str, str] | None = None  # (article id, story)

    def assign(self, article_id: str, fingerprint: str, ts: int) -> str:
        story = super().assign(article_id, fingerprint, ts)
        self.last = (article_id, story)
        return story


class FollowerIndex(DedupeIndex):
    """A longer size's dedupe: the first size's verdict on the article in hand (one index, not one per size)."""

    def __init__(self, store: MutableMapping[str, Any], expiry: Expiry, leader: SeriesTracker) -> None:
        super().__init__(store, expiry)
        self.leader, self.outcome = leader, ""

    def seen(self, article_id: str, url: str | None) -> bool:
        return self.outcome == "duplicate"

    def remember(self, article_id: str, url: str | None, exp: int) -> None:
        if self.outcome == "late":  # late for the first size, counted here: remembered there all the same
            self.leader.dedupe.remember(article_id, url, exp)


class FollowerStories(StoryIndex):
    """A longer size's stories: the first size's assignment; which windows saw a story, its own (`sw:`)."""

    def __init__(self, store: MutableMapping[str, Any], expiry: Expiry, leader: SeriesTracker, keep: int) -> None:
        super().__init__(store, expiry, leader.stories.ttl, leader.stories.min_resemblance)
        self.leader, self.keep = leader, keep

    def assign(self, article_id: str, fingerprint: str, ts: int) -> str:
        stories = self.leader.stories
        if isinstance(stories, RecordingStories) and stories.last is not None and stories.last[0] == article_id:
            return stories.last[1]
        return stories.assign(article_id, fingerprint, ts)  # late for the first size: assigned there now

    def first_in_window(self, story: str, start: int) -> bool:
        record = self.store.get(f"sw:{story}") or {"w": [], "exp": 0}
        if start in record["w"]:
            return False
        exp = max(record["exp"], start + self.keep)
        self.store[f"sw:{story}"] = {"w": sorted([*record["w"], start])[-8:], "exp": exp}
        if exp > record["exp"]:
            self.expiry.schedule(f"sw:{story}", exp)
        return True


class FollowerWatermarks(Watermarks):
    """A longer size's watermarks: the first size's, read-only (one stream time for every size, kept once).

    The first size reads every article (and takes the inputs' idle reports) and lets them in to
    every size in order (ordering.py), with the event time it gave them.
    """

    def __init__(self, leader: SeriesTracker) -> None:
        super().__init__(leader.store)
        self.leader = leader

    @property
    def stream_time(self) -> int | None:
        return self.leader.watermarks.stream_time

    @property
    def newest(self) -> int | None:
        return self.leader.watermarks.newest

    def read(self, partition: int, ts: int) -> int | None:
        return self.stream_time  # the first size read it

    def report(self, partitions: int, assigned: Iterable[int], idle: Iterable[int]) -> None:
        return None  # the first size took it


class Prefixed(MutableMapping[str, Any]):
    """A view of a store whose keys all start with `prefix` (one tracker's part of a shared store)."""

    def __init__(self, store: MutableMapping[str, Any], prefix: str) -> None:
        self.inner, self.prefix = store, prefix

    def __getitem__(self, key: str) -> Any:
        return self.inner[self.prefix + key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.inner.get(self.prefix + key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.inner[self.prefix + key] = value

    def __delitem__(self, key: str) -> None:
        del self.inner[self.prefix + key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.prefix + key in self.inner

    def __iter__(self) -> Iterator[str]:
        return (key[len(self.prefix) :] for key in self.inner if key.startswith(self.prefix))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class OpenWindow:
    """A long window judged while it is open: its thresholds raised by log10(1 / share of its news in).

    Thresholds are read per series-day: a window size with k windows a day has them raised by
    log10(k) (`GammaPoisson.for_window` in detect.py). A day judged at 07:00 UTC, when a seventh of its usual
    news is in, is a test of a window a seventh of a day long, of which there are seven a day; it is
    held to the same per-series-day chance by a raise of log10(7). `share(start)` is the share of the
    window's usual news in by stream time (streams/core/seasons.py `news_share`), floored at `least`
    (the finest window size's share of this one: shorter spans are that size's to judge). The
    verdict keeps its score; only the severity it reaches is read against the raised thresholds.
    """

    inner: GammaPoisson
    share: Callable[[int], float]
    least: float

    @property
    def name(self) -> str:
        return self.inner.name

    def params(self) -> dict[str, float | int | str]:
        return self.inner.params()

    def fresh(self) -> JSON:
        return self.inner.fresh()

    def update(self, state: JSON, observed: int, volume: float, robust: bool = True, start: int = 0) -> JSON:
        return self.inner.update(state, observed, volume, robust, start)

    def judge(self, state: JSON, observed: int, volume: float, start: int = 0) -> Verdict:
        verdict = self.inner.judge(state, observed, volume, start)
        if verdict.severity is None:
            return verdict
        share = max(self.least, min(1.0, self.share(start)))
        raised = tuple(t + math.log10(1.0 / share) for t in self.inner.thresholds)
        return replace(verdict, severity=severity_of(verdict.score, raised))  # type: ignore[arg-type]
