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

News arrives in clusters: one trade round or one debt negotiation gives several distinct stories in a
few hours, so a series' window counts vary more than a Poisson count of independent stories would.
Each series learns how much more (`overdispersion`, φ): its decayed squared deviations from the
predictive mean, less the part the rate's own uncertainty explains (mean²/r), over its decayed
predictive means, shrunk toward 1 by `dispersion_prior` pseudo-stories and kept within
[1, `max_overdispersion`]. A window is judged in independent units, observed and exposure both
divided by φ, as a quasi-Poisson count is: a series whose stories come one by one (a quiet country)
keeps its full sharpness; one that routinely gathers clustered or unrelated stories (the United
States' talks) needs proportionally more of them. φ is learned from the same folded windows as the
rate, with the same half-life, so a gap in the stream (no folded window) leaves it as it was.

`volume` may be an exposure rather than a count: the tracker multiplies a window's volume by the
series' seasonal factor (streams/core/seasons.py), so a share learned at one hour is expected at
another in proportion to how that hour usually goes for the country.

`FixedThreshold`, `ZScore` and `SeasonalMAD` are the peers the benchmarks compare against; `start`
(the window's start, epoch seconds) is what a seasonal peer reads the hour of day from.

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
import statistics
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

    def update(self, state: JSON, observed: int, volume: float, robust: bool = True, start: int = 0) -> JSON:
        """Fold a closed window; `robust` damps outliers (off while the stream warms up)."""
        ...

    def judge(self, state: JSON, observed: int, volume: float, start: int = 0) -> Verdict: ...


def severity_of(score: float, thresholds: tuple[float, float, float, float]) -> Severity | None:
    """The highest severity whose threshold `score` reaches (thresholds low→critical)."""
    found: Severity | None = None
    for name, threshold in zip(SEVERITIES, thresholds, strict=True):
        if score >= threshold:
            found = name  # type: ignore[assignment]
    return found


def negbin_log10_sf(observed: float, r: float, p: float) -> float:
    """log10 P(Y ≥ observed) for Y ~ NegBin(r, p), pmf ∝ Γ(k+r)/k! · p^r (1-p)^k.

    Sums the tail from `observed` upwards in log space, closing it with a geometric bound, so
    tiny tails (1e-40) keep their precision. Meant for observed above the mean. `observed` may be
    fractional (a count in units of several stories): the sum then runs over observed, observed + 1, …
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
    dispersion_prior: float = 5.0  # pseudo-stories of history at overdispersion 1
    max_overdispersion: float = 10.0
    guard: int = 0  # windows of a rise held out of the baseline at most (0: none; see `update`)
    name: str = "gamma-poisson"

    @classmethod
    def for_window(cls, window: timedelta, half_life_days: float = 7.0, **params: Any) -> GammaPoisson:
        """Defaults for a window size: a half-life in days, and thresholds read per series-day.

        A threshold is -log10 of a false-alarm chance per series per *day*; with hourly windows a
        series is judged 24 times a day, so each hour's threshold is raised by log10(24).
        """
        per_day = timedelta(days=1) / window
        base = params.pop("thresholds", cls.thresholds)
        raise_by = round(math.log10(max(1.0, per_day)), 2)
        params.setdefault("guard", 3 if per_day <= 1 else 0)  # a slow build is a shape of days (see `update`)
        return cls(half_life=max(4.0, half_life_days * per_day), thresholds=tuple(t + raise_by for t in base),
                   **params)  # fmt: skip

    def __post_init__(self) -> None:
        for field in ("prior_share", "prior_strength", "half_life", "max_dispersion", "dispersion_prior"):
            if getattr(self, field) <= 0:
                raise ValueError(f"{field} must be positive, got {getattr(self, field)!r}")

    def params(self) -> dict[str, float | int | str]:
        names = ("prior_share", "prior_strength", "half_life", "max_dispersion", "min_ratio", "resolve_below",
                 "dispersion_prior", "max_overdispersion", "guard")  # fmt: skip
        found: dict[str, float | int | str] = {name: getattr(self, name) for name in names}
        found.update({f"threshold_{s}": t for s, t in zip(SEVERITIES, self.thresholds, strict=True)})
        return found

    def fresh(self) -> JSON:
        return {"hits": 0.0, "volume": 0.0}

    def rate(self, state: JSON) -> GammaPoissonRate:
        decay = 0.5 ** (1.0 / self.half_life)
        return GammaPoissonRate(self.prior_share, self.prior_strength, decay, state["hits"], state["volume"])

    def predictive(self, state: JSON, volume: float) -> tuple[float, float, float]:
        """(mean, r, p) of the negative-binomial predictive of a window with this volume."""
        rate = self.rate(state)
        r = min(rate.alpha, self.max_dispersion)
        beta = rate.beta * r / rate.alpha
        return r * volume / beta, r, beta / (beta + volume)

    def overdispersion(self, state: JSON) -> float:
        """How many times more a series' counts vary than independent stories' would (1: not at all).

        A state stored before this was learned has no sums: 1.
        >>> detector = GammaPoisson()
        >>> state = detector.fresh()
        >>> for count in [0, 0, 6, 0, 0, 6] * 8:  # stories in bursts of six
        ...     state = detector.update(state, observed=count, volume=100, robust=False)
        >>> round(detector.overdispersion(state), 1), detector.overdispersion(detector.fresh())
        (4.5, 1.0)
        """
        prior = self.dispersion_prior
        found: float = (prior + state.get("sq", 0.0)) / (prior + state.get("mu", 0.0))
        return max(1.0, min(self.max_overdispersion, found))

    def update(self, state: JSON, observed: int, volume: float, robust: bool = True, start: int = 0) -> JSON:
        """Fold a closed window into the baseline; a window of a rise is held out of it for a while (the guard band).

        A slow build (3, then 6, then 12 stories a day) is learned as it grows if each day enters the
        baseline before the next is judged: the rise never looks surprising. So a window that is not
        back to baseline (it scores `resolve_below` or more against the history before it) is held
        apart, decayed like the rest, and the next windows are judged without it. The held windows
        join the baseline (winsorised as any window is) as soon as a window is back to baseline, or
        when `guard` windows are held: a rise that lasts becomes the new normal, as it does unguarded,
        only `guard` windows later. Only a warmed-up series (`robust`) with a half-life of history
        (`seen ≥ half_life × volume`) holds anything: a series still near its prior would keep it.
        """
        # The predictive and the rate's update (`predictive`, `GammaPoissonRate`) written out: a series
        # catching up over quiet windows folds many of them at once (streams/core/series.py).
        hits, seen = state["hits"], state["volume"]
        alpha = self.prior_strength + hits
        mean, r = volume * alpha / (self.prior_strength / self.prior_share + seen), min(alpha, self.max_dispersion)
        held: JSON = state.get("held", {})
        rising = (robust and self.guard > 0 and observed > mean and seen >= self.half_life * volume
                  and held.get("n", 0) < self.guard
                  and self.judge(state, observed, volume).score >= self.resolve_below)  # fmt: skip
        if robust:
            spread = mean * self.overdispersion(state) + mean * mean / r
            observed = min(observed, math.ceil(mean + 2.0 * math.sqrt(spread)))
        decay = 0.5 ** (1.0 / self.half_life)
        if rising:
            kept = {name: decay * state.get(name, 0.0) for name in _SUMS}
            return {**kept, "held": {**_fold(held, decay, observed, volume, mean, r), "n": held.get("n", 0) + 1}}
        if held:  # the rise is over, or held long enough: its windows join the baseline
            state = {name: state.get(name, 0.0) + held.get(name, 0.0) for name in _SUMS}
        return _fold(state, decay, observed, volume, mean, r)

    def judge(self, state: JSON, observed: int, volume: float, start: int = 0) -> Verdict:
        mean, _, _ = self.predictive(state, volume)
        if volume <= 0 or observed <= mean:
            return Verdict(mean, 0.0, None)
        units = self.overdispersion(state)  # stories per independent observation
        _, r, p = self.predictive(state, volume / units)
        score = round(-negbin_log10_sf(observed / units, r, p), 6)
        settled = score < self.resolve_below
        if observed < self.min_ratio * mean:
            return Verdict(mean, score, None, settled)
        return Verdict(mean, score, severity_of(score, self.thresholds), settled)


_SUMS = ("hits", "volume", "sq", "mu")


def _fold(sums: JSON, decay: float, observed: float, volume: float, mean: float, r: float) -> JSON:
    """Decayed sums with one window added (its predictive `mean` and concentration `r`)."""
    # The part of a squared deviation the rate's own uncertainty explains (mean² / r) is not the stories'.
    squares = decay * sums.get("sq", 0.0) + (observed - mean) ** 2 - mean * mean / r
    return {"hits": decay * sums.get("hits", 0.0) + observed, "volume": decay * sums.get("volume", 0.0) + volume,
            "sq": squares, "mu": decay * sums.get("mu", 0.0) + mean}  # fmt: skip


@dataclass(frozen=True)
class FixedThreshold:
    """Peer: alert when a window has at least `threshold` stories, whatever the history."""

    threshold: int = 10
    name: str = "fixed-threshold"

    def params(self) -> dict[str, float | int | str]:
        return {"threshold": self.threshold}

    def fresh(self) -> JSON:
        return {}

    def update(self, state: JSON, observed: int, volume: float, robust: bool = True, start: int = 0) -> JSON:
        return state

    def judge(self, state: JSON, observed: int, volume: float, start: int = 0) -> Verdict:
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

    def update(self, state: JSON, observed: int, volume: float, robust: bool = True, start: int = 0) -> JSON:
        n = state["n"] + 1
        delta = observed - state["mean"]
        mean = state["mean"] + delta / n
        return {"n": n, "mean": mean, "m2": state["m2"] + delta * (observed - mean)}

    def judge(self, state: JSON, observed: int, volume: float, start: int = 0) -> Verdict:
        if state["n"] < self.min_windows:
            return Verdict(state["mean"], 0.0, None)
        deviation = max(math.sqrt(state["m2"] / (state["n"] - 1)), 0.5)  # no division by zero
        score = (observed - state["mean"]) / deviation
        t = self.threshold
        severity = severity_of(score, (t, 1.5 * t, 2 * t, 3 * t))
        return Verdict(state["mean"], score, severity, severity is None)


@dataclass(frozen=True)
class SeasonalMAD:
    """Peer: S-H-ESD style robust rule on counts, per hour of day.

    Twitter's seasonal hybrid ESD removes the seasonal component and the median from a series and
    tests what is left against the median absolute deviation. Online, per series: the last `keep`
    counts of each hour of day; a window alerts when its count exceeds that hour's median by
    `threshold` × 1.4826 × MAD (the MAD floored at `min_mad`, as quiet series have a MAD of 0).

    >>> peer = SeasonalMAD(min_windows=2)
    >>> state = peer.fresh()
    >>> for day in range(3):
    ...     state = peer.update(state, observed=2, volume=100, start=day * 86_400 + 3_600)
    >>> peer.judge(state, observed=2, volume=100, start=3 * 86_400 + 3_600).severity is None
    True
    >>> peer.judge(state, observed=6, volume=100, start=3 * 86_400 + 3_600).severity
    'medium'
    """

    threshold: float = 3.0
    keep: int = 14
    min_windows: int = 7  # per hour of day: a week of history before it judges
    min_mad: float = 0.5
    name: str = "seasonal-mad"

    def params(self) -> dict[str, float | int | str]:
        return {"threshold": self.threshold, "keep": self.keep, "min_windows": self.min_windows}

    def fresh(self) -> JSON:
        return {}

    def update(self, state: JSON, observed: int, volume: float, robust: bool = True, start: int = 0) -> JSON:
        hour = str(start // 3_600 % 24)
        return {**state, hour: [*state.get(hour, []), observed][-self.keep :]}

    def judge(self, state: JSON, observed: int, volume: float, start: int = 0) -> Verdict:
        history = state.get(str(start // 3_600 % 24), [])
        if len(history) < self.min_windows:
            return Verdict(0.0, 0.0, None)
        median = statistics.median(history)
        mad = max(statistics.median(abs(x - median) for x in history), self.min_mad)
        score = (observed - median) / (1.4826 * mad)
        t = self.threshold
        severity = severity_of(score, (t, 1.5 * t, 2 * t, 3 * t))
        return Verdict(float(median), score, severity, severity is None)
