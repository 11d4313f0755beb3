"""The worker's two stages in-process: records in, the records to send and the state to write out.

No faust and no broker: the stages are the functions the agents call, fed here as the agents
feed them (tests/integration and tests/reliability run the same code through a real broker).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from schemas import Alert, Article, DeadLetter, DigestBatch, TaggedArticle, WindowCount
from streams.core.incidents import IncidentTracker
from streams.core.ingest import Ingestor, RawMessage
from streams.core.replay import replay
from streams.core.tagging import Tagger
from streams.demo.sample import sample_articles
from streams.settings import Settings, TopicNames, tracker_config
from streams.worker import stages
from streams.worker.stages import DigestDecoder, Outgoing, owner_partition, partition_tracker
from streams.worker.store import PartitionStore

TOPICS = TopicNames()
NOW = datetime(2022, 2, 1, tzinfo=UTC)  # after every sample article: none is future-dated


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.default()


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return sample_articles(short=True)


def records(values: list[bytes]) -> list[RawMessage]:
    return [RawMessage(v, f"k{n}".encode(), TOPICS.articles, 1, 100 + n) for n, v in enumerate(values)]


def ingestor(tagger: Tagger) -> Ingestor:
    return Ingestor(tagger, clock=lambda: NOW)


def digests_of(messages: list[Outgoing], partition: int) -> list[DigestBatch]:
    return [DigestBatch.model_validate_json(v) for t, _, v, p in messages if t == TOPICS.digests and p == partition]


# -- ingest ------------------------------------------------------------------------------------


def test_ingest_sends_dead_letters_then_events_then_each_digest_to_every_partition(
    tagger: Tagger, articles: list[Article]
) -> None:
    batch = articles[:12]
    shuffled = random.Random(3).sample(batch, len(batch))
    values = [a.to_json() for a in shuffled]
    values.insert(5, b'{"id": "no-title"')
    values.insert(9, b"")  # what the agent makes of a tombstone

    done = stages.ingest(ingestor(tagger), records(values), TOPICS, 3)

    assert [topic for topic, *_ in done.messages] == [TOPICS.articles_dlq] * 2 + [TOPICS.events] * 12 + [
        TOPICS.digests
    ] * 3
    dead = [DeadLetter.model_validate_json(v) for t, k, v, p in done.messages if t == TOPICS.articles_dlq]
    assert [(d.error_kind, d.offset, d.original_bytes()) for d in dead] == [
        ("invalid_json", 105, b'{"id": "no-title"'),
        ("invalid_json", 109, b""),
    ]
    assert all(k is None and p is None for t, k, _, p in done.messages if t == TOPICS.articles_dlq)
    events = [(k, v, p) for t, k, v, p in done.messages if t == TOPICS.events]
    assert events == [(a.id.encode(), tagger.tag(a).to_json(), None) for a in shuffled]
    copies = {p: v for t, _, v, p in done.messages if t == TOPICS.digests}
    assert sorted(copies) == [0, 1, 2] and len(set(copies.values())) == 1
    (digest,) = digests_of(done.messages, 0)
    assert [a.id for a in digest.articles] == [a.id for a in sorted(shuffled, key=lambda a: a.published_at)]
    assert [t.id for t, _ in done.tagged] == [a.id for a in shuffled]
    assert all(seconds >= 0 for _, seconds in done.tagged)


def test_a_dead_letter_too_big_for_kafka_is_cut_to_fit_and_says_what_it_was(tagger: Tagger) -> None:
    huge = b'{"id": "' + b"x" * 1_200_000 + b'"}'
    done = stages.ingest(ingestor(tagger), records([huge]), TOPICS, 1)
    ((topic, _, value, _),) = done.messages
    letter = DeadLetter.model_validate_json(value)
    assert topic == TOPICS.articles_dlq and len(value) < stages.MAX_DEAD_LETTER_BYTES
    assert letter.error_kind == "too_large"
    assert letter.context["truncated_from"] == str(len(huge))
    assert huge.startswith(letter.original_bytes())
    assert stages.fitted(done.dead[0]) == letter  # the letter sent is the fitted one, not the one measured


def test_a_batch_of_only_bad_records_sends_no_digest(tagger: Tagger) -> None:
    done = stages.ingest(ingestor(tagger), records([b"[]", b"42"]), TOPICS, 4)
    assert [t for t, *_ in done.messages] == [TOPICS.articles_dlq] * 2
    assert {d.error_kind for d in done.dead} == {"not_an_object"}


# -- count -------------------------------------------------------------------------------------


def counted_through_stages(
    tagger: Tagger, articles: list[Article], partitions: int, batch_size: int
) -> tuple[list[stages.Counted], dict[int, tuple[IncidentTracker, PartitionStore]]]:
    """Ingest in batches, then count each partition's digests as the count agent does, one batch at a time."""
    table: dict[str, bytes] = {}
    config = tracker_config(Settings())
    trackers = {p: partition_tracker(config, table, p, partitions) for p in range(partitions)}
    results = []
    for start in range(0, len(articles), batch_size):
        chunk = [a.to_json() for a in articles[start : start + batch_size]]
        done = stages.ingest(ingestor(tagger), records(chunk), TOPICS, partitions)
        work = {p: (trackers[p][0], digests_of(done.messages, p)) for p in range(partitions)}
        results.append(asyncio.run(stages.count(work, partitions)))
    return results, trackers


