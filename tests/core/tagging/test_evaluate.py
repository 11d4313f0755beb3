"""The scoring functions against hand-computed cases, and the shape of the labelled dev set."""

from __future__ import annotations

import doctest
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pycountry
import pytest

import streams.core.tagging.evaluate as evaluate_module
from schemas import EVENT_TYPES, CountryMention, Event, TaggedArticle
from streams.core.tagging.evaluate import (
    Gold,
    Miss,
    Score,
    article_of,
    evaluate,
    macro_f1,
    micro,
    predicted_countries,
    predicted_events,
    score_sets,
)

DEVSET = Path(__file__).resolve().parents[2] / "data" / "devset.jsonl"
F = frozenset


def tagged(item_id: str, countries: list[str], events: list[tuple[str, bool]]) -> TaggedArticle:
    """A TaggedArticle with the given country codes and (type, negated) events."""
    return TaggedArticle(
        id=item_id,
        source="test",
        title="t",
        published_at=datetime(2022, 1, 5, tzinfo=UTC),
        tagger_version="test",
        countries=[CountryMention(code=c, role="mentioned", mentions=1, score=0.5) for c in countries],
        events=[
            Event(type=t, cameo="14", trigger="x", sentence="x", negated=n, confidence=0.5)  # type: ignore[arg-type]
            for t, n in events
        ],
    )


# (gold per item, predicted per item) -> (tp, fp, fn, precision, recall, f1), all computed by hand
MICRO_CASES = [
    pytest.param([{"A", "B"}], [{"A"}], (1, 0, 1, 1.0, 0.5, 2 / 3), id="one-missed"),
    pytest.param([{"A"}], [{"A", "C"}], (1, 1, 0, 0.5, 1.0, 2 / 3), id="one-added"),
    pytest.param([{"A"}], [{"A"}], (1, 0, 0, 1.0, 1.0, 1.0), id="exact"),
    pytest.param([set()], [set()], (0, 0, 0, 0.0, 0.0, 0.0), id="nothing-at-all"),
    pytest.param([{"A"}], [set()], (0, 0, 1, 0.0, 0.0, 0.0), id="nothing-predicted"),
    pytest.param([set()], [{"A"}], (0, 1, 0, 0.0, 0.0, 0.0), id="nothing-expected"),
    pytest.param([{"X"}, {"X"}, set()], [{"X"}, set(), {"X"}], (1, 1, 1, 0.5, 0.5, 0.5), id="three-items"),
    pytest.param([{"A", "B", "C"}, {"A"}], [{"A", "B", "D"}, {"B"}], (2, 2, 2, 0.5, 0.5, 0.5), id="mixed-two-items"),
]


@pytest.mark.parametrize(("gold", "predicted", "expected"), MICRO_CASES)
def test_micro_scores_match_hand_computed_counts(
    gold: list[set[str]], predicted: list[set[str]], expected: tuple[int, int, int, float, float, float]
) -> None:
    scores, _ = score_sets((str(i), F(g), F(p)) for i, (g, p) in enumerate(zip(gold, predicted, strict=True)))
    total = micro(scores)
    assert (total.tp, total.fp, total.fn) == expected[:3]
    assert (total.precision, total.recall, total.f1) == pytest.approx(expected[3:])


def test_per_label_counts_are_kept_apart() -> None:
    scores, _ = score_sets([("1", F({"A", "B", "C"}), F({"A", "B", "D"})), ("2", F({"A"}), F({"B"}))])
    assert scores == {"A": Score(1, 0, 1), "B": Score(1, 1, 0), "C": Score(0, 0, 1), "D": Score(0, 1, 0)}
    assert scores["A"].support == 2 and scores["D"].support == 0


def test_misses_list_only_wrong_items_with_their_differences() -> None:
    _, misses = score_sets([("ok", F({"A"}), F({"A"})), ("bad", F({"A", "B"}), F({"A", "C"}))])
    assert misses == [Miss("bad", missed=F({"B"}), added=F({"C"}))]


MACRO_CASES = [
    pytest.param({"T1": Score(1, 0, 0), "T2": Score(0, 1, 1)}, 0.5, id="perfect-and-zero"),
    pytest.param({"T1": Score(1, 1, 0), "T2": Score(1, 0, 1)}, 2 / 3, id="two-thirds-each"),
    pytest.param({"T1": Score(3, 1, 0)}, 6 / 7, id="single-type"),
    pytest.param({}, 0.0, id="no-types"),
]


@pytest.mark.parametrize(("scores", "expected"), MACRO_CASES)
def test_macro_f1_is_the_mean_of_per_type_f1(scores: dict[str, Score], expected: float) -> None:
    assert macro_f1(scores) == pytest.approx(expected)


def test_negated_events_are_not_predicted_and_repeats_count_once() -> None:
    article = tagged("a", ["KAZ", "RUS"], [("ASSAULT", True), ("PROTEST", False), ("PROTEST", False)])
    assert predicted_events(article) == {"PROTEST"}
    assert predicted_countries(article) == {"KAZ", "RUS"}


