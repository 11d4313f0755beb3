"""`GEOPULSE_DEVELOPMENTS` and `geopulse replay --developments`: off by default, on by the flag, bad: one line."""

from __future__ import annotations

import orjson

from streams.demo.sample import sample_articles
from tests.integration.test_offline_equals_online import development
from tests.test_cli import run
from tests.test_cli_errors import one_line_failure


def stream() -> bytes:
    articles = sample_articles(short=True)
    articles = sorted([*articles, *development(articles[-1])], key=lambda a: a.published_at)
    return b"".join(a.to_json() + b"\n" for a in articles)


def windows(out: str) -> list[tuple[str, str, str]]:
    alerts = [orjson.loads(line) for line in out.splitlines()]
    return [(a["status"], a["country"], a["window"]) for a in alerts if a["country"] == "GBR"]


def test_replay_alerts_on_a_development_only_with_the_flag_or_the_setting() -> None:
    code, out, err = run("replay", "-", "--jobs", "1", stdin=stream())
    assert code == 0 and windows(out) == [], err
    code, out, err = run("replay", "-", "--jobs", "1", "--developments", stdin=stream())
    assert code == 0 and windows(out) == [("open", "GBR", "dev")], err
    code, out, _ = run("replay", "-", "--jobs", "1", stdin=stream(), env={"GEOPULSE_DEVELOPMENTS": "true"})
    assert windows(out) == [("open", "GBR", "dev")]
    code, out, _ = run("replay", "-", "--jobs", "1", "--no-developments", stdin=stream(),
                       env={"GEOPULSE_DEVELOPMENTS": "true"})  # fmt: skip
    assert windows(out) == []


def test_a_bad_developments_value_is_one_line_naming_the_variable() -> None:
    code, _, err = run("replay", "-", env={"GEOPULSE_DEVELOPMENTS": "maybe"})
    line = one_line_failure(code, err)
    assert code == 2 and line.startswith("geopulse: bad setting: GEOPULSE_DEVELOPMENTS:") and "boolean" in line
