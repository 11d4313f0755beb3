"""Counting each article and each story once, with state in a key-value store.

Three indexes, one store key per entry so each write stays small (a faust changelog record each):

- `id:<article id>` and `url:<normalised url>`: articles already counted. A redelivered message or
  a re-post under the same URL is a duplicate.
- `sk:<sketch value>` → story id, and `st:<story id>` → the story's fingerprint: syndicated copies
  of one wire story share MinHash sketch values, so a new article whose fingerprint resembles a
  recent story's (at least `min_resemblance`) joins that story. A story's id is the id of its first
  article.

Every entry carries `exp` (event-time seconds); `Expiry` deletes it once stream time passes, using
one-minute buckets `x:<second>` listed under `x`, so the store stays bounded without scanning it.

>>> store = {}
>>> stories = StoryIndex(store, Expiry(store), ttl=3_600, min_resemblance=0.5)
>>> wire = "Russia sent troops to Kazakhstan on Thursday after days of deadly unrest in Almaty"
>>> first = stories.assign("a1", encode(sketch(wire)), ts=0)
>>> first, stories.assign("a2", encode(sketch(wire + " (AP)")), ts=5)
('a1', 'a1')
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from streams.core.fingerprint import decode, encode, resemblance, sketch

__all__ = ["DedupeIndex", "Expiry", "StoryIndex", "encode", "normalise_url", "sketch"]

Store = MutableMapping[str, Any]
BUCKET = 60
_TRACKING = ("utm_", "fbclid", "gclid", "ocid", "cmpid")


def normalise_url(url: str) -> str:
    """The URL with scheme and host lower-cased, no fragment, tracking parameters or trailing /."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith(_TRACKING)]
    path = parts.path.rstrip("/")
    host = parts.netloc.lower().removeprefix("www.")
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))


class Expiry:
    """Deletes store entries whose `exp` has passed, bucketed by the minute of their expiry."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def schedule(self, key: str, exp: int) -> None:
        bucket = -(-exp // BUCKET) * BUCKET
        name = f"x:{bucket}"
        listed = self.store.get(name)
        self.store[name] = [*listed, key] if listed else [key]
        if listed is None:  # a new bucket: list it, keeping `x` sorted
            buckets: list[int] = self.store.get("x", [])
            at = bisect_left(buckets, bucket)
            if at == len(buckets) or buckets[at] != bucket:
                self.store["x"] = [*buckets[:at], bucket, *buckets[at:]]

    def expire(self, now: int) -> int:
        """Delete entries that expired by stream time `now`; returns how many were deleted."""
        buckets: list[int] = self.store.get("x", [])
        split = bisect_right(buckets, now)  # `x` is sorted: the due buckets come first
        if not split:
            return 0
        due = buckets[:split]
        self.store["x"] = buckets[split:]
        deleted = 0
        for bucket in due:
            for key in self.store.pop(f"x:{bucket}", []):
                deleted += self._expire_key(key, now)
        return deleted

    def _expire_key(self, key: str, now: int) -> int:
        entry = self.store.get(key)
        if entry is None:
            return 0
        if entry["exp"] <= now:
            del self.store[key]
            return 1
        self.schedule(key, entry["exp"])  # refreshed since it was scheduled
        return 0


class DedupeIndex:
    """Article ids and URLs counted recently."""

    def __init__(self, store: Store, expiry: Expiry) -> None:
        self.store, self.expiry = store, expiry

    def keys_of(self, article_id: str, url: str | None) -> list[str]:
        keys = [f"id:{article_id}"]
        if url:
            keys.append(f"url:{normalise_url(url)}")
        return keys

    def seen(self, article_id: str, url: str | None) -> bool:
        return any(key in self.store for key in self.keys_of(article_id, url))

    def remember(self, article_id: str, url: str | None, exp: int) -> None:
        for key in self.keys_of(article_id, url):
            self.store[key] = {"id": article_id, "exp": exp}
            self.expiry.schedule(key, exp)


class StoryIndex:
    """Assigns each article to a story (syndicated near-duplicates share one)."""

    def __init__(self, store: Store, expiry: Expiry, ttl: int, min_resemblance: float) -> None:
        self.store, self.expiry, self.ttl, self.min_resemblance = store, expiry, ttl, min_resemblance

    def assign(self, article_id: str, fingerprint: str, ts: int) -> str:
        """The story id of an article with this fingerprint published at `ts`."""
        values = decode(fingerprint) if fingerprint else ()
        story = self._match(values) or article_id
        exp = ts + self.ttl
        record = self.store.get(f"st:{story}", {"fp": fingerprint, "w": [], "exp": exp})
        if record["exp"] < exp:
            record = {**record, "exp": exp}
        self._put(f"st:{story}", record)
        for value in values:
            self._index(f"sk:{value:08x}", story, exp)
        return story

    def first_in_window(self, story: str, start: int) -> bool:
        """True the first time `story` is seen in the window starting at `start` (then remembers)."""
        record = self.store[f"st:{story}"]
        if start in record["w"]:
            return False
        self.store[f"st:{story}"] = {**record, "w": sorted([*record["w"], start])[-8:]}
        return True

    def _match(self, values: tuple[int, ...]) -> str | None:
        candidates = sorted({entry["story"] for v in values if (entry := self.store.get(f"sk:{v:08x}"))})
        best, best_score = None, self.min_resemblance
        for story in candidates:
            record = self.store.get(f"st:{story}")
            score = resemblance(values, decode(record["fp"])) if record else 0.0
            if score >= best_score and (best is None or score > best_score):
                best, best_score = story, score
        return best

    def _index(self, key: str, story: str, exp: int) -> None:
        entry = self.store.get(key)
        if entry is None or (entry["story"] == story and entry["exp"] < exp - self.ttl // 2):
            self._put(key, {"story": story, "exp": exp})

    def _put(self, key: str, value: dict[str, Any]) -> None:
        if key not in self.store:
            self.expiry.schedule(key, value["exp"])
        self.store[key] = value
