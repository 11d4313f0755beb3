"""SeriesTracker: counts against a brute-force reference, dedupe, late and future articles, expiry,
the alert lifecycle, stable ids, partitioned ownership and restarts from the store."""

from __future__ import annotations

import itertools
import json
import random
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas import SEVERITIES, Alert, CountryMention, TaggedArticle, WindowCount
from streams.core.config import UNLIMITED
from streams.core.fingerprint import encode, sketch
from streams.core.incidents import IncidentTracker
from streams.core.ordering import order_key
from streams.core.replay import replay
from streams.core.series import Observation, SeriesTracker, TrackerConfig
from streams.core.windows import window_end

T0 = datetime(2022, 1, 1, tzinfo=UTC)
COUNTRIES = ["USA", "CHN", "RUS", "GBR", "FRA", "IND", "BRA", "NGA", "KAZ", "PER", "MNG", "FJI"]
WEIGHTS = [30, 12, 10, 8, 6, 6, 4, 3, 1, 1, 1, 1]
SOURCES = [f"outlet{n}.example" for n in range(12)]
TOPICS: list[list[str]] = [[], [], ["diplomacy"], ["conflict"], ["unrest", "PROTEST"]]


def make(n: int | str, when: datetime, country: str = "KAZ", topics: Iterable[str] = ("unrest",),
         source: str = "s0", text: str | None = None, url: str | None = None) -> TaggedArticle:  # fmt: skip
    body = text if text is not None else f"story {n} " + " ".join(f"w{n}x{i}" for i in range(30))
    return TaggedArticle(
        id=str(n),
        url=url if url is not None else f"https://{source}/{n}",
        source=source,
        title=body[:40],
        published_at=when,
        countries=[CountryMention(code=country, role="location", mentions=1, score=1.0)],
        topics=list(topics),
        fingerprint=encode(sketch(body)),
        tagger_version="test",
    )


def background(seed: int, hours: int, per_hour: int, start: datetime = T0, scale: float = 1.0) -> list[TaggedArticle]:
    """A busy stream: big countries often, small ones rarely, a daily cycle in volume."""
    rng = random.Random(seed)
    found = []
    for hour in range(hours):
        cycle = 1.0 + 0.5 * (1 if (hour % 24) in range(8, 20) else -1)
        for k in range(round(rng.uniform(0.7, 1.3) * per_hour * cycle * scale)):
            when = start + timedelta(hours=hour, seconds=rng.randrange(3_600))
            country = rng.choices(COUNTRIES, WEIGHTS)[0]
            found.append(make(f"{seed}-{hour}-{k}", when, country, rng.choice(TOPICS), rng.choice(SOURCES)))
    return found


def burst(country: str, start: datetime, count: int, topics: Iterable[str] = ("unrest",)) -> list[TaggedArticle]:
    return [make(f"burst-{country}-{start:%d%H}-{k}", start + timedelta(minutes=3 * k), country, topics,
                 SOURCES[k % 6]) for k in range(count)]  # fmt: skip


def run(tracker: SeriesTracker, articles: Iterable[TaggedArticle]) -> list[Observation]:
    return [tracker.observe(a) for a in articles]


def alerts_of(observations: Iterable[Observation]) -> list[Alert]:
    return [a for o in observations for a in o.alerts]


def finals(observations: Iterable[Observation]) -> dict[tuple[str, datetime], WindowCount]:
    return {(c.key, c.window_start): c for o in observations for c in o.counts if c.final}


# -- counting ------------------------------------------------------------------------------


Reference = dict[tuple[str, int], tuple[int, set[str]]]


def brute_force_counts(articles: list[TaggedArticle], size: int, grace: int, retain: int) -> Reference:
    """Count a list the slow way: stream time, lateness, retention and dedupe by id and url, no indexes."""
    now: int | None = None
    seen: set[str] = set()
    counts: dict[tuple[str, int], tuple[int, set[str]]] = defaultdict(lambda: (0, set()))
    for a in articles:
        ts = int(a.published_at.timestamp())
        if a.id in seen or a.url in seen:
            continue
        start = ts - ts % size
        if now is not None and start + size + grace + retain <= now:
            continue
        seen |= {a.id, a.url or a.id}
        now = ts if now is None else max(now, ts)
        for topic in [*a.topics, "all"]:
            n, sources = counts[(f"{a.countries[0].code}|{topic}", start)]
            counts[(f"{a.countries[0].code}|{topic}", start)] = (n + 1, sources | {a.source})
    return counts


