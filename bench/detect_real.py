"""Spike detection on a real newswire: the 1987 Reuters stream with labelled surges injected.

Background: the 9,620 real Reuters stories of `../shared/data/reuters87-dev.jsonl.gz` with their real
timing (weekdays 400-600 stories, weekends 15-40, Asia-Pacific first in each UTC day, weeks-long gaps
between its four periods), each given one of 30 outlet names by a hash of its id. Injected: labelled
surges written at run time from templates (no Reuters text), of four shapes:

- sudden: 15-25 stories in 3 h;       - medium: 8-12 stories in 6 h;
- slow:   a build-up over 3 days (3, 6, 12 stories a day), and one over six (1, 2, 5, 13, 9, 7);
- small:  5-6 stories in 2 h from 4+ outlets;

placed in Asia, Europe and Americas hours and on weekends; a quarter of their articles are syndicated
copies (same text, another outlet, minutes later). All are tagged by the product tagger, like the
background.

Scored per system, on the same articles: surges detected (an alert of the surge's country opened
between its first story and 6 h after its last, a day for slow builds), delay from the first surge
story to the alert (event time of the article whose arrival raised it), false alarms a day (alerts
opened outside every surge, over the days that have news; the 19 Oct 1987 IRN strike is real news and
counted apart), at medium or above (peak severity), and the share of false alarms that are
Asia-Pacific series in 00-08 UTC against that share of the news. Each false alarm is listed with
the ids of its stories. The background is real news: `bench/data/reuters87-incidents.jsonl` lists
35 real incidents a news desk would want alerted, labelled blind to any detector output under the
rule of `bench/data/INCIDENTS.md`. A false alarm that matches one (a listed country, opened between
its first story and 6 h after its last, a day for one over days, a topic sharing a PLOVER type
with the incident's family, one of its stories among the alert's) is a real incident found: the
raw false-alarm rate is kept, and the rate without those is printed beside it, with the recall on
the labelled incidents and the delay from an incident's first story. A second annotator labelled the
same stream blind to the first (`bench/data/reuters87-incidents-b.jsonl`); the rate and the recall are
also given off each annotator's labels, off either's (union) and off only the developments both
labelled (intersection), and `--agreement` prints how far the two sets agree (no tagging, no replay).
Systems: geopulse as configured (default settings), and three peers in the same tracker (same
windows, story dedupe, gates): a fixed threshold, a z-score, and a seasonal median/MAD rule (S-H-ESD
style), all on 1 h windows.

Held-out sets (`--surges drawn --seed N`) give the sixteen shapes other countries and starts. A drawn
surge starts no earlier than a week after the stream's first day (`--draw-after 7`, the default). A
running service is judged once it has a week of history: a week is one baseline half-life, after
which a series' expected rate rests on what it has seen more than on the prior, and a restarted
worker resumes its history from the changelog. A detector that has just started on an empty history
is a different case, and it is counted apart: the rows "starting after week 1" and "in week 1 (cold
start)" split the surges found by where they start (the shipped set has two in week 1; every drawn
set puts its six-day build there, as this wire has six days of news in a row only from 1 and 2
March). `--draw-after 0` draws anywhere, as before session 10 (the same surges for the same seed);
drawn that way, every surge missed on seeds 3-14 but one started in the wire's first five days of
news. `--warm` is the other way to give the detector history (the background replayed first); it is
kept as a check, not as the held-out default, because it scores a stream the detector has seen.

    .venv/bin/python bench/detect_real.py [--data ../shared/data/reuters87-dev.jsonl.gz] [--json PATH]
        [--system NAME ...] [--set windows=1h,1d ...] [--surges drawn --seed N [--draw-after DAYS]]
        [--incidents PATH] [--incidents-b PATH] [--agreement] [--why] [--warm]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import statistics
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from schemas import Alert, Article, TaggedArticle
from streams.core.config import TrackerConfig
from streams.core.detect import FixedThreshold, SeasonalMAD, ZScore
from streams.core.incidents import IncidentTracker
from streams.core.keys import SeriesKey
from streams.core.loose import loosen
from streams.core.replay import replay
from streams.core.scales import OpenWindow
from streams.core.seasons import region_of
from streams.core.series import SeriesRecord, SeriesTracker
from streams.core.tagging.topics import TopicGroups

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "reuters87-dev.jsonl.gz"
INCIDENTS = REPO / "bench" / "data" / "reuters87-incidents.jsonl"
INCIDENTS_B = REPO / "bench" / "data" / "reuters87-incidents-b.jsonl"  # a second annotator's, labelled blind to A
OUTLETS = [f"outlet{n:02d}.example" for n in range(30)]
SLACK = timedelta(hours=6)
SLOW_SLACK = timedelta(days=1)
IRN_STRIKE = datetime(1987, 10, 19, tzinfo=UTC)
# Held-out surges start after the stream's first week: a running service is judged once it has a week of
# history (a baseline half-life, GEOPULSE_HALF_LIFE); what a fresh detector misses is reported apart (cold start).
WARM_UP_DAYS = 7


@dataclass(frozen=True)
class Surge:
    name: str
    kind: str  # sudden, medium, slow, small
    country: str
    topic: str  # unrest, conflict, diplomacy
    start: datetime
    shape: tuple[tuple[float, int], ...]  # (hours after start, stories) blocks, spread over the block
    block_hours: float
    outlets: int = 30  # outlets the surge's stories come from

    @property
    def stories(self) -> int:
        return sum(n for _, n in self.shape)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.shape[-1][0] + self.block_hours)


def days(*counts: int) -> tuple[tuple[float, int], ...]:
    return tuple((24.0 * day, n) for day, n in enumerate(counts))


def at(day: str, hour: float) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(hours=hour)


# Only on days the file has news (it has gaps of days to months). 1987: 1 March was a Sunday; the weekend
# surges fall on 1, 7, 14 and 15 March and 26 April.
SURGES = [
    Surge("PHL unrest, Asia morning", "sudden", "PHL", "unrest", at("1987-03-03", 1.5), ((0, 18),), 3),
    Surge("NGA conflict, Europe hours", "sudden", "NGA", "conflict", at("1987-03-11", 9.2), ((0, 22),), 3),
    Surge("CHL unrest, Americas hours", "sudden", "CHL", "unrest", at("1987-04-13", 16.4), ((0, 16),), 3),
    Surge("KOR unrest, Asia weekend", "sudden", "KOR", "unrest", at("1987-03-14", 3.0), ((0, 25),), 3),
    Surge("TUR unrest, Europe weekend", "sudden", "TUR", "unrest", at("1987-03-15", 10.0), ((0, 15),), 3),
    Surge("PAK conflict, Asia hours", "medium", "PAK", "conflict", at("1987-06-02", 4.0), ((0, 10),), 6),
    Surge("KEN unrest, Europe hours", "medium", "KEN", "unrest", at("1987-06-18", 8.5), ((0, 12),), 6),
    Surge("PER conflict, Americas weekend", "medium", "PER", "conflict", at("1987-03-07", 14.0), ((0, 9),), 6),
    Surge("SWE diplomacy, Europe hours", "medium", "SWE", "diplomacy", at("1987-06-29", 7.0), ((0, 8),), 6),
    Surge("ZAF conflict, Americas hours", "medium", "ZAF", "conflict", at("1987-04-17", 13.0), ((0, 11),), 6),
    Surge("BGD unrest build-up", "slow", "BGD", "unrest", at("1987-03-11", 2.0), days(3, 6, 12), 20),
    Surge("COL conflict build-up", "slow", "COL", "conflict", at("1987-04-27", 12.0), days(3, 6, 12), 20),
    Surge(
        "KAZ-style unrest over six days", "slow", "MNG", "unrest", at("1987-03-01", 1.0), days(1, 2, 5, 13, 9, 7), 20
    ),
    Surge("LKA conflict, small, Asia", "small", "LKA", "conflict", at("1987-03-09", 5.0), ((0, 6),), 2, outlets=4),
    Surge("PRT unrest, small, Europe", "small", "PRT", "unrest", at("1987-04-24", 11.0), ((0, 5),), 2, outlets=5),
    Surge(
        "VEN diplomacy, small, Americas weekend",
        "small",
        "VEN",
        "diplomacy",
        at("1987-04-26", 18.0),
        ((0, 6),),
        2,
        outlets=4,
    ),
]

PLACES = {
    "PHL": ("Philippines", "Manila", "Philippine"), "NGA": ("Nigeria", "Lagos", "Nigerian"),
    "CHL": ("Chile", "Santiago", "Chilean"), "KOR": ("South Korea", "Seoul", "South Korean"),
    "PAK": ("Pakistan", "Peshawar", "Pakistani"), "KEN": ("Kenya", "Nairobi", "Kenyan"),
    "PER": ("Peru", "Lima", "Peruvian"), "SWE": ("Sweden", "Stockholm", "Swedish"),
    "BGD": ("Bangladesh", "Dhaka", "Bangladeshi"), "COL": ("Colombia", "Medellin", "Colombian"),
    "MNG": ("Mongolia", "Ulan Bator", "Mongolian"), "TUR": ("Turkey", "Istanbul", "Turkish"),
    "ZAF": ("South Africa", "Soweto", "South African"), "LKA": ("Sri Lanka", "Jaffna", "Sri Lankan"),
    "PRT": ("Portugal", "Lisbon", "Portuguese"), "VEN": ("Venezuela", "Caracas", "Venezuelan"),
}  # fmt: skip

TEMPLATES = {
    "unrest": [
        "Thousands of protesters marched through {city}, {country}, demanding the government resign; police fired "
        "tear gas at the crowd near the {place}.",
        "Riot police clashed with striking {group} in {city}, {country}, arresting {n} people after the {place} rally.",
        "Demonstrators set up barricades in {city}, {country}, as the opposition called a {n}-day general strike.",
        "{demonym} police detained {n} opposition activists in {city} after a night of protests by {group}.",
    ],
    "conflict": [
        "{demonym} troops shelled rebel positions near {city}, {country}, killing at least {n} people, the army said.",
        "Rebels attacked an army post outside {city}, {country}, killing {n} soldiers near the {place}.",
        "Fighting between the army and guerrillas near {city}, {country}, left {n} dead, officials said.",
        "{demonym} aircraft bombed insurgent camps north of {city}, {country}; {n} {group} were reported killed.",
    ],
    "diplomacy": [
        "The {demonym} foreign minister met his counterparts in {city}, {country}, for talks on the {place} treaty.",
        "{country} recalled its ambassador and summoned envoys in {city} over the {place} dispute with {n} states.",
        "Envoys from {n} countries arrived in {city}, {country}, for emergency talks on the {place} crisis.",
        "The {demonym} prime minister held talks in {city} with {group} on a new {place} agreement.",
    ],
}  # fmt: skip
FILLERS = {
    "place": ["harbour", "university", "parliament", "central market", "railway station", "cathedral", "stadium",
              "border crossing", "oil terminal", "airport", "old town", "textile district", "river bridge"],
    "group": ["students", "dock workers", "farmers", "miners", "teachers", "civil servants", "taxi drivers",
              "villagers", "nurses", "veterans", "traders", "bus drivers"],
}  # fmt: skip
DETAILS = ["Witnesses said shops were shut.", "A curfew was imposed overnight.", "Officials gave no figures.",
           "Radio reports said roads were blocked.", "The government called for calm.", "Hospitals were full.",
           "Diplomats said the situation was tense.", "Schools were closed.", "Telephone lines were cut.",
           "A spokesman declined to comment.", "Newspapers carried the story on front pages."]  # fmt: skip


def draw_surges(rng: random.Random, news_days: set[date], after: int = 0) -> list[Surge]:
    """A held-out set: the same sixteen shapes, each given another country and another start.

    Countries are a random permutation of the sixteen (each surge's topic and templates kept); each
    start is a random hour of a random day with news, a slow build's whole span on days with news, and
    no earlier than `after` days from the stream's first day (`--draw-after`: the detector's warm-up).
    A shape that fits nowhere after that (this wire's only six days in a row with news start 1 and 2
    March) is drawn as before, and reported as a cold-start surge. With `after` 0 the draws are the
    ones of every earlier session for the same seed. Drawn after the shipped set (`--surges drawn
    --seed N`), to check a change tuned on one set.
    """
    countries = rng.sample(sorted(PLACES), len(SURGES))
    days = sorted(news_days)
    warmed = days[0] + timedelta(days=after)
    found = []
    for surge, country in zip(SURGES, countries, strict=True):
        span = math.ceil(surge.shape[-1][0] / 24 + surge.block_hours / 24)
        fits = [d for d in days if all(d + timedelta(days=k) in news_days for k in range(span))]
        day = rng.choice([d for d in fits if d >= warmed] or fits)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=rng.uniform(0, 21))
        found.append(replace(surge, name=f"{surge.kind} {surge.topic} {country} {start:%d %b %H:%M}", country=country,
                             start=start))  # fmt: skip
    return found


def in_first_week(surges: Sequence[Surge], first: datetime, days: int = WARM_UP_DAYS) -> list[Surge]:
    """The surges starting within `days` of the stream's first day: judged by a detector with little history."""
    warmed = datetime(first.year, first.month, first.day, tzinfo=UTC) + timedelta(days=days)
    return [s for s in surges if s.start < warmed]


