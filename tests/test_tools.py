"""The command-line tools outside the core: evaluation reports of the labelled sets, annotator agreement."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from schemas import EVENT_TYPES
from streams.tools import agreement, evaluate, reuters87_set
from streams.tools.train_reported import TUNED_PARTS

DATA = Path(__file__).resolve().parent / "data"
WEAK_SIZE = reuters87_set.WEAK_TITLED + reuters87_set.WEAK_LEAD + reuters87_set.WEAK_REST
HELD_SIZE = reuters87_set.HELD_GOVERNED + reuters87_set.HELD_REST
HEADLINE_SIZE = reuters87_set.HEADLINE_TITLED + reuters87_set.HEADLINE_REST
LATER = HEADLINE_SIZE + reuters87_set.STATAL_SIZE  # the eighth and ninth rounds


def _labelled() -> list[dict[str, Any]]:
    return [json.loads(line) for line in reuters87_set.LABELS.read_text(encoding="utf-8").splitlines()]


def _drawn(draw: Callable[[list[dict[str, Any]]], list[str]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The wire and the ids a round draws from it, checked to be the same ids on a fresh read."""
    stories = reuters87_set.read_wire()
    ids = draw(stories)
    assert ids == draw(reuters87_set.read_wire())
    return stories, ids


def test_evaluate_prints_a_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main([str(DATA / "events2024.jsonl")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("items: 187") and "macro-F1" in out


def _last_and_never_tuned(by_id: dict[str, Any], labelled: list[dict[str, Any]], drawn: list[str], part: str) -> None:
    """A round's stories share no story with a labelled one nor each other, and the labels file holds them
    last, in the order drawn, as a part never tuned on."""
    earlier = labelled[: -len(drawn)]
    texts = [by_id[r["id"]] for r in earlier] + [by_id[i] for i in drawn]
    story = reuters87_set.clusters(texts)
    assert not set(story[: len(earlier)]) & set(story[len(earlier) :])
    assert len(set(story[len(earlier) :])) == len(drawn)
    assert [r["id"] for r in labelled[-len(drawn) :]] == drawn
    assert {r["part"] for r in labelled[-len(drawn) :]} == {part}
    assert part not in TUNED_PARTS and part in reuters87_set.NEVER_TUNED_PARTS


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_evaluate_joins_the_wire_text_and_keeps_a_part(capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main([str(reuters87_set.LABELS), "--part=r87c"]) == 0
    assert capsys.readouterr().out.startswith("items: 117")


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_the_blind_part_is_a_fixed_draw_disjoint_from_the_earlier_rounds() -> None:
    stories = reuters87_set.read_wire()
    third = reuters87_set.blind(stories)
    assert third == reuters87_set.blind(reuters87_set.read_wire())  # the same ids on a fresh read
    earlier = set(reuters87_set.choose(stories)) | set(reuters87_set.rest(stories))
    assert len(third) == len(set(third)) == reuters87_set.BLIND_SIZE and not set(third) & earlier
    by_id = {s["id"]: s for s in stories}
    # each story drawn has exactly one cue word, in the body: what the first two rounds left out
    assert all(len(reuters87_set.cues(by_id[i]["title"] + " " + by_id[i]["body"])) == 1 for i in third)
    assert not any(reuters87_set.cues(by_id[i]["title"]) for i in third)
    # the labels file holds them, in the order drawn, after the earlier rounds
    labelled = [json.loads(line) for line in reuters87_set.LABELS.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in labelled if r["part"] == reuters87_set.BLIND] == third


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_the_fourth_round_is_a_fixed_draw_from_what_the_earlier_rounds_left() -> None:
    stories = reuters87_set.read_wire()
    fourth = reuters87_set.verbal(stories)
    assert fourth == reuters87_set.verbal(reuters87_set.read_wire())  # the same ids on a fresh read
    earlier = set(reuters87_set.choose(stories)) | set(reuters87_set.rest(stories)) | set(reuters87_set.blind(stories))
    one, titles = reuters87_set.VERBAL_ONE_CUE, reuters87_set.VERBAL_TITLED
    more = reuters87_set.VERBAL_MORE_ONE_CUE
    size = one + titles + more + reuters87_set.VERBAL_MORE_TITLED
    assert len(fourth) == len(set(fourth)) == size and not set(fourth) & earlier
    by_id = {s["id"]: s for s in stories}
    one_cue = fourth[:one] + fourth[one + titles : one + titles + more]
    titled = fourth[one : one + titles] + fourth[one + titles + more :]
    # the first stratum: one cue word, as in r87d; the second: no cue word, a statement word in the title
    assert all(len(reuters87_set.cues(by_id[i]["title"] + " " + by_id[i]["body"])) == 1 for i in one_cue)
    assert all(not reuters87_set.cues(by_id[i]["title"] + " " + by_id[i]["body"]) for i in titled)
    assert all(reuters87_set.VERBAL_CUES.search(by_id[i]["title"]) for i in titled)
    # the labels file holds them last, in the order drawn, as a tuning part
    labelled = [json.loads(line) for line in reuters87_set.LABELS.read_text(encoding="utf-8").splitlines()]
    labelled = labelled[: -reuters87_set.FRESH_SIZE - WEAK_SIZE - HELD_SIZE - LATER]  # rounds 5-9 after it
    assert [r["id"] for r in labelled[-size:]] == fourth
    assert {r["part"] for r in labelled[-size:]} == {reuters87_set.VERBAL} and reuters87_set.VERBAL in TUNED_PARTS


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_the_fifth_round_is_blind_and_shares_no_story_with_any_earlier_one() -> None:
    stories, fifth = _drawn(reuters87_set.fresh)
    labelled = _labelled()[: -WEAK_SIZE - HELD_SIZE - LATER]  # rounds six to nine come after it
    earlier = labelled[: -reuters87_set.FRESH_SIZE]
    assert len(fifth) == len(set(fifth)) == reuters87_set.FRESH_SIZE and not set(fifth) & {r["id"] for r in earlier}
    by_id = {s["id"]: s for s in stories}
    # stratified like r87d: every one-cue story left first, then no-cue stories with a statement word in the title
    cued = [bool(reuters87_set.cues(by_id[i]["title"] + " " + by_id[i]["body"])) for i in fifth]
    assert cued == sorted(cued, reverse=True) and 150 <= sum(cued) < reuters87_set.FRESH_SIZE
    titled = [i for i, one in zip(fifth, cued, strict=True) if not one]
    assert all(reuters87_set.VERBAL_CUES.search(by_id[i]["title"]) for i in titled)
    # no story of the fifth round is a refile of a story of any earlier round
    texts = [by_id[r["id"]] for r in earlier] + [by_id[i] for i in fifth]
    story = reuters87_set.clusters(texts)
    assert not set(story[: len(earlier)]) & set(story[len(earlier) :])
    # the labels file holds them last, in the order drawn, as a part never tuned on
    assert [r["id"] for r in labelled[-reuters87_set.FRESH_SIZE :]] == fifth
    assert {r["part"] for r in labelled[-reuters87_set.FRESH_SIZE :]} == {reuters87_set.FRESH}
    assert reuters87_set.FRESH not in TUNED_PARTS


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_the_sixth_round_leans_to_the_weak_types_and_shares_no_story_with_any_earlier_one() -> None:
    stories, sixth = _drawn(reuters87_set.weak)
    labelled = _labelled()[: -HELD_SIZE - LATER]  # the seventh to ninth rounds come after it
    earlier = labelled[:-WEAK_SIZE]
    assert len(sixth) == len(set(sixth)) == WEAK_SIZE and not set(sixth) & {r["id"] for r in earlier}
    by_id = {s["id"]: s for s in stories}
    titled, lead = reuters87_set.WEAK_TITLED, reuters87_set.WEAK_LEAD
    # no cue word anywhere (every cued story is in an earlier round); strata in order: a weak-type word
    # in the title, then only in the lead, both beside a government word; then background
    assert not any(reuters87_set.cues(by_id[i]["title"] + " " + by_id[i]["body"]) for i in sixth)

    def head(i: str) -> str:
        return by_id[i]["title"] + " " + by_id[i]["body"][: reuters87_set.LEAD]

    assert all(reuters87_set.GOV_CUES.search(head(i)) for i in sixth[: titled + lead])
    assert all(reuters87_set.WEAK_CUES.search(by_id[i]["title"]) for i in sixth[:titled])
    assert not any(reuters87_set.WEAK_CUES.search(by_id[i]["title"]) for i in sixth[titled : titled + lead])
    assert all(reuters87_set.WEAK_CUES.search(head(i)) for i in sixth[titled : titled + lead])
    # no story of the sixth round is a refile of a labelled story or of another story of the round
    texts = [by_id[r["id"]] for r in earlier] + [by_id[i] for i in sixth]
    story = reuters87_set.clusters(texts)
    assert not set(story[: len(earlier)]) & set(story[len(earlier) :])
    assert len(set(story[len(earlier) :])) == WEAK_SIZE
    # the labels file holds them last, in the order drawn, as a tuning part
    assert [r["id"] for r in labelled[-WEAK_SIZE:]] == sixth
    assert {r["part"] for r in labelled[-WEAK_SIZE:]} == {reuters87_set.WEAK} and reuters87_set.WEAK in TUNED_PARTS


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_the_seventh_round_is_never_tuned_on_and_shares_no_story_with_any_earlier_one() -> None:
    stories, seventh = _drawn(reuters87_set.held)
    labelled = _labelled()[:-LATER]  # the eighth and ninth rounds come after it
    earlier = labelled[:-HELD_SIZE]
    assert len(seventh) == len(set(seventh)) == HELD_SIZE and not set(seventh) & {r["id"] for r in earlier}
    by_id = {s["id"]: s for s in stories}

    def head(i: str) -> str:
        return by_id[i]["title"] + " " + by_id[i]["body"][: reuters87_set.LEAD]

    # no cue word anywhere; strata in order: a government word in title or lead, then background
    assert not any(reuters87_set.cues(by_id[i]["title"] + " " + by_id[i]["body"]) for i in seventh)
    assert all(reuters87_set.GOV_CUES.search(head(i)) for i in seventh[: reuters87_set.HELD_GOVERNED])
    assert not any(reuters87_set.GOV_CUES.search(head(i)) for i in seventh[reuters87_set.HELD_GOVERNED :])
    _last_and_never_tuned(by_id, labelled, seventh, reuters87_set.HELD)


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_the_eighth_round_is_never_tuned_on_and_shares_no_story_with_any_earlier_one() -> None:
    stories, eighth = _drawn(reuters87_set.headline)
    labelled = _labelled()[: -reuters87_set.STATAL_SIZE]  # the ninth round comes after it
    earlier = labelled[:-HEADLINE_SIZE]
    assert len(eighth) == len(set(eighth)) == HEADLINE_SIZE and not set(eighth) & {r["id"] for r in earlier}
    by_id = {s["id"]: s for s in stories}
    titled = reuters87_set.HEADLINE_TITLED

    def head(i: str) -> str:
        return by_id[i]["title"] + " " + by_id[i]["body"][: reuters87_set.LEAD]

    # no cue word anywhere; strata in order: a government word in the title, then none in title or lead
    assert not any(reuters87_set.cues(by_id[i]["title"] + " " + by_id[i]["body"]) for i in eighth)
    assert all(reuters87_set.GOV_CUES.search(by_id[i]["title"]) for i in eighth[:titled])
    assert not any(reuters87_set.GOV_CUES.search(head(i)) for i in eighth[titled:])
    _last_and_never_tuned(by_id, labelled, eighth, reuters87_set.HEADLINE)


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_the_ninth_round_is_a_tuning_part_of_state_actors_sharing_no_story_with_any_earlier_one() -> None:
    stories, ninth = _drawn(reuters87_set.statal)
    labelled = _labelled()
    earlier = labelled[: -reuters87_set.STATAL_SIZE]
    assert len(ninth) == len(set(ninth)) == reuters87_set.STATAL_SIZE and not set(ninth) & {r["id"] for r in earlier}
    by_id = {s["id"]: s for s in stories}

    def acts(i: str) -> bool:
        return bool(
            reuters87_set.VERBAL_CUES.search(by_id[i]["title"]) or reuters87_set.WEAK_CUES.search(by_id[i]["title"])
        )

    # no cue word anywhere; strata in order: a state actor and a statement or weak-type word in the title,
    # then a state actor in the title alone, then one in the lead only beside such a word in the title
    assert not any(reuters87_set.cues(by_id[i]["title"] + " " + by_id[i]["body"]) for i in ninth)
    stratum = [
        0 if reuters87_set.STATE_CUES.search(by_id[i]["title"]) and acts(i)
        else 1 if reuters87_set.STATE_CUES.search(by_id[i]["title"])
        else 2 if reuters87_set.STATE_CUES.search(by_id[i]["body"][: reuters87_set.LEAD]) and acts(i)
        else 3
        for i in ninth
    ]  # fmt: skip
    assert stratum == sorted(stratum) and 3 not in stratum and stratum[0] == 0
    # no story of the ninth round is a refile of a labelled story or of another story of the round
    texts = [by_id[r["id"]] for r in earlier] + [by_id[i] for i in ninth]
    story = reuters87_set.clusters(texts)
    assert not set(story[: len(earlier)]) & set(story[len(earlier) :])
    assert len(set(story[len(earlier) :])) == len(ninth)
    # the labels file holds them last, in the order drawn; the part is never one of the blind parts
    assert [r["id"] for r in labelled[-len(ninth) :]] == ninth
    assert {r["part"] for r in labelled[-len(ninth) :]} == {reuters87_set.STATAL}
    assert reuters87_set.STATAL not in reuters87_set.NEVER_TUNED_PARTS


def test_a_missing_file_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main([str(tmp_path / "missing.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("evaluate: cannot read") and err.count("\n") == 1


def test_a_bad_flag_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main(["x.jsonl", "--nope"]) == 2
    assert capsys.readouterr().err.startswith("usage:")


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_evaluate_against_a_second_annotator_scores_one_tagging_twice_on_the_ids_both_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [json.loads(line) for line in (DATA / "events2024.jsonl").read_text(encoding="utf-8").splitlines()[:6]]
    first = _write(tmp_path / "first.jsonl", records)
    # the second annotator labels four of the six, with no event and no country: every prediction is a false positive
    second = _write(tmp_path / "second.jsonl", [{"id": r["id"], "countries": [], "events": []} for r in records[:4]])
    assert evaluate.main([str(first), f"--against={second}"]) == 0
    mine, theirs = capsys.readouterr().out.split("\n\n== the tagger against ")
    assert mine.startswith(f"== the tagger against {first}\nitems: 4\n")
    assert theirs.startswith(f"{second}\nitems: 4\n") and "tp 0 fp" in theirs
    # against the first file alone on those four ids, the first report is the same
    _write(tmp_path / "four.jsonl", records[:4])
    assert evaluate.main([str(tmp_path / "four.jsonl")]) == 0
    assert capsys.readouterr().out.strip() == mine.split("\n", 1)[1].strip()
    assert evaluate.main([str(first), f"--against={tmp_path / 'missing.jsonl'}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"evaluate: cannot read {tmp_path / 'missing.jsonl'}") and err.count("\n") == 1
    assert evaluate.main([str(first), "--against="]) == 2 and capsys.readouterr().err.startswith("usage:")


def test_agreement_scores_one_annotator_against_the_other(tmp_path: Path) -> None:
    first = [
        {"id": "a", "countries": ["USA", "IRN"], "location": None, "events": ["ASSAULT", "THREATEN"]},
        {"id": "b", "countries": ["JPN"], "location": "JPN", "events": []},
        {"id": "c", "countries": ["ESP"], "location": "ESP", "events": ["PROTEST"]},
    ]
    second = [
        {"id": "a", "countries": ["USA", "IRN", "KWT"], "location": None, "events": ["ASSAULT"]},
        {"id": "b", "countries": ["JPN"], "location": None, "events": ["AGREE"]},
        {"id": "c", "countries": ["ESP"], "location": "ESP", "events": ["PROTEST"]},
        {"id": "d", "countries": ["FRA"], "location": "FRA", "events": ["ACCUSE"]},  # only one annotator
    ]
    result = agreement.agreement(first, second)
    assert result.items == 3 and result.same_location == 2
    assert (result.events["ASSAULT"].f1, result.events["THREATEN"].f1, result.events["AGREE"].f1) == (1.0, 0.0, 0.0)
    assert "ACCUSE" not in result.events
    assert result.quiet_first == 1 and result.quiet_both == 0
    swapped = agreement.agreement(second, first)
    assert {t: s.f1 for t, s in swapped.events.items()} == {t: s.f1 for t, s in result.events.items()}
    out = result.format(misses=True)
    assert "location   same on 2/3 items" in out and "  a: -THREATEN" in out and "  b: +AGREE" in out


def test_agreement_main_reads_two_files_and_a_part(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [
        {"id": "a", "part": "x", "countries": ["USA"], "location": "USA", "events": ["CONSULT"]},
        {"id": "b", "part": "y", "countries": ["JPN"], "location": "JPN", "events": []},
    ]
    one, two = _write(tmp_path / "one.jsonl", records), _write(tmp_path / "two.jsonl", records)
    assert agreement.main([str(one), str(two), "--part=x"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("items: 1\n") and "macro-F1 1.000" in out
    assert agreement.main([str(one), str(tmp_path / "missing.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("agreement: cannot read") and err.count("\n") == 1
    assert agreement.main([str(one)]) == 2 and capsys.readouterr().err.startswith("usage:")


@pytest.mark.parametrize("part", [reuters87_set.FRESH, reuters87_set.HELD])
def test_the_second_annotation_of_a_never_tuned_part_holds_its_ids_and_labels_only(part: str) -> None:
    second = [
        json.loads(line) for line in (DATA / f"reuters87-{part}-second.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [r["id"] for r in second] == [r["id"] for r in _labelled() if r["part"] == part]
    for record in second:
        assert set(record) == {"id", "part", "countries", "location", "events"} and record["part"] == part
        assert set(record["events"]) <= set(EVENT_TYPES) and len(record["events"]) == len(set(record["events"]))
        assert record["location"] is None or record["location"] in record["countries"]
