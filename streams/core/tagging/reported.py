"""Which found events an article *reports*: its main events, not background, history or hypotheses.

The trigger lexicon finds every sentence that names an event; a wire story also recalls last
year's riots, quotes a threat that "would" follow, or names a strike in passing. Each found event
(a candidate) is scored by a linear model over its own words and their place in the story:

* the event: its type, mode and trigger word;
* where it is: the headline, the lead (first body sentence), the next few sentences, later;
* its sentence: cue words of time and mood (``last year``, ``since``, ``had``, ``would``, ``if``,
  ``may``, ``plans``, ``ago``, a year such as 1983; ``will``, ``next``, ``scheduled`` for a meeting still
  to come, which EVENT_RULES codes AGREE, not CONSULT), the word right before the trigger, the other
  event types the same sentence holds (a PROTEST's demands are not a REQUEST of their own), whether
  an accident or a disaster is named (a crash is no ASSAULT), whether it counts dead or wounded
  ("left 46 dead"), whether the trigger stands inside a quotation; vetoes for what the rules never code
  (an accident's ASSAULT, though "opened fire" is gunfire; a THREATEN of crops and weather; a REQUEST
  that is a protest's or a strike's own demand; a noun in passing; the cause told before; history);
* the story: how long it is, how often the type is found, whether the headline has it, how much
  of it is money and markets (business copy's "attacks" and "wars" are figures of speech), and the
  story gate's bin: how likely the story as a whole reports a political event (`story.StoryGate`).

An event is reported when it is not negated and its score reaches the model's threshold. The
weights are learned from the labelled sets by `python -m streams.tools.train_reported` and shipped
in ``data/reported.json``; scoring needs no library, only a dictionary look-up per feature.

>>> model = ReportedModel({"t=ASSAULT": 1.0, "cue=last": -2.0}, bias=0.0, threshold=0.5)
>>> model.score(["t=ASSAULT"]) > model.score(["t=ASSAULT", "cue=last"])
True
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from schemas.tagged import EVENT_TYPES
from streams.core.tagging.data import DATA_DIR
from streams.core.tagging.events import VERBAL, FoundEvent

MODEL_FILE = DATA_DIR / "reported.json"
WINDOW = 3  # words before the trigger the vetoes look at (the last of them is a feature)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_WORD_PIECES = re.compile(f"({_WORD.pattern})")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# Words of money and markets: a story dense with them is business copy, whose "attacks" and "wars" are figures
# of speech (the story's share of them becomes a feature, crossed with the type).
_MONEY = re.compile(r"\b(?:dlrs?|pct|mln|billion|shares|tonnes|bonds|yen|profits?|earnings|dividends?)\b")
MUCH_MONEY = 5  # money words, and at least two in a hundred, make a story business copy
# A count of casualties in the sentence: "left 46 dead", "killing 12 people", "30 were wounded".
_CASUALTIES = re.compile(
    r"\b\d[\d,]*(?: \w+){0,2} (?:dead|killed|wounded|injured|died|people|soldiers|civilians|guerrillas|rebels)\b"
    r"|\b(?:killing|killed|left|leaving) (?:at least |about |some )?\d"
)
# Cue words of time, mood and reporting, looked up in the trigger's sentence.
CUES = frozenset([
        "last", "ago", "since", "earlier", "previous", "previously", "past", "former", "formerly", "had", "already",
        "until", "recent", "recently", "history", "historical", "anniversary", "year", "years", "month", "months",
        "week", "decade", "decades", "would", "could", "might", "may", "should", "must", "if", "unless", "whether",
        "plan", "plans", "planned", "planning", "proposed", "propose", "proposal", "possible", "possibly", "likely",
        "expected", "expect", "hope", "hopes", "hoped", "intend", "intends", "ready", "prepared", "threat",
        "threatened", "threatening", "warned", "warning", "risk", "fear", "fears", "feared", "chance", "consider",
        "considering", "today", "yesterday", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "tonight", "overnight", "said", "says", "told", "according", "reported", "report",
        "reports", "quoted", "sources", "accident", "accidental", "crash", "crashed", "collision", "disaster",
        "earthquake", "flood", "floods", "fire", "blaze", "explosion", "storm", "drought", "outbreak", "epidemic",
        "demand", "demanded", "demanding", "demands", "seeking", "not", "no", "never", "denied", "deny", "denies",
        "rejected", "will", "next", "scheduled", "rescheduled", "upcoming", "due", "resume", "postponed",
])  # fmt: skip


BACKGROUND_CUES = ("last", "ago", "since", "earlier", "previous", "previously", "past", "former", "formerly", "had",
                   "history", "historical", "anniversary")  # fmt: skip
HYPOTHETICAL_CUES = ("would", "could", "might", "may", "if", "unless", "whether", "plan", "plans", "planned",
                     "proposed", "possible", "possibly", "likely", "expected", "hope", "hopes")  # fmt: skip
DISASTER_CUES = ("accident", "accidental", "crash", "crashed", "collision", "disaster", "earthquake", "flood",
                 "floods", "fire", "blaze", "storm", "drought", "outbreak", "epidemic")  # fmt: skip


# The vetoes: rules of EVENT_RULES.md applied before any score (their feature starts with VETO).
VETO = "veto="
DISASTER_WORDS = frozenset(DISASTER_CUES)
# "fire" after these words is gunfire or arson, no disaster: "opened fire", "came under fire", "set it on fire".
GUNFIRE_BEFORE = frozenset([
    "opened", "open", "opening", "opens", "returned", "return", "returning", "on", "under", "cross", "heavy",
    "artillery", "gun", "machinegun", "machine", "rocket", "mortar", "sniper", "set", "sets", "setting", "hostile",
    "exchanged", "exchange", "exchanging", "exchanges", "of", "with",
])  # fmt: skip
# Crops, pests and weather: what "threatens" there is no actor ("drought threatens famine", "a threat of flooding").
NATURE_WORDS = frozenset([
    "crop", "crops", "harvest", "pests", "pest", "insects", "locusts", "disease", "diseases", "weather", "wind",
    "winds", "rain", "rains", "rainfall", "frost", "drought", "flood", "floods", "flooding", "storm", "storms",
    "hurricane", "typhoon", "famine", "blaze", "wildfire",
])  # fmt: skip
# Protesters and strikers: what they demand is their protest's demand (EVENT_RULES), whatever else the sentence holds.
PROTESTER_WORDS = frozenset([
    "demonstrators", "protesters", "protestors", "strikers", "marchers", "rioters", "walkout", "stoppage",
])  # fmt: skip
# "strike" is a labour strike after these words ("a three-day strike", "a general strike"), not an air strike.
LABOUR_STRIKE_BEFORE = frozenset([
    "general", "national", "nationwide", "day", "hour", "warning", "labour", "labor", "token", "sympathy", "on",
    "wildcat", "workers", "union", "unions",
])  # fmt: skip
# Who comments on the economy: their "warnings" are of a danger, not of an act of their own (a feature).
PUNDIT_WORDS = frozenset([
    "economist", "economists", "analyst", "analysts", "expert", "experts", "banker", "bankers", "dealers",
    "traders", "forecast", "forecasts", "study", "survey", "observers",
])  # fmt: skip
# What a warning is of, in the words after a THREATEN's trigger: a danger ("warned that inflation could
# rise") or an act of the speaker's own ("warned it would retaliate") -- PLOVER's THREATEN is the latter.
DANGER_WORDS = frozenset([
    "inflation", "recession", "default", "instability", "unemployment", "crisis", "vulnerable", "danger",
    "dangers", "dangerous", "risk", "risks", "collapse", "damage", "harm", "worsen", "slowdown", "deficit",
    "economy", "growth", "prices", "jobs", "stability", "bankruptcy", "losses", "dollar", "market", "markets",
])  # fmt: skip
ACT_WORDS = frozenset([
    "retaliate", "retaliation", "retaliatory", "sanctions", "veto", "action", "measures", "strike", "attack",
    "force", "punish", "tariffs", "quotas", "reprisals", "war", "kill", "destroy", "expel", "cut", "close", "sue",
])  # fmt: skip
AFTER = 12  # words after a THREATEN's trigger that say what it warns of
CAUSE_TYPES = frozenset({"PROTEST", "ASSAULT", "COERCE"})
CAUSE_WORDS = frozenset({"over", "after", "following", "since", "amid", "amidst"})
HISTORY_PHRASES = ("last year", "years ago", "decades ago", "months ago", "in the past", "last decade")
_SINCE_YEAR = re.compile(r"\bsince (?:(?:early|late|mid) )?(?:19|20)\d\d\b")


class ReportedModel:
    """A linear model over string features: score = bias + sum of their weights; reported at threshold."""

    def __init__(self, weights: dict[str, float], bias: float, threshold: float) -> None:
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self.cut = math.log(threshold / (1.0 - threshold))  # the threshold as a score

    @classmethod
    @cache
    def default(cls) -> ReportedModel:
        return cls.load(MODEL_FILE)

    @classmethod
    def rules(cls) -> ReportedModel:
        """The coding rules written as weights, with no learning: an event is background when its
        sentence dates it (a year, "last", "since", "had", "ago") or, for an event that is not a verbal
        act, makes it hypothetical ("would", "if", "may", "plans"); an ASSAULT in a sentence naming an
        accident or a disaster is none; a REQUEST beside a PROTEST is the protest's demand. It is the
        peer the learned model must beat (`python -m streams.tools.train_reported --compare`)."""
        weights = {f"cue={cue}": -3.0 for cue in BACKGROUND_CUES} | {"year": -3.0, "co=REQUEST:PROTEST": -5.0}
        for kind in EVENT_TYPES:
            if kind not in VERBAL:  # "warned it would strike" is a THREATEN reported now, whatever its mood
                weights |= {f"tc={kind}:{cue}": -3.0 for cue in HYPOTHETICAL_CUES}
        weights |= {f"tc=ASSAULT:{cue}": -5.0 for cue in DISASTER_CUES}
        return cls(weights, bias=2.0, threshold=0.5)

    @classmethod
    def load(cls, path: Path) -> ReportedModel:
        spec = json.loads(path.read_text(encoding="utf-8"))
        return cls(dict(spec["weights"]), float(spec["bias"]), float(spec["threshold"]))

    def score(self, features: Sequence[str]) -> float:
        weights = self.weights
        return self.bias + sum(weights.get(f, 0.0) for f in features)

    def reported(
        self, text: str, body_start: int, spans: Sequence[tuple[int, int]], found: Sequence[FoundEvent],
        story: str | None = None, money: str | None = None,
    ) -> list[bool]:  # fmt: skip
        """Per found event, whether the article reports it (negated and vetoed events never are);
        `story` is the story gate's bin (`story.StoryGate.bin`), a feature of every event."""
        rows = candidate_features(text, body_start, spans, found, story, money)
        cut = self.cut
        return [
            not event.negated and not row[0].startswith(VETO) and self.score(row) >= cut
            for event, row in zip(found, rows, strict=True)
        ]


