"""What a worker checks of its surroundings every few seconds: the broker, its topics, the consumer lag."""

from __future__ import annotations

import asyncio
import logging

from aiokafka.errors import IllegalStateError
from kafka.errors import KafkaError

from streams.errors import BrokerError
from streams.settings import Settings
from streams.worker.clients import missing_topics
from streams.worker.state import Geopulse

log = logging.getLogger(__name__)

INTERVAL = 5.0  # seconds between two checks


async def observe_health(gp: Geopulse) -> None:
    """Broker up or down (a broker back without the worker's topics crashes it), and the consumer lag."""
    names = gp.settings.topics
    up = await broker_reachable(gp.settings)
    if up and not gp.state.broker_up:
        up = await topics_survived(gp)
    gp.state.broker_up = up
    gp.metrics.broker(gp.state.broker_up)
    gp.log_summary.flush()
    await observe_consumer_lag(gp, {names.articles, names.digests, names.alerts})


async def broker_reachable(settings: Settings, timeout: float = 2.0) -> bool:
    """True when a TCP connection to any bootstrap broker opens (the consumer retries on its own)."""
    for address in (settings.kafka_bootstrap or "").split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
        except (OSError, ValueError, TimeoutError):
            continue
        writer.close()
        return True
    return False


async def topics_survived(gp: Geopulse) -> bool:
    """After an outage: False while the check fails; a broker back without the worker's topics crashes it.

    Such a broker (memory storage, a wiped cluster) also lost the committed offsets and the table
    changelog; the consumer would retry its commits forever. Stopping with the reason is clearer, and
    a restart recreates the topics (`geopulse worker` ensures them on start).
    """
    try:
        missing = await asyncio.to_thread(missing_topics, gp.settings, gp.settings.topics.model_dump().values())
    except KafkaError as exc:
        log.warning("broker reachable but not answering yet: %r", exc)
        return False
    if missing:
        reason = f"the broker came back without topics {', '.join(sorted(missing))}: its data was lost; stopping"
        gp.state.stopping = True  # /ready says 503 from now until the process is gone
        log.error(reason)
        await gp.app.crash(BrokerError(reason))
        return False
    return True


async def observe_consumer_lag(gp: Geopulse, topics: set[str]) -> None:
    """Messages behind the high watermark per assigned partition of the agents' source topics.

    (Table changelogs are assigned to the consumer too, but only read during recovery.)
    """
    consumer = gp.app.consumer
    lags = []
    for tp in consumer.assignment():
        if tp.topic not in topics:
            continue
        try:
            highwater = consumer.highwater(tp)
            position = await consumer.position(tp)
        except (IllegalStateError, AssertionError):
            # revoked while we asked (a rebalance: another worker killed or joining); raised out of a
            # timer it crashed the whole worker (seen in the kill -9 watermark test)
            continue
        if highwater is not None and position is not None:
            lags.append((tp.topic, tp.partition, max(0, highwater - position)))
    gp.metrics.lag(lags)
