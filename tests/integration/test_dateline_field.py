"""Articles whose dateline is a field of its own: the worker and `geopulse replay` read it alike.

The bodies name no country; only the `dateline` field ("ALMATY, Jan 5 (Reuters) -") says where each
story happened. Before, the worker ignored the field (an unknown field to the contract) while the
offline reader put it in front of the body, so the two tagged and counted different countries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from schemas import TaggedArticle
from streams.offline import tagged_in_file_order
from streams.worker.clients import ensure_topics, produce
from tests.integration.workers import WorkerProcess
from tests.reliability.support import (
    count_diff,
    drained,
    replayed,
    settings_for,
    streamed_alerts,
    streamed_counts,
    values,
    wait_for,
)

pytestmark = pytest.mark.integration

DATELINES = {"KAZ": "ALMATY", "PER": "LIMA", "VNM": "HANOI", "KEN": "NAIROBI"}
BODIES = [
    "Police detained dozens of protesters after a rally in the main square on Monday, witnesses said.",
    "The central bank kept its main interest rate unchanged, citing slowing inflation.",
    "Thousands marched through the capital demanding the release of jailed opposition leaders.",
]


def wire_articles(start: datetime = datetime(2022, 1, 5, 6, tzinfo=UTC)) -> list[bytes]:
    """Stories from four cities over six hours, each with its dateline apart from its body."""
    out = []
    for n in range(36):
        city = list(DATELINES.values())[n % 4]
        when = start + timedelta(minutes=10 * n)
        out.append(orjson.dumps({
            "id": f"dl-{n}", "source": f"wire{n % 3}", "title": "Latest from the region",
            "dateline": f"{city}, {when:%b} {when.day} (Reuters) -", "body": BODIES[n % 3],
            "published_at": when.isoformat(),
        }))  # fmt: skip
    return out


def test_worker_and_replay_read_a_separate_dateline_alike(
    start_worker: Callable[..., WorkerProcess], bootstrap: str
) -> None:
    app_id = "dateline"
    raw = wire_articles()
    settings = settings_for(bootstrap, app_id)
    ensure_topics(settings.model_copy(update={"partitions": 1}), [settings.topics.articles])
    start_worker(app_id)
    produce(settings, settings.topics.articles, [(orjson.loads(r)["id"].encode(), r) for r in raw])
    wait_for(lambda: len(values(settings, settings.topics.events)) >= len(raw), 60, "every article tagged")
    wait_for(drained(settings), 60, "worker drains articles and digests")
    online_tags = {t.id: t for t in map(TaggedArticle.model_validate_json, values(settings, settings.topics.events))}
    online_counts, online_alerts = streamed_counts(settings), streamed_alerts(settings)

    messages = [(f"line {n}", r) for n, r in enumerate(raw, 1)]
    errors: list[str] = []
    offline_tags = dict(tagged_in_file_order(messages, lambda w, e: errors.append(w)))
    offline_counts, offline_alerts = replayed(messages)
    assert not errors
    # The dateline field is what placed each story: its city's country, on both sides.
    for n, r in enumerate(raw):
        country = next(code for code, city in DATELINES.items() if orjson.loads(r)["dateline"].startswith(city))
        assert [c.code for c in online_tags[f"dl-{n}"].countries] == [country]
    assert {t.id: t for t in offline_tags.values()} == online_tags
    assert {key[0].split("|")[0] for key in offline_counts} == set(DATELINES)
    diff = count_diff(online_counts, offline_counts)
    assert diff == [], "\n".join(diff)
    assert online_alerts == offline_alerts