def outlet_of(article_id: str) -> str:
    return OUTLETS[zlib.crc32(article_id.encode()) % len(OUTLETS)]


def asia_news_share(background: Sequence[TaggedArticle]) -> float:
    """The share of the background's stories that are Asia-Pacific stories filed 00-08 UTC (what the
    Asia-morning share of false alarms is held against)."""
    asia = [a for a in background if any(region_of(c.code) == "asia-pacific" for c in a.countries)]
    return round(sum(a.published_at.hour < 8 for a in asia) / len(background), 3)


def stream_missing(path: Path, prog: str) -> bool:
    """True, after one line on stderr, when the shared Reuters stream is not at `path`."""
    if path.exists():
        return False
    print(f"{prog}: {path} not found (the shared Reuters stream, ../shared beside the repo)", file=sys.stderr)
    return True


def load_reuters(path: Path, raw: bool = False) -> list[Article]:
    """The wire as `geopulse replay --loose` reads it: dateline back in front, hard wraps undone.

    Fed raw (`raw`, the bench's reading before session 5), the ~65-column line breaks cut sentences
    apart and the tagger (and its reported-event model, trained on text read the same `loosen` way)
    sees fragments, not the stories a user replays.
    """
    found = []
    with gzip.open(path, "rt") as lines:
        for line in lines:
            row = json.loads(line)
            if not row.get("published_at"):
                continue
            data = row if raw else loosen(row)[0]
            title = (data.get("title") or row["id"])[:300]
            found.append(Article(id=row["id"], source=outlet_of(row["id"]), title=title, body=data.get("body") or "",
                                 published_at=row["published_at"]))  # fmt: skip
    return found


