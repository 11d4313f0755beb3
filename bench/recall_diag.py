"""Why geopulse misses labelled real incidents: which stage stops each one, and what relaxing it buys.

A diagnostic beside `bench/detect_real.py` (same stream, surges, tagger, matching). Two parts:

- `diagnose` (default): one geopulse run on the shipped surges with the series tracker's judging step
  watched (a wrapper around `SeriesTracker._step_alert`, the core's own code unchanged). For each
  labelled incident and each window of a series it lands in (a listed country, a topic sharing a
  PLOVER type with its family, opened between its first story and its end, holding one of its
  stories), the window is judged as shipped and then with one thing relaxed at a time: the distinct
  stories gate (3 an hour, 4 a day: relaxed to 2 / 3), the sources gate (2 to 1), the volume floor of
  an open window (none), the seasonal factor (1), the learned overdispersion (1), `min_ratio`
  (none) and, for the day, the thresholds raised for a partial day (none). Printed per missed
  incident: its stories, the share tagged with a listed country (location/actor), the share with
  that country and a topic of its family, the series reaching the highest score, that score against
  the low threshold, and the relaxations under which one of its windows would alert (`blocked by`).
- `--tradeoff`: geopulse run with each relaxation as a setting, on the shipped surges and on drawn
  sets, scored as detect_real scores (surges, raw and unlabelled false alarms a day, medium+,
  incidents found).

    .venv/bin/python bench/recall_diag.py [--json PATH]
    .venv/bin/python bench/recall_diag.py --tradeoff [--seeds 1,2] [--variant NAME ...] [--json PATH]

The incidents are 35, labelled by one annotator and now seen: a relaxation chosen to find these is
tuned on them. Read the drawn sets' false alarms as the check.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import detect_real as real
from schemas import TaggedArticle
from streams.core import detect, seasons, series
from streams.core.config import TrackerConfig
from streams.core.dedupe import StoryIndex
from streams.core.explain import Tally
from streams.core.scales import OpenWindow
from streams.core.tagging.topics import TopicGroups

# Relaxations judged one at a time on each window (names as printed).
RELAXED = ("warmup", "stories", "sources", "floor", "season", "dispersion", "ratio", "partial-day")


@dataclass
class Watch:
    """What the wrapped judging step saw on the incidents' series windows."""

    incidents: list[real.Incident]
    story_of: dict[str, str] = field(default_factory=dict)  # article id -> story id
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # incident -> judged windows
    no_floor: bool = False
    flat: bool = False

    def __post_init__(self) -> None:
        groups = TopicGroups.load().groups
        self.groups = groups
        self.by_country: dict[str, list[real.Incident]] = {}
        for incident in self.incidents:
            for country in incident.countries:
                self.by_country.setdefault(country, []).append(incident)

    def fits(self, topic: str, family: str) -> bool:
        return family == "any" or topic == "all" or bool(self.groups.get(topic, frozenset()) & self.groups[family])

    def relevant(self, key: str, now: int, tally: Tally) -> Iterator[real.Incident]:
        country, topic = key.split("|", 1)
        for incident in self.by_country.get(country, ()):
            if not self.fits(topic, incident.family):
                continue
            if not incident.first.timestamp() <= now <= incident.end.timestamp():
                continue
            if self.own(incident, tally):
                yield incident

    def own(self, incident: real.Incident, tally: Tally) -> int:
        """How many of the window's distinct stories are the incident's."""
        mine = {self.story_of.get(a) for a in incident.stories}
        return len(mine & tally.story_articles.keys())


