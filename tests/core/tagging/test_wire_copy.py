"""1987-style wire copy: ALL-CAPS headlines, datelines, period names, institutions, wrapped bodies."""

from __future__ import annotations

import pycountry
import pytest

from streams.core.loose import loosen
from streams.core.tagging import Gazetteer, Tagger, data
from streams.core.tagging.evaluate import article_of

from .conftest import make_article


def found(text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.code) for m in Gazetteer.default().find(text)]


def kinds(text: str) -> list[tuple[str, str]]:
    return [(m.code, m.kind) for m in Gazetteer.default().find(text)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("TOKYO, March 3 - The Bank of Japan said", "JPN"),
        ("    WASHINGTON, April 8 - The U.S. trade deficit", "USA"),
        ("FRANKFURT, Jan 23 - The Bundesbank left", "DEU"),
        ("EAST BERLIN, Feb 2 - East Germany said", "DEU"),
        ("PEKING, March 24 - China aims", "CHN"),
        ("SALVADOR, Feb 26 - Showers continued in the Bahia cocoa zone", "BRA"),
        ("GREENWICH, Conn., March 3 - The company said", "USA"),
        ("PORTLAND, Ore., March 3 - The company said", "USA"),
        ("LONDON, Ontario, March 3 - The company said", "CAN"),
        ("VEVEY, Switzerland, Feb 11 - Nestle SA said", "CHE"),
        ("KINSHASA, March 13 - Zaire's state mining company", "COD"),
    ],
)
def test_wire_datelines(body: str, expected: str) -> None:
    dateline = Gazetteer.default().dateline(body)
    assert dateline is not None and dateline[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JAPAN, U.S. TO HOLD TALKS ON BEEF", [("JAPAN", "JPN"), ("U.S.", "USA")]),
        ("U.S. CAR SALES RISE IN MARCH", [("U.S.", "USA")]),
        ("LET US TRADE, SAYS MINISTER", []),
        ("U.S. TURKEY OUTPUT RISES", [("U.S.", "USA")]),
        ("TURKEY APPLIES TO JOIN EC", []),  # shouted "TURKEY" is read as the bird; the body names the country
        ("Turkey applied to join the EC", [("Turkey", "TUR")]),
        ("US troops and the CAR", [("US", "USA"), ("CAR", "CAF")]),
        ("FED ADDS RESERVES VIA CUSTOMER REPURCHASES", [("FED", "USA")]),
    ],
)
def test_all_caps_headlines(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("West Germany", "DEU"), ("West German", "DEU"), ("East Germany", "DEU"), ("the Soviets", "RUS"),
        ("the USSR", "RUS"), ("Soviet Union", "RUS"), ("Zaire", "COD"), ("Zairean", "COD"), ("Burma", "MMR"),
        ("Rangoon", "MMR"), ("Rhodesia", "ZWE"), ("Ceylon", "LKA"), ("Dahomey", "BEN"), ("Upper Volta", "BFA"),
        ("Kampuchea", "KHM"), ("Yugoslavia", "SRB"), ("Czechoslovakia", "CZE"), ("Peking", "CHN"), ("Bonn", "DEU"),
    ],
)  # fmt: skip
def test_period_names_map_to_todays_codes(text: str, code: str) -> None:
    assert [c for _, c in found(text)] == [code]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("the Bundesbank", "DEU"), ("the Bank of Japan", "JPN"), ("MITI", "JPN"), ("the Federal Reserve", "USA"),
        ("the U.S. Treasury", "USA"), ("the Bank of England", "GBR"), ("the Banque de France", "FRA"),
        ("Petrobras", "BRA"), ("Pemex", "MEX"), ("the Riksbank", "SWE"), ("Tass", "RUS"),
        ("the Ministry of International Trade and Industry", "JPN"), ("Toshiba", "JPN"), ("Volvo", "SWE"),
    ],
)  # fmt: skip
def test_institutions_and_firms_stand_for_their_country(text: str, code: str) -> None:
    assert [c for _, c in found(text)] == [code]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the Canadian dollar rose", [("CAN", "currency")]),
        ("1.09 billion U.S. dlrs", [("USA", "currency")]),
        ("the yen and sterling", [("JPN", "currency"), ("GBR", "currency")]),
        ("the Canadian economy", [("CAN", "demonym")]),
    ],
)
def test_currencies_are_weak_evidence(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Secretary of State George Shultz said", []),
        ("Senator Edward Kennedy said", []),
        ("King Hassan of Morocco", [("Morocco", "MAR")]),
        ("a resort in Palm Springs", []),
        ("fighting in Basra Iraqi troops", [("Basra", "IRQ"), ("Iraqi", "IRQ")]),
        ("the Uruguay Round of trade talks", []),
        ("the Paris Club of creditors", []),
        ("Sheikh Ali al-Khalifa al-Sabah", []),
        ("North Sea Brent and West Texas Intermediate", []),
        ("central banks in the Netherlands", [("Netherlands", "NLD")]),
        ("Saudi Arabian Oil Minister", [("Saudi Arabian", "SAU")]),
    ],
)
def test_names_words_and_benchmarks_that_are_not_countries(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Peru's President Alan Garcia told Congress", "PER"),
        ("President Reagan asked Congress for", "USA"),
        ("Congress passed the bill", "USA"),
    ],
)
def test_congress_belongs_to_the_country_in_the_story(text: str, code: str) -> None:
    assert found(text)[-1] == ("Congress", code)


