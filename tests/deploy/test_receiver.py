"""The compose webhook receiver verifies Standard Webhooks signatures."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from tests.deploy.grafana import DEPLOY


def load_receiver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("receiver", DEPLOY / "receiver" / "receiver.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


receiver = load_receiver()
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
ID, TS, BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", b'{"test": 2432232314}'


def headers(signature: str, msg_id: str = ID, timestamp: str = TS) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": signature}


def test_signature_matches_the_standard_webhooks_published_example() -> None:
    assert receiver.signature(SECRET, ID, TS, BODY) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


GOOD = receiver.signature(SECRET, ID, TS, BODY)


@pytest.mark.parametrize(("hdrs", "body", "now", "problem"), [
    (headers(GOOD), BODY, int(TS), None),
    (headers(f"{receiver.signature(OTHER, ID, TS, BODY)} {GOOD}"), BODY, int(TS) + 10, None),  # secret rotation
    (headers(GOOD), BODY + b" ", int(TS), "no matching v1 signature"),
    (headers(GOOD, msg_id="msg_other"), BODY, int(TS), "no matching v1 signature"),
    (headers(receiver.signature(OTHER, ID, TS, BODY)), BODY, int(TS), "no matching v1 signature"),
    (headers(GOOD), BODY, int(TS) + 301, "timestamp outside the tolerance"),
    (headers(GOOD, timestamp=""), BODY, int(TS), "missing webhook-id or webhook-timestamp"),
])  # fmt: skip
def test_verify_accepts_only_authentic_fresh_deliveries(
    hdrs: dict[str, str], body: bytes, now: float, problem: str | None
) -> None:
    assert receiver.verify(SECRET, hdrs, body, now) == problem
