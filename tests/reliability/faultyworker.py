"""`geopulse worker` with a fault inside an agent: an unexpected error that is neither bad input nor a send.

Run as `python -m tests.reliability.faultyworker`. Each variable names a file; while the file exists:
- FAULTY_TAGGER_IDS (article ids, one a line): tagging one of those valid articles raises RuntimeError
  inside the ingest agent;
- FAULTY_NOTIFY_COUNTRIES (country codes, one a line): handing an alert of one of those countries to
  the notifier raises RuntimeError inside the notify agent.
Everything else is the real command (`streams.cli`) on the real broker: the fault is in the tagger
or the notifier only, the code under test is the agent around it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import streams.worker.app
import streams.worker.webhooks
from schemas import Alert, Article, TaggedArticle
from streams.core.tagging import Tagger
from streams.notify import Notifier, PendingDelivery


def listed(variable: str, item: str) -> bool:
    """True when the file named by `variable` exists and lists `item`."""
    name = os.environ.get(variable)
    return name is not None and Path(name).exists() and item in Path(name).read_text().split()


class FailingTagger:
    """The product tagger, except on the articles FAULTY_TAGGER_IDS lists."""

    def __init__(self, inner: Tagger) -> None:
        self.inner = inner
        self.version = inner.version

    def tag(self, article: Article) -> TaggedArticle:
        if listed("FAULTY_TAGGER_IDS", article.id):
            raise RuntimeError(f"the tagger failed on {article.id}")
        return self.inner.tag(article)


class FailingNotifier(Notifier):
    """The notifier, except on the alerts of the countries FAULTY_NOTIFY_COUNTRIES lists."""

    async def submit(self, alert: Alert) -> list[PendingDelivery]:
        if listed("FAULTY_NOTIFY_COUNTRIES", alert.country):
            raise RuntimeError(f"the notifier failed on {alert.delivery_id}")
        return await super().submit(alert)


def main() -> None:
    build = streams.worker.app.create_app

    def create_app(*args: Any, **kwargs: Any) -> Any:
        return build(*args, tagger=FailingTagger(Tagger.default()), **kwargs)

    streams.worker.app.create_app = create_app  # the cli imports it when `worker` runs
    streams.worker.webhooks.Notifier = FailingNotifier  # type: ignore[attr-defined]
    from streams.cli import main as cli

    sys.argv = ["geopulse", "worker"]
    cli()


if __name__ == "__main__":
    main()
