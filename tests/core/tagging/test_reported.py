"""Reported main events versus background: the flag on each event, and what counts into topics.

The cases are the error classes of issue 15, coded as EVENT_RULES.md says.
"""

from __future__ import annotations

import pytest

from schemas import TaggedArticle
from streams.core.tagging.events import FoundEvent
from streams.core.tagging.reported import ReportedModel, candidate_features


def reported(tagged: TaggedArticle) -> set[str]:
    return {e.type for e in tagged.events if e.reported}


def background(tagged: TaggedArticle) -> set[str]:
    return {e.type for e in tagged.events if not e.reported}


@pytest.mark.parametrize(
    ("title", "body", "absent"),
    [
        ("Plane crash kills all 72", "A plane crashed near Pokhara on Sunday, killing all 72 on board.", "ASSAULT"),
        ("Farmers march in Delhi", "Farmers marched in Delhi on Tuesday to demand price guarantees.", "REQUEST"),
        ("Tokayev thanks allies", "He thanked allies; the request for CSTO troops split parliament.", "REQUEST"),
        ("Police detain 20", "Police detained 20 people over the unrest, officials said.", "PROTEST"),
    ],
)  # fmt: skip
def test_rule_classes_are_not_reported(tag, title: str, body: str, absent: str) -> None:  # type: ignore[no-untyped-def]
    tagged = tag(body, title=title)
    assert absent not in reported(tagged)
    assert absent not in tagged.topics


def test_a_dated_sentence_is_background_while_the_news_is_reported(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag(
        "Rebels attacked an army post in the north on Monday. The insurgency has killed thousands since 2017.",
        title="Rebels attack army post",
    )
    flags = {(e.trigger, e.reported) for e in tagged.events if e.type == "ASSAULT"}
    assert ("attacked", True) in flags and ("insurgency", False) in flags
    assert "ASSAULT" in tagged.topics


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        ("Paper denies report", "The newspaper denied the allegation on Wednesday.", "REJECT"),
        ("Mutineers seize HQ", "Mutinous soldiers took over the military headquarters in Rostov.", "COERCE"),
        ("Column heads north", "The group sent an armed column towards Moscow on Saturday.", "MOBILIZE"),
        ("Government delays bill", "The government said on Monday it would delay the legislation.", "CONCEDE"),
        ("Union calls off strike", "The dockers' union called off its strike after a pay offer.", "CONCEDE"),
        ("Britain pulls diplomats", "Britain withdrew four more diplomats from its mission in Tehran.", "SANCTION"),
        ("Rome expels envoys", "Italy expelled three diplomats of the embassy on Monday.", "SANCTION"),
        ("Students rally", "Thousands of students demonstrated in the capital on Friday.", "PROTEST"),
        ("Barricades go up", "Demonstrators set up barricades in the old town as the strike spread.", "PROTEST"),
        ("Ties restored", "The two countries restored diplomatic relations on Tuesday.", "SUPPORT"),
        ("Pledge of aid", "Tokyo pledged 300 mln dlrs in aid to the island states on Monday.", "AGREE"),
    ],
)
def test_missed_classes_are_found_and_reported(tag, title: str, body: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    tagged = tag(body, title=title)
    assert kind in reported(tagged) and kind in tagged.topics


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Jets strike rebel bases", "Air force jets bombed guerrilla camps in the western hills on Friday; 30 fighters "
         "were reported killed. Roads were closed. A spokesman gave no details."),
        ("Clashes in the south", "Fighting between the army and separatists near the southern port left 38 dead, "
         "officials said. Shops stayed shut. The minister called for calm."),
    ],
)  # fmt: skip
def test_air_raids_and_deadly_fighting_are_reported_assaults(tag, title: str, body: str) -> None:  # type: ignore[no-untyped-def]
    # the wire's way of telling violence: an air raid, "fighting ... left N dead" (bench/detect_real.py's surges)
    tagged = tag(body, title=title)
    assert "ASSAULT" in reported(tagged) and "ASSAULT" in tagged.topics


def test_a_verbal_attack_on_a_plan_is_an_accusation_not_violence(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag("The farm ministers attacked the commission's plan to cut prices.", title="Ministers attack plan")
    assert "ACCUSE" in reported(tagged) and "ASSAULT" not in {e.type for e in tagged.events}


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Chancellor to meet president", "The chancellor will meet the president in the capital next week for talks "
         "on farm trade, officials said."),
        ("Employers make new offer", "The shipping companies made an offer of a 12 pct pay rise to the striking crews "
         "on Thursday."),
    ],
)  # fmt: skip
def test_planned_meetings_and_offers_are_agree(tag, title: str, body: str) -> None:  # type: ignore[no-untyped-def]
    # EVENT_RULES: AGREE covers offers, intentions and planned meetings
    assert "AGREE" in reported(tag(body, title=title))


