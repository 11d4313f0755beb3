"""How a country's share of the news goes with the hour of day and the day of week, learned online.

A wire covers Asia-Pacific in its morning (00-08 UTC), Europe next, the Americas last: Japan's
share of an hour's stories at 03:00 UTC is many times its share at 18:00. A detector that expects
a constant share calls every Tokyo morning a spike. `Seasons` learns, per country, a factor per
hour of day and per day of week by which its expected share is multiplied; the tracker hands the
detector `volume × factor` as the window's exposure (streams/core/detect.py).

Sums kept (all decayed together, by one clock that only ticks on windows that had news, so an
outage of any length leaves them as they were):

    V[k]     stories of all the news in windows of slot k            (global: every instance alike)
    R_r[k]   stories of region r's countries in slot k               (global)
    H_c[k]   stories of country c in slot k                          (on the instance owning c)

A slot k is an hour of day (windows under a day) or a day of week (windows up to a day). With
s_c = ΣH_c / ΣV the country's overall share and ρ_r likewise its region's, the factors are
Gamma-Poisson posterior means with `strength` pseudo-stories of prior:

    g_r[k] = (R_r[k] + m) / (V[k] + m / ρ_r) / ρ_r          region, shrunk toward flat (1)
    f_c[k] = (H_c[k] + m) / (V[k] + m / (s_c g_r[k])) / s_c  country, shrunk toward its region

so a country with little history borrows its region's profile, and one with none borrows it
whole; a window's factor is f_hour × f_day, kept within [1/10, 10].

A country's event codes and topics have their own timing: the United States' news is
American-hours, its consultations with Japan are Tokyo-morning. So each series `C|topic` learns its
own profile the same way, shrunk toward its country's (`all` is the country's own):

    H_c,t[k] stories of series c|t in slot k                        (with the country's)
    f_c,t[k] = (H_c,t[k] + m) / (V[k] + m / (s_c,t f_c[k])) / s_c,t  topic, shrunk toward its country

`profile_of(key)` says which profile a series is judged by.

>>> region_of("JPN"), region_of("FRA"), region_of("CHL"), region_of("XXX")
('asia-pacific', 'europe-africa', 'americas', None)
>>> seasons = Seasons({}, size=3_600, half_life=672.0)
>>> for day in range(14):
...     for hour in range(24):
...         start = day * 86_400 + hour * 3_600
...         jpn = 30 if hour < 8 else 2
...         seasons.learn_news(start, 100, {"asia-pacific": jpn})
...         seasons.learn_series(start, {"JPN": jpn})
>>> round(seasons.factor("JPN", 3 * 3_600), 1), round(seasons.factor("JPN", 15 * 3_600), 2)
(2.7, 0.19)
>>> round(seasons.factor("KOR", 3 * 3_600), 1)  # no history: its region's profile
2.5
>>> round(seasons.factor("JPN|CONSULT", 3 * 3_600), 1)  # a topic with no history: its country's
2.7
"""

from __future__ import annotations

import tomllib
from collections.abc import MutableMapping
from functools import cache
from importlib import resources
from typing import Any

REGIONS = ("asia-pacific", "europe-africa", "americas")
HOUR, DAY, WEEK = 3_600, 86_400, 7 * 86_400
MIN_FACTOR, MAX_FACTOR = 0.1, 10.0


@cache
def _regions() -> dict[str, str]:
    raw = tomllib.loads(resources.files("streams.core").joinpath("data/regions.toml").read_text())
    return {code: name.replace("_", "-") for name, codes in raw.items() for code in codes}


def region_of(country: str) -> str | None:
    """The region whose profile a country borrows (None for a code not in data/regions.toml)."""
    return _regions().get(country)


def profile_of(key: str) -> str:
    """The profile a series `C|topic` is judged by: its country's for `all`, its own otherwise.

    >>> profile_of("JPN|all"), profile_of("JPN|CONSULT"), profile_of("JPN")
    ('JPN', 'JPN|CONSULT', 'JPN')
    """
    country, _, topic = key.partition("|")
    return country if topic in ("", "all") else key


def slots(start: int, size: int) -> list[str]:
    """The profile slots a window belongs to: "h<hour>" (windows under a day), "d<weekday>" (up to a day)."""
    found = []
    if size < DAY:
        found.append(f"h{start // HOUR % 24}")
    if size <= DAY:
        found.append(f"d{(start // DAY + 3) % 7}")  # the epoch was a Thursday; Monday is d0
    return found


