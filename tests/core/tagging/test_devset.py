"""The tagger on the labelled dev set: print per-type and per-country scores, fail below the floors.

Run with `-s` to see the report, or `python -m streams.core.tagging.evaluate tests/data/devset.jsonl
--misses` for the items it gets wrong. The labels and their conventions: tests/data/DEVSET.md.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from schemas import TaggedArticle
from streams.core.tagging.evaluate import Gold, Report, article_of, evaluate, gold_of

# Floors, set a little below what Tagger.default() measured on this 340-item dev set on
# 2026-11-27 (tagger-1.0+51fb5842, commit 3e3afe6):
#   countries  micro P 0.959  R 0.993  F1 0.976
#   events     micro P 0.796  R 0.837  F1 0.816   macro-F1 0.803   lowest per-type F1 0.643 (COOPERATE)
#   no-event items given an event: 11/79 (0.14)
# The tagger is tuned on this set. On 50 fresh items written the same day in the same style and
# not committed it measured about the same (country F1 0.977, event micro-F1 0.835, macro-F1 0.784),
# so the set is not overfitted yet; longer, real newswire will score lower. Raise the floors when
# the tagger improves; never lower them to let a regression pass.
COUNTRY_PRECISION_FLOOR = 0.94
COUNTRY_RECALL_FLOOR = 0.98
COUNTRY_F1_FLOOR = 0.96
EVENT_MICRO_F1_FLOOR = 0.79
EVENT_MACRO_F1_FLOOR = 0.78
EVENT_TYPE_F1_FLOOR = 0.55  # every PLOVER type, so no single type can silently collapse
FALSE_ALARM_CEILING = 0.18  # share of the no-event items (sport, business, weather) given an event

DEVSET = Path(__file__).resolve().parents[2] / "data" / "devset.jsonl"


def _tagging_module() -> object:
    try:
        return importlib.import_module("streams.core.tagging")
    except ModuleNotFoundError as exc:  # only the missing package itself is a reason to skip
        if exc.name not in {"streams.core.tagging", "streams.core.tagging.tagger"}:
            raise
        pytest.skip("streams.core.tagging is not importable yet (the tagger is being built)")


@pytest.fixture(scope="module")
def report() -> Report:
    tagger = _tagging_module().Tagger.default()  # type: ignore[attr-defined]
    records = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold: list[Gold] = [gold_of(r) for r in records]
    predicted: dict[str, TaggedArticle] = {str(r["id"]): tagger.tag(article_of(r)) for r in records}
    result = evaluate(gold, predicted)
    print("\n" + result.format())
    return result


def test_country_precision_recall_and_f1_stay_above_floors(report: Report) -> None:
    scores = report.country_micro
    measured = f"P {scores.precision:.3f} R {scores.recall:.3f} F1 {scores.f1:.3f}"
    assert scores.precision >= COUNTRY_PRECISION_FLOOR, measured
    assert scores.recall >= COUNTRY_RECALL_FLOOR, measured
    assert scores.f1 >= COUNTRY_F1_FLOOR, measured


def test_event_type_micro_and_macro_f1_stay_above_floors(report: Report) -> None:
    measured = f"micro-F1 {report.event_micro.f1:.3f} macro-F1 {report.event_macro_f1:.3f}"
    assert report.event_micro.f1 >= EVENT_MICRO_F1_FLOOR, measured
    assert report.event_macro_f1 >= EVENT_MACRO_F1_FLOOR, measured


def test_no_event_type_falls_below_its_floor(report: Report) -> None:
    weak = {t: round(s.f1, 3) for t, s in report.events.items() if s.support and s.f1 < EVENT_TYPE_F1_FLOOR}
    assert weak == {}, report.format()


def test_few_non_political_items_get_an_event(report: Report) -> None:
    share = report.false_alarms / report.quiet_items
    assert share <= FALSE_ALARM_CEILING, f"{report.false_alarms}/{report.quiet_items} no-event items got an event"
