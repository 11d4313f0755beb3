"""Spike detection benchmark: our detector against a fixed threshold and a plain z-score, one run.

A synthetic hourly news stream with known truth: countries with heavy-tailed shares of the news, a
daily cycle, busy and quiet days (total volume swings ×0.6–×2), slow trends (some countries'
share doubles or halves over the run), syndication echoes (one wire story copied by up to fifteen
outlets), and injected bursts (a country-topic gaining 4–25 extra stories from several outlets
over one to three hours). Every detector runs inside the same SeriesTracker (same windows, story
dedupe, source gate and warm-up) and sees the same articles.

Reported per detector: recall (bursts alerted within their span plus two hours), detection delay
(first alert minus burst start, in minutes of event time), and false alarms (alerts opened outside
any burst on that country) per 1,000 series-hours. Peers run on articles, as simple volume alerting
does, and on stories, to separate the statistics from syndication-awareness.

    .venv/bin/python bench/detect.py [--days 8] [--seed 7] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas import SCHEMA_VERSION, CountryMention, TaggedArticle
from streams.core.detect import Detector, FixedThreshold, GammaPoisson, ZScore
from streams.core.fingerprint import encode, sketch
from streams.core.series import SeriesTracker, TrackerConfig

T0 = datetime(2024, 3, 4, tzinfo=UTC)
TOPICS = [([], 55), (["diplomacy"], 20), (["conflict"], 15), (["unrest"], 10)]
OUTLETS = [f"outlet{n:02d}.example" for n in range(40)]
WORDS = [f"w{n}" for n in range(5_000)]


@dataclass(frozen=True)
class Burst:
    country: str
    topic: str
    start: datetime
    end: datetime
    stories: int


def countries(rng: random.Random, n: int) -> dict[str, float]:
    """ISO-like codes with Zipf shares of the news (the first is a USA-sized series)."""
    codes = [f"{chr(65 + i // 26)}{chr(65 + i % 26)}X" for i in range(n)]
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(n)]
    total = sum(weights)
    return {code: w / total for code, w in zip(codes, weights, strict=True)}


def text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(45))


def article(n: int, when: datetime, country: str, topics: list[str], source: str, body: str) -> TaggedArticle:
    return TaggedArticle(
        schema_version=SCHEMA_VERSION,
        id=f"b{n}", url=f"https://{source}/{n}", source=source, title=body[:50], published_at=when,
        countries=[CountryMention(code=country, role="location", mentions=2, score=0.8)], topics=topics,
        fingerprint=encode(sketch(body)), tagger_version="bench",
    )  # fmt: skip


def background(rng: random.Random, shares: dict[str, float], days: int, per_hour: float) -> list[TaggedArticle]:
    codes = list(shares)
    trend = {c: rng.choice([0.5, 1.0, 1.0, 1.0, 2.0]) for c in codes}  # share multiplier by the end
    day_scale = [rng.choice([0.6, 1.0, 1.0, 1.0, 1.5, 2.0]) for _ in range(days)]
    topics, topic_weights = zip(*TOPICS, strict=True)
    found: list[TaggedArticle] = []
    for hour in range(days * 24):
        cycle = 1.0 + 0.6 * math.sin(2 * math.pi * ((hour % 24) - 8) / 24)
        progress = hour / (days * 24)
        weights = [shares[c] * trend[c] ** progress for c in codes]
        for _ in range(poisson(rng, per_hour * cycle * day_scale[hour // 24])):
            when = T0 + timedelta(hours=hour, seconds=rng.randrange(3_600))
            country = rng.choices(codes, weights)[0]
            body, story_topics = text(rng), list(rng.choices(topics, topic_weights)[0])
            copies = rng.randint(3, 15) if rng.random() < 0.04 else 1  # a syndicated wire story
            for k in range(copies):
                found.append(article(len(found), when + timedelta(minutes=4 * k), country, story_topics,
                                     rng.choice(OUTLETS), body + f" via {k}"))  # fmt: skip
    return found


def poisson(rng: random.Random, mean: float) -> int:
    count, limit, product = 0, math.exp(-mean), rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def bursts(rng: random.Random, shares: dict[str, float], days: int, n: int) -> list[Burst]:
    codes = list(shares)
    found = []
    for _ in range(n):
        start = T0 + timedelta(days=1, hours=rng.randrange((days - 1) * 24 - 4), minutes=rng.randrange(60))
        hours = rng.randint(1, 3)
        found.append(Burst(rng.choice(codes[3:]), rng.choice(["unrest", "conflict", "diplomacy"]), start,
                           start + timedelta(hours=hours), rng.randint(4, 25)))  # fmt: skip
    return found


def burst_articles(rng: random.Random, burst: Burst, first_id: int) -> list[TaggedArticle]:
    span = (burst.end - burst.start).total_seconds()
    return [
        article(first_id + k, burst.start + timedelta(seconds=rng.uniform(0, span) * (k / burst.stories) ** 0.5),
                burst.country, [burst.topic], OUTLETS[rng.randrange(len(OUTLETS))], text(rng))
        for k in range(burst.stories)
    ]  # fmt: skip


def stream(seed: int, days: int) -> tuple[list[TaggedArticle], list[Burst]]:
    rng = random.Random(seed)
    shares = countries(rng, 80)
    articles = background(rng, shares, days, per_hour=70)
    injected = bursts(rng, shares, days, n=days * 6)
    for burst in injected:
        articles += burst_articles(rng, burst, 10_000_000 + len(articles))
    articles.sort(key=lambda a: a.published_at)
    return articles, injected


def evaluate(name: str, config: TrackerConfig, articles: list[TaggedArticle], truth: list[Burst]) -> dict[str, Any]:
    tracker = SeriesTracker(config)
    opened: list[tuple[str, str, datetime]] = []
    series: set[str] = set()
    began = time.perf_counter()
    for item in articles:
        seen = tracker.observe(item)
        series.update(c.key for c in seen.counts)
        opened += [(a.country, a.topic, item.published_at) for a in seen.alerts if a.status == "open"]
    seconds = time.perf_counter() - began
    delays, false_alarms = [], 0
    for burst in truth:
        hits = [t for c, topic, t in opened if c == burst.country and topic in (burst.topic, "all")
                and burst.start <= t <= burst.end + timedelta(hours=2)]  # fmt: skip
        if hits:
            delays.append((min(hits) - burst.start).total_seconds() / 60)
    for country, _, t in opened:
        if not any(b.country == country and b.start <= t <= b.end + timedelta(hours=2) for b in truth):
            false_alarms += 1
    hours = (articles[-1].published_at - articles[0].published_at).total_seconds() / 3_600 - 24  # after warm-up
    return {
        "detector": name,
        "recall": len(delays) / len(truth),
        "delay_median_min": median(delays),
        "delay_p90_min": quantile(delays, 0.9),
        "false_alarms_per_1k_series_hours": 1_000 * false_alarms / (len(series) * hours),
        "false_alarms": false_alarms,
        "alerts_opened": len(opened),
        "series": len(series),
        "seconds": round(seconds, 1),
    }


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def quantile(values: list[float], q: float) -> float | None:
    return round(sorted(values)[min(len(values) - 1, int(q * len(values)))], 1) if values else None


def contenders() -> list[tuple[str, TrackerConfig]]:
    ours: Detector = GammaPoisson.for_window(timedelta(hours=1))
    return [
        ("gamma-poisson (stories, ours)", TrackerConfig(detector=ours)),
        ("fixed-threshold 8 (articles)", TrackerConfig(detector=FixedThreshold(8), unit="articles")),
        ("z-score 3 (articles)", TrackerConfig(detector=ZScore(3.0), unit="articles")),
        ("fixed-threshold 8 (stories)", TrackerConfig(detector=FixedThreshold(8))),
        ("z-score 3 (stories)", TrackerConfig(detector=ZScore(3.0))),
        ("z-score 6 (stories, stricter)", TrackerConfig(detector=ZScore(6.0))),
    ]


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'detector':32} {'recall':>7} {'delay p50':>10} {'delay p90':>10} {'FA/1k s-h':>10} {'FA':>5} {'opened':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        delays = f"{fmt(r['delay_median_min']):>10} {fmt(r['delay_p90_min']):>10}"
        alarms = f"{r['false_alarms_per_1k_series_hours']:10.2f} {r['false_alarms']:5d} {r['alerts_opened']:7d}"
        lines.append(f"{r['detector']:32} {r['recall']:7.2f} {delays} {alarms}")
    return "\n".join(lines)


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} min"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", dest="json_path", help="also write the results as JSON here")
    args = parser.parse_args(argv)
    articles, truth = stream(args.seed, args.days)
    print(f"{len(articles)} articles over {args.days} days, {len(truth)} injected bursts, hourly windows")
    rows = [evaluate(name, config, articles, truth) for name, config in contenders()]
    print(table(rows))
    if args.json_path:
        with open(args.json_path, "w") as out:
            json.dump({"articles": len(articles), "days": args.days, "bursts": len(truth), "seed": args.seed,
                       "results": rows}, out, indent=2)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
