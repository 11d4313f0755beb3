"""Seeded generators of bad (and odd but valid) `articles` messages for the fuzz test.

Each bad message is bad by construction, for one stated reason; odd-but-valid ones (year 0001 in
UTC, control characters, thousands of place names, binary keys, unknown fields) must be processed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import orjson

from schemas.article import MAX_BODY_CHARS

KAFKA_MAX_REQUEST = 1_048_576  # kafka-python's max_request_size default (and Kafka's message.max.bytes)
PLACES = ("Almaty", "Kazakhstan", "Dhaka", "Bangladesh", "Paris", "France", "Tokyo", "Japan", "Lima", "Peru")


def good_article(n: int, rng: random.Random, prefix: str = "good") -> dict[str, object]:
    when = datetime(2022, 1, 5, tzinfo=UTC) + timedelta(minutes=rng.randrange(60 * 24 * 3))
    place = rng.choice(PLACES)
    return {"id": f"{prefix}-{n}", "source": rng.choice(["wire", "daily", "herald"]),
            "title": f"Protesters gather in {place} ({n})", "published_at": when.isoformat(),
            "body": f"Police in {place} dispersed a crowd on day {n}. Talks in {rng.choice(PLACES)}."}  # fmt: skip


def _bad_utf8(rng: random.Random, base: dict[str, object]) -> bytes:
    raw = bytearray(orjson.dumps(base))
    raw.insert(rng.randrange(len(raw)), rng.choice([0xFF, 0xFE, 0xC0, 0x80, 0xED]))
    return bytes(raw)


def _bad_json(rng: random.Random, base: dict[str, object]) -> bytes:
    raw = orjson.dumps(base)
    return rng.choice([raw[: rng.randrange(1, len(raw) - 1)], b"", b"   ", b"{'id': 1}", b"NaN", b"{,}",
                       bytes(rng.randrange(32, 127) for _ in range(rng.randrange(1, 200))) + b"{"])  # fmt: skip


def _not_object(rng: random.Random, base: dict[str, object]) -> bytes:
    return orjson.dumps(rng.choice([[base], 42, "article", None, True, [], 3.5]))


def _wrong_types(rng: random.Random, base: dict[str, object]) -> bytes:
    # (numbers are not wrong for published_at: pydantic reads them as unix seconds)
    field = rng.choice(["id", "source", "title", "published_at", "authors", "language"])
    wrong = {"authors": "x", "published_at": rng.choice([["x"], {"a": 1}])}.get(field)
    return orjson.dumps({**base, field: wrong if wrong is not None else rng.choice([12345, ["x"], {"a": 1}, False])})


def _missing(rng: random.Random, base: dict[str, object]) -> bytes:
    gone = rng.choice(["id", "source", "title", "published_at"])
    return orjson.dumps({k: v for k, v in base.items() if k != gone})


def _empty_fields(rng: random.Random, base: dict[str, object]) -> bytes:
    return orjson.dumps({**base, rng.choice(["id", "source", "title"]): rng.choice(["", "   ", "\t\n"])})


def _bad_dates(rng: random.Random, base: dict[str, object]) -> bytes:
    # (a time without a zone is not wrong: it is read as UTC, see streams/core/published.py)
    date = rng.choice(["2022-01-05T09:00:00+25:00", "2022-01-05", "0000-01-01T00:00:00Z", "yesterday",
                       "2022-13-45T99:00:00Z", "", "10000-01-01T00:00:00Z"])  # fmt: skip
    return orjson.dumps({**base, "published_at": date})


def _future(rng: random.Random, base: dict[str, object]) -> bytes:
    ahead = datetime.now(UTC) + timedelta(days=rng.randrange(1, 3000))
    return orjson.dumps({**base, "published_at": rng.choice([ahead.isoformat(), "9999-12-31T23:59:59Z"])})


def _too_long_body(rng: random.Random, base: dict[str, object]) -> bytes:
    """Over the Article's body limit but under Kafka's message limit: the edge must dead-letter it."""
    return orjson.dumps({**base, "body": "x" * (MAX_BODY_CHARS + rng.randrange(1, 400_000))})


def _too_large(rng: random.Random, base: dict[str, object]) -> bytes:
    """Over geopulse's 1,000,000-byte message limit, still under what Kafka accepts."""
    return orjson.dumps({**base, "body": "y" * rng.randrange(1_000_050, KAFKA_MAX_REQUEST - 2_000)})


BAD: dict[str, Callable[[random.Random, dict[str, object]], bytes]] = {
    "invalid_utf8": _bad_utf8, "invalid_json": _bad_json, "not_an_object": _not_object,
    "wrong_types": _wrong_types, "missing_field": _missing, "empty_field": _empty_fields,
    "bad_date": _bad_dates, "future_dated": _future, "body_over_limit": _too_long_body,
    "too_large": _too_large,
}  # fmt: skip
HEAVY = {"body_over_limit", "too_large"}  # ~1 MB each: a few per run
KIND = {"invalid_utf8": "invalid_utf8", "invalid_json": "invalid_json", "not_an_object": "not_an_object",
        "future_dated": "future_dated", "too_large": "too_large"}  # fmt: skip
"""The dead-letter reason each bad message must get (any other: invalid_article)."""


def odd_but_valid(n: int, rng: random.Random) -> dict[str, object]:
    """A valid article with an extreme but legal feature."""
    base = good_article(n, rng, prefix="odd")
    kind = n % 5
    if kind == 0:
        return {**base, "published_at": "0001-01-01T00:00:00Z"}
    if kind == 1:
        return {**base, "title": "Riot\x00 in \x07Almaty\x1b[31m\u202e", "body": "\x0b\x0c" + str(base["body"])}
    if kind == 2:
        return {**base, "body": " ".join(rng.choice(PLACES) for _ in range(5_000))}
    if kind == 3:
        return {**base, "unknown": {"deep": [1, 2, 3]}, "authors": ["A"] * 64, "language": "kk-Cyrl-KZ"}
    return {**base, "published_at": "2022-01-05T09:00:00+14:00"}


def bad_messages(count: int, seed: int) -> list[tuple[bytes | None, bytes, str]]:
    """`count` bad (key, value, what) triples; keys are sometimes binary, sometimes absent."""
    rng = random.Random(seed)
    light = [name for name in BAD if name not in HEAVY]
    out = []
    for n in range(count):
        name = rng.choice(sorted(HEAVY)) if n % 250 == 0 else rng.choice(light)
        value = BAD[name](rng, good_article(n, rng, prefix="bad"))
        out.append((binary_key(rng), value, name))
    return out


def binary_key(rng: random.Random) -> bytes | None:
    return rng.choice([None, b"", rng.randbytes(rng.randrange(1, 64)), "ключ".encode()])
