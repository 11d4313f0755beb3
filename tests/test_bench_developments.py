"""bench/developments.py: story clusters of one country, against a brute-force reference; the finer-series variants.

Synthetic titles of our own (no Reuters text): a week of routine political headlines, then developments.
"""

from __future__ import annotations

from datetime import timedelta

from bench import detect_real as real
from bench.developments import Developments, ExtraKeys, developments, one_per_incident, plain_topic
from schemas import TaggedArticle
from streams.core.config import TrackerConfig
from tests.core.test_developments import START, VISIT, article, development, random_stream, routine


def test_three_stories_sharing_two_salient_words_alert_once_at_the_third() -> None:
    dev = development("howe", "GBR", VISIT, START + timedelta(days=7, hours=9))
    raised = developments([*routine(), *dev], Developments())
    assert [(r.alert.country, [a.id for a in r.alert.top_articles]) for r in raised] == [
        ("GBR", ["howe-0", "howe-1", "howe-2"])
    ]
    assert raised[0].at == dev[2].published_at and raised[0].alert.topic == "CONSULT"


def test_one_outlet_does_not_make_a_development() -> None:
    dev = development("howe", "GBR", VISIT, START + timedelta(days=7, hours=9), sources=1)
    assert developments([*routine(), *dev], Developments()) == []
    assert len(developments([*routine(), *dev], Developments(sources=1))) == 1


def test_words_common_in_the_past_week_and_places_do_not_link_stories() -> None:
    at = START + timedelta(days=7, hours=9)
    common = development("common", "DEU", ["BUDGET TALKS ROUND ONE", "BUDGET TALKS ROUND TWO", "BUDGET TALKS RESUME"],
                         at)  # fmt: skip
    places = development("place", "FRA", ["FRANCE ANGERS JAPAN", "JAPAN SNUBS FRANCE", "FRANCE AND JAPAN QUARREL"], at)
    assert developments([*routine(), *common, *places], Developments()) == []
    # The same titles after a day of unrelated news: nothing is common, so the budget stories link.
    other = [a.model_copy(update={"title": f"HEADLINE {a.id.upper()}"}) for a in routine(days=2)]
    assert [r.alert.country for r in developments([*other, *common], Developments())] == ["DEU"]


def test_no_development_before_a_day_of_history() -> None:
    dev = development("howe", "GBR", VISIT, START)
    assert developments(dev, Developments()) == []


def test_stories_without_an_event_are_left_out_unless_asked() -> None:
    dev = [a.model_copy(update={"topics": []}) for a in development("howe", "GBR", VISIT, START + timedelta(days=7))]
    assert developments([*routine(), *dev], Developments()) == []
    assert len(developments([*routine(), *dev], Developments(events_only=False))) == 1


def reference(tagged: list[TaggedArticle], finder: Developments) -> list[tuple[str, list[str]]]:
    """Brute force: after each story, every country's candidates of the last day, their components by pairwise
    links, and the components that reach the gates and share too little with one alerted in the last two days."""
    candidates: list[tuple[int, str, frozenset[str], TaggedArticle]] = []
    alerted: list[tuple[int, str, set[str]]] = []
    found = []
    for a in sorted(tagged, key=lambda a: (a.published_at, a.id)):
        ts = int(a.published_at.timestamp())
        history = [c for c in candidates if ts - c[0] > finder.span and ts - c[0] <= finder.span + 7 * 86_400]
        df = {w: sum(w in c[2] for c in history) for w in finder.words_of(a.title)}
        salient = frozenset(w for w, n in df.items() if n <= max(finder.common * len(history), 2))
        candidates.append((ts, a.id, finder.words_of(a.title), a))
        if not a.topics or len(salient) < finder.shared or not history:
            continue
        for country in dict.fromkeys(c.code for c in a.countries):
            mine = [(t, i, w) for t, i, w, b in found_candidates(candidates, country, ts, finder)]
            group, changed = {a.id: salient}, True
            while changed:
                changed = False
                for _, i, w in mine:
                    if i not in group and any(len(w & g) >= finder.shared for g in group.values()):
                        group[i], changed = w, True
            sources = {b.source for t, i, w, b in found_candidates(candidates, country, ts, finder) if i in group}
            if len(group) < finder.stories or len(sources) < finder.sources:
                continue
            words = set().union(*group.values())
            same = [d for d in alerted if d[1] == country and ts - d[0] <= finder.memory and
                    len(words & d[2]) >= finder.shared]  # fmt: skip
            if same:
                same[0][2].update(words)
                continue
            alerted.append((ts, country, words))
            when = {i: b.published_at for _, i, _, b in candidates}
            found.append((country, sorted(group, key=lambda i: (when[i], i))[:5]))  # an alert lists five
    return found


