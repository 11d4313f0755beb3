"""Events per sentence: triggers, negation, passive voice, reported speech, source and target.

>>> from streams.core.tagging.actors import ActorMention
>>> text = "Police denied firing on protesters in Almaty."
>>> finder = EventFinder.default()
>>> hits = Matcher(TriggerLexicon.default().entries()).find(text).get(TRIGGER_LAYER, [])
>>> actors = [ActorMention(0, 6, "police", "COP", None), ActorMention(24, 34, "civilians", "CVL", None)]
>>> [(e.type, e.negated, e.source_actor, e.target_actor) for e in finder.find(text, [(0, len(text))], hits, actors)]
[('ASSAULT', True, 'police', 'civilians')]
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cache
from itertools import accumulate
from typing import NamedTuple

from streams.core.tagging import data
from streams.core.tagging.actors import ActorMention
from streams.core.tagging.lexicon import TRIGGER_LAYER, Trigger, TriggerLexicon
from streams.core.tagging.matcher import Hit, Matcher

__all__ = ["TRIGGER_LAYER", "EventFinder", "FoundEvent", "Matcher"]

_WORD = re.compile(r"[\w'’]+(?:-[\w'’]+)*|[,;:]")
_WORD_PIECES = re.compile(r"([\w'’]+(?:-[\w'’]+)*|[,;:])")
_PLAIN_WORD_PIECES = re.compile(r"([\w'’]+|[,;:])")  # the same without hyphens, and faster
VERBAL = frozenset({"ACCUSE", "REQUEST", "REJECT", "THREATEN", "SUPPORT", "AGREE"})
POPULAR = frozenset({"PROTEST"})
POPULAR_ACTORS = frozenset({"CVL", "OPP", "PTY", "REB", "LEG", "BUS", "NGO", "MED"})
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
IRREGULAR_PARTICIPLES = frozenset({"sent", "shot", "held", "met", "struck", "sought"})
GOVERN_WINDOW = 6
NEAR_WINDOW = 4
NEGATION_WINDOW = 5
WEAK = 0.6


class FoundEvent(NamedTuple):
    """An event of one sentence, before it becomes a schemas `Event` (a tuple: made per trigger)."""

    type: str
    mode: str | None
    trigger: str
    sentence: str
    negated: bool
    confidence: float
    source_actor: str | None
    target_actor: str | None
    source_country: str | None
    target_country: str | None
    start: int
    end: int


class _Words(NamedTuple):
    """The words of one sentence with their character offsets."""

    text: list[str]
    starts: list[int]

    def at(self, offset: int) -> int:
        """Index of the word at or before character `offset` (0 before the first word)."""
        return max(0, bisect_right(self.starts, offset) - 1)


def _words(sentence: str, offset: int) -> _Words:
    lowered = sentence.lower()
    if len(lowered) != len(sentence) or "Σ" in sentence:  # offsets or a final sigma would differ
        pairs = [(m.group().lower(), m.start() + offset) for m in _WORD.finditer(sentence)]
        return _Words([w for w, _ in pairs], [s for _, s in pairs])
    # Lowercasing first keeps every offset and which characters are word characters (checked for
    # every code point). split() with a group gives gap, word, gap, ..., gap: the words and, from
    # the running length, their starts, with no Python per word.
    pieces = (_WORD_PIECES if "-" in lowered else _PLAIN_WORD_PIECES).split(lowered)
    return _Words(pieces[1::2], list(accumulate(map(len, pieces), initial=offset))[1:-1:2])


def first_actor_after_pronoun(words: _Words, start: int) -> bool:
    """True when the trigger's subject is a pronoun ("and he denounced"): the sentence's subject acts."""
    index = words.at(start)
    return index > 0 and words.text[index - 1] in PRONOUNS


class EventFinder:
    """Turns trigger hits into events, one per type and polarity per sentence."""

    def __init__(self, lexicon: TriggerLexicon | None = None) -> None:
        language = data.load("language.toml")
        self.lexicon = lexicon or TriggerLexicon.default()
        cues = language["negation"]
        self._neg_words = frozenset(c for c in cues if " " not in c and not c.startswith("den"))
        self._neg_phrases = tuple(c for c in cues if " " in c)
        # One search for "any phrase is a substring" (an alternation finds a match iff some phrase occurs).
        self._neg_phrase = re.compile("|".join(map(re.escape, self._neg_phrases)) or "(?!)")
        self._denials = frozenset(c for c in cues if c.startswith("den")) | {"dismissed", "refuted"}
        self._breaks = frozenset(language["clause_breaks"])
        self._speech = frozenset(language["speech"])
        self._aux = frozenset(language["passive_aux"])

    @classmethod
    @cache
    def default(cls) -> EventFinder:
        return cls()

    def find(
        self, text: str, sentences: Sequence[tuple[int, int]], hits: list[Hit], actors: list[ActorMention]
    ) -> list[FoundEvent]:
        """Events of every sentence, in text order."""
        events: list[FoundEvent] = []
        starts = [a.start for a in actors]
        position = 0
        for start, end in sentences:
            own: list[Hit] = []
            while position < len(hits) and hits[position].start < end:
                if hits[position].start >= start:
                    own.append(hits[position])
                position += 1
            if own:
                in_sentence = actors[bisect_left(starts, start) : bisect_left(starts, end)]
                events.extend(self._sentence(text, start, end, own, in_sentence))
        return events

    def _sentence(
        self, text: str, start: int, end: int, hits: list[Hit], actors: list[ActorMention]
    ) -> list[FoundEvent]:
        sentence = text[start:end]
        words = _words(sentence, start)
        clues = self._clues(words)
        chosen: dict[tuple[str, bool], FoundEvent] = {}
        governed_until = -1
        for hit in hits:
            if text[hit.start - 1 : hit.start] == "-":
                continue  # "Russian-backed": part of a compound adjective
            first = max(0, bisect_right(words.starts, hit.start) - 1)  # words.index, inlined
            trigger = self._pick(hit.entry.value, words, first)
            if trigger is None or first <= governed_until:
                continue
            if trigger.governs:
                governed_until = self._clause_end(words, first, GOVERN_WINDOW)
            event = self._event(text, sentence, hit, trigger, words, first, actors, clues)
            key = (event.type, event.negated)
            if key not in chosen or chosen[key].confidence < event.confidence:
                chosen[key] = event
        strong = [e for e in chosen.values() if e.confidence >= WEAK + 0.1]
        return sorted(strong or chosen.values(), key=lambda e: e.start)

    def _clues(self, words: _Words) -> tuple[int, list[int]]:
        """Per sentence: the index of its first denial word (or len) and the starts of its speech verbs."""
        text = words.text
        denial = len(text)
        if not self._denials.isdisjoint(text):
            denial = next(i for i, w in enumerate(text) if w in self._denials)
        speech = []
        if not self._speech.isdisjoint(text):
            speech = [s for s, w in zip(words.starts, text, strict=True) if w in self._speech]
        return denial, speech

    def _pick(self, triggers: tuple[Trigger, ...], words: _Words, first: int) -> Trigger | None:
        window: set[str] | None = None
        for trigger in triggers:  # an ignored phrase has none
            if not trigger.near:
                return trigger
            if window is None:
                window = set(words.text[max(0, first - NEAR_WINDOW) : first + NEAR_WINDOW + 3])
            if not trigger.near.isdisjoint(window):
                return trigger
        return None

    def _clause_end(self, words: _Words, first: int, span: int) -> int:
        last = min(len(words.text) - 1, first + span)
        for index in range(first + 1, last + 1):
            if words.text[index] in {",", ";", ":"}:
                return index
        return last

    def _negated(self, words: _Words, first: int, denial: int) -> bool:
        if denial < first:  # a denial word anywhere before the trigger
            return True
        window: list[str] = []
        for word in reversed(words.text[max(0, first - NEGATION_WINDOW) : first]):
            if word in self._breaks:
                break
            window.append(word)
        if not window:
            return False
        if not self._neg_words.isdisjoint(window):
            return True
        joined = " ".join(reversed(window))
        if "n't " in joined + " " or "n’t " in joined + " ":  # a word ending in n't
            return True
        return len(window) > 1 and self._neg_phrase.search(joined) is not None  # phrases have 2+ words

    def _passive(self, words: _Words, first: int, trigger_text: str) -> bool:
        head, *rest = trigger_text.lower().split()
        if head in self._aux and rest:
            return True  # the trigger itself is passive ("were sent")
        participle = head.endswith(("ed", "en", "wn")) or head in IRREGULAR_PARTICIPLES
        return participle and not self._aux.isdisjoint(words.text[max(0, first - 2) : first])

    def _event(
        self, text: str, sentence: str, hit: Hit, trigger: Trigger, words: _Words, first: int,
        actors: list[ActorMention], clues: tuple[int, list[int]],
    ) -> FoundEvent:  # fmt: skip
        trigger_text = text[hit.start : hit.end]
        passive = self._passive(words, first, trigger_text)
        source, target = self._roles(hit, trigger, words, actors, passive, clues[1])
        confidence = trigger.weight + (0.05 if source else 0.0) + (0.05 if target else 0.0)
        return FoundEvent(
            trigger.type, trigger.mode, trigger_text, sentence, self._negated(words, first, clues[0]),
            round(min(confidence, 0.99), 3), source.name if source else None, target.name if target else None,
            source.country if source else None, target.country if target else None, hit.start, hit.end,
        )  # fmt: skip

    def _roles(
        self, hit: Hit, trigger: Trigger, words: _Words, actors: list[ActorMention], passive: bool, speech: list[int]
    ) -> tuple[ActorMention | None, ActorMention | None]:
        before = [a for a in actors if a.end <= hit.start]
        after = [a for a in actors if a.start >= hit.end]
        if passive:
            agent = next((a for a in after if "by" in words.text[words.at(hit.end) : words.at(a.start)]), None)
            return agent, (before[-1] if before else None)
        said = bisect_left(speech, hit.start)  # speech verbs before the trigger: speech[:said]
        if said and trigger.type not in VERBAL:
            before = [a for a in before if a.start > speech[said - 1]]  # the doer follows the last one
        if trigger.type in POPULAR:
            before = [a for a in before if a.type in POPULAR_ACTORS]
        source = before[-1] if before else None
        if trigger.type in VERBAL and first_actor_after_pronoun(words, hit.start) and actors:
            source = actors[0]
        target = next((a for a in after if source is None or a.name != source.name), None)
        return source, target