def judge_variants(tracker: series.SeriesTracker, watch: Watch, key: str, start: int, tally: Tally, volume: int,
                   own: int) -> dict[str, Any]:  # fmt: skip
    """The window judged as shipped and with each relaxation, by the tracker's own detector and exposure."""
    det = tracker.detector
    inner = det.inner if isinstance(det, OpenWindow) else det
    assert isinstance(inner, detect.GammaPoisson)
    baseline = tracker.store[f"s:{key}"]["b"]
    observed = tracker._observed(tally)

    def exposure() -> float:
        floored = volume if tracker.exposure_of else max(volume, tracker.volume_floor(start))
        return tracker._exposure(key, start, floored, open_window=True)

    def rewrap(changed: detect.GammaPoisson) -> Any:
        return replace(det, inner=changed) if isinstance(det, OpenWindow) else changed

    shipped = exposure()
    watch.no_floor = True
    bare = exposure()
    watch.no_floor = False
    watch.flat = True
    flat = exposure()
    watch.flat = False
    verdicts = {
        "shipped": det.judge(baseline, observed, shipped, start),
        "floor": det.judge(baseline, observed, bare, start),
        "season": det.judge(baseline, observed, flat, start),
        "dispersion": rewrap(replace(inner, max_overdispersion=1.0)).judge(baseline, observed, shipped, start),
        "ratio": rewrap(replace(inner, min_ratio=0.0)).judge(baseline, observed, shipped, start),
        "partial-day": inner.judge(baseline, observed, shipped, start),
    }
    raise_by = 0.0
    if isinstance(det, OpenWindow):
        raise_by = math.log10(1.0 / max(det.least, min(1.0, det.share(start))))
    cfg = tracker.config
    warm = tracker._clock().closed >= cfg.warmup_windows()
    gates = {"warmup": warm, "stories": tally.stories >= cfg.min_stories, "sources": tally.sources >= cfg.min_sources}
    relaxed = {"warmup": True, "stories": tally.stories >= cfg.min_stories - 1, "sources": tally.sources >= 1}
    ship = verdicts["shipped"]
    alerts = {"shipped": all(gates.values()) and ship.severity is not None}
    for name in RELAXED:
        if name in gates:
            alerts[name] = all({**gates, name: relaxed[name]}.values()) and ship.severity is not None
        else:
            alerts[name] = all(gates.values()) and verdicts[name].severity is not None
    return {
        "window": "1d" if tracker.size >= 86_400 else "1h", "key": key, "start": start,
        "now": tracker._clock().now, "stories": tally.stories, "own": own, "sources": tally.sources, "volume": volume,
        "floor": tracker.volume_floor(start), "exposure": round(shipped, 2), "bare": round(bare, 2),
        "flat": round(flat, 2), "expected": round(ship.expected, 3), "phi": round(inner.overdispersion(baseline), 2),
        "score": ship.score, "low": det_low(tracker), "scores": {n: v.score for n, v in verdicts.items()},
        "expects": {n: round(v.expected, 3) for n, v in verdicts.items()}, "raise": round(raise_by, 3),
        "observed": observed,
        "alerts": alerts, "warm": warm,
    }  # fmt: skip


def det_low(tracker: series.SeriesTracker) -> float:
    det = tracker.detector
    inner = det.inner if isinstance(det, OpenWindow) else det
    return float(inner.thresholds[0])  # type: ignore[union-attr]


@contextmanager
def watching(watch: Watch) -> Iterator[None]:
    """Wrap the tracker's judging step, volume floor, seasonal factor and story index for `watch`."""
    step, floor, factor = series.SeriesTracker._step_alert, series.SeriesTracker.volume_floor, seasons.Seasons.factor
    assign = StoryIndex.assign

    def watched_step(self: series.SeriesTracker, key: str, start: int, tally: Tally, volume: int,
                     seen: series.Observation) -> None:  # fmt: skip
        now = self._clock().now
        assert now is not None
        before = len(seen.alerts)
        for incident in watch.relevant(key, now, tally):
            row = judge_variants(self, watch, key, start, tally, volume, watch.own(incident, tally))
            watch.rows.setdefault(incident.name, []).append(row)
        step(self, key, start, tally, volume, seen)
        opened = [a for a in seen.alerts[before:] if a.status == "open"]
        for incident in watch.relevant(key, now, tally) if opened else ():
            watch.rows[incident.name][-1]["series_alert"] = True

    def watched_floor(self: series.SeriesTracker, start: int) -> int:
        return 0 if watch.no_floor else floor(self, start)

    def watched_factor(self: seasons.Seasons, profile: str, start: int) -> float:
        return 1.0 if watch.flat else factor(self, profile, start)

    def watched_assign(self: StoryIndex, article_id: str, fingerprint: str, ts: int) -> str:
        story = assign(self, article_id, fingerprint, ts)
        watch.story_of[article_id] = story
        return story

    tracker = series.SeriesTracker
    patches = [(tracker, "_step_alert", watched_step), (tracker, "volume_floor", watched_floor),
               (seasons.Seasons, "factor", watched_factor), (StoryIndex, "assign", watched_assign)]  # fmt: skip
    saved = [(cls, name, cls.__dict__[name]) for cls, name, _ in patches]
    try:
        for cls, name, new in patches:
            setattr(cls, name, new)
        yield
    finally:
        for cls, name, old in saved:
            setattr(cls, name, old)