class _Sentence(NamedTuple):
    """What the features need of one sentence, worked out once for all its events."""

    words: list[str]
    offsets: list[int]
    cues: tuple[str, ...]  # its cue words, sorted
    year: bool  # it names a year
    history: bool  # it dates what it tells ("since 2017", "years ago", "last year")
    disaster: bool  # it names an accident or a disaster
    types: tuple[str, ...]  # the types of its events, sorted
    casualties: bool  # it counts dead or wounded
    pundit: bool  # it names an economist, an analyst, a forecast


def _sentence(sentence: str, types: set[str]) -> _Sentence:
    lowered = sentence.lower()
    # split() with a group gives gap, word, gap, ..., gap: the words, and from the running length
    # their offsets, as finditer's matches would give them, with no Python per word.
    pieces = _WORD_PIECES.split(lowered)
    words = pieces[1::2]
    joined = " ".join(words)
    history = any(phrase in joined for phrase in HISTORY_PHRASES) or _SINCE_YEAR.search(joined) is not None
    return _Sentence(
        words, list(accumulate(map(len, pieces), initial=0))[1:-1:2], tuple(sorted(CUES.intersection(words))),
        _YEAR.search(sentence) is not None, history, _disaster(words), tuple(sorted(types)),
        _CASUALTIES.search(lowered) is not None, not PUNDIT_WORDS.isdisjoint(words),
    )  # fmt: skip


