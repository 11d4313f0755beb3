"""Standard Webhooks signing, checked against the `standardwebhooks` reference implementation."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest
import standardwebhooks

from streams.errors import SignatureError
from streams.notify.signing import decode_secret, sign, signature_headers, verify
from tests.notify.receivers import OLD_SECRET, SECRET

BODY = b'{"alert_id":"KAZ|unrest|0","status":"open"}'
NOW = 1_700_000_000


def test_our_signature_verifies_with_the_reference_library() -> None:
    now = int(time.time())  # the reference checks timestamps against the wall clock
    headers = signature_headers("KAZ|unrest|0.0", now, BODY, [SECRET])
    assert standardwebhooks.Webhook(SECRET).verify(BODY, headers, json_parse=False) is None


def test_reference_signature_verifies_with_ours() -> None:
    signed = standardwebhooks.Webhook(SECRET).sign("msg_1", datetime.fromtimestamp(NOW, UTC), BODY.decode())
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(NOW), "webhook-signature": signed}
    verify(BODY, headers, SECRET, now=NOW)


def test_same_signature_as_reference_byte_for_byte() -> None:
    reference = standardwebhooks.Webhook(SECRET).sign("id", datetime.fromtimestamp(NOW, UTC), BODY.decode())
    assert sign("id", NOW, BODY, [SECRET]) == reference


def test_rotation_signs_with_every_secret_and_either_verifies() -> None:
    header = sign("id", NOW, BODY, [OLD_SECRET, SECRET])
    assert len(header.split(" ")) == 2
    headers = {"webhook-id": "id", "webhook-timestamp": str(NOW), "webhook-signature": header}
    verify(BODY, headers, OLD_SECRET, now=NOW)
    verify(BODY, headers, SECRET, now=NOW)
    verify(BODY, headers, ["whsec_" + base64.b64encode(b"unrelated-key").decode(), SECRET], now=NOW)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"body": b'{"tampered":true}'}, "no signature matches"),
        ({"webhook-id": "other"}, "no signature matches"),
        ({"webhook-timestamp": str(NOW + 1)}, "no signature matches"),
        ({"secret": OLD_SECRET}, "no signature matches"),
        ({"now": NOW + 301}, "more than 300s"),
        ({"now": NOW - 301}, "more than 300s"),
        ({"webhook-timestamp": "soon"}, "not unix seconds"),
        ({"webhook-signature": ""}, "missing header(s): webhook-signature"),
        ({"webhook-id": "", "webhook-timestamp": ""}, "missing header(s): webhook-id, webhook-timestamp"),
        ({"webhook-signature": "v2,abc"}, "no signature matches"),
    ],
)
def test_verify_refuses_with_a_clear_reason(change: dict[str, object], message: str) -> None:
    headers = signature_headers("id", NOW, BODY, [SECRET])
    headers |= {k: str(v) for k, v in change.items() if k.startswith("webhook-")}
    body = change.get("body", BODY)
    assert isinstance(body, bytes)
    with pytest.raises(SignatureError, match=message.replace("(", r"\(").replace(")", r"\)")):
        verify(body, headers, str(change.get("secret", SECRET)), now=float(str(change.get("now", NOW))))


def test_header_names_are_case_insensitive() -> None:
    headers = {k.title(): v for k, v in signature_headers("id", NOW, BODY, [SECRET]).items()}
    verify(BODY, headers, SECRET, now=NOW)


def test_tolerance_is_a_parameter() -> None:
    headers = signature_headers("id", NOW, BODY, [SECRET])
    verify(BODY, headers, SECRET, now=NOW + 3_000, tolerance=3_600)


@pytest.mark.parametrize(
    ("secret", "ok"),
    [
        (SECRET, True),
        (SECRET.removeprefix("whsec_"), True),  # the prefix is optional when decoding
        (SECRET.rstrip("="), True),  # unpadded base64 is accepted, like the reference
        ("whsec_", False),
        ("whsec_not base64!", False),
    ],
)
def test_decode_secret(secret: str, ok: bool) -> None:
    if ok:
        assert decode_secret(secret) == b"geopulse-test-secret-0123456789"
    else:
        with pytest.raises(ValueError, match="secret"):
            decode_secret(secret)


def test_sign_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secrets"):
        sign("id", NOW, BODY, [])
