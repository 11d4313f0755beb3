"""Webhook delivery: signed (Standard Webhooks), filtered, retried durably, guarded against SSRF.

config     endpoints file + secrets from the environment   (load_config, Endpoint, Filters)
signing    sign / verify Standard Webhooks signatures       (pure)
ssrf       which addresses public endpoints may not reach  (pure decision + resolver)
retry      outcome classification and the retry schedule  (pure)
format     request bodies: Alert JSON or Slack text        (pure)
pending    PendingDelivery / DeliveryResult and next_step  (pure)
transport  the one I/O door (Transport) and AiohttpTransport
delivery   one signed attempt (Deliverer), send_test
notifier   Notifier: fan-out, scheduling, durable retries
redeliver  dead letters sent again (`geopulse webhooks redeliver`)
"""

from __future__ import annotations

from streams.notify.config import Endpoint, EndpointConfig, Filters, WebhookConfig, load_config, parse_config
from streams.notify.delivery import Deliverer, DeliveryObserver, send_test, synthetic_alert
from streams.notify.notifier import DeliveryJournal, Notifier
from streams.notify.pending import DeliveryResult, PendingDelivery, next_step
from streams.notify.retry import AttemptOutcome, RetrySchedule, verdict_of
from streams.notify.signing import sign, signature_headers, verify
from streams.notify.ssrf import is_forbidden
from streams.notify.transport import AiohttpTransport, Transport, WebhookRequest, WebhookResponse

__all__ = [
    "AiohttpTransport",
    "AttemptOutcome",
    "Deliverer",
    "DeliveryJournal",
    "DeliveryObserver",
    "DeliveryResult",
    "Endpoint",
    "EndpointConfig",
    "Filters",
    "Notifier",
    "PendingDelivery",
    "RetrySchedule",
    "Transport",
    "WebhookConfig",
    "WebhookRequest",
    "WebhookResponse",
    "is_forbidden",
    "load_config",
    "next_step",
    "parse_config",
    "send_test",
    "sign",
    "signature_headers",
    "synthetic_alert",
    "verdict_of",
    "verify",
]