def _disaster(words: list[str]) -> bool:
    """Whether the sentence names an accident or a disaster (gunfire and arson are none)."""
    if DISASTER_WORDS.isdisjoint(words):
        return False
    return any(
        word in DISASTER_WORDS and (word != "fire" or i == 0 or words[i - 1] not in GUNFIRE_BEFORE)
        for i, word in enumerate(words)
    )


def candidate_features(
    text: str, body_start: int, spans: Sequence[tuple[int, int]], found: Sequence[FoundEvent],
    story: str | None = None, money: str | None = None,
) -> list[list[str]]:  # fmt: skip
    """The feature strings of each found event (see the module docstring); one list per event.

    The first feature is a veto (VETO + why) when the coding rules rule the event out. `story`, the
    story gate's bin, is added to every row; `money` is `money_level(text)` when the caller has it.
    """
    starts = [s for s, _ in spans]
    first_body = bisect_right(starts, body_start - 1)  # index of the first body sentence
    count = len(starts) - first_body
    size = "short" if count <= 2 else "medium" if count <= 6 else "long"
    money = money or money_level(text)
    per_type = Counter(e.type for e in found)
    titled = {e.type for e in found if e.start < body_start}
    types: dict[int, set[str]] = {}
    for event in found:
        types.setdefault(event.sentence_start, set()).add(event.type)
    known: dict[int, _Sentence] = {}
    rows = []
    for event in found:
        kind = event.type
        info = known.get(event.sentence_start)
        if info is None:
            info = known[event.sentence_start] = _sentence(event.sentence, types[event.sentence_start])
        words = info.words
        at = bisect_right(info.offsets, event.start - event.sentence_start) - 1
        trigger = event.trigger.lower()
        place = _place(event.start, body_start, bisect_right(starts, event.sentence_start) - 1 - first_body)
        before = words[max(0, at - WINDOW) : max(0, at)]
        veto = _veto(kind, trigger, before, info)
        row = [VETO + veto] if veto else []
        row += [
            f"t={kind}", f"tm={kind}:{event.mode}", f"tr={kind}:{trigger}", f"p={place}", f"tp={kind}:{place}",
            f"n={kind}:{min(per_type[kind], 3)}", f"size={size}", f"sp={size}:{place}", f"tsp={kind}:{size}:{place}",
        ]  # fmt: skip
        if kind in titled and event.start >= body_start:
            row.append(f"intitle={kind}")
        if event.source_actor:
            row.append("src")
        if event.target_actor:
            row.append("tgt")
        row += [f"co={kind}:{other}" for other in info.types if other != kind]
        row += [f"cue={c}" for c in info.cues]
        row += [f"tc={kind}:{c}" for c in info.cues]
        if info.year:
            row.append("year")
        row += [f"m={money}", f"tmo={kind}:{money}"]
        if info.casualties:
            row.append(f"cas={kind}")
        if event.sentence[: event.start - event.sentence_start].count('"') % 2:
            row.append(f"quoted={kind}")
        if before:
            row.append(f"tb={kind}:{before[-1]}")
        after = bisect_left(info.offsets, event.start - event.sentence_start + len(event.trigger))
        row.append(f"ta={kind}:{words[after] if after < len(words) else '.'}")
        if info.pundit:
            row.append(f"pundit={kind}")
        if kind == "THREATEN":
            of = words[after : after + AFTER]
            row += ["act"] if not ACT_WORDS.isdisjoint(of) else ["danger"] if not DANGER_WORDS.isdisjoint(of) else []
        if story:
            row.append(story)
        rows.append(row)
    return rows