WRAPPED = {
    "text": "BANK OF JAPAN CUTS DISCOUNT RATE\n"
    "    TOKYO, Feb 20 - The Bank of Japan cut its discount rate by half\n"
    "a point to 2.5 pct after talks with officials from the United\n"
    "States and West Germany, officials said, and the yen rose against\n"
    "the dollar in early trading.\n    Reuter",
    "date": "20-FEB-1987 10:07:13.01",
}


def test_wire_records_are_read_like_wire_copy() -> None:
    record, _ = loosen(WRAPPED)
    assert record["title"] == "BANK OF JAPAN CUTS DISCOUNT RATE"
    assert record["body"].startswith("    TOKYO, Feb 20 - The Bank of Japan cut")
    assert "from the United States and West Germany, officials said" in record["body"]
    assert record["body"].endswith("\n    Reuter")  # paragraphs stay paragraphs


def test_a_separate_dateline_goes_back_in_front_of_the_body() -> None:
    record, _ = loosen({"title": "BAHIA COCOA REVIEW", "dateline": "    SALVADOR, Feb 26 - ", "body": "Showers fell."})
    assert record["body"] == "SALVADOR, Feb 26 - Showers fell."


def test_a_headline_repeated_at_the_top_of_the_body_is_dropped_from_it() -> None:
    record, _ = loosen({"title": "JAPAN CUTS RATE", "text": "JAPAN CUTS RATE\n  TOKYO, Feb 2 - The bank cut."})
    assert record["title"] == "JAPAN CUTS RATE" and record["body"] == "  TOKYO, Feb 2 - The bank cut."


@pytest.mark.parametrize(
    "body",
    [
        "First paragraph that runs on for a long time, " * 3 + "\nSecond paragraph.\nThird one.\nFourth.",
        "Police fired.\nMore here.\nAnd more.\nEnd.",  # short lines are paragraphs, not a wrap
        "A story line that is about as long as a wrapped wire line.\n- Related: Japan votes\n- Related: Chad\n- More",
    ],
)
def test_bodies_that_are_not_hard_wrapped_keep_their_lines(body: str) -> None:
    assert loosen({"title": "t", "body": body})[0]["body"] == body


def test_a_wrapped_wire_story_gets_its_countries() -> None:
    tagged = Tagger.default().tag(article_of(WRAPPED))
    assert {c.code for c in tagged.countries} == {"JPN", "USA", "DEU"}
    assert tagged.countries[0].code == "JPN" and tagged.countries[0].role == "location"


@pytest.mark.parametrize("section", ["companies", "dateline_regions"])
def test_new_country_sections_are_keyed_by_iso3(section: str) -> None:
    table = data.load("countries.toml")[section]
    codes = {c.alpha_3 for c in pycountry.countries}
    assert table and set(table) <= codes
    assert all(isinstance(form, str) and form for forms in table.values() for form in forms)


WRAPPED_BODY = (
    "    Government troops shelled rebel positions outside the\n"
    "northern town overnight and killed at least 12 fighters, the\n"
    "army said on Tuesday, a day after the rebels seized two\n"
    "border posts from the Ruritanian army in West\n"
    "Germany's neighbour.\n"
    "    The opposition condemned the shelling and called for\n"
    "talks between the two sides before the end of the month.\n"
)


def test_a_hard_wrapped_body_is_tagged_as_its_unwrapped_self(tagger: Tagger) -> None:
    # A wire feed that reaches the worker with its ~65-column line breaks is read as sentences, as
    # `geopulse replay --loose` reads it, so the worker, replay and replay --loose tag it alike.
    wrapped, flat = make_article(WRAPPED_BODY), make_article(" ".join(WRAPPED_BODY.split("\n")))
    as_filed, as_flat = tagger.tag(wrapped), tagger.tag(flat)
    assert [(e.type, e.reported) for e in as_filed.events] == [(e.type, e.reported) for e in as_flat.events]
    assert [c.code for c in as_filed.countries] == [c.code for c in as_flat.countries]
    assert "DEU" in [c.code for c in as_filed.countries]  # "West\nGermany" read as one name
    assert any(e.type == "ASSAULT" and e.reported for e in as_filed.events)