def prepared(data: Path, seed: int, surges_kind: str, tagged_background: list[TaggedArticle] | None = None,
             draw_after: int = 0,
             ) -> tuple[list[TaggedArticle], list[real.Surge], dict[str, Any], list[TaggedArticle]]:  # fmt: skip
    """The tagged stream and the surges as detect_real builds them for this seed (the background tagged once;
    drawn surges start `draw_after` days after the stream's first day or later, detect_real's `--draw-after`)."""
    from streams.core.tagging import Tagger

    rng = random.Random(seed)
    background = real.load_reuters(data)
    news_days = {a.published_at.date() for a in background}
    surges = real.SURGES if surges_kind == "shipped" else real.draw_surges(rng, news_days, draw_after)
    injected = [real.surge_articles(surge, rng) for surge in surges]
    tagger = Tagger.default()
    if tagged_background is None:
        tagged_background = [tagger.tag(a) for a in background]
    tagged = [*tagged_background, *(tagger.tag(a) for batch in injected for a in batch)]
    firsts, on_target = real.surge_facts(surges, injected, {t.id: t for t in tagged})
    context = {"firsts": firsts, "on_target": on_target, "news_days": len(news_days),
               "strike": real.strike_stories(data)}  # fmt: skip
    return tagged, surges, context, tagged_background


def scored(raised: list[real.Raised], surges: list[real.Surge], ctx: dict[str, Any],
           incidents: list[real.Incident]) -> dict[str, Any]:  # fmt: skip
    """A run scored as detect_real scores it, on a set `prepared` made (no Asia share)."""
    return real.score(raised, surges, ctx["firsts"], ctx["on_target"], ctx["news_days"], 0.0, incidents,
                      strike_ids=ctx["strike"])  # fmt: skip


def tagging(incident: real.Incident, by_id: dict[str, TaggedArticle], watch: Watch,
            roles: tuple[str, ...]) -> dict[str, Any]:  # fmt: skip
    """Stage (a): the incident's stories with a listed country, and with it and a topic of its family."""
    stories = [by_id[s] for s in incident.stories if s in by_id]
    placed = [a for a in stories if any(c.code in incident.countries and c.role in roles for c in a.countries)]
    fitting = [a for a in placed if incident.family == "any" or any(watch.fits(t, incident.family) and t != "all"
                                                                    for t in a.topics)]  # fmt: skip
    return {"stories": len(stories), "country": len(placed), "family": len(fitting)}


def blocked_by(rows: list[dict[str, Any]]) -> list[str]:
    """The relaxations under which one of the incident's windows would open a series alert."""
    return [name for name in RELAXED if any(r["alerts"][name] for r in rows)]


def diagnose(args: argparse.Namespace) -> dict[str, Any]:
    from streams.offline import tracker_config
    from streams.settings import Settings

    incidents = real.load_incidents(args.incidents)
    tagged, surges, ctx, _ = prepared(args.data, 14, "shipped")
    config = tracker_config(Settings.load())
    watch = Watch(incidents)
    with watching(watch):
        raised = real.run(tagged, config)
    result = scored(raised, surges, ctx, incidents)
    by_id = {t.id: t for t in tagged}
    table = []
    for incident in incidents:
        found = result["per_incident"][incident.name]["found"]
        rows = watch.rows.get(incident.name, [])
        warm = [r for r in rows if r["warm"]] or rows  # a window before warm-up is judged against the prior alone
        best = max(warm, key=lambda r: (r["score"] - r["low"], r["own"]), default=None)
        tags = tagging(incident, by_id, watch, config.roles)
        series_alert = any(r.get("series_alert") for r in rows)
        if found:
            stage = "found"
        elif tags["family"] == 0:
            stage = "tagging"
        elif series_alert:
            stage = "alerted, unmatched"
        else:
            stage = "gates/score"
        blocks = blocked_by(rows) if stage == "gates/score" else []
        table.append({
            "incident": incident.name, "countries": incident.countries, "family": incident.family,
            "label": incident.label, "found": found, **tags, "stage": stage, "blocked_by": blocks,
            "series_alert": series_alert, "windows": len(rows),
            "best": {k: best[k] for k in BEST} if best else None,
            "max_own": {w: max((r["own"] for r in warm if r["window"] == w), default=0) for w in ("1h", "1d")},
            "rows": rows,
        })  # fmt: skip
    report_diagnosis(table)
    return {"incidents_found": result["incidents_found"], "table": table}


