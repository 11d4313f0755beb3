"""Tagger throughput against geotext, measured in the same run on the same corpus.

Builds a deterministic corpus of ~1-3 KB newswire-like articles from sentence templates (nothing is
written to disk), tags it with geopulse's Tagger (countries, actors, events, topics) and with
geotext (countries only), and prints articles/s for both, their ratio and the Tagger's start-up.

    python bench/tagger.py [--articles N] [--seed S] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path

PLACES = [
    ("ALMATY", "Kazakhstan", "Kazakh"), ("DHAKA", "Bangladesh", "Bangladeshi"), ("MOSCOW", "Russia", "Russian"),
    ("WASHINGTON", "the United States", "American"), ("TOKYO", "Japan", "Japanese"), ("PARIS", "France", "French"),
    ("NEW DELHI", "India", "Indian"), ("BEIJING", "China", "Chinese"), ("KYIV", "Ukraine", "Ukrainian"),
    ("LAGOS", "Nigeria", "Nigerian"), ("BONN", "West Germany", "West German"), ("LONDON", "Britain", "British"),
    ("TEHRAN", "Iran", "Iranian"), ("ANKARA", "Turkey", "Turkish"), ("CAIRO", "Egypt", "Egyptian"),
]  # fmt: skip
TEMPLATES = [
    "{adj} police fired tear gas at thousands of protesters in {city} on {day}, witnesses said.",
    "The government of {country} imposed a curfew after two days of unrest in the capital.",
    "{other} said it was seeking answers from {country} about the deployment of troops.",
    "Officials in {country} accused the opposition of inciting violence and arrested 44 activists.",
    "The central bank of {country} left interest rates unchanged, citing inflation and a weaker currency.",
    "Trade between {country} and {other} rose 12 pct in the first quarter, the ministry said.",
    "Foreign ministers of {country} and {other} met in {city} to discuss a ceasefire agreement.",
    "{adj} troops were sent to the border as tensions with {other} rose, state media reported.",
    "The company said net profit rose to 1.2 billion dollars from 980 mln a year earlier.",
    "Analysts said the {adj} economy would grow about three pct this year despite weak exports.",
    "The United Nations called on all sides to show restraint and release detained journalists.",
    "{other} threatened to impose sanctions if {country} did not withdraw its forces.",
    "Prices of crude oil fell on Tuesday as OPEC members disagreed on output quotas.",
    "The opposition leader rejected the proposal and called for a general strike next week.",
]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def corpus(n: int, seed: int) -> list[tuple[str, str]]:
    """(title, body) pairs, deterministic for (n, seed)."""
    rng = random.Random(seed)
    articles = []
    for _ in range(n):
        city, country, adj = rng.choice(PLACES)
        other = rng.choice(PLACES)[1]
        fill = {"city": city.title(), "country": country, "adj": adj, "other": other.removeprefix("the ")}
        fill["other"] = fill["other"][0].upper() + fill["other"][1:]
        lines = [rng.choice(TEMPLATES).format(day=rng.choice(DAYS), **fill) for _ in range(rng.randint(8, 22))]
        body = f"{city}, Jan {rng.randint(1, 28)} (Reuters) - " + " ".join(lines)
        articles.append((rng.choice(TEMPLATES).format(day="Monday", **fill)[:90], body))
    return articles


def rate(fn: object, items: list[object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            fn(item)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from geotext import GeoText

    from schemas import Article

    started = time.perf_counter()
    from streams.core.tagging import Tagger

    tagger = Tagger()
    startup = time.perf_counter() - started
    texts = corpus(args.articles, args.seed)
    when = datetime(2022, 1, 5, tzinfo=UTC)
    articles = [
        Article(id=str(i), source="bench", title=t, body=b, published_at=when) for i, (t, b) in enumerate(texts)
    ]
    ours = rate(tagger.tag, articles)  # type: ignore[arg-type]
    peer = rate(lambda a: GeoText(f"{a.title}\n{a.body}").country_mentions, articles)  # type: ignore[arg-type]
    result = {
        "articles": len(articles),
        "mean_chars": round(sum(len(t) + len(b) for t, b in texts) / len(texts)),
        "tagger_articles_per_s": round(ours, 1),
        "geotext_articles_per_s": round(peer, 1),
        "ratio": round(ours / peer, 3),
        "tagger_startup_s": round(startup, 3),
    }
    for key, value in result.items():
        print(f"{key:>24}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
