"""Events per sentence: triggers, negation, passive voice, reported speech, source and target.

>>> from streams.core.tagging.actors import ActorMention
>>> text = "Police denied firing on protesters in Almaty."
>>> finder = EventFinder.default()
>>> hits = Matcher(TriggerLexicon.default().entries()).find(text).get(TRIGGER_LAYER, [])
>>> actors = [ActorMention(0, 6, "police", "COP", None), ActorMention(24, 34, "civilians", "CVL", None)]
>>> [(e.type, e.negated, e.source_actor, e.target_actor) for e in finder.find(text, [(0, len(text))], hits, actors)]
[('REJECT', False, 'police', 'civilians'), ('ASSAULT', True, 'police', 'civilians')]

The denial itself is a REJECT (EVENT_RULES.md: a denial is coded REJECT); what it denies is negated.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from functools import cache
from itertools import accumulate
from operator import attrgetter
from typing import NamedTuple

from streams.core.tagging import data
from streams.core.tagging.actors import ActorMention
from streams.core.tagging.gazetteer import PlaceMention
from streams.core.tagging.holdings import POSSESSIVES, PRONOUN, Holdings, Mark, Marks
from streams.core.tagging.lexicon import TRIGGER_LAYER, Trigger, TriggerLexicon
from streams.core.tagging.matcher import Hit, Matcher

__all__ = ["TRIGGER_LAYER", "EventFinder", "FoundEvent", "Matcher"]

_WORD = re.compile(r"[\w'’]+(?:-[\w'’]+)*|[,;:]")
_WORD_PIECES = re.compile(r"([\w'’]+(?:-[\w'’]+)*|[,;:])")
_PLAIN_WORD_PIECES = re.compile(r"([\w'’]+|[,;:])")  # the same without hyphens, and faster
# The same for lowercased ASCII text, where \w is [a-z0-9_]: an explicit class scans twice as fast.
_ASCII_WORD_PIECES = re.compile(r"([a-z0-9_']+(?:-[a-z0-9_']+)*|[,;:])")
_ASCII_PLAIN_WORD_PIECES = re.compile(r"([a-z0-9_']+|[,;:])")
VERBAL = frozenset({"ACCUSE", "REQUEST", "REJECT", "THREATEN", "SUPPORT", "AGREE"})
POPULAR = frozenset({"PROTEST"})
POPULAR_ACTORS = frozenset({"CVL", "OPP", "PTY", "REB", "LEG", "BUS", "NGO", "MED"})
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
IRREGULAR_PARTICIPLES = frozenset({"sent", "shot", "held", "met", "struck", "sought"})
GOVERN_WINDOW = 6
NEAR_WINDOW = 4
NEGATION_WINDOW = 5
WEAK = 0.6
STRONG = WEAK + 0.1  # a sentence's events this confident hide its weaker ones
_CLAUSE_MARKS = frozenset({",", ";", ":"})
# A governed complement ends at a clause mark or a conjunction of time or cause ("after the protests").
_GOVERN_BREAKS = _CLAUSE_MARKS | {"after", "amid", "following", "since", "because"}


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
    sentence_start: int
    sentence_end: int


_START = attrgetter("start")
_new_tuple = tuple.__new__  # a NamedTuple without its Python-level __new__ (made per sentence and event)


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
    if lowered.isascii():
        pieces = (_ASCII_WORD_PIECES if "-" in lowered else _ASCII_PLAIN_WORD_PIECES).split(lowered)
    else:
        pieces = (_WORD_PIECES if "-" in lowered else _PLAIN_WORD_PIECES).split(lowered)
    return _new_tuple(_Words, (pieces[1::2], list(accumulate(map(len, pieces), initial=offset))[1:-1:2]))


def _anchors(phrases: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Phrases grouped under a word each contains, the words shared by most phrases first.

    >>> _anchors(["did not", "was not", "ruled out"])
    (('not', ('did not', 'was not')), ('ruled', ('ruled out',)))
    """
    left = list(phrases)
    groups = []
    while left:
        counts = Counter(word for phrase in left for word in dict.fromkeys(phrase.split()))
        anchor = max(counts, key=lambda word: (counts[word], len(word)))
        groups.append((anchor, tuple(p for p in left if anchor in p.split())))
        left = [p for p in left if anchor not in p.split()]
    return tuple(groups)


