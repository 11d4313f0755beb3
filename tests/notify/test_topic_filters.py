"""Topic filters follow the incident, delivered to real aiohttp receivers on 127.0.0.1.

An incident's `topic` is its headline (renamed once from `all` to the first named topic to join it)
and `topics` every topic it has had. A receiver that filters on a topic gets every step of an
incident from the first step that names that topic among its `topics`, through its resolve: a
rename neither hides the incident from a receiver of the old headline nor from one of a topic
that was there all along. Before, the filter read the headline only: a receiver of `all` stopped at
the rename, and a receiver of `unrest` saw nothing of the sample's KAZ incidents (their headlines are
PROTEST and crisis) although both list unrest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
import pytest_asyncio

from schemas.alert import Alert
from streams.demo.sample import sample_articles
from streams.notify.notifier import Notifier
from streams.notify.transport import AiohttpTransport
from tests.notify.receivers import CompactedJournal, Receiver, endpoint, make_alert
from tests.reliability.support import replayed

pytestmark = pytest.mark.timeout(60)


@pytest_asyncio.fixture
async def transport() -> AsyncIterator[AiohttpTransport]:
    async with AiohttpTransport() as t:
        yield t


async def delivered(transport: AiohttpTransport, steps: list[Alert], topics: list[str]) -> dict[str, list[str]]:
    """The delivery ids each receiver got, one receiver filtering on each of `topics`."""
    async with AsyncExitStack() as stack:
        receivers = {t: await stack.enter_async_context(Receiver()) for t in topics}
        endpoints = [endpoint(f"rx-{t}", rx.url, filters={"topics": [t]}) for t, rx in receivers.items()]
        notifier = Notifier(endpoints, transport, journal=CompactedJournal())
        await notifier.start()
        for step in steps:
            await notifier.submit(step)
            await notifier.wait_idle()  # one step at a time, as one alerts partition gives them
        await notifier.close()
    assert all(r.ours_ok for rx in receivers.values() for r in rx.requests)
    return {t: rx.ids for t, rx in receivers.items()}


def from_first_naming(steps: list[Alert], topic: str) -> list[str]:
    """Delivery ids of `steps` from the first whose incident topics include `topic`, in order."""
    first = next((n for n, s in enumerate(steps) if topic in [s.topic, *s.topics]), len(steps))
    return [s.delivery_id for s in steps[first:]]


@pytest.mark.asyncio
async def test_an_incident_renamed_from_all_reaches_receivers_of_the_old_and_the_new_topic(
    transport: AiohttpTransport,
) -> None:
    incident = ["unrest", "PROTEST", "all"]
    steps = [
        make_alert(1, status="open", revision=0, topic="all", topics=["all"], severity="low"),
        make_alert(1, status="update", revision=1, topic="unrest", topics=["unrest", "all"], severity="low"),
        make_alert(1, status="update", revision=2, topic="unrest", topics=incident, severity="high"),
        make_alert(1, status="resolved", revision=3, topic="unrest", topics=incident, severity="high"),
    ]
    got = await delivered(transport, steps, ["all", "unrest", "PROTEST", "conflict"])
    ids = [s.delivery_id for s in steps]
    assert got["all"] == ids  # before: the open step only
    assert got["unrest"] == ids[1:]  # from the rename, through the resolve
    assert got["PROTEST"] == ids[2:]
    assert got["conflict"] == []


@pytest.mark.asyncio
async def test_every_step_of_the_sample_incidents_from_the_first_naming_a_topic(transport: AiohttpTransport) -> None:
    articles = sample_articles(short=True)
    _, steps = replayed([(a.id, a.to_json()) for a in articles])
    assert steps, "the sample's surge must raise an alert"
    topics = ["unrest", "PROTEST", "all", "conflict"]
    got = await delivered(transport, steps, topics)
    for topic in topics:
        assert got[topic] == from_first_naming(steps, topic), topic
    assert got["unrest"], "the sample's incidents list unrest (before: none was delivered)"
    assert {s.topic for s in steps}.isdisjoint({"unrest", "all"}), "the headlines must not be the filtered topics"
