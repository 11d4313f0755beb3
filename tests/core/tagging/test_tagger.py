"""Tagger as a whole: determinism, version, fingerprint, bad parameters, country scores."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.fingerprint import encode, sketch
from streams.core.tagging import Tagger, data
from streams.core.tagging.fastsketch import fingerprint_of

from .conftest import make_article

BODY = "ALMATY, Jan 5 (Reuters) - Kazakh police fired tear gas at protesters as Russia sent troops."


def test_tagging_is_deterministic(tagger: Tagger) -> None:
    article = make_article(BODY, title="Unrest in Kazakhstan")
    assert tagger.tag(article).to_json() == Tagger().tag(article).to_json()


def test_version_names_release_and_data_hash(tagger: Tagger) -> None:
    assert re.fullmatch(r"tagger-\d+\.\d+\+[0-9a-f]{8}", tagger.version)


def test_changing_a_data_file_changes_the_version(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in data.DATA_FILES + data.MODEL_FILES:
        (tmp_path / name).write_bytes((data.DATA_DIR / name).read_bytes())
    before = data.version()
    (tmp_path / "topics.toml").write_bytes((tmp_path / "topics.toml").read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    data.version.cache_clear()
    try:
        assert data.version() != before
    finally:
        monkeypatch.undo()
        data.version.cache_clear()


def test_fingerprint_is_the_minhash_sketch_of_title_and_body(tagger: Tagger) -> None:
    article = make_article(BODY, title="Unrest")
    assert tagger.tag(article).fingerprint == encode(sketch("Unrest\n" + BODY))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab cd\nÉé İ1,.-"), max_size=200))
def test_fast_fingerprint_equals_the_reference(text: str) -> None:
    assert fingerprint_of(text) == sketch(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aB zZ_09\n\t\x0b,.-'()AbcXY\x00\x7f"), max_size=300))
def test_fast_fingerprint_of_ascii_text_equals_the_reference(text: str) -> None:
    assert fingerprint_of(text) == sketch(text)


@pytest.mark.parametrize("min_score", [-0.1, 1.5])
def test_bad_min_score_is_rejected(min_score: float) -> None:
    with pytest.raises(ValueError, match="min_score"):
        Tagger(min_score=min_score)


def test_dateline_country_is_the_location_and_scores_highest(tagger: Tagger) -> None:
    tagged = tagger.tag(make_article("TOKYO, March 3 - The yen rose against the dollar on Tuesday.", title="YEN"))
    assert tagged.countries[0].code == "JPN" and tagged.countries[0].role == "location"


def test_a_country_named_once_in_a_long_story_scores_low(tagger: Tagger) -> None:
    body = "ALMATY, Jan 5 - " + " ".join(["Kazakh officials said the protests in Almaty continued."] * 8)
    tagged = tagger.tag(make_article(body + " Analysts compared it to Belarus.", title="Kazakhstan"))
    scores = {c.code: c.score for c in tagged.countries}
    assert scores["KAZ"] > 0.8 and scores.get("BLR", 0.0) < 0.3


def test_empty_body_gives_empty_tags(tagger: Tagger) -> None:
    tagged = tagger.tag(make_article("", title="Weather"))
    assert tagged.countries == [] and tagged.events == [] and tagged.topics == []


def test_outputs_are_valid_contracts_that_round_trip(tagger: Tagger) -> None:
    bodies = [BODY, "TOKYO, March 3 - Police denied firing on protesters. Japan sent aid to Turkey.", ""]
    for body in bodies:
        tagged = tagger.tag(make_article(body, title="Unrest in Kazakhstan"))
        assert type(tagged).model_validate_json(tagged.to_json()) == tagged
        assert type(tagged).model_validate(tagged.model_dump()) == tagged


@pytest.mark.parametrize(
    ("body", "relayed"),
    [
        ("NICOSIA, Oct 19 - Iran said U.S. warships shelled two oil platforms in the Gulf, the official news "
         "agency IRNA, received in Nicosia, reported.", True),
        ("NICOSIA, Oct 19 - Tehran radio, monitored in Nicosia, said Iranian troops crossed into Iraq.", True),
        ("NICOSIA, Oct 19 - Police in Nicosia fired tear gas at students marching on parliament.", False),
        ("NICOSIA, Oct 19 - Iran said U.S. warships shelled two oil platforms in the Gulf.", False),
    ],
)  # fmt: skip
def test_a_report_picked_up_in_the_dateline_city_is_not_news_from_there(tagger: Tagger, body: str,
                                                                         relayed: bool) -> None:  # fmt: skip
    """A relay ("received in Nicosia") makes the dateline the listening post, not the story's place."""
    located = {c.code for c in tagger.tag(make_article(body, title="Report")).countries if c.role == "location"}
    assert ("CYP" not in located) is relayed
