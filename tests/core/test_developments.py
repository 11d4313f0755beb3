"""streams/core/developments.py: story clusters of one country, against a brute-force reference.

Synthetic titles of our own (no Reuters text): a week of routine political headlines, then developments.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas import Alert, CountryMention, TaggedArticle
from streams.core.dedupe import encode, sketch
from streams.core.developments import DAY, DevelopmentRules, Developments, chance_size, surprise, words_of
from streams.core.windows import to_seconds

START = datetime(1987, 3, 2, tzinfo=UTC)
ROUTINE = ["USA", "GBR", "FRA", "DEU", "JPN"]
FILLER = ["budget", "tariff", "dollar", "reform", "farm", "missile", "summit", "pact", "deficit", "oil"]


def article(id_: str, country: str, title: str, at: datetime, source: str, topics: tuple[str, ...] = ("CONSULT",),
            others: tuple[str, ...] = ()) -> TaggedArticle:  # fmt: skip
    countries = [CountryMention(code=c, role="location", mentions=1, score=0.9) for c in (country, *others)]
    return TaggedArticle(id=id_, source=source, title=title, published_at=at, topics=list(topics),
                         countries=countries, fingerprint=encode(sketch(f"{id_} {title}")),
                         tagger_version="test")  # fmt: skip


def routine(days: int = 7) -> list[TaggedArticle]:
    """Twenty stories an hour, titles of two common words and a number: nothing links."""
    rng = random.Random(3)
    return [
        article(f"bg-{hour}-{n}", ROUTINE[(hour + n) % 5], f"{rng.choice(FILLER).upper()} TALKS ROUND {hour * 20 + n}",
                START + timedelta(hours=hour, minutes=3 * n), f"outlet{n % 7}")
        for hour in range(24 * days) for n in range(20)
    ]  # fmt: skip


def development(prefix: str, country: str, titles: list[str], at: datetime, sources: int = 3) -> list[TaggedArticle]:
    return [article(f"{prefix}-{n}", country, title, at + timedelta(hours=2 * n), f"wire{n % sources}")
            for n, title in enumerate(titles)]  # fmt: skip


def run(tagged: list[TaggedArticle], finder: Developments | None = None) -> list[Alert]:
    """Every story once (each article its own story), in event-time order, stream time at each: the alert steps."""
    finder = finder or Developments({})
    out = []
    for a in sorted(tagged, key=lambda a: (a.published_at, a.id)):
        ts = to_seconds(a.published_at)
        out += [s.alert for s in finder.advance(ts)]
        out += [s.alert for s in finder.observe(a, a.id, ts)]
    return out


def opened(alerts: list[Alert]) -> list[tuple[str, list[str]]]:
    return [(a.country, [t.id for t in a.top_articles]) for a in alerts if a.status == "open"]


VISIT = ["SHEVARDNADZE RECEIVES FOREIGN SECRETARY HOWE", "HOWE BEGINS TALKS WITH SHEVARDNADZE",
         "SHEVARDNADZE AND HOWE END MISSILE DISCUSSIONS", "HOWE LEAVES AFTER SHEVARDNADZE MEETING"]  # fmt: skip


def test_three_stories_sharing_two_salient_words_alert_once_at_the_third_and_explain_themselves() -> None:
    dev = development("howe", "GBR", VISIT, START + timedelta(days=7, hours=9))
    alerts = run([*routine(), *dev])
    assert opened(alerts) == [("GBR", ["howe-0", "howe-1", "howe-2"])]
    alert = alerts[0]
    assert (alert.topic, alert.window, alert.severity, alert.observed, alert.sources) == ("CONSULT", "dev", "low", 3, 3)
    assert alert.window_start == dev[0].published_at and alert.window_end == dev[2].published_at
    # Chance: GBR has no candidate pairs of its own yet (the prior link rate), and three candidates today.
    assert (alert.expected, alert.score) == (round(chance_size(3, 0.03), 4), round(surprise(3, 3, 0.03), 6))
    assert alert.expected == 1.0638 and alert.ratio == 2.82 and "chance clusters 1.06" in alert.summary
    assert "«howe, shevardnadze»" in alert.summary and "3 stories from 3 sources" in alert.summary


def made_up(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)).upper()


def lone(country: str, at: datetime, every: timedelta, n: int, seed: int) -> list[TaggedArticle]:
    """`n` candidates of a country, each of two words of its own: they link to nothing."""
    rng = random.Random(seed)
    return [article(f"lone-{seed}-{k}", country, f"{made_up(rng)} {made_up(rng)}", at + k * every, f"wire{k % 3}")
            for k in range(n)]  # fmt: skip


def test_what_chance_expects_follows_the_countrys_stories_of_the_day_and_how_often_its_pairs_link() -> None:
    at = START + timedelta(days=7, hours=9)
    dev = development("howe", "GBR", VISIT[:3], at)

    def alert(*extra: list[TaggedArticle]) -> Alert:
        tagged = [*routine(), *dev, *(a for e in extra for a in e)]
        return next(a for a in run(tagged, Developments({}, rules=DevelopmentRules(min_score=0))) if a.status == "open")

    alone = alert()
    busy = alert(lone("GBR", at - timedelta(hours=8), timedelta(minutes=20), 12, seed=1))  # 12 more candidates today
    assert (busy.expected, busy.score) == (round(chance_size(15, 0.03), 4), round(surprise(3, 15, 0.03), 6))
    assert busy.expected > alone.expected and busy.score < alone.score
    # In the week before: GBR candidates that never link, 12 on each of three days two days apart (3 × 66 pairs).
    quiet = [a for d in (2, 4, 6) for a in lone("GBR", START + timedelta(days=d), timedelta(minutes=30), 12, seed=d)]
    learned = alert(quiet)
    p = 0.03 * 20 / (3 * 66 + 20)
    assert learned.expected == round(chance_size(3, p), 4) and learned.score > alone.score
    assert f"{p:.1%} of its story pairs link" in learned.summary
    # Outages are not quiet news: a month with no story at all keeps the rate learned before it.
    gap = timedelta(days=30)  # then two days of news (word frequencies need a history), then the development
    later = [a.model_copy(update={"published_at": a.published_at + gap}) for a in dev]
    gapped = [*routine(), *quiet, *(a.model_copy(update={"published_at": a.published_at + gap + timedelta(days=6)})
                                    for a in routine(days=2)), *later]  # fmt: skip
    after = next(a for a in run(gapped, Developments({}, rules=DevelopmentRules(min_score=0))) if a.status == "open")
    assert (after.expected, after.score) == (learned.expected, learned.score)


def test_a_development_scoring_below_the_gate_does_not_alert() -> None:
    at = START + timedelta(days=7, hours=9)
    tagged = [*routine(), *development("howe", "GBR", VISIT[:3], at)]
    score = surprise(3, 3, 0.03)
    assert len(run(tagged, Developments({}, rules=DevelopmentRules(min_score=score - 0.01)))) == 1
    assert run(tagged, Developments({}, rules=DevelopmentRules(min_score=score + 0.01))) == []


def component_sizes(n: int, p: float, trials: int, seed: int) -> list[int]:
    """Brute force: the size of one vertex's component in random graphs of `n` vertices, each pair linked with
    probability `p`, explored link by link (the new neighbours among the unvisited by geometric skips)."""
    rng, skip, sizes = random.Random(seed), math.log(1 - p), []
    for _ in range(trials):
        unvisited, active, size = n - 1, 1, 0
        while active:
            active, size = active - 1, size + 1
            found, at = 0, int(math.log(1 - rng.random()) / skip)
            while at < unvisited:
                found, at = found + 1, at + 1 + int(math.log(1 - rng.random()) / skip)
            unvisited, active = unvisited - found, active + found
        sizes.append(size)
    return sizes


def test_the_chance_cluster_is_a_random_graphs_component() -> None:
    """chance_size and surprise against component sizes drawn from random graphs of many stories."""
    for m in (0.1, 0.5, 0.8):
        n, trials = 5000, 20000
        sizes = component_sizes(n, m / (n - 1), trials, seed=int(m * 10))
        mean = sum(sizes) / trials
        assert abs(mean - chance_size(n, m / (n - 1))) < 0.05 * chance_size(n, m / (n - 1)) + 0.02
        for size in (2, 3, 5):
            share = sum(s >= size for s in sizes) / trials
            expected = 10 ** -surprise(size, n, m / (n - 1))
            assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / trials) + 0.003, (m, size)
    # Far in the tail the score keeps rising (no round-off to 0); a giant cluster (m >= 1) is no surprise at all.
    assert 0 < surprise(30, 23, 0.0058) < surprise(60, 23, 0.0058) < 300
    assert chance_size(50, 0.05) == 50.0 and surprise(3, 50, 0.05) < 0.5


def test_one_outlet_does_not_make_a_development() -> None:
    dev = development("howe", "GBR", VISIT, START + timedelta(days=7, hours=9), sources=1)
    assert run([*routine(), *dev]) == []
    assert len(opened(run([*routine(), *dev], Developments({}, rules=DevelopmentRules(sources=1))))) == 1


def test_words_common_in_the_week_before_yesterday_and_places_do_not_link_stories() -> None:
    at = START + timedelta(days=7, hours=9)
    common = development("common", "DEU", ["BUDGET TALKS ROUND ONE", "BUDGET TALKS ROUND TWO", "BUDGET TALKS RESUME"],
                         at)  # fmt: skip
    places = development("place", "FRA", ["FRANCE ANGERS JAPAN", "JAPAN SNUBS FRANCE", "FRANCE AND JAPAN QUARREL"], at)
    assert run([*routine(), *common, *places]) == []
    # The same titles after two days of unrelated news: nothing is common, so the budget stories link.
    other = [a.model_copy(update={"title": f"HEADLINE {a.id.upper()}"}) for a in routine(days=2)]
    assert [a.country for a in run([*other, *common])] == ["DEU"]


def test_no_development_before_a_day_and_a_quarter_of_history() -> None:
    assert run(development("howe", "GBR", VISIT, START)) == []
    early = [a for a in routine(days=1)]
    assert run([*early, *development("howe", "GBR", VISIT, START + timedelta(days=1, hours=2))]) == []
    assert len(run([*early, *development("howe", "GBR", VISIT, START + timedelta(days=1, hours=6))])) == 1


def test_stories_without_an_event_or_of_a_country_not_owned_are_no_candidates() -> None:
    dev = development("howe", "GBR", VISIT, START + timedelta(days=7))
    assert run([*routine(), *(a.model_copy(update={"topics": []}) for a in dev)]) == []
    assert run([*routine(), *dev], Developments({}, owns=lambda country: country != "GBR")) == []


def test_an_alert_updates_as_it_grows_and_resolves_a_day_after_its_last_story() -> None:
    titles = [*VISIT, "HOWE SHEVARDNADZE FINAL COMMUNIQUE", "SHEVARDNADZE THANKS HOWE"]
    dev = development("howe", "GBR", titles, START + timedelta(days=7, hours=9))
    after = [article("late", "USA", "UNRELATED MATTER", dev[-1].published_at + timedelta(days=1, minutes=1), "w")]
    steps = [(a.status, a.revision, a.observed) for a in run([*routine(), *dev, *after])]
    assert steps == [("open", 0, 3), ("update", 1, 5), ("resolved", 2, 5)]


def test_a_development_back_within_two_days_is_the_same_one_later_a_new_one() -> None:
    first = development("howe", "GBR", VISIT[:3], START + timedelta(days=7, hours=9))
    titles = ["HOWE AND SHEVARDNADZE RESUME", "SHEVARDNADZE HOSTS HOWE AGAIN", "HOWE SHEVARDNADZE ROUND CLOSES"]
    back = development("back", "GBR", titles, START + timedelta(days=8, hours=15))
    later = development("later", "GBR", titles, START + timedelta(days=10, hours=16))
    # Ungated: GBR's only pairs before `later` are these developments', all linked, so chance would make it.
    alerts = run([*routine(days=11), *first, *back, *later], Developments({}, rules=DevelopmentRules(min_score=0)))
    assert [a.top_articles[0].id for a in alerts if a.status == "open"] == ["howe-0", "later-0"]
    assert [a.top_articles[0].id for a in run([*routine(days=11), *first, *back, *later]) if a.status == "open"] == [
        "howe-0"]  # fmt: skip


def test_the_store_keeps_a_week_of_words_and_a_day_of_candidates() -> None:
    store: dict[str, Any] = {}
    finder = Developments(store)
    run([*routine(days=12), *development("howe", "GBR", VISIT, START + timedelta(days=11))], finder)
    buckets = {int(b) for b in store["dv:n"]}  # the week before the last day, and that day's
    assert max(buckets) - min(buckets) <= 8 * DAY
    words = {int(b) for k, v in store.items() if k.startswith("dv:w:") for b in v["d"]}
    assert min(words) >= max(buckets) - 8 * DAY
    now = to_seconds(START + timedelta(days=12))
    assert all(now - c[0] <= DAY for k, v in store.items() if k.startswith("dv:c:") for c in v["c"])
    finder.advance(now + 3 * DAY)  # a quiet stretch: candidates and developments expire
    assert not [k for k in store if k.startswith(("dv:c:", "dv:a:"))] and store["dv:open"] == []
    # A country's link counts: its newest 28 quarter-days with pairs before the last day, and that day's.
    many = [a for d in range(12) for a in lone("DEU", START + timedelta(days=d, hours=2), timedelta(hours=1), 20, d)]
    run(many, finder := Developments(store := {}))
    assert 28 < len(store["dv:p:DEU"]["d"]) <= 28 + 5


def reference(tagged: list[TaggedArticle], rules: DevelopmentRules) -> list[tuple[str, list[str], float]]:
    """Brute force: after each story, every country's candidates of the last day, their components by pairwise
    links, and the components that reach the gates and share too little with one alerted in the last two days.
    A story's salient words: those in at most 1 % (and 2) of the stories of the week before the last day, in
    whole quarter-days. What chance expects: from the country's candidates of the day, and its link rate over
    its pairs of candidates a day apart or less whose later one is of its newest 28 quarter-days with pairs
    before the last day; held back when chance makes it more than `min_score` says."""
    stories: list[tuple[int, str, frozenset[str], TaggedArticle]] = []
    candidates: list[tuple[int, str, frozenset[str], TaggedArticle]] = []
    alerted: list[tuple[int, str, set[str]]] = []
    found = []
    for a in sorted(tagged, key=lambda a: (a.published_at, a.id)):
        ts, words = to_seconds(a.published_at), words_of(a.title)
        quarter = 6 * 3600
        newest = (ts - DAY) // quarter * quarter  # stories of the whole quarter-days before this one, for a week
        history = [s for s in stories if newest - 7 * DAY <= s[0] < newest]
        stories.append((ts, a.id, words, a))
        salient = frozenset(w for w in words if sum(w in s[2] for s in history) <= max(0.01 * len(history), 2))
        if not a.topics or len(salient) < rules.shared or not history:
            continue
        candidates.append((ts, a.id, salient, a))
        for country in dict.fromkeys(c.code for c in a.countries):
            mine = [c for c in candidates if ts - c[0] <= rules.span and country in {m.code for m in c[3].countries}]
            group, changed = {a.id: salient}, True
            while changed:
                changed = False
                for _, i, w, _ in mine:
                    if i not in group and any(len(w & g) >= rules.shared for g in group.values()):
                        group[i], changed = w, True
            if len(group) < rules.stories or len({c[3].source for c in mine if c[1] in group}) < rules.sources:
                continue
            words_in = set().union(*group.values())
            same = [d for d in alerted if d[1] == country and ts - d[0] <= rules.memory and
                    len(words_in & d[2]) >= rules.shared]  # fmt: skip
            if same:
                same[0][2].update(words_in)
                continue
            ours = [c for c in candidates if country in {m.code for m in c[3].countries}]
            pairs = [(x[0] // quarter, len(x[2] & y[2]) >= rules.shared) for n, x in enumerate(ours)
                     if x[0] < newest for y in ours[:n] if x[0] - y[0] <= rules.span]  # fmt: skip
            judged = sorted({b for b, _ in pairs})[-28:]  # its newest 28 quarter-days with pairs, however old
            pairs = [pair for pair in pairs if pair[0] in judged]
            p = (sum(linked for _, linked in pairs) + rules.prior_pairs * rules.prior_link) / (
                len(pairs) + rules.prior_pairs)  # fmt: skip
            if surprise(len(group), len(mine), p) < rules.min_score:
                continue
            alerted.append((ts, country, words_in))
            when = {c[1]: c[0] for c in candidates}
            expected = round(chance_size(len(mine), p), 4)
            found.append((country, sorted(group, key=lambda i: (when[i], i))[:5], expected))  # an alert lists five
    return found


def random_stream(stories: int, seed: int = 7) -> list[TaggedArticle]:
    """Stories every 25 minutes or so, of made-up words; three in ten take three words of a running development."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)).upper()

    tagged, at, running = [], START, [[word() for _ in range(3)]]
    for n in range(stories):
        at += timedelta(minutes=rng.expovariate(1 / 25))
        if rng.random() < 0.05:  # a new development, of five words of its own; an old one fades
            running = [*running[-3:], [word() for _ in range(5)]]
        words = [*rng.sample(rng.choice(running), 3), word()] if rng.random() < 0.3 else [word(), word()]
        country = rng.choice(["GBR", "DEU", "USA"])
        others = ("FRA",) if rng.random() < 0.2 else ()
        topics = ("CONSULT",) if rng.random() < 0.8 else ()
        tagged.append(article(f"r{n}", country, " ".join(words), at, f"wire{rng.randrange(3)}", topics, others))
    return tagged


