"""The tagger on 1987-style newswire: print per-country scores, fail below the floors.

`tests/data/newswire87.jsonl` holds 146 hand-written items in the style of 1987 Reuters economic
wire copy (ALL-CAPS headline, "TOKYO, March 3 -" dateline, "Reuter" sign-off; hard-wrapped bodies,
headline-in-`text` records and separate `dateline` fields mixed in), 77 labelled countries. Our own
sentences; the events are modelled on the period but are not a factual record.

Labels (`countries`) follow tests/data/DEVSET.md with one rule spelled out for wire copy: the
dateline's country, and the countries acting or affected, as an editor would list them — not a
country named only in passing (a list of other buyers, a meeting's venue, a market quote). Those
are listed separately under `passing`. The Reuters "places" field is known to be more generous
(it lists countries named in passing), so the set is scored both ways: strict (`countries`) and
inclusive (`countries` + `passing`). Historical names follow DEVSET.md: Soviet Union / USSR → RUS,
West and East Germany → DEU, Yugoslavia → SRB, Zaire → COD, Burma → MMR.

Run `python -m streams.tools.evaluate tests/data/newswire87.jsonl --misses [--inclusive]`
to see the errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas import TaggedArticle
from streams.core.tagging import Tagger
from streams.core.tagging.evaluate import Gold, Report, Score, article_of, evaluate, gold_of

# Measured on 2026-11-27 with Tagger.default(), each part before the fixes it led to:
#   nw87-001..065, written first:                        strict F1 0.853, inclusive F1 1.000
#   nw87-066..131, written after the first fixes, unseen: strict P 0.714 R 0.972 F1 0.824, inclusive 0.967
#   nw87-132..146, written after the second fixes, unseen: strict P 0.654 R 1.000 F1 0.791, inclusive 0.980
#   all 146 after the fixes:   strict P 0.732 R 0.993 F1 0.843, inclusive P 0.995 R 0.988 F1 0.991
# The strict precision is low by design: the tagger emits every country the text names (see
# salience.py), because dropping weak mentions lowers the dev set and the inclusive score more
# than it raises this one. Expect fresh wire copy to score like the unseen parts, not the whole.
STRICT_F1_FLOOR = 0.83
STRICT_RECALL_FLOOR = 0.97
INCLUSIVE_F1_FLOOR = 0.97
INCLUSIVE_PRECISION_FLOOR = 0.97

NEWSWIRE = Path(__file__).resolve().parents[2] / "data" / "newswire87.jsonl"


def _records() -> list[dict[str, object]]:
    return [json.loads(line) for line in NEWSWIRE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def tagged() -> tuple[list[Gold], dict[str, TaggedArticle]]:
    tagger = Tagger.default()
    records = _records()
    return [gold_of(r) for r in records], {str(r["id"]): tagger.tag(article_of(r)) for r in records}


@pytest.fixture(scope="module")
def strict(tagged: tuple[list[Gold], dict[str, TaggedArticle]]) -> Report:
    gold, predicted = tagged
    report = evaluate(gold, predicted)
    print("\nnewswire87, strict labels\n" + _country_lines(report))
    return report


@pytest.fixture(scope="module")
def inclusive(tagged: tuple[list[Gold], dict[str, TaggedArticle]]) -> Report:
    gold, predicted = tagged
    report = evaluate([g.inclusive() for g in gold], predicted)
    print("\nnewswire87, inclusive labels\n" + _country_lines(report))
    return report


def _country_lines(report: Report) -> str:
    """The country part of the report (the set has no event labels)."""
    text = report.format()
    summary = text.splitlines()[1]
    return summary + "\n" + text[text.index("country ") :]


def _measured(score: Score) -> str:
    return f"P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f}"


def test_the_set_is_large_and_varied() -> None:
    records = _records()
    countries = {code for r in records for code in r["countries"]}  # type: ignore[attr-defined]
    assert len(records) >= 120 and len(countries) >= 40
    assert len({r["id"] for r in records}) == len(records)


def test_strict_country_scores_stay_above_floors(strict: Report) -> None:
    scores = strict.country_micro
    assert scores.f1 >= STRICT_F1_FLOOR, _measured(scores)
    assert scores.recall >= STRICT_RECALL_FLOOR, _measured(scores)


def test_inclusive_country_scores_stay_above_floors(inclusive: Report) -> None:
    scores = inclusive.country_micro
    assert scores.f1 >= INCLUSIVE_F1_FLOOR, _measured(scores)
    assert scores.precision >= INCLUSIVE_PRECISION_FLOOR, _measured(scores)
