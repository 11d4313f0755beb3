"""Spike detectors for one (country, topic) series of window counts.

A detector folds closed windows into a baseline (`update`) and judges a window, open or closed,
against it (`judge`). Its state is a JSON-able dict, so it lives in the changelogged store.

`GammaPoisson` (the default) models the stories of a series in a window as Poisson with rate
`share × volume`, where `volume` is all stories in that window and `share` the series' part of the
news. The share has a Gamma prior (mean `prior_share`, weight `prior_strength` pseudo-stories) and
an exponentially decayed posterior (`half_life` windows). Normalising by volume absorbs the daily
news cycle and global swings: when everything doubles, the expectation doubles too. The predictive
of a window is negative binomial; its concentration is capped at `max_dispersion` so that big,
busy series (USA 300 → 320) are judged with the extra-Poisson variance real news has. The score is
`-log10 P(Y ≥ observed)` under that predictive; severity comes from score thresholds (3.5, 5.5,
8.5, 13.5 for low … critical, read per series-day: `for_window` adds log10(windows per day), so
hourly windows need 4.9 for low), and a spike also needs `observed ≥ min_ratio × expected`. A
window scoring under `resolve_below` is back to baseline (hysteresis between open and resolve).
Windows folded into the baseline are winsorised at the predictive mean plus two standard
deviations (once the stream has warmed up), so a surge does not become its own baseline at once.

`FixedThreshold` and `ZScore` are the naive peers the benchmark compares against.

>>> detector = GammaPoisson()
>>> state = detector.fresh()
>>> for _ in range(48):
...     state = detector.update(state, observed=30, volume=100, robust=False)
>>> detector.judge(state, observed=33, volume=100).severity is None
True
>>> detector.judge(state, observed=90, volume=100).severity
'medium'
>>> detector.judge(state, observed=60, volume=200).severity is None
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, Self

from schemas.alert import SEVERITIES, Severity

JSON = dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    """A detector's judgement of one window: what it expected and how surprising it is."""

    expected: float
    score: float
    severity: Severity | None
    settled: bool = True  # back to baseline: an open alert may resolve (hysteresis below `low`)


class Detector(Protocol):
    """A pluggable spike detector; state is a JSON-able dict the tracker stores per series."""

    @property
    def name(self) -> str: ...

    def params(self) -> dict[str, float | int | str]: ...

    def fresh(self) -> JSON: ...

    def update(self, state: JSON, observed: int, volume: int, robust: bool = True) -> JSON:
        """Fold a closed window; `robust` damps outliers (off while the stream warms up)."""
        ...

    def judge(self, state: JSON, observed: int, volume: int) -> Verdict: ...


def severity_of(score: float, thresholds: tuple[float, float, float, float]) -> Severity | None:
    """The highest severity whose threshold `score` reaches (thresholds low→critical)."""
    found: Severity | None = None
    for name, threshold in zip(SEVERITIES, thresholds, strict=True):
        if score >= threshold:
            found = name  # type: ignore[assignment]
    return found


def negbin_log10_sf(observed: int, r: float, p: float) -> float:
    """log10 P(Y ≥ observed) for Y ~ NegBin(r, p), pmf ∝ Γ(k+r)/k! · p^r (1-p)^k.

    Sums the tail from `observed` upwards in log space, closing it with a geometric bound, so
    tiny tails (1e-40) keep their precision. Meant for observed above the mean.
    """
    if observed <= 0:
        return 0.0
    q = 1.0 - p
    log_term = math.lgamma(observed + r) - math.lgamma(r) - math.lgamma(observed + 1)
    log_term += r * math.log(p) + observed * math.log(q)
    total, term, k = 1.0, 1.0, observed
    for _ in range(100_000):
        ratio = (k + r) / (k + 1) * q
        term *= ratio
        total += term
        k += 1
        bound = max(ratio, q) if r < 1 else ratio
        if bound < 1 and term * bound / (1 - bound) < 1e-12 * total:
            break
    return min(0.0, (log_term + math.log(total)) / math.log(10))


class GammaPoissonRate:
    """Decayed Gamma posterior of a series' share of the window volume (river-style statistic).

    >>> rate = GammaPoissonRate(prior_share=0.01, prior_strength=1.0, decay=1.0)
    >>> round(rate.update(5, 100).update(15, 100).get(), 4)
    0.07
    >>> round(rate.revert(15, 100).get(), 4)
    0.03
    """

    def __init__(self, prior_share: float, prior_strength: float, decay: float, hits: float = 0.0,
                 volume: float = 0.0) -> None:  # fmt: skip
        self.prior_share, self.prior_strength, self.decay = prior_share, prior_strength, decay
        self.hits, self.volume = hits, volume

    @property
    def alpha(self) -> float:
        return self.prior_strength + self.hits

    @property
    def beta(self) -> float:
        return self.prior_strength / self.prior_share + self.volume

    def update(self, observed: float, volume: float) -> Self:
        self.hits = self.decay * self.hits + observed
        self.volume = self.decay * self.volume + volume
        return self

    def revert(self, observed: float, volume: float) -> Self:
        self.hits = (self.hits - observed) / self.decay
        self.volume = (self.volume - volume) / self.decay
        return self

    def get(self) -> float:
        """Posterior mean share."""
        return self.alpha / self.beta


