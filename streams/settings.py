"""The one settings model of geopulse, read from GEOPULSE_* variables and an optional .env file.

Read once at the entry point (`Settings.load()`) and passed down; nothing deeper reads os.environ.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from streams.core.config import UNLIMITED, TrackerConfig
from streams.core.scales import window_label
from streams.core.windows import parse_duration, parse_window
from streams.errors import ConfigError

Duration = Annotated[timedelta, BeforeValidator(lambda v: parse_duration(v) if isinstance(v, str) else v)]


def _comma_list(value: object) -> object:
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


# "1h,1d" or "3.5,5.5,8.5,13.5" in the environment (not JSON), a list or tuple in code.
Durations = Annotated[tuple[Duration, ...], NoDecode, BeforeValidator(_comma_list)]


def _window(value: object) -> object:
    """ "1h" or "1h+30m" (windows.py `parse_window`), or a timedelta (on the clock): (size, offset)."""
    if isinstance(value, str):
        return parse_window(value)
    return (value, timedelta(0)) if isinstance(value, timedelta) else value


# "1h,1h+30m,1d": window sizes, each on the clock or offset from it.
Windows = Annotated[
    tuple[Annotated[tuple[timedelta, timedelta], BeforeValidator(_window)], ...], NoDecode, BeforeValidator(_comma_list)
]


def _four(value: object) -> object:
    value = _comma_list(value)
    if isinstance(value, list | tuple) and len(value) != 4:
        raise ValueError(f"needs four scores, for low,medium,high,critical (got {len(value)})")
    return value


Thresholds = Annotated[tuple[float, float, float, float], NoDecode, BeforeValidator(_four)]
# "ASSAULT,COERCE" in the environment; "" for none.
Names = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_list)]


class TopicNames(BaseModel):
    """Kafka topic names (GEOPULSE_TOPICS__ARTICLES=...)."""

    model_config = ConfigDict(frozen=True)

    articles: str = "articles"
    articles_dlq: str = "articles.dlq"
    events: str = "events"
    digests: str = "geopulse.digests"
    counts: str = "counts"
    alerts: str = "alerts"
    webhooks_retry: str = "webhooks.retry"
    webhooks_dlq: str = "webhooks.dlq"


class KafkaSecurity(BaseModel):
    """How to reach a secured Kafka (GEOPULSE_KAFKA__SECURITY_PROTOCOL=SASL_SSL, ...)."""

    model_config = ConfigDict(frozen=True)

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> KafkaSecurity:
        if self.security_protocol.startswith("SASL") and not (
            self.sasl_mechanism and self.sasl_username and self.sasl_password
        ):
            raise ValueError("SASL needs kafka__sasl_mechanism, kafka__sasl_username and kafka__sasl_password")
        return self


class Settings(BaseSettings):
    """Everything a geopulse process can be told."""

    model_config = SettingsConfigDict(
        env_prefix="GEOPULSE_", env_nested_delimiter="__", env_file=".env", extra="ignore", frozen=True
    )

    kafka_bootstrap: str | None = Field(
        None, description="host:port[,host:port]; unset means `geopulse demo` starts a local broker."
    )
    kafka: KafkaSecurity = KafkaSecurity()
    production: bool = Field(False, description="Refuse unsafe settings, e.g. SASL over PLAINTEXT.")
    allow_plaintext_sasl: bool = False
    app_id: str = Field("geopulse", description="Consumer group and table namespace.")
    topics: TopicNames = TopicNames()
    partitions: int = Field(4, ge=1, le=1024)
    replication_factor: int = Field(1, ge=1)
    window: Duration = Field(timedelta(hours=1), description="Event-time window size, e.g. 1h, 6h, 1d.")
    grace: Duration = Field(timedelta(minutes=15), description="How late an article may arrive.")
    max_future: Duration = Field(timedelta(minutes=5), description="Tolerated clock skew for published_at.")
    retain: Duration = Field(
        timedelta(hours=6),
        le=timedelta(hours=24),  # counted articles are remembered 24 h: a redelivered late one stays a duplicate
        description="How long a closed window is kept for late articles to correct (at most 24h).",
    )
    idle_timeout: float = Field(
        10.0, gt=0, description="Seconds a caught-up input partition may go without records before it is idle."
    )
    data_dir: Path = Path(".geopulse")
    store: str = Field("memory://", description="faust table store: memory:// or rocksdb://")
    web_host: str = "127.0.0.1"
    web_port: int = Field(6066, ge=0, le=65535)
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    webhooks_config: Path | None = None
    webhook_retry_scale: float = Field(
        1.0, gt=0, le=1, description="Multiplies every webhook retry wait: tests run the day-long schedule in seconds."
    )
    batch_size: int = Field(200, ge=1, le=10_000, description="Articles taken per agent batch.")
    batch_timeout: float = Field(0.05, gt=0, description="Seconds to wait to fill a batch.")
    session_timeout: float = Field(6.0, gt=0, description="Consumer group session timeout, seconds.")
    heartbeat_interval: float = Field(0.5, gt=0)
    rebalance_timeout: float = Field(6.0, gt=0)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # -- detection (README "Detection settings" says why each default) --
    windows: Windows | None = Field(
        None, description="Window sizes at once, e.g. 1h,1d (default: window and 1d); 1h+30m: hours from half past."
    )
    min_sources: int = Field(2, ge=1, description="Outlets a window needs to alert; 1 for a one-outlet feed.")
    min_stories: int = Field(3, ge=1, description="Distinct stories a window needs to alert.")
    min_stories_day: int = Field(4, ge=1, description="Distinct stories a window of a day or longer needs.")
    thresholds: Thresholds = Field((3.5, 5.5, 8.5, 13.5), description="Scores low,medium,high,critical per series-day.")
    half_life: Duration = Field(timedelta(days=7), description="How fast a series' baseline forgets.")
    guard: int = Field(3, ge=0, description="Day windows of a rise held out of a series' baseline at most (0: none).")
    seasonal: bool = Field(True, description="Expect each country's share by hour of day and day of week.")
    grave_topics: Names = Field(("ASSAULT",), description="Topics whose significant alerts are at least medium.")
    developments: bool = Field(False, description="Also alert on developments: 3 stories on one matter (opt-in).")
    thin_day_share: float = Field(
        0.0, ge=0.0, le=1.0, description="Judge an open day as if this share of its usual news by now were in (opt-in)."
    )

    def _known_topics(self) -> None:
        from streams.core.tagging.topics import TopicGroups

        unknown = [name for name in self.grave_topics if name not in TopicGroups.load().names]
        if unknown:
            listed = ", ".join(unknown)
            raise ValueError(f"grave_topics: {listed} is no topic (an event type such as ASSAULT, or a group)")

    def detection_windows(self) -> tuple[timedelta, ...]:
        """The window sizes detection runs at, shortest first (its counts are the ones published).

        Without GEOPULSE_WINDOWS: GEOPULSE_WINDOW, and a day beside it when it is shorter than one
        (a legacy `GEOPULSE_WINDOW=2d` runs and publishes 2d alone, not a shorter day).
        """
        if self.windows:
            return tuple(sorted({size for size, offset in self.windows if not offset}))
        return (self.window, timedelta(days=1)) if self.window < timedelta(days=1) else (self.window,)

    def offset_windows(self) -> tuple[tuple[timedelta, timedelta], ...]:
        """The (size, offset) of the windows GEOPULSE_WINDOWS lists offset from the clock ("1h+30m")."""
        return tuple(sorted({(size, offset) for size, offset in self.windows or () if offset}))

    @model_validator(mode="after")
    def _window_in_windows(self) -> Settings:
        """GEOPULSE_WINDOW, when given beside GEOPULSE_WINDOWS, must be the published (shortest) size; an
        offset window needs a window on the clock no longer than it (the shortest's counts are published)."""
        listed = ",".join(window_label(int(w.total_seconds()), int(o.total_seconds())) for w, o in self.windows or ())
        offset = self.offset_windows()
        on_clock = [size for size, o in self.windows or () if not o]
        if offset and (not on_clock or offset[0][0] < min(on_clock)):
            raise ValueError(f"windows {listed}: an offset window needs a window on the clock no longer than it, "
                             "e.g. 1h,1h+30m,1d")  # fmt: skip
        if "window" in self.model_fields_set and self.windows and self.window != self.detection_windows()[0]:
            label = window_label(int(self.window.total_seconds()))
            raise ValueError(f"GEOPULSE_WINDOW ({label}) is not the shortest of GEOPULSE_WINDOWS ({listed}), "
                             "whose counts are published; set one of the two")  # fmt: skip
        return self

    @field_validator("kafka_bootstrap")
    @classmethod
    def _host_port_list(cls, value: str | None) -> str | None:
        """Each address a host, with a port of 1-65535 if one is given (the Kafka clients default to 9092)."""
        for address in (value or "").split(",") if value is not None else ():
            host, colon, port = address.strip().rpartition(":")
            host, port = (host, port) if colon else (port, "9092")
            if not (host and port.isdigit() and 0 < int(port) < 65536):
                raise ValueError(f"expected host:port[,host:port], got {value!r}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Settings:
        if self.grace >= self.window * 24:
            raise ValueError("grace must be shorter than 24 windows")
        if self.windows is not None and not self.windows:
            raise ValueError("windows must name at least one window size, e.g. 1h,1d")
        if list(self.thresholds) != sorted(self.thresholds):
            raise ValueError("thresholds must rise from low to critical, e.g. 3.5,5.5,8.5,13.5")
        self._known_topics()
        proto = self.kafka.security_protocol
        if self.production and proto == "SASL_PLAINTEXT" and not self.allow_plaintext_sasl:
            raise ValueError(
                "production refuses SASL over PLAINTEXT (credentials in clear); use SASL_SSL "
                "or set GEOPULSE_ALLOW_PLAINTEXT_SASL=true"
            )
        return self

    @classmethod
    def load(cls, **overrides: object) -> Settings:
        """Read the environment (and .env); raise ConfigError with one clear line on a bad setting."""
        try:
            return cls(**overrides)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise ConfigError(describe(exc)) from exc

    @classmethod
    def from_flags(cls, **flags: object) -> Settings:
        """Settings with command-line values (by field name) over the environment; errors name the flag."""
        try:
            return cls(**flags)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise ConfigError(describe(exc, flags=flags.keys())) from exc


def describe(exc: ValidationError, flags: Collection[str] = ()) -> str:
    """One line naming each bad setting as its environment variable, or as its flag when one gave it."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
        if loc and loc[0] in flags:
            name = "--" + loc[0].replace("_", "-")
        else:
            name = f"GEOPULSE_{'__'.join(loc).upper()}" if loc else "settings"
        parts.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
    return "bad setting: " + "; ".join(parts)


def tracker_config(settings: Settings) -> TrackerConfig:
    """The count/detect configuration of the worker and of replay alike.

    Articles from the future are rejected at the ingest edge against the wall clock, so the core
    trusts event time (no clamping relative to stream time): a quiet night is a gap, not a clock error.
    Every detection knob comes from the settings (GEOPULSE_WINDOWS, _MIN_SOURCES, ...; `replay` flags).
    """
    windows = settings.detection_windows()
    return TrackerConfig(
        window=windows[0], windows=windows, offset_windows=settings.offset_windows(), grace=settings.grace,
        max_ahead=UNLIMITED, retain=settings.retain,
        min_sources=settings.min_sources, min_stories=settings.min_stories, min_stories_day=settings.min_stories_day,
        thresholds=settings.thresholds, guard=settings.guard,
        half_life=settings.half_life, seasonal=settings.seasonal, grave_topics=settings.grave_topics,
        developments=settings.developments, thin_day_share=settings.thin_day_share,
    )  # fmt: skip
