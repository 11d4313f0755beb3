"""The tagger builds its output models without validation: they must equal validated ones.

`Tagger.tag` constructs `TaggedArticle` and its nested models from trusted parts (the validated
article and the tagger's own tables). Validating the same values must give the same models, with
the same fields set, on every dev-set item and on the test pages (long, messy text).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import Article, TaggedArticle
from schemas.tagged import Actor, CountryMention, Event, Span
from streams.core.tagging import Tagger
from streams.core.tagging.evaluate import article_of

from .conftest import make_article

DATA = Path(__file__).resolve().parents[2] / "data"
NESTED = {"countries": CountryMention, "actors": Actor, "events": Event}


def _articles() -> list[Article]:
    records = [json.loads(line) for line in (DATA / "devset.jsonl").read_text(encoding="utf-8").splitlines() if line]
    pages = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((DATA / "pages").glob("*.txt"))]
    return [article_of(r) for r in records] + [make_article(text, title=name) for name, text in pages]


def _assert_same_as_validated(tagged: TaggedArticle) -> None:
    validated = TaggedArticle.model_validate(tagged.model_dump())
    assert tagged == validated
    assert tagged.model_dump_json() == validated.model_dump_json()
    assert tagged.model_fields_set == validated.model_fields_set == set(TaggedArticle.model_fields)
    for field, model in NESTED.items():
        for built, checked in zip(getattr(tagged, field), getattr(validated, field), strict=True):
            assert type(built) is model and built.model_fields_set == checked.model_fields_set
    assert all(type(s) is Span for a in tagged.actors for s in a.spans)


@pytest.mark.parametrize("article", _articles(), ids=lambda a: a.id)
def test_constructed_output_equals_validated_output(tagger: Tagger, article: Article) -> None:
    _assert_same_as_validated(tagger.tag(article))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "Russian troops", " protesters ", "in Almaty", "police arrested", "did not attack", "\u00a0Kazakhstan\u2003",
    "said.", "\n", " US ", "sanctions on Iran", "the UN", "ÉTATS", "tear gas", "-led", "  ", "talks.",
]), max_size=30).map("".join))  # fmt: skip
def test_constructed_output_equals_validated_output_on_odd_text(tagger: Tagger, body: str) -> None:
    _assert_same_as_validated(tagger.tag(make_article(body, title="Unrest")))
