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

from schemas import TAGGED_SCHEMA_VERSION
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
from streams.core.tagging.reported import ReportedModel, money_level
from streams.core.tagging.story import StoryGate, story_features
from streams.core.tagging.topics import TopicGroups
from streams.core.tagging.trusted import trusted, trusted_many

MIN_SCORE = 0.15
LOCATIVE_KINDS = frozenset({"name", "city", "region", "capital", "ambiguous"})


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
        self.reported = ReportedModel.default()
        self.gate = StoryGate.default()
        self.topics = TopicGroups.load()
        self.matcher = Matcher(chain(self.gazetteer.entries(), self.actors.entries(), self.triggers.entries()))
        self.version = data.version()

    @classmethod
    @cache
    def default(cls) -> Tagger:
        return cls()

    def tag(self, article: Article) -> TaggedArticle:
        """The article's countries, actors, events and topics; deterministic for given data files."""
        text, body_start, hits, places, locative, evidence, home, actors = self._read(article)
        triggers = hits.get(TRIGGER_LAYER)
        events, topics = self._events(text, body_start, triggers, actors, places, locative, home, evidence)
        # Every field below comes from the validated article or the tagger's own tables, so the
        # models are built without validation (a test checks they equal validated ones).
        return trusted(TaggedArticle, {
            "schema_version": TAGGED_SCHEMA_VERSION,
            "id": article.id, "url": article.url, "source": article.source, "title": article.title,
            "published_at": article.published_at,
            "countries": trusted_many(CountryMention, [
                {"code": c.code, "role": c.role, "mentions": c.mentions, "score": c.score}
                for c in salience.rank(evidence, self.min_score)
            ]),
            "actors": _merge_actors(actors),
            "events": events,
            "topics": topics,
            "fingerprint": encode(fingerprint_of(text)), "tagger_version": self.version,
        })  # fmt: skip

    def candidates(self, article: Article) -> tuple[str, int, list[tuple[int, int]], list[FoundEvent]]:
        """The text, where its body starts, its sentences and every event the lexicon finds in it,
        before the reported/background decision (what `train_reported` learns that decision from)."""
        text, body_start, spans, found, _ = self._found(article)
        return text, body_start, spans, found

    def story(self, article: Article) -> list[str]:
        """The story gate's features of the article (what `train_reported` learns the gate from)."""
        text, body_start, spans, found, actors = self._found(article)
        return story_features(text, body_start, spans, actors, found, money_level(text))

    def _found(self, article: Article) -> tuple[str, int, list[tuple[int, int]], list[FoundEvent], list[ActorMention]]:
        """Text, body start, sentences (split only when a trigger is found), found events and actors."""
        text, body_start, hits, places, *_, actors = self._read(article)
        triggers = hits.get(TRIGGER_LAYER)
        spans = sentences.split(text) if triggers else []
        found = self.events.find(text, spans, triggers, actors, places) if triggers else []
        return text, body_start, spans, found, actors

    def _read(self, article: Article) -> tuple[
        str, int, dict[int, list[Hit]], list[PlaceMention], list[bool], dict[str, salience.Evidence], str | None,
        list[ActorMention],
    ]:  # fmt: skip
        """Text, body start, matcher hits, places (and which are locations), country evidence, the
        article's home country and its actors."""
        text = f"{article.title}\n{sentences.unwrapped(article.body)}"  # a hard-wrapped body read as its sentences
        body_start = len(article.title) + 1
        hits = self.matcher.find(text)
        places = self.gazetteer.resolve(text, hits.get(PLACE_LAYER, []))
        dateline = self.gazetteer.dateline(article.body)
        relays: list[tuple[int, int]] = []
        if dateline:
            lo, hi = body_start + dateline[1], body_start + dateline[2]
            places = [p for p in places if p[1] <= lo or p[0] >= hi]
            # a report picked up in the dateline city ("monitored in Nicosia") is not news from there
            relays = self.gazetteer.relays(text, article.body[dateline[1] : dateline[2]])
            places = [p for p in places if not any(a <= p[0] < b for a, b in relays)]
        locative, mentions = _place_mentions(text, places)
        named = hits.get(ACTOR_LAYER, ())
        mentions += [(h[2].value.country, "actor", h[0], False) for h in named if h[2].value.country]
        evidence = salience.collect(mentions, body_start, dateline[0] if dateline and not relays else None)
        home = _home(evidence)
        actors = self.actors.resolve(text, hits, places, home)
        return text, body_start, hits, places, locative, evidence, home, actors

    def _events(
        self, text: str, body_start: int, triggers: list[Hit] | None, actors: list[ActorMention],
        places: list[PlaceMention],
        locative: list[bool], home: str | None, evidence: dict[str, salience.Evidence],
    ) -> tuple[list[Event], list[str]]:  # fmt: skip
        """The text's events and their topics; each event's place and actors add to the evidence.

        Sentences are split only for events; one pass over the found events locates them, credits
        the countries and builds the output models.
        """
        spans = sentences.split(text) if triggers else []
        found = self.events.find(text, spans, triggers, actors, places) if triggers else []
        if not found:
            return [], []
        money = money_level(text)
        gate = self.gate.bin(story_features(text, body_start, spans, actors, found, money))
        reported = self.reported.reported(text, body_start, spans, found, gate, money)
        where = _Locator(places, locative, home).where
        cameo = self.triggers.cameo
        rows = []
        keys = set()
        for event, main in zip(found, reported, strict=True):
            place = where(event)
            if main:
                keys.add((event.type, event.mode))
            if not event.negated:
                # The event's place and its actors' countries count towards their salience.
                if place in evidence:
                    evidence[place].event_location += 1
                if event.source_country in evidence:
                    evidence[event.source_country].acting += 1
                if event.target_country in evidence:
                    evidence[event.target_country].acting += 1
            rows.append({
                "type": event.type, "cameo": cameo[event.type], "mode": event.mode,
                "source_actor": event.source_actor, "target_actor": event.target_actor, "location": place,
                "trigger": event.trigger, "sentence": event.sentence, "negated": event.negated,
                "reported": main, "confidence": event.confidence,
            })  # fmt: skip
        return trusted_many(Event, rows), self.topics.for_events(keys)


