"""Webhook endpoints: read from a YAML or JSON file, secrets from the environment.

The file lists endpoints; secrets never sit in it, only the names of the environment variables
that hold them (a variable may hold several comma-separated secrets during a rotation)::

    endpoints:
      - name: ops
        url: https://alerts.example.org/geopulse
        secret_env: GEOPULSE_WEBHOOK_OPS_SECRET        # or a list of variable names
        filters: {countries: [KAZ, KGZ], topics: [unrest], min_severity: medium, statuses: [open]}
        timeout: 5                                     # seconds per attempt
        retry: {waits: [5s, 5m, 30m, 2h, 5h, 10h, 10h], jitter: 0.1, retry_after_max: 1d}
        max_attempts: 8                                # default: one more than there are waits
      - name: chat
        url: https://hooks.slack.com/services/T000/B000/XXXX
        format: slack                                  # Slack-compatible {"text": ...}

`load_config(path)` is the entry point (it reads `os.environ` by default); everything below it
takes the environment as a mapping. Any problem is one ConfigError line naming the endpoint and field.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError, model_validator

from schemas.alert import SEVERITIES, Alert, AlertStatus, Severity
from streams.errors import ConfigError
from streams.notify.retry import RetrySchedule
from streams.notify.signing import decode_secret

Format = Literal["standard", "slack"]


def _names(value: object) -> object:
    return (value,) if isinstance(value, str) else value


def _upper(value: object) -> object:
    return [str(v).strip().upper() for v in value] if isinstance(value, list | tuple | set) else value


NameList = Annotated[tuple[str, ...], BeforeValidator(_names)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Filters(BaseModel):
    """Which alerts an endpoint wants; an unset list means "any".

    >>> Filters(countries=["kaz"], min_severity="medium").countries
    frozenset({'KAZ'})
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    countries: Annotated[frozenset[CountryCode] | None, BeforeValidator(_upper)] = None
    topics: frozenset[str] | None = None
    min_severity: Severity = "low"
    statuses: frozenset[AlertStatus] = frozenset({"open", "update", "resolved"})

    @model_validator(mode="after")
    def _no_empty_lists(self) -> Filters:
        for name in ("countries", "topics", "statuses"):
            if getattr(self, name) == frozenset():
                raise ValueError(f"{name}: an empty list would accept nothing; leave it out to accept any")
        return self

    def accepts(self, alert: Alert) -> bool:
        """Whether `alert` passes every filter.

        `topics` matches any topic of the incident (`alert.topics`), not only its headline `topic`: an
        incident renamed from `all`, or joined by more topics, keeps reaching a receiver that wanted
        one of them. An incident's topics, country and severity never shrink from step to step, so
        once a step passes these filters every later step of the incident does, its resolve
        included (only `statuses` picks steps).

        >>> step = Alert.model_construct(country="KAZ", topic="PROTEST", topics=["PROTEST", "unrest"],
        ...                              severity="low", status="update")
        >>> Filters(topics=["unrest"]).accepts(step), Filters(topics=["crisis"]).accepts(step)
        (True, False)
        """
        return (
            (self.countries is None or alert.country in self.countries)
            and (self.topics is None or alert.topic in self.topics or not self.topics.isdisjoint(alert.topics))
            and SEVERITIES.index(alert.severity) >= SEVERITIES.index(self.min_severity)
            and alert.status in self.statuses
        )


class EndpointConfig(BaseModel):
    """One endpoint as written in the config file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    url: str
    secret_env: NameList = ()
    format: Format = "standard"
    filters: Filters = Filters()
    internal: bool = Field(default=False, description="Allow loopback and private targets (test receivers, sidecars).")
    timeout: float = Field(default=10.0, gt=0, le=300)
    retry: RetrySchedule = RetrySchedule()
    max_attempts: int = Field(default=0, ge=0, le=100, description="Attempts before a dead letter; 0: the schedule's.")
    max_in_flight: int = Field(default=4, ge=1, le=256, description="Concurrent attempts to this endpoint.")
    max_pending: int = Field(default=10_000, ge=1, description="Queued deliveries before new ones are dead-lettered.")

    @model_validator(mode="before")
    @classmethod
    def _no_backoff(cls, data: Any) -> Any:
        if isinstance(data, dict) and "backoff" in data:
            raise ValueError("backoff: replaced by retry, a schedule of waits, e.g. retry: {waits: [5s, 5m, 30m, 2h]}")
        return data

    @model_validator(mode="after")
    def _coherent(self) -> EndpointConfig:
        problem = url_problem(self.url)
        if problem is not None:
            raise ValueError(f"url: {problem}")
        if self.format == "standard" and not self.secret_env:
            raise ValueError("secret_env: a standard endpoint needs a signing secret")
        return self


class Endpoint(EndpointConfig):
    """An endpoint with its secrets read from the environment (several during a rotation)."""

    secrets: tuple[SecretStr, ...] = ()

    def secret_values(self) -> list[str]:
        return [s.get_secret_value() for s in self.secrets]

    @property
    def attempts(self) -> int:
        """Attempts made before a delivery is dead-lettered."""
        return self.max_attempts or self.retry.attempts


class WebhookConfig(BaseModel):
    """Every configured endpoint, by name."""

    model_config = ConfigDict(frozen=True)

    endpoints: tuple[Endpoint, ...] = ()

    def get(self, name: str) -> Endpoint:
        """The endpoint called `name`; ConfigError listing the known names otherwise."""
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint
        known = ", ".join(e.name for e in self.endpoints) or "none"
        raise ConfigError(f"no webhook endpoint named {name!r} (known: {known})")

    def scaled(self, factor: float) -> WebhookConfig:
        """Every endpoint's retry waits multiplied by `factor` (GEOPULSE_WEBHOOK_RETRY_SCALE, for tests)."""
        if factor == 1:
            return self
        return self.model_copy(
            update={"endpoints": tuple(e.model_copy(update={"retry": e.retry.scaled(factor)}) for e in self.endpoints)}
        )


