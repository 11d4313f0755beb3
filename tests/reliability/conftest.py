"""Reliability fixtures: the integration suite's session broker and worker processes, reused."""

from __future__ import annotations

from tests.integration.conftest import bootstrap, start_worker

__all__ = ["bootstrap", "start_worker"]
