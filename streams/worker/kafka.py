"""Connection settings for the two Kafka clients geopulse uses: faust (aiokafka) and kafka-python.

Secrets stay in `SecretStr` until the moment a client needs them; nothing here logs them.
"""

from __future__ import annotations

import ssl
from typing import Any

import faust

from streams.errors import ConfigError
from streams.settings import KafkaSecurity, Settings


def bootstrap(settings: Settings) -> str:
    if not settings.kafka_bootstrap:
        raise ConfigError("GEOPULSE_KAFKA_BOOTSTRAP is not set (host:port); `geopulse demo` starts a local broker")
    return settings.kafka_bootstrap


def ssl_context(security: KafkaSecurity) -> ssl.SSLContext | None:
    if not security.security_protocol.endswith("SSL"):
        return None
    context = ssl.create_default_context(
        ssl.Purpose.SERVER_AUTH, cafile=str(security.ssl_cafile) if security.ssl_cafile else None
    )
    if security.ssl_certfile:
        context.load_cert_chain(str(security.ssl_certfile), str(security.ssl_keyfile or "") or None)
    return context


def faust_broker_options(settings: Settings) -> dict[str, Any]:
    """`faust.App` keyword arguments for the broker and its credentials."""
    urls = ";".join(f"kafka://{hp.strip()}" for hp in bootstrap(settings).split(","))
    security = settings.kafka
    options: dict[str, Any] = {"broker": urls}
    context = ssl_context(security)
    if security.security_protocol.startswith("SASL"):
        assert security.sasl_password is not None  # checked by KafkaSecurity
        options["broker_credentials"] = faust.SASLCredentials(
            username=security.sasl_username,
            password=security.sasl_password.get_secret_value(),
            mechanism=security.sasl_mechanism,
            ssl_context=context,
        )
    elif context is not None:
        options["broker_credentials"] = faust.SSLCredentials(context)
    return options


def kafka_python_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments shared by kafka-python's producer, consumer and admin client."""
    security = settings.kafka
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap(settings).split(","),
        "security_protocol": security.security_protocol,
    }
    context = ssl_context(security)
    if context is not None:
        options["ssl_context"] = context
    if security.security_protocol.startswith("SASL"):
        assert security.sasl_password is not None
        options["sasl_mechanism"] = security.sasl_mechanism
        options["sasl_plain_username"] = security.sasl_username
        options["sasl_plain_password"] = security.sasl_password.get_secret_value()
    return options
