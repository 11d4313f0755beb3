"""The docstring examples of streams.notify run and stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["config", "format", "pending", "retry", "signing", "ssrf"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"streams.notify.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
