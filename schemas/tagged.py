"""`TaggedArticle`: an article with its countries, actors, events and topics (topic `events`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas._base import Contract, UtcDatetime

# The TaggedArticle contract has its own version: 2 added `Event.reported` (older readers ignore it;
# in a version-1 message read now every event is reported, and its `negated` still rules it out).
TAGGED_SCHEMA_VERSION = 2

CountryRole = Literal["location", "actor", "mentioned"]
ActorType = Literal[
    "GOV", "MIL", "COP", "REB", "OPP", "PTY", "IGO", "NGO", "CVL", "MED", "BUS", "JUD",
    "LEG", "REL", "CRM", "REF", "SPY", "UAF",
]  # fmt: skip
EventType = Literal[
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "SANCTION", "PROTEST", "MOBILIZE", "COERCE", "ASSAULT",
]  # fmt: skip
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]


class Span(Contract):
    """Character offsets [start, end) into the article text (title, newline, body)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class CountryMention(Contract):
    """A country the article is about, with the part it plays."""

    code: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code.")
    role: CountryRole = Field(description="location: where things happen; actor: who acts; mentioned: neither.")
    mentions: int = Field(ge=1, description="How many times the article refers to it.")
    score: float = Field(ge=0.0, le=1.0, description="Salience of the country in the article.")


class Actor(Contract):
    """A political actor found in the article."""

    name: str = Field(min_length=1, description="Canonical name, e.g. 'Antony Blinken'.")
    type: ActorType = Field(description="PLOVER/CAMEO sector code.")
    country: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO3 country it belongs to, if any.")
    spans: list[Span] = Field(default_factory=list, description="Where it is mentioned.")


class Event(Contract):
    """A PLOVER event found in one sentence."""

    type: EventType = Field(description="PLOVER event type.")
    cameo: str = Field(pattern=r"^[0-9]{2}$", description="CAMEO root code of the type.")
    mode: str | None = Field(None, description="PLOVER mode, e.g. 'riot', 'arrest', 'troops'.")
    source_actor: str | None = Field(None, description="Name of the acting actor, if the sentence says.")
    target_actor: str | None = Field(None, description="Name of the actor acted upon, if the sentence says.")
    location: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO3 country where it happens.")
    trigger: str = Field(description="The words that signal the event.")
    sentence: str = Field(description="The sentence it was found in.")
    negated: bool = Field(False, description="True when the sentence denies or negates it.")
    reported: bool = Field(
        True,
        description="True for a main event the article reports as happening (or decided and announced); "
        "False for background, history, hypothetical, negated or passing mentions. Only reported events "
        "count towards topics, counts and alerts.",
    )
    confidence: float = Field(ge=0.0, le=1.0)

    @property
    def counts(self) -> bool:
        """True for an event that counts (topics, counts, alerts, metrics, evaluation): reported and not
        negated (a version-1 message marks every event reported; its `negated` still rules one out)."""
        return self.reported and not self.negated


class TaggedArticle(Contract):
    """What the tagger publishes per article; key it by `id`."""

    schema_version: int = Field(TAGGED_SCHEMA_VERSION, description="Contract version of this message.")
    id: str = Field(min_length=1, description="The article's id.")
    url: str | None = None
    source: str
    title: str
    published_at: UtcDatetime
    countries: list[CountryMention] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list, description="Topic names of the reported events.")
    fingerprint: str = Field("", description="MinHash bottom-k sketch of the text (hex), for near-duplicate detection.")
    tagger_version: str = Field(description="Version of the tagger and its data.")
