"""The shipped reported-event weights are what the labelled sets build, byte for byte."""

from __future__ import annotations

import pytest

from streams.core.tagging.reported import MODEL_FILE
from streams.tools import reuters87_set


@pytest.mark.slow
@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_the_weights_file_is_rebuilt_identically() -> None:
    pytest.importorskip("sklearn", reason="the `train` extra (scikit-learn) is not installed")
    from streams.tools.train_reported import build

    assert build() == MODEL_FILE.read_text(encoding="utf-8")


def test_the_weights_file_is_small() -> None:
    assert MODEL_FILE.stat().st_size < 100_000


def test_only_the_tuning_parts_are_trained_on() -> None:
    from streams.tools.train_reported import never_tuned

    assert not never_tuned({"id": "dev-0001"}) and not never_tuned({"id": "e24b-001"})
    assert not any(never_tuned({"id": "reuters-1", "part": part}) for part in ("r87a", "r87b", "r87t", "r87e"))
    # the never-tuned parts, and a blind part added later, are never training examples
    assert never_tuned({"id": "e24c-001"}) and never_tuned({"id": "reuters-1", "part": "r87c"})
    assert never_tuned({"id": "reuters-1", "part": "r87d"})


def test_refiles_of_one_story_share_a_fold() -> None:
    from streams.tools.train_reported import clusters

    story = "Troops and rebels fought near the border town on Monday and officials said twelve people died there"
    records = [
        {"id": "a", "title": "CLASHES", "body": story},
        {"id": "b", "title": "CLASHES (RPT)", "body": story + " in the fighting."},
        {"id": "c", "title": "TALKS", "body": "The two ministers met in the capital for talks on trade and tariffs."},
    ]
    assert clusters(records) == [0, 0, 2]
