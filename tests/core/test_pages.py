"""Reading scraped news pages into Articles (streams/core/pages.py)."""

from __future__ import annotations

import hashlib
import re
import tomllib
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from streams.core.pages import (
    article_paragraphs,
    iter_pages,
    page_id,
    parse_byline,
    parse_datetime,
    parse_page,
)
from streams.errors import PageParseError

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "data" / "pages"
SEED = PAGES / "bdnews24_kazakhstan_seed.txt"  # the product's seed page (shared/seed/000_4b1f403a12207adc.txt)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- the seed page --------------------------------------------------------------------------------


def test_seed_page_fields() -> None:
    article = parse_page(SEED.read_text(encoding="utf-8"), source="bdnews24.com")
    assert article.title == "US seeks answers from Kazakhstan on need for Russian-led troops"
    assert article.authors == ["Doina Chiacu", "Katharine Jackson"]
    assert article.agency == "Reuters"
    assert article.source == "bdnews24.com"
    assert article.published_at == utc(2022, 1, 10, 6, 5)
    assert article.body.startswith("US Secretary of State Antony Blinken said")
    assert article.body.endswith("an alliance of ex-Soviet states that includes Russia.")
    assert article.body.count("\n\n") == 9  # ten paragraphs


@pytest.mark.parametrize("leak", ["Khaleda", "Most Read", "Rohingya", "BNP", "Macron", "Murad"])
def test_seed_page_boilerplate_does_not_leak_into_body(leak: str) -> None:
    article = parse_page(SEED.read_text(encoding="utf-8"))
    assert leak not in article.body


def test_seed_fixture_is_the_seed_page_byte_for_byte() -> None:
    """The repository's copy is the scraped page unchanged (the digest of shared/seed/000_4b1f403a12207adc.txt)."""
    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert digest == "fee56eb2f8672a537a0cfc754bfabb4b431c0d16d738e1e02458fa959ae3f5a6"


# --- pages in other site styles (written for these tests) ------------------------------------------

STYLES = [
    # file, source, title start, authors, agency, published (UTC), body start, body end
    (
        "us_style_et.txt", "eveningledger.example", "Port workers in Chile",
        ["Laura Menendez", "Peter Okoro"], None, utc(2022, 1, 11, 0, 30),
        "SANTIAGO — Dock workers", "urged both sides to avoid a longer strike.",
    ),
    (
        "india_style_ist.txt", None, "Monsoon-style rain",
        [], "PTI", utc(2022, 1, 11, 4, 15),
        "Unseasonal heavy rain", "over the next two days.",
    ),
    (
        "europe_style_iso.txt", None, "Germany and Poland agree",
        ["Anna Berg"], "dpa", utc(2022, 1, 10, 13, 30),
        "The transport ministers", "in a joint statement.",
    ),
    (
        "bangladesh_style_bst.txt", "bdnews24.com", "Ferry services resume",
        [], "bdnews24.com", utc(2022, 1, 9, 15, 30),
        "Ferry services between Mawa", "the ferry operator said.",
    ),
    (
        "australia_style_aedt.txt", None, "Bushfire warning lifted",
        [], "Reuters", utc(2022, 1, 9, 21, 15),
        "Firefighters brought", "helped crews contain the blaze.",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "source", "title", "authors", "agency", "published", "start", "end"), STYLES)
def test_site_styles(
    name: str,
    source: str | None,
    title: str,
    authors: list[str],
    agency: str | None,
    published: datetime,
    start: str,
    end: str,
) -> None:
    article = parse_page((PAGES / name).read_text(encoding="utf-8"), source=source)
    assert article.title.startswith(title)
    assert (article.authors, article.agency, article.published_at) == (authors, agency, published)
    assert article.body.startswith(start)
    assert article.body.endswith(end)


@pytest.mark.parametrize(
    ("name", "leaks"),
    [
        ("us_style_et.txt", ["Advertisement", "Copper prices", "Copyright", "cabinet"]),
        ("india_style_ist.txt", ["ALSO READ", "Tamil Nadu schools", "Tags", "Cricket"]),
        ("europe_style_iso.txt", ["Share this", "Follow us"]),
        ("bangladesh_style_bst.txt", ["Most Read", "Winter chill"]),
        ("australia_style_aedt.txt", ["Related", "Heatwave", "restrictions"]),
    ],
)
def test_site_styles_drop_boilerplate(name: str, leaks: list[str]) -> None:
    body = parse_page((PAGES / name).read_text(encoding="utf-8")).body
    assert [leak for leak in leaks if leak in body] == []