class Seasons:
    """The profiles of one tracker (one window size), kept in its store (see the module docstring).

    Store keys: `season` {"n": live windows, "t": n at last decay, "V": {slot: sum}, "R": {region:
    {slot: sum}}} and `season:<C>`, `season:<C>|<topic>` {"t": n at last decay, "H": {slot: sum}}.
    """

    def __init__(self, store: MutableMapping[str, Any], size: int, half_life: float, strength: float = 10.0) -> None:
        self.store, self.size, self.strength = store, size, strength
        self.decay = 0.5 ** (1.0 / half_life)
        self._cache: dict[tuple[str, str], float] = {}  # (profile, slot) -> factor ("": volume_weight), till learn_*
        self._windows: dict[tuple[str, int], float] = {}  # (profile, window start) -> factor, likewise
        self._sums: dict[str, tuple[dict[str, float], dict[str, float]]] = {}  # aged sums and their totals, likewise

    def _global(self) -> dict[str, Any]:
        found: dict[str, Any] = self.store.get("season") or {"n": 0, "t": 0, "V": {}, "R": {}}
        return found

    def _aged(self, sums: dict[str, float], since: int, now: int) -> dict[str, float]:
        if since == now:
            return dict(sums)
        scale = self.decay ** (now - since)
        return {slot: value * scale for slot, value in sums.items()}

    def learned(self) -> int:
        """How many windows with news the profiles have learned from (changes with every one)."""
        n: int = self._global()["n"]
        return n

    def learn_news(self, start: int, stories: int, regions: dict[str, int]) -> None:
        """Fold a closed window of the whole stream (every instance calls this alike); empty ones are skipped."""
        if stories <= 0:
            return
        state = self._global()
        n = state["n"] + 1
        volume = self._aged(state["V"], state["t"], n)
        by_region = {r: self._aged(sums, state["t"], n) for r, sums in state["R"].items()}
        for slot in slots(start, self.size):
            volume[slot] = volume.get(slot, 0.0) + stories
            for region, count in regions.items():
                by_region.setdefault(region, {})
                by_region[region][slot] = by_region[region].get(slot, 0.0) + count
        self.store["season"] = {"n": n, "t": n, "V": volume, "R": by_region}
        self._forget()

    def _forget(self) -> None:
        self._cache.clear()
        self._windows.clear()
        self._sums.clear()

    def learn_series(self, start: int, stories: dict[str, int]) -> None:
        """Fold the stories of each profile (a country, or a country's topic) in the window `learn_news` just folded."""
        n = self._global()["n"]
        for profile, count in stories.items():
            stored = self.store.get(f"season:{profile}") or {"t": n, "H": {}}
            hits = self._aged(stored["H"], stored["t"], n)
            for slot in slots(start, self.size):
                hits[slot] = hits.get(slot, 0.0) + count
            self.store[f"season:{profile}"] = {"t": n, "H": hits}
        if stories:  # a country's topics lean on the country's factors: all are recomputed
            self._forget()

    def factor(self, profile: str, start: int) -> float:
        """How much more (or less) of the news a country, or a country's topic, usually has in this window."""
        known = self._windows.get((profile, start))
        if known is not None:
            return known
        result = 1.0
        for slot in slots(start, self.size):
            result *= self._factor_of_slot(profile, slot)
        result = self._windows[profile, start] = min(MAX_FACTOR, max(MIN_FACTOR, result))
        return result

    def _factor_of_slot(self, profile: str, slot: str) -> float:
        cached = self._cache.get((profile, slot))
        if cached is None:
            cached = self._cache[profile, slot] = self._slot_factor(profile, slot)
        return cached

    def _aged_sums(self, name: str) -> tuple[dict[str, float], dict[str, float]]:
        """Aged sums (and their total per slot kind): `V` (name ""), a region's (`R:<region>`), a profile's."""
        known = self._sums.get(name)
        if known is None:
            state = self._global()
            if not name:
                sums, since = state["V"], state["t"]
            elif name.startswith("R:"):
                sums, since = state["R"].get(name[2:], {}), state["t"]
            else:
                stored = self.store.get(f"season:{name}") or {"H": {}, "t": state["n"]}
                sums, since = stored["H"], stored["t"]
            aged = self._aged(sums, since, state["n"])
            totals: dict[str, float] = {}
            for slot, value in aged.items():
                totals[slot[0]] = totals.get(slot[0], 0.0) + value
            known = self._sums[name] = (aged, totals)
        return known

    def _slot_factor(self, profile: str, slot: str) -> float:
        m, kind = self.strength, slot[0]
        volume, totals = self._aged_sums("")
        total = totals.get(kind, 0.0)
        if total <= 0:
            return 1.0
        country, _, topic = profile.partition("|")
        if topic:  # a country's topic: shrunk toward its country's profile
            g = self._factor_of_slot(country, slot)
        else:  # a country: shrunk toward its region's, which is shrunk toward flat
            region = region_of(country)
            regional, by_kind = self._aged_sums(f"R:{region}") if region else ({}, {})
            rho = by_kind.get(kind, 0.0) / total
            g = (regional.get(slot, 0.0) + m) / (volume.get(slot, 0.0) + m / rho) / rho if rho > 0 else 1.0
        hits, sums = self._aged_sums(profile)
        share = sums.get(kind, 0.0) / total
        return (hits.get(slot, 0.0) + m) / (volume.get(slot, 0.0) + m / (share * g)) / share if share > 0 else g

    def volume_weight(self, start: int) -> float:
        """How many times an average window's news this window usually has, by its hour of day (all the news).

        A wire's 21:00 UTC hour has a fraction of its 14:00 hour's stories. 1.0 for windows of a day or
        more (no hour of day) and before any hour has been learned. For a window of `size`, the slot's
        share of a day's news times the windows a day (an hour slot holding several shorter windows
        counts as one hour).
        """
        if self.size >= DAY:
            return 1.0
        slot = f"h{start // HOUR % 24}"
        known = self._cache.get(("", slot))
        if known is None:
            volume, totals = self._aged_sums("")
            total = totals.get("h", 0.0)
            per_day = DAY / max(self.size, HOUR)
            known = self._cache["", slot] = volume.get(slot, 0.0) / total * per_day if total > 0 else 1.0
        return known

    def usual_volume(self) -> float:
        """The stories of a window with news on average, decayed as the profiles are (0.0 before any).

        The clock ticks once per window with news, so the sums hold each window's stories times
        decay^(its age) and the windows themselves weigh Σ decay^k, k < n: their ratio is the mean.
        It is the long run, weekdays and weekends together, and leaves out windows without news (an
        outage, a night with nothing filed: no evidence): a thin Sunday is measured against it, where the
        mean of the last day of news (the tracker's `typical`) has already sunk to the weekend's.
        """
        n = self.learned()
        _, totals = self._aged_sums("")
        total = max(totals.values(), default=0.0)  # every window is in one slot of each kind it has
        if n == 0 or total <= 0:
            return 0.0
        mean: float = total * (1.0 - self.decay) / (1.0 - self.decay**n)
        return mean

    def usual_exposure(self, profile: str, start: int, size: int, now: int) -> float:
        """The share of a window's usual news in by stream time `now`, each hour's part times the profile's
        factor then (`factor`): what `usual_volume` of the longer window times this is, a usual day by now
        would have given the series as exposure. Hours weigh as in `news_share`.
        """
        elapsed, total = self._hours_in(start, size, now, profile)
        return elapsed / total if total > 0 else 0.0

    def news_share(self, start: int, size: int, now: int) -> float:
        """The share of a window's usual news (by hour of day, all the news) in by stream time `now`.

        1.0 once the window has closed; before any hour has been learned, the share of its time.
        """
        if now >= start + size:
            return 1.0
        elapsed, total = self._hours_in(start, size, now)
        return elapsed / total if total > 0 else 1.0

    def _hours_in(self, start: int, size: int, now: int, profile: str | None = None) -> tuple[float, float]:
        """(The usual news of a window's hours in by `now`, each times the profile's factor if given; all of them.)"""
        volume = self._global()["V"]
        weights = [volume.get(f"h{hour}", 0.0) for hour in range(24)]
        if sum(weights) <= 0:
            weights = [1.0] * 24
        total = elapsed = 0.0
        for at in range(start, start + size, HOUR):
            weight = weights[at // HOUR % 24]
            total += weight
            if at < now and weight > 0:
                part = weight * min(1.0, (now - at) / HOUR)
                elapsed += part if profile is None else part * self.factor(profile, at)
        return elapsed, total
