"""Deterministic newswire-like articles (≈1–4 KB, 40 countries) for bench/pipeline.py.

Built at run time from the demo's hand-written templates (streams/demo/templates.toml): each article
is one story — a lead, then details of its kind and sentences of a related story about the same
country — until the body reaches a length drawn between 1 and 4 KB. Nothing is written to disk.

>>> a, b = articles(2, seed=1, prefix="x", start=datetime(2022, 1, 4, tzinfo=UTC), span=timedelta(hours=1))
>>> a == articles(2, seed=1, prefix="x", start=datetime(2022, 1, 4, tzinfo=UTC), span=timedelta(hours=1))[0]
True
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import orjson

from streams.demo.sample import expand, fill

MIN_BYTES, MAX_BYTES = 1000, 4000


@cache
def templates() -> dict[str, Any]:
    return tomllib.loads(resources.files("streams.demo").joinpath("templates.toml").read_text(encoding="utf-8"))


def kinds() -> list[Mapping[str, Any]]:
    """Every story kind: background topics and surge kinds (protests, clashes, curfews, ...)."""
    data = templates()
    return [*data["background"].values(), *data["surge"]["kinds"].values()]


def slots(country: Mapping[str, Any], other: Mapping[str, Any], when: datetime, rng: random.Random) -> dict[str, Any]:
    def name(c: Mapping[str, Any]) -> str:
        return ("the " if c.get("the") else "") + str(c["name"])

    goals = rng.randint(1, 4)
    values: dict[str, Any] = {
        "country": name(country), "capital": country["capital"], "other": name(other),
        "city": rng.choice([country["capital"], *country["cities"]]), "weekday": f"{when:%A}",
        "n": rng.randint(2, 9), "big": f"{rng.randint(12, 950) * 100:,}", "pct": f"{rng.uniform(1.5, 9.9):.1f}",
        "score": f"{goals}-{rng.randint(0, goals - 1)}", "temp": rng.randint(35, 44), "squad": rng.randint(18, 26),
        "injured": rng.randint(20, 220), "detained": f"{rng.randint(4, 40) * 100:,}", "share": rng.randint(24, 46),
    }  # fmt: skip
    values["context"] = fill(rng.choice(templates()["surge"]["contexts"]), values, rng)
    return values


def article(serial: int, prefix: str, when: datetime, rng: random.Random) -> dict[str, Any]:
    """One article as the JSON object producers put on `articles`."""
    data = templates()
    country, other = rng.sample(data["places"]["countries"], 2)
    values = slots(country, other, when, rng)
    kind, related = rng.sample(kinds(), 2)
    lead = rng.randrange(len(kind["leads"]))
    pool = [*rng.sample(kind["details"], len(kind["details"])), *related["leads"], *related["details"]]
    sentences, target = [expand(kind["leads"][lead], values, rng)], rng.randint(MIN_BYTES, MAX_BYTES)
    while pool and sum(len(s) + 1 for s in sentences) < target:
        sentences.append(expand(pool.pop(0) if len(sentences) < 4 else pool.pop(rng.randrange(len(pool))), values, rng))
    outlet = rng.choice(data["outlets"])
    paragraphs = [" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]
    return {
        "id": f"{prefix}-{serial}",
        "url": f"https://{outlet['domain']}/{when:%Y/%m/%d}/{prefix}-{serial}",
        "source": outlet["domain"],
        "title": expand(kind["titles"][lead], values, rng),
        "body": "\n\n".join(paragraphs),
        "published_at": when.isoformat().replace("+00:00", "Z"),
        "authors": rng.sample(outlet["staff"], 1),
    }


def articles(n: int, *, seed: int, prefix: str, start: datetime, span: timedelta) -> list[tuple[bytes, bytes]]:
    """`n` (key, value) messages published evenly over [start, start + span), deterministic for the arguments."""
    rng = random.Random(f"{seed}/{prefix}")
    step = span / max(n, 1)
    out = []
    for i in range(n):
        value = article(i, prefix, start + i * step, rng)
        out.append((value["id"].encode(), orjson.dumps(value)))
    return out


if __name__ == "__main__":
    sample = articles(1000, seed=0, prefix="s", start=datetime(2022, 1, 2, tzinfo=UTC), span=timedelta(hours=24))
    sizes = sorted(len(v) for _, v in sample)
    print(f"{len(sample)} articles, bytes p10/p50/p90: {sizes[100]}/{sizes[500]}/{sizes[900]}")
    print(sample[0][1].decode()[:1500])