@dataclass(frozen=True)
class GammaPoisson:
    """Volume-normalised Gamma–Poisson detector with a prior (see the module docstring)."""

    prior_share: float = 0.01
    prior_strength: float = 0.5
    half_life: float = 168.0
    max_dispersion: float = 30.0
    min_ratio: float = 2.0
    thresholds: tuple[float, float, float, float] = (3.5, 5.5, 8.5, 13.5)
    resolve_below: float = 2.0
    name: str = "gamma-poisson"

    @classmethod
    def for_window(cls, window: timedelta, **params: Any) -> GammaPoisson:
        """Defaults for a window size: a 7-day half-life, and thresholds read per series-day.

        A threshold is -log10 of a false-alarm chance per series per *day*; with hourly windows a
        series is judged 24 times a day, so each hour's threshold is raised by log10(24).
        """
        per_day = max(1.0, timedelta(days=1) / window)
        base = params.pop("thresholds", cls.thresholds)
        return cls(half_life=max(4.0, 7 * per_day), thresholds=tuple(t + round(math.log10(per_day), 2) for t in base),
                   **params)  # fmt: skip

    def __post_init__(self) -> None:
        for field in ("prior_share", "prior_strength", "half_life", "max_dispersion"):
            if getattr(self, field) <= 0:
                raise ValueError(f"{field} must be positive, got {getattr(self, field)!r}")

    def params(self) -> dict[str, float | int | str]:
        names = ("prior_share", "prior_strength", "half_life", "max_dispersion", "min_ratio", "resolve_below")
        found: dict[str, float | int | str] = {name: getattr(self, name) for name in names}
        found.update({f"threshold_{s}": t for s, t in zip(SEVERITIES, self.thresholds, strict=True)})
        return found

    def fresh(self) -> JSON:
        return {"hits": 0.0, "volume": 0.0}

    def rate(self, state: JSON) -> GammaPoissonRate:
        decay = 0.5 ** (1.0 / self.half_life)
        return GammaPoissonRate(self.prior_share, self.prior_strength, decay, state["hits"], state["volume"])

    def predictive(self, state: JSON, volume: int) -> tuple[float, float, float]:
        """(mean, r, p) of the negative-binomial predictive of a window with this volume."""
        rate = self.rate(state)
        r = min(rate.alpha, self.max_dispersion)
        beta = rate.beta * r / rate.alpha
        return r * volume / beta, r, beta / (beta + volume)

    def update(self, state: JSON, observed: int, volume: int, robust: bool = True) -> JSON:
        if robust:
            mean, r, _ = self.predictive(state, volume)
            observed = min(observed, math.ceil(mean + 2.0 * math.sqrt(mean + mean * mean / r)))
        rate = self.rate(state).update(observed, volume)
        return {"hits": rate.hits, "volume": rate.volume}

    def judge(self, state: JSON, observed: int, volume: int) -> Verdict:
        mean, r, p = self.predictive(state, volume)
        if volume <= 0 or observed <= mean:
            return Verdict(mean, 0.0, None)
        score = round(-negbin_log10_sf(observed, r, p), 6)
        settled = score < self.resolve_below
        if observed < self.min_ratio * mean:
            return Verdict(mean, score, None, settled)
        return Verdict(mean, score, severity_of(score, self.thresholds), settled)


@dataclass(frozen=True)
class FixedThreshold:
    """Peer: alert when a window has at least `threshold` stories, whatever the history."""

    threshold: int = 10
    name: str = "fixed-threshold"

    def params(self) -> dict[str, float | int | str]:
        return {"threshold": self.threshold}

    def fresh(self) -> JSON:
        return {}

    def update(self, state: JSON, observed: int, volume: int, robust: bool = True) -> JSON:
        return state

    def judge(self, state: JSON, observed: int, volume: int) -> Verdict:
        score = observed / self.threshold
        severity = severity_of(score, (1.0, 2.0, 4.0, 8.0))
        return Verdict(float(self.threshold), score, severity, severity is None)


@dataclass(frozen=True)
class ZScore:
    """Peer: plain z-score of the count against its running mean and deviation (Welford)."""

    threshold: float = 3.0
    min_windows: int = 24
    name: str = "z-score"

    def params(self) -> dict[str, float | int | str]:
        return {"threshold": self.threshold, "min_windows": self.min_windows}

    def fresh(self) -> JSON:
        return {"n": 0, "mean": 0.0, "m2": 0.0}

    def update(self, state: JSON, observed: int, volume: int, robust: bool = True) -> JSON:
        n = state["n"] + 1
        delta = observed - state["mean"]
        mean = state["mean"] + delta / n
        return {"n": n, "mean": mean, "m2": state["m2"] + delta * (observed - mean)}

    def judge(self, state: JSON, observed: int, volume: int) -> Verdict:
        if state["n"] < self.min_windows:
            return Verdict(state["mean"], 0.0, None)
        deviation = max(math.sqrt(state["m2"] / (state["n"] - 1)), 0.5)  # no division by zero
        score = (observed - state["mean"]) / deviation
        t = self.threshold
        severity = severity_of(score, (t, 1.5 * t, 2 * t, 3 * t))
        return Verdict(state["mean"], score, severity, severity is None)
