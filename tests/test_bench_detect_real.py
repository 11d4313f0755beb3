"""bench/detect_real.py's labelled real incidents: the label files and how an alert on one is scored.

The labels (bench/data/reuters87-incidents.jsonl, and a second annotator's reuters87-incidents-b.jsonl,
rule in bench/data/INCIDENTS.md) hold ids and our own words only; the stories are read from
`../shared/data/reuters87-dev.jsonl.gz` at run time.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import timedelta
from typing import Any

import pycountry
import pytest

from bench.detect_real import (
    DATA,
    INCIDENTS,
    INCIDENTS_B,
    IRN_STRIKE,
    Incident,
    Raised,
    agreement,
    developments,
    load_incidents,
    score_annotators,
    score_incidents,
    strike,
    strike_stories,
)
from schemas import Alert
from streams.core.tagging.topics import TopicGroups

# The first annotator's labels and a second, independent annotator's (labelled blind to the first and to any alert).
LABEL_FILES = pytest.mark.parametrize("path", [INCIDENTS, INCIDENTS_B], ids=["a", "b"])

INCIDENT_LIST = load_incidents()
needs_wire = pytest.mark.skipif(not DATA.exists(), reason=f"the shared wire file {DATA} is not beside the repo")


@pytest.fixture(scope="module")
def wire() -> dict[str, dict[str, Any]]:
    with gzip.open(DATA, "rt") as lines:
        return {row["id"]: row for row in map(json.loads, lines)}


@LABEL_FILES
def test_the_label_file_parses_into_well_formed_incidents(path: Any) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    incidents = load_incidents(path)
    assert len(incidents) == len(rows) >= 30
    names = [i.name for i in incidents]
    assert len(set(names)) == len(names)
    families = {*TopicGroups.load().names, "any"}
    for incident in incidents:
        assert 1 <= len(incident.countries) <= 3 and incident.family in families, incident.name
        assert all(pycountry.countries.get(alpha_3=c) for c in incident.countries), incident.name
        assert incident.first <= incident.last and incident.stories and incident.label


@LABEL_FILES
def test_no_story_is_in_two_incidents(path: Any) -> None:
    stories = [s for i in load_incidents(path) for s in i.stories]
    assert len(set(stories)) == len(stories)


@needs_wire
@LABEL_FILES
def test_every_id_is_a_story_of_the_wire_and_the_span_is_its_stories(wire: dict[str, dict[str, Any]],
                                                                      path: Any) -> None:  # fmt: skip
    for incident in load_incidents(path):
        assert all(s in wire for s in incident.stories), incident.name
        times = sorted(wire[s]["published_at"] for s in incident.stories)
        assert (times[0], times[-1]) == (incident.first.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                         incident.last.strftime("%Y-%m-%dT%H:%M:%SZ")), incident.name  # fmt: skip


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@needs_wire
@LABEL_FILES
def test_labels_carry_no_reuters_text(wire: dict[str, dict[str, Any]], path: Any) -> None:
    titles = {" ".join(words(row["title"])) for row in wire.values()} - {""}
    for incident in load_incidents(path):
        label = " ".join(words(incident.label))
        assert not any(title in label for title in titles if len(title) >= 12), incident.name
        # no run of five words from its own stories' titles or leads
        own = {" ".join(run) for s in incident.stories
               for text in (wire[s]["title"], wire[s]["body"][:600])
               for run in zip(*(words(text)[k:] for k in range(5)), strict=False)}  # fmt: skip
        runs = {" ".join(run) for run in zip(*(words(incident.label)[k:] for k in range(5)), strict=False)}
        assert not runs & own, (incident.name, runs & own)


def alert_on(country: str, topic: str, topics: list[str], at: Any, story: str = "reuters-1") -> Raised:
    top = [{"id": story, "title": "a story", "source": "outlet00.example", "published_at": at}]
    alert = Alert(alert_id=f"{country}-{at:%d%H%M}", status="open", country=country, topic=topic, topics=topics,
                  window="1h", window_start=at - timedelta(hours=1), window_end=at, observed=5, expected=1.0,
                  ratio=5.0, score=4.0, severity="medium", summary="test", first_seen=at, last_seen=at,
                  detector={"name": "test"}, top_articles=top)  # fmt: skip
    return Raised(alert, at, "medium")


def incident(family: str) -> Incident:
    first = INCIDENT_LIST[0].first
    return Incident(
        "r87-x", ("IRN", "USA"), family, first, first + timedelta(hours=8), ("reuters-1", "reuters-2"), "a strike"
    )


@pytest.mark.parametrize(
    ("family", "country", "topic", "hours", "found", "story"),
    [
        ("conflict", "IRN", "ASSAULT", 1, True, "reuters-2"),  # a conflict type, a listed country, in its span
        ("conflict", "USA", "all", 13.5, True, "reuters-1"),  # `all` fits every family; within 6 h after its last story
        ("any", "USA", "PROTEST", 2, True, "reuters-1"),
        ("conflict", "IRN", "AGREE", 1, False, "reuters-1"),  # no type in common with the family
        ("conflict", "IRQ", "ASSAULT", 1, False, "reuters-1"),  # not a listed country
        ("conflict", "IRN", "ASSAULT", -1, False, "reuters-1"),  # before its first story
        ("conflict", "IRN", "ASSAULT", 14.5, False, "reuters-1"),  # over 6 h after its last story
        ("conflict", "IRN", "ASSAULT", 1, False, "reuters-9"),  # none of its stories explains the alert
    ],
)  # fmt: skip
def test_an_alert_on_a_labelled_incident_is_found_not_false(family: str, country: str, topic: str, hours: float,
                                                             found: bool, story: str) -> None:  # fmt: skip
    labelled = incident(family)
    alert = alert_on(country, topic, [topic], labelled.first + timedelta(hours=hours), story)
    other = alert_on("NOR", "PROTEST", ["PROTEST"], labelled.first, "reuters-9")  # a false alarm, on nothing labelled
    scored = score_incidents([alert, other], [alert, other], [labelled], news_days=2)
    assert scored["incidents_found"] == int(found) and scored["per_incident"]["r87-x"]["found"] is found
    assert scored["false_on_incidents"] == int(found)
    assert scored["false_unlabelled_per_day"] == (1 if found else 2) / 2
    if found:
        assert scored["per_incident"]["r87-x"]["delay_h"] == hours


def test_a_topic_named_in_topics_only_still_fits() -> None:
    labelled = incident("diplomacy")
    alert = alert_on("USA", "PROTEST", ["PROTEST", "SANCTION"], labelled.first + timedelta(hours=1))
    assert score_incidents([alert], [alert], [labelled], news_days=1)["incidents_found"] == 1


@needs_wire
def test_a_missing_incident_file_is_one_line_and_exit_2(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from bench.detect_real import main

    assert main(["--incidents", str(tmp_path / "none.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "none.jsonl not found" in err


# Two annotators: developments, false alarms off each one's labels, agreement.


def labelled(name: str, *stories: str) -> Incident:
    first = INCIDENT_LIST[0].first
    return Incident(name, ("IRN",), "conflict", first, first + timedelta(hours=8), stories, "a test development")


def test_incidents_sharing_a_story_at_any_remove_are_one_development() -> None:
    a = [labelled("a1", "s1", "s2"), labelled("a2", "s4"), labelled("a3", "s6", "s7"), labelled("a4", "s8"),
         labelled("a5", "s9")]  # fmt: skip
    b = [labelled("b1", "s2", "s3"), labelled("b2", "s5"), labelled("b3", "s7"), labelled("b4", "s8", "s9")]
    found = {(tuple(i.name for i in ga), tuple(j.name for j in gb)) for ga, gb in developments(a, b)}
    assert found == {(("a1",), ("b1",)), (("a2",), ()), ((), ("b2",)), (("a3",), ("b3",)), (("a4", "a5"), ("b4",))}


def test_false_alarms_and_recall_off_each_annotator_either_and_both() -> None:
    a = [labelled("a1", "s1", "s2"), labelled("a2", "s4")]
    b = [labelled("b1", "s2", "s3"), labelled("b2", "s5")]
    at = a[0].first + timedelta(hours=1)
    only_a = alert_on("IRN", "ASSAULT", ["ASSAULT"], at, "s1")  # a story A gave the development, B did not
    agreed = alert_on("IRN", "ASSAULT", ["ASSAULT"], at, "s2")  # a story both gave it
    only_b = alert_on("IRN", "ASSAULT", ["ASSAULT"], at, "s5")  # B's development, A has none
    nothing = alert_on("IRN", "ASSAULT", ["ASSAULT"], at, "s9")
    raised = [only_a, agreed, only_b, nothing]
    scored = score_annotators(raised, raised, a, b, news_days=2)
    assert {k: v["false_per_day"] for k, v in scored.items()} == {"a": 1.0, "b": 1.0, "either": 0.5, "both": 1.5}
    assert {k: (v["found"], v["labelled"]) for k, v in scored.items()} == {
        "a": (1, 2), "b": (2, 2), "either": (2, 3), "both": (1, 1)}  # fmt: skip
    assert scored["either"]["found_names"] == ["a1+b1", "b2"]


def test_agreement_counts_developments_and_story_overlap() -> None:
    a = [labelled("a1", "s1", "s2"), labelled("a2", "s4"), labelled("a3", "s6")]
    b = [labelled("b1", "s2", "s3"), labelled("b2", "s5"), labelled("b3", "s6")]
    agreed = agreement(a, b, stories=10)
    assert (agreed["developments"], agreed["labelled_by_both"]) == (4, 2)
    assert (agreed["b_recall_of_a"], agreed["b_precision_against_a"]) == (round(2 / 3, 3), round(2 / 3, 3))
    # stories: A {1,2,4,6}, B {2,3,5,6}: 2 shared, 2 only in each, 4 in neither
    assert agreed["story_jaccard"] == round(2 / 6, 3)
    observed, chance = 6 / 10, 0.4 * 0.4 + 0.6 * 0.6
    assert agreed["story_kappa"] == round((observed - chance) / (1 - chance), 3)
    assert (agreed["only_a"], agreed["only_b"]) == (["a2"], ["b2"])


@needs_wire
def test_agreement_flag_prints_the_comparison_without_tagging(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.detect_real import main

    assert main(["--agreement"]) == 0
    out = capsys.readouterr().out
    assert "kappa" in out and "only A:" in out and "only B:" in out


@needs_wire
def test_the_strike_stories_are_the_wires_own_iran_stories_of_19_20_oct(wire: dict[str, dict[str, Any]]) -> None:
    stories = strike_stories(DATA)
    assert len(stories) >= 10
    for story in stories:
        assert "IRN" in wire[story]["countries"] and wire[story]["published_at"][:10] in ("1987-10-19", "1987-10-20")


@pytest.mark.parametrize(
    ("country", "topic", "hours", "story", "is_strike"),
    [
        ("USA", "ASSAULT", 10, "reuters-7", True),  # the US in a conflict topic, on a strike story
        ("IRN", "all", 30, "reuters-7", True),
        ("USA", "ASSAULT", 10, "reuters-8", False),  # a US conflict alert those days on other news is no strike
        ("USA", "AGREE", 10, "reuters-7", False),  # the US outside a conflict topic
        ("IRN", "ASSAULT", 49, "reuters-7", False),  # after the 20th
    ],
)  # fmt: skip
def test_a_strike_alert_holds_one_of_the_strike_stories(country: str, topic: str, hours: float, story: str,
                                                        is_strike: bool) -> None:  # fmt: skip
    raised = alert_on(country, topic, [topic], IRN_STRIKE + timedelta(hours=hours), story)
    assert strike(raised, frozenset({"reuters-7"})) is is_strike
