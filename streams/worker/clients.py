"""Plain Kafka clients (kafka-python) for the CLI, the demo and tests: produce, tail, topics."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic, OffsetSpec
from kafka.errors import (
    Cancelled,
    KafkaError,
    KafkaTimeoutError,
    TopicAlreadyExistsError,
    UnknownTopicOrPartitionError,
)

from streams.errors import BrokerError, ConfigError
from streams.settings import Settings
from streams.worker.kafka import kafka_python_options

log = logging.getLogger(__name__)


class _ClosingIsNotAFailure(logging.Filter):
    """kafka-python 3 logs the metadata refresh that close() cancels as an ERROR; a close is no failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == "Metadata refresh: failed %s" and isinstance(record.args, tuple)
                    and isinstance(record.args[0], Cancelled))  # fmt: skip


logging.getLogger("kafka.cluster").addFilter(_ClosingIsNotAFailure())

CONNECT_SECONDS = 5.0  # how long a command waits for the broker before it says it cannot reach it
C = TypeVar("C")


def connect(settings: Settings, client: Callable[..., C], **options: Any) -> C:
    """A kafka-python client connected to the broker, or BrokerError in one line after CONNECT_SECONDS."""
    try:
        return client(**kafka_python_options(settings), bootstrap_timeout_ms=int(CONNECT_SECONDS * 1000), **options)
    except KafkaError as exc:
        raise unreachable(settings, exc) from exc


def unreachable(settings: Settings, exc: Exception) -> BrokerError:
    """The one-line error for a broker that does not answer (naming it, never the credentials)."""
    reason = f"no answer in {CONNECT_SECONDS:.0f}s" if isinstance(exc, KafkaTimeoutError) else str(exc)
    where = f"{settings.kafka_bootstrap} ({settings.kafka.security_protocol})"
    return BrokerError(f"cannot reach Kafka at {where}: {reason}")


def producer(settings: Settings, **overrides: Any) -> KafkaProducer:
    return connect(settings, KafkaProducer, acks="all", linger_ms=5, **overrides)


def produce(
    settings: Settings,
    topic: str,
    messages: Iterable[tuple[bytes | None, bytes]],
    *,
    rate: float | None = None,
    **options: Any,
) -> int:
    """Send (key, value) pairs, at most `rate` per second when given; returns how many were sent.

    A record the broker refuses raises BrokerError (kafka-python's flush() returns without a word
    when records failed: the failure is only on each send's future). `options` go to the producer.
    """
    sent = 0
    started = time.monotonic()
    with_producer = producer(settings, **options)
    refused = Refusals()
    try:
        for key, value in messages:
            if refused.first is not None:
                break  # stop at the first refusal: what was sent after it would be out of order anyway
            if rate:
                delay = started + sent / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            with_producer.send(topic, key=key, value=value).add_errback(refused)
            sent += 1
        with_producer.flush()
    except KafkaError as exc:  # the broker went away or refused a record: one line, not a traceback
        raise BrokerError(f"producing to {topic} failed after {sent} message(s): {exc}") from exc
    finally:
        with contextlib.suppress(KafkaError):  # flushed above; only a failure in flight can leave sends here
            with_producer.close()
    if refused.first is not None:
        raise BrokerError(f"producing to {topic}: the broker refused {refused.count} of {sent} message(s) "
                          f"(first: {refused.first})")  # fmt: skip
    return sent


class Refusals:
    """An errback for kafka-python send futures: how many sends failed, and the first failure."""

    def __init__(self) -> None:
        self.count = 0
        self.first: BaseException | None = None

    def __call__(self, exc: BaseException) -> None:  # called on the producer's I/O thread
        self.count += 1
        if self.first is None:
            self.first = exc


def ensure_topics(
    settings: Settings, names: Iterable[str], *, exact: Iterable[str] = (), compacted: Iterable[str] = ()
) -> None:
    """Create the topics that do not exist yet, with the configured partitions.

    Topics in `exact` must have exactly the configured partitions (the count/detect table is
    co-partitioned with them); a mismatch is a ConfigError, not a crash loop later. Topics in
    `compacted` are created with cleanup.policy=compact, and switched to it if they exist without.

    Safe when several workers start at once: one may delete or create a topic while another looks at
    it; such a pass is started again (at most ATTEMPTS times) until every topic is as declared.
    """
    names, exact, compact = list(names), sorted(set(exact)), set(compacted)
    admin = connect(settings, KafkaAdminClient)
    try:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                _declare(admin, settings, names, exact, compact)
                wrong = _not_as_declared(admin, settings, names, exact)
            except (UnknownTopicOrPartitionError, TopicAlreadyExistsError) as exc:  # another process, meanwhile
                wrong = [f"{type(exc).__name__}"]
            if not wrong:
                return
            log.info("topics changed by another process while declaring them (%s); again", ", ".join(wrong))
            time.sleep(0.2 * attempt)
        raise BrokerError(f"topics still not as declared after {ATTEMPTS} attempts: {', '.join(wrong)}")
    finally:
        admin.close()