def url_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint, or None: http(s), and a host that is a hostname or a canonical IP.

    Hosts such as "2130706433", "127.1" or "0x7f.1" are IPv4 addresses to some resolvers and not
    to others; they are refused here, once, rather than retried for a day as connection errors.

    >>> url_problem("http://127.1/hook")
    "host '127.1' is neither a hostname nor a canonical IP address"
    >>> url_problem("https://[::1]:8443/hook") is None
    True
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises on a port that is not a number in range
    except ValueError as exc:
        return f"not a valid URL ({exc}): {url!r}"
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        return f"must be an http(s) URL with a host, got {url!r}"
    if not (_canonical_ip(host) or _hostname(host)):
        return f"host {host!r} is neither a hostname nor a canonical IP address"
    return None


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _canonical_ip(host: str) -> bool:
    try:
        return str(ipaddress.ip_address(host)) == host
    except ValueError:
        return False


def _hostname(host: str) -> bool:
    """A DNS name (RFC 1123 labels, a trailing dot allowed) whose last label is not all digits."""
    labels = host.removesuffix(".").split(".")
    try:
        ascii_labels = host.removesuffix(".").encode("idna").decode().split(".")
    except UnicodeError:
        return False
    return (
        len(host) <= 253
        and all(_LABEL.match(label) for label in ascii_labels)
        and not labels[-1].isdigit()
        and not re.fullmatch(r"0x[0-9a-f]*", labels[-1])
    )


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoints: list[EndpointConfig]


def load_config(path: Path, env: Mapping[str, str] = os.environ) -> WebhookConfig:
    """Read the endpoints file at `path` and their secrets from `env`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"webhooks config {path}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"webhooks config {path}: not valid {path.suffix.lstrip('.') or 'YAML'}: {_one_line(exc)}"
        ) from exc
    try:
        return parse_config(data, env)
    except ConfigError as exc:
        raise ConfigError(f"webhooks config {path}: {exc}") from exc


def parse_config(data: Any, env: Mapping[str, str]) -> WebhookConfig:
    """Validate already-parsed config data; ConfigError names the endpoint and field."""
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, data)) from exc
    seen: set[str] = set()
    endpoints = []
    for index, spec in enumerate(parsed.endpoints):
        if spec.name in seen:
            raise ConfigError(f"endpoint {spec.name!r} (#{index + 1}): name: duplicate endpoint name")
        seen.add(spec.name)
        endpoints.append(Endpoint(**dict(spec), secrets=_secrets(spec, env)))
    return WebhookConfig(endpoints=tuple(endpoints))


def _secrets(spec: EndpointConfig, env: Mapping[str, str]) -> tuple[SecretStr, ...]:
    found: list[SecretStr] = []
    for var in spec.secret_env:
        value = env.get(var, "").strip()
        if not value:
            raise ConfigError(f"endpoint {spec.name!r}: secret_env: environment variable {var} is not set")
        for position, secret in enumerate(s.strip() for s in value.split(",")):
            if not secret.startswith("whsec_"):
                raise ConfigError(f"endpoint {spec.name!r}: secret_env: {var} secret #{position + 1} lacks 'whsec_'")
            try:
                decode_secret(secret)
            except ValueError as exc:
                raise ConfigError(f"endpoint {spec.name!r}: secret_env: {var} secret #{position + 1}: {exc}") from None
            found.append(SecretStr(secret))
    return tuple(found)


def _describe(exc: ValidationError, data: Any) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = list(err["loc"])
        where = "config"
        if len(loc) >= 2 and loc[0] == "endpoints" and isinstance(loc[1], int):
            where = f"endpoint {_name_at(data, loc[1])}(#{loc[1] + 1})"
            loc = loc[2:]
        field = ".".join(str(p) for p in loc)
        message = err["msg"].removeprefix("Value error, ")
        parts.append(
            f"{where}: {field}: {message}" if field and not message.startswith(f"{field}:") else f"{where}: {message}"
        )
    return "; ".join(parts)


def _name_at(data: Any, index: int) -> str:
    try:
        name = data["endpoints"][index]["name"]
    except (KeyError, IndexError, TypeError):
        return ""
    return f"{name!r} " if isinstance(name, str) else ""


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
