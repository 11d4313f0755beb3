"""Request bodies: the Alert contract JSON and Slack-compatible text."""

from __future__ import annotations

import orjson
import pytest

from schemas.alert import Alert
from streams.notify.format import render, slack_text
from tests.notify.receivers import make_alert


def test_standard_body_is_the_alert_contract() -> None:
    alert = make_alert()
    assert Alert.model_validate_json(render(alert, "standard")) == alert


def test_slack_body_is_a_text_object() -> None:
    body = orjson.loads(render(make_alert(), "slack"))
    assert list(body) == ["text"]
    lines = body["text"].splitlines()
    assert lines[0] == "*[HIGH] Kazakhstan · unrest: 38 stories in the last hour, 0.6 expected* (alert opened)"
    assert "Observed 38 stories vs 0.6 expected (×63.3) from 12 sources" in lines[1]
    assert "2022-01-05 10:00–11:00 UTC" in lines[1]
    assert lines[2] == "• <https://news.example/a1|Kazakhstan asks CSTO for troops> — reuters"


def test_slack_text_escapes_control_characters_and_link_bars() -> None:
    alert = make_alert(
        summary="A <b> & C",
        top_articles=[
            {
                "id": "x",
                "title": "x|y <z>",
                "url": "https://n.example/x",
                "source": "s&t",
                "published_at": "2022-01-05T10:00:00Z",
            },
            {"id": "y", "title": "no link", "source": "wire", "published_at": "2022-01-05T10:00:00Z"},
        ],
    )
    lines = slack_text(alert).splitlines()
    assert lines[0].startswith("*[HIGH] A &lt;b&gt; &amp; C*")
    assert lines[2] == "• <https://n.example/x|x¦y &lt;z&gt;> — s&amp;t"
    assert lines[3] == "• no link — wire"


def test_slack_text_lists_at_most_five_articles() -> None:
    article = {
        "id": "a",
        "title": "t",
        "url": "https://n.example/a",
        "source": "s",
        "published_at": "2022-01-05T10:00:00Z",
    }
    text = slack_text(make_alert(top_articles=[article] * 9))
    assert text.count("• ") == 5


@pytest.mark.parametrize(("status", "word"), [("open", "opened"), ("update", "updated"), ("resolved", "resolved")])
def test_slack_text_says_the_lifecycle_step(status: str, word: str) -> None:
    assert f"(alert {word})" in slack_text(make_alert(status=status))


def test_window_across_midnight_shows_both_dates() -> None:
    alert = make_alert(window_start="2022-01-05T23:00:00Z", window_end="2022-01-06T01:00:00Z")
    assert "2022-01-05 23:00–2022-01-06 01:00 UTC" in slack_text(alert)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="fmt"):
        render(make_alert(), "teams")
