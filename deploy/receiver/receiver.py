"""A tiny webhook receiver for docker-compose: checks Standard Webhooks signatures and logs alerts.

    RECEIVER_SECRET=whsec_... python deploy/receiver/receiver.py [--port 8080]

Answers 204 to a delivery whose `webhook-signature` matches the secret (HMAC-SHA256 of
"{webhook-id}.{webhook-timestamp}.{body}" with the base64 key after `whsec_`), 401 otherwise, and
200 on GET /health. Standard library only, so it runs from the geopulse image with no network.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


def signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The `v1,<base64>` signature of one delivery under one `whsec_` secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, now: float) -> str | None:
    """None when the delivery is authentic and fresh, else why it is not."""
    msg_id, timestamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not msg_id or not timestamp.isdigit():
        return "missing webhook-id or webhook-timestamp"
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return "timestamp outside the tolerance"
    expected = signature(secret, msg_id, timestamp, body)
    offered = headers.get("webhook-signature", "").split()
    if any(hmac.compare_digest(expected, s) for s in offered):
        return None
    return "no matching v1 signature"


class Handler(BaseHTTPRequestHandler):
    secret = ""

    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        problem = verify(self.secret, headers, body, time.time()) if self.secret else None
        self.send_response(401 if problem else 204)
        self.end_headers()
        line = {"path": self.path, "webhook_id": headers.get("webhook-id"), "verified": problem is None,
                "problem": problem, "body": body.decode("utf-8", "replace")[:2000]}  # fmt: skip
        print(json.dumps(line), flush=True)

    def log_message(self, format: str, *args: object) -> None:  # one JSON line per delivery instead
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    Handler.secret = os.environ.get("RECEIVER_SECRET", "")
    if not Handler.secret:
        print("RECEIVER_SECRET unset: accepting unsigned deliveries", file=sys.stderr, flush=True)
    ThreadingHTTPServer((args.host, args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
