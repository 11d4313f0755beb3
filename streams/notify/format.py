"""Request bodies for each endpoint format: the Alert JSON, or Slack-compatible text (pure)."""

from __future__ import annotations

import orjson

from schemas.alert import Alert, AlertArticle

TOP_ARTICLES = 5
_STATUS_WORD = {"open": "opened", "update": "updated", "resolved": "resolved"}


def render(alert: Alert, fmt: str) -> bytes:
    """The request body for `fmt`: "standard" is the Alert contract JSON, "slack" is {"text": ...}."""
    if fmt == "standard":
        return alert.to_json()
    if fmt == "slack":
        return orjson.dumps({"text": slack_text(alert)})
    raise ValueError(f"fmt must be 'standard' or 'slack', got {fmt!r}")


def slack_text(alert: Alert) -> str:
    """Slack mrkdwn: a headline, observed vs expected, the top articles as links.

    >>> a = Alert.model_validate({"alert_id": "k1", "status": "open", "country": "KAZ", "topic": "unrest",
    ...     "window_start": "2022-01-05T10:00:00Z", "window_end": "2022-01-05T11:00:00Z", "observed": 38,
    ...     "expected": 0.6, "ratio": 63.3, "score": 9.1, "severity": "high", "sources": 12,
    ...     "summary": "Kazakhstan · unrest: 38 stories", "first_seen": "2022-01-05T10:00:00Z",
    ...     "last_seen": "2022-01-05T10:59:00Z", "detector": {"name": "gamma-poisson"}})
    >>> print(slack_text(a))
    *[HIGH] Kazakhstan · unrest: 38 stories* (alert opened)
    Observed 38 stories vs 0.6 expected (×63.3) from 12 sources, window 2022-01-05 10:00–11:00 UTC
    """
    lines = [
        f"*[{alert.severity.upper()}] {_escape(alert.summary)}* (alert {_STATUS_WORD[alert.status]})",
        f"Observed {alert.observed} stories vs {alert.expected:.1f} expected (×{alert.ratio:.1f}) "
        f"from {alert.sources} sources, window {_window(alert)}",
    ]
    lines += [_article_line(article) for article in alert.top_articles[:TOP_ARTICLES]]
    return "\n".join(lines)


def _article_line(article: AlertArticle) -> str:
    title = _escape(article.title).replace("|", "¦")
    link = f"<{article.url}|{title}>" if article.url else title
    return f"• {link} — {_escape(article.source)}"


def _window(alert: Alert) -> str:
    start, end = alert.window_start, alert.window_end
    tail = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M")
    return f"{start:%Y-%m-%d %H:%M}–{tail} UTC"


def _escape(text: str) -> str:
    """Slack treats &, < and > as control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
