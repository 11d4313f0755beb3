"""Exceptions of geopulse.

    GeopulseError
    ├── ConfigError          a setting or config file is invalid
    ├── PageParseError       a raw news page cannot be read as an article
    ├── InvalidMessage       a message on a topic breaks its contract (carries a machine reason)
    ├── BrokerError          the local broker could not be found or started
    └── DeliveryError        a webhook delivery failed
"""

from __future__ import annotations


class GeopulseError(Exception):
    """Root of every error geopulse raises on purpose."""


class ConfigError(GeopulseError):
    """A setting or config file is invalid."""


class PageParseError(GeopulseError):
    """A raw news page cannot be read as an article."""


class InvalidMessage(GeopulseError):
    """A message breaks its topic's contract; `kind` is the machine-readable reason."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class BrokerError(GeopulseError):
    """The local broker could not be found or started."""


class DeliveryError(GeopulseError):
    """A webhook delivery failed."""
