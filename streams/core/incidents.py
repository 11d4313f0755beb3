"""Several window sizes at once, and one alert per incident.

`IncidentTracker` runs one `SeriesTracker` per window size (by default 1 h and 1 d: a burst shows
within the hour, a build-up over days only at the day scale), each in its own part of the store,
and merges what their series alert on into *incidents*: one alert per country and incident.

A series alert (one topic, one window size) joins an open incident of its country when at least
half of its stories (or of the incident's, whichever has fewer) are the incident's, or else when
its window overlaps the span of the incident's windows (an incident's stories carry different event
codes: the riot police of a protest are not its marchers); otherwise it opens one. So one surge
tagged PROTEST, unrest, crisis and all, seen within the hour and again by the day, is one alert: it
names the most specific topic of those that opened it (the one with the fewest stories, then the
lowest expectation, `all` last) and lists the others in `topics`; `window` is the size that opened
it. An incident opened by its country's `all` (the stories of a surge in every topic reach `all`
first) is renamed once a named topic's series joins it: its headline moves to that topic (once: a
named headline stays). Its steps are published only when they change what a reader knows: opened, a
higher severity, a new window size confirming it, a new headline, an escalation of the series that
names it, and resolved once all its series are back to baseline. So a webhook receiver sees one
delivery per step.

A size may also be tracked offset from the clock (`TrackerConfig.offset_windows`, e.g. the hours from
half past, label `1h+30m`): a tracker like any longer size (the first size's dedupe, stories and stream
time; its own baselines and profiles), whose alerts join the clock hour's incidents in the same way. A
burst split across two clock hours is whole in one of its windows.

Every size runs on one stream time: the first size keeps the input partitions' watermarks
(`1h/wm`) and the longer sizes read it (as they share its dedupe and story index), so all close
their windows, and tell late articles, alike. A late article is judged by each size for its own
window: the first size corrects its closed hour within `retain` (the revised WindowCount is the only
one published), the day counts it if its day is still open, or corrects the closed day within
`retain` (its volume, tally and open alert; no count published), and each refuses it after that.
The dedupe index remembers an article until the longest size can no longer correct its window.

With `TrackerConfig.developments` (opt-in), the alerts of story clusters (developments.py: three
stories on one matter in a day) join the same way, as members labelled `dev`, after the series'
steps of the same observation; one that opens an incident gives it `window` `dev`.

Store: the trackers' keys under `<window>/` (e.g. `1h/clock`), the developments' under `dev/`;
`inc:<C>` the country's open incidents, `incidents` the countries that have one. Everything is
derived from the country's own series, so it partitions by country as the trackers do: N instances
produce together what one does.

>>> tracker = IncidentTracker(TrackerConfig())
>>> [(label, tracker.store is inner.store.inner) for label, inner in tracker.trackers]
[('1h', True), ('1d', True)]
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

from schemas import Alert, TaggedArticle
from streams.core.alerts import Episode, rank
from streams.core.config import TrackerConfig
from streams.core.detect import GammaPoisson
from streams.core.developments import LABEL as DEVELOPMENT
from streams.core.developments import Developments, Step
from streams.core.ordering import Held
from streams.core.scales import (
    FollowerIndex,
    FollowerStories,
    FollowerWatermarks,
    OpenWindow,
    Prefixed,
    RecordingStories,
    window_label,
)
from streams.core.seasons import profile_of
from streams.core.series import Observation, SeriesTracker
from streams.core.windows import to_seconds

__all__ = ["IncidentTracker", "OpenIncident"]

MAX_STORIES = 500  # story ids an incident remembers to recognise its own stories


@dataclass
class Member:
    """A series alert (one window size, one topic) that belongs to an incident."""

    label: str
    topic: str
    severity: str
    observed: int
    expected: float

    def specificity(self) -> tuple[bool, int, float, str]:
        """Sort key: the most specific topic first (fewest stories, lowest expectation, `all` last)."""
        return (self.topic == "all", self.observed, self.expected, self.topic)


@dataclass
class Incident:
    """One open alert of a country, made of the series alerts that rest on the same stories."""

    id: str
    revision: int
    window: str  # the window size that opened it
    topic: str  # its headline topic: the opening series', or the first named topic to join an `all` one
    severity: str
    members: dict[str, Member] = field(default_factory=dict)  # series alert id -> member
    stories: list[str] = field(default_factory=list)
    span: list[int] = field(default_factory=lambda: [0, 0])  # from the earliest window start to the latest end
    named: list[str] = field(default_factory=list)  # every topic it has had, in the order `topics` gives
    last: list[int] = field(default_factory=lambda: [0, 0, 0])  # window start, observed and window end of its last step
    lead: str = ""  # the window size of the series that names it ("": `window`, as stored before renaming)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Incident:
        members = {key: Member(*value) for key, value in data["members"].items()}
        return cls(data["id"], data["revision"], data["window"], data["topic"], data["severity"], members,
                   list(data["stories"]), list(data["span"]), list(data["named"]), list(data["last"]),
                   data.get("lead", ""))  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        members = {key: [m.label, m.topic, m.severity, m.observed, m.expected] for key, m in self.members.items()}
        return {"id": self.id, "revision": self.revision, "window": self.window, "topic": self.topic,
                "severity": self.severity, "members": members, "stories": self.stories, "span": self.span,
                "named": self.named, "last": self.last, "lead": self.lead}  # fmt: skip

    def names(self, member: Member) -> bool:
        """True when the member is the series that names the incident."""
        return member.topic == self.topic and member.label == (self.lead or self.window)

    def rename(self, member: Member) -> bool:
        """Take a joining named topic as the headline of an incident `all` names; True if renamed."""
        if self.topic != "all" or member.topic == "all":
            return False
        self.topic, self.lead = member.topic, member.label
        self.named = [member.topic, *(t for t in self.named if t != member.topic)]
        return True

    def topics(self) -> list[str]:
        """Every topic it has had: the headline first, then its series' from the most specific."""
        ordered = sorted(self.members.values(), key=Member.specificity)
        self.named = list(dict.fromkeys([self.topic, *(m.topic for m in ordered), *self.named]))
        return self.named

    def windows(self) -> set[str]:
        return {m.label for m in self.members.values()}

    def overlaps(self, stories: set[str]) -> bool:
        shared = len(stories.intersection(self.stories))
        return shared > 0 and 2 * shared >= min(len(stories), len(self.stories))

    def during(self, alert: Alert) -> bool:
        """True when the alert's window overlaps the incident's windows."""
        return to_seconds(alert.window_start) < self.span[1] and self.span[0] < to_seconds(alert.window_end)

    def remember(self, alert: Alert, stories: set[str]) -> None:
        self.stories = [*self.stories, *sorted(stories.difference(self.stories))][-MAX_STORIES:]
        start, end = to_seconds(alert.window_start), to_seconds(alert.window_end)
        self.span = [min(self.span[0], start), max(self.span[1], end)] if self.span[1] else [start, end]


