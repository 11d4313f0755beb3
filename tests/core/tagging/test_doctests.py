"""The runnable examples in the docstrings of the tagging modules stay true."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from streams.core.tagging import actors, events, fastsketch, gazetteer, lexicon, matcher, morph, sentences, topics
from streams.core.tagging import reported as reported_module
from streams.core.tagging import tagger as tagger_module
from streams.core.tagging import trusted as trusted_module

MODULES = [
    actors, events, fastsketch, gazetteer, lexicon, matcher, morph, reported_module, sentences, tagger_module, topics,
    trusted_module,
]  # fmt: skip


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
