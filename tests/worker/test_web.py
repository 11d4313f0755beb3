"""What /api/alerts lists: every open incident, as its last step, or as its episode before one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from schemas import Alert, TaggedArticle
from streams.core.config import UNLIMITED, TrackerConfig
from streams.worker.stages import partition_tracker
from streams.worker.state import WorkerState
from streams.worker.web import open_alerts
from tests.core.test_series import SOURCES, T0, background, burst, make


def articles() -> list[TaggedArticle]:
    """Two KAZ surges a day apart: two incidents headlined PROTEST, open together; and KGZ's slow build-up
    of 3 stories an hour, whose alert the day confirms in steps of their own."""
    quiet = background(1, hours=128, per_hour=12)
    surges = [burst("KAZ", T0 + timedelta(hours=h), 14, topics=("unrest", "PROTEST")) for h in (100, 126)]
    slow = [make(f"slow-{h}-{k}", T0 + timedelta(hours=h, minutes=5 + 16 * k), "KGZ", ("unrest", "PROTEST"),
                 SOURCES[(h + k) % 6]) for h in range(100, 110) for k in range(3)]  # fmt: skip
    return sorted(quiet + surges[0] + surges[1] + slow, key=lambda a: a.published_at)


@pytest.fixture(scope="module")
def two_protests() -> tuple[WorkerState, list[Alert]]:
    """A worker's state after `articles()`, every step noted as the count agent does; every step published."""
    tracker, store = partition_tracker(TrackerConfig(max_ahead=UNLIMITED), {}, 0, 1)
    state, steps = WorkerState(trackers={0: (tracker, store)}), []
    for article in articles():
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


def test_after_a_restart_each_open_incident_shows_the_window_of_its_last_step() -> None:
    """Without the step in memory the episode is listed: its window is the last step's, an hour's or a day's."""
    tracker, store = partition_tracker(TrackerConfig(max_ahead=UNLIMITED), {}, 0, 1)
    restarted = WorkerState(trackers={0: (tracker, store)})  # no step noted: what a restarted worker holds
    sizes = set()
    for article in articles():
        for step in last_open_steps(tracker.observe(article).alerts).values():
            [shown] = [a for a in open_alerts(restarted) if a["alert_id"] == step.alert_id]
            held = {k: shown[k] for k in ("revision", "severity", "observed", "window_start", "window_end")}
            assert held == {k: _json(step)[k] for k in held}
            sizes.add(step.window_end - step.window_start)
    assert sizes == {timedelta(hours=1), timedelta(days=1)}


def test_an_incident_stored_before_its_window_end_was_kept_shows_its_opening_size(
    two_protests: tuple[WorkerState, list[Alert]],
) -> None:
    state, _ = two_protests
    [(tracker, _)] = state.trackers.values()
    stored = tracker.store["inc:KAZ"]
    tracker.store["inc:KAZ"] = [{**incident, "last": incident["last"][:2]} for incident in stored]  # the old form
    try:
        shown = [tracker.open_incidents()[incident["id"]] for incident in stored]
    finally:
        tracker.store["inc:KAZ"] = stored
    assert [i.window_end - i.episode.window for i in shown] == [3_600, 3_600]  # both opened by the hour
