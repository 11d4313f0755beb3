"""The wire contracts of geopulse: one pydantic model per topic value.

Regenerate the JSON Schema files in `schemas/json/` with `geopulse schemas` after any change,
and bump `SCHEMA_VERSION` when a change is not backwards compatible.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas._base import SCHEMA_VERSION, Contract, UtcDatetime
from schemas.alert import SEVERITIES, Alert, AlertArticle, AlertStatus, DetectorInfo, Severity
from schemas.article import Article
from schemas.counts import WindowCount
from schemas.deadletter import DeadLetter
from schemas.digest import DigestBatch
from schemas.tagged import (
    EVENT_TYPES,
    TAGGED_SCHEMA_VERSION,
    Actor,
    ActorType,
    CountryMention,
    CountryRole,
    Event,
    EventType,
    Span,
    TaggedArticle,
)

__all__ = [
    "EVENT_TYPES",
    "JSON_DIR",
    "SCHEMA_VERSION",
    "SEVERITIES",
    "TAGGED_SCHEMA_VERSION",
    "TOPIC_MODELS",
    "Actor",
    "ActorType",
    "Alert",
    "AlertArticle",
    "AlertStatus",
    "Article",
    "Contract",
    "CountryMention",
    "CountryRole",
    "DeadLetter",
    "DetectorInfo",
    "DigestBatch",
    "Event",
    "EventType",
    "Severity",
    "Span",
    "TaggedArticle",
    "UtcDatetime",
    "WindowCount",
    "json_schemas",
]

JSON_DIR = Path(__file__).parent / "json"

TOPIC_MODELS: dict[str, type[BaseModel]] = {
    "article": Article,
    "tagged_article": TaggedArticle,
    "window_count": WindowCount,
    "alert": Alert,
    "dead_letter": DeadLetter,
    "digest_batch": DigestBatch,
}


def json_schemas() -> dict[str, str]:
    """File name → JSON Schema text of every contract, as `geopulse schemas` writes them."""
    return {
        f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in TOPIC_MODELS.items()
    }
