"""Developments: a few stories on one matter inside a country whose news is busy anyway (opt-in, #14).

A country's series asks "is this country unusually in the news"; a development of three stories in a
day inside the United States' hundred is not. This module counts story clusters instead (a TDT-style
signal, measured on the 1987 wire: `bench/detect_real.py --set developments=true`):

- A story (the tracker's story index: syndicated copies are one) is a *candidate* of each country it
  names as location or actor (`roles`), when it reports an event (it has a topic).
- Its *salient words* are its title's words of four letters or more that are no English function
  word or reporting verb, no place the gazetteer finds (countries, demonyms, cities), and not common:
  in at most `common` (1 %) of the stories of the week before the last `span` (a day), and at least 2
  (an online document frequency: `talks` and `dollar` drop out by themselves, and a development's own
  stories of the last day never make its words common). The week is counted in buckets of 6 hours
  (the 28 whole ones that end by `span` ago). With no story in them yet, nothing is a candidate
  (warming up).
- Two candidates of a country within `span` (a day) sharing `shared` (2) salient words are linked; a
  development is the connected group (single link) of the newest candidate. It *alerts* once it has
  `stories` (3) distinct stories from `sources` (2) outlets, once: a later group of the country
  sharing `shared` words with one alerted in the last `memory` (48 h) is the same development (its
  words and stories are added; its alert updates when its stories reach 1.5 × those last reported).
- Its alert resolves a day after its last story, and at the latest when it is forgotten `memory`
  after it alerted (a development still going then alerts anew).

What was expected (the alert's `expected`, `ratio`, `score`): the size of a cluster chance alone would
grow from one of the country's stories. Each pair of the country's `n` candidates of the last `span`
(the development's included) is taken to link with the country's usual link rate `p`: the share of its
candidate pairs that linked in the week of its quarter-days with pairs before the last `span` (the
newest 28; a gap in the stream is skipped, as outages are not quiet news), shrunk toward `prior_link`
with the weight of `prior_pairs` (20) pairs. A story then links to `m = (n - 1) p` others on average,
and its cluster (single link) holds Borel(m) stories, the size of a random graph's component: `expected`
is its mean `1 / (1 - m)` (at most `n`), `score` is `-log10 P(size >= observed)`. A busy day of a
country whose stories often link makes clusters by chance; three linked stories among a quiet country's
four do not. `prior_link` 3 % is the median country's rate on the 1987 wire's background (13 countries
with 20 pairs or more: 0 to 18 %; pooled 1.0 %, nearly all of it the United States' 0.5 %). The score is
the chance of one story's cluster, not of the day's (every candidate is a seed), so severity stays
`low`; a development scoring below `min_score` (1: chance makes it more than one time in ten) does not
alert (it may later, grown). A development joins its country's incident like any series alert
(incidents.py). `stories`, `sources` and `span` are the label rule's and the tracker's own numbers.

Store (JSON values, each key small; `exp` keys deleted by `Expiry` once stream time passes):

    dv:n               {"<bucket start>": stories} of the last 8 days (every instance counts every story)
    dv:w:<word>        {"d": {"<bucket start>": stories with the word in their title}, "exp"}
    dv:c:<C>           {"c": [[ts, story, words, source, title, url, topics], ...] of the last `span`, "exp"}
    dv:a:<C>           {"d": [development, ...] alerted in the last `memory`, "exp"}
    dv:p:<C>           {"d": {"<bucket start>": [candidate pairs, linked pairs]}}: of the country's newest 28
                       quarter-days with pairs before the last `span`, and of those since (kept through gaps)
    dv:open            countries with an open development alert
    x, x:<minute>      the expiry buckets (dedupe.py)

A word's and a country's keys are written only by stories that have them, so the store holds a week
of title words and a day of each country's candidates, however long the stream; and each country's link
counts of at most 33 quarter-days.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

from schemas import SCHEMA_VERSION, Alert, TaggedArticle
from schemas.alert import AlertArticle, DetectorInfo
from schemas.tagged import EVENT_TYPES
from streams.core.dedupe import Expiry
from streams.core.explain import country_name, plural
from streams.core.tagging.gazetteer import Gazetteer
from streams.core.tagging.topics import ALL, TopicGroups
from streams.core.windows import from_seconds

__all__ = ["LABEL", "DevelopmentRules", "Developments", "Step", "words_of"]

LABEL = "dev"  # the `window` of an incident a development opened
DAY = 86_400
GROWTH = 1.5  # an alerted development's alert updates when its stories reach this × those last reported

WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


@cache
def _function_words() -> frozenset[str]:
    """English function words, reporting verbs and units of time (data/titlewords.toml)."""
    raw = tomllib.loads(resources.files("streams.core").joinpath("data/titlewords.toml").read_text())
    return frozenset(raw["function"])


@cache
def _gazetteer() -> Gazetteer:
    return Gazetteer.default()


@cache
def _groups() -> frozenset[str]:
    """The topic groups (conflict, diplomacy, ...): a development's headline topic when its stories have one."""
    return frozenset(TopicGroups.load().names) - set(EVENT_TYPES) - {ALL}


