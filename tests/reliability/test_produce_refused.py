"""A record the broker refuses is never reported as produced.

kafka-python's flush() returns without a word when records failed (the failure is only on each
send's future): `geopulse produce` said "produced 5 message(s)" and exited 0 while the broker had
refused all five. The fault proxy refuses produce requests to one topic, as a broker would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.errors import BrokerError
from streams.worker.clients import ensure_topics, produce
from tests.reliability.faultproxy import broker_behind_proxy
from tests.reliability.support import settings_for, values

pytestmark = pytest.mark.integration

# The proxy decodes produce requests up to v8 (Kafka 2.5's); kafka-python would otherwise use a newer one.
PROXY_API = (2, 5)


def test_a_refused_record_fails_the_produce_and_an_accepted_one_does_not(tmp_path: Path) -> None:
    with broker_behind_proxy(tmp_path) as proxy:
        settings = settings_for(f"127.0.0.1:{proxy.port}", "refused")
        ensure_topics(settings, [settings.topics.articles, settings.topics.events])
        messages = [(f"k{n}".encode(), b"{}") for n in range(5)]

        assert produce(settings, settings.topics.events, messages, api_version=PROXY_API) == 5
        assert len(values(settings, settings.topics.events)) == 5

        proxy.reject = frozenset({settings.topics.articles})
        with pytest.raises(BrokerError, match=r"the broker refused \d+ of \d+ message\(s\)"):
            produce(settings, settings.topics.articles, messages, api_version=PROXY_API)
        assert proxy.refusals > 0
        assert values(settings, settings.topics.articles) == []
