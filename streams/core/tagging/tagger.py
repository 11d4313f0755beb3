"""The geopolitical tagger: an Article in, a TaggedArticle out (countries, actors, events, topics).

>>> from datetime import datetime, timezone
>>> from schemas import Article
>>> article = Article(id="a1", source="wire", title="Kazakh police arrest protesters",
...     body="ALMATY, Jan 5 (Reuters) - Police detained dozens of protesters in Almaty, "
...          "and Russia sent troops.", published_at=datetime(2022, 1, 5, tzinfo=timezone.utc))
>>> tagged = Tagger.default().tag(article)
>>> [(c.code, c.role) for c in tagged.countries]
[('KAZ', 'location'), ('RUS', 'actor')]
>>> [(e.type, e.mode, e.source_actor) for e in tagged.events]  # headline, then body
[('COERCE', 'arrest', 'Kazakhstan police'), ('COERCE', 'arrest', 'Kazakhstan police'), ('MOBILIZE', 'troops', 'Russia')]
>>> "unrest" in tagged.topics and tagged.tagger_version.startswith("tagger-1.0+")
True
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cache
from itertools import chain
from typing import Any, TypeVar

from pydantic import BaseModel

from schemas._base import SCHEMA_VERSION
from schemas.article import Article
from schemas.tagged import Actor, CountryMention, Event, Span, TaggedArticle
from streams.core.fingerprint import encode
from streams.core.tagging import data, salience, sentences
from streams.core.tagging.actors import ACTOR_LAYER, ActorLexicon, ActorMention
from streams.core.tagging.events import EventFinder, FoundEvent
from streams.core.tagging.fastsketch import fingerprint_of
from streams.core.tagging.gazetteer import PLACE_LAYER, Gazetteer, PlaceMention
from streams.core.tagging.lexicon import TRIGGER_LAYER, TriggerLexicon
from streams.core.tagging.matcher import Hit, Matcher
from streams.core.tagging.topics import TopicGroups

MIN_SCORE = 0.15
LOCATED_KINDS = frozenset({"city", "region"})
LOCATIVE_KINDS = frozenset({"name", "city", "region", "capital", "ambiguous"})
HOMED = frozenset({"GOV", "MIL", "COP", "CVL", "OPP", "REB", "JUD"})  # sectors that default to home


class Tagger:
    """Tags articles; build once per process (`Tagger.default()`) and call `tag` per article."""

    def __init__(self, min_score: float = MIN_SCORE) -> None:
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score={min_score!r} must be within [0, 1]")
        self.min_score = min_score
        self.gazetteer = Gazetteer.default()
        self.actors = ActorLexicon.default()
        self.triggers = TriggerLexicon.default()
        self.events = EventFinder(self.triggers)
        self.topics = TopicGroups.load()
        self.matcher = Matcher(chain(self.gazetteer.entries(), self.actors.entries(), self.triggers.entries()))
        self.version = data.version()

    @classmethod
    @cache
    def default(cls) -> Tagger:
        return cls()

    def tag(self, article: Article) -> TaggedArticle:
        """The article's countries, actors, events and topics; deterministic for given data files."""
        text = f"{article.title}\n{article.body}"
        body_start = len(article.title) + 1
        hits = self.matcher.find(text)
        places = self.gazetteer.resolve(text, hits.get(PLACE_LAYER, []))
        dateline = self.gazetteer.dateline(article.body)
        if dateline:
            places = [p for p in places if p.end <= body_start + dateline[1] or p.start >= body_start + dateline[2]]
        locative = [p.kind in LOCATIVE_KINDS and _locative(text, p.start) for p in places]
        evidence = salience.collect(
            self._mentions(places, locative, hits.get(ACTOR_LAYER, [])), body_start, dateline and dateline[0]
        )
        home = _home(evidence)
        actors = self.actors.resolve(text, hits, places)
        if home:
            actors = [a if a.country or a.type not in HOMED else self._homed(a, home) for a in actors]
        triggers = hits.get(TRIGGER_LAYER)
        found, where = self._events(text, triggers, actors, places, locative, home) if triggers else ([], [])
        for event, place in zip(found, where, strict=True):
            self._credit(evidence, event, place)
        # Every field below comes from the validated article or the tagger's own tables, so the
        # models are built without validation (a test checks they equal validated ones).
        return _trusted(TaggedArticle, {
            "schema_version": SCHEMA_VERSION,
            "id": article.id, "url": article.url, "source": article.source, "title": article.title,
            "published_at": article.published_at,
            "countries": [_trusted(CountryMention, {"code": c.code, "role": c.role, "mentions": c.mentions,
                                                    "score": c.score})
                          for c in salience.rank(evidence, self.min_score)],
            "actors": _merge_actors(actors),
            "events": [self._event(e, place) for e, place in zip(found, where, strict=True)],
            "topics": self.topics.for_events((e.type, e.mode) for e in found if not e.negated),
            "fingerprint": encode(fingerprint_of(text)), "tagger_version": self.version,
        })  # fmt: skip

    def _mentions(
        self, places: list[PlaceMention], locative: list[bool], named: list[Hit]
    ) -> list[tuple[str, str, int, bool]]:
        found = [(p.code, p.kind, p.start, here) for p, here in zip(places, locative, strict=True)]
        found += [(h.entry.value.country, "actor", h.start, False) for h in named if h.entry.value.country]
        return found

    def _homed(self, actor: ActorMention, home: str) -> ActorMention:
        """A country-less domestic actor ("police") belongs to the article's home country."""
        return ActorMention(actor.start, actor.end, self.actors.name_of(home, actor.type), actor.type, home)

    def _events(
        self, text: str, triggers: list[Hit], actors: list[ActorMention], places: list[PlaceMention],
        locative: list[bool], home: str | None,
    ) -> tuple[list[FoundEvent], list[str | None]]:  # fmt: skip
        """The events of the text and where each happens (sentences are split only for them)."""
        found = self.events.find(text, sentences.split(text), triggers, actors)
        if not found:
            return found, []
        located = _Locator(places, locative, home)
        return found, [located.where(e) for e in found]

    def _credit(self, evidence: dict[str, salience.Evidence], event: FoundEvent, where: str | None) -> None:
        if event.negated:
            return
        if where and where in evidence:
            evidence[where].event_location += 1
        for code in (event.source_country, event.target_country):
            if code and code in evidence:
                evidence[code].acting += 1

    def _event(self, event: FoundEvent, where: str | None) -> Event:
        return _trusted(Event, {
            "type": event.type, "cameo": self.triggers.cameo[event.type], "mode": event.mode,
            "source_actor": event.source_actor, "target_actor": event.target_actor, "location": where,
            "trigger": event.trigger, "sentence": event.sentence, "negated": event.negated,
            "confidence": event.confidence,
        })  # fmt: skip


