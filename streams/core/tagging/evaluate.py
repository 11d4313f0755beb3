"""Score tagger output against a labelled dev set: countries and PLOVER event types.

Countries are scored as sets per item (the codes of `TaggedArticle.countries`, any role) and
summed over items (micro precision/recall/F1), plus precision/recall per country. Event types
are scored as sets per item too: the predicted types are those of the reported events,
so an article with two ASSAULT sentences counts one ASSAULT. Only reported events count: a
negated or background event (`Event.reported` false) predicts nothing. Macro-F1 averages the per-type F1
over the types that occur in the gold labels or the predictions.

>>> from datetime import datetime, timezone
>>> from schemas import Event, TaggedArticle
>>> gold = [Gold("a", frozenset({"KAZ", "RUS"}), frozenset({"PROTEST"}))]
>>> riot = Event(type="PROTEST", cameo="14", trigger="riot", sentence="A riot.", confidence=0.9)
>>> shot = Event(type="ASSAULT", cameo="18", trigger="shot", sentence="Not shot.", negated=True,
...     confidence=0.9)
>>> tagged = TaggedArticle(id="a", source="wire", title="t", tagger_version="test",
...     published_at=datetime(2022, 1, 5, tzinfo=timezone.utc), events=[riot, shot],
...     countries=[{"code": "KAZ", "role": "location", "mentions": 2, "score": 0.9}])
>>> report = evaluate(gold, {"a": tagged})
>>> report.country_micro.precision, report.country_micro.recall
(1.0, 0.5)
>>> report.event_macro_f1
1.0

The scoring is pure; `python -m streams.tools.evaluate tests/data/devset.jsonl` (a tool outside the
core) tags a labelled set with `Tagger.default()` and prints the report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemas import EVENT_TYPES, Article, TaggedArticle
from streams.core.loose import loosen


@dataclass(frozen=True)
class Gold:
    """The labels of one dev-set item: ISO3 country codes and PLOVER types present.

    `passing` holds countries the item names only in passing (a list of buyers, a meeting's
    venue): not labels, but some annotators (the Reuters places field) would list them too.
    """

    id: str
    countries: frozenset[str]
    events: frozenset[str]
    passing: frozenset[str] = frozenset()

    def inclusive(self) -> Gold:
        """The same item labelled the generous way: passing mentions count as countries."""
        return Gold(self.id, self.countries | self.passing, self.events)


@dataclass(frozen=True)
class Score:
    """True positive, false positive and false negative counts of one label (or of all)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def support(self) -> int:
        """How often the label occurs in the gold labels."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


def _ratio(numerator: int, denominator: int) -> float:
    # An empty denominator means nothing was predicted or nothing was expected: score it 0,
    # so a label the tagger never emits cannot look perfect.
    return numerator / denominator if denominator else 0.0


@dataclass(frozen=True)
class Miss:
    """What one item got wrong: labels missed (false negatives) and labels added (false positives)."""

    id: str
    missed: frozenset[str]
    added: frozenset[str]


def score_sets(pairs: Iterable[tuple[str, frozenset[str], frozenset[str]]]) -> tuple[dict[str, Score], list[Miss]]:
    """Per-label scores of (item id, gold set, predicted set) triples, and the items with errors."""
    scores: dict[str, Score] = {}
    misses: list[Miss] = []
    for item_id, gold, predicted in pairs:
        for label in gold | predicted:
            hit = Score(
                tp=int(label in gold and label in predicted), fp=int(label not in gold), fn=int(label not in predicted)
            )
            scores[label] = scores.get(label, Score()) + hit
        if gold != predicted:
            misses.append(Miss(item_id, gold - predicted, predicted - gold))
    return scores, misses


def micro(scores: Mapping[str, Score]) -> Score:
    """All labels' counts summed: the micro-averaged score."""
    return sum(scores.values(), Score())


def macro_f1(scores: Mapping[str, Score]) -> float:
    """Mean F1 over the labels present in gold or predictions (0.0 when there are none)."""
    return sum(s.f1 for s in scores.values()) / len(scores) if scores else 0.0


def predicted_countries(tagged: TaggedArticle) -> frozenset[str]:
    """The ISO3 codes the tagger gave the article, whatever their role."""
    return frozenset(c.code for c in tagged.countries)


