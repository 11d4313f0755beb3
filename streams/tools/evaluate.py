"""Tag a labelled set with `Tagger.default()` and print the report (the scoring is in the core).

    python -m streams.tools.evaluate FILE.jsonl [--misses] [--inclusive] [--part=r87a,r87b]

A set that keeps only ids and labels (the real-wire set, `tests/data/reuters87-events.jsonl`) gets
its text joined from `../shared/data` at run time. `--part` keeps the records of the named parts
(their `part` field); `--misses` lists the errors; `--inclusive` counts passing mentions as labels.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from streams.core.tagging.evaluate import article_of, evaluate, gold_of, parse_record
from streams.tools.reuters87_set import joined

USAGE = "usage: python -m streams.tools.evaluate FILE.jsonl [--misses] [--inclusive] [--part=NAME,...]"


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
    paths = [a for a in args if not a.startswith("--")]
    if len(paths) != 1 or flags - {"--misses", "--inclusive", "--part"}:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        records = load(Path(paths[0]), parts)
    except (OSError, ValueError, KeyError) as exc:
        print(f"evaluate: cannot read {paths[0]}: {exc}", file=sys.stderr)
        return 1
    from streams.core.tagging import Tagger

    tagger = Tagger.default()
    predicted = {str(r["id"]): tagger.tag(article_of(r)) for r in records}
    gold = [gold_of(r).inclusive() if "--inclusive" in flags else gold_of(r) for r in records]
    print(evaluate(gold, predicted).format(misses="--misses" in flags))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
