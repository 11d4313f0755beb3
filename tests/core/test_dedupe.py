"""Dedupe and story indexes: counted once per id and url, syndicated copies as one story, expiry."""

from __future__ import annotations

import pytest

from streams.core.dedupe import DedupeIndex, Expiry, StoryIndex, normalise_url
from streams.core.fingerprint import encode, sketch

WIRE = ("Russia sent troops to Kazakhstan on Thursday after days of deadly unrest in Almaty as the "
        "president asked a Moscow-led alliance for help, officials said on Friday")  # fmt: skip
OTHER = "Japan and the United States vowed to work together on defence and trade at talks in Tokyo this week"


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://WWW.Example.com/a/b/", "https://example.com/a/b"),
        ("https://example.com/a?utm_source=x&id=3#top", "https://example.com/a?id=3"),
        ("  http://example.com/a?fbclid=1 ", "http://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
    ],
)
def test_normalise_url(url: str, normal: str) -> None:
    assert normalise_url(url) == normal


def test_same_id_or_same_url_is_seen() -> None:
    store: dict[str, object] = {}
    index = DedupeIndex(store, Expiry(store))
    index.remember("a1", "https://example.com/story", exp=100)
    assert index.seen("a1", None)
    assert index.seen("other-id", "https://www.example.com/story/")
    assert not index.seen("a2", "https://example.com/another")


def test_syndicated_copies_share_a_story_and_other_text_does_not() -> None:
    store: dict[str, object] = {}
    stories = StoryIndex(store, Expiry(store), ttl=3_600, min_resemblance=0.5)
    first = stories.assign("a1", encode(sketch(WIRE)), ts=0)
    copy = stories.assign("a2", encode(sketch(WIRE.replace("Friday", "Friday (AP)"))), ts=60)
    other = stories.assign("a3", encode(sketch(OTHER)), ts=90)
    blank = stories.assign("a4", "", ts=95)
    assert (first, copy, other, blank) == ("a1", "a1", "a3", "a4")


def test_story_counts_once_per_window() -> None:
    store: dict[str, object] = {}
    stories = StoryIndex(store, Expiry(store), ttl=3_600, min_resemblance=0.5)
    story = stories.assign("a1", encode(sketch(WIRE)), ts=0)
    assert [stories.first_in_window(story, w) for w in (0, 0, 3_600, 0)] == [True, False, True, False]


def test_expiry_deletes_entries_once_stream_time_passes_them() -> None:
    store: dict[str, object] = {}
    expiry = Expiry(store)
    index = DedupeIndex(store, expiry)
    index.remember("a1", "https://example.com/1", exp=100)
    index.remember("a2", None, exp=500)
    assert expiry.expire(99) == 0 and index.seen("a1", None)
    assert expiry.expire(130) == 2
    assert not index.seen("a1", None) and index.seen("a2", None)
    expiry.expire(10_000)
    assert store == {"x": []}


def test_refreshed_entries_survive_their_first_bucket() -> None:
    store: dict[str, object] = {}
    expiry = Expiry(store)
    stories = StoryIndex(store, expiry, ttl=1_000, min_resemblance=0.5)
    stories.assign("a1", encode(sketch(WIRE)), ts=0)
    stories.assign("a2", encode(sketch(WIRE)), ts=900)  # same story later: its record lives on
    expiry.expire(1_100)
    assert "st:a1" in store
    expiry.expire(2_000)
    assert not [k for k in store if k.startswith(("st:", "sk:"))]
