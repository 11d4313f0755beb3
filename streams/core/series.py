"""Windowed counts per (country, topic) and their spike alerts, from a stream of tagged articles.

`SeriesTracker.observe(article)` dedupes the article, assigns its story, counts it into its
event-time window for the global volume and for each owned series it belongs to, judges those
series and steps their alerts. Articles go in in (event time, id) order, as a replay takes them:
one read ahead of a slower input partition waits until that partition is read up to it
(ordering.py). Stream time (the event time of the newest article let in) closes windows: a closed
window is final, folds into its series' baseline and may resolve the series' alert.

Every instance sees every article in the same order and keeps the same global state (clock,
volumes, dedupe and story indexes); series state depends only on the series' own articles and that
global state. So N trackers that each own some countries produce, together, exactly what one
tracker owning all of them produces.

Store layout (JSON values; each key written only when it changes):

    clock              (Clock) {"now": stream time, "next": start of the oldest open window, "closed": n since the
                       first with news, gaps skipped at once (see `_skip_empty`) not counted}
    vol                {"<window start>": [articles, stories]} of the open windows
    hist               [[window start, stories, articles], ...] of the last closed windows (the last
                       `history` with news, however many empty ones follow: see `_keep_history`)
    typical            mean volume (stories, or articles) per window over the last day
    id:<id>, url:<u>   articles counted (see dedupe.py), expiring by stream time
    st:<story>, sk:<v> the story index (see dedupe.py); x, x:<minute> the expiry buckets
    s:<C>|<topic>      (SeriesRecord) {"b": detector state, "t": next window to fold}
    w:<C>|<topic>@<start>  {"t": tally, "rev": revisions of its final count, "exp"}: a window of
                       the series, kept `retain` past its close for late articles to correct
    wm                 watermarks of the input partitions (see watermarks.py)
    ord, q:<id>        the articles waiting for slower input partitions (see ordering.py)
    open:<start>       series keys with articles in that open window (to finalise them)
    a:<C>|<topic>      the series' open alert episode (see alerts.py); `alerts` lists them
    rvol               {"<window start>": {region: stories}} of the open windows
    season, season:<C> time-of-day and day-of-week profiles (see seasons.py)

A window in which the whole stream had no article (an outage, or a gap in a file) is no evidence:
it neither decays baselines nor profiles, nor resolves an alert, however long the gap.

>>> from datetime import datetime, timezone
>>> from schemas import CountryMention, TaggedArticle
>>> tracker = SeriesTracker(TrackerConfig())
>>> article = TaggedArticle(id="a1", source="reuters.com", title="Protests in Almaty",
...     published_at=datetime(2022, 1, 5, 9, 30, tzinfo=timezone.utc), topics=["unrest"],
...     countries=[CountryMention(code="KAZ", role="location", mentions=2, score=0.9)], tagger_version="t")
>>> seen = tracker.observe(article)
>>> seen.outcome, [(c.key, c.count, c.volume) for c in seen.counts]
('counted', [('KAZ|unrest', 1, 1), ('KAZ|all', 1, 1)])
>>> tracker.observe(article).outcome
'duplicate'
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from schemas import SCHEMA_VERSION, Alert, DetectorInfo, TaggedArticle, WindowCount
from streams.core.alerts import AlertContext, Episode, message
from streams.core.config import TrackerConfig
from streams.core.dedupe import DedupeIndex, Expiry, StoryIndex
from streams.core.detect import Verdict
from streams.core.explain import Tally
from streams.core.keys import SeriesKey
from streams.core.ordering import EventTimeGate, Held
from streams.core.seasons import Seasons, profile_of, region_of
from streams.core.watermarks import Watermarks
from streams.core.windows import clamp_ahead, closes_at, from_seconds, is_closed, to_seconds, window_start

__all__ = ["Observation", "Outcome", "SeriesTracker", "TrackerConfig"]

# corrected: behind its window's grace, counted into the closed window (a revised final count);
# late: older than the retained history, refused; held: waiting for the slower input partitions
# (ordering.py), decided when let in.
Outcome = Literal["counted", "duplicate", "corrected", "late", "advanced", "held"]


@dataclass
class Observation:
    """What one observed article (or one advance of stream time) changed."""

    outcome: Outcome
    counts: list[WindowCount] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    clamped: bool = False  # published_at was too far ahead of stream time and was pulled back
    lag: int | None = None  # corrected or late: seconds its event time is behind stream time
    # (article id, outcome, lag) of every article decided: the one in hand unless held, and the
    # held ones it (or an idle report) let in
    decided: list[tuple[str, Outcome, int | None]] = field(default_factory=list)

    def take(self, admitted: Observation, article_id: str, in_hand: bool) -> None:
        """Add what one article let in changed; its outcome is this observation's if it is the one in hand."""
        self.counts.extend(admitted.counts)
        self.alerts.extend(admitted.alerts)
        self.decided.append((article_id, admitted.outcome, admitted.lag))
        if in_hand:
            self.outcome, self.lag = admitted.outcome, admitted.lag