def test_developments_equal_a_brute_force_reference_on_a_random_stream() -> None:
    tagged = random_stream(1200)
    got = [(a.country, [t.id for t in a.top_articles], a.expected) for a in run(tagged) if a.status == "open"]
    assert got == reference(tagged, DevelopmentRules())
    assert len(got) >= 5  # the stream does make developments
    assert len({e for _, _, e in got}) >= 3  # of different expectations
    ungated = DevelopmentRules(min_score=0)
    every = [(a.country, [t.id for t in a.top_articles], a.expected)
             for a in run(tagged, Developments({}, rules=ungated)) if a.status == "open"]  # fmt: skip
    assert every == reference(tagged, ungated) and len(every) > len(got)  # the gate held some back


def incident_steps(tagged: list[TaggedArticle], developments: bool = True) -> list[Alert]:
    from streams.core.config import TrackerConfig
    from streams.core.replay import replay

    config = TrackerConfig(developments=developments)
    return [alert for seen in replay(tagged, config, finish=True) for alert in seen.alerts]


def test_a_development_opens_its_own_incident_and_resolves_it_only_with_the_setting_on() -> None:
    dev = development("howe", "GBR", VISIT, START + timedelta(days=7, hours=9))
    after = [article("late", "USA", "UNRELATED MATTER", START + timedelta(days=9), "w")]
    steps = [a for a in incident_steps([*routine(days=8), *dev, *after]) if a.country == "GBR"]
    assert [(a.status, a.window, a.observed) for a in steps] == [("open", "dev", 3), ("resolved", "dev", 3)]
    assert steps[0].alert_id == steps[1].alert_id and "development" in steps[0].summary
    assert steps[0].expected == 1.0638 and "chance clusters 1.06" in steps[0].summary  # explained as it was raised
    assert [t.id for t in steps[0].top_articles] == ["howe-0", "howe-1", "howe-2"]
    assert not [a for a in incident_steps([*routine(days=8), *dev, *after], developments=False) if a.country == "GBR"]


