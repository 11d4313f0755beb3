"""Seasonal profiles (streams/core/seasons.py) against a brute-force reference, and what they change."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from streams.core.seasons import Seasons, region_of, slots

HOUR, DAY = 3_600, 86_400
M = 10.0  # the strength both sides use


def reference(history: list[tuple[int, int, dict[str, int], dict[str, int]]], country: str, start: int,
              size: int, half_life: float) -> float:  # fmt: skip
    """The factor recomputed from scratch: every window with news weighted by decay^(windows since)."""
    live = [h for h in history if h[1] > 0]
    decay = 0.5 ** (1.0 / half_life)
    weights = [decay ** (len(live) - 1 - i) for i in range(len(live))]
    region = region_of(country)
    result = 1.0
    for slot in slots(start, size):
        kind = slot[0]
        in_slot = [(w, h) for w, h in zip(weights, live, strict=True) if slot in slots(h[0], size)]
        in_kind = [(w, h) for w, h in zip(weights, live, strict=True) if any(s[0] == kind for s in slots(h[0], size))]
        volume = sum(w * h[1] for w, h in in_slot)
        total = sum(w * h[1] for w, h in in_kind)
        regional = sum(w * h[2].get(region or "", 0) for w, h in in_slot)
        rho = sum(w * h[2].get(region or "", 0) for w, h in in_kind) / total
        g = (regional + M) / (volume + M / rho) / rho if rho > 0 else 1.0
        hits = sum(w * h[3].get(country, 0) for w, h in in_slot)
        share = sum(w * h[3].get(country, 0) for w, h in in_kind) / total
        result *= (hits + M) / (volume + M / (share * g)) / share if share > 0 else g
    return min(10.0, max(0.1, result))


@pytest.mark.parametrize("size", [HOUR, 6 * HOUR, DAY])
def test_factors_equal_a_brute_force_reference(size: int) -> None:
    rng = random.Random(size)
    seasons = Seasons({}, size=size, half_life=50.0, strength=M)
    history: list[tuple[int, int, dict[str, int], dict[str, int]]] = []
    start = 1_700_000_000 - 1_700_000_000 % DAY
    for n in range(600 if size == HOUR else 120):
        when = start + n * size
        if rng.random() < 0.1:  # an outage: nothing at all
            history.append((when, 0, {}, {}))
            seasons.learn_news(when, 0, {})
            continue
        hour = when // HOUR % 24
        jpn = rng.randint(5, 20) if hour < 8 else rng.randint(0, 2)
        fra = rng.randint(0, 6)
        volume = 40 + jpn + fra + rng.randint(0, 30)
        regions = {"asia-pacific": jpn + rng.randint(0, 3), "europe-africa": fra + rng.randint(0, 5)}
        countries = {"JPN": jpn, "FRA": fra} if rng.random() < 0.9 else {"FRA": fra}
        history.append((when, volume, regions, countries))
        seasons.learn_news(when, volume, regions)
        for country, stories in countries.items():
            if stories:
                seasons.learn_series(when, {country: stories})
        if n % 37 == 0 and n:
            for country in ("JPN", "FRA", "KOR", "CHL"):
                for probe in (when, when + 3 * HOUR, when + 13 * HOUR):
                    assert seasons.factor(country, probe) == pytest.approx(
                        reference(history, country, probe, size, 50.0), rel=1e-9
                    )


def test_a_country_with_no_history_borrows_its_region_and_an_unknown_one_is_flat() -> None:
    seasons = Seasons({}, size=HOUR, half_life=500.0)
    for day in range(10):
        for hour in range(24):
            when = day * DAY + hour * HOUR
            asia = 20 if hour < 8 else 1
            seasons.learn_news(when, 100, {"asia-pacific": asia})
            seasons.learn_series(when, {"JPN": asia})
    morning, evening = seasons.factor("KOR", 3 * HOUR), seasons.factor("KOR", 18 * HOUR)
    assert morning > 2.0 and evening < 0.3
    assert seasons.factor("XXX", 3 * HOUR) == pytest.approx(1.0)


def test_an_outage_leaves_the_profiles_as_they_were() -> None:
    store: dict[str, object] = {}
    seasons = Seasons(store, size=HOUR, half_life=48.0)
    for hour in range(72):
        seasons.learn_news(hour * HOUR, 50, {"asia-pacific": 10 if hour % 24 < 8 else 0})
        seasons.learn_series(hour * HOUR, {"JPN": 10 if hour % 24 < 8 else 0})
    before = seasons.factor("JPN", 2 * HOUR)
    for hour in range(72, 72 + 24 * 56):  # eight weeks without an article
        seasons.learn_news(hour * HOUR, 0, {})
    assert seasons.factor("JPN", 2 * HOUR + int(timedelta(days=56).total_seconds())) == pytest.approx(before, rel=1e-12)


def slot_reference(live: list[tuple[float, tuple[int, int, dict[str, int], dict[str, int]]]], profile: str, slot: str,
                   size: int) -> float:  # fmt: skip
    """One slot's factor of a country or a country's topic, from the weighted windows with news."""
    kind = slot[0]
    in_slot = [(w, h) for w, h in live if slot in slots(h[0], size)]
    in_kind = [(w, h) for w, h in live if any(s[0] == kind for s in slots(h[0], size))]
    volume = sum(w * h[1] for w, h in in_slot)
    total = sum(w * h[1] for w, h in in_kind)
    country, _, topic = profile.partition("|")
    if topic:
        g = slot_reference(live, country, slot, size)
    else:
        region = region_of(country) or ""
        regional = sum(w * h[2].get(region, 0) for w, h in in_slot)
        rho = sum(w * h[2].get(region, 0) for w, h in in_kind) / total
        g = (regional + M) / (volume + M / rho) / rho if rho > 0 else 1.0
    hits = sum(w * h[3].get(profile, 0) for w, h in in_slot)
    share = sum(w * h[3].get(profile, 0) for w, h in in_kind) / total
    return (hits + M) / (volume + M / (share * g)) / share if share > 0 else g


@pytest.mark.parametrize("size", [HOUR, DAY])
def test_a_topics_own_factors_equal_a_brute_force_reference(size: int) -> None:
    """A country's topic learns its own profile, shrunk toward its country's (seasons.py)."""
    rng = random.Random(size + 1)
    seasons = Seasons({}, size=size, half_life=40.0, strength=M)
    history: list[tuple[int, int, dict[str, int], dict[str, int]]] = []
    start = 1_700_000_000 - 1_700_000_000 % DAY
    decay = 0.5 ** (1.0 / 40.0)
    for n in range(400 if size == HOUR else 100):
        when = start + n * size
        if rng.random() < 0.1:  # an outage: neither the country's nor the topic's profile moves
            history.append((when, 0, {}, {}))
            seasons.learn_news(when, 0, {})
            continue
        hour = when // HOUR % 24
        usa = rng.randint(0, 3) if hour < 8 else rng.randint(4, 15)  # American hours...
        consult = rng.randint(2, 6) if hour < 8 else rng.randint(0, 1)  # ...its talks with Tokyo in its morning
        volume = 50 + usa + rng.randint(0, 30)
        regions = {"americas": usa + rng.randint(0, 4)}
        profiles = {"USA": usa + consult, "USA|CONSULT": consult} if rng.random() < 0.8 else {"USA": usa}
        history.append((when, volume, regions, profiles))
        seasons.learn_news(when, volume, regions)
        seasons.learn_series(when, {profile: stories for profile, stories in profiles.items() if stories})
        if n % 23 == 0 and n:
            live = [h for h in history if h[1] > 0]
            weighted = [(decay ** (len(live) - 1 - i), h) for i, h in enumerate(live)]
            for profile in ("USA|CONSULT", "USA", "USA|REJECT"):  # REJECT: no history, its country's profile
                for probe in (when, when + 3 * HOUR, when + 15 * HOUR):
                    expected = 1.0
                    for slot in slots(probe, size):
                        expected *= slot_reference(weighted, profile, slot, size)
                    assert seasons.factor(profile, probe) == pytest.approx(min(10.0, max(0.1, expected)), rel=1e-9)
    if size == HOUR:  # what it is for: the topic's morning is its own, not its country's
        morning, evening = start + 3 * HOUR, start + 15 * HOUR
        consult = seasons.factor("USA|CONSULT", morning) / seasons.factor("USA|CONSULT", evening)
        assert consult > 2 * seasons.factor("USA", morning) / seasons.factor("USA", evening)
        assert seasons.factor("USA|REJECT", morning) == seasons.factor("USA", morning)


@pytest.mark.parametrize("size", [HOUR, 30 * 60, 6 * HOUR, DAY])
def test_volume_weight_equals_a_brute_force_reference(size: int) -> None:
    """How many times an average window's news a window usually has by its hour of day (the volume floor's scale)."""
    rng = random.Random(size + 2)
    seasons = Seasons({}, size=size, half_life=60.0, strength=M)
    history: list[tuple[int, int]] = []
    start = 1_700_000_000 - 1_700_000_000 % DAY
    decay = 0.5 ** (1.0 / 60.0)
    for n in range(300 if size < DAY else 40):
        when = start + n * size
        hour = when // HOUR % 24
        volume = 0 if rng.random() < 0.1 else rng.randint(30, 60) if 8 <= hour < 20 else rng.randint(0, 6)
        history.append((when, volume))  # an outage or an empty night: no window with news, no decay
        seasons.learn_news(when, volume, {})
        live = [h for h in history if h[1] > 0]
        weighted = [(decay ** (len(live) - 1 - i), h) for i, h in enumerate(live)]
        total = sum(w * v for w, (_, v) in weighted)
        for probe in (when + size, when + 3 * HOUR, when + 14 * HOUR, when + 22 * HOUR):
            if size >= DAY or total == 0:
                expected = 1.0
            else:  # the hour's share of the day's news, times the windows a day (an hour's shorter windows: 24)
                in_hour = sum(w * v for w, (t, v) in weighted if t // HOUR % 24 == probe // HOUR % 24)
                expected = in_hour / total * DAY / max(size, HOUR)
            assert seasons.volume_weight(probe) == pytest.approx(expected, rel=1e-9)
    if size == HOUR:  # what it is for: a night hour has a fraction of a day-time hour's news
        assert seasons.volume_weight(start + 2 * HOUR) < 0.3 < 1.5 < seasons.volume_weight(start + 14 * HOUR)


def test_volume_weight_is_flat_before_any_news() -> None:
    assert Seasons({}, size=HOUR, half_life=60.0).volume_weight(3 * HOUR) == 1.0


@pytest.mark.parametrize("size", [HOUR, 30 * 60, DAY])
def test_usual_volume_equals_a_brute_force_reference(size: int) -> None:
    """The mean news of a window with news, decayed as the profiles are (the thin-day floor's scale)."""
    rng = random.Random(size + 3)
    seasons = Seasons({}, size=size, half_life=60.0, strength=M)
    assert seasons.usual_volume() == 0.0  # nothing learned: no floor
    live: list[int] = []
    decay = 0.5 ** (1.0 / 60.0)
    start = 1_700_000_000 - 1_700_000_000 % DAY
    for n in range(300 if size < DAY else 60):
        when = start + n * size
        volume = 0 if rng.random() < 0.15 else rng.randint(1, 80)  # an outage: not a window of no news
        seasons.learn_news(when, volume, {})
        if volume:
            live.append(volume)
        weights = [decay ** (len(live) - 1 - i) for i in range(len(live))]
        expected = sum(w * v for w, v in zip(weights, live, strict=True)) / sum(weights) if live else 0.0
        assert seasons.usual_volume() == pytest.approx(expected, rel=1e-9)


def test_usual_exposure_equals_a_brute_force_reference() -> None:
    """The share of a day's usual news in by `now`, each hour's part times the profile's factor then."""
    rng = random.Random(11)
    seasons = Seasons({}, size=HOUR, half_life=50.0, strength=M)
    history: list[tuple[int, int, dict[str, int], dict[str, int]]] = []
    start = 1_700_000_000 - 1_700_000_000 % DAY
    for n in range(24 * 12):
        when = start + n * HOUR
        hour = when // HOUR % 24
        if rng.random() < 0.1 or (n // 24 % 7 in (2, 3) and hour >= 8):  # outages, and thin days' empty hours
            history.append((when, 0, {}, {}))
            seasons.learn_news(when, 0, {})
            continue
        jpn = rng.randint(5, 20) if hour < 8 else rng.randint(0, 2)
        volume = 10 + jpn + (rng.randint(20, 60) if 8 <= hour < 20 else rng.randint(0, 8))
        regions, countries = {"asia-pacific": jpn + rng.randint(0, 3)}, {"JPN": jpn}
        history.append((when, volume, regions, countries))
        seasons.learn_news(when, volume, regions)
        if jpn:
            seasons.learn_series(when, countries)
    live = [h for h in history if h[1] > 0]
    decay = 0.5 ** (1.0 / 50.0)
    weights = [decay ** (len(live) - 1 - i) for i in range(len(live))]
    in_hour = [sum(w * h[1] for w, h in zip(weights, live, strict=True) if h[0] // HOUR % 24 == k) for k in range(24)]
    day = start + 12 * DAY
    for now in (day + 90 * 60, day + 7 * HOUR + 1_200, day + 15 * HOUR, day + 2 * DAY):
        for country in ("JPN", "KOR", "FRA"):
            elapsed = sum(in_hour[k] * min(1.0, (now - (day + k * HOUR)) / HOUR)
                          * reference(history, country, day + k * HOUR, HOUR, 50.0)
                          for k in range(24) if day + k * HOUR < now)  # fmt: skip
            expected = elapsed / sum(in_hour)
            assert seasons.usual_exposure(country, day, DAY, now) == pytest.approx(expected, rel=1e-9)
    # What it is for: by 07:00 a day has a small part of its news, most of it Japan's morning.
    japan, france = (seasons.usual_exposure(country, day, DAY, day + 7 * HOUR) for country in ("JPN", "FRA"))
    assert japan > 2 * france and france < 0.3
