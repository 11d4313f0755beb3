"""Settings: environment names, durations, and one clear line for a bad setting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from streams.core.incidents import IncidentTracker
from streams.core.windows import parse_duration
from streams.errors import ConfigError
from streams.settings import Settings, tracker_config


def test_defaults_need_no_environment() -> None:
    settings = Settings.load()
    assert settings.kafka_bootstrap is None
    assert settings.window == timedelta(hours=1)
    assert settings.topics.articles_dlq == "articles.dlq"


def test_environment_and_nested_topic_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOPULSE_KAFKA_BOOTSTRAP", "k1:9092,k2:9092")
    monkeypatch.setenv("GEOPULSE_WINDOW", "6h")
    monkeypatch.setenv("GEOPULSE_GRACE", "30m")
    monkeypatch.setenv("GEOPULSE_TOPICS__ALERTS", "geo.alerts")
    settings = Settings.load()
    assert settings.kafka_bootstrap == "k1:9092,k2:9092"
    assert (settings.window, settings.grace) == (timedelta(hours=6), timedelta(minutes=30))
    assert settings.topics.alerts == "geo.alerts"


@pytest.mark.parametrize(
    ("name", "value", "mentions"),
    [
        ("GEOPULSE_WINDOW", "soon", "GEOPULSE_WINDOW"),
        ("GEOPULSE_PARTITIONS", "0", "GEOPULSE_PARTITIONS"),
        ("GEOPULSE_RETAIN", "30h", "GEOPULSE_RETAIN"),  # past the 24 h in which counted articles are remembered
        ("GEOPULSE_IDLE_TIMEOUT", "0", "GEOPULSE_IDLE_TIMEOUT"),
        ("GEOPULSE_WEB_PORT", "70000", "GEOPULSE_WEB_PORT"),
        ("GEOPULSE_PROCESSING_GUARANTEE", "maybe_once", "GEOPULSE_PROCESSING_GUARANTEE"),
        ("GEOPULSE_KAFKA__SECURITY_PROTOCOL", "SASL_SSL", "sasl_mechanism"),
        ("GEOPULSE_WINDOWS", "1h,soon", "GEOPULSE_WINDOWS"),
        ("GEOPULSE_WINDOWS", "1h,1h+1h,1d", "offset must be shorter"),
        ("GEOPULSE_WINDOWS", "1h,1h+x", "GEOPULSE_WINDOWS"),
        ("GEOPULSE_WINDOWS", "1h+30m,1d", "needs a window on the clock"),
        ("GEOPULSE_WINDOWS", "2h,1h+30m", "needs a window on the clock"),
        ("GEOPULSE_THRESHOLDS", "4,5", "four scores"),
        ("GEOPULSE_THRESHOLDS", "9,5,6,7", "rise from low to critical"),
        ("GEOPULSE_MIN_SOURCES", "0", "GEOPULSE_MIN_SOURCES"),
        ("GEOPULSE_KAFKA_BOOTSTRAP", "localhost:notaport", "GEOPULSE_KAFKA_BOOTSTRAP"),
        ("GEOPULSE_KAFKA_BOOTSTRAP", "kafka:70000", "expected host:port"),
        ("GEOPULSE_KAFKA_BOOTSTRAP", "kafka:9092,", "expected host:port"),
    ],
)
def test_a_bad_setting_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, name: str, value: str, mentions: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as exc:
        Settings.load()
    message = str(exc.value)
    assert "\n" not in message and mentions in message and message.startswith("bad setting")


def test_every_detection_knob_reaches_the_trackers(monkeypatch: pytest.MonkeyPatch) -> None:
    default = tracker_config(Settings.load())
    assert default.windows == (timedelta(hours=1), timedelta(days=1)) and default.min_sources == 2
    for name, value in {"GEOPULSE_WINDOWS": "1d,15m", "GEOPULSE_MIN_SOURCES": "1", "GEOPULSE_MIN_STORIES": "4",
                        "GEOPULSE_MIN_STORIES_DAY": "6",
                        "GEOPULSE_THRESHOLDS": "4,6,9,14", "GEOPULSE_HALF_LIFE": "3d", "GEOPULSE_GUARD": "2",
                        "GEOPULSE_SEASONAL": "false", "GEOPULSE_DEVELOPMENTS": "true"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    config = tracker_config(Settings.load())
    assert config.windows == (timedelta(minutes=15), timedelta(days=1)) and config.window == timedelta(minutes=15)
    assert (config.min_sources, config.min_stories, config.min_stories_day, config.seasonal) == (1, 4, 6, False)
    assert not default.developments and config.developments and IncidentTracker(config).developments is not None
    gates = [tracker.config.min_stories for _, tracker in IncidentTracker(config).trackers]
    assert gates == [4, 6]  # the day's own gate
    assert config.thresholds == (4.0, 6.0, 9.0, 14.0) and config.half_life == timedelta(days=3)
    detector = config.resolved_detector()  # 96 windows a day: thresholds per series-day + log10(96)
    assert detector.thresholds[0] == pytest.approx(4.0 + 1.98) and detector.half_life == pytest.approx(3 * 96)
    # the guard band holds day windows of a rise only (a slow build is a shape of days)
    guards = [tracker.config.resolved_detector().params()["guard"] for _, tracker in IncidentTracker(config).trackers]
    assert guards == [0, 2]
    assert [t.config.resolved_detector().params()["guard"] for _, t in IncidentTracker(default).trackers] == [0, 3]


def test_grave_topics_are_topics_and_may_be_none(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tracker_config(Settings.load()).grave_topics == ("ASSAULT",)
    monkeypatch.setenv("GEOPULSE_GRAVE_TOPICS", "ASSAULT, unrest")
    assert tracker_config(Settings.load()).grave_topics == ("ASSAULT", "unrest")
    monkeypatch.setenv("GEOPULSE_GRAVE_TOPICS", "")
    assert tracker_config(Settings.load()).grave_topics == ()
    monkeypatch.setenv("GEOPULSE_GRAVE_TOPICS", "ASSAULT,bombing")
    with pytest.raises(ConfigError) as exc:
        Settings.load()
    assert "\n" not in str(exc.value) and "bombing is no topic" in str(exc.value)


@pytest.mark.parametrize(("window", "sizes"), [("2d", ("2d",)), ("1d", ("1d",)), ("6h", ("6h", "1d"))])
def test_a_legacy_window_alone_is_the_published_size(monkeypatch: pytest.MonkeyPatch, window: str,
                                                     sizes: tuple[str, ...]) -> None:  # fmt: skip
    monkeypatch.setenv("GEOPULSE_WINDOW", window)  # no GEOPULSE_WINDOWS: a day is added only when it is longer
    config = tracker_config(Settings.load())
    assert config.windows == tuple(parse_duration(s) for s in sizes) and config.window == parse_duration(window)
    trackers = IncidentTracker(config).trackers
    assert trackers[0][0] == window and trackers[0][1].counts  # its counts are the ones published


def test_a_window_beside_windows_must_be_their_shortest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOPULSE_WINDOWS", "1h,1d")
    monkeypatch.setenv("GEOPULSE_WINDOW", "1h")
    assert tracker_config(Settings.load()).windows == (timedelta(hours=1), timedelta(days=1))
    monkeypatch.setenv("GEOPULSE_WINDOW", "2d")
    with pytest.raises(ConfigError) as exc:
        Settings.load()
    message = str(exc.value)
    assert "\n" not in message and "GEOPULSE_WINDOW (2d)" in message and "GEOPULSE_WINDOWS (1h,1d)" in message


def test_production_refuses_sasl_over_plaintext(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"GEOPULSE_PRODUCTION": "true", "GEOPULSE_KAFKA__SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                        "GEOPULSE_KAFKA__SASL_MECHANISM": "SCRAM-SHA-512", "GEOPULSE_KAFKA__SASL_USERNAME": "geo",
                        "GEOPULSE_KAFKA__SASL_PASSWORD": "hunter2-secret"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as exc:
        Settings.load()
    assert "PLAINTEXT" in str(exc.value) and "hunter2-secret" not in str(exc.value)
    monkeypatch.setenv("GEOPULSE_ALLOW_PLAINTEXT_SASL", "true")
    settings = Settings.load()
    assert "hunter2-secret" not in repr(settings) and "hunter2-secret" not in str(settings.model_dump())


def test_dotenv_file_is_read(tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    (tmp_path / ".env").write_text("GEOPULSE_PARTITIONS=8\n")  # type: ignore[operator]
    assert Settings.load().partitions == 8


@pytest.mark.parametrize("bootstrap", ["kafka:9092", "a:9092, b:9093", "kafka", "[::1]:9092"])
def test_bootstrap_takes_what_the_kafka_clients_take(monkeypatch: pytest.MonkeyPatch, bootstrap: str) -> None:
    monkeypatch.setenv("GEOPULSE_KAFKA_BOOTSTRAP", bootstrap)  # a host without a port means 9092
    assert Settings.load().kafka_bootstrap == bootstrap


def test_an_offset_window_reaches_the_trackers_beside_the_clock_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOPULSE_WINDOWS", "1d, 1h+30m, 1h")
    config = tracker_config(Settings.load())
    assert config.window == timedelta(hours=1) and config.windows == (timedelta(hours=1), timedelta(days=1))
    assert config.offset_windows == ((timedelta(hours=1), timedelta(minutes=30)),)
    trackers = IncidentTracker(config).trackers
    assert [(label, inner.offset, inner.counts) for label, inner in trackers] == [
        ("1h", 0, True), ("1h+30m", 1_800, False), ("1d", 0, False)]  # fmt: skip
