"""The real-wire labelled set: Reuters 1987 stories, labelled under EVENT_RULES.md, text joined at run time.

`tests/data/reuters87-events.jsonl` holds ids and labels only; the text is Reuters' and is read
from `../shared/data/reuters87-dev.jsonl.gz`. How the stories were chosen and split:
`streams/tools/reuters87_set.py`; the labels and the scores: tests/data/DEVSET.md.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pycountry
import pytest

from schemas import EVENT_TYPES, TaggedArticle
from streams.core.tagging import Tagger
from streams.core.tagging.evaluate import Report, article_of, evaluate, gold_of
from streams.tools import reuters87_set
from streams.tools.evaluate import load

LABELS = reuters87_set.LABELS
WIRE = reuters87_set.wire_path()

pytestmark = pytest.mark.skipif(not WIRE.exists(), reason=f"the shared wire file {WIRE} is not beside the repo")

# Measured 2026-12-05 (session 4, issue 15), Tagger.default() with the shipped reported-event model:
#   all 511 items: countries micro F1 0.756; events micro-F1 0.781, macro-F1 0.672 (tuning parts included).
#   r87c (117 items, never tuned on): countries F1 0.689; events micro-F1 0.504, macro-F1 0.367
#   (the session-3 tagger, untuned: 0.366 / 0.296).
# Several types occur once or twice in r87c, so one item moves its macro-F1 by ~0.03; no per-type
# floor is set for this set (COOPERATE, RETREAT and COERCE score 0 on r87c), see the issue-15 note.
FLOORS = {
    "all": {"country_f1": 0.74, "event_micro_f1": 0.75, "event_macro_f1": 0.64},
    "r87c": {"country_f1": 0.67, "event_micro_f1": 0.48, "event_macro_f1": 0.34},
}


def _labels() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_set_keeps_ids_and_labels_only() -> None:
    for record in _labels():
        assert set(record) == {"id", "part", "countries", "location", "events"}, record["id"]


def test_the_set_is_the_documented_sample_in_its_documented_parts() -> None:
    records = _labels()
    stories = reuters87_set.read_wire(WIRE)
    first, second = reuters87_set.choose(stories), reuters87_set.rest(stories)
    assert [r["id"] for r in records] == first + second
    assert all(r["part"] == reuters87_set.part_of(r["id"]) for r in records[: len(first)])
    assert all(r["part"] == reuters87_set.SECOND_ROUND for r in records[len(first) :])
    parts = Counter(r["part"] for r in records)
    assert set(parts) == {"r87a", "r87b", "r87c", "r87t"} and min(parts.values()) >= 100


def test_labels_are_valid_codes_and_types() -> None:
    records = _labels()
    for record in records:
        assert set(record["events"]) <= set(EVENT_TYPES), record["id"]
        assert len(set(record["events"])) == len(record["events"]), record["id"]
        codes = set(record["countries"]) | ({record["location"]} if record["location"] else set())
        assert all(pycountry.countries.get(alpha_3=c) is not None for c in codes), record["id"]
        assert record["location"] is None or record["location"] in record["countries"], record["id"]
    political = [r for r in records if r["events"]]
    assert len(records) >= 500 and len(political) >= 300
    assert sum(1 for r in records if not r["events"]) >= 30


@pytest.fixture(scope="module")
def tagged() -> tuple[list[dict[str, Any]], dict[str, TaggedArticle]]:
    records = load(LABELS)
    tagger = Tagger.default()
    return records, {str(r["id"]): tagger.tag(article_of(r)) for r in records}


@pytest.mark.parametrize("part", sorted(FLOORS))
def test_scores_stay_above_floors(tagged: tuple[list[dict[str, Any]], dict[str, TaggedArticle]], part: str) -> None:
    records, predicted = tagged
    chosen = [r for r in records if part == "all" or r["part"] == part]
    report: Report = evaluate([gold_of(r) for r in chosen], predicted)
    print(f"\nreuters87-events {part}\n" + report.format())
    floors = FLOORS[part]
    micro, macro = report.event_micro.f1, report.event_macro_f1
    measured = f"countries {report.country_micro.f1:.3f} micro {micro:.3f} macro {macro:.3f}"
    assert report.country_micro.f1 >= floors["country_f1"], measured
    assert report.event_micro.f1 >= floors["event_micro_f1"], measured
    assert report.event_macro_f1 >= floors["event_macro_f1"], measured


def test_the_text_comes_from_the_shared_file_not_the_repo() -> None:
    (record,) = load(LABELS, {"r87c"})[:1]
    wire = {s["id"]: s for s in reuters87_set.read_wire(WIRE)}
    assert record["body"] == wire[record["id"]]["body"] and "body" not in _labels()[0]


def test_the_wire_path_is_relative_to_the_repo() -> None:
    assert Path(reuters87_set.WIRE).is_relative_to(reuters87_set.REPO.parent)
