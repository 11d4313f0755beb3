"""Running several window sizes over one store: the key-prefixed views and the shared indexes.

The first (shortest) size's tracker dedupes articles and assigns stories; a longer size asks it
(`FollowerIndex`, `FollowerStories`) instead of matching fingerprints again, and keeps only which of
its own windows have seen a story (`sw:<story>`). Stream time is the first size's too: one set of
input-partition watermarks (`FollowerWatermarks`), so every size closes its windows, and tells a
late article, by the same clock. Each size's state lives under `<label>/` in the one store
(`Prefixed`).

>>> window_label(3_600), window_label(86_400), window_label(5_400)
('1h', '1d', '90m')
>>> store = {}
>>> Prefixed(store, "1d/")["clock"] = 1
>>> store
{'1d/clock': 1}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any

from streams.core.dedupe import DedupeIndex, Expiry, StoryIndex
from streams.core.series import SeriesTracker
from streams.core.watermarks import Watermarks
from streams.core.windows import format_duration

__all__ = ["FollowerIndex", "FollowerStories", "FollowerWatermarks", "Prefixed", "RecordingStories", "window_label"]


def window_label(size: int) -> str:
    """ "1h", "6h", "1d", "90m": the short name of a window size in seconds."""
    return format_duration(size)


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

    The first size reads the article in hand (and takes the inputs' idle reports) before a longer
    size sees it; `before` is the newest watermark from before that read, so a far-future article
    is clamped to the same event time at every size.
    """

    def __init__(self, leader: SeriesTracker) -> None:
        super().__init__(leader.store)
        self.leader = leader
        self.before: int | None = None

    @property
    def stream_time(self) -> int | None:
        return self.leader.watermarks.stream_time

    @property
    def newest(self) -> int | None:
        return self.before

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
