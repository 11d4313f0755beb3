"""Topics as the worker creates them, checked where the broker reports topic configs.

tansu 0.6 answers DescribeConfigs with the configs a topic was created with (and nothing for a
plain topic); Apache Kafka (docker-compose's, via GEOPULSE_TEST_BOOTSTRAP) reports every config.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from streams.errors import ConfigError
from streams.settings import Settings, TopicNames
from streams.worker.clients import changelog_topic, ensure_topics, ensure_worker_topics, produce, topic_configs
from streams.worker.kafka import kafka_python_options

pytestmark = pytest.mark.integration


def fresh_settings(bootstrap: str) -> Settings:
    """Settings whose topic names are new on this broker."""
    tag = uuid.uuid4().hex[:8]
    names = {field: f"{tag}.{value}" for field, value in TopicNames().model_dump().items()}
    return Settings(kafka_bootstrap=bootstrap, app_id=f"topics-{tag}", topics=TopicNames(**names), partitions=2)


def configs(settings: Settings, topic: str) -> dict[str, str]:
    admin = KafkaAdminClient(**kafka_python_options(settings))
    try:
        return topic_configs(admin, topic)
    finally:
        admin.close()


def test_the_retry_topic_is_created_compacted_and_the_input_topics_are_not(bootstrap: str) -> None:
    settings = fresh_settings(bootstrap)
    ensure_worker_topics(settings)
    names = settings.topics
    assert configs(settings, names.webhooks_retry).get("cleanup.policy") == "compact"
    for topic in (names.articles, names.digests, names.alerts, names.webhooks_dlq):
        assert configs(settings, topic).get("cleanup.policy", "delete") == "delete", topic


def test_a_retry_topic_created_without_compaction_is_switched_or_reported(
    bootstrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = fresh_settings(bootstrap)
    admin = KafkaAdminClient(**kafka_python_options(settings))
    try:
        admin.create_topics([NewTopic(settings.topics.webhooks_retry, 2, 1)])
    finally:
        admin.close()
    ensure_worker_topics(settings)
    policy = configs(settings, settings.topics.webhooks_retry).get("cleanup.policy")
    warned = [r.getMessage() for r in caplog.records if settings.topics.webhooks_retry in r.getMessage()]
    print(f"pre-existing retry topic: cleanup.policy={policy}; {warned}")
    # Either the broker took the change (Apache Kafka) or the operator is told, never silence.
    assert policy == "compact" or any("should be compacted" in w for w in warned)
    assert warned, "a change of a topic's cleanup policy is logged"


def test_ensure_topics_leaves_topics_plain_unless_asked(bootstrap: str) -> None:
    settings = fresh_settings(bootstrap)
    ensure_topics(settings, [settings.topics.counts], compacted=[settings.topics.alerts])
    assert configs(settings, settings.topics.counts).get("cleanup.policy", "delete") == "delete"


def partitions(settings: Settings, topic: str) -> int:
    admin = KafkaAdminClient(**kafka_python_options(settings))
    try:
        return len(admin.describe_topics([topic])[0]["partitions"])
    finally:
        admin.close()


def test_the_table_changelog_is_declared_with_the_digests_partitions_and_compacted(bootstrap: str) -> None:
    settings = fresh_settings(bootstrap)
    ensure_worker_topics(settings)
    changelog = changelog_topic(settings)
    assert partitions(settings, changelog) == partitions(settings, settings.topics.digests) == settings.partitions
    assert configs(settings, changelog).get("cleanup.policy") == "compact"


@pytest.mark.parametrize("topic", ["changelog", "digests"])
def test_an_empty_co_partitioned_topic_with_the_brokers_default_partitions_is_made_again(
    bootstrap: str, topic: str, caplog: pytest.LogCaptureFixture
) -> None:
    """As a broker that came back empty auto-creates a topic a client asks for (its default count):
    before, faust's table then stopped every restart (PartitionsMismatch), a crash loop."""
    settings = fresh_settings(bootstrap)
    name = changelog_topic(settings) if topic == "changelog" else settings.topics.digests
    admin = KafkaAdminClient(**kafka_python_options(settings))
    try:
        admin.create_topics([NewTopic(name, 4, 1)])
    finally:
        admin.close()
    ensure_worker_topics(settings)
    assert partitions(settings, name) == settings.partitions
    assert any(name in r.getMessage() and "recreated with 2" in r.getMessage() for r in caplog.records)


def test_a_co_partitioned_topic_holding_records_with_other_partitions_is_an_error(bootstrap: str) -> None:
    settings = fresh_settings(bootstrap)
    changelog = changelog_topic(settings)
    admin = KafkaAdminClient(**kafka_python_options(settings))
    try:
        admin.create_topics([NewTopic(changelog, 4, 1)])
    finally:
        admin.close()
    produce(settings, changelog, [(b"k", b"state")])
    with pytest.raises(ConfigError, match=f"topic {changelog} has 4 partitions but GEOPULSE_PARTITIONS=2"):
        ensure_worker_topics(settings)
    assert partitions(settings, changelog) == 4  # what holds state is never deleted


def test_workers_starting_together_agree_on_a_topic_made_again(bootstrap: str) -> None:
    """Replicas of the worker started at once all find the same empty wrong-sized topics; each must
    come up (none stopped by another's delete or create) and the topics end with the right count."""
    settings = fresh_settings(bootstrap)
    names = [changelog_topic(settings), settings.topics.digests]
    admin = KafkaAdminClient(**kafka_python_options(settings))
    try:
        admin.create_topics([NewTopic(name, 4, 1) for name in names])
    finally:
        admin.close()
    start = threading.Barrier(3)
    failures: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            ensure_worker_topics(settings)
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert [partitions(settings, name) for name in names] == [settings.partitions] * 2