class OpenIncident(NamedTuple):
    """An open incident as its last step left it: what /api/alerts lists until its next step."""

    country: str
    topic: str
    episode: Episode
    window_end: int  # of its last step's window (a step of any size: the day may have confirmed an hour's alert)


class IncidentTracker:
    """One SeriesTracker per window size, their series alerts merged into incidents (module docstring)."""

    def __init__(self, config: TrackerConfig, store: MutableMapping[str, Any] | None = None,
                 owns: Callable[[str], bool] = lambda country: True) -> None:  # fmt: skip
        self.config = config
        self.store: MutableMapping[str, Any] = {} if store is None else store
        self.trackers: list[tuple[str, SeriesTracker]] = []
        for size, offset in self._scales(config):
            label = window_label(int(size.total_seconds()), int(offset.total_seconds()))
            gate = config.min_stories_day if size >= timedelta(days=1) else config.min_stories
            sized = replace(config, window=size, offset=offset, min_stories=gate)
            tracker = SeriesTracker(sized, Prefixed(self.store, f"{label}/"), owns)
            tracker.subsume = False  # every topic's alert reaches the merge, which names the most specific
            tracker.counts = not self.trackers  # only the first size's counts are published
            if self.trackers:  # a longer size: the first size's dedupe, stories and stream time, and its hours
                leader = self.trackers[0][1]
                tracker.dedupe = FollowerIndex(tracker.store, tracker.expiry, leader)
                keep = tracker.size + tracker.grace + tracker.retain  # a window's stories, until it can't be corrected
                tracker.stories = FollowerStories(tracker.store, tracker.expiry, leader, keep)
                tracker.watermarks = FollowerWatermarks(leader)
                # the index remembers an article while any size may correct
                leader.dedupe_window = (tracker.size, tracker.offset)
                on_hours = tracker.size % leader.size == 0 and tracker.offset % leader.size == 0  # whole finer windows
                if tracker.seasons is not None and on_hours:
                    tracker.exposure_of = partial(self._exposure, tracker.size)
                    self._judge_open_windows(tracker, leader)
            else:
                tracker.stories = RecordingStories(tracker.store, tracker.expiry, tracker.stories.ttl,
                                                   tracker.stories.min_resemblance)  # fmt: skip
            self.trackers.append((label, tracker))
        self._closed_exposure: dict[tuple[str, int], tuple[tuple[int, int | None, int, int], float, float]] = {}
        # Story clusters of the owned countries (opt-in): their alerts join incidents as a series' do.
        self.developments = (
            Developments(Prefixed(self.store, f"{DEVELOPMENT}/"), owns, config.roles) if config.developments else None
        )
        self.size = self.trackers[-1][1].size  # the longest window: replay's finish waits for it
        self.grace = self.trackers[-1][1].grace

    @staticmethod
    def _scales(config: TrackerConfig) -> list[tuple[timedelta, timedelta]]:
        """(size, offset) of every window tracked, shortest first, a size on the clock before its offset
        copy (the first is on the clock: its counts are published, its stream time every size's)."""
        listed = [(size, timedelta(0)) for size in config.windows] + list(config.offset_windows)
        return sorted(dict.fromkeys(listed))

    def _exposure(self, size: int, key: str, start: int, volume: float) -> float:
        """A long window's exposure: its finer windows' volumes, each times the series' factor then (its own
        profile's, seasons.py `profile_of`).

        A day judged at 07:00 UTC, when most of its news so far is Asia-Pacific, expects Japan's
        morning share, not its daily one. Only the open finer window is floored (its first few
        articles are no takeover), not the day: by 09:00 a day has a fifth of its news, and a floor
        of half a day's would hide a morning's surge until the afternoon. Finer windows no longer
        kept count at the plain volume. With `thin_day_share` set, nor is it judged below that share of what
        it usually holds by now (`_usual_floor`): a thin day's few stories are no takeover.
        """
        fine = self.trackers[0][1]
        assert fine.seasons is not None
        profile, open_windows = profile_of(key), fine.store.get("vol", {})
        hist = fine.store.get("hist", [])
        mark = (len(hist), hist[-1][0] if hist else None, fine.seasons.learned(), fine.corrections)
        cached = self._closed_exposure.get((profile, start))
        if cached is None or cached[0] != mark:  # the closed hours change only when an hour closes
            if len(self._closed_exposure) > 4_096:
                self._closed_exposure.clear()
            closed = [(h, v) for h, v in fine.volumes().items()
                      if start <= h < start + size and str(h) not in open_windows]  # fmt: skip
            weighted = sum(v * fine.seasons.factor(profile, h) for h, v in closed if v)
            cached = self._closed_exposure[profile, start] = (mark, weighted, sum(v for _, v in closed))
        exposure, covered = cached[1], cached[2]
        for hour, (articles, stories) in open_windows.items():
            at = int(hour)
            if start <= at < start + size:
                seen = fine.judged(stories, articles)
                covered += seen
                exposure += max(seen, fine.volume_floor(at)) * fine.seasons.factor(profile, at)
        return max(exposure + max(0.0, volume - covered), self._usual_floor(size, profile, start))

    def _usual_floor(self, size: int, profile: str, start: int) -> float:
        """The least exposure an open long window is judged with: `thin_day_share` of what it usually holds
        by now, at the series' factors. Usually: as many finer windows as it spans, each with the mean
        news of a finer window with news (seasons.py `usual_volume`: the long run, weekdays and weekends
        together, empty windows left out as no evidence), spread over the hours of day as the news is.

        A thin day (a weekend, a holiday: a fraction of the usual news) is a skeleton service whose few
        stories bunch on what the desk has (a batch of company results, a Gulf working day); judged by its
        own volume, four stories of a country are a takeover. Judged as if at least half a usual day's
        news by now were in, they are not, and a surge of ten stories still is. A day holding half its
        usual news by now (a weekday; one after an outage of a few hours) is judged as before.
        """
        fine, share = self.trackers[0][1], self.config.thin_day_share
        now = fine.stream_time
        if share <= 0 or now is None or fine.seasons is None:
            return 0.0
        usual = fine.seasons.usual_volume() * size / fine.size
        if usual <= 0:
            return 0.0
        return share * usual * fine.seasons.usual_exposure(profile, start, size, now)

    @staticmethod
    def _judge_open_windows(tracker: SeriesTracker, leader: SeriesTracker) -> None:
        """A longer size judges its open window as the span of news it holds (scales.py `OpenWindow`)."""
        if not isinstance(tracker.detector, GammaPoisson) or leader.seasons is None:
            return
        seasons, size = leader.seasons, tracker.size

        def share(start: int) -> float:
            now = leader.stream_time
            return 1.0 if now is None else seasons.news_share(start, size, now)

        tracker.detector = OpenWindow(tracker.detector, share, least=leader.size / size)

    def open_incidents(self) -> dict[str, OpenIncident]:
        """The open incidents of the countries this instance owns, by alert id (one country may
        have two of the same headline topic)."""
        found = {}
        sizes = {label: tracker.size for label, tracker in self.trackers}
        for country in self.store.get("incidents") or []:
            for incident in self._incidents(country):
                window, observed, *end = incident.last  # a `last` stored before the end was kept: the opening size's
                episode = Episode(incident.id, incident.revision, incident.span[0], window, incident.severity,
                                  observed, incident.span[0])  # fmt: skip
                ends = end[0] if end else window + sizes.get(incident.window, self.size)
                found[incident.id] = OpenIncident(country, incident.topic, episode, ends)
        return found

    def open_alerts(self) -> int:
        """Open incidents of the countries this instance owns."""
        return sum(len(self.store.get(f"inc:{country}") or []) for country in self.store.get("incidents") or [])

    @property
    def stream_time(self) -> int | None:
        return self.trackers[0][1].stream_time

    def observe(self, article: TaggedArticle, partition: int = 0) -> Observation:
        """Observe the article (read from input `partition`) at every window size; the counts of the
        first size, the incidents' steps.

        The first size's gate (ordering.py) holds the article while a slower input partition may still
        hold articles before it; every size then takes the articles it lets in, one by one in (event
        time, id) order, as a replay does (`decided` lists them).
        """
        leader = self.trackers[0][1]
        if leader.dedupe.seen(article.id, article.url) or leader.gate.holds(article.id):
            return Observation("duplicate", decided=[(article.id, "duplicate", None)])
        ts, clamped = leader.event_time(article)
        seen = Observation("held", clamped=clamped)
        for held in leader.gate.arrive(article, partition, ts, clamped):
            self._admit(held, seen, held.article.id == article.id)
        return seen

    def _admit(self, held: Held, seen: Observation, in_hand: bool) -> None:
        """Every size takes an article let in; its incidents' steps merged.

        Every size tells a late article by the one stream time: counted while its own window is open,
        correcting it within `retain` past its close, refused after (see series.py). The outcome is
        the first size's, whose counts are published; one the first size refused but a longer size
        took (its day still open, or correctable) is `corrected`: it changed the day's counts and
        alerts, not the published ones.
        """
        (label, leader), followers = self.trackers[0], self.trackers[1:]
        first = leader.admit(held)
        steps = [(label, leader, first)]
        for label, tracker in followers:
            assert isinstance(tracker.dedupe, FollowerIndex)
            tracker.dedupe.outcome = first.outcome
            steps.append((label, tracker, tracker.admit(held)))
        outcome = first.outcome
        if outcome == "late" and any(o.outcome in ("counted", "corrected") for _, _, o in steps[1:]):
            outcome = "corrected"
        merged = self._merge(steps, self._develop(held, first.outcome))
        seen.take(Observation(outcome, first.counts, merged, lag=first.lag), held.article.id, in_hand)

    def _develop(self, held: Held, outcome: str) -> list[Step]:
        """The development steps an article let in makes: resolutions as stream time moves, and, when it is the
        first article of a new story counted in its open window, what the story opens or grows (developments.py).
        Late articles are left out: a development is of the last day's news."""
        leader = self.trackers[0][1]
        if self.developments is None:
            return []
        now = leader.stream_time
        steps = self.developments.advance(now) if now is not None else []
        stories = leader.stories
        new = isinstance(stories, RecordingStories) and stories.last == (held.article.id, held.article.id)
        if outcome == "counted" and new:
            steps += self.developments.observe(held.article, held.article.id, held.ts)
        return steps

    def report_inputs(self, partitions: int, assigned: list[int], idle: list[int], caught_up: Sequence[int] = (),
                      through: Sequence[Any] | None = None) -> Observation:  # fmt: skip
        """A reader reports its idle and caught-up input partitions (see series.py): the articles that
        waited for them go in, then every size closes what stream time passes."""
        leader = self.trackers[0][1]
        leader.gate.report(partitions, assigned, idle, caught_up, through)
        seen = Observation("advanced")
        for held in leader.gate.release():
            self._admit(held, seen, False)
        now = leader.watermarks.stream_time
        if now is not None and not leader.gate.waiting:
            advanced = self.advance(now)
            seen.counts.extend(advanced.counts)
            seen.alerts.extend(advanced.alerts)
        return seen

    def advance(self, stream_time: datetime | int) -> Observation:
        seconds = stream_time if isinstance(stream_time, int) else to_seconds(stream_time)
        seen = [(label, tracker, tracker.advance(seconds)) for label, tracker in self.trackers]
        developed = self.developments.advance(seconds) if self.developments is not None else []
        return Observation("advanced", seen[0][2].counts, self._merge(seen, developed))

    # -- merging series alerts into incidents ------------------------------------------

    def _merge(self, seen: list[tuple[str, SeriesTracker, Observation]], developed: Sequence[Step] = ()) -> list[Alert]:
        """The incidents' steps of the series' alert steps, then of the developments' (which so never name an
        incident a series opens in the same observation)."""
        steps = [(label, tracker, alert) for label, tracker, observation in seen for alert in observation.alerts]
        if not steps and not developed:
            return []
        out: list[Alert] = []
        # Series that open in the same observation open one incident: the most specific names it.
        opening = [s for s in steps if s[2].status == "open"]
        opening.sort(key=lambda s: Member(s[0], s[2].topic, s[2].severity, s[2].observed, s[2].expected).specificity())
        for label, tracker, alert in opening:
            self._join_or_open(label, alert, self._stories(tracker, alert), out)
        for label, tracker, alert in steps:
            if alert.status != "open":
                self._step(label, self._stories(tracker, alert), alert, out)
        for step in developed:
            if step.alert.status == "open":
                self._join_or_open(DEVELOPMENT, step.alert, set(step.stories), out)
            else:
                self._step(DEVELOPMENT, set(step.stories), step.alert, out)
        return out

    def _stories(self, tracker: SeriesTracker, alert: Alert) -> set[str]:
        window = tracker.store.get(f"w:{alert.country}|{alert.topic}@{to_seconds(alert.window_start)}")
        return set(window["t"]["st"]) if window else {article.id for article in alert.top_articles}

    def _incidents(self, country: str) -> list[Incident]:
        return [Incident.from_json(data) for data in self.store.get(f"inc:{country}", [])]

    def _save(self, country: str, incidents: list[Incident]) -> None:
        listed = self.store.get("incidents") or []
        if incidents:
            self.store[f"inc:{country}"] = [i.to_json() for i in incidents]
            if country not in listed:
                self.store["incidents"] = sorted([*listed, country])
        elif f"inc:{country}" in self.store:
            del self.store[f"inc:{country}"]
            self.store["incidents"] = [c for c in listed if c != country]

    def _join_or_open(self, label: str, alert: Alert, stories: set[str], out: list[Alert]) -> None:
        incidents = self._incidents(alert.country)
        member = Member(label, alert.topic, alert.severity, alert.observed, alert.expected)
        joined = next((i for i in incidents if i.overlaps(stories)), None) or next(
            (i for i in incidents if i.during(alert)), None
        )
        if joined is None:
            joined = Incident(self._id(label, alert), 0, label, alert.topic, alert.severity)
            joined.members[alert.alert_id] = member
            joined.remember(alert, stories)
            incidents.append(joined)
            out.append(self._message(joined, alert, "open"))
        else:
            new_scale = label not in joined.windows()
            worse = rank(alert.severity) > rank(joined.severity)
            joined.members[alert.alert_id] = member
            joined.remember(alert, stories)
            renamed = joined.rename(member)
            joined.topics()
            fresh = any(a.alert_id == joined.id for a in out)  # opened in this same step: one delivery
            if (new_scale or worse or renamed) and not fresh:
                self._publish_update(joined, alert, out)
            elif worse:
                joined.severity = alert.severity
        self._save(alert.country, incidents)

    def _step(self, label: str, stories: set[str], alert: Alert, out: list[Alert]) -> None:
        incidents = self._incidents(alert.country)
        found = next((i for i in incidents if alert.alert_id in i.members), None)
        if found is None:
            return
        member = found.members[alert.alert_id]
        if alert.status == "resolved":
            del found.members[alert.alert_id]
            if not found.members:
                found.revision += 1
                out.append(self._message(found, alert, "resolved"))
                incidents.remove(found)
        else:
            headline = found.names(member)
            worse = rank(alert.severity) > rank(found.severity)
            found.members[alert.alert_id] = Member(label, alert.topic, alert.severity, alert.observed, alert.expected)
            found.remember(alert, stories)
            if headline or worse:
                self._publish_update(found, alert, out)
        self._save(alert.country, incidents)

    def _publish_update(self, incident: Incident, alert: Alert, out: list[Alert]) -> None:
        incident.revision += 1
        incident.severity = max(incident.severity, alert.severity, key=rank)
        out.append(self._message(incident, alert, "update"))

    def _id(self, label: str, alert: Alert) -> str:
        """The series alert's own id at the first window size; at others, one that says which."""
        if label == self.trackers[0][0]:
            return alert.alert_id
        return hashlib.sha256(f"{label}|{alert.alert_id}".encode()).hexdigest()[:16]

    def _message(self, incident: Incident, alert: Alert, status: str) -> Alert:
        severity = max(incident.severity, alert.severity, key=rank) if status != "resolved" else incident.severity
        incident.severity = severity
        incident.last = [to_seconds(alert.window_start), alert.observed, to_seconds(alert.window_end)]
        summary = alert.summary  # names the series (topic, window) behind this step
        if severity != alert.severity and summary.endswith(f" {alert.severity})"):  # the incident's severity
            summary = f"{summary[: -len(alert.severity) - 1]}{severity})"
        return alert.model_copy(update={
            "alert_id": incident.id, "revision": incident.revision, "status": status, "topic": incident.topic,
            "severity": severity, "window": incident.window, "topics": incident.topics(), "summary": summary,
        })  # fmt: skip