def predicted_events(tagged: TaggedArticle) -> frozenset[str]:
    """The PLOVER types of the article's reported events (never a negated one)."""
    return frozenset(e.type for e in tagged.events if e.counts)


@dataclass(frozen=True)
class Report:
    """Country and event-type scores of a tagger on a labelled set."""

    items: int
    countries: dict[str, Score]
    events: dict[str, Score]
    country_misses: list[Miss] = field(default_factory=list)
    event_misses: list[Miss] = field(default_factory=list)
    quiet_items: int = 0  # items whose gold has no event (sport, business, weather, ...)
    false_alarms: int = 0  # quiet items the tagger gave at least one event

    @property
    def country_micro(self) -> Score:
        return micro(self.countries)

    @property
    def event_micro(self) -> Score:
        return micro(self.events)

    @property
    def event_macro_f1(self) -> float:
        return macro_f1(self.events)

    def format(self, misses: bool = False) -> str:
        """A plain-text report: summary, per-type table, per-country table, optionally the misses.

        A set labelled for countries only (no gold event anywhere) gets no event scores.
        """
        labelled = any(s.support for s in self.events.values())
        countries = sorted(self.countries, key=lambda c: (-self.countries[c].support, c))
        lines = [f"items: {self.items}", f"countries  micro  {_row(self.country_micro)}"]
        if labelled:
            lines += [
                f"events     micro  {_row(self.event_micro)}   macro-F1 {self.event_macro_f1:.3f}",
                f"items without events that got one: {self.false_alarms}/{self.quiet_items}",
                "",
                _table("event type", self.events, order=[t for t in EVENT_TYPES if t in self.events]),
            ]
        else:
            lines.append("events     (the set has no event labels)")
        lines += ["", _table("country", self.countries, order=countries)]
        if misses:
            lines += ["", "country misses (-missed +added):", *map(_miss, self.country_misses)]
            if labelled:
                lines += ["", "event misses (-missed +added):", *map(_miss, self.event_misses)]
        return "\n".join(lines)


def _row(score: Score) -> str:
    return (
        f"P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}  (tp {score.tp} fp {score.fp} fn {score.fn})"
    )


def _table(name: str, scores: Mapping[str, Score], order: Sequence[str]) -> str:
    header = f"{name:<12} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6} {'fp':>4} {'fn':>4}"
    rows = [
        f"{label:<12} {s.support:>5} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.fp:>4} {s.fn:>4}"
        for label, s in ((label, scores[label]) for label in order)
    ]
    return "\n".join([header, *rows])


def _miss(miss: Miss) -> str:
    missed = " ".join(f"-{label}" for label in sorted(miss.missed))
    added = " ".join(f"+{label}" for label in sorted(miss.added))
    return f"  {miss.id}: {missed} {added}".rstrip()


def evaluate(gold: Sequence[Gold], predicted: Mapping[str, TaggedArticle]) -> Report:
    """Score predictions (by item id) against gold labels; a missing prediction counts as empty."""
    empty: frozenset[str] = frozenset()
    found = {g.id: predicted.get(g.id) for g in gold}
    countries, country_misses = score_sets(
        (g.id, g.countries, predicted_countries(t) if (t := found[g.id]) else empty) for g in gold
    )
    events, event_misses = score_sets(
        (g.id, g.events, predicted_events(t) if (t := found[g.id]) else empty) for g in gold
    )
    quiet = {g.id for g in gold if not g.events}
    alarms = sum(1 for miss in event_misses if miss.id in quiet)
    return Report(len(gold), countries, events, country_misses, event_misses, len(quiet), alarms)


def parse_record(line: str) -> dict[str, Any]:
    """One dev-set JSON line as a dict (blank lines are not records)."""
    record: dict[str, Any] = json.loads(line)
    return record


def gold_of(record: Mapping[str, Any]) -> Gold:
    """The labels of a dev-set record (a set labelled for countries only has no `events`)."""
    return Gold(
        str(record["id"]),
        frozenset(record["countries"]),
        frozenset(record.get("events", ())),
        frozenset(record.get("passing", ())),
    )


def article_of(record: Mapping[str, Any]) -> Article:
    """The article of a dev-set record, read as `geopulse tag` reads it (`text`, `date`, ... allowed)."""
    data, _ = loosen(dict(record))
    return Article.model_validate(data)
