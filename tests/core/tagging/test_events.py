"""Events: every PLOVER type, CAMEO codes, negation, passive voice, reported speech, governing verbs."""

from __future__ import annotations

import pytest

from schemas import TaggedArticle

CASES = [
    ("AGREE", "03", "Armenia and Azerbaijan signed a peace agreement on Tuesday."),
    ("AGREE", "03", "The rebels agreed to a ceasefire after talks."),
    ("CONSULT", "04", "The Indian foreign minister met his Chinese counterpart in Moscow."),
    ("CONSULT", "04", "Macron held talks with Scholz in Berlin."),
    ("SUPPORT", "05", "Germany praised Poland for taking in refugees."),
    ("SUPPORT", "05", "The EU expressed support for the Moldovan government."),
    ("CONCEDE", "08", "The government lifted the curfew after a week of calm."),
    ("CONCEDE", "08", "The prime minister resigned after weeks of protests."),
    ("COOPERATE", "06", "The two countries will share intelligence on militant groups."),
    ("COOPERATE", "06", "Japan and Australia held joint military drills near Okinawa."),
    ("AID", "07", "The United States sent humanitarian aid to Turkey after the earthquake."),
    ("AID", "07", "The IMF approved a $3 billion loan for Pakistan."),
    ("RETREAT", "08", "Russian troops began leaving the town of Kherson, a withdrawal Kyiv welcomed."),
    ("RETREAT", "08", "Iran released two French prisoners on Friday."),
    ("REQUEST", "10", "The United Nations called for an independent inquiry into the deaths."),
    ("REQUEST", "10", "Washington urged Beijing to restrain North Korea."),
    ("ACCUSE", "11", "Moscow accused Kyiv of shelling the nuclear plant."),
    ("ACCUSE", "11", "Human rights groups condemned the executions."),
    ("REJECT", "12", "Tehran rejected the proposal as unacceptable."),
    ("REJECT", "12", "The opposition refused to join the unity government."),
    ("THREATEN", "13", "North Korea threatened to launch more missiles."),
    ("THREATEN", "13", "Putin warned the West of severe consequences."),
    ("SANCTION", "16", "The EU imposed sanctions on Belarusian officials."),
    ("SANCTION", "16", "Lithuania expelled diplomats and recalled its ambassador from Minsk."),
    ("PROTEST", "14", "Thousands of protesters took to the streets of Almaty."),
    ("PROTEST", "14", "Dock workers went on strike over pay in Antwerp."),
    ("MOBILIZE", "15", "Russia sent in troops last week."),
    ("MOBILIZE", "15", "Troops were deployed along the border."),
    ("COERCE", "17", "Police arrested 44 BNP activists in Dhaka."),
    ("COERCE", "17", "Authorities imposed a curfew in Almaty."),
    ("ASSAULT", "18", "Gunmen opened fire on a checkpoint, killing three soldiers."),
    ("ASSAULT", "18", "An airstrike hit a hospital in Idlib."),
]


def types(tagged: TaggedArticle, negated: bool = False) -> set[str]:
    return {e.type for e in tagged.events if e.negated == negated}


@pytest.mark.parametrize(("kind", "cameo", "sentence"), CASES)
def test_every_plover_type_is_found_with_its_cameo_root(tag, kind: str, cameo: str, sentence: str) -> None:  # type: ignore[no-untyped-def]
    tagged = tag(sentence, title="Report")
    assert kind in types(tagged)
    assert {e.cameo for e in tagged.events if e.type == kind} == {cameo}


@pytest.mark.parametrize(
    "sentence",
    [
        "The company said net profit rose 12 pct in the first quarter.",
        "Coffee prices fell on Tuesday as the harvest outlook improved.",
        "The weather in Paris was sunny and warm.",
    ],
)
def test_sentences_without_political_events_give_none(tag, sentence: str) -> None:  # type: ignore[no-untyped-def]
    assert tag(sentence, title="Report").events == []


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Police denied firing on protesters.", "ASSAULT"),
        ("The army did not deploy troops to the city.", "MOBILIZE"),
        ("Officials denied that anyone had been arrested.", "COERCE"),
        ("No one was killed, police said.", "ASSAULT"),
    ],
)
def test_negated_events_are_flagged_and_not_topics(tag, sentence: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    tagged = tag(sentence, title="Report")
    assert kind in types(tagged, negated=True)
    assert kind not in types(tagged) and kind not in tagged.topics


def test_passive_voice_takes_the_agent_after_by(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag("Protesters were arrested by Bangladesh police.", title="Report")
    (event,) = [e for e in tagged.events if e.type == "COERCE"]
    assert event.source_actor == "Bangladesh police"
    assert event.target_actor is not None and "civilians" in event.target_actor


def test_passive_without_agent_has_no_source(tag) -> None:  # type: ignore[no-untyped-def]
    (event,) = [e for e in tag("Troops were sent to the border.", title="R").events if e.type == "MOBILIZE"]
    assert event.source_actor is None and event.mode == "troops"


def test_reported_speech_does_not_make_the_speaker_the_attacker(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag("Antony Blinken said Russian troops attacked the town.", title="R")
    (event,) = [e for e in tagged.events if e.type == "ASSAULT"]
    assert event.source_actor == "Russia military"


@pytest.mark.parametrize(
    ("sentence", "kind", "absent"),
    [
        ("The EU threatened to impose sanctions on Minsk.", "THREATEN", "SANCTION"),
        ("The UN urged Russia to withdraw its troops.", "REQUEST", "RETREAT"),
        ("Kyiv accused Moscow of attacking civilians.", "ACCUSE", "ASSAULT"),
    ],
)
def test_governing_verbs_absorb_their_complement(tag, sentence: str, kind: str, absent: str) -> None:  # type: ignore[no-untyped-def]
    found = types(tag(sentence, title="R"))
    assert kind in found and absent not in found


def test_event_location_is_the_place_in_the_sentence(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag("Police fired tear gas at protesters in Dhaka.", title="R")
    assert {e.location for e in tagged.events} == {"BGD"}


def test_unrest_topic_groups_protest_and_curfew(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag("Authorities imposed a curfew in Almaty.", title="R")
    assert "unrest" in tagged.topics and "COERCE" in tagged.topics and "all" in tagged.topics
