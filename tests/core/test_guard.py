"""The baseline's guard band (detect.py `GammaPoisson.update`): a rise is judged against the history before it."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from streams.core.detect import JSON, GammaPoisson

Window = tuple[int, float, float, float, float]  # index, count folded (winsorised), volume, predictive mean, r


def sums(windows: list[Window], now: int, decay: float) -> JSON:
    """hits, volume, sq, mu of `windows` seen from window `now`: each weighted by decay^(windows since)."""
    weight = {i: decay ** (now - 1 - i) for i, *_ in windows}
    return {"hits": sum(weight[i] * c for i, c, *_ in windows), "volume": sum(weight[i] * v for i, _, v, *_ in windows),
            "sq": sum(weight[i] * ((c - m) ** 2 - m * m / r) for i, c, _, m, r in windows),
            "mu": sum(weight[i] * m for i, _, _, m, _ in windows)}  # fmt: skip


def guarded_reference(counts: list[tuple[int, float]], detector: GammaPoisson) -> tuple[JSON, JSON, int]:
    """(baseline sums, held sums, windows held) recomputed from scratch over lists of windows.

    Each window is predicted from the windows joined before it. One scoring `resolve_below` or more
    against them, above its mean, once the joined volume is a half-life of windows like it, is held
    (at most `guard` at once); the first window that is not, or the one after `guard` held, joins
    with all the held ones.
    """
    decay = 0.5 ** (1.0 / detector.half_life)
    joined: list[Window] = []
    held: list[Window] = []
    for i, (observed, volume) in enumerate(counts):
        base = sums(joined, i, decay)
        alpha = detector.prior_strength + base["hits"]
        mean = volume * alpha / (detector.prior_strength / detector.prior_share + base["volume"])
        r = min(alpha, detector.max_dispersion)
        units = max(1.0, min(detector.max_overdispersion, (detector.dispersion_prior + base["sq"])
                             / (detector.dispersion_prior + base["mu"])))  # fmt: skip
        rising = (observed > mean and base["volume"] >= detector.half_life * volume and len(held) < detector.guard
                  and detector.judge(base, observed, volume).score >= detector.resolve_below)  # fmt: skip
        window = (i, min(observed, math.ceil(mean + 2.0 * math.sqrt(mean * units + mean * mean / r))), volume, mean, r)
        if rising:
            held.append(window)
        else:
            joined, held = [*joined, *held, window], []
    return sums(joined, len(counts), decay), sums(held, len(counts), decay), len(held)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_guard_band_equals_a_brute_force_reference(seed: int) -> None:
    rng = random.Random(seed)
    detector = GammaPoisson.for_window(timedelta(days=1))
    assert detector.guard == 3
    state, counts = detector.fresh(), []
    held_at_some_point = released_at_some_point = held_to_the_end = 0
    for n in range(160):
        volume = rng.uniform(400, 500)
        observed = sum(rng.random() < 0.2 for _ in range(8))  # about 1.6 a day
        if n % 40 >= 35:  # a build now and then: 4, 8, ... 20 stories on top over five days
            observed += 4 * (n % 40 - 34)
        if n % 31 == 30:  # a one-day burst
            observed += 9
        counts.append((observed, volume))
        before = state.get("held", {}).get("n", 0)
        state = detector.update(state, observed, volume)
        after = state.get("held", {}).get("n", 0)
        held_at_some_point += after > before
        released_at_some_point += before > 0 and after == 0
        held_to_the_end += before == detector.guard
        base, held, windows = guarded_reference(counts, detector)
        for name in ("hits", "volume", "sq", "mu"):
            assert state[name] == pytest.approx(base[name], rel=1e-9, abs=1e-9), (n, name)
            assert state.get("held", {}).get(name, 0.0) == pytest.approx(held[name], rel=1e-9, abs=1e-9), (n, name)
        assert after == windows
    assert held_at_some_point > 5 and released_at_some_point > 3  # the guard did act, both ways
    assert held_to_the_end > 0  # and a rise outlasted it


def test_guard_off_or_cold_holds_nothing() -> None:
    """guard=0, a series not warmed up (robust=False) or with under a half-life of history: nothing held."""
    off, on = GammaPoisson.for_window(timedelta(days=1), guard=0), GammaPoisson.for_window(timedelta(days=1))
    build = [1, 2, 1, 0, 2, 1, 1, 2, 0, 1] * 3 + [4, 8, 16]
    for detector, robust in ((off, True), (on, False)):
        state = detector.fresh()
        for observed in build:
            state = detector.update(state, observed, 400.0, robust=robust)
            assert "held" not in state
    state = on.fresh()
    for observed in [1, 1, 9, 12, 15]:  # a rise in the first days of a series' history
        state = on.update(state, observed, 400.0)
        assert "held" not in state


def learned_with_a_build(guard: bool, build: list[int]) -> list[tuple[float, str | None]]:
    """A series with about two stories a day for 60 days, then a slow build: each day's (score, severity)."""
    detector = GammaPoisson.for_window(timedelta(days=1), **({} if guard else {"guard": 0}))
    rng, state = random.Random(1), detector.fresh()
    for day in range(60):
        state = detector.update(state, sum(rng.random() < 0.2 for _ in range(10)), 500.0, robust=day > 0)
    judged = []
    for observed in build:
        verdict = detector.judge(state, observed, 500.0)
        judged.append((verdict.score, verdict.severity))
        state = detector.update(state, observed, 500.0)
    return judged


def test_a_slow_build_alerts_by_its_third_day_with_the_guard_and_not_without() -> None:
    build = [4, 6, 10]  # stories a day over three days, against about two a day before
    unguarded, guarded = learned_with_a_build(False, build), learned_with_a_build(True, build)
    assert all(severity is None for _, severity in unguarded)  # each day learned before the next: never surprising
    assert guarded[0] == unguarded[0] and guarded[1] == unguarded[1]  # the same history judges the first two days
    assert guarded[2][1] is not None and guarded[2][0] > unguarded[2][0] + 1.0


def test_a_rise_that_lasts_becomes_the_baseline_guard_windows_later() -> None:
    detector = GammaPoisson.for_window(timedelta(days=1))
    state = detector.fresh()
    for day in range(60):
        state = detector.update(state, 1 + day % 2, 500.0, robust=day > 0)
    severities = []
    for _ in range(12):  # a new level: ten a day from now on
        severities.append(detector.judge(state, 10, 500.0).severity)
        state = detector.update(state, 10, 500.0)
    assert state.get("held", {}).get("n", 0) == 0  # all joined
    assert severities[0] is not None and severities[-1] is None  # surprising at first, the new normal in the end