def test_evaluate_scores_countries_and_events_per_item() -> None:
    gold = [
        Gold("a", F({"KAZ", "RUS"}), F({"PROTEST", "MOBILIZE"})),
        Gold("b", F({"BGD"}), F({"PROTEST"})),
        Gold("c", F({"USA"}), F()),
    ]
    predicted = {
        "a": tagged("a", ["KAZ"], [("PROTEST", False), ("MOBILIZE", False)]),
        "b": tagged("b", ["BGD", "IND"], [("PROTEST", False), ("ASSAULT", True)]),
    }  # "c" has no prediction at all: it counts as an empty one
    report = evaluate(gold, predicted)
    # countries: tp KAZ, BGD; fp IND; fn RUS, USA
    assert (report.country_micro.tp, report.country_micro.fp, report.country_micro.fn) == (2, 1, 2)
    # events: PROTEST 2/2, MOBILIZE 1/1, the negated ASSAULT is ignored
    assert report.events == {"PROTEST": Score(2, 0, 0), "MOBILIZE": Score(1, 0, 0)}
    assert report.event_macro_f1 == 1.0
    assert {m.id for m in report.country_misses} == {"a", "b", "c"}


def test_false_alarms_count_quiet_items_given_a_non_negated_event() -> None:
    gold = [Gold("sport", F({"ESP"}), F()), Gold("weather", F({"IND"}), F()), Gold("riot", F({"KAZ"}), F({"PROTEST"}))]
    predicted = {
        "sport": tagged("sport", ["ESP"], [("ASSAULT", False)]),  # "beat Sevilla" read as an attack
        "weather": tagged("weather", ["IND"], [("ASSAULT", True)]),  # negated: not an alarm
        "riot": tagged("riot", ["KAZ"], [("PROTEST", False), ("ASSAULT", False)]),  # not quiet
    }
    report = evaluate(gold, predicted)
    assert (report.quiet_items, report.false_alarms) == (2, 1)
    assert "items without events that got one: 1/2" in report.format()


def test_report_format_has_a_row_per_type_and_country() -> None:
    gold = [Gold("a", F({"KAZ"}), F({"PROTEST"})), Gold("b", F({"FRA"}), F({"ASSAULT"}))]
    report = evaluate(gold, {"a": tagged("a", ["KAZ"], [("PROTEST", False)])})
    text = report.format(misses=True)
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}
    assert rows["PROTEST"][:4] == ["1", "1.000", "1.000", "1.000"]
    assert rows["ASSAULT"][:4] == ["1", "0.000", "0.000", "0.000"]
    assert rows["FRA"][:4] == ["1", "0.000", "0.000", "0.000"]
    assert "macro-F1 0.500" in text
    assert "b: -FRA" in text and "b: -ASSAULT" in text


def test_module_docstring_example_runs() -> None:
    result = doctest.testmod(evaluate_module)
    assert result.attempted > 0 and result.failed == 0


# --- the dev set itself ---------------------------------------------------------------------------

MIN_ITEMS = 320
MIN_PER_TYPE = 12
MIN_COUNTRIES = 60
MIN_NO_EVENT = 40
# Words the dev set must exercise (case-sensitive, looked up in title + body).
HARD_CASES = [
    "denied", "were sent", "Nice", "Reading", "Jordan", "Chad", "Georgia", "Victoria", "turkey",
    "Niger", "Nigeria", "Guinea-Bissau", "Equatorial Guinea", "Papua New Guinea", "Republic of Congo",
    "Democratic Republic of Congo", "South Sudan", "Sudan", " us ", "US", "Russian-led", "Saudi-backed",
    "Kremlin", "Whitehall", "Downing Street", "Pentagon", "Elysee", "Beijing", "Bundesbank",
    "West German", "Soviet Union", "PEKING", "Bonn", "European Community", "Zaire", "Published:",
]  # fmt: skip


@pytest.fixture(scope="module")
def devset() -> list[dict[str, Any]]:
    return _records(DEVSET)


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", [DEVSET, DEVSET.with_name("events2024.jsonl")], ids=lambda p: p.name)
def test_labelled_records_are_well_formed(path: Path) -> None:
    records = _records(path)
    assert len({r["id"] for r in records}) == len(records)
    for record in records:
        assert set(record) - {"note"} == {"id", "title", "body", "published_at", "source", "countries", "events"}
        article_of(record)  # validates as an Article: non-empty title, aware timestamp, ...
        assert record["body"].strip(), record["id"]
        assert len(set(record["events"])) == len(record["events"]), record["id"]
        assert set(record["events"]) <= set(EVENT_TYPES), record["id"]
        assert len(set(record["countries"])) == len(record["countries"]), record["id"]


@pytest.mark.parametrize("path", [DEVSET, DEVSET.with_name("events2024.jsonl")], ids=lambda p: p.name)
def test_labelled_countries_are_iso3_codes(path: Path) -> None:
    unknown = {c for r in _records(path) for c in r["countries"] if pycountry.countries.get(alpha_3=c) is None}
    assert not unknown


def test_devset_covers_every_type_many_countries_and_non_events(devset: list[dict[str, Any]]) -> None:
    per_type = Counter(t for r in devset for t in r["events"])
    assert len(devset) >= MIN_ITEMS
    assert {t: per_type[t] for t in EVENT_TYPES if per_type[t] < MIN_PER_TYPE} == {}
    assert len({c for r in devset for c in r["countries"]}) >= MIN_COUNTRIES
    assert sum(1 for r in devset if not r["events"]) >= MIN_NO_EVENT


def test_devset_exercises_the_hard_cases(devset: list[dict[str, Any]]) -> None:
    texts = [f" {r['title']} {r['body']} " for r in devset]
    assert [word for word in HARD_CASES if not any(word in text for text in texts)] == []
