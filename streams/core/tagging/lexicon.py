"""The trigger lexicon: surface forms of every PLOVER type's triggers, from data/events.toml.

>>> lex = TriggerLexicon.default()
>>> lex.cameo["ASSAULT"], sorted(t.type for t in lex.forms["sent in"])
('18', ['MOBILIZE'])
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from streams.core.tagging import data
from streams.core.tagging.matcher import COMMON, Entry
from streams.core.tagging.morph import noun_forms, verb_forms

TRIGGER_LAYER = 3


@dataclass(frozen=True, slots=True)
class Trigger:
    """One trigger form's meaning."""

    type: str
    mode: str | None
    weight: float
    governs: bool
    near: frozenset[str]
    # Confidence of an event by this trigger, indexed by 2 * (has a source) + (has a target).
    confidences: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bonus = (0.0, 0.05)
        values = tuple(round(min(self.weight + s + t, 0.99), 3) for s in bonus for t in bonus)
        object.__setattr__(self, "confidences", values)


class TriggerLexicon:
    """Surface form -> triggers, with each type's CAMEO root code."""

    def __init__(self) -> None:
        config = dict(data.load("events.toml"))
        ignored = config.pop("ignore")["phrases"]
        irregular = data.load("language.toml")["irregular"]
        self.cameo: dict[str, str] = {name: spec["cameo"] for name, spec in config.items()}
        self.forms: dict[str, list[Trigger]] = {}
        for name, spec in config.items():
            for group in spec["trigger"]:
                trigger = Trigger(
                    name, group.get("mode"), float(group["weight"]), bool(spec["governs"]),
                    frozenset(group.get("near", ())),
                )  # fmt: skip
                for form in _forms(group, irregular):
                    self.forms.setdefault(form, []).append(trigger)
        for phrase in ignored:
            self.forms[phrase] = []  # matches, wins as the longest, and means no event

    @classmethod
    @cache
    def default(cls) -> TriggerLexicon:
        return cls()

    def entries(self) -> Iterator[tuple[str, Entry]]:
        for form, triggers in self.forms.items():
            yield form, Entry(TRIGGER_LAYER, COMMON, tuple(triggers))


def _forms(group: dict[str, Any], irregular: dict[str, list[str]]) -> set[str]:
    forms: set[str] = set(group.get("exact", ()))
    for verb in group.get("verbs", ()):
        forms |= verb_forms(verb, irregular)
    for noun in group.get("nouns", ()):
        forms |= noun_forms(noun)
    return forms