def surge_articles(surge: Surge, rng: random.Random) -> list[Article]:
    """The surge's stories, spread over its blocks, a quarter of them syndicated by a second outlet."""
    country, city, demonym = PLACES[surge.country]
    outlets = rng.sample(OUTLETS, surge.outlets)
    found: list[Article] = []
    for offset, count in surge.shape:
        for _ in range(count):
            template = rng.choice(TEMPLATES[surge.topic])
            text = template.format(country=country, city=city, demonym=demonym, n=rng.randint(3, 400),
                                   place=rng.choice(FILLERS["place"]), group=rng.choice(FILLERS["group"]))  # fmt: skip
            body = " ".join([text, *rng.sample(DETAILS, 3), f"Report {rng.randrange(10**6)}."])
            when = surge.start + timedelta(hours=offset + rng.uniform(0, surge.block_hours))
            n = len(found)
            source = outlets[n % len(outlets)]
            found.append(Article(id=f"surge-{surge.country}-{n}", source=source, title=text[:120], body=body,
                                 published_at=when))  # fmt: skip
            if rng.random() < 1 / 3:  # a copy for a third of the stories: a quarter of the articles
                copy = rng.choice([o for o in OUTLETS if o != source])
                found.append(Article(id=f"surge-{surge.country}-{n}-copy", source=copy, title=text[:120], body=body,
                                     published_at=when + timedelta(minutes=rng.uniform(2, 40))))  # fmt: skip
    return found


def surge_facts(surges: Sequence[Surge], injected: Sequence[list[Article]], tagged: dict[str, TaggedArticle],
                ) -> tuple[dict[str, datetime], dict[str, float]]:  # fmt: skip
    """Each surge's first story time, and the share of its articles tagged on its country (not as a mention)."""
    firsts = {s.name: min(a.published_at for a in batch) for s, batch in zip(surges, injected, strict=True)}
    on_target = {}
    for surge, batch in zip(surges, injected, strict=True):
        placed = [any(c.code == surge.country and c.role != "mentioned" for c in tagged[a.id].countries) for a in batch]
        on_target[surge.name] = sum(placed) / len(batch)
    return firsts, on_target


@dataclass
class Raised:
    """One alert episode as a system raised it: when (event time of the article that opened it) and its peak."""

    alert: Alert
    at: datetime
    peak: str


RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


WARM_SHIFT = timedelta(weeks=35)  # the file spans 26 Feb-20 Oct 1987: shifted back, it ends 17 Feb, weekdays kept


def warm_history(background: Sequence[TaggedArticle], shift: timedelta = WARM_SHIFT) -> list[TaggedArticle]:
    """`--warm`: the background again, `shift` earlier with ids of its own, replayed first as history.

    The file starts cold: on its first day no alert can open (the warm-up) and for its next few days each
    series' rate is mostly the detector's prior. A deployed service has weeks of history; this gives the
    detector the same stream's weeks before the scored span, to tell what the cold start costs.
    """
    return [t.model_copy(update={"id": f"warm-{t.id}", "published_at": t.published_at - shift}) for t in background]