BEST = (
    "window",
    "key",
    "start",
    "stories",
    "own",
    "sources",
    "volume",
    "floor",
    "exposure",
    "bare",
    "flat",
    "expected",
    "phi",
    "score",
    "low",
    "scores",
)


def report_diagnosis(table: list[dict[str, Any]]) -> None:
    print(
        "incident  stories  country  +family  stage         best series (window)      own/all/srcs  score/low   "
        "phi  exp(ship/nofloor/flat)   blocked by (one relaxation that alone lets it alert)"
    )
    for row in table:
        best = row["best"]
        cells = (f"{best['key']:22} {best['window']}  {best['own']:>3}/{best['stories']:>3}/{best['sources']:<3} "
                 f"{best['score']:6.2f}/{best['low']:<5} {best['phi']:4.1f}  "
                 f"{best['exposure']:.1f}/{best['bare']:.1f}/{best['flat']:.1f}"
                 if best else "-")  # fmt: skip
        blocks = ",".join(row["blocked_by"]) or ("-" if row["stage"] != "gates/score" else "none alone")
        print(f"{row['incident']:9} {row['stories']:>7} {row['country']:>8} {row['family']:>8}  {row['stage']:12}  "
              f"{cells}  {blocks}")  # fmt: skip
    stages: dict[str, int] = {}
    for row in table:
        stages[row["stage"]] = stages.get(row["stage"], 0) + 1
    print(f"stages: {stages}")
    missed = [r for r in table if r["stage"] == "gates/score"]
    for name in RELAXED:
        print(
            f"  {name:12} alone would open a series alert on {sum(name in r['blocked_by'] for r in missed)} "
            f"of the {len(missed)} stopped at the gates/score"
        )


# -- trade-off: each relaxation as a whole run ----------------------------------------------


def overdispersion_off() -> Callable[[], None]:
    """GammaPoisson.for_window building detectors with no learned overdispersion (restore with the result)."""
    original = detect.GammaPoisson.__dict__["for_window"]

    def for_window(cls: type[detect.GammaPoisson], window: timedelta, half_life_days: float = 7.0,
                   **params: Any) -> detect.GammaPoisson:  # fmt: skip
        return original.__func__(cls, window, half_life_days, max_overdispersion=1.0, **params)

    detect.GammaPoisson.for_window = classmethod(for_window)  # type: ignore[assignment,method-assign]
    return lambda: setattr(detect.GammaPoisson, "for_window", original)


def partial_day_off() -> Callable[[], None]:
    """Longer windows judged open against their plain thresholds (no raise for a partial day; see scales.py)."""
    from streams.core.incidents import IncidentTracker

    original = IncidentTracker.__dict__["_judge_open_windows"]
    IncidentTracker._judge_open_windows = staticmethod(lambda tracker, leader: None)  # type: ignore[method-assign]
    return lambda: setattr(IncidentTracker, "_judge_open_windows", original)


def flat_floor() -> Callable[[], None]:
    """The open hour's volume floor as it was before session 8: half the day's mean window at every hour.

    Shipped now, the floor is scaled by the hour of day's usual share of the news (series.py
    `volume_floor`); this puts the flat one back, for comparison.
    """
    original = series.SeriesTracker.__dict__["volume_floor"]

    def floor(self: series.SeriesTracker, start: int) -> int:
        return int(self.config.min_volume_share * self.store.get("typical", 0.0))

    series.SeriesTracker.volume_floor = floor  # type: ignore[method-assign]
    return lambda: setattr(series.SeriesTracker, "volume_floor", original)


