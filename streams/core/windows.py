"""Event-time window maths over integer timestamps (seconds since the epoch, UTC).

Windows are tumbling and aligned to the epoch: the window of `ts` is `[ts - ts % size, ... + size)`;
a window size tracked with an offset (`parse_window("1h+30m")`: hours from half past) has its windows
start `offset` seconds later, `[ts - (ts - offset) % size, ... + size)`.
A window is *closed* once stream time (the newest event time seen) reaches its end plus the grace;
an article whose window is closed is *late*.

>>> window_start(3_700, 3_600), window_end(3_700, 3_600)
(3600, 7200)
>>> is_closed(3_600, 3_600, 900, stream_time=8_099), is_closed(3_600, 3_600, 900, stream_time=8_100)
(False, True)
>>> window_start(3_700, 3_600, 1_800), window_end(3_700, 3_600, 1_800), window_start(5_500, 3_600, 1_800)
(1800, 5400, 5400)
>>> parse_duration("1h30m")
datetime.timedelta(seconds=5400)
>>> parse_window("1h+30m")
(datetime.timedelta(seconds=3600), datetime.timedelta(seconds=1800))
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Literal

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}
_LARGEST_FIRST = sorted(_UNIT_SECONDS.items(), key=lambda unit: -unit[1])
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(text: str) -> timedelta:
    """A duration such as "90s", "15m", "1h", "6h", "1d" or "1h30m" as a timedelta.

    Raises ValueError naming the value when the text is not a positive duration.
    """
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _PART.sub("", cleaned):
        raise ValueError(f"duration {text!r} is not like 90s, 15m, 1h, 6h, 1d or 1h30m")
    seconds = sum(float(n) * _UNIT_SECONDS[unit] for n, unit in _PART.findall(cleaned))
    if seconds <= 0:
        raise ValueError(f"duration {text!r} must be positive")
    return timedelta(seconds=seconds)


def parse_window(text: str) -> tuple[timedelta, timedelta]:
    """A window size, and the offset of its windows from the clock: "1h" (on the hour), "1h+30m" (hours
    from half past each hour), as (size, offset).

    Raises ValueError naming the value when either part is no duration or the offset is not shorter
    than the size.
    """
    size_text, plus, offset_text = text.partition("+")
    size = parse_duration(size_text)
    if not plus:
        return size, timedelta(0)
    offset = parse_duration(offset_text)
    if offset >= size:
        raise ValueError(f"window {text.strip()!r}: the offset must be shorter than the window, e.g. 1h+30m")
    return size, offset


def format_duration(seconds: int, rounding: Literal["exact", "down", "up"] = "exact") -> str:
    """`seconds` in one unit, as parse_duration reads it back: the largest unit that divides it.

    "exact" names a window size as it is ("90m"); "down" and "up" first round it to the unit its
    length calls for (seconds under a minute, minutes up to an hour, hours up to two days, days
    beyond), for a lag in a log line or a value to type.

    >>> format_duration(3_600), format_duration(5_400), format_duration(604_800), format_duration(45)
    ('1h', '90m', '1w', '45s')
    >>> format_duration(3_960, "down"), format_duration(3_960, "up"), format_duration(3_000, "up")
    ('1h', '2h', '50m')
    >>> format_duration(169_000, "up"), format_duration(172_800, "up"), format_duration(260_000, "down")
    ('47h', '2d', '3d')
    """
    if rounding != "exact":
        unit = 1 if seconds < 60 else 60 if seconds <= 3_600 else 3_600 if seconds <= 172_800 else 86_400
        seconds = (seconds // unit if rounding == "down" else -(-seconds // unit)) * unit
    name, size = next(((n, u) for n, u in _LARGEST_FIRST if seconds >= u and seconds % u == 0), ("s", 1))
    return f"{seconds // size}{name}"


def to_seconds(moment: datetime) -> int:
    """Whole seconds since the epoch of an aware datetime (floored)."""
    return int(moment.timestamp() // 1)


def from_seconds(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def seconds(span: timedelta) -> int:
    """Whole seconds of a positive timedelta; raises ValueError naming it otherwise."""
    value = int(span.total_seconds())
    if value <= 0:
        raise ValueError(f"duration {span!r} must be at least one second")
    return value


def window_start(ts: int, size: int, offset: int = 0) -> int:
    return ts - (ts - offset) % size


def window_end(ts: int, size: int, offset: int = 0) -> int:
    return window_start(ts, size, offset) + size


def closes_at(start: int, size: int, grace: int) -> int:
    """Stream time at which the window starting at `start` closes."""
    return start + size + grace


def is_closed(start: int, size: int, grace: int, stream_time: int | None) -> bool:
    return stream_time is not None and stream_time >= closes_at(start, size, grace)


def clamp_ahead(ts: int, stream_time: int | None, max_ahead: int | None) -> int:
    """`ts`, but never more than `max_ahead` seconds beyond stream time (None: no limit).

    One far-future article must not drag stream time (and so every window) with it; clamped,
    it can move stream time by at most `max_ahead`.
    """
    if stream_time is None or max_ahead is None:
        return ts
    return min(ts, stream_time + max_ahead)


def windows_between(first: int, last: int, size: int) -> range:
    """Starts of the windows from the one starting at `first` up to, excluding, `last`."""
    return range(first, last, size)


def describe_span(size: int) -> str:
    """Human name of a window size, as in "in the hour to 14:00 UTC"."""
    for unit, name in ((604_800, "week"), (86_400, "day"), (3_600, "hour"), (60, "minute")):
        if size % unit == 0:
            count = size // unit
            return name if count == 1 else f"{count} {name}s"
    return f"{size} seconds"