def run(tagged: list[TaggedArticle], config: TrackerConfig) -> list[Raised]:
    """Replay and collect the alert episodes, each with the stream time at which it opened."""
    ordered = sorted(tagged, key=lambda a: a.published_at)
    episodes: dict[str, Raised] = {}
    for article, seen in zip(ordered, replay(ordered, config), strict=False):
        for alert in seen.alerts:
            if alert.status == "open":
                episodes[alert.alert_id] = Raised(alert, article.published_at, alert.severity)
            elif alert.alert_id in episodes and RANK[alert.severity] > RANK[episodes[alert.alert_id].peak]:
                episodes[alert.alert_id].peak = alert.severity
    return list(episodes.values())


def opened_within(raised: Raised, countries: Sequence[str], first: datetime, end: datetime) -> bool:
    """An alert of one of these countries opened between `first` and `end`: how a surge or an incident is found."""
    return raised.alert.country in countries and first <= raised.at <= end


def matches(raised: Raised, surge: Surge, first: datetime) -> bool:
    slack = SLOW_SLACK if surge.kind == "slow" else SLACK
    return opened_within(raised, (surge.country,), first, surge.end + slack)


def score(raised: list[Raised], surges: list[Surge], firsts: dict[str, datetime], on_target: dict[str, float],
          news_days: int, asia_share: float, incidents: Sequence[Incident] = (), incidents_b: Sequence[Incident] = (),
          *, strike_ids: Collection[str]) -> dict[str, Any]:  # fmt: skip
    per_surge: dict[str, Any] = {}
    matched: set[str] = set()
    for surge in surges:
        hits = sorted((r for r in raised if matches(r, surge, firsts[surge.name])), key=lambda r: r.at)
        matched.update(r.alert.alert_id for r in hits)
        first = hits[0] if hits else None
        per_surge[surge.name] = {
            "kind": surge.kind, "detected": first is not None,
            "delay_h": round((first.at - firsts[surge.name]).total_seconds() / 3600, 2) if first else None,
            "severity": max((r.peak for r in hits), key=RANK.__getitem__) if hits else None,
            "window": getattr(first.alert, "window", None) if first else None, "alerts": len(hits),
            "tagged": round(on_target[surge.name], 2),
        }  # fmt: skip
    irn = [r for r in raised if strike(r, strike_ids)]
    false = [r for r in raised if r.alert.alert_id not in matched and r not in irn]
    asia = [r for r in false if region_of(r.alert.country) == "asia-pacific" and r.at.hour < 8]
    delays: dict[str, float | None] = {}
    for kind in ("sudden", "medium", "slow", "small"):
        found = [s["delay_h"] for s in per_surge.values() if s["kind"] == kind and s["detected"]]
        delays[kind] = round(statistics.median(found), 2) if found else None
    real = score_incidents(raised, false, incidents, news_days)
    on_b = {id(r): f" [{i.name}]" for r in false for i in incidents_b if on_incident(r, i)}
    return {
        "detected": sum(s["detected"] for s in per_surge.values()), "surges": len(surges),
        "median_delay_h": delays, "false_per_day": round(len(false) / news_days, 3),
        "false_medium_per_day": round(sum(RANK[r.peak] >= 1 for r in false) / news_days, 3),
        "asia_morning_share": round(len(asia) / len(false), 3) if false else 0.0, "asia_news_share": asia_share,
        "alerts_per_surge": round(sum(s["alerts"] for s in per_surge.values()) / len(surges), 2),
        "per_surge": per_surge, "irn": [describe(r) for r in sorted(irn, key=lambda r: r.at)],
        "top_false": Counter(f"{r.alert.country}|{r.alert.topic}" for r in false).most_common(8),
        "false": [f"{describe(r)}; stories {' '.join(a.id for a in r.alert.top_articles)}{real['on'].get(id(r), '')}"
                  f"{on_b.get(id(r), '')}" for r in sorted(false, key=lambda r: r.at)],
        **{k: v for k, v in real.items() if k != "on"},
        "annotators": score_annotators(raised, false, incidents, incidents_b, news_days),
    }  # fmt: skip


# Real incidents of the background: labelled blind (bench/data/INCIDENTS.md), scored beside the surges.


@dataclass(frozen=True)
class Incident:
    """A real development of the background stream that a news desk would want alerted."""

    name: str  # r87-NNN
    countries: tuple[str, ...]
    family: str  # a topic group, a PLOVER type or "any"
    first: datetime  # its first and last story
    last: datetime
    stories: tuple[str, ...]
    label: str

    @property
    def end(self) -> datetime:
        """Alerts up to here find it: 6 h after its last story, a day for one that runs over days (as surges)."""
        return self.last + (SLOW_SLACK if self.last - self.first >= timedelta(days=1) else SLACK)


def load_incidents(path: Path = INCIDENTS) -> list[Incident]:
    found = []
    for line in path.read_text().splitlines():
        row = json.loads(line)
        found.append(Incident(row["incident"], tuple(row["countries"]), row["family"],
                              datetime.fromisoformat(row["first"]), datetime.fromisoformat(row["last"]),
                              tuple(row["stories"]), row["label"]))  # fmt: skip
    return found


def topic_fits(alert: Alert, family: str) -> bool:
    """The alert has a topic that shares a PLOVER type with the family (`any` fits every alert, `all` every family)."""
    if family == "any":
        return True
    groups = TopicGroups.load().groups
    return any(groups.get(topic, frozenset()) & groups[family] for topic in {alert.topic, *alert.topics})


def on_incident(raised: Raised, incident: Incident, loose: bool = False) -> bool:
    """Found as a surge is (country, time), in a fitting topic, and explained by one of the incident's stories.

    The stories matter on a real wire: a busy country (the US) has some labelled incident most days,
    and an alert of its `all` series on an unrelated hour would otherwise count as finding it
    (`loose` drops that condition, for comparison).
    """
    return (
        opened_within(raised, incident.countries, incident.first, incident.end)
        and topic_fits(raised.alert, incident.family)
        and (loose or not {a.id for a in raised.alert.top_articles}.isdisjoint(incident.stories))
    )


