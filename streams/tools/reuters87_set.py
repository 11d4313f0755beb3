"""The real-wire labelled set: which Reuters 1987 stories it holds, which part each is in, its text.

The set (`tests/data/reuters87-events.jsonl`) keeps only ids and labels; the text stays in
`../shared/data/reuters87-dev.jsonl.gz` (Reuters' copyright) and is joined at run time.

How the stories were chosen (fixed before any was read or tagged):

1. A story is *political* when its title has one of the `CUES` words, or its title and body
   together have two different ones. A story is *quiet* when neither has any.
2. `POLITICAL` stories are drawn from the political ones and `QUIET` from the quiet ones, each
   with `random.Random(SEED).sample` over the file order.
3. The part of a story is fixed by its id alone: `sha1(id)` modulo 3 -- 1 and 2 are the tuning
   parts `r87a` and `r87b`, 0 is `r87c`, never tuned on.
4. A second round (`rest`): the political stories the sample left out, all in the tuning part
   `r87t`. They were labelled after the first round, before the tagger was run on them.
5. A third round (`blind`): 200 of the stories not in the first two rounds that have at least one
   cue word, all in part `r87d`, labelled blind (the tagger never run on them) and never tuned on.
6. A fourth round (`verbal`): a tuning part `r87e` of 250 stories in no earlier round, drawn where the
   tagger's false positives live -- the one-cue stories `blind` left, and stories with no cue word
   whose title names a statement, talks, a threat or a trade dispute (`VERBAL_CUES`). Labelled from
   the text before the tagger was run on them; tuned on.
7. A fifth round (`fresh`): a blind part `r87f`, never tuned on, drawn like `blind` from the one-cue
   stories no earlier round took, topped up from `verbal`'s titled stratum.
8. A sixth round (`weak`): a tuning part `r87g` of 300 stories outside every labelled story's cluster,
   drawn towards the weakest event types (`WEAK_CUES`: concessions, aid, cooperation, refusals,
   withdrawals, backing, requests, warnings) in stories that name a government actor (`GOV_CUES`), with a
   share of background stories from the rest. Labelled from the text before the tagger was run on them;
   tuned on.
9. A seventh round (`held`): a blind part `r87h`, never tuned on, of stories naming a political actor in
   title or lead, with a share of background stories.
10. An eighth round (`headline`): a blind part `r87i`, never tuned on, of stories whose headline names a
    political actor (`GOV_CUES` in the title), with a share of background stories, in r87h's proportion.
11. A ninth round (`statal`): a tuning part `r87j`, as event-rich as what is left allows: stories whose
    headline names a state actor (`STATE_CUES`: governments, ministers, legislatures, leaders by name,
    intergovernmental bodies -- no corporate "president" or "officials"), a statement or weak-type word
    in the headline first. Labelled from the text before the tagger was run on them; a tuning part, not
    trained on yet (the one build that used it lost its never-tuned look: tests/data/DEVSET.md).

No story may share a story cluster (`clusters`: wire refiles and near-copies) with a story of the
other kind of part: a tuning item that is a refile of a never-tuned one carries `refile_of` in the
labels file and is never trained on (`refiles`), and a new never-tuned part draws only from stories
outside every labelled story's cluster.

`python -m streams.tools.reuters87_set` prints the chosen ids with their parts, in the order of the
labels file: first round to ninth round.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
WIRE = REPO.parent / "shared" / "data" / "reuters87-dev.jsonl.gz"
LABELS = REPO / "tests" / "data" / "reuters87-events.jsonl"

SEED = 1987
POLITICAL = 330
QUIET = 30
CUES = re.compile(
    r"\b(troops|soldiers|guerrillas?|rebels?|army|military|attacks?|attacked|killed|bomb\w*|protests?"
    r"|protesters|demonstrat\w+|riot\w*|arrest\w*|police|sanctions?|embargo|retaliat\w+|hostages?"
    r"|ceasefire|diplomat\w*|ambassador|invasion|navy|warships?|missiles?|coup|refugees?|expel\w*|war"
    r"|opposition|accused|condemn\w*|threat\w*|warned|strikers?|strike)\b",
    re.IGNORECASE,
)
NEVER_TUNED = "r87c"
SHINGLE = 8  # words per run when finding refiles of one story
CLUSTER_SHARE = 0.5


def wire_path() -> Path:
    """The shared wire file: `../shared/data/` beside the repository."""
    return WIRE


def read_wire(path: Path | None = None) -> list[dict[str, Any]]:
    """Every story of the shared 1987 wire file, in file order."""
    with gzip.open(path or wire_path(), "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@functools.cache
def cues(text: str) -> frozenset[str]:
    """The distinct political cue words of a text, lower case.

    Cached: each round's draw re-derives the rounds before it, so one story's text is asked about
    dozens of times (the seventh round's draw spent 96 of its 108 s in this regex uncached).
    """
    return frozenset(m.lower() for m in CUES.findall(text))


def part_of(story_id: str) -> str:
    """The part a story belongs to, from its id alone: r87a and r87b are tuned on, r87c never."""
    return ("r87c", "r87a", "r87b")[int(hashlib.sha1(story_id.encode()).hexdigest(), 16) % 3]


def _political(story: Mapping[str, Any]) -> bool:
    """A cue word in the title, or two different ones in title and body together."""
    title, body = cues(str(story["title"])), cues(str(story["body"]))
    return bool(title) or len(title | body) >= 2


def choose(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ids of the labelled set, political ones first, then quiet ones (the documented rule)."""
    political: list[str] = []
    quiet: list[str] = []
    for story in stories:
        if _political(story):
            political.append(str(story["id"]))
        elif not cues(str(story["body"])) and not cues(str(story["title"])):
            quiet.append(str(story["id"]))
    chosen = random.Random(SEED).sample(political, POLITICAL)
    return chosen + random.Random(SEED).sample(quiet, QUIET)


def rest(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The second round: the political stories `choose` left out, in file order (all tuned on)."""
    stories = list(stories)
    chosen = set(choose(stories))
    return [str(s["id"]) for s in stories if str(s["id"]) not in chosen and _political(s)]


SECOND_ROUND = "r87t"
BLIND = "r87d"
BLIND_SEED = 20261206
BLIND_SIZE = 200


def blind(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The third round, part `r87d`: never tuned on and labelled without running the tagger.

    The candidates are the stories, in file order, with at least one cue word in title or body
    that are in neither of the first two rounds (`choose`, `rest`): 527 stories, each with exactly
    one cue word, in the body (a cue in the title, or two cues, make a story political).
    `BLIND_SIZE` of them are drawn with `random.Random(BLIND_SEED).sample` and kept in the order
    drawn. The rule and the seed were fixed before any of these stories was read.
    """
    stories = list(stories)
    taken = set(choose(stories)) | set(rest(stories))
    candidates = [
        str(s["id"]) for s in stories if str(s["id"]) not in taken and cues(str(s["title"]) + " " + str(s["body"]))
    ]
    return random.Random(BLIND_SEED).sample(candidates, BLIND_SIZE)


VERBAL = "r87e"
VERBAL_SEED = 20261207
VERBAL_ONE_CUE = 100
VERBAL_TITLED = 60
VERBAL_MORE_ONE_CUE = 50
VERBAL_MORE_TITLED = 40
VERBAL_CUES = re.compile(
    r"\b(talks?|says?|said|warns?|urges?|rejects?|denies|agrees?|accord|pact|minister|tariffs?|trade"
    r"|dispute|retaliation|calls?|asks?|seeks?|opposes|criticis\w+|backs?|proposes?|plans?|meets?|visit\w*)\b",
    re.IGNORECASE,
)


def verbal(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The fourth round, tuning part `r87e`: stories in none of the earlier rounds, in two strata.

    `VERBAL_ONE_CUE` are drawn from the one-cue stories `blind` left out, and `VERBAL_TITLED` from
    the stories with no cue word whose title has a `VERBAL_CUES` word (statements, talks, threats,
    trade disputes: where the tagger's false positives were on the tuning parts). Each stratum is
    drawn with `random.Random(VERBAL_SEED).sample` over file order, kept in the order drawn, one
    after the other. A second draw (`VERBAL_MORE_ONE_CUE`, `VERBAL_MORE_TITLED`, seed
    VERBAL_SEED + 1) takes more of each stratum from what the first left, after them. The rules and
    the seeds were fixed before any of the stories they draw was read.
    """
    stories = list(stories)
    taken = set(choose(stories)) | set(rest(stories)) | set(blind(stories))
    one_cue: list[str] = []
    titled: list[str] = []
    for story in stories:
        story_id, title = str(story["id"]), str(story["title"])
        if story_id in taken:
            continue
        if cues(title + " " + str(story["body"])):
            one_cue.append(story_id)
        elif VERBAL_CUES.search(title):
            titled.append(story_id)
    first = random.Random(VERBAL_SEED).sample(one_cue, VERBAL_ONE_CUE)
    second = random.Random(VERBAL_SEED).sample(titled, VERBAL_TITLED)
    # a second draw in the same session, once the first 160 were labelled: the same strata, what the
    # first draw left, seed VERBAL_SEED + 1 (fixed before any of these stories was read)
    drawn = set(first + second)
    again = random.Random(VERBAL_SEED + 1)
    more = again.sample([i for i in one_cue if i not in drawn], VERBAL_MORE_ONE_CUE)
    return first + second + more + again.sample([i for i in titled if i not in drawn], VERBAL_MORE_TITLED)


FRESH = "r87f"
FRESH_SEED = 20261209
FRESH_SIZE = 200
HELD = "r87h"
HEADLINE = "r87i"
# the wire parts no training or choice may see
NEVER_TUNED_PARTS = frozenset({NEVER_TUNED, BLIND, FRESH, HELD, HEADLINE})


def _words(record: Mapping[str, Any]) -> list[str]:
    return re.findall(r"[a-z0-9]+", f"{record.get('title', '')} {record.get('body', record.get('text', ''))}".lower())


def clusters(records: Sequence[Mapping[str, Any]]) -> list[int]:
    """Per record, the index of the first record of its story: wire refiles and near-copies (one holds at
    least CLUSTER_SHARE of the other's SHINGLE-word runs) are one story."""
    shingles = []
    for record in records:
        words = _words(record)
        shingles.append({" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))})
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    seen: dict[str, list[int]] = {}
    for i, runs in enumerate(shingles):
        shared = Counter(j for run in runs for j in seen.get(run, ()))
        for j, count in sorted(shared.items()):
            if count >= CLUSTER_SHARE * min(len(runs), len(shingles[j])):
                a, b = sorted((root(i), root(j)))
                parent[b] = a
        for run in runs:
            seen.setdefault(run, []).append(i)
    return [root(i) for i in range(len(records))]


def refiles(records: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each tuning item that shares a story cluster with a never-tuned item, with the first such item's
    id: training on a refile of a never-tuned story would inflate its score. `records` are joined
    (title and body)."""
    story = clusters(records)
    blind_of: dict[int, str] = {}
    for root, record in zip(story, records, strict=True):
        if record["part"] in NEVER_TUNED_PARTS:
            blind_of.setdefault(root, str(record["id"]))
    return {
        str(r["id"]): blind_of[root]
        for root, r in zip(story, records, strict=True)
        if r["part"] not in NEVER_TUNED_PARTS and root in blind_of
    }


def _first_four(stories: Sequence[Mapping[str, Any]]) -> set[str]:
    """The ids the first four rounds took (`choose`, `rest`, `blind`, `verbal`)."""
    return set(choose(stories)) | set(rest(stories)) | set(blind(stories)) | set(verbal(stories))


def fresh(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The fifth round, part `r87f`: never tuned on, labelled before the tagger is run on it.

    Candidates are the stories no earlier round took and that share no story cluster (`clusters`, over
    the labelled stories and the candidates) with any labelled story. Stratified like `blind`: every
    remaining one-cue story (163), in the order of `random.Random(FRESH_SEED).sample`, then, up to
    `FRESH_SIZE`, a draw with the same generator from `verbal`'s other stratum (no cue word, a
    `VERBAL_CUES` word in the title). The rule and the seed were fixed before any of them was read.
    """
    stories = list(stories)
    taken = _first_four(stories)
    labelled = [s for s in stories if str(s["id"]) in taken]
    others = [s for s in stories if str(s["id"]) not in taken]
    one_cue = [s for s in others if cues(str(s["title"]) + " " + str(s["body"]))]
    titled = [
        s for s in others if not cues(str(s["title"]) + " " + str(s["body"])) and VERBAL_CUES.search(str(s["title"]))
    ]
    story = clusters(labelled + one_cue + titled)
    seen = set(story[: len(labelled)])
    apart = [root not in seen for root in story[len(labelled) :]]
    one = [str(s["id"]) for s, ok in zip(one_cue, apart, strict=False) if ok]
    other = [str(s["id"]) for s, ok in zip(titled, apart[len(one_cue) :], strict=True) if ok]
    draw = random.Random(FRESH_SEED)
    first = draw.sample(one, len(one))
    return first + draw.sample(other, FRESH_SIZE - len(first))


def _left(stories: Sequence[Mapping[str, Any]], taken: set[str]) -> list[Mapping[str, Any]]:
    """The stories not in `taken` that share no story cluster (`clusters`) with a taken one, only the first
    story of each cluster, in wire order."""
    labelled = [s for s in stories if str(s["id"]) in taken]
    others = [s for s in stories if str(s["id"]) not in taken]
    story = clusters(labelled + others)
    seen = set(story[: len(labelled)])
    left = []
    for s, root in zip(others, story[len(labelled) :], strict=True):
        if root not in seen:
            seen.add(root)
            left.append(s)
    return left


def _heads(stories: Sequence[Mapping[str, Any]], taken: set[str]) -> list[tuple[str, str, str]]:
    """Id, title and lead (the first `LEAD` characters of the body) of each story `_left` keeps."""
    return [(str(s["id"]), str(s["title"]), str(s["body"])[:LEAD]) for s in _left(stories, taken)]


WEAK = "r87g"
WEAK_SEED = 20261210
WEAK_TITLED = 150
WEAK_LEAD = 100
WEAK_REST = 50
LEAD = 800  # characters of the body read as its lead
WEAK_CUES = re.compile(
    r"\b(concessions?|eas(e|es|ed|ing)|lift(s|ed|ing)?|relax\w*|amnesty|apologi\w+|resign\w*|aid|assistance"
    r"|relief|donat\w+|cooperat\w+|co-operat\w+|joint|extradit\w+|reject\w*|den(y|ies|ied)|refus\w+|oppos\w+"
    r"|veto\w*|withdr\w+|releas\w+|freed|support\w*|back(s|ed|ing)?|endors\w+|prais\w+|welcom\w+|recogni\w+"
    r"|urg(e|es|ed|ing)|appeal\w*|ask(s|ed|ing)?|demand\w*|request\w*|warns?|warning|ultimatum)\b",
    re.IGNORECASE,
)
GOV_CUES = re.compile(
    r"\b(governments?|minister|ministry|president|parliament\w*|congress\w*|senate|cabinet|officials?|premier"
    r"|chancellor|state department|white house|kremlin|party|unions?|united nations|gatt|ec commission"
    r"|european community|opec)\b",
    re.IGNORECASE,
)


def weak(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The sixth round, tuning part `r87g`: stories no earlier round took, drawn towards the weakest types.

    Candidates share no story cluster (`clusters`) with any labelled story, and only the first story of
    each cluster among them is kept (one refile per story). Three strata, each drawn with one
    `random.Random(WEAK_SEED)` in turn, kept in the order drawn, one after the other: `WEAK_TITLED`
    stories with a `WEAK_CUES` word in the title and a `GOV_CUES` word in title or lead (the first
    `LEAD` characters of the body); `WEAK_LEAD` with a `WEAK_CUES` word only in the lead and a
    `GOV_CUES` word in title or lead; `WEAK_REST` from all the others (background: business, markets).
    No story the earlier rounds left has a `CUES` word, so all of them are wire copy the rounds before
    never sampled. The rule and the seed were fixed before any of these stories was read.
    """
    stories = list(stories)
    taken = _first_four(stories)
    titled: list[str] = []
    lead: list[str] = []
    other: list[str] = []
    for story_id, title, head in _heads(stories, taken | set(fresh(stories))):
        governed = bool(GOV_CUES.search(title) or GOV_CUES.search(head))
        if governed and WEAK_CUES.search(title):
            titled.append(story_id)
        elif governed and WEAK_CUES.search(head):
            lead.append(story_id)
        else:
            other.append(story_id)
    draw = random.Random(WEAK_SEED)
    return draw.sample(titled, WEAK_TITLED) + draw.sample(lead, WEAK_LEAD) + draw.sample(other, WEAK_REST)


HELD_SEED = 20261211
HELD_GOVERNED = 170
HELD_REST = 30


def held(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The seventh round, part `r87h`: never tuned on, labelled before the tagger is run on it.

    Candidates are the stories no earlier round took (`weak` included), sharing no story cluster with
    any labelled story, one story per cluster (the first). Two strata, drawn in turn with one
    `random.Random(HELD_SEED)`: `HELD_GOVERNED` stories with a `GOV_CUES` word in the title or lead
    (a political actor, whatever the type of its event: not aimed at any event type), then `HELD_REST`
    from all the others (background). The rule and the seed were fixed before any of them was read.
    """
    stories = list(stories)
    heads = _heads(stories, _first_four(stories) | set(fresh(stories)) | set(weak(stories)))

    def governed(title: str, head: str) -> bool:
        return bool(GOV_CUES.search(title) or GOV_CUES.search(head))

    return _two_strata(heads, governed, lambda title, head: not governed(title, head), HELD_SEED,
                       (HELD_GOVERNED, HELD_REST))  # fmt: skip


def _two_strata(
    heads: list[tuple[str, str, str]],
    first: Callable[[str, str], bool],
    then: Callable[[str, str], bool],
    seed: int,
    sizes: tuple[int, int],
) -> list[str]:
    """`sizes[0]` candidates (id, title, lead) that `first` takes, then `sizes[1]` that `then` takes,
    drawn in turn with one `random.Random(seed)`."""
    draw = random.Random(seed)
    taken = [i for i, title, head in heads if first(title, head)]
    rest = [i for i, title, head in heads if then(title, head)]
    return draw.sample(taken, sizes[0]) + draw.sample(rest, sizes[1])


HEADLINE_SEED = 20261212
HEADLINE_TITLED = 102
HEADLINE_REST = 18


def headline(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The eighth round, part `r87i`: never tuned on, labelled blind (before the tagger is run on it).

    Candidates as `held`'s (with `held`'s stories taken too); its strata, with `HEADLINE_SEED`:
    `HEADLINE_TITLED` stories whose title has a `GOV_CUES` word (r87h's "title or lead" stratum was
    mostly company copy), then `HEADLINE_REST` with none in title or lead, in r87h's proportion
    (170 : 30). The rule and the seed were fixed before any of them was read.
    """
    stories = list(stories)
    heads = _heads(stories, _first_four(stories) | set(fresh(stories)) | set(weak(stories)) | set(held(stories)))
    return _two_strata(heads, lambda title, _: bool(GOV_CUES.search(title)),
                       lambda title, head: not GOV_CUES.search(title) and not GOV_CUES.search(head),
                       HEADLINE_SEED, (HEADLINE_TITLED, HEADLINE_REST))  # fmt: skip


STATAL = "r87j"
STATAL_SEED = 20261213
STATAL_SIZE = 120
STATE_CUES = re.compile(
    r"\b(governments?|ministers?|ministry|parliament\w*|congress\w*|senate|senators?|cabinet|premier|chancellor"
    r"|state department|white house|kremlin|pentagon|embassy|ambassador|reagan|gorbachev|thatcher|nakasone|kohl"
    r"|mitterrand|chirac|aquino|shultz|yeutter|miyazawa|stoltenberg|lawson|tamura|sarney|alfonsin|de la madrid"
    r"|botha|mubarak|gandhi|zia|deng|zhao|united nations|gatt|ec commission|european community|opec|imf"
    r"|world bank|nato)\b",
    re.IGNORECASE,
)


def statal(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ninth round, tuning part `r87j`: the most event-rich stories left, labelled before the tagger is
    run on them, to be tuned on.

    Candidates as `headline`'s (with `headline`'s stories taken too). They are put in one order, drawn
    with one `random.Random(STATAL_SEED)` stratum by stratum: every story whose title has a `STATE_CUES`
    word and a `VERBAL_CUES` or `WEAK_CUES` word (a state actor saying or doing something), then every
    other story with a `STATE_CUES` word in the title, then those with one only in the lead and a
    `VERBAL_CUES` or `WEAK_CUES` word in the title. The part is the first `STATAL_SIZE` of that order (a
    later round may label further down the same order). The rule and the seed were fixed before any of
    these stories was read.
    """
    stories = list(stories)
    taken = _first_four(stories) | set(fresh(stories)) | set(weak(stories)) | set(held(stories))
    heads = _heads(stories, taken | set(headline(stories)))

    def acts(title: str) -> bool:
        return bool(VERBAL_CUES.search(title) or WEAK_CUES.search(title))

    strata: list[list[str]] = [[], [], []]
    for story_id, title, head in heads:
        if STATE_CUES.search(title):
            strata[0 if acts(title) else 1].append(story_id)
        elif STATE_CUES.search(head) and acts(title):
            strata[2].append(story_id)
    draw = random.Random(STATAL_SEED)
    return [i for stratum in strata for i in draw.sample(stratum, len(stratum))][:STATAL_SIZE]


RECHECK_SEED = 2026
RECHECK_SIZE = 40


def recheck(stories: Iterable[Mapping[str, Any]]) -> list[str]:
    """The 40 r87d stories labelled a second time by the same annotator, for self-agreement:
    `random.Random(RECHECK_SEED).sample` over `blind`'s order. The second labels are in
    `tests/data/reuters87-r87d-second.jsonl`; `python -m streams.tools.agreement` compares them."""
    return random.Random(RECHECK_SEED).sample(blind(stories), RECHECK_SIZE)


def joined(labels: Iterable[Mapping[str, Any]], path: Path | None = None) -> Iterator[dict[str, Any]]:
    """Each label record with the story's title, dateline, body and time from the wire file."""
    wire = {str(s["id"]): s for s in read_wire(path)}
    for label in labels:
        story = wire[str(label["id"])]
        yield {
            **label,
            "title": story["title"],
            "body": story["body"],
            "published_at": story["published_at"] or "1987-01-01T00:00:00Z",
            "source": "Reuters",
        }


def main() -> int:
    stories = read_wire()
    for story_id in choose(stories):
        print(story_id, part_of(story_id))
    rounds = (
        (rest, SECOND_ROUND),
        (blind, BLIND),
        (verbal, VERBAL),
        (fresh, FRESH),
        (weak, WEAK),
        (held, HELD),
        (headline, HEADLINE),
        (statal, STATAL),
    )
    for draw, part in rounds:
        for story_id in draw(stories):
            print(story_id, part)
    return 0


if __name__ == "__main__":
    sys.exit(main())
