"""Articles that arrived after their window closed, summarised for one log line per interval.

A corrected article was counted into its closed window (a revised final count); a late one was
older than the retained history and refused. Either way the worker says so — in one line per
interval however many there were, with how far behind stream time they were.

>>> late = LateArticles()
>>> late.add("corrected", 1_200, "a1"); late.add("corrected", 4_000, "a2"); late.add("late", 90_000, "a3")
>>> for part in late.summary().split("; "):
...     print(part)
articles behind stream time: 2 corrected their closed window (lag 20m-1h)
1 refused, older than the retained history (lag 25h
e.g. a3)
>>> late.summary() is None  # reset by the summary
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from streams.core.windows import format_duration

__all__ = ["LateArticles", "describe_lag"]

EXAMPLES = 3


@dataclass
class _Kind:
    n: int = 0
    least: int = 0
    most: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, lag: int, article_id: str) -> None:
        self.least = lag if not self.n else min(self.least, lag)
        self.most = max(self.most, lag)
        self.n += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(article_id)

    def lags(self) -> str:
        low, high = describe_lag(self.least), describe_lag(self.most)
        return low if low == high else f"{low}-{high}"


class LateArticles:
    """Counts corrected and refused articles with their lag until `summary()` is read."""

    def __init__(self) -> None:
        self._kinds: dict[str, _Kind] = {}

    def add(self, outcome: str, lag: int, article_id: str) -> None:
        """Note one `corrected` or `late` article, `lag` seconds behind stream time."""
        self._kinds.setdefault(outcome, _Kind()).add(lag, article_id)

    def summary(self) -> str | None:
        """One line about the articles noted since the last summary (None if there were none)."""
        kinds, self._kinds = self._kinds, {}
        parts = []
        if corrected := kinds.get("corrected"):
            parts.append(f"{corrected.n} corrected their closed window (lag {corrected.lags()})")
        if late := kinds.get("late"):
            examples = ", ".join(late.examples)
            parts.append(f"{late.n} refused, older than the retained history (lag {late.lags()}; e.g. {examples})")
        return "articles behind stream time: " + "; ".join(parts) if parts else None


def describe_lag(seconds: int) -> str:
    """A lag as 45s, 20m, 25h or 3d, rounded down: in the units --reorder and GEOPULSE_GRACE take."""
    return format_duration(max(0, seconds), "down")