ATTEMPTS = 5


def _declare(
    admin: KafkaAdminClient, settings: Settings, names: list[str], exact: list[str], compact: set[str]
) -> None:
    """One pass of `ensure_topics`."""
    existing = set(admin.list_topics())
    for topic in sorted(set(exact) & existing):
        found = partition_count(admin, topic)
        if found == settings.partitions:
            continue
        if holds_records(admin, topic, found):
            raise ConfigError(f"topic {topic} has {found} partitions but GEOPULSE_PARTITIONS={settings.partitions}")
        # Empty: a broker that auto-creates topics made it with its default partitions when a client
        # asked for it before the worker declared it (e.g. a broker that came back without its data).
        log.warning("topic %s had %d partitions and no records: recreated with %d",
                    topic, found, settings.partitions)  # fmt: skip
        delete_topic(admin, topic, settings.partitions)
        existing.discard(topic)
    new = [
        NewTopic(n, settings.partitions, settings.replication_factor, topic_configs=COMPACT if n in compact else {})
        for n in names
        if n not in existing
    ]
    if new:
        with contextlib.suppress(TopicAlreadyExistsError):  # another process created it meanwhile
            admin.create_topics(new)
    make_compacted(admin, sorted(compact & existing))


def _not_as_declared(admin: KafkaAdminClient, settings: Settings, names: list[str], exact: list[str]) -> list[str]:
    """Which declared topics are missing or (for `exact`) have another partition count, as the broker says now."""
    existing = set(admin.list_topics())
    missing = [name for name in names if name not in existing]
    sized = [name for name in exact if name in existing and partition_count(admin, name) != settings.partitions]
    return [f"{name} missing" for name in missing] + [f"{name} partitions" for name in sized]


def partition_count(admin: KafkaAdminClient, topic: str) -> int:
    """How many partitions the broker reports for `topic` (UnknownTopicOrPartitionError when it has none)."""
    (described,) = admin.describe_topics([topic])
    if described.get("error_code"):
        raise UnknownTopicOrPartitionError(topic)
    return len(described["partitions"])


COMPACT = {"cleanup.policy": "compact"}
DELETE_SECONDS = 30.0  # a broker deletes a topic in the background; creating it again waits for that


def holds_records(admin: KafkaAdminClient, topic: str, partitions: int) -> bool:
    """Whether any partition of `topic` was ever written (its latest offset is past 0)."""
    latest = admin.list_partition_offsets({TopicPartition(topic, p): OffsetSpec.LATEST for p in range(partitions)})
    return any(found.offset > 0 for found in latest.values())


def delete_topic(admin: KafkaAdminClient, topic: str, partitions: int) -> None:
    """Delete `topic` and wait until the broker no longer lists it, or lists it again with `partitions`
    (another worker made it anew meanwhile); BrokerError when neither comes in DELETE_SECONDS."""
    with contextlib.suppress(UnknownTopicOrPartitionError):  # another worker deleted it first
        admin.delete_topics([topic])
    deadline = time.monotonic() + DELETE_SECONDS
    while topic in admin.list_topics():
        with contextlib.suppress(UnknownTopicOrPartitionError):
            if partition_count(admin, topic) == partitions:
                return
        if time.monotonic() > deadline:
            raise BrokerError(f"topic {topic} was deleted but is still listed after {DELETE_SECONDS:.0f}s")
        time.sleep(0.2)


def series_table(settings: Settings) -> str:
    """The name of the count agent's table (its state, per digests partition)."""
    return f"{settings.app_id}-series"


def changelog_topic(settings: Settings) -> str:
    """The count table's changelog topic, named as faust names it (app id, table name)."""
    return f"{settings.app_id}-{series_table(settings)}-changelog"


def ensure_worker_topics(settings: Settings) -> None:
    """Every topic of the worker: `geopulse.digests` and the table's changelog with exactly the configured
    partitions (the table is co-partitioned with the digests), the changelog and `webhooks.retry`
    compacted (only the last state of each key matters).

    Declared up front: a broker that auto-creates topics on first metadata request would otherwise
    create them with its default partition count and configs; one made so and still empty is made again.
    """
    names, changelog = settings.topics, changelog_topic(settings)
    ensure_topics(settings, [*names.model_dump().values(), changelog], exact=[names.digests, changelog],
                  compacted=[names.webhooks_retry, changelog])  # fmt: skip


def topic_configs(admin: KafkaAdminClient, topic: str) -> dict[str, str]:
    """Every config the broker reports for `topic` (tansu 0.6 reports only those set at creation)."""
    found = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, None)], config_filter="all")
    entries = found.get("topic", {}).get(topic, {})
    return {key: str(entry.get("value")) for key, entry in entries.items()}


