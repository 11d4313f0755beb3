"""Geopolitical tagging: countries with roles, actors, PLOVER events and topics of an article.

Tagger.default().tag(article) -> TaggedArticle
TopicGroups.load()            -> the configurable topic groups the counting stage uses
Gazetteer.default().find(text)-> country references with kind and offsets
"""

from __future__ import annotations

from streams.core.tagging.data import version
from streams.core.tagging.gazetteer import Gazetteer, PlaceMention
from streams.core.tagging.tagger import Tagger
from streams.core.tagging.topics import TopicGroups

__all__ = ["Gazetteer", "PlaceMention", "Tagger", "TopicGroups", "version"]