@lru_cache(maxsize=4096)  # a worker's partitions each read every title, one after another
def words_of(title: str) -> frozenset[str]:
    """A title's words of four letters or more, no function word, no place the gazetteer finds.

    >>> sorted(words_of("Shultz meets Shevardnadze in Moscow on arms"))
    ['arms', 'meets', 'shevardnadze', 'shultz']
    """
    places = _gazetteer().find(title)
    kept = []
    for match in WORD.finditer(title):
        if any(p.start < match.end() and match.start() < p.end for p in places):
            continue
        word = match.group().lower().removesuffix("'s").strip("'-")
        if len(word) >= 4 and word not in _function_words():
            kept.append(word)
    return frozenset(kept)


@dataclass(frozen=True)
class DevelopmentRules:
    """The numbers of the signal (the module docstring); the defaults are the measured ones."""

    stories: int = 3
    sources: int = 2
    shared: int = 2
    span: int = DAY  # seconds candidates of one development may be apart
    memory: int = 2 * DAY  # seconds an alerted development is remembered (not alerted again)
    common: float = 0.01  # a word in more of the week's stories is common
    history: int = 7 * DAY  # seconds of document frequencies, before the last `span`
    bucket: int = 6 * 3600  # seconds they are counted in
    prior_link: float = 0.03  # a country's link rate before it has pairs of its own
    prior_pairs: float = 20.0  # the weight of that prior, in pairs
    min_score: float = 1.0  # a development chance makes more than one time in ten (score below 1) does not alert

    def judged_by(self, ts: int) -> range:
        """The starts of the buckets whose frequencies judge a story at `ts`: the whole ones of the `history`
        that ends `span` before it."""
        last = (ts - self.span) // self.bucket * self.bucket - self.bucket  # the newest bucket ended by then
        return range(last - self.history + self.bucket, last + 1, self.bucket)

    def params(self) -> dict[str, float | int | str]:
        return {
            "stories": self.stories,
            "sources": self.sources,
            "shared": self.shared,
            "common": self.common,
            "prior_link": self.prior_link,
            "min_score": self.min_score,
        }


@dataclass(frozen=True)
class Step:
    """A development alert's step, and every story of the development (for the incident it joins)."""

    alert: Alert
    stories: frozenset[str]


