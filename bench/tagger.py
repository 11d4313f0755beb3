"""Tagger throughput against geotext, measured in the same run on the same corpus.

Builds a deterministic corpus of ~1-3 KB newswire-like articles from sentence templates (nothing is
written to disk), tags it with geopulse's Tagger (countries, actors, events, topics) and with
geotext (countries only), and prints articles/s for both, their ratio and the Tagger's start-up.

Both taggers get a warm-up pass, then `--repeat` timed passes each, alternating ours and geotext so
that load from other processes on a shared machine hits both alike. Rates are medians over the
passes; the ratio is the median of the per-round ratios. Start-up is measured in fresh interpreters
(import of the tagging package plus `Tagger()`), median of three.

On a machine shared with other work, `--clock cpu` times each pass by this process's CPU time
(both taggers are single-threaded and CPU-bound), which other processes disturb less than wall time.

    python bench/tagger.py [--articles N] [--seed S] [--repeat R] [--clock wall|cpu] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
STARTUP = (
    "import time; t = time.perf_counter(); from streams.core.tagging import Tagger; Tagger(); "
    "print(time.perf_counter() - t)"
)


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


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def seconds(
    fn: Callable[[Any], object], items: Sequence[object], clock: Callable[[], float] = time.perf_counter
) -> float:
    """Time of one pass of `fn` over `items` by `clock`."""
    start = clock()
    for item in items:
        fn(item)
    return clock() - start


def race(
    ours: Callable[[Any], object], peer: Callable[[Any], object], items: Sequence[object], repeat: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:  # fmt: skip
    """Median articles/s of both and the median per-round ratio, after one warm-up pass each."""
    seconds(ours, items, clock), seconds(peer, items, clock)
    rounds = [(seconds(ours, items, clock), seconds(peer, items, clock)) for _ in range(repeat)]
    ours_s, peer_s = statistics.median(o for o, _ in rounds), statistics.median(p for _, p in rounds)
    return {
        "tagger_articles_per_s": round(len(items) / ours_s, 1),
        "geotext_articles_per_s": round(len(items) / peer_s, 1),
        "tagger_us_per_article": round(ours_s / len(items) * 1e6, 1),
        "geotext_us_per_article": round(peer_s / len(items) * 1e6, 1),
        "ratio": round(statistics.median(p / o for o, p in rounds), 3),
    }


def startup(runs: int = 3) -> float:
    """Median seconds to import the tagging package and build a Tagger, in fresh interpreters."""
    times = [float(subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True).stdout)
             for _ in range(runs)]  # fmt: skip
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes per tagger (median reported)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall", help="wall time or process CPU time")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    args = parser.parse_args()

    from geotext import GeoText

    from schemas import Article
    from streams.core.tagging import Tagger

    tagger = Tagger()
    texts = corpus(args.articles, args.seed)
    when = datetime(2022, 1, 5, tzinfo=UTC)
    articles = [
        Article(id=str(i), source="bench", title=t, body=b, published_at=when) for i, (t, b) in enumerate(texts)
    ]
    result: dict[str, object] = {
        "articles": len(articles),
        "mean_chars": round(sum(len(t) + len(b) + 1 for t, b in texts) / len(texts)),
        "repeat": args.repeat,
        "clock": args.clock,
        **race(
            tagger.tag,
            lambda a: GeoText(f"{a.title}\n{a.body}").country_mentions,
            articles,
            args.repeat,
            CLOCKS[args.clock],
        ),
        "tagger_startup_s": round(startup(), 3),
    }
    for key, value in result.items():
        print(f"{key:>24}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
