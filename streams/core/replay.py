"""Offline replay: the worker's IncidentTracker over a finite set of tagged articles, in event-time order.

Sorting by (event time, article id) (`order_key`: the order a worker counts in, whatever the speeds
its input partitions are read at; see ordering.py) makes a replay deterministic and lets it
trust event time: in sorted input no article is ahead of its turn, so a gap in a sparse file is
a gap, not a clock error (`max_ahead` is lifted unless the config sets it explicitly).

>>> from datetime import datetime, timedelta, timezone
>>> from schemas import CountryMention, TaggedArticle
>>> def article(n, hour):
...     return TaggedArticle(id=f"a{n}", source="s", title=f"t{n}", tagger_version="t",
...         published_at=datetime(2022, 1, 5, hour, tzinfo=timezone.utc),
...         countries=[CountryMention(code="KAZ", role="location", mentions=1, score=1.0)])
>>> steps = list(replay([article(2, 9), article(1, 7)], TrackerConfig()))
>>> [(s.outcome, [(c.window_start.hour, c.count, c.final) for c in s.counts]) for s in steps]
[('counted', [(7, 1, False)]), ('counted', [(7, 1, True), (9, 1, False)])]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import replace
from typing import Any

from schemas import Alert, TaggedArticle
from streams.core.config import UNLIMITED, TrackerConfig
from streams.core.incidents import IncidentTracker
from streams.core.reorder import in_event_time
from streams.core.series import Observation
from streams.core.windows import window_end


def replay(
    tagged: Iterable[TaggedArticle],
    config: TrackerConfig,
    store: MutableMapping[str, Any] | None = None,
    finish: bool = False,
) -> Iterator[Observation]:
    """Observe the articles in (event time, id) order; yields one Observation per article.

    With `finish`, stream time then moves past the last (longest) window's grace, so every window is final
    (one more Observation, outcome "advanced", with the final counts and any resolutions). Off by
    default, because a worker fed the same articles has not closed those windows either.
    """
    if config.max_ahead is None:
        config = replace(config, max_ahead=UNLIMITED)
    tracker = IncidentTracker(config, store)
    for article in in_event_time(tagged):
        yield tracker.observe(article)
    now = tracker.stream_time
    if finish and now is not None:
        yield tracker.advance(window_end(now, tracker.size) + tracker.grace)


def replay_alerts(tagged: Iterable[TaggedArticle], config: TrackerConfig) -> Iterator[Alert]:
    """Every alert lifecycle step of a replay, in order."""
    for seen in replay(tagged, config):
        yield from seen.alerts
