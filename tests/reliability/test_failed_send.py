"""A send refused by the broker: the worker stops, and after a restart its counts and alerts equal
`geopulse replay`'s.

The broker (through tests/reliability/faultproxy.py) refuses, from the surge on, every record sent to
some of the worker's topics, as a broker refuses a record it will not take: a real produce response
carrying an error, which fails the send's ack. The worker must stop at once, without a commit past
what it could not send; the test then lifts the refusal and restarts it, as a supervisor would, and
the restarted worker reads those records again over the state its changelog kept. Before:
- counts and alerts refused: faust restarted the count agent in-process, which never counted again
  while /ready said ready (and a SIGTERM then waited out its grace for the batch's acks);
- digests refused: the ingest agent logged the failure, and the articles were committed past, lost
  from the counts;
- the table changelog refused: faust logged it, and a restart recovered the state without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.demo.sample import plan, sample_articles
from streams.worker.clients import changelog_topic, ensure_topics
from tests.integration.test_offline_equals_online import alert_facts
from tests.integration.workers import WorkerProcess, worker_env
from tests.reliability.faultproxy import broker_behind_proxy
from tests.reliability.support import (
    count_diff,
    drained,
    produce_paced,
    replayed,
    settings_for,
    streamed_alerts,
    streamed_counts,
    wait_for,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "refused",
    [
        pytest.param(("counts", "alerts"), id="count-agent-outputs"),  # acks awaited by the count agent
        pytest.param(("digests",), id="ingest-agent-digests"),  # acks not awaited: the commit flushes them
        pytest.param(("changelog",), id="table-changelog"),  # the count state, sent by faust's table
    ],
)
def test_counts_and_alerts_after_a_refused_send_equal_a_replay(tmp_path: Path, refused: tuple[str, ...]) -> None:
    articles = sample_articles(short=True)
    surge = plan(short=True).surge_start
    first_of_surge = next(n for n, a in enumerate(articles) if a.published_at >= surge)
    with broker_behind_proxy(tmp_path) as proxy:
        bootstrap = f"127.0.0.1:{proxy.port}"
        settings = settings_for(bootstrap, "resend")
        ensure_topics(settings.model_copy(update={"partitions": 1}), [settings.topics.articles])
        worker = WorkerProcess(worker_env(bootstrap, "resend", tmp_path / "data"), log_dir=tmp_path)
        outputs = frozenset(changelog_topic(settings) if name == "changelog" else getattr(settings.topics, name)
                            for name in refused)  # fmt: skip

        exits: list[int | None] = []

        def between(sent: int) -> None:
            if sent == first_of_surge:
                proxy.reject = outputs
                wait_for(lambda: proxy.refusals > 0, 30, "the broker refuses a send")
                proc = worker.proc
                assert proc is not None
                wait_for(lambda: proc.poll() is not None, 30, "the worker stops after a refused send")
                exits.append(proc.returncode)
                proxy.reject = frozenset()
                worker.start()  # what a supervisor does

        try:
            worker.start()
            produce_paced(settings, articles, 20.0, between)
            took = wait_for(drained(settings), 90, "worker drains articles and digests")
            online, alerts = streamed_counts(settings), streamed_alerts(settings)
            log = worker.log_path.read_text(errors="replace")
        finally:
            worker.stop()
    print(f"{proxy.refusals} partition sends refused; drained {took:.1f}s after the last article")
    assert exits == [2], log[-4000:]
    assert "stopping without a commit; a restart reads it again" in log

    offline, offline_alerts = replayed([(a.id, a.to_json()) for a in articles])
    diff = count_diff(online, offline)
    assert diff == [], "\n".join(diff) + "\n" + log[-4000:]
    assert offline_alerts, "the sample's surge must raise an alert"
    # A step sent before the refusal is sent again after the restart (at least once): the same step twice.
    steps = sorted(set(map(alert_facts, alerts)))
    print(f"{len(alerts)} alert steps streamed, {len(steps)} distinct; {len(offline_alerts)} from the replay")
    assert steps == sorted(map(alert_facts, offline_alerts)), log[-4000:]