@pytest.mark.parametrize(
    ("retain", "outcomes"),
    [
        (timedelta(0), {"counted", "late", "duplicate", "advanced"}),
        (timedelta(minutes=30), {"counted", "corrected", "late", "duplicate", "advanced"}),
        # redeliveries from the first hours arrive 30 h in, past the dedupe memory and the history: late
        (timedelta(hours=6), {"counted", "corrected", "late", "duplicate", "advanced"}),
    ],
)
def test_final_counts_match_counting_the_list_by_hand(retain: timedelta, outcomes: set[str]) -> None:
    rng = random.Random(11)
    articles = background(5, hours=30, per_hour=12)
    rng.shuffle(articles)  # out of order: some arrive after their window closed
    articles.sort(key=lambda a: a.published_at + timedelta(minutes=3 * rng.randrange(40)))
    articles += rng.sample(articles, 40)  # redeliveries
    config = TrackerConfig(grace=timedelta(minutes=20), max_ahead=UNLIMITED, warmup=timedelta(days=30), retain=retain)
    tracker = SeriesTracker(config)
    observed = [*run(tracker, articles), tracker.advance(2**40)]
    expected = brute_force_counts(articles, 3_600, 1_200, int(retain.total_seconds()))
    got = finals(observed)
    assert {(k, int(w.timestamp())) for k, w in got} == set(expected)
    for (key, start), count in got.items():
        n, sources = expected[(key, int(start.timestamp()))]
        assert (count.count, count.sources) == (n, len(sources))
    assert {o.outcome for o in observed} == outcomes


def test_same_article_twice_counts_once() -> None:
    tracker = SeriesTracker(TrackerConfig())
    article = make(1, T0)
    assert [o.outcome for o in run(tracker, [article, article])] == ["counted", "duplicate"]


def test_same_url_under_another_id_is_the_same_article() -> None:
    tracker = SeriesTracker(TrackerConfig())
    first = make(1, T0, url="https://example.com/kz?utm_source=feed")
    again = make(2, T0 + timedelta(minutes=5), url="https://www.example.com/kz/")
    assert [o.outcome for o in run(tracker, [first, again])] == ["counted", "duplicate"]


def test_syndicated_copies_count_as_one_story_with_many_sources() -> None:
    wire = "Kazakhstan's president asked Russia-led troops for help after protesters stormed buildings in Almaty " * 2
    copies = [make(k, T0 + timedelta(minutes=k), source=f"site{k}.example", text=wire + f" site{k}") for k in range(5)]
    counts = run(SeriesTracker(TrackerConfig()), copies)[-1].counts
    unrest = next(c for c in counts if c.topic == "unrest")
    assert (unrest.count, unrest.stories, unrest.sources, unrest.volume) == (5, 1, 5, 5)


def test_articles_older_than_the_retained_history_are_refused_with_their_lag() -> None:
    tracker = SeriesTracker(TrackerConfig(grace=timedelta(minutes=15), retain=timedelta(minutes=30)))
    run(tracker, [make(1, T0 + timedelta(hours=2))])
    late = tracker.observe(make(2, T0 + timedelta(minutes=10)))
    in_grace = tracker.observe(make(3, T0 + timedelta(hours=1, minutes=59)))
    assert (late.outcome, late.counts, late.lag) == ("late", [], 110 * 60)
    assert in_grace.outcome == "counted"


def test_far_future_article_moves_stream_time_at_most_one_window() -> None:
    tracker = SeriesTracker(TrackerConfig())
    run(tracker, [make(1, T0 + timedelta(minutes=10))])
    future = tracker.observe(make(2, T0 + timedelta(days=400)))
    assert future.clamped and tracker.stream_time == int((T0 + timedelta(hours=1, minutes=10)).timestamp())
    assert tracker.observe(make(3, T0 + timedelta(minutes=20))).outcome == "counted"  # not made late