def score_incidents(raised: list[Raised], false: list[Raised], incidents: Sequence[Incident],
                    news_days: int) -> dict[str, Any]:  # fmt: skip
    """Recall on the labelled incidents, and the false alarms left when those on one of them are set apart.

    `on` maps each false alarm (by `id`) that found an incident to a tag naming it, for the listing.
    """
    per: dict[str, Any] = {}
    for incident in incidents:
        hits = sorted((r for r in raised if on_incident(r, incident)), key=lambda r: r.at)
        per[incident.name] = {
            "countries": list(incident.countries), "family": incident.family, "label": incident.label,
            "found": bool(hits), "alerts": len(hits),
            "delay_h": round((hits[0].at - incident.first).total_seconds() / 3600, 2) if hits else None,
            "severity": max((r.peak for r in hits), key=RANK.__getitem__) if hits else None,
        }  # fmt: skip
    on = {id(r): f" [{i.name}]" for r in false for i in incidents if on_incident(r, i)}
    rest = [r for r in false if id(r) not in on]
    delays = [p["delay_h"] for p in per.values() if p["found"]]
    loose = [r for r in false if not any(on_incident(r, i, loose=True) for i in incidents)]
    return {
        "incidents_found_loose": sum(any(on_incident(r, i, loose=True) for r in raised) for i in incidents),
        "false_unlabelled_loose_per_day": round(len(loose) / news_days, 3),
        "incidents": len(incidents), "incidents_found": len(delays),
        "topical": sum(i.family != "any" for i in incidents),
        "topical_found": sum(p["found"] and p["family"] != "any" for p in per.values()),
        "incident_median_delay_h": round(statistics.median(delays), 2) if delays else None,
        "false_on_incidents": len(on), "false_unlabelled_per_day": round(len(rest) / news_days, 3),
        "false_unlabelled_medium_per_day": round(sum(RANK[r.peak] >= 1 for r in rest) / news_days, 3),
        "per_incident": per, "on": on,
    }  # fmt: skip


