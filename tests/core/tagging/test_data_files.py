"""Shape of the tagger's data files: what the loaders rely on."""

from __future__ import annotations

import re

import pycountry
import pytest

from schemas.tagged import EVENT_TYPES
from streams.core.tagging import data
from streams.core.tagging.topics import TopicGroups

ISO3 = {c.alpha_3 for c in pycountry.countries}
ACTOR_TYPES = {"GOV", "MIL", "COP", "REB", "OPP", "PTY", "IGO", "NGO", "CVL", "MED", "BUS", "JUD", "LEG"}


@pytest.mark.parametrize(
    "section", ["names", "demonyms", "capitals", "institutions", "currencies", "regions", "short_names"]
)
def test_country_sections_are_keyed_by_iso3(section: str) -> None:
    table = data.load("countries.toml")[section]
    assert table and set(table) <= ISO3
    for value in table.values():
        assert isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) and v for v in value))


def test_ambiguous_names_have_iso3_defaults_and_cues() -> None:
    for name, rule in data.load("countries.toml")["ambiguous"].items():
        assert rule["default"] in ISO3, name
        assert set(rule["cues"]) <= ISO3, name


def test_actors_have_names_types_and_countries() -> None:
    config = data.load("actors.toml")
    for item in [*config["people"], *config["organisations"]]:
        assert item["name"] and item["type"] in ACTOR_TYPES
        assert item.get("country", "") in ISO3 | {""}
        assert isinstance(item["aliases"], list)
    assert set(config["roles"]) <= ACTOR_TYPES


def test_every_plover_type_has_a_cameo_root_and_triggers() -> None:
    events = dict(data.load("events.toml"))
    assert all(isinstance(p, str) for p in events.pop("ignore")["phrases"])
    assert set(events) == set(EVENT_TYPES)
    for name, spec in events.items():
        assert re.fullmatch(r"[0-9]{2}", spec["cameo"]), name
        assert isinstance(spec["governs"], bool)
        for group in spec["trigger"]:
            assert 0 < group["weight"] < 1
            assert any(group.get(k) for k in ("verbs", "nouns", "exact")), name


def test_topic_groups_only_name_event_types() -> None:
    groups = TopicGroups.load()
    assert {"unrest", "conflict", "diplomacy", "all", *EVENT_TYPES} <= set(groups.names)


def test_unknown_type_in_topic_group_is_rejected() -> None:
    with pytest.raises(ValueError, match="RIOT"):
        TopicGroups.from_mapping({"bad": ["RIOT"]})


def test_unknown_data_file_is_rejected() -> None:
    with pytest.raises(ValueError, match="name="):
        data.load("secrets.toml")