class _Locator:
    """Where an event happens: the nearest place of its sentence named as a location, else home."""

    def __init__(self, places: list[PlaceMention], locative: list[bool], home: str | None) -> None:
        self.home = home
        located = [p for p, here in zip(places, locative, strict=True) if here or p.kind in salience.LOCATED_KINDS]
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


def _place_mentions(text: str, places: list[PlaceMention]) -> tuple[list[bool], list[tuple[str, str, int, bool]]]:
    """Per place, whether it is named as a location ("in Almaty", "at the Iran border"), and its
    (code, kind, start, locative) mention for the salience evidence."""
    located: list[bool] = []
    mentions = []
    for start, _, code, kind in places:
        here = False
        if kind in LOCATIVE_KINDS:
            words = text[max(0, start - 16) : start].split()  # the word before it, skipping "the"
            if words and words[-1].lower() == "the":
                words.pop()
            here = bool(words) and words[-1].lower() in salience.LOCATIVE_WORDS
        located.append(here)
        mentions.append((code, kind, start, here))
    return located, mentions


def _home(evidence: dict[str, salience.Evidence]) -> str | None:
    """The article's main place: the dateline, else the country most often named as a location."""
    for code, item in evidence.items():
        if item.dateline:
            return code
    located = [(item.located, item.weight, code) for code, item in evidence.items() if item.located]
    return max(located)[2] if located else None


def _merge_actors(actors: list[ActorMention]) -> list[Actor]:
    """One Actor per (name, type, country), with the spans of all its mentions."""
    spans = trusted_many(Span, [{"start": a[0], "end": a[1]} for a in actors])
    merged: dict[tuple[str, str, str | None], list[Span]] = {}
    for actor, span in zip(actors, spans, strict=True):
        merged.setdefault(actor[2:], []).append(span)
    return trusted_many(Actor, [{"name": n, "type": t, "country": c, "spans": s} for (n, t, c), s in merged.items()])