def developments(a: Sequence[Incident], b: Sequence[Incident]) -> list[tuple[list[Incident], list[Incident]]]:
    """Two annotators' incidents grouped into developments: incidents that share a story (at any remove) are one.

    Each development is (A's incidents, B's incidents); both sides non-empty means both annotators labelled it.
    """
    both = [*a, *b]
    parent = list(range(len(both)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    owner: dict[str, int] = {}
    for k, incident in enumerate(both):
        for story in incident.stories:
            parent[root(k)] = root(owner.setdefault(story, k))
    groups: dict[int, tuple[list[Incident], list[Incident]]] = {}
    for k, incident in enumerate(both):
        groups.setdefault(root(k), ([], []))[k >= len(a)].append(incident)
    return list(groups.values())


def score_annotators(raised: list[Raised], false: list[Raised], a: Sequence[Incident], b: Sequence[Incident],
                     news_days: int) -> dict[str, dict[str, Any]]:  # fmt: skip
    """False alarms a day and incident recall against annotator A's labels, B's, either's and both's.

    `either`: an alarm on an incident of A or of B is real news; recall over the developments either labelled.
    `both`: only developments both labelled are real news, and an alarm must be on an incident of each
    annotator in one of them; recall over those developments. A development is found when any of its
    incidents is.
    """
    groups = developments(a, b)
    hits = {id(i): {id(r) for r in raised if on_incident(r, i)} for i in [*a, *b]}
    on_a = set().union(*(hits[id(i)] for i in a))
    on_b = set().union(*(hits[id(i)] for i in b))
    agreed = [(ga, gb) for ga, gb in groups if ga and gb]
    on_both = set().union(*(set().union(*(hits[id(i)] for i in ga)) & set().union(*(hits[id(j)] for j in gb))
                            for ga, gb in agreed))  # fmt: skip

    def found(incidents: Sequence[Incident]) -> bool:
        return any(hits[id(i)] for i in incidents)

    def row(real: set[int], found_names: list[str], labelled: int) -> dict[str, Any]:
        rest = [r for r in false if id(r) not in real]
        return {"false_per_day": round(len(rest) / news_days, 3),
                "false_medium_per_day": round(sum(RANK[r.peak] >= 1 for r in rest) / news_days, 3),
                "found": len(found_names), "labelled": labelled, "found_names": found_names}  # fmt: skip

    def names(groups: Sequence[tuple[list[Incident], list[Incident]]]) -> list[str]:
        return ["+".join(i.name for i in [*ga, *gb]) for ga, gb in groups if found([*ga, *gb])]

    return {
        "a": row(on_a, [i.name for i in a if found([i])], len(a)),
        "b": row(on_b, [i.name for i in b if found([i])], len(b)),
        "either": row(on_a | on_b, names(groups), len(groups)),
        "both": row(on_both, names(agreed), len(agreed)),
    }


def agreement(a: Sequence[Incident], b: Sequence[Incident], stories: int) -> dict[str, Any]:
    """How far two annotators' incident labels agree: developments matched, and story-level Jaccard and kappa."""
    groups = developments(a, b)
    in_a = {s for i in a for s in i.stories}
    in_b = {s for i in b for s in i.stories}
    shared, only_a, only_b = len(in_a & in_b), len(in_a - in_b), len(in_b - in_a)
    observed = (stories - only_a - only_b) / stories
    chance = len(in_a) / stories * len(in_b) / stories + (1 - len(in_a) / stories) * (1 - len(in_b) / stories)
    matched_a = sum(bool(gb) for ga, gb in groups for _ in ga)
    matched_b = sum(bool(ga) for ga, gb in groups for _ in gb)
    return {
        "incidents": [len(a), len(b)],
        "developments": len(groups),
        "labelled_by_both": sum(bool(ga and gb) for ga, gb in groups),
        "a_matched_by_b": matched_a,
        "b_matched_by_a": matched_b,
        "b_recall_of_a": round(matched_a / len(a), 3),
        "b_precision_against_a": round(matched_b / len(b), 3),
        "stories": [len(in_a), len(in_b)],
        "stories_shared": shared,
        "stories_only": [only_a, only_b],
        "story_jaccard": round(shared / len(in_a | in_b), 3),
        "story_kappa": round((observed - chance) / (1 - chance), 3),
        "split_or_merged": [
            [i.name for i in ga] + [j.name for j in gb] for ga, gb in groups if len(ga) > 1 or len(gb) > 1
        ],
        "only_a": [i.name for ga, gb in groups if not gb for i in ga],
        "only_b": [j.name for ga, gb in groups if not ga for j in gb],
    }


@cache  # one reading of the file per run, however many surge sets a driver scores
def strike_stories(path: Path) -> frozenset[str]:
    """The wire's own stories of the 19 Oct 1987 strike: filed on the 19th or 20th with Iran among the
    collection's PLACES (the wire's coding, not our tagger's reading)."""
    with gzip.open(path, "rt") as lines:
        rows = [json.loads(line) for line in lines]
    return frozenset(
        row["id"] for row in rows
        if row.get("published_at") and "IRN" in row.get("countries", ())
        and IRN_STRIKE <= datetime.fromisoformat(row["published_at"]) < IRN_STRIKE + timedelta(days=2)
    )  # fmt: skip


def strike(raised: Raised, stories: Collection[str]) -> bool:
    """An alert of the real 19 Oct 1987 strike: Iran, or the US in a conflict topic, on the 19th or 20th,
    explained by at least one of the strike's `stories` (a US alert on other news those days is no strike)."""
    alert = raised.alert
    conflict = {"ASSAULT", "conflict", "crisis", "COERCE", "THREATEN"} & {alert.topic, *getattr(alert, "topics", [])}
    on_time = IRN_STRIKE <= raised.at < IRN_STRIKE + timedelta(days=2)
    on_iran = any(a.id in stories for a in alert.top_articles)
    return on_time and on_iran and (alert.country == "IRN" or (alert.country == "USA" and bool(conflict)))


def describe(raised: Raised) -> str:
    alert = raised.alert
    window = getattr(alert, "window", "")
    return (f"{raised.at:%Y-%m-%d %H:%M} {alert.country}|{alert.topic} {window} {alert.severity}->{raised.peak} "
            f"score {alert.score} observed {alert.observed} expected {alert.expected}")  # fmt: skip


SYSTEMS: dict[str, Callable[[TrackerConfig], TrackerConfig]] = {
    "geopulse": lambda c: c,
    "fixed-threshold": lambda c: replace(c, detector=FixedThreshold(threshold=10), windows=(timedelta(hours=1),)),
    "z-score": lambda c: replace(c, detector=ZScore(), windows=(timedelta(hours=1),)),
    "seasonal-mad": lambda c: replace(c, detector=SeasonalMAD(), windows=(timedelta(hours=1),)),
}


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--surges", choices=["shipped", "drawn"], default="shipped",
                        help="drawn: a held-out set (countries and starts drawn from --seed)")  # fmt: skip
    parser.add_argument("--draw-after", type=int, default=WARM_UP_DAYS, metavar="DAYS",
                        help="drawn surges start this many days after the stream's first day or later (the "
                             "detector's warm-up; 0: anywhere, the draws of sessions before 10)")  # fmt: skip
    parser.add_argument("--system", action="append", choices=sorted(SYSTEMS), help="default: all")
    parser.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE",
                        help="a detection setting for geopulse, as GEOPULSE_<KNOB> takes it")  # fmt: skip
    parser.add_argument("--json", type=Path)
    parser.add_argument("--incidents", type=Path, default=INCIDENTS,
                        help="labelled real incidents of the background (bench/data/INCIDENTS.md)")  # fmt: skip
    parser.add_argument("--incidents-b", type=Path, default=INCIDENTS_B,
                        help="a second annotator's labels of the same stream, labelled blind to the first")  # fmt: skip
    parser.add_argument("--agreement", action="store_true",
                        help="print how far the two label files agree and stop (no tagging, no replay)")  # fmt: skip
    parser.add_argument("--why", action="store_true",
                        help="each surge geopulse misses: its country's best window, what stopped it")  # fmt: skip
    parser.add_argument("--warm", action="store_true",
                        help="first replay the background 35 weeks earlier (weekdays kept) as history; alerts before "
                             "the first article scored are not scored")  # fmt: skip
    parser.add_argument("--raw", action="store_true",
                        help="the bodies as filed (hard-wrapped), not as replay --loose reads them")  # fmt: skip
    args = parser.parse_args(list(argv) if argv is not None else None)
    if stream_missing(args.data, "detect_real"):
        return 2
    for labels in (args.incidents, args.incidents_b):
        if not labels.exists():
            print(f"detect_real: {labels} not found (labelled real incidents, bench/data/INCIDENTS.md)",
                  file=sys.stderr)  # fmt: skip
            return 2
    from streams.core.tagging import Tagger
    from streams.offline import tracker_config
    from streams.settings import Settings

    rng = random.Random(args.seed)
    incidents = load_incidents(args.incidents)
    incidents_b = load_incidents(args.incidents_b)
    if args.agreement:
        stories = len(load_reuters(args.data, raw=True))
        report_agreement(agreement(incidents, incidents_b, stories))
        return 0
    started = time.perf_counter()
    background = load_reuters(args.data, args.raw)
    strike_ids = strike_stories(args.data)
    news = {a.published_at.date() for a in background}
    surges = SURGES if args.surges == "shipped" else draw_surges(rng, news, args.draw_after)
    first_week = {s.name for s in in_first_week(surges, min(a.published_at for a in background))}
    injected = [surge_articles(surge, rng) for surge in surges]
    tagger = Tagger.default()
    tagged = [tagger.tag(a) for a in [*background, *(a for batch in injected for a in batch)]]
    by_id = {t.id: t for t in tagged}
    firsts, on_target = surge_facts(surges, injected, by_id)
    news_days = len({a.published_at.date() for a in background})
    asia_share = asia_news_share(tagged[: len(background)])
    print(f"background {len(background)} stories over {news_days} days; {sum(map(len, injected))} surge articles in "
          f"{len(surges)} surges (share tagged on their country: {min(on_target.values()):.2f} at least); "
          f"tagged in {time.perf_counter() - started:.1f} s")  # fmt: skip
    overrides = dict(item.split("=", 1) for item in args.set)
    base = tracker_config(Settings.load(**overrides))
    results = {}
    for name in args.system or list(SYSTEMS):
        begun = time.perf_counter()
        watch = {s.country for s in surges} if args.why and name == "geopulse" else set()
        history = warm_history(tagged[: len(background)]) if args.warm else []
        with watching(watch) as judged:
            raised = run([*history, *tagged], SYSTEMS[name](base))
        if history:
            raised = [r for r in raised if r.at >= min(a.published_at for a in tagged)]
        results[name] = score(
            raised, surges, firsts, on_target, news_days, asia_share, incidents, incidents_b, strike_ids=strike_ids
        )
        results[name]["seconds"] = round(time.perf_counter() - begun, 1)
        for surge, found in results[name]["per_surge"].items():
            found["first_week"] = surge in first_week
        if watch:
            results[name]["why"] = why_missed(surges, firsts, results[name]["per_surge"], raised, judged)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


