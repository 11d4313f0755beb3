"""What /api/alerts lists: every open incident, as its last step, or as its episode before one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from schemas import Alert
from streams.core.config import UNLIMITED, TrackerConfig
from streams.worker.stages import partition_tracker
from streams.worker.state import WorkerState
from streams.worker.web import open_alerts
from tests.core.test_series import T0, background, burst


@pytest.fixture(scope="module")
def two_protests() -> tuple[WorkerState, list[Alert]]:
    """A worker's state after two KAZ surges a day apart: two open incidents headlined PROTEST.

    Returns the state (every step noted, as the count agent does) and every step published.
    """
    quiet = background(1, hours=128, per_hour=12)
    surges = [burst("KAZ", T0 + timedelta(hours=h), 14, topics=("unrest", "PROTEST")) for h in (100, 126)]
    articles = sorted(quiet + surges[0] + surges[1], key=lambda a: a.published_at)
    tracker, store = partition_tracker(TrackerConfig(max_ahead=UNLIMITED), {}, 0, 1)
    state, steps = WorkerState(trackers={0: (tracker, store)}), []
    for article in articles:
        for alert in tracker.observe(article).alerts:
            state.note(alert)
            steps.append(alert)
    return state, steps


def last_open_steps(steps: list[Alert]) -> dict[str, Alert]:
    last = {alert.alert_id: alert for alert in steps}
    return {alert_id: alert for alert_id, alert in last.items() if alert.status != "resolved"}


def test_two_open_incidents_with_one_headline_are_both_listed_with_their_own_last_step(
    two_protests: tuple[WorkerState, list[Alert]],
) -> None:
    state, steps = two_protests
    expected = last_open_steps(steps)
    protests = [a for a in expected.values() if (a.country, a.topic) == ("KAZ", "PROTEST")]
    assert len(protests) == 2  # the case itself: one country, one headline, two incidents
    served = {a["alert_id"]: a for a in open_alerts(state)}
    assert served == {alert_id: _json(alert) for alert_id, alert in expected.items()}


def _json(alert: Alert) -> dict[str, Any]:
    return alert.model_dump(mode="json")