class EventFinder:
    """Turns trigger hits into events, one per type and polarity per sentence."""

    def __init__(self, lexicon: TriggerLexicon | None = None) -> None:
        language = data.load("language.toml")
        self.lexicon = lexicon or TriggerLexicon.default()
        cues = language["negation"]
        self._neg_words = frozenset(c for c in cues if " " not in c and not c.startswith("den"))
        self._neg_phrases = tuple(c for c in cues if " " in c)
        self._neg_anchors = _anchors(self._neg_phrases)
        # One search for "any phrase is a substring" (an alternation finds a match iff some phrase occurs).
        self._neg_phrase = re.compile("|".join(map(re.escape, self._neg_phrases)) or "(?!)")
        self._denials = frozenset(c for c in cues if c.startswith("den")) | {"dismissed", "refuted"}
        self._breaks = frozenset(language["clause_breaks"])
        self._speech = frozenset(language["speech"])
        self._aux = frozenset(language["passive_aux"])
        # Trigger text as found -> _shape of it; bounded by the lexicon's forms and their casings.
        self._shapes: dict[str, tuple[bool, bool]] = {}
        self.holdings = Holdings.default()

    @classmethod
    @cache
    def default(cls) -> EventFinder:
        return cls()

    def find(
        self, text: str, sentences: Sequence[tuple[int, int]], hits: list[Hit], actors: list[ActorMention],
        places: Sequence[PlaceMention] = (),
    ) -> list[FoundEvent]:  # fmt: skip
        """Events of every sentence, in text order (`hits` and `actors` are in text order, as found).

        With the text's `places`, a demonym marking what the event is done to or by gives the
        target's or source's country when no nearer actor does ("attacked an Iranian platform").
        """
        events: list[FoundEvent] = []
        marks = Marks.of(list(places))
        starts = [a[0] for a in actors]
        hit_starts = [h[0] for h in hits]
        position, count = 0, len(hits)
        for start, end in sentences:
            if position == count:
                break
            if hit_starts[position] >= end:
                continue  # no trigger in this sentence
            first = bisect_left(hit_starts, start, position)  # hits before it fall in the gap before it
            position = bisect_left(hit_starts, end, position)
            if first < position:
                in_sentence = actors[bisect_left(starts, start) : bisect_left(starts, end)]
                events.extend(self._sentence(text, start, end, hits[first:position], in_sentence, marks))
        return events

    def _sentence(
        self, text: str, start: int, end: int, hits: list[Hit], actors: list[ActorMention], marks: Marks
    ) -> list[FoundEvent]:
        sentence = text[start:end]
        words = _words(sentence, start)
        wtext, wstarts = words
        denial = self._denial(wtext)
        # Most sentences hold no negation cue at all: then only a denial word can negate.
        negatable = self._may_negate(wtext)
        chosen: dict[tuple[str, bool], FoundEvent] = {}
        governed_until = -1
        for hit_start, hit_end, entry in hits:
            if hit_start and text[hit_start - 1] == "-":
                continue  # "Russian-backed": part of a compound adjective
            triggers: tuple[Trigger, ...] = entry.value
            if not triggers:
                continue  # an ignored phrase
            first = bisect_right(wstarts, hit_start) - 1  # words.at, inlined
            if first < 0:
                first = 0
            trigger = triggers[0]
            if trigger.near:
                picked = self._pick(triggers, wtext, first)
                if picked is None:
                    continue
                trigger = picked
            if first <= governed_until:
                continue
            if trigger.governs and wtext[first] not in self._denials:  # a denial keeps its negated complement
                governed_until = self._clause_end(wtext, first, GOVERN_WINDOW)
            trigger_text = text[hit_start:hit_end]
            negated = denial < first or (negatable and self._negated(wtext, first))
            passive = self._passive(wtext, first, trigger_text)
            source, target = self._roles(hit_start, hit_end, trigger.type, words, first, actors, passive)
            confidence = trigger.confidences[(source is not None) * 2 + (target is not None)]
            countries = self._countries(text, hit_start, hit_end, words, actors, source, target, passive, marks)
            key = (trigger.type, negated)
            best = chosen.get(key)
            if best is None or best.confidence < confidence:
                chosen[key] = _new_tuple(FoundEvent, (
                    trigger.type, trigger.mode, trigger_text, sentence, negated, confidence,
                    source.name if source else None, target.name if target else None, *countries, hit_start, hit_end,
                    start, end,
                ))  # fmt: skip
        if len(chosen) < 2:
            return list(chosen.values())
        strong = [e for e in chosen.values() if e.confidence >= STRONG]
        return sorted(strong or chosen.values(), key=_START)

    def _denial(self, words: list[str]) -> int:
        """Index of the sentence's first denial word ("denied"), or its length when it has none."""
        if self._denials.isdisjoint(words):
            return len(words)
        return next(i for i, w in enumerate(words) if w in self._denials)

    def _may_negate(self, words: list[str]) -> bool:
        """False when no window of the sentence can hold a negation cue (see `_negated`)."""
        if not self._neg_words.isdisjoint(words):
            return True
        joined = " ".join(words)  # every window's words, joined, is a substring of this
        if "n't" in joined or "n’t" in joined:
            return True
        # Plain substring tests beat the phrase alternation's scan of a whole sentence (0.7 vs 1.1 us);
        # a phrase can only be there if a word of it is, so one test of "not" covers five phrases.
        for anchor, phrases in self._neg_anchors:
            if anchor in joined:
                for phrase in phrases:
                    if phrase in joined:
                        return True
        return False

    def _pick(self, triggers: tuple[Trigger, ...], words: list[str], first: int) -> Trigger | None:
        window: set[str] | None = None
        for trigger in triggers:
            if not trigger.near:
                return trigger
            if window is None:
                window = set(words[max(0, first - NEAR_WINDOW) : first + NEAR_WINDOW + 3])
            if not trigger.near.isdisjoint(window):
                return trigger
        return None

    def _clause_end(self, words: list[str], first: int, span: int) -> int:
        last = min(len(words) - 1, first + span)
        for index in range(first + 1, last + 1):
            if words[index] in _GOVERN_BREAKS:
                return index
        return last

    def _negated(self, words: list[str], first: int) -> bool:
        """A negation cue among the words right before the trigger, back to a clause break."""
        window: list[str] = []
        for word in reversed(words[max(0, first - NEGATION_WINDOW) : first]):
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

    def _passive(self, words: list[str], first: int, trigger_text: str) -> bool:
        shape = self._shapes.get(trigger_text)
        if shape is None:
            shape = self._shapes[trigger_text] = self._shape(trigger_text)
        itself, participle = shape
        return itself or (participle and not self._aux.isdisjoint(words[max(0, first - 2) : first]))

    def _shape(self, trigger_text: str) -> tuple[bool, bool]:
        """(the trigger itself is passive, as in "were sent"; its head word is a participle)."""
        head, *rest = trigger_text.lower().split()
        return head in self._aux and bool(rest), head.endswith(("ed", "en", "wn")) or head in IRREGULAR_PARTICIPLES

    def _last_speech(self, words: _Words, offset: int) -> int | None:
        """Start of the last speech verb ("said") starting before `offset`, if any."""
        count = bisect_left(words.starts, offset)  # the words starting before `offset`
        if self._speech.isdisjoint(words.text[:count]):
            return None
        return next(words.starts[i] for i in range(count - 1, -1, -1) if words.text[i] in self._speech)

    def _roles(
        self, hit_start: int, hit_end: int, kind: str, words: _Words, first: int, actors: list[ActorMention],
        passive: bool,
    ) -> tuple[ActorMention | None, ActorMention | None]:  # fmt: skip
        if not actors:
            return None, None
        # Actors are in text order and never overlap the trigger: those before it, then those after
        # (past any on the trigger's own span: a role noun that is also a trigger).
        split = 0
        for actor in actors:
            if actor[1] > hit_start:
                break
            split += 1
        after = split
        while after < len(actors) and actors[after][0] < hit_end:
            after += 1
        if passive:
            last = actors[split - 1] if split else None
            for actor in actors[after:]:
                if "by" in words.text[words.at(hit_end) : words.at(actor[0])]:
                    return actor, last
            return None, last
        source = self._doer(hit_start, kind, words, actors, split)
        if kind in VERBAL and first > 0 and words.text[first - 1] in PRONOUNS:
            source = actors[0]  # "and he denounced": the sentence's subject acts
        for actor in actors[after:]:
            if source is None or actor[2] != source[2]:
                return source, actor
        return source, None

    def _countries(
        self, text: str, hit_start: int, hit_end: int, words: _Words, actors: list[ActorMention],
        source: ActorMention | None, target: ActorMention | None, passive: bool, marks: Marks,
    ) -> tuple[str | None, str | None]:  # fmt: skip
        """The source's and target's countries: their actors', or a marked holding's nearer to the
        trigger ("U.S. warships attacked an Iranian oil platform": IRN). The actors stay as found:
        a platform is what Iran stands behind, not an actor of the event."""
        source_country = source[4] if source else None
        target_country = target[4] if target else None
        if not marks.starts and POSSESSIVES.isdisjoint(words.text):
            return source_country, target_country
        subject = self.holdings.before(text, hit_start, marks)
        if subject is not None:
            code = self._owner(subject, hit_start, words, actors)
            nearest = target if passive else source
            if code and (nearest is None or nearest[1] <= subject.start):
                if passive:  # "Iranian platforms were attacked": the subject is acted upon
                    target_country = code
                else:
                    source_country = code
        if not passive:
            thing = self.holdings.after(text, hit_end, marks)
            if thing is not None and text[hit_end - 3 : hit_end].lower() == " by":
                source_country = self._owner(thing, hit_start, words, actors) or source_country  # "strike by"
            elif thing is not None and (target is None or thing.start < target[0]):
                target_country = self._owner(thing, hit_start, words, actors) or target_country
        return source_country, target_country

    def _owner(self, mark: Mark, hit_start: int, words: _Words, actors: list[ActorMention]) -> str | None:
        """A mark's country; "its" and "their" are the speaker's of a reporting clause before the
        trigger ("Iran said U.S. forces attacked two of its platforms"), else unknown."""
        if mark.code != PRONOUN:
            return mark.code
        said = self._last_speech(words, hit_start)
        if said is None:
            return None
        speakers = [a for a in actors if a[1] <= said and a[4]]
        return speakers[-1][4] if speakers else None

    def _doer(
        self, hit_start: int, kind: str, words: _Words, actors: list[ActorMention], split: int
    ) -> ActorMention | None:
        """The last of the `split` actors before the trigger that may act: after the last speech verb
        ("X said Y attacked": Y) unless the event is itself verbal, and a popular actor for PROTEST."""
        said = self._last_speech(words, hit_start) if split and kind not in VERBAL else None
        popular = kind in POPULAR
        for index in range(split - 1, -1, -1):
            actor = actors[index]
            if said is not None and actor[0] <= said:
                return None  # the doer follows the last speech verb
            if not popular or actor[3] in POPULAR_ACTORS:
                return actor
        return None