# --why: what the tracker made of a missed surge's windows. It watches the tracker's judging (the same calls,
# in the same order, their results untouched); nothing here changes what is raised or scored.


@contextmanager
def watching(countries: Collection[str]) -> Iterator[list[dict[str, Any]]]:
    """Record each judging of a window of these countries' series, and each alert's join into an incident."""
    seen: list[dict[str, Any]] = []
    if not countries:
        yield seen
        return
    step_alert, join_or_open = SeriesTracker._step_alert, IncidentTracker._join_or_open

    def judging(tracker: SeriesTracker, key: str, start: int, tally: Any, volume: int, out: Any) -> None:
        country, _ = SeriesKey.parse(key)
        if country not in countries:
            step_alert(tracker, key, start, tally, volume, out)
            return
        cfg, before = tracker.config, len(out.alerts)
        warm = tracker._clock().closed >= cfg.warmup_windows()
        row = {"key": key, "size": tracker.size, "start": start, "stories": tally.stories, "sources": tally.sources,
               "at": tracker.stream_time, "gated": tracker._gated(tally), "warm": warm,
               "need": cfg.min_stories}  # fmt: skip
        if row["gated"]:
            record = SeriesRecord.from_json(tracker.store[f"s:{key}"])
            floored = volume if tracker.exposure_of else max(volume, tracker.volume_floor(start))
            exposure = tracker._exposure(key, start, floored, open_window=True)
            verdict = tracker.detector.judge(record.baseline, tracker._observed(tally), exposure, start=start)
            detector = tracker.detector
            if isinstance(detector, OpenWindow):
                share = max(detector.least, min(1.0, detector.share(start)))
                low = detector.inner.thresholds[0] + math.log10(1.0 / share)
                ratio = detector.inner.min_ratio
            else:
                low, ratio = getattr(detector, "thresholds", (math.nan,))[0], getattr(detector, "min_ratio", 0.0)
            row.update(score=verdict.score, low=round(low, 2), expected=round(verdict.expected, 3),
                       ratio_short=tracker._observed(tally) < ratio * verdict.expected,
                       severity=tracker._graver(key, start, tally, verdict).severity,
                       open_before=f"a:{key}" in tracker.store)  # fmt: skip
        step_alert(tracker, key, start, tally, volume, out)
        row["emitted"] = [a.status for a in out.alerts[before:]]
        seen.append(row)

    def joining(incidents: IncidentTracker, label: str, alert: Any, stories: set[str], out: list[Any]) -> None:
        before = len(out)
        join_or_open(incidents, label, alert, stories, out)
        if alert.country in countries:
            seen.append({"join": alert.country, "topic": alert.topic, "label": label, "at": alert.window_start,
                         "became": [(a.status, a.alert_id) for a in out[before:]] or "joined quietly"})  # fmt: skip

    SeriesTracker._step_alert = judging  # type: ignore[method-assign]
    IncidentTracker._join_or_open = joining  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        SeriesTracker._step_alert = step_alert  # type: ignore[method-assign]
        IncidentTracker._join_or_open = join_or_open  # type: ignore[method-assign]


def why_missed(surges: Sequence[Surge], firsts: dict[str, datetime], per_surge: dict[str, Any],
               raised: list[Raised], judged: list[dict[str, Any]]) -> dict[str, str]:  # fmt: skip
    """For each missed surge: per window size, its country's best window over the surge's span (most
    stories, then the best score against the low threshold in force), what stopped it, and any alert of
    the country already open when the surge began (a surge joining it is an update, not an opening)."""
    found = {}
    for surge in surges:
        if per_surge[surge.name]["detected"]:
            continue
        first = firsts[surge.name]
        end = surge.end + (SLOW_SLACK if surge.kind == "slow" else SLACK)
        lo, hi = first.timestamp(), end.timestamp()
        rows = [r for r in judged if "key" in r and SeriesKey.parse(r["key"])[0] == surge.country
                and lo <= r["at"] <= hi]  # fmt: skip
        parts = []
        for size in sorted({r["size"] for r in rows}):
            mine = [r for r in rows if r["size"] == size]
            best = max(mine, key=lambda r: (r["gated"], r.get("score", 0) - r.get("low", 0), r["stories"]))
            where = f"{best['key']}@{datetime.fromtimestamp(best['start'], UTC):%a %d %b %H:%M}"
            if not best["gated"]:
                most = max(mine, key=lambda r: (r["stories"], r["sources"]))
                why = (f"never gated: most {most['stories']} stories/{most['sources']} sources (need {most['need']}/2)"
                       f"{'' if most['warm'] else ', warming up'}")  # fmt: skip
            else:
                why = (f"best {where} {best['stories']} st/{best['sources']} src score {best['score']:.2f} vs low "
                       f"{best['low']} (expected {best['expected']}){' ratio<2' if best['ratio_short'] else ''} "
                       f"-> {best['severity']}{' (alert already open)' if best['open_before'] else ''} "
                       f"emitted {best['emitted']}")  # fmt: skip
            parts.append(f"{size // 3600}h: {why}")
            if size >= 86400:  # each day: its last judging (all its stories in), as stories, score / low in force
                last = {r["start"]: r for r in mine if r["key"].endswith("|all")}
                parts.append("days " + ", ".join(
                    f"{datetime.fromtimestamp(t, UTC):%a %d} {r['stories']}st {r.get('score', 0):.1f}/"
                    f"{r.get('low', '-')} exp {r.get('expected', '-')}" for t, r in sorted(last.items())))  # fmt: skip
        before = [describe(r) for r in raised if r.alert.country == surge.country and r.at < first
                  and first - r.at < timedelta(days=2)]  # fmt: skip
        joins = [j for j in judged if j.get("join") == surge.country and lo <= j["at"].timestamp() <= hi]
        parts.append(f"opened in the 2 days before: {before or 'none'}; joins in span: "
                     f"{[(j['topic'], j['label'], j['became']) for j in joins][:4]}")  # fmt: skip
        found[surge.name] = " | ".join(parts)
    return found


