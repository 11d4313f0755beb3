"""The runnable examples in the docstrings of the counting and detection core stay true."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from streams.core import alerts, config, dedupe, detect, explain, lateness, offsets, replay, series, watermarks, windows


@pytest.mark.parametrize(
    "module", [windows, detect, dedupe, explain, alerts, config, series, replay, offsets, watermarks, lateness]
)
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
