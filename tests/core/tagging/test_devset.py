"""The tagger on the labelled sets: print per-type and per-country scores, fail below the floors.

Run with `-s` to see the report, or `python -m streams.tools.evaluate tests/data/devset.jsonl
--misses` for the items it gets wrong. The labels and their conventions: tests/data/DEVSET.md.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from schemas import TaggedArticle
from streams.core.tagging.evaluate import Gold, Report, article_of, evaluate, gold_of


@dataclass(frozen=True)
class Floors:
    """What a labelled set must keep scoring (a little below what was measured on it)."""

    country_precision: float
    country_recall: float
    country_f1: float
    event_micro_f1: float
    event_macro_f1: float
    event_type_f1: float  # every PLOVER type, so no single type can silently collapse
    false_alarms: float  # share of the no-event items (sport, business, weather) given an event


# devset.jsonl, 340 items, the set the tagger is tuned on. Measured 2026-11-27 (session 3, after the
# two lexicon rounds driven by events2024): countries micro P 0.968 R 0.995 F1 0.982; events micro
# F1 0.831, macro-F1 0.818 (0.803 before those rounds); no-event items given an event 11/79.
#
# events2024.jsonl, 187 modern wire-style items written in session 3, in three parts, each scored
# untuned first -- the honest estimates for unseen items:
#   e24-001..096 (six per PLOVER type, ten with no event, negation and dating traps): countries F1
#     0.997, event macro-F1 0.779. Then filled: kidnapping and hostage taking, thanks, withdrawn
#     bills, deposits and relief convoys, import bans, envoys ordered out or summoned, massed troops
#     and missile tests, internet cuts, vetoes by blocking; a governed complement ends at
#     "after"/"amid"/"since".
#   e24b-001..053 (three per type, longer bodies), written after that round: countries F1 0.990,
#     event macro-F1 0.788. Then filled: IFI financing, arms deliveries, airdrops, the last troops
#     leaving, joint exercises of any branch, stripped citizenship, strikes by jets/drones/missiles;
#     denials of an allegation, campaign rallies and warnings of famine are no event; Congo after
#     "Democratic Republic of Congo" is COD, Punjab votes between India and Pakistan.
#   e24c-001..038 (two or three per type, five with no event), written after the second round and
#     NOT tuned on: countries F1 0.978, event micro-F1 0.861, macro-F1 0.839.
#   All 187: countries F1 0.994; events micro F1 0.869, macro-F1 0.878; no-event items given an
#   event 2/21.
#
# Session 4 (issue 15): events are coded under ../shared/EVENT_RULES.md and only *reported* events
# count. Eight denial items were relabelled REJECT (see their `note`). The reported-event model is
# trained on these sets (all but e24c) and the real-wire tuning parts, so the scores below are
# in-sample: devset events micro-F1 0.851, macro-F1 0.849, no-event items given an event 8/78;
# events2024 micro-F1 0.906, macro-F1 0.907, 1/20. Out-of-fold (5-fold cross-validation by item,
# `python -m streams.tools.train_reported --cv`): devset 0.814, events2024 0.878. e24c, never tuned
# on: macro-F1 0.859 (0.845 with every found event counted).
#
# Session 5 (issue 15, third round): C and threshold are chosen by 5-fold cross-validation by story
# on the real-wire tuning parts, three fold draws averaged; the chosen model (C 0.05, threshold 0.40,
# no +-3-word context features) fits its training items less. Out-of-fold macro-F1 (same draws):
# devset 0.809, events2024 0.883. In-sample: devset micro-F1 0.818, macro-F1 0.811, 12/78 no-event
# items given an event; events2024 micro 0.871, macro 0.878, 1/20; e24c (never tuned) 0.845 / 0.861
# (was 0.859 / 0.883: one or two of its 38 items). The event floors were lowered to those in-sample
# values for that reason only (they measured fit to training items, not quality on new text).
#
# Raise the floors when the tagger improves; never lower them to let a regression pass.
SETS = {
    "devset.jsonl": Floors(0.94, 0.98, 0.96, 0.81, 0.81, 0.55, 0.16),
    "events2024.jsonl": Floors(0.97, 0.98, 0.97, 0.87, 0.87, 0.60, 0.10),
}

DATA = Path(__file__).resolve().parents[2] / "data"


def _tagging_module() -> object:
    try:
        return importlib.import_module("streams.core.tagging")
    except ModuleNotFoundError as exc:  # only the missing package itself is a reason to skip
        if exc.name not in {"streams.core.tagging", "streams.core.tagging.tagger"}:
            raise
        pytest.skip("streams.core.tagging is not importable yet (the tagger is being built)")


@pytest.fixture(scope="module", params=sorted(SETS))
def scored(request: pytest.FixtureRequest) -> tuple[Report, Floors]:
    tagger = _tagging_module().Tagger.default()  # type: ignore[attr-defined]
    path = DATA / request.param
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold: list[Gold] = [gold_of(r) for r in records]
    predicted: dict[str, TaggedArticle] = {str(r["id"]): tagger.tag(article_of(r)) for r in records}
    result = evaluate(gold, predicted)
    print(f"\n{request.param}\n" + result.format())
    return result, SETS[request.param]


def test_country_precision_recall_and_f1_stay_above_floors(scored: tuple[Report, Floors]) -> None:
    report, floors = scored
    scores = report.country_micro
    measured = f"P {scores.precision:.3f} R {scores.recall:.3f} F1 {scores.f1:.3f}"
    assert scores.precision >= floors.country_precision, measured
    assert scores.recall >= floors.country_recall, measured
    assert scores.f1 >= floors.country_f1, measured


def test_event_type_micro_and_macro_f1_stay_above_floors(scored: tuple[Report, Floors]) -> None:
    report, floors = scored
    measured = f"micro-F1 {report.event_micro.f1:.3f} macro-F1 {report.event_macro_f1:.3f}"
    assert report.event_micro.f1 >= floors.event_micro_f1, measured
    assert report.event_macro_f1 >= floors.event_macro_f1, measured


def test_no_event_type_falls_below_its_floor(scored: tuple[Report, Floors]) -> None:
    report, floors = scored
    weak = {t: round(s.f1, 3) for t, s in report.events.items() if s.support and s.f1 < floors.event_type_f1}
    assert weak == {}, report.format()


def test_few_non_political_items_get_an_event(scored: tuple[Report, Floors]) -> None:
    report, floors = scored
    share = report.false_alarms / report.quiet_items
    assert share <= floors.false_alarms, f"{report.false_alarms}/{report.quiet_items} no-event items got an event"
