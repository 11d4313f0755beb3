"""Exceptions of geopulse.

GeopulseError
├── ConfigError          a setting or config file is invalid
├── InputError           an input file cannot be read
├── DiskSortError        the on-disk sort cannot write its temporary files (a full disk)
├── PageParseError       a raw news page cannot be read as an article
├── InvalidMessage       a message on a topic breaks its contract (carries a machine reason)
├── BrokerError          the broker cannot be reached, found or started, or refuses a record
├── DeliveryError        a webhook delivery failed
│   └── ForbiddenTarget  the SSRF guard refuses an endpoint's address
└── SignatureError       a webhook's signature headers do not verify
"""

from __future__ import annotations


class GeopulseError(Exception):
    """Root of every error geopulse raises on purpose."""


class ConfigError(GeopulseError):
    """A setting or config file is invalid."""


class InputError(GeopulseError):
    """An input file cannot be read (missing, a directory, not UTF-8)."""


class DiskSortError(GeopulseError):
    """The on-disk sort cannot make or write its temporary files (a full disk, a quota)."""


class PageParseError(GeopulseError):
    """A raw news page cannot be read as an article."""


class InvalidMessage(GeopulseError):
    """A message breaks its topic's contract; `kind` is the machine-readable reason."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class BrokerError(GeopulseError):
    """The broker cannot be reached or refuses a record, or the local broker could not be found or started."""


class DeliveryError(GeopulseError):
    """A webhook delivery failed."""


class ForbiddenTarget(DeliveryError):
    """The SSRF guard refuses an endpoint's address (loopback, private, link-local, ...)."""


class SignatureError(GeopulseError):
    """A webhook's signature headers are missing, stale or do not match any secret."""
