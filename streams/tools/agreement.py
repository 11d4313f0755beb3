"""Agreement between two annotators of the same items, scored as the tagger is scored.

    python -m streams.tools.agreement FIRST.jsonl SECOND.jsonl [--part=r87c] [--misses]

Each file holds label records (`id`, `countries`, `location`, `events`, as in
`tests/data/reuters87-events.jsonl`); only the ids in both are compared. The first file plays
the gold and the second the prediction of `streams.core.tagging.evaluate.score_sets`, so the
figures are read like a tagger's: event micro-F1, macro-F1 and F1 per type, country micro-F1.
F1 is symmetric, so swapping the files changes precision and recall, never F1. Location
agreement is the share of items whose `location` is the same (null included). These figures
bound what a tagger can score against either annotator's labels.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas import EVENT_TYPES
from streams.core.tagging.evaluate import Miss, Score, macro_f1, micro, parse_record, score_sets

USAGE = "usage: python -m streams.tools.agreement FIRST.jsonl SECOND.jsonl [--part=NAME,...] [--misses]"


@dataclass(frozen=True)
class Agreement:
    """Two annotators' agreement on the items both labelled."""

    items: int
    events: dict[str, Score]
    countries: dict[str, Score]
    same_location: int
    event_misses: list[Miss]
    quiet_first: int  # items the first annotator coded with no event
    quiet_both: int  # items both coded with no event

    @property
    def location_agreement(self) -> float:
        return self.same_location / self.items if self.items else 0.0

    def format(self, misses: bool = False) -> str:
        """The summary, the per-type table and optionally the items whose event sets differ."""
        ev, co = micro(self.events), micro(self.countries)
        lines = [
            f"items: {self.items}",
            f"events     micro  P {ev.precision:.3f}  R {ev.recall:.3f}  F1 {ev.f1:.3f}"
            f"  (tp {ev.tp} fp {ev.fp} fn {ev.fn})   macro-F1 {macro_f1(self.events):.3f}",
            f"countries  micro  P {co.precision:.3f}  R {co.recall:.3f}  F1 {co.f1:.3f}"
            f"  (tp {co.tp} fp {co.fp} fn {co.fn})",
            f"location   same on {self.same_location}/{self.items} items ({self.location_agreement:.3f})",
            f"items without events: first {self.quiet_first}, both {self.quiet_both}",
            f"items whose event sets differ: {len(self.event_misses)}",
            "",
            f"{'event type':<12} {'first':>5} {'second':>6} {'both':>5} {'F1':>6}",
        ]
        for label in (t for t in EVENT_TYPES if t in self.events):
            s = self.events[label]
            lines.append(f"{label:<12} {s.tp + s.fn:>5} {s.tp + s.fp:>6} {s.tp:>5} {s.f1:>6.3f}")
        if misses:
            lines += ["", "event differences (-first only +second only):"]
            for miss in self.event_misses:
                labels = [f"-{t}" for t in sorted(miss.missed)] + [f"+{t}" for t in sorted(miss.added)]
                lines.append(f"  {miss.id}: {' '.join(labels)}")
        return "\n".join(lines)


def agreement(first: Sequence[Mapping[str, Any]], second: Sequence[Mapping[str, Any]]) -> Agreement:
    """Score the second annotator's labels against the first's, over the ids both labelled."""
    theirs = {str(r["id"]): r for r in second}
    pairs = [(r, theirs[str(r["id"])]) for r in first if str(r["id"]) in theirs]
    events, event_misses = score_sets(
        (str(a["id"]), frozenset(a.get("events", ())), frozenset(b.get("events", ()))) for a, b in pairs
    )
    countries, _ = score_sets((str(a["id"]), frozenset(a["countries"]), frozenset(b["countries"])) for a, b in pairs)
    return Agreement(
        items=len(pairs),
        events=events,
        countries=countries,
        same_location=sum(1 for a, b in pairs if a.get("location") == b.get("location")),
        event_misses=event_misses,
        quiet_first=sum(1 for a, _ in pairs if not a.get("events")),
        quiet_both=sum(1 for a, b in pairs if not a.get("events") and not b.get("events")),
    )


def read(path: Path, parts: set[str] | None = None) -> list[dict[str, Any]]:
    """The label records of a file, those of the named parts only when `parts` is given."""
    records = [parse_record(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in records if parts is None or r.get("part") in parts]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    flags = {a.split("=")[0] for a in args if a.startswith("--")}
    parts = next((set(a.split("=", 1)[1].split(",")) for a in args if a.startswith("--part=")), None)
    paths = [a for a in args if not a.startswith("--")]
    if len(paths) != 2 or flags - {"--misses", "--part"}:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        first, second = read(Path(paths[0]), parts), read(Path(paths[1]), parts)
    except (OSError, ValueError, KeyError) as exc:
        print(f"agreement: cannot read the labels: {exc}", file=sys.stderr)
        return 1
    print(agreement(first, second).format(misses="--misses" in flags))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