def test_a_development_and_a_series_on_the_same_stories_are_one_incident() -> None:
    titles = ["MINERS STRIKE SHUTS PITS", "PITS IDLE AS MINERS STRIKE", "MINERS STRIKE SPREADS TO MORE PITS"]
    at = START + timedelta(days=7, hours=9)
    burst = [article(f"pits-{n}", "GBR", title, at + timedelta(minutes=10 * n), f"wire{n}", ("PROTEST", "unrest"))
             for n, title in enumerate(titles)]  # fmt: skip
    assert opened(run([*routine(days=8), *burst])) == [("GBR", ["pits-0", "pits-1", "pits-2"])]  # it does alert
    steps = [a for a in incident_steps([*routine(days=8), *burst]) if a.country == "GBR" and a.status != "resolved"]
    assert [(a.status, a.window) for a in steps] == [("open", "1h")]  # the development joined it, nothing more
    alone = [a for a in incident_steps([*routine(days=8), *burst], developments=False) if a.country == "GBR"]
    assert [a.alert_id for a in alone if a.status == "open"] == [steps[0].alert_id]


def test_a_tracker_restarted_from_its_stored_state_raises_what_one_run_raises() -> None:
    """The state lives in the store (a changelogged table on the worker): a restart mid-development changes nothing."""
    import json

    from streams.core.config import UNLIMITED, TrackerConfig
    from streams.core.incidents import IncidentTracker

    titles = [*VISIT, "HOWE SHEVARDNADZE FINAL COMMUNIQUE", "SHEVARDNADZE THANKS HOWE"]
    dev = development("howe", "GBR", titles, START + timedelta(days=7, hours=9))
    after = [article("late", "USA", "UNRELATED MATTER", START + timedelta(days=9), "w")]
    tagged = sorted([*routine(days=8), *dev, *after], key=lambda a: (a.published_at, a.id))
    config = TrackerConfig(developments=True, max_ahead=UNLIMITED)  # event time trusted, as a worker's
    whole = [a for t in [IncidentTracker(config)] for x in tagged for a in t.observe(x).alerts]
    cut = next(n for n, a in enumerate(tagged) if a.id == "howe-3")  # after the alert opened, before it grows
    first = IncidentTracker(config)
    before = [a for x in tagged[:cut] for a in first.observe(x).alerts]
    restarted = IncidentTracker(config, json.loads(json.dumps(dict(first.store))))
    after_restart = [a for x in tagged[cut:] for a in restarted.observe(x).alerts]
    assert [a.model_dump() for a in before + after_restart] == [a.model_dump() for a in whole]
    assert [(a.status, a.window) for a in whole if a.country == "GBR"] == [("open", "dev"), ("update", "dev"),
                                                                          ("resolved", "dev")]  # fmt: skip


def test_the_function_word_list_is_lower_case_words_of_four_letters_or_more_each_once() -> None:
    import tomllib
    from importlib import resources

    words = tomllib.loads(resources.files("streams.core").joinpath("data/titlewords.toml").read_text())["function"]
    assert len(words) == len(set(words)) > 50
    assert all(w.isalpha() and w.islower() and len(w) >= 4 for w in words)
    assert words_of("Minister says talks will resume after the holidays") == {"minister", "talks", "resume", "holidays"}
