"""Every docstring example in streams/ and schemas/ runs and stays true, found by walking the packages.

No list to keep: a module with an example is tested the moment it has one.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("streams", "schemas")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def with_examples() -> list[str]:
    """Modules whose source holds a `>>>` prompt (the entry point `__main__` runs the CLI on import)."""
    paths = sorted(p for package in PACKAGES for p in (REPO / package).rglob("*.py") if p.name != "__main__.py")
    return [module_name(p) for p in paths if ">>> " in p.read_text(encoding="utf-8")]


def test_discovery_finds_the_examples_of_every_part_of_the_house() -> None:
    found = with_examples()
    for part in ("streams.core.", "streams.core.tagging.", "streams.notify.", "streams.worker."):
        assert any(name.startswith(part) for name in found), part


@pytest.mark.parametrize("name", with_examples())
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder().find(module)
    assert sum(len(t.examples) for t in tests) > 0, f"{name} has a `>>> ` that is no docstring example"
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
