"""`geopulse worker` whose tagger raises on chosen articles: an unexpected error inside the ingest agent.

Run as `python -m tests.reliability.faultyworker` with FAULTY_TAGGER_IDS naming a file of article
ids, one a line; while the file exists, tagging one of those articles raises RuntimeError (not bad
input: the article is valid, the tagger fails). Everything else is the real command (`streams.cli`),
on the real broker: the fault is in the tagger only, the code under test is the agent around it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import streams.worker.app
from schemas import Article, TaggedArticle
from streams.core.tagging import Tagger


class FailingTagger:
    """The product tagger, except that it raises on the ids listed in `trigger` while that file exists."""

    def __init__(self, inner: Tagger, trigger: Path) -> None:
        self.inner, self.trigger = inner, trigger
        self.version = inner.version

    def tag(self, article: Article) -> TaggedArticle:
        if self.trigger.exists() and article.id in self.trigger.read_text().split():
            raise RuntimeError(f"the tagger failed on {article.id}")
        return self.inner.tag(article)


def main() -> None:
    trigger = Path(os.environ["FAULTY_TAGGER_IDS"])
    build = streams.worker.app.create_app

    def create_app(*args: Any, **kwargs: Any) -> Any:
        return build(*args, tagger=FailingTagger(Tagger.default(), trigger), **kwargs)

    streams.worker.app.create_app = create_app  # the cli imports it when `worker` runs
    from streams.cli import main as cli

    sys.argv = ["geopulse", "worker"]
    cli()


if __name__ == "__main__":
    main()
