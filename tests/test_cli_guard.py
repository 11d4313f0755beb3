"""`GEOPULSE_GUARD` and `geopulse replay --guard`: the day windows' guard band reaches the detector its alerts name."""

from __future__ import annotations

import orjson

from streams.demo.sample import sample_articles
from tests.test_cli import run
from tests.test_cli_errors import one_line_failure


def stream() -> bytes:
    return b"".join(a.to_json() + b"\n" for a in sample_articles(short=True))


def guards(out: str) -> set[tuple[str, object]]:
    """(window, guard) of the detector every alert names."""
    alerts = [orjson.loads(line) for line in out.splitlines()]
    return {(a["window"], a["detector"]["params"]["guard"]) for a in alerts}


def test_the_guard_is_three_day_windows_by_default_and_set_by_the_flag_or_the_setting() -> None:
    code, out, err = run("replay", "-", "--jobs", "1", "--windows", "1h,1d", stdin=stream())
    assert code == 0 and guards(out) >= {("1d", 3)} and all(g == 0 for w, g in guards(out) if w == "1h"), err
    code, out, err = run("replay", "-", "--jobs", "1", "--windows", "1d", "--guard", "0", stdin=stream())
    assert code == 0 and guards(out) == {("1d", 0)}, err
    code, out, err = run("replay", "-", "--jobs", "1", "--windows", "1d", stdin=stream(), env={"GEOPULSE_GUARD": "1"})
    assert code == 0 and guards(out) == {("1d", 1)}, err


def test_a_negative_guard_is_one_line_naming_the_variable() -> None:
    code, _, err = run("replay", "-", env={"GEOPULSE_GUARD": "-1"})
    line = one_line_failure(code, err)
    assert code == 2 and line.startswith("geopulse: bad setting: GEOPULSE_GUARD:")