def test_paragraph_starting_with_a_heading_word_is_kept() -> None:
    body = parse_page((PAGES / "europe_style_iso.txt").read_text(encoding="utf-8")).body
    assert "Comments by the Polish minister" in body


# --- time zones -------------------------------------------------------------------------------------

ZONES = [
    # abbreviation, UTC offset in minutes (facts about each zone, not read from our data file)
    ("UTC", 0), ("GMT", 0), ("BST", 60), ("BdST", 360), ("BDST", 360), ("IST", 330),
    ("PKT", 300), ("NPT", 345), ("CET", 60), ("CEST", 120), ("EET", 120), ("EEST", 180),
    ("MSK", 180), ("EST", -300), ("EDT", -240), ("CST", -360), ("CDT", -300), ("MST", -420),
    ("MDT", -360), ("PST", -480), ("PDT", -420), ("JST", 540), ("KST", 540), ("HKT", 480),
    ("SGT", 480), ("WIB", 420), ("AEST", 600), ("AEDT", 660), ("ACST", 570), ("AST", -240),
    ("GST", 240), ("SAST", 120), ("WAT", 60), ("EAT", 180), ("PHT", 480), ("ICT", 420),
    ("IRST", 210), ("AFT", 270), ("MMT", 390), ("NST", -210), ("NZDT", 780), ("ALMT", 360),
]  # fmt: skip


@pytest.mark.parametrize(("abbr", "minutes"), ZONES)
def test_zone_abbreviations(abbr: str, minutes: int) -> None:
    got = parse_datetime(f"10 Jan 2022 12:00 PM {abbr}")
    assert got == utc(2022, 1, 10, 12) - timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("abbr", "site", "minutes"),
    [
        ("BST", "bdnews24.com", 360),
        ("BST", "www.thedailystar.net", 360),
        ("BST", "news.example.com.bd", 360),
        ("BST", "bbc.co.uk", 60),
        ("IST", "irishtimes.com", 60),
        ("IST", "www.timesofisrael.com", 120),
        ("IST", "thehindu.com", 330),
        ("CST", "chinadaily.com.cn", 480),
        ("AST", "arabnews.com", 180),
        ("PST", "inquirer.net", 480),
        ("BdST", "bbc.co.uk", 360),  # unambiguous abbreviations ignore the site
    ],
)
def test_site_hint_resolves_ambiguous_zone(abbr: str, site: str, minutes: int) -> None:
    got = parse_datetime(f"10 Jan 2022 12:00 {abbr}", site=site)
    assert got == utc(2022, 1, 10, 12) - timedelta(minutes=minutes)


def test_site_hint_comes_from_the_url_host() -> None:
    page = "Title\nPublished: 09 Jan 2022 09:30 PM BST\nBody."
    assert parse_page(page).published_at == utc(2022, 1, 9, 20, 30)
    got = parse_page(page, url="https://bdnews24.com/world/2022/01/09/x").published_at
    assert got == utc(2022, 1, 9, 15, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("January 10, 2022 10:00 ET", utc(2022, 1, 10, 15)),  # EST in winter
        ("July 4, 2022 10:00 ET", utc(2022, 7, 4, 14)),  # EDT in summer
        ("March 12, 2022 10:00 PT", utc(2022, 3, 12, 18)),  # day before DST starts
        ("March 14, 2022 10:00 PT", utc(2022, 3, 14, 17)),
        ("November 7, 2022 10:00 CT", utc(2022, 11, 7, 16)),  # day after DST ends
    ],
)
def test_generic_us_zones_follow_daylight_saving(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("abbr", ["XYZT", "SST", "QsT"])
def test_unknown_zone_is_an_error_naming_it(abbr: str) -> None:
    with pytest.raises(PageParseError, match=re.escape(repr(abbr))):
        parse_page(f"Title\nPublished: 10 Jan 2022 12:05 PM {abbr}\nBody text.")


def test_zone_data_shape() -> None:
    raw = tomllib.loads(resources.files("streams.core").joinpath("data/timezones.toml").read_text())
    keys = [k.casefold() for k in raw["zones"]]
    assert len(keys) == len(set(keys)), "abbreviations must be unique regardless of case"
    for entry in raw["zones"].values():
        assert set(entry) <= {"offset", "name", "dst"} and re.fullmatch(r"[+-]\d{2}:\d{2}", entry["offset"])
    for abbr, sites in raw["hints"].items():
        assert abbr.casefold() in keys
        assert all(re.fullmatch(r"[+-]\d{2}:\d{2}", offset) for offset in sites.values())


# --- date formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Published: 10 Jan 2022 12:05 PM BdST Updated: 11 Jan 2022 1:00 PM BdST", utc(2022, 1, 10, 6, 5)),
        ("10 Jan 2022 12:05 AM GMT", utc(2022, 1, 10, 0, 5)),
        ("January 10, 2022 12:05", utc(2022, 1, 10, 12, 5)),  # no zone: read as UTC
        ("Jan. 10, 2022, 7:30 p.m. EST", utc(2022, 1, 11, 0, 30)),
        ("Monday, January 10th, 2022 at 9:15 am IST", utc(2022, 1, 10, 3, 45)),
        ("Mon 10 Jan 2022 06.05 GMT", utc(2022, 1, 10, 6, 5)),
        ("10 January 2022 — 8:15am AEDT", utc(2022, 1, 9, 21, 15)),
        ("Posted on 3 Sept 2021 14:00 (CEST)", utc(2021, 9, 3, 12)),
        ("2022-01-10T12:05:00+06:00", utc(2022, 1, 10, 6, 5)),
        ("2022-01-10T06:05:00Z", utc(2022, 1, 10, 6, 5)),
        ("2022-01-10 12:05:30.250-0330", utc(2022, 1, 10, 15, 35, 30)),
        ("2022-01-10 12:05 UTC+5:30", utc(2022, 1, 10, 6, 35)),
        ("10 Jan 2022 12:05 GMT+6", utc(2022, 1, 10, 6, 5)),
        ("Updated: 10 Jan 2022", utc(2022, 1, 10)),  # no time: midnight UTC
    ],
)
def test_date_formats(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["Kazakhstan says order restored", "By Jane Roe", "10/01/2022", ""])
def test_text_without_a_leading_date(text: str) -> None:
    assert parse_datetime(text) is None