def make_compacted(admin: KafkaAdminClient, topics: Iterable[str]) -> None:
    """Set cleanup.policy=compact on existing `topics` that lack it; a broker that refuses gets a warning."""
    for topic in topics:
        try:
            if topic_configs(admin, topic).get("cleanup.policy") == "compact":
                continue
            admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, COMPACT)], raise_on_unknown=False)
            log.warning("topic %s: cleanup.policy set to compact (it was created without it)", topic)
        except (KafkaError, ValueError) as exc:
            log.warning("topic %s should be compacted (cleanup.policy=compact); not changed: %r", topic, exc)


def missing_topics(settings: Settings, names: Iterable[str]) -> list[str]:
    """Which of `names` the broker does not have (a metadata request for all topics creates none)."""
    admin = connect(settings, KafkaAdminClient)
    try:
        existing = set(admin.list_topics())
    finally:
        admin.close()
    return [name for name in names if name not in existing]


def consume(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = True,
    idle_timeout: float | None = None,
    stop: threading.Event | None = None,
) -> Iterator[tuple[bytes | None, bytes, int, int]]:
    """Yield (key, value, partition, offset) of every partition of `topic`, without a consumer group.

    Stops after `idle_timeout` seconds without a message (never when None), or when `stop` is set.
    """
    consumer = connect(settings, KafkaConsumer, enable_auto_commit=False, group_id=None)
    try:
        partitions = _wait_partitions(consumer, topic)
        consumer.assign(partitions)
        if from_beginning:
            consumer.seek_to_beginning()
        else:
            consumer.seek_to_end()
        idle_since = time.monotonic()
        while stop is None or not stop.is_set():
            batch = consumer.poll(timeout_ms=200)
            for records in batch.values():
                for r in records:
                    yield r.key, r.value, r.partition, r.offset
            if batch:
                idle_since = time.monotonic()
            elif idle_timeout is not None and time.monotonic() - idle_since > idle_timeout:
                return
    finally:
        consumer.close()


TP = TypeVar("TP", bound=tuple[str, int])


def end_offsets(settings: Settings, partitions: Iterable[TP], timeout: float = 30.0) -> dict[TP, int]:
    """The end offset (offset of the next record to be written) of each (topic, partition).

    Read off a fetch response's high watermark, not ListOffsets(latest) alone: tansu 0.6.0 answers
    that with the offset after the *first* record of a partition's last batch, so a reader that
    stops there (faust's table recovery, for one) misses the rest of that batch.
    """
    wanted = {TopicPartition(topic, partition): key for key in partitions for topic, partition in [key]}
    if not wanted:
        return {}
    consumer = KafkaConsumer(**kafka_python_options(settings), enable_auto_commit=False, group_id=None,
                             fetch_max_wait_ms=50)  # fmt: skip
    try:
        consumer.assign(list(wanted))
        listed: dict[TopicPartition, int] = consumer.end_offsets(list(wanted))
        for tp, offset in listed.items():
            consumer.seek(tp, offset)  # fetch at the listed end: the response is small
        deadline = time.monotonic() + timeout
        while any(consumer.highwater(tp) is None for tp in wanted):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no fetch response for {sorted(wanted)} in {timeout}s")
            consumer.poll(timeout_ms=100)
        return {key: max(listed[tp], consumer.highwater(tp) or 0) for tp, key in wanted.items()}
    finally:
        consumer.close()


def _wait_partitions(consumer: KafkaConsumer, topic: str, timeout: float = 30.0) -> list[TopicPartition]:
    deadline = time.monotonic() + timeout
    while True:
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return [TopicPartition(topic, p) for p in sorted(parts)]
        if time.monotonic() > deadline:
            raise TimeoutError(f"topic {topic!r} does not exist")
        time.sleep(0.2)
        consumer.topics()


def read_to_end(settings: Settings, topic: str, timeout: float = 30.0) -> list[tuple[bytes | None, bytes | None]]:
    """Every (key, value) of `topic` from the beginning up to its end offsets now, in partition order."""
    consumer = KafkaConsumer(**kafka_python_options(settings), enable_auto_commit=False, group_id=None)
    try:
        partitions = _wait_partitions(consumer, topic)
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        records: list[tuple[bytes | None, bytes | None]] = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end in {timeout}s")
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend((r.key, r.value) for r in batch)
        # tansu 0.6.0 can report an end offset below the real one (when a partition's last batch holds
        # several records), so read on until a poll brings nothing: records are never missed.
        while time.monotonic() < deadline and (batches := consumer.poll(timeout_ms=200)):
            for batch in batches.values():
                records.extend((r.key, r.value) for r in batch)
        return records
    finally:
        consumer.close()
