"""Whether a story reports a political event at all: a story-level gate for the reported decision.

Most wire copy is business, markets, statistics and comment; its "attacks", "talks" and "warnings"
are what the candidate model, which sees one sentence at a time, lets through most often. The gate
reads the story as a whole -- its headline and lead words, which kinds of actor it names (in the
lead and anywhere), the event types the lexicon finds in it, how much of it is money -- and gives
the probability that it reports a political event. That probability, in GATE_BINS bins, becomes
one more feature of every candidate (`reported.candidate_features`), so a candidate in business
copy needs stronger evidence of its own; it is no veto.

The weights are learned with the candidate model by `python -m streams.tools.train_reported` and
shipped in ``data/story.json``; scoring is a dictionary look-up per feature.

>>> gate = StoryGate({"hw=troops": 2.0, "m=much": -2.0}, bias=0.0)
>>> gate.bin(["hw=troops", "m=none"]), gate.bin(["hw=shares", "m=much"])
('gate=4', 'gate=0')
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from streams.core.tagging.actors import ActorMention
from streams.core.tagging.data import DATA_DIR
from streams.core.tagging.events import FoundEvent

GATE_FILE = DATA_DIR / "story.json"
GATE_BINS = 5  # equal-width bins of the probability: "gate=0" below 0.2 ... "gate=4" from 0.8
_WORD = re.compile(r"[a-z][a-z'-]+")
STOP_WORDS = frozenset([
    "the", "a", "an", "of", "to", "in", "and", "for", "on", "at", "by", "with", "from", "as", "is", "was", "were",
    "be", "been", "has", "have", "had", "that", "this", "it", "its", "said", "says", "will", "would", "which", "who",
    "after", "before", "over", "but", "or", "not", "he", "she", "they", "their", "his", "her", "reuters",
])  # fmt: skip


class StoryGate:
    """A logistic model over a story's feature strings: the probability that it reports a political event."""

    def __init__(self, weights: dict[str, float], bias: float) -> None:
        self.weights = weights
        self.bias = bias

    @classmethod
    @cache
    def default(cls) -> StoryGate:
        return cls.load(GATE_FILE)

    @classmethod
    def load(cls, path: Path) -> StoryGate:
        spec = json.loads(path.read_text(encoding="utf-8"))
        return cls(dict(spec["weights"]), float(spec["bias"]))

    def probability(self, features: Iterable[str]) -> float:
        weights = self.weights
        score = self.bias + sum(weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score))))

    def bin(self, features: Iterable[str]) -> str:
        """The candidate feature the story's probability gives."""
        return bin_of(self.probability(features))


def bin_of(probability: float) -> str:
    return f"gate={min(int(probability * GATE_BINS), GATE_BINS - 1)}"


def story_features(
    text: str, body_start: int, spans: Sequence[tuple[int, int]], actors: Sequence[ActorMention],
    found: Sequence[FoundEvent], money: str,
) -> list[str]:  # fmt: skip
    """The gate's features: headline words (hw=), lead-sentence words (lw=), actor types named
    anywhere (aa=) and in the headline or lead (al=), the types of the events found that are not
    negated (ct=) and how many (nt=), and the story's money level (m=, as `reported._money`)."""
    lead_end = next((end for start, end in spans if start >= body_start), len(text))
    title = _WORD.findall(text[: max(0, body_start - 1)].lower())
    lead = _WORD.findall(text[body_start:lead_end].lower())
    features = [f"hw={w}" for w in dict.fromkeys(title) if w not in STOP_WORDS]
    features += [f"lw={w}" for w in dict.fromkeys(lead) if w not in STOP_WORDS]
    features += [f"aa={kind}" for kind in dict.fromkeys(a[3] for a in actors)]
    features += [f"al={kind}" for kind in dict.fromkeys(a[3] for a in actors if a[0] < lead_end)]
    types = sorted({e.type for e in found if not e.negated})
    features += [f"ct={kind}" for kind in types]
    features += [f"nt={min(len(types), 4)}", f"m={money}"]
    return features
