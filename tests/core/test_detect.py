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


def clustering_reference(counts: list[tuple[int, float]], detector: GammaPoisson) -> tuple[float, float, float]:
    """(hits, volume, overdispersion) recomputed from scratch: each window weighted by decay^(windows since).

    Window i is predicted from the windows before it (a Gamma posterior of the share with the prior
    added, its concentration capped); its squared deviation from that prediction, less the part
    the rate's own uncertainty explains (mean²/r), over the predictions, gives how clustered the
    series' stories are.
    """
    decay = 0.5 ** (1.0 / detector.half_life)
    squares = means = 0.0
    for i, (observed, volume) in enumerate(counts):
        weights = [decay ** (i - 1 - j) for j in range(i)]
        hits = sum(w * c for w, (c, _) in zip(weights, counts, strict=False))
        seen = sum(w * v for w, (_, v) in zip(weights, counts, strict=False))
        alpha, beta = detector.prior_strength + hits, detector.prior_strength / detector.prior_share + seen
        r = min(alpha, detector.max_dispersion)
        mean = volume * alpha / beta
        weight = decay ** (len(counts) - 1 - i)
        squares += weight * ((observed - mean) ** 2 - mean * mean / r)
        means += weight * mean
    n = len(counts)
    hits = sum(decay ** (n - 1 - j) * c for j, (c, _) in enumerate(counts))
    volume = sum(decay ** (n - 1 - j) * v for j, (_, v) in enumerate(counts))
    prior = detector.dispersion_prior
    return hits, volume, max(1.0, min(detector.max_overdispersion, (prior + squares) / (prior + means)))


@pytest.mark.parametrize("bursty", [False, True])
def test_clustering_equals_a_brute_force_reference(bursty: bool) -> None:
    import random

    rng = random.Random(int(bursty))
    detector = GammaPoisson(half_life=30.0)
    state, counts = detector.fresh(), []
    for n in range(200):
        volume = rng.uniform(50, 150)
        if bursty:  # stories come six at a time, now and then
            observed = 6 * (rng.random() < 0.08)
        else:  # one by one, at the same mean
            observed = sum(rng.random() < 0.48 * volume / 100 / 10 for _ in range(10))
        counts.append((observed, volume))
        state = detector.update(state, observed, volume, robust=False)
        if n % 17 == 0:
            hits, seen, units = clustering_reference(counts, detector)
            assert (state["hits"], state["volume"]) == (pytest.approx(hits), pytest.approx(seen))
            assert detector.overdispersion(state) == pytest.approx(units, rel=1e-9)
    units = detector.overdispersion(state)
    assert (units > 2.5) if bursty else (units < 1.5)
    # Judged in independent units: observed and exposure both divided by the clustering.
    mean, _, _ = detector.predictive(state, 100.0)
    _, r, p = detector.predictive(state, 100.0 / units)
    expected = -brute_negbin_sf_fractional(12 / units, r, p)
    assert detector.judge(state, 12, 100.0).score == pytest.approx(expected, abs=1e-5)
    assert detector.judge(state, 12, 100.0).expected == pytest.approx(mean)


def brute_negbin_sf_fractional(observed: float, r: float, p: float) -> float:
    """log10 Σ_{j≥0} pmf(observed + j) of NegBin(r, p), summed far out (a count in units of several stories)."""
    total = sum(
        math.exp(math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1) + r * math.log(p) + k * math.log(1 - p))
        for k in (observed + j for j in range(20_000))
    )
    return math.log10(total)


def test_a_series_whose_stories_come_in_clusters_needs_more_of_them() -> None:
    detector = GammaPoisson()
    one_by_one, clustered = detector.fresh(), detector.fresh()
    for n in range(300):
        one_by_one = detector.update(one_by_one, 1 if n % 2 else 0, 100.0, robust=False)
        clustered = detector.update(clustered, 5 if n % 10 == 0 else 0, 100.0, robust=False)
    assert detector.overdispersion(one_by_one) == 1.0  # (even more regular than Poisson: floored at 1)
    assert detector.overdispersion(clustered) > 3.0
    # The same rate (half a story a window), the same window of 6: a spike for the one, routine for the other.
    assert detector.judge(one_by_one, 6, 100.0).severity is not None
    assert detector.judge(clustered, 6, 100.0).severity is None
