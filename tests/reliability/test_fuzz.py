"""Bad input on `articles`: every bad message is dead-lettered with its bytes and a reason, every
good one is processed, the worker never stops and its consumer group catches up.

A dead letter carries its original as base64 (4/3 the size); when that would not fit in one Kafka
message, the worker cuts it and records the original's size and SHA-256 in `context`.

What "a 10 MB body" means on Kafka: the message never reaches geopulse. kafka-python refuses it
before sending (MessageSizeTooLargeError, over max_request_size), and a producer allowed to send it
gets the broker's refusal. So the worker's edge is tested with what can arrive: messages over its
own 1,000,000-byte limit (too_large) and bodies over the Article's 500,000-character limit
(invalid_article), both under Kafka's ~1 MB message limit.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from hashlib import sha256

import orjson
import pytest
from kafka.errors import KafkaError

from schemas import DeadLetter, TaggedArticle
from streams.core.ingest import REASONS
from streams.worker.clients import producer
from tests.integration.workers import WorkerProcess
from tests.reliability.badinput import KIND, bad_messages, binary_key, good_article, odd_but_valid
from tests.reliability.support import drained, settings_for, values, wait_for

pytestmark = pytest.mark.integration

Triple = tuple[bytes | None, bytes, str]


def expected_letter(key: bytes | None, value: bytes, what: str) -> Triple:
    return key, value, KIND.get(what, "invalid_article")


@pytest.mark.parametrize(
    "bad_count", [pytest.param(1_000, id="1k"), pytest.param(10_000, id="10k", marks=pytest.mark.slow)]
)
def test_bad_messages_are_dead_lettered_and_good_ones_processed(
    start_worker: Callable[..., WorkerProcess], bootstrap: str, bad_count: int
) -> None:
    app_id = f"fuzz{bad_count}"
    settings = settings_for(bootstrap, app_id)
    worker = start_worker(app_id)
    rng = random.Random(bad_count)
    bad = bad_messages(bad_count, seed=bad_count)
    good = [good_article(n, rng) for n in range(bad_count // 5)] + [odd_but_valid(n, rng) for n in range(25)]
    tombstones = [(b"tomb\xff%d" % n, None) for n in range(5)]  # a null value: dead-lettered as empty bytes
    messages: list[tuple[bytes | None, bytes | None]] = [(k, v) for k, v, _ in bad] + tombstones
    keys = [binary_key(rng) if n % 7 == 0 else str(a["id"]).encode() for n, a in enumerate(good)]
    messages += [(key, orjson.dumps(a)) for key, a in zip(keys, good, strict=True)]
    rng.shuffle(messages)
    sender = producer(settings)
    try:
        for key, value in messages:
            sender.send(settings.topics.articles, key=key, value=value)
        sender.flush()
    finally:
        sender.close()

    dlq = settings.topics.articles_dlq
    wanted = len(bad) + len(tombstones)
    took = wait_for(lambda: len(values(settings, dlq)) >= wanted, 240, f"{wanted} dead letters")
    wait_for(drained(settings), 120, "the worker group drains articles")
    print(f"{len(messages)} messages ({len(bad)} bad, {len(tombstones)} null, {len(good)} good): "
          f"dead-lettered in {took:.1f}s")  # fmt: skip

    letters = [DeadLetter.model_validate_json(v) for v in values(settings, dlq)]
    got = Counter((_key(d), original_digest(d), d.error_kind) for d in letters)
    want = Counter((k, sha256(v).hexdigest(), kind) for k, v, kind in map(expected_letter, *zip(*bad, strict=True)))
    want += Counter((k, sha256(b"").hexdigest(), "invalid_json") for k, _ in tombstones)
    assert got == want
    originals = {sha256(v).hexdigest(): v for _, v, _ in bad}
    cut = [d for d in letters if "truncated_from" in d.context]
    assert all(originals[d.context["sha256"]].startswith(d.original_bytes()) for d in cut)
    print(f"{len(cut)} dead letters carry a cut original (whole message over one Kafka message as base64)")
    assert all(d.error and d.error_kind in REASONS and d.topic == settings.topics.articles and d.offset is not None
               for d in letters)  # fmt: skip
    tagged = {TaggedArticle.model_validate_json(v).id for v in values(settings, settings.topics.events)}
    assert tagged == {str(a["id"]) for a in good}
    assert worker.proc is not None and worker.proc.poll() is None
    assert worker.get("/health")[0] == 200 and worker.get("/ready")[0] == 200
    assert "crashed" not in worker.log_path.read_text(errors="replace").lower()


def original_digest(letter: DeadLetter) -> str:
    """SHA-256 of the original message: of the bytes carried, or the one recorded when they were cut."""
    return letter.context.get("sha256") or sha256(letter.original_bytes()).hexdigest()


def _key(letter: DeadLetter) -> bytes | None:
    import base64

    return None if letter.original_key is None else base64.b64decode(letter.original_key)


def test_a_10_mb_message_is_refused_by_kafka_or_dead_lettered(
    start_worker: Callable[..., WorkerProcess], bootstrap: str
) -> None:
    settings = settings_for(bootstrap, "huge")
    worker = start_worker("huge")
    body = orjson.dumps({**good_article(0, random.Random(0)), "body": "z" * 10_000_000})
    client_side = producer(settings)
    try:
        with pytest.raises(KafkaError):  # over max_request_size: refused before it is sent
            client_side.send(settings.topics.articles, value=body).get(timeout=30)
    finally:
        client_side.close()
    permissive = producer(settings, max_request_size=11_000_000)
    try:
        permissive.send(settings.topics.articles, key=b"huge", value=body).get(timeout=30)
    except KafkaError as exc:  # Apache Kafka: over message.max.bytes
        print(f"the broker refused a 10 MB message: {exc!r}")
        return
    finally:
        permissive.close()
    # tansu 0.6.0 has no message limit: the worker must take it and dead-letter it, cut to fit.
    wait_for(lambda: bool(values(settings, settings.topics.articles_dlq)), 60, "the 10 MB message's dead letter")
    [letter] = [DeadLetter.model_validate_json(v) for v in values(settings, settings.topics.articles_dlq)]
    assert letter.error_kind == "too_large" and letter.context["sha256"] == sha256(body).hexdigest()
    assert letter.context["truncated_from"] == str(len(body)) and body.startswith(letter.original_bytes())
    assert worker.get("/ready")[0] == 200