def test_state_stays_bounded_by_stream_time() -> None:
    tracker = SeriesTracker(TrackerConfig(dedupe_ttl=timedelta(hours=6)))
    sizes = []
    for day in range(4):
        run(tracker, background(day, hours=24, per_hour=10, start=T0 + timedelta(days=day)))
        sizes.append(len(tracker.store))
    assert sizes[3] <= sizes[1] * 1.3
    oldest = min(v["exp"] for k, v in tracker.store.items() if k.startswith(("id:", "st:", "sk:")))
    assert oldest > (tracker.stream_time or 0)
    assert len(tracker.store["hist"]) <= TrackerConfig().history_windows()


# -- alerts --------------------------------------------------------------------------------


def surge_stream() -> list[TaggedArticle]:
    quiet = background(1, hours=72, per_hour=12)
    first = burst("KAZ", T0 + timedelta(hours=50, minutes=2), 6)
    second = burst("KAZ", T0 + timedelta(hours=50, minutes=25), 14)
    return sorted(quiet + first + second, key=lambda a: a.published_at)


HOURLY = TrackerConfig(windows=(timedelta(hours=1),))  # one window size: an alert is its series' episode


def test_alert_opens_updates_on_escalation_and_resolves() -> None:
    alerts = alerts_of(replay(surge_stream(), HOURLY))
    kaz = [a for a in alerts if (a.country, a.topic) == ("KAZ", "unrest")]
    statuses = [a.status for a in kaz]
    assert statuses[0] == "open" and statuses[-1] == "resolved" and set(statuses[1:-1]) <= {"update"}
    for before, after in itertools.pairwise(kaz[:-1]):  # updates only on escalation, not per article
        worse = SEVERITIES.index(after.severity) > SEVERITIES.index(before.severity)
        assert worse or after.observed >= 1.5 * before.observed
    assert [a.revision for a in kaz] == list(range(len(kaz)))
    assert len({a.alert_id for a in kaz}) == 1
    opened = kaz[0]
    assert opened.window_start == T0 + timedelta(hours=50) and opened.sources >= 3 and opened.observed >= 3
    assert opened.expected < 1 and opened.ratio > 3 and opened.top_articles
    assert opened.summary.startswith("Kazakhstan · unrest: ") and "in the hour to 03:00 UTC" in opened.summary
    assert not [a for a in alerts if a.country != "KAZ"]  # the background never alerts


def test_redelivery_and_replays_never_open_an_alert_twice() -> None:
    articles = surge_stream()
    first = alerts_of(replay(articles, TrackerConfig()))
    store: dict[str, Any] = {}
    again = alerts_of(replay(articles, TrackerConfig(), store=store))
    assert [a.model_dump() for a in first] == [a.model_dump() for a in again]
    tracker = SeriesTracker(TrackerConfig(max_ahead=UNLIMITED), store)
    assert alerts_of(run(tracker, articles[-200:])) == []  # redelivered: all duplicates


def test_volume_doubling_does_not_alert() -> None:
    before = background(2, hours=48, per_hour=15)
    after = background(3, hours=48, per_hour=15, start=T0 + timedelta(hours=48), scale=2.0)
    assert alerts_of(replay(before + after, TrackerConfig())) == []


def test_an_idle_stream_is_no_evidence_the_next_news_resolves() -> None:
    articles = [a for a in surge_stream() if a.published_at < T0 + timedelta(hours=51)]
    tracker = SeriesTracker(TrackerConfig(max_ahead=UNLIMITED))
    assert next(a.status for a in alerts_of(run(tracker, articles))) == "open"
    assert tracker.advance(int((T0 + timedelta(hours=60)).timestamp())).alerts == []  # nothing came: no news
    later = background(9, hours=3, per_hour=12, start=T0 + timedelta(hours=60))
    resolved = alerts_of([*run(tracker, later), tracker.advance(int((T0 + timedelta(hours=64)).timestamp()))])
    assert [a.status for a in resolved] == ["resolved"] and "back to baseline" in resolved[0].summary


# -- partitioning and restarts -------------------------------------------------------------


def as_json(observations: Iterable[Observation]) -> tuple[list[str], list[str]]:
    observations = list(observations)
    alerts = sorted(a.model_dump_json() for o in observations for a in o.alerts)
    counts = sorted(c.model_dump_json() for o in observations for c in o.counts)
    return alerts, counts