def test_impossible_date_is_an_error() -> None:
    with pytest.raises(PageParseError, match="invalid date"):
        parse_datetime("31 Feb 2022 10:00 GMT")


# --- bylines ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            ">> Doina Chiacu and Katharine Jackson, Reuters",
            (["Doina Chiacu", "Katharine Jackson"], "Reuters"),
        ),
        ("By Jane Roe and John Doe", (["Jane Roe", "John Doe"], None)),
        ("By Jane Roe, John Doe and Amir Khan, AFP", (["Jane Roe", "John Doe", "Amir Khan"], "AFP")),
        (">> Jane Roe, John Doe and Amir Khan, AFP", (["Jane Roe", "John Doe", "Amir Khan"], "AFP")),
        ("Jane Roe and Amir Khan, AFP", (["Jane Roe", "Amir Khan"], "AFP")),
        ("Reuters", ([], "Reuters")),
        ("By Reuters", ([], "Reuters")),
        ("Associated Press", ([], "Associated Press")),
        ("By Staff Correspondent, bdnews24.com", ([], "bdnews24.com")),
        ("By Anna Berg in Berlin, dpa", (["Anna Berg"], "dpa")),
        ("By Jane Roe | Associated Press", (["Jane Roe"], "Associated Press")),
        ("Written by Marie-Claire Dubois", (["Marie-Claire Dubois"], None)),
        ("By Ali bin Hamad & Sara van der Berg", (["Ali bin Hamad", "Sara van der Berg"], None)),
        ("Reporting by Ólafur Sigurðsson", (["Ólafur Sigurðsson"], None)),
    ],
)
def test_byline_variants(line: str, expected: tuple[list[str], str | None]) -> None:
    assert parse_byline(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "By Tuesday, officials had arrested 40 people",
        "Kazakhstan, Russia",
        "The ministry said on Sunday that order was restored",
        "Published: 10 Jan 2022 12:05 PM BdST",
    ],
)
def test_not_a_byline(line: str) -> None:
    assert parse_byline(line) is None


def test_page_without_byline() -> None:
    article = parse_page("Quiet day on the markets\nJanuary 10, 2022 12:05 GMT\nShares were flat.")
    assert (article.authors, article.agency, article.source) == ([], None, "unknown")


@pytest.mark.parametrize(
    ("source", "url", "expected"),
    [
        ("site.example", "https://other.example/a", "site.example"),
        (None, "https://www.other.example/a", "www.other.example"),
        (None, None, "AFP"),
    ],
)
def test_source_precedence(source: str | None, url: str | None, expected: str) -> None:
    page = "Title\nBy Jane Roe, AFP\n10 Jan 2022 10:00 GMT\nBody."
    article = parse_page(page, source=source, url=url)
    assert (article.source, article.url) == (expected, url)