def test_a_negated_event_is_never_reported_and_a_denial_is_reject(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag("Police denied firing on protesters in Almaty on Tuesday.", title="Police deny firing")
    assert "ASSAULT" in background(tagged) and "ASSAULT" not in tagged.topics
    assert all(not e.reported for e in tagged.events if e.negated)
    assert "REJECT" in reported(tagged)


def test_topics_are_those_of_reported_events_only(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag(
        "Troops fired tear gas at marchers in Dhaka on Monday. Fifteen people were killed in riots last year.",
        title="Police fire tear gas",
    )
    kept = {e.type for e in tagged.events if e.reported}
    assert {t for t in tagged.topics if t.isupper()} == kept


def _found(kind: str, sentence: str, start: int, negated: bool = False) -> FoundEvent:
    return FoundEvent(kind, None, sentence.split()[0], sentence, negated, 0.9, None, None, None, None, start,
                      start + 3, start, start + len(sentence))  # fmt: skip


def test_the_score_is_the_bias_plus_the_weights_of_the_features() -> None:
    text = "T\nRiots hit the city."
    event = _found("PROTEST", "Riots hit the city.", 2)
    (row,) = candidate_features(text, 2, [(0, 1), (2, len(text))], [event])
    assert "t=PROTEST" in row and "p=lead" in row
    model = ReportedModel({"t=PROTEST": 2.0, "p=lead": 0.5}, bias=-1.0, threshold=0.5)
    assert model.score(row) == pytest.approx(1.5)
    assert model.reported(text, 2, [(0, 1), (2, len(text))], [event]) == [True]
    assert model.reported(text, 2, [(0, 1), (2, len(text))], [event._replace(negated=True)]) == [False]


def test_the_rules_peer_rules_out_dated_and_hypothetical_events() -> None:
    rules = ReportedModel.rules()
    assert rules.score(["t=ASSAULT"]) >= rules.cut
    assert rules.score(["t=ASSAULT", "year"]) < rules.cut
    assert rules.score(["t=ASSAULT", "tc=ASSAULT:would"]) < rules.cut
    assert rules.score(["t=THREATEN", "tc=THREATEN:would"]) >= rules.cut  # "warned it would strike" is a threat now


@pytest.mark.parametrize(
    ("title", "body", "absent"),
    [
        # a threat with no actor: crops, pests and weather
        ("Drought hits cocoa", "Drought threatens famine and heavy damage to the cocoa crop in the north.", "THREATEN"),
        ("Rain in the south", "Heavy rainfall caused a threat of flooding in the southern provinces on Monday.",
         "THREATEN"),
        # a strike's own demand, named without a protest trigger of its own
        ("Dockers call stoppage", "The dock workers called a two-day strike to press for higher wages.", "REQUEST"),
        # declining to comment, a court plea, a court throwing a suit out, a veto named as a power
        ("Ministry silent", "The ministry declined to comment on the reports of a new loan.", "REJECT"),
        ("Measures due", "The spokesman declined to detail the special measures for the farmers.", "REJECT"),
        ("Firm admits fraud", "The company pleaded guilty to two counts of fraud in a federal court.", "REQUEST"),
        ("Suit thrown out", "A federal judge dismissed the lawsuit against the agency on Tuesday.", "REJECT"),
        ("Bill filed", "The bill would end the defence department's veto power over export licences.", "REJECT"),
        # a failure to agree, the prospects of an accord, retaliation feared
        ("Talks fail", "The farm ministers failed to agree a price package after three days of talks.", "AGREE"),
        ("Talks drag on", "Delegates said the prospects for an accord were fading by the minute.", "AGREE"),
        ("Missions alert", "Embassies are on alert for possible retaliation after the raid, officials said.",
         "THREATEN"),
    ],
)  # fmt: skip
def test_false_alarms_of_the_wire_are_not_reported(tag, title: str, body: str, absent: str) -> None:  # type: ignore[no-untyped-def]
    # each the out-of-fold false positive class of a tuning story, told in invented sentences
    assert absent not in reported(tag(body, title=title))


def test_a_warning_strike_is_a_protest(tag) -> None:  # type: ignore[no-untyped-def]
    tagged = tag("Some 30,000 engineering workers staged warning strikes on Tuesday.", title="Warning strikes")
    assert "PROTEST" in reported(tagged) and "THREATEN" not in reported(tagged)


def test_gunfire_is_no_disaster() -> None:
    # "fire" names a disaster ("a fire swept the hotel"), not the gunfire of "opened fire" or arson's "set on fire"
    for sentence in ("Troops opened fire on the marchers, killing 12.", "Jets hit the tanker, setting it on fire."):
        event = _found("ASSAULT", sentence, 2)
        (row,) = candidate_features("T\n" + sentence, 2, [(0, 1), (2, 2 + len(sentence))], [event])
        assert not row[0].startswith("veto=")
    sentence = "A fire swept the hotel, killing 12 guests."
    (row,) = candidate_features("T\n" + sentence, 2, [(0, 1), (2, 2 + len(sentence))], [_found("ASSAULT", sentence, 2)])
    assert row[0] == "veto=disaster"


def test_a_strike_is_a_labour_strike_only_beside_labour_words() -> None:
    # an air strike in the sentence does not make an appeal the demand of a protest
    for sentence, vetoed in (
        ("Iran called on the council to condemn the U.S. strike on its platforms.", False),
        ("The union called a general strike to demand higher wages.", True),
    ):
        (row,) = candidate_features(
            "T\n" + sentence, 2, [(0, 1), (2, 2 + len(sentence))], [_found("REQUEST", sentence, 2)]
        )
        assert (row[0] == "veto=demand") == vetoed, sentence


def test_what_a_warning_is_of_and_who_gives_it_are_features() -> None:
    # a warning of a danger ("could rise") against a threat of the speaker's own act ("would retaliate"): the
    # words after the trigger say which, and an economist's warning is marked as a pundit's
    for sentence, kind, marks in (
        ("Economists warned that inflation could rise again next year.", "THREATEN", {"danger", "pundit=THREATEN"}),
        ("Brussels warned it would retaliate against the tariffs at once.", "THREATEN", {"act"}),
        ("Riots hit the city.", "PROTEST", set()),
    ):
        (row,) = candidate_features("T\n" + sentence, 2, [(0, 1), (2, 2 + len(sentence))], [_found(kind, sentence, 2)])
        assert marks <= set(row) and not ({"act", "danger", f"pundit={kind}"} - marks) & set(row), sentence
        after = sentence.split()[1].strip(".").lower()
        assert f"ta={kind}:{after}" in row, sentence
