"""Standard Webhooks signatures: sign what geopulse sends, verify what a receiver gets.

The signed content is ``f"{webhook-id}.{webhook-timestamp}.{body}"``; each signature is
``v1,<base64 HMAC-SHA256>`` keyed with the base64-decoded secret (after its ``whsec_`` prefix).
During a secret rotation the sender signs with every active secret and puts the signatures,
separated by spaces, in one ``webhook-signature`` header; a receiver accepts any that matches.

A receiver (any web framework; aiohttp shown) checks a delivery like this::

    from streams.notify.signing import verify
    from streams.errors import SignatureError

    async def receive(request):
        body = await request.read()
        try:
            verify(body, request.headers, os.environ["GEOPULSE_WEBHOOK_SECRET"])
        except SignatureError as exc:
            return web.Response(status=400, text=str(exc))
        alert = Alert.model_validate_json(body)  # deduplicate on request.headers["webhook-id"]
        ...

>>> secret = "whsec_" + "c2VjcmV0LWtleS1vZi1hdC1sZWFzdC0yNC1ieXRlcw=="
>>> headers = signature_headers("a1.0", 1700000000, b'{"x":1}', [secret])
>>> verify(b'{"x":1}', headers, secret, now=1700000030)
>>> verify(b'{"x":2}', headers, secret, now=1700000030)
Traceback (most recent call last):
...
streams.errors.SignatureError: webhook-signature: no signature matches the secret
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence

from streams.errors import SignatureError

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300


def decode_secret(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret; ValueError if it is not one."""
    raw = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("secret is not base64 after the 'whsec_' prefix") from exc
    if not key:
        raise ValueError("secret is empty")
    return key


def sign_one(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature of a message with one decoded key."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def sign(msg_id: str, timestamp: int, body: bytes, secrets: Sequence[str]) -> str:
    """The ``webhook-signature`` value: one signature per secret, space-separated."""
    if not secrets:
        raise ValueError("secrets: at least one secret is needed to sign")
    return " ".join(sign_one(decode_secret(s), msg_id, timestamp, body) for s in secrets)


def signature_headers(msg_id: str, timestamp: int, body: bytes, secrets: Sequence[str]) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt of one message."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(msg_id, timestamp, body, secrets),
    }


def verify(
    payload: bytes,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Check a received webhook; raise SignatureError saying what is wrong.

    `secret` may be one secret or several (a receiver in the middle of a rotation); `now` is
    unix seconds (default: the wall clock) and the timestamp must be within `tolerance` of it.
    """
    msg_id, stamp, signatures = _required(headers)
    timestamp = _timestamp(stamp, time.time() if now is None else now, tolerance)
    secrets = [secret] if isinstance(secret, str) else list(secret)
    expected = [sign_one(decode_secret(s), msg_id, timestamp, payload).encode() for s in secrets]
    for candidate in signatures.split():
        if any(hmac.compare_digest(candidate.encode(), want) for want in expected):
            return
    raise SignatureError("webhook-signature: no signature matches the secret")


def _required(headers: Mapping[str, str]) -> tuple[str, str, str]:
    lowered = {k.lower(): v for k, v in headers.items()}
    names = ("webhook-id", "webhook-timestamp", "webhook-signature")
    missing = [n for n in names if not lowered.get(n)]
    if missing:
        raise SignatureError(f"missing header(s): {', '.join(missing)}")
    return lowered[names[0]], lowered[names[1]], lowered[names[2]]


def _timestamp(value: str, now: float, tolerance: int) -> int:
    try:
        timestamp = int(value)
    except ValueError:
        raise SignatureError(f"webhook-timestamp: not unix seconds: {value[:40]!r}") from None
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"webhook-timestamp: {timestamp} is more than {tolerance}s from now ({int(now)})")
    return timestamp
