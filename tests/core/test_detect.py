"""Detectors: tail maths against brute force, the statistic against a reference, spike behaviour."""

from __future__ import annotations

import math

import pytest

from streams.core.detect import FixedThreshold, GammaPoisson, GammaPoissonRate, ZScore, negbin_log10_sf, severity_of


def brute_negbin_sf(observed: int, r: float, p: float) -> float:
    below = sum(
        math.exp(math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1) + r * math.log(p) + k * math.log(1 - p))
        for k in range(observed)
    )
    return math.log10(1 - below)


@pytest.mark.parametrize(
    ("observed", "r", "p"), [(3, 0.5, 0.9), (5, 2.0, 0.5), (12, 30.0, 0.3), (2, 0.1, 0.99), (40, 50.0, 0.6)]
)
def test_negbin_tail_matches_brute_force(observed: int, r: float, p: float) -> None:
    assert negbin_log10_sf(observed, r, p) == pytest.approx(brute_negbin_sf(observed, r, p), abs=1e-6)


def test_negbin_tail_keeps_precision_far_out() -> None:
    # Poisson-like (r large) with mean 1: P(Y ≥ 40) ≈ e^-1 / 40! — far below float's 1 - sum precision.
    expected = math.log10(math.exp(-1) / math.factorial(40))
    assert negbin_log10_sf(40, 1e6, 1e6 / (1e6 + 1)) == pytest.approx(expected, rel=1e-3)


def test_rate_update_and_revert_match_a_reference_sum() -> None:
    rate = GammaPoissonRate(prior_share=0.02, prior_strength=2.0, decay=0.9)
    windows = [(3, 100), (0, 80), (7, 120), (2, 90)]
    for hits, volume in windows:
        rate.update(hits, volume)
    hits = sum(h * 0.9 ** (len(windows) - 1 - i) for i, (h, _) in enumerate(windows))
    volume = sum(v * 0.9 ** (len(windows) - 1 - i) for i, (_, v) in enumerate(windows))
    assert rate.get() == pytest.approx((2.0 + hits) / (100.0 + volume))
    rate.revert(2, 90)
    assert rate.hits == pytest.approx(sum(h * 0.9 ** (2 - i) for i, (h, _) in enumerate(windows[:3])))


def learned(detector: GammaPoisson, share: float, volume: int, windows: int = 100) -> dict[str, float]:
    state = detector.fresh()
    for _ in range(windows):
        state = detector.update(state, round(share * volume), volume, robust=False)
    return state


def test_busy_series_small_rise_is_not_a_spike() -> None:
    detector = GammaPoisson()
    state = learned(detector, 0.3, 1_000)
    assert detector.judge(state, 320, 1_000).severity is None


def test_volume_doubling_is_not_a_spike() -> None:
    detector = GammaPoisson()
    state = learned(detector, 0.3, 1_000)
    assert detector.judge(state, 600, 2_000).severity is None


def test_quiet_country_going_to_twelve_stories_is_a_spike() -> None:
    detector = GammaPoisson()
    state = learned(detector, 0.0, 500, windows=48)
    verdict = detector.judge(state, 12, 500)
    assert verdict.severity in ("high", "critical")
    assert verdict.expected < 0.5


def test_cold_series_needs_no_history_to_judge() -> None:
    detector = GammaPoisson()
    verdict = detector.judge(detector.fresh(), 0, 0)
    assert verdict.severity is None and math.isfinite(verdict.expected)


def test_winsorised_update_keeps_a_surge_from_becoming_its_baseline() -> None:
    detector = GammaPoisson()
    state = learned(detector, 0.01, 500)
    surged = detector.update(state, 80, 500, robust=True)
    assert detector.judge(surged, 80, 500).severity is not None


@pytest.mark.parametrize(
    ("score", "severity"), [(0.0, None), (4.0, "low"), (6.5, "medium"), (9.0, "high"), (99, "critical")]
)
def test_severity_thresholds(score: float, severity: str | None) -> None:
    assert severity_of(score, (4.0, 6.0, 9.0, 14.0)) == severity


def test_peers_follow_the_protocol() -> None:
    fixed, zscore = FixedThreshold(threshold=10), ZScore(min_windows=3)
    assert fixed.judge(fixed.fresh(), 12, 100).severity == "low"
    state = zscore.fresh()
    for count in (5, 5, 5):
        state = zscore.update(state, count, 100)
    assert zscore.judge(state, 5, 100).severity is None  # zero deviation: floored, no division by zero
    assert zscore.judge(state, 9, 100).severity is not None
    assert {d.name for d in (fixed, zscore, GammaPoisson())} == {"fixed-threshold", "z-score", "gamma-poisson"}
