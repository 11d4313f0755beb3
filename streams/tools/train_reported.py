"""Learn which found events are reported main events; write streams/core/tagging/data/reported.json.

    python -m streams.tools.train_reported [--check] [--cv]

Training data: every labelled set except the parts never tuned on (`NEVER_TUNED`): the dev set,
events2024 parts one and two, and the real-wire parts r87a, r87b and r87t (never r87c or the blind
r87d; text joined from ../shared/data). Each event the lexicon finds is one example; it is positive
when its type is in the item's gold labels. Negated and vetoed events are left out (they are never reported).

The model is an L2 logistic regression (scikit-learn, lbfgs, no randomness) over the feature
strings of `streams.core.tagging.reported.candidate_features`. The item-level decision is "a type
is predicted when one of its events reaches the threshold"; the threshold is chosen by 5-fold
cross-validation over items (folds fixed by item order) for the best macro-F1, together with C.
Features seen in fewer than MIN_COUNT examples are left out, weights are rounded to 4 decimals
and those under MIN_WEIGHT dropped, so the file is small and the
same data always writes the same bytes. `--check` fails when the file differs from a fresh build;
`--cv` prints the cross-validated scores of every setting tried; `--compare` scores every found
event, the coding rules (`ReportedModel.rules`) and the shipped model on each set, the parts never
tuned on first (run it once, at the end of a round).

scikit-learn is needed here only (the `train` extra); the tagger reads the weights with plain Python.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from streams.core.tagging import Tagger
from streams.core.tagging.evaluate import article_of, macro_f1, score_sets
from streams.core.tagging.reported import MODEL_FILE, VETO, candidate_features
from streams.tools.evaluate import load

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
NEVER_TUNED = ("e24c-", "r87c", "r87d")  # id prefix of events2024's third part, part names of the wire set's
C_VALUES = (0.3, 1.0, 3.0, 10.0)
THRESHOLDS = tuple(t / 100 for t in range(20, 75, 5))
FOLDS = 5
MIN_COUNT = 3
MIN_WEIGHT = 0.005
WIRE_WEIGHT = 3.0


def never_tuned(record: dict[str, Any]) -> bool:
    return str(record["id"]).startswith(NEVER_TUNED[0]) or record.get("part") in NEVER_TUNED[1:]


def training_records() -> list[dict[str, Any]]:
    records = load(DATA / "devset.jsonl") + load(DATA / "events2024.jsonl") + load(DATA / "reuters87-events.jsonl")
    return [r for r in records if not never_tuned(r)]


Example = tuple[int, str, list[str]]  # (item index, event type, features)


def examples(records: Sequence[dict[str, Any]]) -> list[Example]:
    tagger = Tagger.default()
    rows: list[Example] = []
    for index, record in enumerate(records):
        text, body_start, spans, found = tagger.candidates(article_of(record))
        kept = [e for e in found if not e.negated]
        for event, features in zip(kept, candidate_features(text, body_start, spans, kept), strict=True):
            if not features[0].startswith(VETO):
                rows.append((index, event.type, features))
    return rows


def fit(rows: Sequence[Example], records: Sequence[dict[str, Any]], c: float) -> tuple[dict[str, float], float]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for _, _, features in rows for f in set(features))
    vectorizer = DictVectorizer()  # a feature seen in fewer than MIN_COUNT examples is left out
    matrix = vectorizer.fit_transform([{f: 1 for f in features if counts[f] >= MIN_COUNT} for _, _, features in rows])
    labels = [int(kind in records[i]["events"]) for i, kind, _ in rows]
    # Wire stories are long and few: their examples weigh WIRE_WEIGHT times a hand-written item's.
    weight = [WIRE_WEIGHT if "part" in records[i] else 1.0 for i, _, _ in rows]
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=2000).fit(matrix, labels, sample_weight=weight)
    names = vectorizer.get_feature_names_out()
    weights = {str(n): round(float(w), 4) for n, w in zip(names, model.coef_[0], strict=True) if abs(w) >= MIN_WEIGHT}
    return dict(sorted(weights.items())), round(float(model.intercept_[0]), 4)


def predict(rows: Sequence[Example], weights: dict[str, float], bias: float, threshold: float) -> dict[int, set[str]]:
    cut = math.log(threshold / (1 - threshold))
    out: dict[int, set[str]] = {}
    for index, kind, features in rows:
        if bias + sum(weights.get(f, 0.0) for f in features) >= cut:
            out.setdefault(index, set()).add(kind)
    return out


def item_macro(records: Sequence[dict[str, Any]], indices: Sequence[int], predicted: dict[int, set[str]]) -> float:
    scores, _ = score_sets((str(i), frozenset(records[i]["events"]), frozenset(predicted.get(i, ()))) for i in indices)
    return macro_f1(scores)


def choose(records: Sequence[dict[str, Any]], rows: Sequence[Example], show: bool) -> tuple[float, float]:
    """(C, threshold) with the best cross-validated item macro-F1."""
    results: dict[tuple[float, float], list[float]] = {}
    held_out: dict[tuple[float, float], dict[int, set[str]]] = {}
    for fold in range(FOLDS):
        test = {i for i in range(len(records)) if i % FOLDS == fold}
        train_rows = [r for r in rows if r[0] not in test]
        test_rows = [r for r in rows if r[0] in test]
        for c in C_VALUES:
            weights, bias = fit(train_rows, records, c)
            for threshold in THRESHOLDS:
                predicted = predict(test_rows, weights, bias, threshold)
                held_out.setdefault((c, threshold), {}).update(predicted)
                results.setdefault((c, threshold), []).append(item_macro(records, sorted(test), predicted))
    mean = {key: sum(v) / len(v) for key, v in results.items()}
    best = max(mean, key=lambda key: (round(mean[key], 4), -key[0], key[1]))
    if show:
        for (c, threshold), value in sorted(mean.items()):
            print(f"C {c:<4} threshold {threshold:.2f}  cv macro-F1 {value:.3f}")
        for name, prefix in (("devset", "dev-"), ("events2024", "e24"), ("reuters87", "reuters-")):
            indices = [i for i, r in enumerate(records) if str(r["id"]).startswith(prefix)]
            value = item_macro(records, indices, held_out[best])
            print(f"chosen C {best[0]} threshold {best[1]:.2f}: out-of-fold macro-F1 on {name} {value:.3f}")
    return best


def build(show: bool = False) -> str:
    records = training_records()
    rows = examples(records)
    c, threshold = choose(records, rows, show)
    weights, bias = fit(rows, records, c)
    spec = {"bias": bias, "threshold": threshold, "C": c, "trained_on": len(records), "weights": weights}
    return json.dumps(spec, indent=0, sort_keys=True) + "\n"


def compare() -> None:
    """Score the three decisions on the parts never tuned on, and on every set as a whole: every
    found event (the tagger before this model), the coding rules as weights, the shipped model."""
    from streams.core.tagging.evaluate import evaluate, gold_of
    from streams.core.tagging.reported import ReportedModel

    everything = ReportedModel({}, bias=5.0, threshold=0.5)
    models = {"every event": everything, "rules": ReportedModel.rules(), "learned": ReportedModel.default()}
    sets = {
        "events2024 e24c (never tuned)": [r for r in load(DATA / "events2024.jsonl") if never_tuned(r)],
        "reuters87 r87c (never tuned)": load(DATA / "reuters87-events.jsonl", {"r87c"}),
        "reuters87 r87d (never tuned, labelled blind)": load(DATA / "reuters87-events.jsonl", {"r87d"}),
        "reuters87 r87a+b+t (tuned)": [r for r in load(DATA / "reuters87-events.jsonl") if not never_tuned(r)],
        "devset (tuned)": load(DATA / "devset.jsonl"),
        "events2024 all": load(DATA / "events2024.jsonl"),
        "reuters87 all": load(DATA / "reuters87-events.jsonl"),
    }
    tagger = Tagger()
    for name, records in sets.items():
        print(f"\n{name}: {len(records)} items")
        for label, model in models.items():
            tagger.reported = model
            report = evaluate([gold_of(r) for r in records], {str(r["id"]): tagger.tag(article_of(r)) for r in records})
            weakest = sorted((s.f1, t) for t, s in report.events.items() if s.support)[:3]
            print(
                f"  {label:<12} macro-F1 {report.event_macro_f1:.3f}  micro-F1 {report.event_micro.f1:.3f}"
                f"  countries F1 {report.country_micro.f1:.3f}  weakest "
                + ", ".join(f"{t} {f:.2f}" for f, t in weakest)
            )


def main(argv: Sequence[str] | None = None) -> int:
    args = set(sys.argv[1:] if argv is None else argv)
    if args - {"--check", "--cv", "--compare"}:
        print("usage: python -m streams.tools.train_reported [--check] [--cv] [--compare]", file=sys.stderr)
        return 2
    if "--compare" in args:
        compare()
        return 0
    text = build(show="--cv" in args)
    if "--check" in args:
        if MODEL_FILE.read_text(encoding="utf-8") != text:
            print(f"train_reported: {MODEL_FILE} differs from a fresh build; rerun without --check", file=sys.stderr)
            return 1
        print(f"{MODEL_FILE} is up to date")
        return 0
    MODEL_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_FILE} ({len(json.loads(text)['weights'])} weights)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
