"""How soon medium surges can be alerted at all: their delay beside the arrival of their third distinct story.

A diagnostic beside `bench/detect_real.py` (same stream, surges, tagger, scoring), for the issue's "medium surges
(8-12 stories in 6 h) within 1 h" target. A detector that needs three distinct stories (the
`min_stories` gate: two stories are chance at any rate) cannot alert before a surge's third story, so
the median time of the third story is the floor of any such detector's median delay. With n stories
spread evenly over 6 h the k-th arrives after about 6k/(n+1) h: 1.4-2.0 h for the third of 8-12.

Pooled over many drawn surge sets (`--seeds`, five medium surges each), per setting (`--set`, as
GEOPULSE_<KNOB> takes it; repeat `--variant NAME --set ...` groups): the quartiles of the third and
fourth story's arrival, of the delay, of the delay past the third story, the surges missed, and the
false alarms a day (raw, off the labelled incidents, medium+), each set's medians printed as it goes.

    .venv/bin/python bench/medium_delay.py [--seeds 1-10] [--shipped] [--draw-after DAYS]
        [--variant 1h,3h,1d --set windows=1h,3h,1d]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import detect_real as real
from bench import recall_diag
from schemas import Article


def story_times(surge: real.Surge, articles: Sequence[Article], first: datetime) -> list[float]:
    """Hours from the surge's first story to each of its distinct stories (syndicated copies left out)."""
    own = [a for a in articles if a.id.startswith(f"surge-{surge.country}-") and not a.id.endswith("-copy")]
    return sorted((a.published_at - first).total_seconds() / 3600 for a in own)


def quartiles(values: Sequence[float]) -> list[float]:
    if len(values) < 2:
        return [round(v, 2) for v in values]
    return [round(q, 2) for q in statistics.quantiles(values, n=4)]


def parse_seeds(text: str) -> list[int]:
    """ "1-10" or "1,2,5": the drawn surge sets."""
    if "-" in text:
        low, high = text.split("-", 1)
        return list(range(int(low), int(high) + 1))
    return [int(s) for s in text.split(",") if s]


def variants_of(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    """Settings per variant: `--set` before any `--variant` is the default's, each `--variant` starts a group."""
    found: dict[str, dict[str, str]] = {"default": {}}
    current = "default"
    for kind, value in getattr(args, "groups", None) or []:
        if kind == "variant":
            current = value
            found.setdefault(current, {})
        else:
            knob, _, setting = value.partition("=")
            found[current][knob] = setting
    return found


class Group(argparse.Action):
    """Keeps `--variant` and `--set` in the order given."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:  # fmt: skip
        groups = getattr(namespace, "groups", None) or []
        groups.append((self.dest, values))
        namespace.groups = groups


def pooled(data: Path, seeds: Iterable[int], shipped: bool, variants: dict[str, dict[str, str]],
           draw_after: int = real.WARM_UP_DAYS) -> dict[str, Any]:  # fmt: skip
    from streams.offline import tracker_config
    from streams.settings import Settings

    incidents = real.load_incidents()
    sets = ([("shipped", 14)] if shipped else []) + [("drawn", seed) for seed in seeds]
    third: list[float] = []
    fourth: list[float] = []
    rows: dict[str, dict[str, Any]] = {
        v: {"delay": [], "past_third": [], "missed": 0, "fa": [], "off": [], "medium": []} for v in variants
    }
    background = None
    for kind, seed in sets:
        tagged, surges, ctx, background = recall_diag.prepared(data, seed, kind, background, draw_after)
        arrivals: dict[str, list[float]] = {}
        for surge in surges:
            if surge.kind == "medium":
                arrivals[surge.name] = story_times(surge, tagged, ctx["firsts"][surge.name])
                third.append(arrivals[surge.name][2])
                fourth.append(arrivals[surge.name][3])
        for name, settings in variants.items():
            raised = real.run(tagged, tracker_config(Settings.load(**settings)))
            got = recall_diag.scored(raised, surges, ctx, incidents)
            row = rows[name]
            for surge_name, found in got["per_surge"].items():
                if found["kind"] != "medium":
                    continue
                if found["detected"]:
                    row["delay"].append(found["delay_h"])
                    row["past_third"].append(round(found["delay_h"] - arrivals[surge_name][2], 2))
                else:
                    row["missed"] += 1
            row["fa"].append(got["false_per_day"])
            row["off"].append(got["false_unlabelled_per_day"])
            row["medium"].append(got["false_medium_per_day"])
        label = "shipped" if kind == "shipped" else f"seed {seed}"
        medians = {v: round(statistics.median(r["delay"]), 2) for v, r in rows.items() if r["delay"]}
        print(f"{label:8} pooled medium delay so far {medians}; third story so far {statistics.median(third):.2f} h",
              flush=True)  # fmt: skip
    return {"third": third, "fourth": fourth, "rows": rows, "surges": len(third)}


def report(result: dict[str, Any]) -> None:
    print(f"\n{result['surges']} medium surges; quartiles (h): third story {quartiles(result['third'])}, "
          f"fourth {quartiles(result['fourth'])}")  # fmt: skip
    for name, row in result["rows"].items():
        print(f"{name:14} delay {quartiles(row['delay'])}  past the third story {quartiles(row['past_third'])}  "
              f"missed {row['missed']}  FA/day raw {statistics.mean(row['fa']):.3f} off labelled "
              f"{statistics.mean(row['off']):.3f} medium+ {statistics.mean(row['medium']):.3f}")  # fmt: skip


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=real.DATA)
    parser.add_argument("--seeds", default="1-10", help="drawn surge sets: 1-10 or 1,2,5")
    parser.add_argument("--shipped", action="store_true", help="the shipped surges too")
    parser.add_argument("--draw-after", type=int, default=real.WARM_UP_DAYS, metavar="DAYS",
                        help="drawn surges start this many days into the stream or later, as detect_real draws "
                             "them (0: anywhere, as before session 10)")  # fmt: skip
    parser.add_argument("--variant", dest="variant", action=Group, help="name a group of --set settings")
    parser.add_argument("--set", dest="set", action=Group, metavar="KNOB=VALUE",
                        help="a detection setting, as GEOPULSE_<KNOB> takes it")  # fmt: skip
    args = parser.parse_args(list(argv) if argv is not None else None)
    if real.stream_missing(args.data, "medium_delay"):
        return 2
    report(pooled(args.data, parse_seeds(args.seeds), args.shipped, variants_of(args), args.draw_after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
