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