class Developments:
    """Candidates, document frequencies and alerted developments of the countries an instance owns."""

    def __init__(self, store: MutableMapping[str, Any], owns: Callable[[str], bool] = lambda country: True,
                 roles: tuple[str, ...] = ("location", "actor"),
                 rules: DevelopmentRules | None = None) -> None:  # fmt: skip
        self.store, self.owns, self.roles = store, owns, roles
        self.rules = rules or DevelopmentRules()
        self.expiry = Expiry(store)
        self.info = DetectorInfo(name="developments", params=self.rules.params())

    # -- document frequencies ----------------------------------------------------------

    def _learn(self, ts: int, words: frozenset[str]) -> None:
        """Count a new story's title words into its bucket (every instance alike)."""
        rules = self.rules
        bucket = ts // rules.bucket * rules.bucket
        oldest = rules.judged_by(ts)[0]  # no later story reads an older bucket
        counts = {b: n for b, n in self.store.get("dv:n", {}).items() if int(b) >= oldest}
        counts[str(bucket)] = counts.get(str(bucket), 0) + 1
        self.store["dv:n"] = counts
        # The last story that reads this bucket is one `span` + `history` + a bucket after its end.
        exp = bucket + rules.span + rules.history + 2 * rules.bucket
        for word in words:
            key = f"dv:w:{word}"
            entry = self.store.get(key)
            buckets = {b: n for b, n in (entry or {}).get("d", {}).items() if int(b) >= oldest}
            buckets[str(bucket)] = buckets.get(str(bucket), 0) + 1
            self.store[key] = {"d": buckets, "exp": exp}
            if entry is None:
                self.expiry.schedule(key, exp)

    def salient(self, words: frozenset[str], ts: int) -> frozenset[str] | None:
        """The uncommon ones of a story's words; None while warming up (no story in the history yet)."""
        history = self.rules.judged_by(ts)
        first, last = history[0], history[-1]

        def stories(buckets: dict[str, int]) -> int:  # a word's few buckets, not the history's 28
            return sum(n for bucket, n in buckets.items() if first <= int(bucket) <= last)

        total = stories(self.store.get("dv:n", {}))
        if not total:
            return None
        limit = max(self.rules.common * total, 2)
        return frozenset(w for w in words if stories((self.store.get(f"dv:w:{w}") or {}).get("d", {})) <= limit)

    # -- candidates and developments ---------------------------------------------------

    def observe(self, article: TaggedArticle, story: str, ts: int) -> list[Step]:
        """A new story (its first article, counted at event time `ts`): the alerts it opens or updates."""
        words = words_of(article.title)
        salient = self.salient(words, ts)
        self._learn(ts, words)
        if salient is None or not article.topics or len(salient) < self.rules.shared:
            return []
        steps = []
        countries = dict.fromkeys(c.code for c in article.countries if c.role in self.roles)
        entry = [ts, story, sorted(salient), article.source, article.title, article.url, list(article.topics)]
        for country in (c for c in countries if self.owns(c)):
            recent = [c for c in self._candidates(country) if ts - c[0] <= self.rules.span]
            self._pairs(country, ts, len(recent), sum(len(salient.intersection(c[2])) >= self.rules.shared
                                                      for c in recent))  # fmt: skip
            recent.append(entry)
            key = f"dv:c:{country}"
            if key not in self.store:
                self.expiry.schedule(key, ts + self.rules.span + 1)
            self.store[key] = {"c": recent, "exp": ts + self.rules.span + 1}
            group = self._group(recent)
            if len(group) >= self.rules.stories and len({c[3] for c in group}) >= self.rules.sources:
                steps.extend(self._alert(country, group, ts, len(recent)))
        return steps

    # -- what chance would make ------------------------------------------------------

    def _pairs(self, country: str, ts: int, pairs: int, linked: int) -> None:
        """Count a new candidate's pairs with the country's candidates of the last `span`, and those that link."""
        if not pairs:
            return
        rules = self.rules
        key, bucket = f"dv:p:{country}", ts // rules.bucket * rules.bucket
        counts = dict((self.store.get(key) or {}).get("d", {}))
        before = counts.get(str(bucket), [0, 0])
        counts[str(bucket)] = [before[0] + pairs, before[1] + linked]
        judged = self._judged(counts, ts)  # no later story reads an older bucket
        self.store[key] = {"d": {b: n for b, n in counts.items() if int(b) >= int(judged[0] if judged else b)}}

    def _judged(self, counts: dict[str, list[int]], ts: int) -> list[str]:
        """The buckets that judge a story at `ts`: the newest `history` of them that end `span` before it (a gap
        in the stream, however long, is skipped: a quiet country's rate is of its last pairs, however old)."""
        last = self.rules.judged_by(ts)[-1]
        return sorted((b for b in counts if int(b) <= last), key=int)[-(self.rules.history // self.rules.bucket) :]

    def link_rate(self, country: str, ts: int) -> float:
        """The share of the country's candidate pairs that linked in its newest week of quarter-days with pairs,
        before the last `span`, shrunk toward `prior_link` with the weight of `prior_pairs` pairs."""
        stored = (self.store.get(f"dv:p:{country}") or {}).get("d", {})
        counts = [stored[b] for b in self._judged(stored, ts)]
        pairs: int = sum(n[0] for n in counts)
        linked: int = sum(n[1] for n in counts)
        return (linked + self.rules.prior_pairs * self.rules.prior_link) / (pairs + self.rules.prior_pairs)

    def _candidates(self, country: str) -> list[list[Any]]:
        return list((self.store.get(f"dv:c:{country}") or {}).get("c", []))

    def _group(self, recent: list[list[Any]]) -> list[list[Any]]:
        """The newest candidate's connected group (single link: `shared` words in common)."""
        shared = self.rules.shared
        group, frontier, rest = [recent[-1]], [recent[-1]], recent[:-1]
        while frontier:
            words = set(frontier.pop()[2])
            linked = [c for c in rest if len(words.intersection(c[2])) >= shared]
            rest = [c for c in rest if len(words.intersection(c[2])) < shared]
            group += linked
            frontier += linked
        return sorted(group, key=lambda c: (c[0], c[1]))

    def _alert(self, country: str, group: list[list[Any]], ts: int, pool: int) -> list[Step]:
        """Open a development's alert, or add the group to the one it is (updating its alert when it grew).
        `pool`: the country's candidates of the last `span`, the group's included."""
        words = sorted(set().union(*(c[2] for c in group)))
        known = [d for d in self._developments(country) if ts - d["at"] <= self.rules.memory]
        same = next((d for d in known if len(set(words).intersection(d["words"])) >= self.rules.shared), None)
        p = self.link_rate(country, ts)
        status: Literal["open", "update"]
        if same is None and surprise(len(group), pool, p) < self.rules.min_score:
            return []
        if same is None:
            same = {"id": alert_id(country, group[0][1]), "rev": 0, "at": ts, "open": True, "words": words,
                    "stories": [], "sources": [], "top": [], "first": group[0][0], "last": ts, "n": 0,
                    "shared": [], "topics": []}  # fmt: skip
            known.append(same)
            status = "open"
            self.store["dv:open"] = sorted({*self.store.get("dv:open", []), country})
        else:
            same["words"] = sorted({*same["words"], *words})
            status = "update"
        stories = [c[1] for c in group if c[1] not in same["stories"]]
        same["stories"] = [*same["stories"], *stories][-500:]
        same["sources"] = sorted({*same["sources"], *(c[3] for c in group)})
        same["top"] = sorted([*same["top"], *(exemplar(c) for c in group if c[1] in stories)],
                             key=lambda e: (e["published_at"], e["id"]))[:5]  # fmt: skip
        same["first"], same["last"] = min(same["first"], group[0][0]), max(same["last"], ts)
        same["topics"] = list(dict.fromkeys([*same["topics"], *(t for c in group for t in c[6])]))
        same["shared"] = shared_words(group) if status == "open" else same["shared"]
        grown = len(same["stories"]) >= max(math.ceil(GROWTH * same["n"]), same["n"] + 1)
        out = []
        if status == "open" or (same["open"] and grown):
            same["rev"] += int(status == "update")
            same["n"] = len(same["stories"])
            same["pool"], same["p"] = pool, p
            out.append(self._step(country, same, status))
        self._keep(country, known)
        return out

    def _developments(self, country: str) -> list[dict[str, Any]]:
        return [dict(d) for d in (self.store.get(f"dv:a:{country}") or {}).get("d", [])]

    def _keep(self, country: str, developments: list[dict[str, Any]]) -> None:
        key = f"dv:a:{country}"
        if not developments:
            self.store.pop(key, None)
            return
        exp = max(d["at"] for d in developments) + self.rules.memory + 1
        if key not in self.store:
            self.expiry.schedule(key, exp)
        self.store[key] = {"d": developments, "exp": exp}

    def advance(self, now: int) -> list[Step]:
        """Stream time moved to `now`: resolve the alerts of developments a day without a story (or forgotten)."""
        out = []
        still = []
        for country in self.store.get("dv:open", []):
            developments = self._developments(country)
            for d in developments:
                if d["open"] and now >= min(d["last"] + self.rules.span, d["at"] + self.rules.memory):
                    d["open"], d["rev"] = False, d["rev"] + 1
                    out.append(self._step(country, d, "resolved"))
            kept = [d for d in developments if d["open"] or now - d["at"] <= self.rules.memory]
            if kept != (self.store.get(f"dv:a:{country}") or {}).get("d", []):
                self._keep(country, kept)
            if any(d["open"] for d in kept):
                still.append(country)
        if still != self.store.get("dv:open", []):
            self.store["dv:open"] = still
        self.expiry.expire(now)
        return out

    def _step(self, country: str, d: dict[str, Any], status: Literal["open", "update", "resolved"]) -> Step:
        first, last, n, sources = d["first"], d["last"], d["n"], len(d["sources"])
        topics = d["topics"] or [ALL]
        words = ", ".join(d["shared"])
        begun, ended = from_seconds(first), from_seconds(last)
        until = f"{ended:%H:%M}" if begun.date() == ended.date() else f"{ended:%d %b %H:%M}"
        span = f"{begun:%d %b %H:%M}–{until} UTC"
        counts = f"{n} {'story' if n == 1 else 'stories'} from {plural(sources, 'source')}"
        pool, p = d["pool"], d["p"]
        expected, score = chance_size(pool, p), surprise(n, pool, p)
        if status == "resolved":
            text = f"over, no story for a day: {counts} {span} sharing «{words}»"
        else:
            text = (f"{counts} {span} sharing «{words}»; chance clusters {expected:.2f} "
                    f"(score {score:.1f}: {pool} event stories in a day, {p:.1%} of its story pairs link)")  # fmt: skip
        alert = Alert(
            schema_version=SCHEMA_VERSION, alert_id=d["id"], revision=d["rev"], status=status, country=country,
            topic=next((t for t in topics if t in _groups()), topics[0]), topics=topics, window=LABEL,
            window_start=from_seconds(first), window_end=from_seconds(last), observed=n, expected=round(expected, 4),
            ratio=round(n / expected, 2), score=round(score, 6), severity="low", articles=n, sources=sources,
            summary=f"{country_name(country)} · development: {text}",
            top_articles=[AlertArticle(**{**e, "published_at": from_seconds(e["published_at"])}) for e in d["top"]],
            first_seen=from_seconds(first), last_seen=from_seconds(last), detector=self.info,
        )  # fmt: skip
        return Step(alert, frozenset(d["stories"]))


def chance_size(pool: int, p: float) -> float:
    """The mean stories of a cluster grown by chance from one of `pool` stories whose pairs each link with
    probability `p`: Borel(m), m = (pool - 1) p, mean 1 / (1 - m); at most the pool (m >= 1 is a giant cluster)."""
    m = (pool - 1) * p
    return min(1 / (1 - m), float(pool)) if m < 1 else float(pool)


def surprise(size: int, pool: int, p: float) -> float:
    """-log10 of the chance that a story's cluster (as `chance_size`) holds `size` stories or more.

    The Borel tail: the complement of the smaller sizes (it counts a giant cluster's mass when m >= 1), or, when
    that is so small that round-off rules it, the sum of the next 400 sizes (then m < 1: the terms fall
    geometrically)."""
    m = max((pool - 1) * p, 1e-300)  # no link at all: as good as none

    def pmf(s: int) -> float:
        return math.exp(-m * s + (s - 1) * math.log(m * s) - math.lgamma(s + 1))

    below = 1 - sum(pmf(s) for s in range(1, size))
    tail = below if below > 1e-9 else max(sum(pmf(s) for s in range(size, size + 400)), 1e-300)
    return float(-math.log10(tail))


def alert_id(country: str, story: str) -> str:
    """Stable id of the development alert of a country whose group's first story is `story`."""
    return hashlib.sha256(f"{LABEL}|{country}|{story}".encode()).hexdigest()[:16]


def exemplar(candidate: list[Any]) -> dict[str, Any]:
    ts, story, _, source, title, url, _ = candidate
    return {"id": story, "title": title, "url": url, "source": source, "published_at": ts}


def shared_words(group: list[list[Any]]) -> list[str]:
    """The words that link a group: in two or more of its stories, the most shared first (at most five; a
    group of one story, with `stories` set to 1: its own words)."""
    counts: dict[str, int] = {}
    for candidate in group:
        for word in candidate[2]:
            counts[word] = counts.get(word, 0) + 1
    linked = sorted((w for w, n in counts.items() if n >= 2), key=lambda w: (-counts[w], w))
    return linked[:5] or sorted(counts)[:5]
