"""Prototype (#14): alerts on *developments* inside a busy country, beside geopulse's series alerts.

A series per country × topic asks "is this country unusually in the news"; the real incidents geopulse
misses on the 1987 wire (bench/recall_diag.py) are 3-5 stories on one development inside a country
whose news is busy anyway (2 of 22 US stories in the hour) or whose usual level is 3-5 stories a day.
This driver measures, on detect_real's stream, surges and scoring, a signal that counts developments
instead: a TDT-style story cluster.

- A story is a candidate (after the stream's first `span`: word frequencies need a history) when it
  reports an event (it has a topic) and names a country as location or actor. Its salient words are
  its title's words of four letters or more that are no function word, no place the gazetteer finds,
  and not common in the week of stories before the last `span` (in more than `common` of them: an
  online document frequency, so `talks`, `trade`, `dollar` drop out by themselves, and a
  development's own stories do not make its words common).
- Two candidate stories of one country within `span` are linked when they share `shared` salient
  words; a development is a connected group. It alerts when it reaches `stories` distinct stories
  (the tracker's story index) from `sources` outlets, once: a later group of the country sharing
  `shared` words with one alerted within `memory` is the same development.
- One incident, one alert: of a development alert and a geopulse alert of the same country opened
  within a day of each other that share a story, only the first counts (as incidents.py joins them).

No surprise statistic: the country's rate is not asked. `stories`, `sources` and `span` are the label
rule's and the tracker's own numbers (3 stories, 2 sources, a day); `shared` 2 and `common` 1 % were
set before a run (3 shared words was also tried on the shipped set of an earlier sketch, and found
nothing more than geopulse).

Also measured here, as negative results (`--signal`): finer series keys judged by geopulse's own
detector, for a development to be surprising against a smaller series than its country's: `dyads`
(C|all@D for every other listed country D), `group-dyads` (C|<topic group>@D) and `terms` (C|~word for
the salient words of an event story's title, `words` below with a fixed stop list, no online
frequency: the series' own baseline is the word's frequency).

    .venv/bin/python bench/developments.py [--surges drawn --seed N] [--signal clusters|dyads|group-dyads|terms]
        [--stories 3] [--shared 2] [--tickers] [--show]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import statistics
import sys
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import detect_real as dr
from schemas import Alert, TaggedArticle
from schemas.alert import AlertArticle, DetectorInfo
from streams.core.config import TrackerConfig
from streams.core.dedupe import Expiry, StoryIndex
from streams.core.developments import words_of
from streams.core.windows import to_seconds

TICKER = re.compile(r"<[A-Z.]+>")  # the 1987 wire names a listed company by its ticker: company news


@dataclass
class Candidate:
    ts: int
    story: str
    words: frozenset[str]
    article: TaggedArticle


@dataclass
class Development:
    """An alerted development of one country: when, and the words it is known by."""

    ts: int
    words: set[str] = field(default_factory=set)


class Developments:
    """Story clusters per country over a stream in event-time order (the module docstring)."""

    def __init__(self, stories: int = 3, shared: int = 2, sources: int = 2, span: float = 24.0,
                 memory: float = 48.0, common: float = 0.01, events_only: bool = True,
                 tickers: bool = False) -> None:  # fmt: skip
        self.stories, self.shared, self.sources = stories, shared, sources
        self.span, self.memory = int(span * 3600), int(memory * 3600)
        self.common, self.events_only, self.tickers = common, events_only, tickers
        store: dict[str, Any] = {}
        self.index = StoryIndex(store, Expiry(store), 24 * 3600, 0.5)
        self.seen: set[str] = set()
        self.week: deque[tuple[int, frozenset[str]]] = deque()
        self.pending: deque[tuple[int, frozenset[str]]] = deque()
        self.df: Counter[str] = Counter()
        self.recent: dict[str, list[Candidate]] = {}
        self.alerted: dict[str, list[Development]] = {}

    words_of = staticmethod(words_of)  # the product's (streams/core/developments.py)

    def _learn(self, ts: int, words: frozenset[str]) -> None:
        """Document frequencies of the week before the last `span`: a development's own stories do not make its
        words common."""
        self.pending.append((ts, words))
        while self.pending and ts - self.pending[0][0] > self.span:
            entry = self.pending.popleft()
            self.week.append(entry)
            self.df.update(entry[1])
        while self.week and ts - self.week[0][0] > self.span + 7 * 86_400:
            self.df.subtract(self.week.popleft()[1])

    def observe(self, article: TaggedArticle) -> list[tuple[str, list[TaggedArticle]]]:
        """The developments this article makes alert: (country, its stories' first articles), oldest first."""
        ts = to_seconds(article.published_at)
        self.index.expiry.expire(ts)  # the index forgets a story a day after its last article, as the tracker's
        story = self.index.assign(article.id, article.fingerprint, ts)
        if story in self.seen:
            return []
        self.seen.add(story)
        words = self.words_of(article.title)
        self._learn(ts, words)
        if (self.events_only and not article.topics) or (self.tickers and TICKER.search(article.title)):
            return []
        if not self.week:  # warming up: no story is older than `span`, so no word is known to be common yet
            return []
        limit = self.common * len(self.week)
        salient = frozenset(w for w in words if self.df[w] <= max(limit, 2))
        if len(salient) < self.shared:
            return []
        found = []
        for country in dict.fromkeys(c.code for c in article.countries if c.role in ("location", "actor")):
            recent = [c for c in self.recent.get(country, []) if ts - c.ts <= self.span]
            recent.append(Candidate(ts, story, salient, article))
            self.recent[country] = recent
            group = self._group(recent)
            if len(group) < self.stories or len({c.article.source for c in group}) < self.sources:
                continue
            words_of = set().union(*(c.words for c in group))
            known = [d for d in self.alerted.get(country, []) if ts - d.ts <= self.memory]
            same = next((d for d in known if len(words_of & d.words) >= self.shared), None)
            if same is not None:
                same.words |= words_of
                continue
            self.alerted[country] = [*known, Development(ts, words_of)]
            found.append((country, sorted((c.article for c in group), key=lambda a: a.published_at)))
        return found

    def _group(self, recent: list[Candidate]) -> list[Candidate]:
        """The newest candidate's connected group (single link: `shared` words in common)."""
        group, frontier = [recent[-1]], [recent[-1]]
        rest = recent[:-1]
        while frontier:
            node = frontier.pop()
            linked = [c for c in rest if len(c.words & node.words) >= self.shared]
            rest = [c for c in rest if c not in linked]
            group += linked
            frontier += linked
        return group


def as_raised(country: str, articles: Sequence[TaggedArticle]) -> dr.Raised:
    """A development alert as detect_real scores an alert: country, topics, its stories, opened at the last one."""
    topics = list(dict.fromkeys(t for a in articles for t in a.topics)) or ["all"]
    first, last = articles[0].published_at, articles[-1].published_at
    alert = Alert(
        alert_id=hashlib.sha256(f"dev|{country}|{articles[0].id}".encode()).hexdigest()[:16], revision=0,
        status="open", country=country, topic=next((t for t in topics if t in GROUPS), topics[0]), topics=topics,
        window_start=first, window_end=last, window="dev", observed=len(articles), expected=0.0, ratio=0.0, score=0.0,
        severity="low", articles=len(articles), sources=len({a.source for a in articles}),
        summary=f"development: {len(articles)} stories", first_seen=first, last_seen=last,
        top_articles=[AlertArticle(id=a.id, title=a.title, source=a.source, published_at=a.published_at)
                      for a in articles[:5]],
        detector=DetectorInfo(name="developments", params={}),
    )  # fmt: skip
    return dr.Raised(alert, last, "low")


def one_per_incident(raised: Iterable[dr.Raised]) -> list[dr.Raised]:
    """Of two alerts of one country opened within a day of each other and sharing a story, the first."""
    kept: list[dr.Raised] = []
    for r in sorted(raised, key=lambda r: r.at):
        ids = {a.id for a in r.alert.top_articles}
        if not any(k.alert.country == r.alert.country and r.at - k.at <= timedelta(days=1)
                   and ids & {a.id for a in k.alert.top_articles} for k in kept):  # fmt: skip
            kept.append(r)
    return kept


def developments(tagged: Iterable[TaggedArticle], finder: Developments) -> list[dr.Raised]:
    ordered = sorted(tagged, key=lambda a: (a.published_at, a.id))
    return [as_raised(country, group) for article in ordered for country, group in finder.observe(article)]


GROUPS = ("conflict", "unrest", "crisis", "diplomacy", "cooperation")


@dataclass(frozen=True)
class ExtraKeys(TrackerConfig):
    """Geopulse with finer series beside its own (`--signal dyads|group-dyads|terms`)."""

    extra: str = "dyads"

    def series_of(self, article: TaggedArticle) -> Iterator[tuple[str, str]]:
        yield from super().series_of(article)
        countries = list(dict.fromkeys(c.code for c in article.countries if c.role in self.roles))
        if self.extra == "terms":
            words = sorted(title_words(article.title)) if article.topics else []
            yield from ((country, f"~{word}") for country in countries for word in words)
            return
        topics = ["all"] if self.extra == "dyads" else [t for t in article.topics if t in GROUPS]
        yield from ((c, f"{t}@{o}") for c in countries for o in countries if o != c for t in topics)


def title_words(title: str) -> frozenset[str]:
    """`Developments.words` without the online frequency (a finer series' baseline is its word's frequency)."""
    return frozenset(w for w in Developments.words_of(title) if w not in NEWS_WORDS)


# Words of most political headlines (a fixed list for `terms`; `clusters` learns its common words instead).
NEWS_WORDS = frozenset([
    "talks", "plan", "government", "minister", "ministers", "president", "report", "group", "trade", "bank",
    "market", "rates", "rate", "official", "officials", "says", "said", "sees", "seen"
])  # fmt: skip


def plain_topic(topic: str) -> str:
    """The topic a finer series is scored as: `CONSULT@JPN` as CONSULT, `~word` as all."""
    return topic.split("@", 1)[0] if not topic.startswith("~") else "all"


def run_keys(tagged: list[TaggedArticle], config: TrackerConfig, extra: str) -> list[dr.Raised]:
    keyed = ExtraKeys(**{f.name: getattr(config, f.name) for f in fields(config)}, extra=extra)
    found = []
    for r in dr.run(tagged, keyed):
        topics = list(dict.fromkeys(plain_topic(t) for t in r.alert.topics))
        alert = r.alert.model_copy(update={"topic": plain_topic(r.alert.topic), "topics": topics,
                                           "summary": f"{r.alert.topic}: {r.alert.summary}"})  # fmt: skip
        found.append(dr.Raised(alert, r.at, r.peak))
    return found


def kind_of(raised: dr.Raised, surges: Sequence[dr.Surge], firsts: dict[str, Any],
            incidents: Sequence[dr.Incident], strike_ids: frozenset[str]) -> str:  # fmt: skip
    """How detect_real counts an alert: on a surge, the 19 Oct strike (an Iran or US conflict alert those two days
    holding one of the strike's stories, see `dr.strike`), a labelled incident, or a false alarm off them ("other")."""
    if any(dr.matches(raised, s, firsts[s.name]) for s in surges):
        return "surge"
    if dr.strike(raised, strike_ids):
        return "strike"
    return "incident" if any(dr.on_incident(raised, i) for i in incidents) else "other"


def cost(tagged: list[TaggedArticle], config: TrackerConfig, times: int) -> int:
    """Replay seconds without and with the product's developments (alternating, so load drifts hit both)."""
    seconds: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(times):
        for on in (False, True):
            begun = time.perf_counter()
            dr.run(tagged, replace(config, developments=on))
            seconds[on].append(time.perf_counter() - begun)
    off, on = statistics.median(seconds[False]), statistics.median(seconds[True])
    pairs = ", ".join(f"{a:.1f}/{b:.1f}" for a, b in zip(seconds[False], seconds[True], strict=True))
    print(f"replay seconds, median of {times}: without {off:.2f}, with developments {on:.2f}; ratio {on / off:.3f} "
          f"(each without/with: {pairs})")  # fmt: skip
    return 0


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=dr.DATA)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--surges", choices=["shipped", "drawn"], default="shipped")
    parser.add_argument("--signal", choices=["clusters", "dyads", "group-dyads", "terms"], default="clusters")
    parser.add_argument("--stories", type=int, default=3)
    parser.add_argument("--shared", type=int, default=2)
    parser.add_argument("--sources", type=int, default=2)
    parser.add_argument("--common", type=float, default=0.01, help="a word in more of the week's stories is common")
    parser.add_argument("--all-stories", action="store_true", help="stories without an event too")
    parser.add_argument("--tickers", action="store_true", help="leave out titles with a company ticker (<XYZ>)")
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--cost", type=int, default=0, metavar="N",
                        help="time replay without and with GEOPULSE_DEVELOPMENTS, N times each, and stop")  # fmt: skip
    args = parser.parse_args(list(argv) if argv is not None else None)
    if dr.stream_missing(args.data, "developments"):
        return 2
    from streams.core.tagging import Tagger
    from streams.offline import tracker_config
    from streams.settings import Settings

    rng = random.Random(args.seed)
    incidents, incidents_b = dr.load_incidents(), dr.load_incidents(dr.INCIDENTS_B)
    background = dr.load_reuters(args.data)
    news_days = {a.published_at.date() for a in background}
    surges = dr.SURGES if args.surges == "shipped" else dr.draw_surges(rng, news_days)
    injected = [dr.surge_articles(surge, rng) for surge in surges]
    tagger = Tagger.default()
    tagged = [tagger.tag(a) for a in [*background, *(a for batch in injected for a in batch)]]
    firsts, on_target = dr.surge_facts(surges, injected, {t.id: t for t in tagged})
    asia_share = dr.asia_news_share(tagged[: len(background)])
    strike_ids = dr.strike_stories(args.data)
    config = tracker_config(Settings.load())
    if args.cost:
        return cost(tagged, config, args.cost)
    begun = time.perf_counter()
    geo = dr.run(tagged, config)
    seconds = {"geopulse": time.perf_counter() - begun}
    begun = time.perf_counter()
    if args.signal == "clusters":
        finder = Developments(args.stories, args.shared, args.sources, common=args.common,
                              events_only=not args.all_stories, tickers=args.tickers)  # fmt: skip
        dev = developments(tagged, finder)
        seconds[args.signal] = time.perf_counter() - begun
        both = one_per_incident([*geo, *dev])
    else:
        both = run_keys(tagged, config, args.signal)
        seconds[f"geopulse with {args.signal}"] = time.perf_counter() - begun
        dev = [r for r in both if r.alert.topic != r.alert.summary.split(":", 1)[0]]
    for name, raised in (("geopulse", geo), ("+ developments", both)):
        s = dr.score(
            raised, surges, firsts, on_target, len(news_days), asia_share, incidents, incidents_b, strike_ids=strike_ids
        )
        delays = "/".join(map(str, s["median_delay_h"].values()))  # sudden, medium, slow, small
        print(f"{name:15} surges {s['detected']}/{s['surges']} delays {delays} "
              f"FA/day {s['false_per_day']} ({s['false_medium_per_day']}) off labelled {s['false_unlabelled_per_day']} "
              f"({s['false_unlabelled_medium_per_day']}) incidents {s['incidents_found']}/{s['incidents']} "
              f"found {' '.join(n for n, p in s['per_incident'].items() if p['found'])}")  # fmt: skip
        for key, row in s["annotators"].items():
            print(f"{'':15}   labels {key:6}: off labelled {row['false_per_day']} ({row['false_medium_per_day']}), "
                  f"found {row['found']}/{row['labelled']}")  # fmt: skip
    added = [r for r in both if r.alert.detector.name == "developments"] if args.signal == "clusters" else dev
    print(f"{args.signal} alerts: {len(dev)}, {len(added)} not joined to a geopulse alert; seconds: "
          + ", ".join(f"{name} {value:.1f}" for name, value in seconds.items()))  # fmt: skip
    if args.show:
        for r in added:
            kind = kind_of(r, surges, firsts, incidents, strike_ids)
            titles = " / ".join(a.title[:38] for a in r.alert.top_articles[:3])
            print(f"  {kind:8} {r.at:%m-%d %H:%M} {r.alert.country}|{r.alert.topic} {r.alert.observed} | {titles}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