def newest(counts: list[WindowCount]) -> dict[tuple[str, datetime], WindowCount]:
    latest: dict[tuple[str, datetime], WindowCount] = {}
    for c in counts:
        latest[(c.key, c.window_start)] = c
    return latest


@pytest.mark.parametrize("partitions", [1, 3])
def test_the_partitions_together_count_and_alert_as_one_replay(
    tagger: Tagger, articles: list[Article], partitions: int
) -> None:
    results, _ = counted_through_stages(tagger, articles, partitions, batch_size=10)
    offline = list(replay([tagger.tag(a) for a in articles], tracker_config(Settings())))

    online_counts = [c for r in results for p in r.counts for c in r.counts[p].values()]
    assert newest(online_counts) == newest([c for seen in offline for c in seen.counts])
    online_alerts = [a for r in results for a in r.alerts]
    assert sorted(a.to_json() for a in online_alerts) == sorted(a.to_json() for seen in offline for a in seen.alerts)
    assert online_alerts, "the sample's surge raises an alert"
    outcomes = sum((r.outcomes for r in results), Counter())
    assert outcomes == Counter(seen.outcome for seen in offline)  # each article once, on its owner partition


def test_each_partition_counts_only_the_series_of_the_countries_it_owns(
    tagger: Tagger, articles: list[Article]
) -> None:
    results, _ = counted_through_stages(tagger, articles, 3, batch_size=40)
    owners = {(c.country, p) for r in results for p in r.counts for c in r.counts[p].values()}
    assert owners and all(owner_partition(country, 3) == p for country, p in owners)


def test_count_messages_are_the_counts_then_the_alerts_keyed_by_series(tagger: Tagger, articles: list[Article]) -> None:
    results, _ = counted_through_stages(tagger, articles, 2, batch_size=len(articles))
    (result,) = results
    messages = result.messages(TOPICS)
    n_counts = sum(len(c) for c in result.counts.values())
    assert [t for t, *_ in messages] == [TOPICS.counts] * n_counts + [TOPICS.alerts] * len(result.alerts)
    for topic, key, value, partition in messages:
        message = WindowCount.model_validate_json(value) if topic == TOPICS.counts else Alert.model_validate_json(value)
        assert (key, partition) == (message.key.encode(), None)
    windows = [(c.key, c.window_start) for c in result.counts[0].values()]
    assert len(windows) == len(set(windows))  # one count per series window: the newest


def test_the_state_is_written_at_flush_and_a_redelivered_digest_changes_nothing(
    tagger: Tagger, articles: list[Article]
) -> None:
    table: dict[str, bytes] = {}
    config = tracker_config(Settings())
    tracker, store = partition_tracker(config, table, 0, 1)
    done = stages.ingest(ingestor(tagger), records([a.to_json() for a in articles]), TOPICS, 1)
    digests = digests_of(done.messages, 0)
    first = asyncio.run(stages.count({0: (tracker, digests)}, 1))
    assert table == {}  # nothing written before the agent has the broker's acks
    store.flush()
    assert table

    written = dict(table)

    recovered, recovered_store = partition_tracker(config, table, 0, 1)  # a restart: the state read back
    again = asyncio.run(stages.count({0: (recovered, digests)}, 1))
    recovered_store.flush()
    assert first.outcomes["counted"] > 0 and "counted" not in again.outcomes
    assert sum(again.outcomes.values()) == sum(first.outcomes.values())
    assert again.alerts == []
    assert table == written


def test_a_digest_is_decoded_once_per_worker() -> None:
    tagged = TaggedArticle(id="a", source="s", title="t", tagger_version="v",
                           published_at=datetime(2022, 1, 5, tzinfo=UTC))  # fmt: skip
    (raw,) = DigestBatch.encode([tagged])
    decoder = DigestDecoder(size=2)
    batch = decoder.decode(raw)
    assert decoder.decode(raw) is batch
    assert [a.id for a in batch.articles] == ["a"]
    for n in range(2):  # pushed out by newer digests
        decoder.decode(DigestBatch.encode([tagged.model_copy(update={"id": f"b{n}"})])[0])
    assert decoder.decode(raw) is not batch


def test_no_article_from_the_future_reaches_a_digest(tagger: Tagger, articles: list[Article]) -> None:
    ahead = articles[0].model_copy(update={"published_at": NOW + timedelta(hours=1)})
    done = stages.ingest(ingestor(tagger), records([ahead.to_json(), articles[1].to_json()]), TOPICS, 1)
    assert [d.error_kind for d in done.dead] == ["future_dated"]
    (digest,) = digests_of(done.messages, 0)
    assert [a.id for a in digest.articles] == [articles[1].id]
