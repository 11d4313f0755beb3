"""An unexpected error inside an agent (not a refused send, not bad input) stops the worker with one line
and exit 2, without a commit past it; a restart, as a supervisor does, reads it again.
(tests/reliability/faultyworker.py is the real command with a tagger or notifier that fails on cue.)

The ingest agent: the tagger raises on one valid article of the surge (tests/reliability/faultyworker.py:
the real command with a tagger that fails on chosen ids). Before, faust restarted the agent
in-process over the same stream, where `take_events`' dead batch still held it: nothing was ingested
again while /ready said ready. Bad input around it keeps going to the dead-letter topic, original
bytes and reason, and never stops the worker. After the restart the final counts and the alert
steps equal `geopulse replay`'s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas import DeadLetter
from streams.demo.sample import plan, sample_articles
from streams.worker.clients import ensure_topics, producer
from tests.integration.test_offline_equals_online import alert_facts
from tests.integration.workers import WorkerProcess, worker_env
from tests.notify.receivers import make_alert
from tests.reliability.support import (
    count_diff,
    drained,
    produce_paced,
    records,
    replayed,
    settings_for,
    streamed_alerts,
    streamed_counts,
    values,
    wait_for,
)
from tests.reliability.test_webhooks import Receiver, receiver  # noqa: F401 (a fixture)

pytestmark = pytest.mark.integration

BAD_INPUT = {b"{not json": "invalid_json", b'"an article?"': "not_an_object", b"\xff\xfe": "invalid_utf8"}


def test_an_error_in_the_ingest_agent_stops_the_worker_and_a_restart_equals_a_replay(
    bootstrap: str, tmp_path: Path
) -> None:
    app_id = "agentfail"
    articles = sample_articles(short=True)
    surge = plan(short=True).surge_start
    failing = next(n for n, a in enumerate(articles) if a.published_at >= surge)
    trigger = tmp_path / "failing-ids"
    trigger.write_text(articles[failing].id)
    settings = settings_for(bootstrap, app_id)
    ensure_topics(settings.model_copy(update={"partitions": 1}), [settings.topics.articles])
    env = worker_env(bootstrap, app_id, tmp_path / "data") | {"FAULTY_TAGGER_IDS": str(trigger)}
    worker = WorkerProcess(env, log_dir=tmp_path, module="tests.reliability.faultyworker")
    exits: list[int | None] = []

    def between(sent: int) -> None:
        if sent == failing + 1:
            proc = worker.proc
            assert proc is not None
            wait_for(lambda: proc.poll() is not None, 30, "the worker stops after the tagger failed")
            exits.append(proc.returncode)
            worker.module = "streams"  # the supervisor restarts the real worker (the tagger mended)
            worker.start()

    try:
        worker.start()
        sender = producer(settings)
        for raw in BAD_INPUT:
            sender.send(settings.topics.articles, key=b"bad", value=raw)
        sender.flush()
        sender.close()
        produce_paced(settings, articles, 20.0, between)
        took = wait_for(drained(settings), 90, "worker drains articles and digests")
        online, alerts = streamed_counts(settings), streamed_alerts(settings)
        dead = [DeadLetter.model_validate_json(v) for v in values(settings, settings.topics.articles_dlq)]
        log = worker.log_path.read_text(errors="replace")
    finally:
        worker.stop()
    print(f"drained {took:.1f}s after the last article")
    assert exits == [2], log[-4000:]
    stops = [line for line in log.splitlines() if "stopping without a commit" in line]
    assert len(stops) == 1 and f"RuntimeError('the tagger failed on {articles[failing].id}')" in stops[0], stops
    assert "ingest batch of" in stops[0], stops
    assert "Traceback" not in log, log[-4000:]
    assert {(d.original_bytes(), d.error_kind) for d in dead} == set(BAD_INPUT.items())

    offline, offline_alerts = replayed([(a.id, a.to_json()) for a in articles])
    diff = count_diff(online, offline)
    assert diff == [], "\n".join(diff) + "\n" + log[-4000:]
    assert offline_alerts, "the sample's surge must raise an alert"
    steps = sorted(set(map(alert_facts, alerts)))  # a step sent before the stop may come again after it
    assert steps == sorted(map(alert_facts, offline_alerts)), log[-4000:]


def test_the_notify_agent_dead_letters_a_record_that_is_no_alert_and_stops_on_an_error(
    bootstrap: str,
    receiver: Receiver,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    """The notify agent: a record on `alerts` that is no Alert is bad input (dead-lettered to webhooks.dlq,
    the next alert delivered); the notifier failing on an alert stops the worker (faust's on_error), and
    the restarted worker delivers that alert. Before: the bad record crashed the agent and faust
    committed and restarted it in-process, the record lost without a dead letter."""
    app_id = "notifyfail"
    receiver.failures = 0
    trigger = tmp_path / "failing-countries"
    settings = settings_for(bootstrap, app_id)
    ensure_topics(settings.model_copy(update={"partitions": 1}), [settings.topics.articles])
    env = worker_env(bootstrap, app_id, tmp_path / "data", webhooks_config=str(receiver.config(tmp_path / "hooks.yml")),
                     webhook_rx_secret=receiver.secret) | {"FAULTY_NOTIFY_COUNTRIES": str(trigger)}  # fmt: skip
    worker = WorkerProcess(env, log_dir=tmp_path, module="tests.reliability.faultyworker")
    first, second = make_alert(1, country="KAZ"), make_alert(2, country="RUS")
    try:
        worker.start()
        sender = producer(settings)
        sender.send(settings.topics.alerts, key=b"KAZ", value=b"{not an alert")
        sender.send(settings.topics.alerts, key=b"KAZ", value=first.to_json())
        sender.flush()
        wait_for(lambda: first.delivery_id in receiver.accepted, 60, "the alert after the bad record delivered")
        assert worker.proc is not None and worker.proc.poll() is None, worker.log()

        trigger.write_text("RUS")
        sender.send(settings.topics.alerts, key=b"RUS", value=second.to_json())
        sender.flush()
        sender.close()
        proc = worker.proc
        wait_for(lambda: proc.poll() is not None, 30, "the worker stops after the notifier failed")
        code = proc.returncode
        trigger.unlink()  # the supervisor restarts it (the notifier mended)
        worker.start()
        wait_for(lambda: second.delivery_id in receiver.accepted, 60, "the failed alert delivered after the restart")
        letters = [DeadLetter.model_validate_json(v) for _, v, _, _ in records(settings, settings.topics.webhooks_dlq)
                   if v is not None]  # fmt: skip
        log = worker.log_path.read_text(errors="replace")
    finally:
        worker.stop()
    assert code == 2, log[-4000:]
    stops = [line for line in log.splitlines() if "stopping without a commit" in line]
    assert len(stops) == 1 and "agent notify" in stops[0] and second.delivery_id in stops[0], stops
    assert "Traceback" not in log, log[-4000:]
    # (twice if the restart came before a commit past it: at least once, as every record here)
    assert {(d.original_bytes(), d.stage, d.error_kind) for d in letters} == {
        (b"{not an alert", "notify", "invalid_alert")}  # fmt: skip
    assert set(receiver.accepted) == {first.delivery_id, second.delivery_id}
    assert receiver.bad_signatures == []