def report(results: dict[str, Any]) -> None:
    names = list(results)
    rows = [
        ("detected", lambda r: f"{r['detected']}/{r['surges']}"),
        ("  starting after week 1", lambda r: found_of(r, first_week=False)),
        ("  in week 1 (cold start)", lambda r: found_of(r, first_week=True)),
    ]
    for kind in ("sudden", "medium", "slow", "small"):
        rows.append((f"median delay {kind} (h)", lambda r, k=kind: str(r["median_delay_h"][k])))
    rows += [
        ("false alarms / day (raw)", lambda r: str(r["false_per_day"])),
        ("  at medium+ / day", lambda r: str(r["false_medium_per_day"])),
        ("  off labelled news / day", lambda r: str(r["false_unlabelled_per_day"])),
        ("    at medium+ / day", lambda r: str(r["false_unlabelled_medium_per_day"])),
        ("real incidents found", lambda r: f"{r['incidents_found']}/{r['incidents']}"),
        ("  of a topic family", lambda r: f"{r['topical_found']}/{r['topical']}"),
        ("  median delay (h)", lambda r: str(r["incident_median_delay_h"])),
        ("  Asia 00-08 UTC share", lambda r: f"{r['asia_morning_share']} (news {r['asia_news_share']})"),
    ]
    for key, label in (("a", "A"), ("b", "B (blind to A)"), ("either", "A|B (either)"), ("both", "A&B (both)")):
        rows.append((f"labels {label}", lambda r, k=key: labels_cell(r["annotators"][k])))
    rows += [
        ("alerts per surge", lambda r: str(r["alerts_per_surge"])),
        ("seconds", lambda r: str(r["seconds"])),
    ]
    print(f"{'':26}" + "".join(f"{n:>22}" for n in names))
    for label, cell in rows:
        print(f"{label:26}" + "".join(f"{cell(results[n]):>22}" for n in names))
    print(
        "labels X: false alarms a day off them, incidents found; A bench/data/reuters87-incidents.jsonl, B "
        "reuters87-incidents-b.jsonl; A|B: real news if either labelled it, found over the developments either "
        "labelled; A&B: only developments both labelled, an alarm on an incident of each"
    )
    for name in names:
        print(f"\n{name}: per surge (kind, delay h, peak, window; share of its articles tagged on the country)")
        for surge, found in results[name]["per_surge"].items():
            cells = f"{found['kind']:7} {found['delay_h']!s:>6} {found['severity']!s:>8} {found['window']!s:>4}"
            print(f"  {surge:40} {cells} {found['tagged']}{'  week 1' if found.get('first_week') else ''}")
        for surge, why in results[name].get("why", {}).items():
            print(f"  missed {surge}: {why}")
        print(f"  19 Oct 1987 IRN: {results[name]['irn'] or 'no alert'}")
        report_incidents(results[name])
        print(f"  most frequent false alarms: {results[name]['top_false']}")
        listed = results[name]["false"]
        first = ", the first 15" if len(listed) > 15 else ""
        print(f"  false alarms (raw; [r87-NNN] / [r87b-NNN]: on that incident of A / of B{first}):")
        for line in listed[:15]:
            print(f"    {line}")


def found_of(result: dict[str, Any], first_week: bool) -> str:
    """Surges found of those starting in the stream's first week (or after it)."""
    part = [s for s in result["per_surge"].values() if s.get("first_week", False) == first_week]
    return f"{sum(s['detected'] for s in part)}/{len(part)}"


def labels_cell(scored: dict[str, Any]) -> str:
    """False alarms a day off one set of labels, and the incidents (developments) of it found."""
    return f"{scored['false_per_day']}  {scored['found']}/{scored['labelled']}"


def report_agreement(agreed: dict[str, Any]) -> None:
    (a, b), (sa, sb) = agreed["incidents"], agreed["stories"]
    print(
        f"developments {agreed['developments']} (A {a} incidents, B {b}); labelled by both "
        f"{agreed['labelled_by_both']}; B finds {agreed['a_matched_by_b']}/{a} of A's "
        f"({agreed['b_recall_of_a']}), A {agreed['b_matched_by_a']}/{b} of B's ({agreed['b_precision_against_a']})"
    )
    print(
        f"stories A {sa}, B {sb}, shared {agreed['stories_shared']} (only A {agreed['stories_only'][0]}, only B "
        f"{agreed['stories_only'][1]}): Jaccard {agreed['story_jaccard']}, kappa {agreed['story_kappa']}"
    )
    print(f"split or merged: {agreed['split_or_merged']}")
    print(f"only A: {' '.join(agreed['only_a'])}\nonly B: {' '.join(agreed['only_b'])}")


def report_incidents(result: dict[str, Any]) -> None:
    per = result["per_incident"]
    found = [f"{n} {p['delay_h']}h {p['severity']}" for n, p in per.items() if p["found"]]
    print(f"  real incidents found ({len(found)}/{len(per)}; delay from the first story, peak): {', '.join(found)}")
    print(f"  real incidents missed: {' '.join(n for n, p in per.items() if not p['found'])}")
    print(f"  second annotator's found: {' '.join(result['annotators']['b']['found_names']) or 'none'}")


if __name__ == "__main__":
    sys.exit(main())
