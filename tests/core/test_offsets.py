"""CommitHoles: a commit that would pass an unacknowledged offset is held, re-fetched once, given up late."""

from __future__ import annotations

import pytest

from streams.core.offsets import CommitHoles, Verdict

GRACE, PATIENCE = 5.0, 60.0


@pytest.mark.parametrize(
    ("checks", "expected"),
    [
        # (committed, lowest acknowledged, now) per commit attempt
        ([(10, 10, 0.0), (12, 12, 9.0)], ["commit", "commit"]),
        ([(10, 8, 0.0)], ["commit"]),  # redelivered records below the commit are no hole
        ([(10, 11, 0.0), (10, 11, 4.9)], ["hold", "hold"]),  # the one record at the commit: faust #606
        ([(10, 11, 0.0), (10, 11, 5.0), (10, 11, 30.0)], ["hold", "refetch", "hold"]),  # asks once
        ([(10, 11, 0.0), (10, 11, 5.0), (10, 10, 6.0)], ["hold", "refetch", "commit"]),  # the re-fetch filled it
        ([(10, 14, 0.0), (10, 14, 59.9), (10, 14, 60.0)], ["hold", "refetch", "give_up"]),
        # a new hole starts over
        (
            [(10, 11, 0), (10, 11, 6), (10, 10, 7), (20, 21, 8), (20, 21, 13)],
            ["hold", "refetch", "commit", "hold", "refetch"],
        ),
        ([(10, 11, 0.0), (10, 11, 60.0), (10, 11, 61.0)], ["hold", "give_up", "hold"]),  # given up: its clock restarts
    ],
)
def test_a_hole_at_the_committed_offset_holds_the_commit_until_refetched_or_given_up(
    checks: list[tuple[int, int, float]], expected: list[Verdict]
) -> None:
    holes = CommitHoles(grace=GRACE, patience=PATIENCE)
    assert [holes.check("t-0", committed, lowest, now) for committed, lowest, now in checks] == expected


def test_partitions_keep_their_own_holes() -> None:
    holes = CommitHoles(grace=GRACE, patience=PATIENCE)
    assert holes.check("t-0", 10, 11, 0.0) == "hold"
    assert holes.check("t-1", 3, 4, 5.0) == "hold"
    assert holes.check("t-0", 10, 11, 5.0) == "refetch"


@pytest.mark.parametrize(("grace", "patience"), [(-1.0, 5.0), (6.0, 5.0)])
def test_bad_timings_are_refused(grace: float, patience: float) -> None:
    with pytest.raises(ValueError, match="grace"):
        CommitHoles(grace=grace, patience=patience)
