"""Shared fixtures: a clean environment for every test, paths to shared test data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The product's seed page (a bdnews24 page of a Reuters story), as the repository keeps it.
SEED_PAGE = REPO / "tests" / "data" / "pages" / "bdnews24_kazakhstan_seed.txt"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No GEOPULSE_* variable from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("GEOPULSE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(REPO)
    yield
