"""The command-line tools outside the core: evaluation reports of the labelled sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.tools import evaluate, reuters87_set

DATA = Path(__file__).resolve().parent / "data"


def test_evaluate_prints_a_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main([str(DATA / "events2024.jsonl")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("items: 187") and "macro-F1" in out


@pytest.mark.skipif(not reuters87_set.wire_path().exists(), reason="the shared wire file is not beside the repo")
def test_evaluate_joins_the_wire_text_and_keeps_a_part(capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main([str(reuters87_set.LABELS), "--part=r87c"]) == 0
    assert capsys.readouterr().out.startswith("items: 117")


def test_a_missing_file_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main([str(tmp_path / "missing.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("evaluate: cannot read") and err.count("\n") == 1


def test_a_bad_flag_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main(["x.jsonl", "--nope"]) == 2
    assert capsys.readouterr().err.startswith("usage:")