# --- boilerplate ------------------------------------------------------------------------------------

BODY = ["First paragraph of the story.", "Second paragraph of the story."]
LIST_ITEM = "- a list item inside the story"
RELATED_TALKS = "Related talks between the two governments are due to begin in Geneva next week."


@pytest.mark.parametrize(
    ("tail", "kept"),
    [
        (["- Related headline one", "- Related headline two"], BODY),
        (["Most Read", "1. Something"], BODY),
        (["Related", "Another headline"], BODY),
        (["Related stories:", "• A headline"], BODY),
        (["Also read", "Another headline"], BODY),
        (["Read more", "- A headline"], BODY),
        (["Share this article", "Facebook Twitter"], BODY),
        (["Follow us on Twitter and Facebook for the latest updates"], BODY),
        (["© 2022 Northwind Times. All rights reserved."], BODY),
        (["Copyright 2022 Some Agency"], BODY),
        (["Tags: Kazakhstan, Russia"], BODY),
        (["You may also like", "A headline"], BODY),
        (["Advertisement", "Third paragraph."], [*BODY, "Third paragraph."]),
        (["Also read: a promoted headline", "Third paragraph."], [*BODY, "Third paragraph."]),
        (["ALSO READ | a promoted headline", "Third paragraph."], [*BODY, "Third paragraph."]),
        ([LIST_ITEM, "Third paragraph."], [*BODY, LIST_ITEM, "Third paragraph."]),
        ([RELATED_TALKS], [*BODY, RELATED_TALKS]),
    ],
)  # fmt: skip
def test_boilerplate_variants(tail: list[str], kept: list[str]) -> None:
    assert article_paragraphs([*BODY, *tail]) == kept


# --- ids ----------------------------------------------------------------------------------------------


def test_id_is_stable_and_whitespace_insensitive() -> None:
    page = (PAGES / "us_style_et.txt").read_text(encoding="utf-8")
    respaced = "\n\n" + page.replace("\n", "\r\n\r\n").replace(" workers ", "  workers   ") + "   \n"
    first, again, spaced = parse_page(page), parse_page(page), parse_page(respaced)
    assert re.fullmatch(r"page-[0-9a-f]{16}", first.id)
    assert first.id == again.id == spaced.id


def test_id_depends_on_title_time_and_body() -> None:
    page = "Title\n10 Jan 2022 10:00 GMT\nBody."
    ids = {
        parse_page(page).id,
        parse_page(page.replace("Title", "Other title")).id,
        parse_page(page.replace("10:00", "10:01")).id,
        parse_page(page.replace("Body.", "Other body.")).id,
    }
    assert len(ids) == 4


def test_id_is_sha256_of_the_normalised_fields() -> None:
    import hashlib

    expected = hashlib.sha256(b"T i\n2022-01-10T10:00:00+00:00\nb o").hexdigest()[:16]
    assert page_id(" T  i ", utc(2022, 1, 10, 10), "b\n\no") == "page-" + expected


# --- errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("", "empty page"),
        ("  \n\n\t\n", "empty page"),
        ("Only a title", "no publication date"),
        ("Title\nBy Jane Roe\nA body without any date at all.", "no publication date"),
        ("Title\n10 Jan 2022 10:00 XQZ\nBody.", "unknown time-zone abbreviation 'XQZ'"),
        ("T" * 3000 + "\n10 Jan 2022 10:00 GMT\nBody.", "valid article"),
    ],
)
def test_errors_carry_a_reason(page: str, reason: str) -> None:
    with pytest.raises(PageParseError, match=re.escape(reason)):
        parse_page(page)


# --- several pages in one stream -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("A\nB", 1),
        ("A\n\f\nB", 2),
        ("\fA\n\f\n\f\nB\n\f", 2),
        ("A\n  \f  \nB\n\f\n   \n", 2),
        ("\f\n\f", 0),
        ("", 0),
    ],
)
def test_iter_pages_splits_on_form_feeds(text: str, count: int) -> None:
    assert len(list(iter_pages(text))) == count


def test_iter_pages_round_trips_the_fixtures() -> None:
    files = sorted(PAGES.glob("*.txt"))
    stream = "\n\f\n".join(f.read_text(encoding="utf-8") for f in files)
    got = [parse_page(page).id for page in iter_pages(stream)]
    assert got == [parse_page(f.read_text(encoding="utf-8")).id for f in files]
