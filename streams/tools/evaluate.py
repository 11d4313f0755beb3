"""Tag a labelled set with `Tagger.default()` and print the report (the scoring is in the core).

    python -m streams.tools.evaluate FILE.jsonl [--misses] [--inclusive] [--part=r87a,r87b] [--against=OTHER.jsonl]

A set that keeps only ids and labels (the real-wire set, `tests/data/reuters87-events.jsonl`) gets
its text joined from `../shared/data` at run time. `--part` keeps the records of the named parts
(their `part` field); `--misses` lists the errors; `--inclusive` counts passing mentions as labels.
`--against` scores the same tagging a second time against another annotator's labels (ids and
labels, e.g. `tests/data/reuters87-r87h-second.jsonl`): both reports cover the ids both files label,
so the difference between them is the labeller's, not the items'.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from streams.core.tagging.evaluate import article_of, evaluate, gold_of, parse_record
from streams.tools.reuters87_set import joined

USAGE = (
    "usage: python -m streams.tools.evaluate FILE.jsonl [--misses] [--inclusive] [--part=NAME,...]"
    " [--against=OTHER.jsonl]"
)


def load(path: Path, parts: set[str] | None = None) -> list[dict[str, Any]]:
    """The records of a labelled set, with their text (joined from the wire file when absent)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [parse_record(line) for line in lines if line.strip()]
    if parts is not None:
        records = [r for r in records if r.get("part") in parts]
    if records and all("body" not in r and "text" not in r for r in records):
        records = list(joined(records))
    return records


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    flags = {a.split("=")[0] for a in args if a.startswith("--")}
    parts = next((set(a.split("=", 1)[1].split(",")) for a in args if a.startswith("--part=")), None)
    against = next((a.split("=", 1)[1] for a in args if a.startswith("--against=")), None)
    paths = [a for a in args if not a.startswith("--")]
    if len(paths) != 1 or flags - {"--misses", "--inclusive", "--part", "--against"} or against == "":
        print(USAGE, file=sys.stderr)
        return 2
    try:
        records = load(Path(paths[0]), parts)
    except (OSError, ValueError, KeyError) as exc:
        print(f"evaluate: cannot read {paths[0]}: {exc}", file=sys.stderr)
        return 1
    label_sets = [(paths[0], records)]
    if against is not None:
        try:
            records, others = both_labelled(records, Path(against))
        except (OSError, ValueError, KeyError) as exc:
            print(f"evaluate: cannot read {against}: {exc}", file=sys.stderr)
            return 1
        label_sets = [(paths[0], records), (against, others)]
    from streams.core.tagging import Tagger

    tagger = Tagger.default()
    predicted = {str(r["id"]): tagger.tag(article_of(r)) for r in records}
    reports = []
    for name, labelled in label_sets:
        gold = [gold_of(r).inclusive() if "--inclusive" in flags else gold_of(r) for r in labelled]
        report = evaluate(gold, predicted).format(misses="--misses" in flags)
        reports.append(report if against is None else f"== the tagger against {name}\n{report}")
    print("\n\n".join(reports))
    return 0


def both_labelled(records: Sequence[dict[str, Any]], other: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records whose ids `other` also labels, and `other`'s labels for them in the same order."""
    theirs = {
        str(r["id"]): r
        for r in (parse_record(line) for line in other.read_text(encoding="utf-8").splitlines() if line.strip())
    }
    kept = [r for r in records if str(r["id"]) in theirs]
    return kept, [theirs[str(r["id"])] for r in kept]


if __name__ == "__main__":
    raise SystemExit(main())