def _veto(kind: str, trigger: str, before: list[str], sentence: _Sentence) -> str | None:
    """Why the coding rules rule an event out whatever its score, if they do."""
    if kind == "ASSAULT" and sentence.disaster:
        return "disaster"  # "plane crash kills all 72": an accident, no violence
    if kind == "THREATEN" and not NATURE_WORDS.isdisjoint(sentence.words):
        return "nature"  # "drought threatens famine", "crop threatened by pests": no actor threatens
    if kind == "REQUEST" and ("PROTEST" in sentence.types or _protesters(sentence.words)):
        return "demand"  # "marched to demand ...", "called a strike to press for higher wages": the protest's demand
    if kind == "REQUEST" and before[-1:] == ["the"] and " " not in trigger:
        return "passing"  # "the request for CSTO troops": a noun in passing
    if kind in CAUSE_TYPES and not CAUSE_WORDS.isdisjoint(before[-2:]):
        return "cause"  # "detained over the unrest": the cause of the news, told before
    if sentence.history:
        return "history"  # "has killed thousands since 2017", "two years ago", "last year"
    return None


def _protesters(words: list[str]) -> bool:
    """Whether the sentence names protesters, strikers or a labour strike."""
    if not PROTESTER_WORDS.isdisjoint(words):
        return True
    return any(w in ("strike", "strikes") and i and words[i - 1] in LABOUR_STRIKE_BEFORE for i, w in enumerate(words))


def money_level(text: str) -> str:
    """How much of the story is money and markets: none, some, much (MUCH_MONEY words or more, and at
    least two in every hundred)."""
    found = len(_MONEY.findall(text.lower()))
    if not found:
        return "none"
    return "much" if found >= MUCH_MONEY and found * 50 >= text.count(" ") + 1 else "some"


def _place(start: int, body_start: int, index: int) -> str:
    """Where in the story: the headline, the lead sentence, sentences 2-3, 4-6, or later."""
    if start < body_start:
        return "title"
    if index <= 0:
        return "lead"
    if index <= 2:
        return "early"
    return "middle" if index <= 5 else "late"
