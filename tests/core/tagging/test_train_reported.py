"""The shipped reported-event and story-gate weights are what the labelled sets build, byte for byte."""

from __future__ import annotations

import pytest

from streams.core.tagging.reported import MODEL_FILE
from streams.core.tagging.story import GATE_FILE
from streams.tools import reuters87_set


@pytest.mark.slow
@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_the_weights_file_is_rebuilt_identically() -> None:
    pytest.importorskip("sklearn", reason="the `train` extra (scikit-learn) is not installed")
    from streams.tools.train_reported import build

    assert build() == (MODEL_FILE.read_text(encoding="utf-8"), GATE_FILE.read_text(encoding="utf-8"))


def test_the_weights_files_are_small() -> None:
    assert MODEL_FILE.stat().st_size < 100_000 and GATE_FILE.stat().st_size < 50_000


def test_only_the_tuning_parts_are_trained_on() -> None:
    from streams.tools.train_reported import never_tuned

    assert not never_tuned({"id": "dev-0001"}) and not never_tuned({"id": "e24b-001"})
    assert not any(never_tuned({"id": "reuters-1", "part": part}) for part in ("r87a", "r87b", "r87t", "r87e", "r87g"))
    # the never-tuned parts, and a blind part added later, are never training examples
    assert never_tuned({"id": "e24c-001"}) and never_tuned({"id": "reuters-1", "part": "r87c"})
    assert never_tuned({"id": "reuters-1", "part": "r87d"}) and never_tuned({"id": "reuters-1", "part": "r87f"})
    assert never_tuned({"id": "reuters-1", "part": "r87h"}) and never_tuned({"id": "reuters-1", "part": "r87i"})


def test_refiles_of_one_story_share_a_fold() -> None:
    from streams.tools.train_reported import clusters

    story = "Troops and rebels fought near the border town on Monday and officials said twelve people died there"
    records = [
        {"id": "a", "title": "CLASHES", "body": story},
        {"id": "b", "title": "CLASHES (RPT)", "body": story + " in the fighting."},
        {"id": "c", "title": "TALKS", "body": "The two ministers met in the capital for talks on trade and tariffs."},
    ]
    assert clusters(records) == [0, 0, 2]


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_no_tuning_item_shares_a_story_with_a_never_tuned_item() -> None:
    from streams.tools.evaluate import load
    from streams.tools.train_reported import never_tuned, training_records

    wire = load(reuters87_set.LABELS)
    # the labels file marks every tuning item that is a refile of a never-tuned one, and only those
    marked = {str(r["id"]): r["refile_of"] for r in wire if "refile_of" in r}
    assert marked == reuters87_set.refiles(wire) and len(marked) == 20
    trained = [r for r in training_records() if "part" in r]
    assert trained and not any(never_tuned(r) or "refile_of" in r for r in trained)
    # clustered afresh, trained-on and never-tuned wire items share no story
    blind = [r for r in wire if never_tuned(r)]
    story = reuters87_set.clusters(trained + blind)
    assert not set(story[: len(trained)]) & set(story[len(trained) :])


def test_a_refile_of_a_never_tuned_story_is_found_in_either_order() -> None:
    story = "Japan and the United States ended two days of trade talks in Tokyo without an agreement on chips"
    records = [
        {"id": "t", "part": "r87e", "title": "TALKS END", "body": story + " officials said."},
        {"id": "n", "part": "r87d", "title": "TALKS END (REFILE)", "body": story},
        {"id": "u", "part": "r87a", "title": "OTHER", "body": "Rebels attacked a convoy in the north on Friday."},
    ]
    assert reuters87_set.refiles(records) == {"t": "n"}
    assert reuters87_set.refiles(records[1:] + records[:1]) == {"t": "n"}


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_a_part_held_out_is_never_trained_on_even_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sklearn", reason="the `train` extra (scikit-learn) is not installed")
    from streams.tools import train_reported

    held = train_reported.HeldOut()
    assert held.parts == sorted(train_reported.TUNED_PARTS)
    test = held.of(["r87g"])
    fitted: list[int] = []
    fit = train_reported.fit

    def recording(rows: list[train_reported.Example], records: list[dict[str, object]], c: float) -> object:
        fitted.extend(index for index, _, _ in rows)
        return fit(rows, records, c)

    monkeypatch.setattr(train_reported, "fit", recording)
    # asked to train on everything, the held-out part and every story it shares are still left out
    predicted = held.predict(range(len(held.records)), test)
    assert sorted(predicted) == test and fitted
    assert not {held.story[i] for i in fitted} & {held.story[i] for i in test}
    macro, micro, quiet = held.score(predicted)
    assert 0 < macro < 1 and 0 < micro < 1 and 0 <= quiet <= sum(1 for i in test if not held.records[i]["events"])


def test_rotate_names_check_sets_of_two_tuning_parts() -> None:
    from streams.tools.train_reported import ROTATIONS, TUNED_PARTS, rotations

    assert rotations({"--check"}) == []
    assert rotations({"--rotate"}) == list(ROTATIONS)
    assert rotations({"--rotate=r87b+r87a,r87e+r87g"}) == [("r87a", "r87b"), ("r87e", "r87g")]
    # a check set is two tuning parts: never a never-tuned part, never one part or three
    assert rotations({"--rotate=r87a+r87c"}) is None and rotations({"--rotate=r87a"}) is None
    assert rotations({"--rotate=r87a+r87b+r87t"}) is None and rotations({"--rotate=r87a+r87a"}) is None
    assert all(len(c) == 2 and set(c) <= TUNED_PARTS for c in ROTATIONS)


def test_a_bad_rotate_flag_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    from streams.tools.train_reported import main

    # a never-tuned part is never a check part, and the error listing belongs to a rotation
    for argv in (["--rotate=r87a+r87c"], ["--rotatex"], ["--misses"], ["--rotate=r87a"]):
        assert main(argv) == 2
        assert capsys.readouterr().err.startswith("usage:")