@pytest.mark.parametrize("parts", [2, 3])
def test_partitioned_trackers_together_equal_one_tracker(parts: int) -> None:
    articles = surge_stream() + burst("PER", T0 + timedelta(hours=60), 12, ["conflict"])
    articles.sort(key=lambda a: a.published_at)
    config = TrackerConfig(max_ahead=UNLIMITED)
    whole = as_json(run(SeriesTracker(config), articles))
    trackers = [SeriesTracker(config, owns=lambda c, p=p: zlib.crc32(c.encode()) % parts == p) for p in range(parts)]
    pieces = [as_json(run(t, articles)) for t in trackers]
    assert sorted(x for alerts, _ in pieces for x in alerts) == whole[0]
    assert sorted(x for _, counts in pieces for x in counts) == whole[1]
    assert whole[0]


def test_tracker_rebuilt_from_a_copied_store_resumes_exactly() -> None:
    articles = surge_stream()
    config = TrackerConfig(max_ahead=UNLIMITED)
    uninterrupted = as_json(run(SeriesTracker(config), articles))
    first = SeriesTracker(config)
    head = run(first, articles[: len(articles) * 5 // 8])
    copied = json.loads(json.dumps(dict(first.store)))  # what a changelog restore gives back
    tail = run(SeriesTracker(config, copied), articles[len(articles) * 5 // 8 :])
    assert as_json(head + tail) == uninterrupted


def test_replay_sorts_by_event_time_so_file_order_does_not_matter() -> None:
    articles = list({a.published_at: a for a in surge_stream()}.values())  # ties would keep file order
    shuffled = articles[:]
    random.Random(3).shuffle(shuffled)
    assert as_json(replay(shuffled, TrackerConfig())) == as_json(replay(articles, TrackerConfig()))


def test_finished_replay_makes_every_window_final() -> None:
    articles = background(4, hours=6, per_hour=8)
    steps = list(replay(articles, TrackerConfig(), finish=True))
    touched = {(c.key, c.window_start) for s in steps for c in s.counts}
    assert steps[-1].outcome == "advanced" and set(finals(steps)) == touched


# -- late articles: corrections of closed windows --------------------------------------------


def test_a_late_article_corrects_its_closed_window_with_a_revision() -> None:
    tracker = SeriesTracker(TrackerConfig(max_ahead=UNLIMITED, warmup=timedelta(0)))
    run(tracker, [make(1, T0 + timedelta(minutes=10), source="s1"), make(2, T0 + timedelta(hours=2))])
    first = tracker.observe(make(3, T0 + timedelta(minutes=50), source="s2"))
    second = tracker.observe(make(4, T0 + timedelta(minutes=55), source="s2"))
    assert (first.outcome, first.lag, second.outcome) == ("corrected", 70 * 60, "corrected")
    revised = [c for c in second.counts if c.topic == "unrest"]
    assert [(c.count, c.sources, c.volume, c.final, c.revision) for c in revised] == [(3, 2, 3, True, 2)]
    assert tracker.observe(make(3, T0 + timedelta(minutes=50))).outcome == "duplicate"


def test_a_correction_updates_the_open_alert_whose_window_it_is() -> None:
    articles = surge_stream()
    tracker = SeriesTracker(TrackerConfig(max_ahead=UNLIMITED))
    opened = T0 + timedelta(hours=50)
    closed_at = opened + timedelta(hours=1, minutes=15)
    run(tracker, [a for a in articles if a.published_at < closed_at])
    tracker.advance(closed_at)
    episode = tracker.store["a:KAZ|unrest"]
    assert episode["window"] == int(opened.timestamp())  # still open once its window closed
    late = tracker.observe(make("late-kaz", opened + timedelta(minutes=40), source=SOURCES[7]))
    update = [a for a in late.alerts if (a.country, a.topic) == ("KAZ", "unrest")]
    assert late.outcome == "corrected" and [a.status for a in update] == ["update"]
    corrected = next(c for c in late.counts if c.key == "KAZ|unrest")
    assert (corrected.final, corrected.revision, update[0].observed) == (True, 1, corrected.stories)
    assert update[0].revision == episode["revision"] + 1 and update[0].window_start == opened


# -- several input partitions read at different speeds -------------------------------------


def partition_order(articles: list[TaggedArticle], partitions: int, chunk: int) -> list[tuple[TaggedArticle, int]]:
    """The articles as a worker reads them: each partition in (event time, id) order, `chunk` at a time, in turn."""
    ordered = sorted(articles, key=order_key)
    parts = [[a for a in ordered if zlib.crc32(a.id.encode()) % partitions == p] for p in range(partitions)]
    read: list[tuple[TaggedArticle, int]] = []
    while any(parts):
        for p in range(partitions):
            read += [(a, p) for a in parts[p][:chunk]]
            parts[p] = parts[p][chunk:]
    return read


ONE_SIZE = TrackerConfig(max_ahead=UNLIMITED, windows=(timedelta(hours=1),))


def read_in_turns(
    tracker: SeriesTracker | IncidentTracker, articles: list[TaggedArticle], chunk: int
) -> list[Observation]:
    tracker.report_inputs(4, [0, 1, 2, 3], [])
    online = [tracker.observe(a, p) for a, p in partition_order(articles, 4, chunk)]
    online.append(tracker.report_inputs(4, [0, 1, 2, 3], [0, 1, 2, 3]))  # all caught up: the newest watermark
    online.append(tracker.advance(2**40))
    return online


def decided(observations: Iterable[Observation]) -> Counter[tuple[str, str]]:
    """How often each (article id, outcome) was decided (an id given twice: counted, then duplicate)."""
    return Counter((article_id, outcome) for o in observations for article_id, outcome, _ in o.decided)


@pytest.mark.parametrize("chunk", [1, 7, 50, 400])
def test_partitions_read_at_different_speeds_count_and_alert_as_replay(chunk: int) -> None:
    articles = surge_stream()
    offline = list(replay(articles, ONE_SIZE, finish=True))
    online = read_in_turns(IncidentTracker(ONE_SIZE), articles, chunk)
    assert decided(online) == decided(offline) and {o for _, o in decided(online)} == {"counted", "duplicate"}
    assert finals(online) == finals(offline)
    assert alerts_of(online) == alerts_of(offline)  # every step: ids, windows, severities, numbers


@pytest.mark.parametrize("chunk", [1, 7, 400])
def test_several_sizes_read_at_different_speeds_count_as_replay_and_alert_once(chunk: int) -> None:
    """1 h and 1 d over one stream time: the published counts are replay's, the surge one incident as in replay."""
    articles, config = surge_stream(), TrackerConfig(max_ahead=UNLIMITED)
    offline = list(replay(articles, config, finish=True))
    online = read_in_turns(IncidentTracker(config), articles, chunk)
    assert decided(online) == decided(offline) and {o for _, o in decided(online)} == {"counted", "duplicate"}
    assert finals(online) == finals(offline)

    def incidents(observations: list[Observation]) -> dict[tuple[str, str], str]:
        peak: dict[tuple[str, str], str] = {}
        for a in alerts_of(observations):
            if a.status != "resolved":
                was = peak.get((a.country, a.topic), a.severity)
                peak[a.country, a.topic] = max(was, a.severity, key=SEVERITIES.index)
        return peak

    assert incidents(online) == incidents(offline)
    assert sum(a.status == "open" for a in alerts_of(online)) == sum(a.status == "open" for a in alerts_of(offline))


def test_several_sizes_read_at_different_speeds_open_as_replay() -> None:
    """Replay opens the surge at 1 h (02:00). Judged on arrival, the open day window held articles read
    ahead of the slower partitions and the day opened the incident first (another id and window);
    judged in event-time order (ordering.py), every step is replay's."""
    articles, config = surge_stream(), TrackerConfig(max_ahead=UNLIMITED)
    offline = list(replay(articles, config, finish=True))
    online = read_in_turns(IncidentTracker(config), articles, 7)
    opened = [(a.alert_id, a.window, a.window_start) for a in alerts_of(online) if a.status == "open"]
    assert opened == [(a.alert_id, a.window, a.window_start) for a in alerts_of(offline) if a.status == "open"]
    assert ("1h", T0 + timedelta(hours=50)) in [(w, start) for _, w, start in opened]
    assert alerts_of(online) == alerts_of(offline)


def test_articles_waiting_for_slower_partitions_survive_a_restart_from_the_store() -> None:
    """The waiting articles are in the store: a tracker rebuilt from it halfway (a restart after kill -9)
    lets them in as the first would have, and a redelivery of one is a duplicate."""
    articles, config = surge_stream(), TrackerConfig(max_ahead=UNLIMITED)
    offline = list(replay(articles, config, finish=True))
    reads = partition_order(articles, 4, 50)
    store: dict[str, Any] = {}
    tracker = IncidentTracker(config, store)
    tracker.report_inputs(4, [0, 1, 2, 3], [])
    online = [tracker.observe(a, p) for a, p in reads[: len(reads) // 2]]
    waiting = tracker.trackers[0][1].gate.waiting
    assert waiting > 0
    restarted = IncidentTracker(config, json.loads(json.dumps(store)))  # what the changelog gives back
    again = [restarted.observe(a, p) for a, p in reads[len(reads) // 2 - 3 : len(reads) // 2]]  # redelivered
    assert {o for _, o in decided(again)} == {"duplicate"}
    online += [restarted.observe(a, p) for a, p in reads[len(reads) // 2 :]]
    online.append(restarted.report_inputs(4, [0, 1, 2, 3], [0, 1, 2, 3]))
    assert restarted.stream_time is not None
    online.append(restarted.advance(window_end(restarted.stream_time, restarted.size) + restarted.grace))
    assert decided(online) == decided(offline)
    assert finals(online) == finals(offline)
    assert alerts_of(online) == alerts_of(offline)


def random_reads(articles: list[TaggedArticle], partitions: int, rng: random.Random,
                 chunk: int | None) -> list[tuple[TaggedArticle, int]]:  # fmt: skip
    """A random interleaving: each partition in (event time, id) order, read `chunk` at a time (random
    sizes from 1 to 60 if None) from a partition picked at random, as uneven fetches are."""
    ordered = sorted(articles, key=order_key)
    parts = [[a for a in ordered if zlib.crc32(a.id.encode()) % partitions == p] for p in range(partitions)]
    read: list[tuple[TaggedArticle, int]] = []
    while any(parts):
        p = rng.choice([p for p in range(partitions) if parts[p]])
        take = chunk if chunk is not None else rng.randint(1, 60)
        read += [(a, p) for a in parts[p][:take]]
        parts[p] = parts[p][take:]
    return read


def tied_stream(seed: int) -> list[TaggedArticle]:
    """The surge over a background whose event times are whole minutes: many articles share one."""
    quiet = [a.model_copy(update={"published_at": a.published_at.replace(second=0)}) for a in background(seed, 60, 12)]
    surge = burst("KAZ", T0 + timedelta(hours=40), 16) + burst("PER", T0 + timedelta(hours=52, minutes=30), 12)
    ties = [make(f"tie-{k}", T0 + timedelta(hours=40, minutes=6), "KAZ", ("unrest",), SOURCES[k]) for k in range(5)]
    return quiet + surge + ties


@pytest.mark.parametrize("windows", [(timedelta(hours=1), timedelta(days=1)),
                                     (timedelta(hours=1), timedelta(hours=6), timedelta(days=1))])  # fmt: skip
def test_any_interleaving_of_four_partitions_alerts_exactly_as_replay(windows: tuple[timedelta, ...]) -> None:
    """Brute force: random interleavings of 4 partitions, read 1, 3, 7, 50 or a random number at a time,
    give replay's alert steps, in replay's order, and its final counts (ties in event time included)."""
    config = TrackerConfig(max_ahead=UNLIMITED, windows=windows)
    for seed in (3, 4):
        articles = tied_stream(seed)
        assert len({order_key(a)[0] for a in articles}) < len(articles)  # ties in event time
        rng = random.Random(seed)
        rng.shuffle(articles)  # replay sorts by (event time, id) however the file is ordered
        offline = list(replay(articles, config, finish=True))
        assert any(a.status == "open" for a in alerts_of(offline))
        for chunk in (1, 3, 7, 50, None):
            tracker = IncidentTracker(config)
            tracker.report_inputs(4, [0, 1, 2, 3], [])
            online = [tracker.observe(a, p) for a, p in random_reads(articles, 4, rng, chunk)]
            online.append(tracker.report_inputs(4, [0, 1, 2, 3], [0, 1, 2, 3]))
            assert tracker.stream_time is not None
            online.append(tracker.advance(window_end(tracker.stream_time, tracker.size) + tracker.grace))  # as finish
            assert decided(online) == decided(offline), (seed, chunk)
            assert {o for _, o in decided(online)} == {"counted"}, (seed, chunk)
            assert finals(online) == finals(offline), (seed, chunk)
            assert alerts_of(online) == alerts_of(offline), (seed, chunk)


class Reader:
    """One worker's ingest side in `live_reads`: its partitions, the offsets it sent, the greatest key sent."""

    def __init__(self, partitions: list[int]) -> None:
        self.partitions, self.next = partitions, dict.fromkeys(partitions, 0)
        self.through: tuple[int, str] | None = None
        self.queue: list[tuple[str, Any]] = []  # its digests and reports, in the order the tracker reads them
        self.asked: tuple[dict[int, int], tuple[int, str] | None] | None = None  # a check waiting for end offsets


def live_reads(articles: list[TaggedArticle], readers: list[Reader], rng: random.Random,
               partitions: int = 4) -> list[tuple[str, Any]]:  # fmt: skip
    """What a tracker reads while the articles are produced in (event time, id) order, at random moments, and
    `readers` read their partitions' produced records at random speeds, and now and then check which they
    read to the end: positions and `through` taken, then the end offsets listed *later* (records produced
    in between are in them: the stale-end-offset race), then the report sent. Each reader's messages reach
    the tracker in its order; the readers' are interleaved at random."""
    ordered = sorted(articles, key=order_key)
    where = {a.id: zlib.crc32(a.id.encode()) % partitions for a in ordered}
    log: dict[int, list[TaggedArticle]] = {p: [] for p in range(partitions)}
    produced, read = 0, []
    while produced < len(ordered) or any(r.queue or r.asked or any(r.next[p] < len(log[p]) for p in r.partitions)
                                         for r in readers):  # fmt: skip
        step, reader = rng.random(), rng.choice(readers)
        if step < 0.2 and produced < len(ordered):
            for a in ordered[produced : produced + rng.randint(1, 40)]:
                log[where[a.id]].append(a)
                produced += 1
        elif step < 0.5:
            p = rng.choice(reader.partitions)
            batch = log[p][reader.next[p] : reader.next[p] + rng.randint(1, 30)]
            if batch:
                reader.queue.append(("digest", [(a, p) for a in batch]))
                reader.next[p] += len(batch)
                reader.through = max(reader.through or order_key(batch[-1]), order_key(batch[-1]))
        elif step < 0.6 and reader.asked is None:
            reader.asked = (dict(reader.next), reader.through)
        elif step < 0.7 and reader.asked is not None:
            positions, through = reader.asked
            caught_up = [p for p in reader.partitions if positions[p] >= len(log[p])]
            reader.queue.append(("report", (caught_up, through)))
            reader.asked = None
        elif reader.queue:
            read.append(reader.queue.pop(0))
    return read


@pytest.mark.parametrize("readers", [[[0, 1, 2, 3]], [[0, 1], [2, 3]]])
def test_partitions_said_caught_up_while_articles_are_produced_still_alert_exactly_as_replay(
    readers: list[list[int]],
) -> None:
    """Brute force of the caught-up reports (ordering.py): while the input is produced, readers say which
    partitions they read to the end, with end offsets listed after the positions were taken; the tracker
    lets articles in by them and by what was read, and ends as replay, every article counted in order."""
    config = TrackerConfig(max_ahead=UNLIMITED, windows=(timedelta(hours=1), timedelta(days=1)))
    freed = 0
    for seed in range(5, 11):
        articles = tied_stream(seed)
        offline = list(replay(articles, config, finish=True))
        rng = random.Random(seed)
        tracker = IncidentTracker(config)
        tracker.report_inputs(4, [0, 1, 2, 3], [])
        online = []
        for kind, message in live_reads(articles, [Reader(r) for r in readers], rng):
            if kind == "digest":
                online += [tracker.observe(a, p) for a, p in message]
            else:
                waiting = tracker.trackers[0][1].gate.waiting
                online.append(tracker.report_inputs(4, [0, 1, 2, 3], [], *message))
                freed += waiting - tracker.trackers[0][1].gate.waiting
        online.append(tracker.report_inputs(4, [0, 1, 2, 3], [0, 1, 2, 3]))
        assert tracker.stream_time is not None
        online.append(tracker.advance(window_end(tracker.stream_time, tracker.size) + tracker.grace))
        assert decided(online) == decided(offline), seed
        assert {o for _, o in decided(online)} == {"counted"}, seed
        assert finals(online) == finals(offline), seed
        assert alerts_of(online) == alerts_of(offline), seed
    assert freed > 0  # the reports let in articles that would have waited for the next read or idleness
