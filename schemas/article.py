"""`Article`: a news article as producers put it on the `articles` topic."""

from __future__ import annotations

from pydantic import Field

from schemas._base import SCHEMA_VERSION, Contract, UtcDatetime

MAX_TITLE_CHARS = 2_000
MAX_BODY_CHARS = 500_000


class Article(Contract):
    """One news article; key it by `id` when producing."""

    schema_version: int = Field(SCHEMA_VERSION, description="Contract version of this message.")
    id: str = Field(min_length=1, max_length=512, description="Stable article id, unique per article.")
    url: str | None = Field(None, max_length=4_096, description="Canonical URL of the article, if known.")
    source: str = Field(min_length=1, max_length=256, description="Outlet that published it, e.g. 'bdnews24.com'.")
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS, description="Headline.")
    body: str = Field("", max_length=MAX_BODY_CHARS, description="Plain-text body without site boilerplate.")
    dateline: str | None = Field(
        None, max_length=256,
        description="Wire dateline stored apart from the body, e.g. 'ALMATY, Jan 5 (Reuters) -'; read in front of it.",
    )  # fmt: skip
    published_at: UtcDatetime = Field(description="Publication time (timezone-aware; stored as UTC).")
    language: str = Field("en", min_length=2, max_length=16, description="BCP 47 language tag.")
    authors: list[str] = Field(default_factory=list, max_length=64, description="Bylines, if any.")
    agency: str | None = Field(None, max_length=128, description="Wire agency credited, e.g. 'Reuters'.")