def found_candidates(candidates: list[tuple[int, str, frozenset[str], TaggedArticle]], country: str, ts: int,
                     finder: Developments) -> list[tuple[int, str, frozenset[str], TaggedArticle]]:  # fmt: skip
    """A country's candidate stories of the last `span`, with the salient words they had when they came."""
    found = []
    for n, (t, i, words, b) in enumerate(candidates):
        if ts - t > finder.span or not b.topics or country not in {c.code for c in b.countries}:
            continue
        history = [c for c in candidates[:n] if t - c[0] > finder.span and t - c[0] <= finder.span + 7 * 86_400]
        salient = frozenset(w for w in words if sum(w in c[2] for c in history) <= max(finder.common * len(history), 2))
        if len(salient) >= finder.shared and history:
            found.append((t, i, salient, b))
    return found


def test_developments_equal_a_brute_force_reference_on_a_random_stream() -> None:
    tagged = random_stream(900)
    got = [(r.alert.country, [a.id for a in r.alert.top_articles]) for r in developments(tagged, Developments())]
    assert got == reference(tagged, Developments())
    assert len(got) >= 5  # the stream does make developments


def test_one_alert_per_incident_keeps_the_first_of_two_sharing_a_story() -> None:
    dev = development("howe", "GBR", VISIT, START + timedelta(days=7, hours=9))
    first = developments([*routine(), *dev], Developments())
    later = real.Raised(first[0].alert.model_copy(update={"alert_id": "series"}), first[0].at + timedelta(hours=3),
                        "medium")  # fmt: skip
    elsewhere = real.Raised(first[0].alert.model_copy(update={"alert_id": "other", "country": "FRA"}), later.at, "low")
    assert [r.alert.alert_id for r in one_per_incident([later, *first, elsewhere])] == [
        first[0].alert.alert_id, "other"
    ]  # fmt: skip


def test_finer_series_keys_and_the_topic_they_are_scored_as() -> None:
    a = article("x", "USA", "SHULTZ MEETS SHEVARDNADZE", START, "wire0", ("CONSULT", "cooperation"), ("RUS",))
    base = {f: getattr(TrackerConfig(), f) for f in TrackerConfig.__dataclass_fields__}
    dyads = set(ExtraKeys(**base, extra="dyads").series_of(a)) - set(TrackerConfig().series_of(a))
    groups = set(ExtraKeys(**base, extra="group-dyads").series_of(a)) - set(TrackerConfig().series_of(a))
    terms = set(ExtraKeys(**base, extra="terms").series_of(a)) - set(TrackerConfig().series_of(a))
    assert dyads == {("USA", "all@RUS"), ("RUS", "all@USA")}
    assert groups == {("USA", "cooperation@RUS"), ("RUS", "cooperation@USA")}
    assert terms == {(c, f"~{w}") for c in ("USA", "RUS") for w in ("shultz", "meets", "shevardnadze")}
    assert [plain_topic(t) for t in ("CONSULT@JPN", "all@JPN", "~shultz", "PROTEST")] == ["CONSULT", "all", "all",
                                                                                           "PROTEST"]  # fmt: skip


def test_a_development_back_within_two_days_is_the_same_one_later_a_new_one() -> None:
    first = development("howe", "GBR", VISIT[:3], START + timedelta(days=7, hours=9))
    titles = ["HOWE AND SHEVARDNADZE RESUME", "SHEVARDNADZE HOSTS HOWE AGAIN", "HOWE SHEVARDNADZE ROUND CLOSES"]
    back = development("back", "GBR", titles, START + timedelta(days=8, hours=15))
    later = development("later", "GBR", titles, START + timedelta(days=10, hours=16))
    raised = developments([*routine(days=11), *first, *back, *later], Developments())
    assert [r.alert.top_articles[0].id for r in raised] == ["howe-0", "later-0"]