PATCHES: dict[str, Callable[[], Callable[[], None]]] = {
    "flat floor": flat_floor,
    "no partial-day raise+flat floor": lambda: _both(flat_floor(), partial_day_off()),
    "dispersion=1": overdispersion_off,
    "no partial-day raise": partial_day_off,
    "no floor+no partial-day": partial_day_off,
}


def _both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    return lambda: (second(), first())  # type: ignore[func-returns-value]


VARIANTS: dict[str, Callable[[TrackerConfig], TrackerConfig]] = {
    "shipped": lambda c: c,
    "sources=1": lambda c: replace(c, min_sources=1),
    "stories=2/3": lambda c: replace(c, min_stories=2, min_stories_day=3),
    "no floor": lambda c: replace(c, min_volume_share=0.0),
    "not seasonal": lambda c: replace(c, seasonal=False),
    "dispersion=1": lambda c: c,  # with overdispersion_off
    "no partial-day raise": lambda c: c,  # with partial_day_off
    "thresholds-0.5": lambda c: replace(c, thresholds=(3.0, 5.0, 8.0, 13.0)),
    "thresholds-1": lambda c: replace(c, thresholds=(2.5, 4.5, 7.5, 12.5)),
    "stories day=3": lambda c: replace(c, min_stories_day=3),
    "sources=1+stories=2/3": lambda c: replace(c, min_sources=1, min_stories=2, min_stories_day=3),
    "no floor+no partial-day": lambda c: replace(c, min_volume_share=0.0),  # with partial_day_off
    "flat floor": lambda c: c,  # with flat_floor
    "no partial-day raise+flat floor": lambda c: c,
    "windows 1h,6h,1d": lambda c: replace(c, windows=(timedelta(hours=1), timedelta(hours=6), timedelta(days=1))),
    "windows 1h,1d,3d": lambda c: replace(c, windows=(timedelta(hours=1), timedelta(days=1), timedelta(days=3))),
}


def tradeoff(args: argparse.Namespace) -> dict[str, Any]:
    from streams.offline import tracker_config
    from streams.settings import Settings

    incidents = real.load_incidents(args.incidents)
    base = tracker_config(Settings.load())
    sets = [("shipped", 14), *(("drawn", int(s)) for s in args.seeds.split(",") if s)]
    names = args.variant or list(VARIANTS)
    results: dict[str, dict[str, Any]] = {}
    background = None
    for kind, seed in sets:
        tagged, surges, ctx, background = prepared(args.data, seed, kind, background)
        label = "shipped" if kind == "shipped" else f"seed {seed}"
        for name in names:
            begun = time.perf_counter()
            restore = PATCHES[name]() if name in PATCHES else None
            try:
                raised = real.run(tagged, VARIANTS[name](base))
            finally:
                if restore:
                    restore()
            got = scored(raised, surges, ctx, incidents)
            keep = ("detected", "surges", "false_per_day", "false_medium_per_day", "false_unlabelled_per_day",
                    "false_unlabelled_medium_per_day", "incidents_found", "topical_found", "incident_median_delay_h",
                    "median_delay_h")  # fmt: skip
            row = {k: got[k] for k in keep}
            row["found"] = sorted(n for n, p in got["per_incident"].items() if p["found"])
            row["seconds"] = round(time.perf_counter() - begun, 1)
            results.setdefault(name, {})[label] = row
            print(f"{label:8} {name:24} surges {row['detected']}/{row['surges']}  FA raw {row['false_per_day']} "
                  f"(med+ {row['false_medium_per_day']})  off labelled {row['false_unlabelled_per_day']} "
                  f"(med+ {row['false_unlabelled_medium_per_day']})  "
                  f"incidents {row['incidents_found']}/{len(incidents)} "
                  f"delay {row['incident_median_delay_h']}  [{row['seconds']} s]", flush=True)  # fmt: skip
    return results


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=real.DATA)
    parser.add_argument("--incidents", type=Path, default=real.INCIDENTS)
    parser.add_argument("--tradeoff", action="store_true", help="run each relaxation as a setting (see VARIANTS)")
    parser.add_argument("--seeds", default="1,2", help="drawn surge sets for --tradeoff, beside the shipped one")
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS), help="default: all")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(list(argv) if argv is not None else None)
    if real.stream_missing(args.data, "recall_diag"):
        return 2
    out = tradeoff(args) if args.tradeoff else diagnose(args)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
