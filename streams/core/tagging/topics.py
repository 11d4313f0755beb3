"""Topic groups: named, configurable sets of event types (and type:mode pairs) that get counted.

>>> groups = TopicGroups.load()
>>> groups.of("PROTEST", "riot")
('PROTEST', 'all', 'crisis', 'unrest')
>>> "unrest" in groups.names and "ASSAULT" in groups.names
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from schemas.tagged import EVENT_TYPES
from streams.core.tagging import data

ALL = "all"


@dataclass(frozen=True)
class TopicGroups:
    """Topic name -> members ("PROTEST" or "ASSAULT:riot"); every type is also its own topic."""

    groups: Mapping[str, frozenset[str]]
    # (type, mode) -> `of` it, filled as events come (bounded by the types and their modes).
    _seen: dict[tuple[str, str | None], tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __hash__(self) -> int:
        return id(self)

    @classmethod
    @cache
    def load(cls) -> TopicGroups:
        """The groups of data/topics.toml plus one topic per type and `all`."""
        return cls.from_mapping(data.load("topics.toml")["groups"])

    @classmethod
    def from_mapping(cls, groups: Mapping[str, Sequence[str]]) -> TopicGroups:
        for name, members in groups.items():
            for member in members:
                if member.partition(":")[0] not in EVENT_TYPES:
                    raise ValueError(f"topic {name!r}: member {member!r} is not an event type")
        table = {name: frozenset(members) for name, members in groups.items()}
        table.update({t: frozenset({t}) for t in EVENT_TYPES})
        table[ALL] = frozenset(EVENT_TYPES)
        return cls(table)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.groups))

    def of(self, event_type: str, mode: str | None = None) -> tuple[str, ...]:
        """Sorted topic names an event of this type and mode counts towards."""
        topics = self._seen.get((event_type, mode))
        if topics is None:
            topics = self._seen[event_type, mode] = self._of(event_type, mode)
        return topics

    def _of(self, event_type: str, mode: str | None) -> tuple[str, ...]:
        keys = {event_type, f"{event_type}:{mode}"} if mode else {event_type}
        return tuple(sorted(name for name, members in self.groups.items() if members & keys))

    def for_events(self, events: Iterable[tuple[str, str | None]]) -> list[str]:
        """Sorted topic names of (type, mode) pairs, e.g. an article's non-negated events."""
        names: set[str] = set()
        for event_type, mode in set(events):
            names.update(self.of(event_type, mode))
        return sorted(names)
