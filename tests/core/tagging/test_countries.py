"""Country references: variants, case, guards, disambiguation, demonyms, metonyms, datelines."""

from __future__ import annotations

import pytest

from streams.core.tagging import Gazetteer


def codes(text: str) -> list[str]:
    return [m.code for m in Gazetteer.default().find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. and the UK agreed.", ["USA", "GBR"]),
        ("Talks in the United States of America", ["USA"]),
        ("America and Britain", ["USA", "GBR"]),
        ("Ivory Coast and Côte d'Ivoire are one country", ["CIV", "CIV"]),
        ("Burma, now Myanmar", ["MMR", "MMR"]),
        ("the DRC and Zaire", ["COD", "COD"]),
        ("West Germany and the Soviet Union", ["DEU", "RUS"]),
        ("the USSR said", ["RUS"]),
        ("Peking and Bonn", ["CHN", "DEU"]),
        ("KAZAKHSTAN CALLS IN TROOPS", ["KAZ"]),
    ],
)
def test_country_names_and_variants(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("let us know", []),
        ("US troops", ["USA"]),
        ("roast turkey for dinner", []),
        ("Turkey said", ["TUR"]),
        ("fine china and chile peppers", []),
    ],
)
def test_matching_is_case_aware(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Michael Jordan scored", []),
        ("King Abdullah of Jordan said", ["JOR"]),
        ("Chad Smith played drums", []),
        ("Chad and Niger closed borders", ["TCD", "NER"]),
        ("It was a nice day in Paris", ["FRA"]),
        ("Reading the report, he frowned", []),
        ("a march in Nice", ["FRA"]),
        ("Mobile phones", []),
        ("Victoria Beckham", []),
    ],
)
def test_guards_skip_words_and_people(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Niger and Nigeria", ["NER", "NGA"]),
        ("Nigerien and Nigerian troops", ["NER", "NGA"]),
        ("Guinea, Guinea-Bissau, Equatorial Guinea and Papua New Guinea", ["GIN", "GNB", "GNQ", "PNG"]),
        ("Sudan and South Sudan", ["SDN", "SSD"]),
        ("Fighting in Congo near Goma", ["COD", "COD"]),
        ("The Republic of Congo, capital Brazzaville", ["COG", "COG"]),
        ("Georgia, the former Soviet republic, and Tbilisi", ["GEO", "RUS", "GEO"]),
        ("Voters in Atlanta, Georgia backed the governor", ["USA", "USA"]),
    ],
)
def test_disambiguation(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian-led troops", ["RUS"]),
        ("Saudi-backed forces", ["SAU"]),
        ("Kazakh and Kazakhstani officials", ["KAZ", "KAZ"]),
        ("Bangladeshis and Russians", ["BGD", "RUS"]),
        ("the French and the Dutch", ["FRA", "NLD"]),
    ],
)
def test_demonyms_and_compounds(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the Kremlin said", ["RUS"]),
        ("Whitehall and Downing Street", ["GBR", "GBR"]),
        ("the Pentagon and the White House", ["USA", "USA"]),
        ("the Elysee Palace", ["FRA"]),
        ("the Bundesbank and the Fed", ["DEU", "USA"]),
        ("the Bank of Japan and MITI", ["JPN", "JPN"]),
        ("Tehran rejected it", ["IRN"]),
    ],
)
def test_capitals_and_institutions(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ALMATY, Jan 5 (Reuters) - Protesters gathered.", "KAZ"),
        ("WASHINGTON - The senate voted.", "USA"),
        ("NEW YORK, Feb 26 - Shares rose.", "USA"),
        ("SAO PAULO, March 3 - Coffee prices fell.", "BRA"),
        ("BEIRUT/DUBAI, Jan 5 (Reuters) - Talks began.", "LBN"),
        ("Dhaka, Jan 10 (bdnews24.com) - Police said.", "BGD"),
    ],
)
def test_datelines(body: str, expected: str) -> None:
    found = Gazetteer.default().dateline(body)
    assert found is not None and found[0] == expected


@pytest.mark.parametrize("body", ["US Secretary of State Antony Blinken said", "The talks, held in Paris - ended"])
def test_no_dateline_in_ordinary_openings(body: str) -> None:
    assert Gazetteer.default().dateline(body) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Latin America and the Persian Gulf", []),
        ("exports to South America", []),
    ],
)
def test_blocked_phrases_are_not_countries(text: str, expected: list[str]) -> None:
    assert codes(text) == expected
