from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas import Article, TaggedArticle
from streams.core.tagging import Tagger


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    return Tagger.default()


def make_article(body: str, title: str = "News") -> Article:
    return Article(id="t", source="test", title=title, body=body, published_at=datetime(2022, 1, 10, tzinfo=UTC))


@pytest.fixture(scope="session")
def tag(tagger: Tagger):  # type: ignore[no-untyped-def]
    def run(body: str, title: str = "News") -> TaggedArticle:
        return tagger.tag(make_article(body, title))

    return run