class _Locator:
    """Where an event happens: the nearest place of its sentence named as a location, else home."""

    def __init__(self, places: list[PlaceMention], locative: list[bool], home: str | None) -> None:
        self.home = home
        located = [p for p, here in zip(places, locative, strict=True) if here or p.kind in LOCATED_KINDS]
        self.starts = [p.start for p in located]
        self.codes = [p.code for p in located]

    def where(self, event: FoundEvent) -> str | None:
        start, end = event.sentence_start, event.sentence_end
        best, code = -1, self.home
        for i in range(bisect_left(self.starts, start), bisect_left(self.starts, end)):
            distance = abs(self.starts[i] - event.start)
            if best < 0 or distance < best:  # the first of equally near places, as min() would
                best, code = distance, self.codes[i]
        return code


def _locative(text: str, start: int) -> bool:
    words = text[max(0, start - 16) : start].split()
    if words and words[-1].lower() == "the":
        words = words[:-1]
    return bool(words) and words[-1].lower() in salience.LOCATIVE_WORDS


def _home(evidence: dict[str, salience.Evidence]) -> str | None:
    """The article's main place: the dateline, else the country most often named as a location."""
    for code, item in evidence.items():
        if item.dateline:
            return code
    located = [(item.located, item.weight, code) for code, item in evidence.items() if item.located]
    return max(located)[2] if located else None


def _merge_actors(actors: list[ActorMention]) -> list[Actor]:
    merged: dict[tuple[str, str, str | None], list[Span]] = {}
    for actor in actors:
        span = _trusted(Span, {"start": actor.start, "end": actor.end})
        merged.setdefault((actor.name, actor.type, actor.country), []).append(span)
    return [_trusted(Actor, {"name": n, "type": t, "country": c, "spans": s}) for (n, t, c), s in merged.items()]


_Model = TypeVar("_Model", bound=BaseModel)
_new = object.__new__
# BaseModel's slots, set through their descriptors (no attribute lookup by name per model).
_set_dict = vars(BaseModel)["__dict__"].__set__
_set_fields_set = vars(BaseModel)["__pydantic_fields_set__"].__set__
_set_extra = vars(BaseModel)["__pydantic_extra__"].__set__
_set_private = vars(BaseModel)["__pydantic_private__"].__set__


def _trusted(cls: type[_Model], values: dict[str, Any]) -> _Model:
    """`cls.model_construct(**values)` for a complete set of already valid fields, at a sixth of the cost.

    The same state as validation leaves (no extras, no private attributes, every field set); the
    models are frozen, so instances never share mutable state through `values`.
    """
    model = _new(cls)
    _set_dict(model, values)
    _set_fields_set(model, _fields_of(cls).copy())  # copying a set beats building one from keys
    _set_extra(model, None)
    _set_private(model, None)
    return model


@cache
def _fields_of(cls: type[BaseModel]) -> set[str]:
    return set(cls.model_fields)