@dataclass(slots=True)
class Clock:
    """Stream time and the windows closed by it: stored as `clock`, `{"now", "next", "closed"}`."""

    now: int | None = None  # stream time
    next: int | None = None  # start of the oldest open window
    closed: int = 0  # windows closed since the first with news (gaps skipped at once not counted)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Clock:
        return cls(data["now"], data["next"], data["closed"])

    def to_json(self) -> dict[str, Any]:
        return {"now": self.now, "next": self.next, "closed": self.closed}


@dataclass(slots=True)
class SeriesRecord:
    """A series' baseline: stored as `s:<C>|<topic>`, `{"b": detector state, "t": next window to fold}`."""

    baseline: Any  # the detector's state
    next: int | None  # the next window to fold into it

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeriesRecord:
        return cls(data["b"], data["t"])

    def to_json(self) -> dict[str, Any]:
        return {"b": self.baseline, "t": self.next}


class SeriesTracker:
    """Counts, baselines and alerts of the series this instance owns (see the module docstring)."""

    def __init__(self, config: TrackerConfig, store: MutableMapping[str, Any] | None = None,
                 owns: Callable[[str], bool] = lambda country: True) -> None:  # fmt: skip
        self.config, self.owns = config, owns
        self.store: MutableMapping[str, Any] = {} if store is None else store
        self.detector = config.resolved_detector()
        self.info = DetectorInfo(name=self.detector.name, params=self.detector.params())
        expiry = Expiry(self.store)
        self.expiry, self.dedupe = expiry, DedupeIndex(self.store, expiry)
        self.stories = StoryIndex(self.store, expiry, config.seconds("dedupe_ttl"), config.min_resemblance)
        self.size, self.grace = config.seconds("window"), config.seconds("grace")
        self.offset = config.seconds("offset")  # of the windows from the clock's (windows.py)
        self.retain = config.seconds("retain")
        self.watermarks = Watermarks(self.store)
        self.gate = EventTimeGate(self.store, self.watermarks)
        # The window size whose corrections the dedupe memory outlasts (a longer size sharing this
        # tracker's index under incidents.py may correct its own windows later than this one).
        # (size, offset): its windows, or the clock's of that size, whichever end later.
        self.dedupe_window = (self.size, self.offset)
        self.corrections = 0  # closed windows corrected since this object was made (invalidates `volumes`)
        self.seasons = (
            Seasons(self.store, self.size, config.windows_in(config.season_half_life), config.season_strength)
            if config.seasonal
            else None
        )
        # How a window's volume becomes its exposure, when a finer tracker knows better (incidents.py).
        self.exposure_of: Callable[[str, int, float], float] | None = None
        self.subsume = True  # skip a topic whose stories an open alert covers (off: incidents.py merges them)
        self.counts = True  # publish WindowCounts (off for the longer windows of an IncidentTracker)
        self._closed_volumes: tuple[tuple[int, int | None, int], dict[int, int]] = ((0, None, 0), {})
        self._clock_read: tuple[object, Clock] = (object(), Clock())  # the stored clock last read, as a Clock

    @property
    def stream_time(self) -> int | None:
        return self._clock().now

    def open_episodes(self) -> dict[str, Episode]:
        """The open alerts of the series this tracker owns, by `country|topic`."""
        return {key: Episode.from_json(self.store[f"a:{key}"]) for key in self.store.get("alerts", [])}

    def observe(self, article: TaggedArticle, partition: int = 0) -> Observation:
        """Count one article once, close the windows stream time moves past, step the alerts it causes.

        `partition` is the input partition it was read from. The article waits (outcome `held`) while a
        slower input partition may still hold articles before it, and is then let in in (event time,
        id) order, as a replay takes it (see ordering.py); `decided` lists every article let in.
        """
        if self.dedupe.seen(article.id, article.url) or self.gate.holds(article.id):
            return Observation("duplicate", decided=[(article.id, "duplicate", None)])
        ts, clamped = self.event_time(article)
        seen = Observation("held", clamped=clamped)
        for held in self.gate.arrive(article, partition, ts, clamped):
            seen.take(self.admit(held), held.article.id, held.article.id == article.id)
        return seen

    def event_time(self, article: TaggedArticle) -> tuple[int, bool]:
        """The event time the article counts at (pulled back if too far ahead of every watermark), and
        whether it was pulled back."""
        raw = to_seconds(article.published_at)
        ts = clamp_ahead(raw, self.watermarks.newest, self.config.ahead_seconds())
        return ts, ts != raw

    def admit(self, held: Held) -> Observation:
        """Count an article let in (in event-time order): stream time moves to it, closing the windows it
        passes; an article whose window has closed corrects it (see `_late`)."""
        article, ts = held.article, held.ts
        if self.dedupe.seen(article.id, article.url):  # another id with its url went in before it
            return Observation("duplicate")
        start = window_start(ts, self.size, self.offset)
        seen = Observation("counted", clamped=held.clamped)
        self._advance(ts, seen)
        next_open = self._clock().next
        if next_open is not None and start < next_open:
            return self._late(article, ts, start, seen)
        self._count(article, ts, start, seen)
        return seen

    def report_inputs(self, partitions: int, assigned: list[int], idle: list[int], caught_up: Sequence[int] = (),
                      through: Sequence[Any] | None = None) -> Observation:  # fmt: skip
        """A reader of the input says which of its partitions are idle, and which it read to their end
        (up to `through`, ordering.py): lets in the articles that waited for them, and closes what
        stream time then passes."""
        self.gate.report(partitions, assigned, idle, caught_up, through)
        seen = Observation("advanced")
        for held in self.gate.release():
            seen.take(self.admit(held), held.article.id, False)
        now = self.watermarks.stream_time
        if now is not None and not self.gate.waiting:
            self._advance(now, seen)
        return seen

    def advance(self, stream_time: datetime | int) -> Observation:
        """Move stream time forward (e.g. on an idle stream): closes windows, resolves alerts.

        Takes a datetime or epoch seconds; never moves stream time back.
        """
        seen = Observation("advanced")
        self._advance(stream_time if isinstance(stream_time, int) else to_seconds(stream_time), seen)
        return seen

    # -- stream time and closing windows -------------------------------------------------

    def _clock(self) -> Clock:
        """The stored clock (not to be changed: `_advance` changes a copy); read once per stored value."""
        stored = self.store.get("clock")
        if stored is not self._clock_read[0]:
            self._clock_read = (stored, Clock() if not stored else Clock.from_json(stored))
        return self._clock_read[1]

    def _advance(self, ts: int, seen: Observation) -> None:
        clock = replace(self._clock())
        if clock.now is not None and ts <= clock.now:
            return
        clock.now = ts
        if clock.next is None:  # the oldest window still open, or the oldest counted while stream time was unknown
            counted = [int(start) for start in self.store.get("vol", {})]
            clock.next = min([window_start(ts - self.size - self.grace, self.size, self.offset) + self.size, *counted])
        while is_closed(clock.next, self.size, self.grace, ts):
            if self._skip_empty(clock, ts):
                continue
            had_news = str(clock.next) in self.store.get("vol", {})
            self._close(clock.next, clock.closed >= self.config.warmup_windows(), seen)
            clock.next += self.size
            clock.closed += int(had_news or clock.closed > 0)  # from the first window with news on
        self.store["clock"] = clock.to_json()
        self.expiry.expire(ts)

    def _skip_empty(self, clock: Clock, ts: int) -> bool:
        """Close a run of empty windows at once (a gap in the stream); False if there is none.

        Open alerts do not stop it: an empty window neither resolves nor steps one (see `_close`), so
        closing a gap's windows one by one would only take time (a year of hours for an idle input).
        """
        assert clock.next is not None
        if f"open:{clock.next}" in self.store:
            return False
        target = window_start(ts - self.size - self.grace, self.size, self.offset) + self.size
        pending = [int(start) for start in self.store.get("vol", {}) if int(start) >= clock.next]
        target = min([target, *pending])
        skipped = (target - clock.next) // self.size
        if skipped < 2:
            return False
        empty = [[start, 0, 0] for start in range(clock.next, target, self.size)[-self.config.history_windows() :]]
        self._keep_history([*self.store.get("hist", []), *empty])
        clock.next = target
        return True

    def _keep_history(self, hist: list[list[int]]) -> None:
        """Keep the last closed windows' volumes, and the typical story volume of the last day of news.

        The last `history` windows with news are kept however many empty ones came after them: a
        series catches its baseline up over them (`_series`), and an outage pushing them out would
        leave out the windows it had not yet folded. Empty windows are kept only among the last
        `history` windows (they fold nothing).
        """
        keep = self.config.history_windows()
        recent, older = hist[-keep:], hist[:-keep]
        room = keep - sum(1 for _, *volumes in recent if any(volumes))
        if older and room > 0:
            recent = [*[entry for entry in older if any(entry[1:])][-room:], *recent]
        self.store["hist"] = recent
        # The last day's windows with news (an outage's empty windows are no news, and no day).
        news = [self._judged(*volumes) for _, *volumes in recent if any(volumes)][-self.config.warmup_windows() :]
        if news:
            self.store["typical"] = sum(news) / len(news)

    def _close(self, start: int, warm: bool, seen: Observation) -> None:
        volumes = dict(self.store.get("vol", {}))
        articles, stories = volumes.pop(str(start), [0, 0])
        self.store["vol"] = volumes
        hist = [*self.store.get("hist", []), [start, stories, articles]]
        self._keep_history(hist)
        finalised = self.store.pop(f"open:{start}", [])
        regions: dict[str, int] = self._pop_regions(start)
        learned: dict[str, int] = {}  # the stories of each profile (a country's `all`, or a topic's own) in the window
        for key in finalised:
            learned[profile_of(key)] = self._finalise(key, start, (stories, articles), warm, seen)
        if not (stories or articles):
            return  # an outage: no evidence either way
        if self.seasons is not None:
            self.seasons.learn_news(start, self._judged(stories, articles), regions)
            self.seasons.learn_series(start, learned)
        for key in self.store.get("alerts", []):
            if key not in finalised:
                quiet = self._judge_quiet(key, start, self._judged(stories, articles))
                self._maybe_resolve(key, start, Tally.empty(), quiet, seen)

    def _finalise(self, key: str, start: int, volume: tuple[int, int], warm: bool, seen: Observation) -> int:
        """Fold the series' closed window; its observed count."""
        (stories, articles), record = volume, self._series(key, until=start)
        tally, _ = self._tally(key, start)
        if not self.retain:  # otherwise kept for corrections until it expires (see `_late`)
            self.store.pop(f"w:{key}@{start}", None)
        observed, judged = self._observed(tally), self._exposure(key, start, self._judged(stories, articles))
        verdict = self.detector.judge(record.baseline, observed, judged, start=start)
        record.baseline = self.detector.update(record.baseline, observed, judged, robust=warm, start=start)
        record.next = start + self.size
        self.store[f"s:{key}"] = record.to_json()
        if self.counts:
            seen.counts.append(self._count_message(key, start, tally, articles, final=True))
        self._maybe_resolve(key, start, tally, verdict, seen)
        return observed

    def _judge_quiet(self, key: str, start: int, volume: int) -> Verdict:
        exposure = self._exposure(key, start, volume)
        return self.detector.judge(self._series(key, until=None).baseline, 0, exposure, start=start)

    def _exposure(self, key: str, start: int, volume: float, open_window: bool = False) -> float:
        """The window's volume times how much of it the series usually has at that time (`profile_of`).

        An open window may be judged by a finer tracker's hours (`exposure_of`); a closed one has
        all its hours, whose factors average out to its own (day of week) factor.
        """
        if self.seasons is None or volume <= 0:
            return volume
        if open_window and self.exposure_of is not None:
            return self.exposure_of(key, start, volume)
        return volume * self.seasons.factor(profile_of(key), start)

    def volume_floor(self, start: int) -> int:
        """The least volume an open window is judged with: a share of what a window at its hour of day usually has.

        Early in a window few articles are in, and its first handful must not look like a takeover. The
        typical volume (the mean window of the last day of news) is scaled by how this hour of day usually
        goes (seasons.py `volume_weight`): a wire's 21:00 UTC hour has a fraction of its 14:00 hour's news,
        and a floor of half the day's mean hour would judge a burst in a quiet hour as if more news were
        in than the hour ever holds.
        """
        weight = 1.0 if self.seasons is None else self.seasons.volume_weight(start)
        return int(self.config.min_volume_share * self.store.get("typical", 0.0) * weight)

    def volumes(self) -> dict[int, int]:
        """Judged volume of the last closed and the open windows, by window start."""
        hist = self.store.get("hist", [])
        mark = (len(hist), hist[-1][0] if hist else None, self.corrections)
        if self._closed_volumes[0] != mark:
            self._closed_volumes = (mark, {start: self._judged(stories, articles) for start, stories, articles in hist})
        found = dict(self._closed_volumes[1])
        found.update({int(start): self._judged(stories, articles)
                      for start, (articles, stories) in self.store.get("vol", {}).items()})  # fmt: skip
        return found

    def _pop_regions(self, start: int) -> dict[str, int]:
        by_window = dict(self.store.get("rvol", {}))
        regions: dict[str, int] = by_window.pop(str(start), {})
        if regions:
            self.store["rvol"] = by_window
        return regions

    def _maybe_resolve(self, key: str, start: int, tally: Tally, verdict: Verdict, seen: Observation) -> None:
        stored = self.store.get(f"a:{key}")
        if stored is None or start < stored["window"]:
            return
        if tally.stories >= self.config.min_stories and not verdict.settled:
            return
        episode = Episode.from_json(stored)
        episode.step(start, episode.severity, tally.stories)
        seen.alerts.append(message(episode, "resolved", self._context(key, start, tally, verdict)))
        del self.store[f"a:{key}"]
        self.store["alerts"] = [k for k in self.store.get("alerts", []) if k != key]

    # -- counting and judging ------------------------------------------------------------

    def _count(self, article: TaggedArticle, ts: int, start: int, seen: Observation) -> None:
        self.dedupe.remember(article.id, article.url, self._forget_at(ts))
        story = self.stories.assign(article.id, article.fingerprint, ts)
        volumes = dict(self.store.get("vol", {}))
        articles, stories = volumes.get(str(start), [0, 0])
        new_story = self.stories.first_in_window(story, start)
        volume = [articles + 1, stories + int(new_story)]
        self.store["vol"] = {**volumes, str(start): volume}
        if self.seasons is not None and new_story:
            self._count_regions(article, start)
        exemplar, actors = exemplar_of(article), [actor.name for actor in article.actors]
        for country, topic in self.config.series_of(article):
            if not self.owns(country):
                continue
            others = [c.code for c in article.countries if c.code != country]
            key = str(SeriesKey(country, topic))
            tally = self._add(key, start, story, exemplar, actors, others)
            if self.counts:
                seen.counts.append(self._count_message(key, start, tally, volume[0], final=False))
            self._step_alert(key, start, tally, self._judged(volume[1], volume[0]), seen)

    def _count_regions(self, article: TaggedArticle, start: int) -> None:
        """Stories per region in the open window, for the regions' profiles (every instance alike)."""
        roles = self.config.roles
        regions = {r for c in article.countries if c.role in roles and (r := region_of(c.code)) is not None}
        if regions:
            by_window = dict(self.store.get("rvol", {}))
            counts = dict(by_window.get(str(start), {}))
            for region in regions:
                counts[region] = counts.get(region, 0) + 1
            self.store["rvol"] = {**by_window, str(start): counts}

    def _add(self, key: str, start: int, story: str, exemplar: dict[str, Any], actors: list[str],
             others: list[str]) -> Tally:  # fmt: skip
        stored = self.store.get(f"s:{key}")
        record = self._series(key, until=self._clock().next)
        if stored is None or record.next != stored["t"] or "w" in stored:
            self.store[f"s:{key}"] = record.to_json()  # the baseline caught up
        tally, revision = self._tally(key, start)
        if not tally.articles:
            self.store[f"open:{start}"] = [*self.store.get(f"open:{start}", []), key]
        tally.add(story, exemplar, actors, others)
        self._keep_tally(key, start, tally, revision)
        return tally

    def _tally(self, key: str, start: int) -> tuple[Tally, int]:
        """A series window's tally (empty if none) and how often its final count was revised.

        Each window has its own key, so an article rewrites one window however many are open
        (several are, while a slow input partition holds stream time back). It stays after the
        window closes, for late articles to correct, until `retain` past the close.
        """
        stored = self.store.get(f"w:{key}@{start}")
        if stored is None:
            legacy = (self.store.get(f"s:{key}") or {}).get("w", {}).get(str(start))  # state of an older version
            return (Tally.from_json(legacy) if legacy else Tally.empty()), 0
        return Tally.from_json(stored["t"]), stored["rev"]

    def _keep_tally(self, key: str, start: int, tally: Tally, revision: int) -> None:
        name, exp = f"w:{key}@{start}", closes_at(start, self.size, self.grace) + self.retain
        if name not in self.store:
            self.expiry.schedule(name, exp)
        self.store[name] = {"t": tally.to_json(), "rev": revision, "exp": exp}

    def _series(self, key: str, until: int | None) -> SeriesRecord:
        """The series record with its baseline caught up (empty windows folded) to `until`."""
        stored = self.store.get(f"s:{key}")
        record = SeriesRecord.from_json(stored) if stored else SeriesRecord(self.detector.fresh(), None)
        if until is None or (record.next is not None and record.next >= until):
            return record
        hist = self.store.get("hist", [])  # by window start
        first = 0 if record.next is None else bisect_left(hist, record.next, key=lambda entry: entry[0])
        for start, stories, articles in hist[first:]:
            if start >= until:
                break
            if stories or articles:
                volume = self._exposure(key, start, self._judged(stories, articles))
                record.baseline = self.detector.update(record.baseline, 0, volume, start=start)
        record.next = until
        return record

    def _observed(self, tally: Tally) -> int:
        """What the detector counts in a series window: stories (default) or articles."""
        return tally.stories if self.config.unit == "stories" else tally.articles

    def judged(self, stories: int, articles: int) -> int:
        """The volume a window is judged by: its stories (default) or articles."""
        return self._judged(stories, articles)

    def _judged(self, stories: int, articles: int) -> int:
        return stories if self.config.unit == "stories" else articles

    def _gated(self, tally: Tally) -> bool:
        """True when the window may alert at all: warmed up, enough stories and sources."""
        cfg = self.config
        gates = tally.stories >= cfg.min_stories and tally.sources >= cfg.min_sources
        return gates and self._clock().closed >= cfg.warmup_windows()

    def _step_alert(self, key: str, start: int, tally: Tally, volume: int, seen: Observation) -> None:
        if not self._gated(tally):
            return  # before judging: most windows are small, and the detector's tail sum is not cheap
        record = SeriesRecord.from_json(self.store[f"s:{key}"])
        # Early in a window few articles are in: judge against at least a share of what a window at
        # this hour usually has, or the first handful would look like a takeover (`volume_floor`; with
        # a finer tracker's exposure, only its open window is floored: see incidents.py).
        floored = volume if self.exposure_of else max(volume, self.volume_floor(start))
        exposure = self._exposure(key, start, floored, open_window=True)
        verdict = self.detector.judge(record.baseline, self._observed(tally), exposure, start=start)
        verdict = self._graver(key, start, tally, verdict)
        if verdict.severity is None:
            return
        stored = self.store.get(f"a:{key}")
        if stored is None and self.subsume and self._subsumed(key, start, tally):
            return
        if stored is None:
            country, topic = SeriesKey.parse(key)
            first = tally.first if tally.first is not None else start
            episode = Episode.open(country, topic, start, verdict.severity, tally.stories, first)
            status: Literal["open", "update"] = "open"
            self.store["alerts"] = sorted([*self.store.get("alerts", []), key])
        else:
            episode = Episode.from_json(stored)
            if start < episode.window or not episode.escalates(
                verdict.severity, tally.stories, self.config.escalate_ratio
            ):
                return
            episode.step(start, verdict.severity, tally.stories)
            status = "update"
        self.store[f"a:{key}"] = episode.to_json()
        seen.alerts.append(message(episode, status, self._context(key, start, tally, verdict)))

    def _graver(self, key: str, start: int, tally: Tally, verdict: Verdict) -> Verdict:
        """A significant window that reports a grave topic is at least medium (`TrackerConfig.grave_topics`):
        the grave topic's own series, or another series of the country (a group such as `conflict`, or
        `all`) at least half of whose stories are in that topic's window too.

        Severity is read from how unlikely a window is by chance, and a count of a few stories has a
        ceiling: three stories in an hour against 0.04 expected are 10^-5.1 even with the rate known
        exactly, short of medium's 10^-6.9 at the hour. Once the stories pass the `low` threshold (not
        chance), what they report sets a floor: a surge of armed attacks on a country is worth an
        editor's attention at once, a surge of talks may wait for more stories. Which series crosses
        `low` first depends on each one's history, so the floor follows the stories, not the series name.
        """
        if verdict.severity != "low":
            return verdict
        country, topic = SeriesKey.parse(key)
        grave = topic in self.config.grave_topics or any(
            2 * self._shared(str(SeriesKey(country, other)), start, tally) >= tally.stories
            for other in self.config.grave_topics
        )
        return replace(verdict, severity="medium") if grave else verdict

    def _shared(self, other: str, start: int, tally: Tally) -> int:
        """How many of the tally's stories series `other`'s window at `start` holds too."""
        window = self.store.get(f"w:{other}@{start}")
        return len(tally.story_articles.keys() & window["t"]["st"].keys()) if window else 0

    def _subsumed(self, key: str, start: int, tally: Tally) -> bool:
        """True when an open alert of the same country already covers most of these stories.

        One event tagged unrest, PROTEST and all should reach the editor as one alert. All
        series of a country live on one instance, so this stays the same however countries are
        spread over instances.
        """
        country, topic = SeriesKey.parse(key)
        for other in self.store.get("alerts", []):
            other_country, other_topic = SeriesKey.parse(other)
            if other_country != country or (other_topic == "all" and topic != "all"):
                continue  # a named topic is worth its own alert even when "all" is already up
            if 2 * self._shared(other, start, tally) >= tally.stories:
                return True
        return False

    def _context(self, key: str, start: int, tally: Tally, verdict: Verdict) -> AlertContext:
        country, topic = SeriesKey.parse(key)
        return AlertContext(country, topic, start, self.size, tally, verdict, self.info)

    def _count_message(self, key: str, start: int, tally: Tally, volume: int, final: bool,
                       revision: int = 0) -> WindowCount:  # fmt: skip
        country, topic = SeriesKey.parse(key)
        return WindowCount(
            schema_version=SCHEMA_VERSION,
            country=country, topic=topic, window_start=from_seconds(start),
            window_end=from_seconds(start + self.size), count=tally.articles, stories=tally.stories,
            sources=tally.sources, volume=volume, final=final, revision=revision,
        )  # fmt: skip

    # -- late articles: a closed window corrected, or the article refused ----------------

    def _late(self, article: TaggedArticle, ts: int, start: int, seen: Observation) -> Observation:
        """Count an article whose window has closed into that window (a revised final count), if retained."""
        closed_at = closes_at(start, self.size, self.grace)
        now = self._clock().now
        assert now is not None  # a window closed: stream time is known
        seen.lag = now - ts
        seen.outcome = "late" if now >= closed_at + self.retain else "corrected"
        if seen.outcome == "late":
            return seen
        self.dedupe.remember(article.id, article.url, self._forget_at(ts))
        story = self.stories.assign(article.id, article.fingerprint, ts)
        stories, articles = self._revise_volume(start, self.stories.first_in_window(story, start))
        exemplar, actors = exemplar_of(article), [actor.name for actor in article.actors]
        for country, topic in self.config.series_of(article):
            if self.owns(country):
                key = str(SeriesKey(country, topic))
                others = [c.code for c in article.countries if c.code != country]
                tally, revision = self._revise(key, start, story, exemplar, actors, others)
                if self.counts:
                    seen.counts.append(self._count_message(key, start, tally, articles, final=True, revision=revision))
                self._revise_alert(key, start, tally, self._judged(stories, articles), seen)
        return seen

    def _forget_at(self, ts: int) -> int:
        """When the dedupe index may forget an article: after the dedupe TTL, and not before its window
        (of `dedupe_window`) can no longer be corrected, so a redelivered late article stays a duplicate."""
        size, offset = self.dedupe_window
        start = max(window_start(ts, size), window_start(ts, size, offset))
        corrected_until = closes_at(start, size, self.grace) + self.retain
        return max(corrected_until, ts + self.config.seconds("dedupe_ttl"))

    def _revise_volume(self, start: int, new_story: bool) -> tuple[int, int]:
        """Add one article (and maybe a story) to a closed window's volume; its (stories, articles)."""
        hist = [list(entry) for entry in self.store.get("hist", [])]
        entry = next((e for e in hist if e[0] == start), None)
        if entry is None:  # closed as one of a run of empty windows older than the history kept
            entry = [start, 0, 0]
            hist = sorted([*hist, entry])
        entry[1:] = [entry[1] + int(new_story), entry[2] + 1]
        self._keep_history(hist)
        self.corrections += 1
        return entry[1], entry[2]

    def _revise(self, key: str, start: int, story: str, exemplar: dict[str, Any], actors: list[str],
                others: list[str]) -> tuple[Tally, int]:  # fmt: skip
        """The tally of a closed window with one more article, and its revision number (empty if the
        series had no article in that window when it closed)."""
        tally, revision = self._tally(key, start)
        tally.add(story, exemplar, actors, others)
        self._keep_tally(key, start, tally, revision + 1)
        return tally, revision + 1

    def _revise_alert(self, key: str, start: int, tally: Tally, volume: int, seen: Observation) -> None:
        """An open alert whose latest step is the corrected window reports the corrected numbers."""
        stored = self.store.get(f"a:{key}")
        if stored is None or stored["window"] != start:
            return
        episode = Episode.from_json(stored)
        exposure = self._exposure(key, start, volume)
        baseline = self._series(key, until=None).baseline
        verdict = self.detector.judge(baseline, self._observed(tally), exposure, start=start)
        verdict = self._graver(key, start, tally, verdict)
        episode.step(start, verdict.severity or episode.severity, tally.stories)
        self.store[f"a:{key}"] = episode.to_json()
        seen.alerts.append(message(episode, "update", self._context(key, start, tally, verdict)))


def exemplar_of(article: TaggedArticle) -> dict[str, Any]:
    """What a tally keeps of an article to show it in an alert."""
    return {"id": article.id, "title": article.title, "url": article.url, "source": article.source,
            "published_at": to_seconds(article.published_at)}  # fmt: skip
