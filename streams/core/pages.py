"""Raw news pages: read a scraped page (plain text) into an `Article`.

The page format is the one scrapers save: the headline on the first non-empty line, then a short
header (a byline such as ">> Doina Chiacu and Katharine Jackson, Reuters" or "By Jane Roe | AFP",
and a date line such as "Published: 10 Jan 2022 12:05 PM BdST"), then one paragraph per line, then
the site's trailing boilerplate (related-headline bullets, "Most Read", share and copyright lines),
which is cut off so that it never reaches the tagger.

Several pages in one stream (stdin, one file) are separated by a form feed (U+000C), conventionally
on a line of its own; `iter_pages` splits them. A file on disk normally holds one page.

>>> page = '''Floods close schools in Dhaka
... By Rafiq Islam and Mina Das, AFP
... Published: 10 Jan 2022 12:05 PM BdST
... Heavy rain closed schools across the capital on Monday.
... Most Read
... - Unrelated headline'''
>>> article = parse_page(page, source="example.com")
>>> article.authors, article.agency, article.published_at.isoformat()
(['Rafiq Islam', 'Mina Das'], 'AFP', '2022-01-10T06:05:00+00:00')
>>> article.body
'Heavy rain closed schools across the capital on Monday.'
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from pydantic import ValidationError

from schemas import Article
from streams.errors import PageParseError

PAGE_SEPARATOR = "\f"
HEADER_LINES = 6  # the byline and date must appear within this many lines after the title

# ---------------------------------------------------------------------------------------------
# Splitting a stream into pages


def iter_pages(text: str) -> Iterator[str]:
    """The pages in `text`, which are separated by form feeds; blank chunks are skipped."""
    for chunk in text.split(PAGE_SEPARATOR):
        if chunk.strip():
            yield chunk.strip("\n")


# ---------------------------------------------------------------------------------------------
# Time zones


@dataclass(frozen=True)
class _Zone:
    offset: timedelta
    us_dst: bool = False


@cache
def _zone_table() -> tuple[dict[str, _Zone], dict[str, dict[str, timedelta]]]:
    """Abbreviation → zone (case-folded keys) and abbreviation → site → offset hints."""
    raw = tomllib.loads(resources.files("streams.core").joinpath("data/timezones.toml").read_text())
    zones = {k.casefold(): _Zone(_offset(v["offset"]), v.get("dst") == "us") for k, v in raw["zones"].items()}
    hints = {k.casefold(): {s: _offset(o) for s, o in v.items()} for k, v in raw.get("hints", {}).items()}
    return zones, hints


def _offset(text: str) -> timedelta:
    """'+05:30' → 5 h 30 min; '-0330' and '+6' are accepted too."""
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", text.strip())
    if not m:
        raise PageParseError(f"invalid UTC offset {text!r}")
    minutes = int(m[2]) * 60 + int(m[3] or 0)
    if minutes > 14 * 60:
        raise PageParseError(f"UTC offset {text!r} is out of range")
    return timedelta(minutes=-minutes if m[1] == "-" else minutes)


def _us_dst(local: datetime) -> bool:
    """Whether a US local wall-clock time falls in daylight saving (2nd Sun Mar 02:00 – 1st Sun Nov)."""
    march = datetime(local.year, 3, 8 + (6 - datetime(local.year, 3, 8).weekday()) % 7, 2)
    november = datetime(local.year, 11, 1 + (6 - datetime(local.year, 11, 1).weekday()) % 7, 2)
    return march <= local.replace(tzinfo=None) < november


def zone_offset(abbreviation: str, local: datetime, site: str | None = None) -> timedelta:
    """UTC offset of a time-zone abbreviation at a local time, with an optional site hint.

    >>> zone_offset("BdST", datetime(2022, 1, 10, 12, 5))
    datetime.timedelta(seconds=21600)
    >>> zone_offset("BST", datetime(2022, 1, 10), site="bdnews24.com") == timedelta(hours=6)
    True
    """
    zones, hints = _zone_table()
    key = abbreviation.casefold()
    if key not in zones:
        raise PageParseError(f"unknown time-zone abbreviation {abbreviation!r}")
    for hint_site, offset in hints.get(key, {}).items():
        if site and (site == hint_site or site.endswith("." + hint_site)):
            return offset
    zone = zones[key]
    return zone.offset + timedelta(hours=1) if zone.us_dst and _us_dst(local) else zone.offset


# ---------------------------------------------------------------------------------------------
# Dates

_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ORD = r"(?:st|nd|rd|th)?"
_DATES = (
    re.compile(rf"(?P<day>\d{{1,2}}){_ORD}\s+{_MONTH},?\s+(?P<year>\d{{4}})", re.I),  # 10 Jan 2022
    re.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}}){_ORD},?\s+(?P<year>\d{{4}})", re.I),  # January 10, 2022
    re.compile(r"(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})"),  # 2022-01-10
)
_WEEKDAY = re.compile(r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.I)
_TIME = re.compile(
    r"(?:,?\s*(?:at\s+|[-–—|]\s*)?|T)(?P<h>\d{1,2})[:.](?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<ampm>[ap]\.?m\b\.?)?",
    re.I,
)
_ZONE = re.compile(
    r"\s*\(?(?:(?P<num>Z|[+-]\d{2}:?\d{2})|(?:UTC|GMT)\s*(?P<rel>[+-]\s*\d{1,2}(?::?\d{2})?)"
    r"|(?P<abbr>[A-Za-z]{2,5}))\)?(?![A-Za-z])"
)
_DATE_LABEL = re.compile(
    r"(?:(?:first\s+|last\s+)?(?:published|posted|updated|modified)(?:\s+on)?|date[d]?|on)\s*:?\s*", re.I
)


def parse_datetime(text: str, site: str | None = None) -> datetime | None:
    """The timestamp at the start of `text` in UTC, or None if `text` does not start with a date.

    A time without a zone is read as UTC; a date without a time as midnight UTC.

    >>> parse_datetime("Published: 10 Jan 2022 12:05 PM BdST Updated: 11 Jan 2022").isoformat()
    '2022-01-10T06:05:00+00:00'
    >>> parse_datetime("January 10, 2022 7:30 p.m. IST").isoformat()
    '2022-01-10T14:00:00+00:00'
    """
    text = text.strip()
    if label := _DATE_LABEL.match(text):
        text = text[label.end() :]
    if weekday := _WEEKDAY.match(text):
        text = text[weekday.end() :]
    for pattern in _DATES:
        if m := pattern.match(text):
            return _read_time(text, m, site)
    return None


def _read_time(text: str, date: re.Match[str], site: str | None) -> datetime:
    mon = date["mon"]
    month = int(mon) if mon.isdigit() else _MONTHS.index(mon[:3].lower()) + 1
    hour = minute = second = 0
    rest = text[date.end() :]
    if t := _TIME.match(rest):
        hour, minute, second = int(t["h"]), int(t["m"]), int(t["s"] or 0)
        if t["ampm"]:
            hour = hour % 12 + (12 if t["ampm"][0] in "pP" else 0)
        rest = rest[t.end() :]
    try:
        local = datetime(int(date["year"]), month, int(date["day"]), hour, minute, second)
    except ValueError as exc:
        raise PageParseError(f"invalid date in {text[:60]!r}: {exc}") from exc
    offset = _read_zone(rest, local, site) if t else timedelta(0)
    return (local - offset).replace(tzinfo=UTC)


def _read_zone(rest: str, local: datetime, site: str | None) -> timedelta:
    z = _ZONE.match(rest)
    if z is None:
        return timedelta(0)
    if z["num"]:
        return timedelta(0) if z["num"] == "Z" else _offset(z["num"])
    if z["rel"]:
        return _offset(z["rel"].replace(" ", ""))
    # A zone abbreviation is capitalised and mostly upper case; anything else is ordinary text.
    abbr = z["abbr"]
    if abbr[0].isupper() and sum(c.isupper() for c in abbr) >= 2:
        return zone_offset(abbr, local, site)
    return timedelta(0)


# ---------------------------------------------------------------------------------------------
# Bylines

_AGENCIES = frozenset(
    s.casefold()
    for s in (
        "Reuters", "AFP", "Agence France-Presse", "AP", "Associated Press", "The Associated Press",
        "Bloomberg", "Xinhua", "TASS", "RIA Novosti", "Interfax", "Anadolu", "Anadolu Agency", "dpa",
        "Kyodo", "Kyodo News", "Yonhap", "EFE", "ANSA", "PTI", "IANS", "ANI", "UNB", "BSS", "Bernama",
        "Antara", "IRNA", "WAM", "QNA", "UPI", "AAP", "Kazinform",
    )
)  # fmt: skip
_BYLINE_LEAD = re.compile(r"(?:>>\s*|(?:written\s+|reporting\s+|reported\s+)?by\s+)", re.I)
_BYLINE_SPLIT = re.compile(r"\s*(?:[,;|]|\band\b|&)\s*")
_DESK = re.compile(r"\b(?:correspondents?|reporters?|desk|staff|bureau|editors?|writers?)\b", re.I)
_PARTICLES = frozenset({"van", "von", "de", "da", "der", "del", "dos", "bin", "ibn", "al", "el", "la", "le", "du"})
_NAME_WORD = re.compile(r"[^\W\d_][\w.'’-]*")


_AGENCY_SHAPE = re.compile(r"[A-Z]{2,6}|[\w-]+(?:\.[a-z]{2,})+")  # "UNB", "bdnews24.com"


def _is_agency(part: str) -> bool:
    return part.casefold() in _AGENCIES or _AGENCY_SHAPE.fullmatch(part) is not None


def _is_name(part: str) -> bool:
    words = part.split()
    capitalised = all(w[0].isupper() or w in _PARTICLES for w in words) and part[0].isupper()
    return 1 <= len(words) <= 5 and capitalised and all(_NAME_WORD.fullmatch(w) for w in words)


def parse_byline(line: str) -> tuple[list[str], str | None] | None:
    """(authors, agency) from a byline, or None if `line` is not one.

    >>> parse_byline(">> Doina Chiacu and Katharine Jackson, Reuters")
    (['Doina Chiacu', 'Katharine Jackson'], 'Reuters')
    >>> parse_byline("By Tuesday, officials had arrested 40 people") is None
    True
    """
    lead = _BYLINE_LEAD.match(line)
    rest = line[lead.end() :] if lead else line
    parts = [p.strip(" .") for p in _BYLINE_SPLIT.split(rest) if p.strip(" .")]
    parts = [re.sub(r"\s+in\s+[A-Z][\w .'-]*$", "", p) for p in parts]  # "Jane Roe in Almaty"
    if not parts or (not lead and not any(_is_agency(p) for p in parts)):
        return None  # without "By" or ">>", a byline must credit an agency: "Jane Roe, AFP"
    authors: list[str] = []
    agency: str | None = None
    for part in parts:
        if _is_agency(part):
            agency = agency or part
        elif _DESK.search(part):
            continue  # "Staff Correspondent" credits a desk, not a person
        elif _is_name(part):
            authors.append(part)
        else:
            return None
    return authors, agency


# ---------------------------------------------------------------------------------------------
# Boilerplate

# A line starting with one of these ends the article: what follows is the site's furniture. Headings
# must be nearly the whole line ("Most Read", "Related stories:"), so a paragraph that starts with
# "Comments by the minister..." is kept; footer phrases may run to a short sentence.
_STOP_HEADING = re.compile(
    r"(?:most\s+(?:read|popular|viewed|shared)|related(?:\s+(?:news|stories|articles|topics|coverage))?"
    r"|more\s+(?:from|on|stories|news)|recommended|trending|top\s+stories|tags|topics|comments"
    r"|latest\s+news)\b",
    re.I,
)
_STOP_PHRASE = re.compile(
    r"(?:(?:you\s+may\s+also\s+like|also\s+read|read\s+(?:more|also|next)|share\s+(?:this|on|via)"
    r"|follow\s+us|subscribe|sign\s+up|copyright|all\s+rights\s+reserved)\b|(?:tags|topics|keywords)\s*:"
    r"|©|\(c\)\s*\d{4})",
    re.I,
)
_HEADING_MAX_WORDS = 4
_PHRASE_MAX_WORDS = 12
# Lines dropped where they stand: ad slots and one-line promos inside the body.
_DROP = re.compile(
    r"(?:advertisement|sponsored|scroll\s+to\s+continue|story\s+continues\s+below"
    r"|(?:also\s+read|read\s+(?:more|also))\s*[:|]\s*\S)",
    re.I,
)
_BULLET = re.compile(r"[-•*·–]\s+\S")


def _ends_article(line: str) -> bool:
    words = len(line.split())
    heading = _STOP_HEADING.match(line) and words <= _HEADING_MAX_WORDS
    return bool(heading or (_STOP_PHRASE.match(line) and words <= _PHRASE_MAX_WORDS))


def article_paragraphs(lines: list[str]) -> list[str]:
    """The body paragraphs among `lines`, without the trailing boilerplate and in-body ad slots."""
    body: list[str] = []
    for line in lines:
        if _DROP.match(line):
            continue
        if _ends_article(line):
            break
        body.append(line)
    while body and _BULLET.match(body[-1]):  # related-headline lists
        body.pop()
    return body


# ---------------------------------------------------------------------------------------------
# The page


@dataclass
class _Header:
    authors: list[str]
    agency: str | None
    published_at: datetime | None
    end: int  # index of the first body line
    standfirst: list[str]


def _read_header(lines: list[str], site: str | None) -> _Header:
    header = _Header([], None, None, 1, [])
    pending: list[str] = []
    for i, line in enumerate(lines[1 : 1 + HEADER_LINES], start=1):
        known = False
        for segment in re.split(r"\s+[|·]\s+", line):
            known = _read_segment(segment, header, site) or known
        if known:
            header.end, header.standfirst, pending = i + 1, header.standfirst + pending, []
        elif header.published_at is not None:
            break
        else:
            pending.append(line)
    return header


def _read_segment(segment: str, header: _Header, site: str | None) -> bool:
    if header.published_at is None and (when := parse_datetime(segment, site)) is not None:
        header.published_at = when
        return True
    if not header.authors and header.agency is None and (byline := parse_byline(segment)):
        header.authors, header.agency = byline
        return True
    return False


def page_id(title: str, published_at: datetime, body: str) -> str:
    """A stable id for a page without one: the same text gives the same id, whatever its spacing."""
    canonical = "\n".join(" ".join(s.split()) for s in (title, published_at.isoformat(), body))
    return "page-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def parse_page(text: str, *, source: str | None = None, url: str | None = None) -> Article:
    """Read one scraped news page into an `Article`; raises `PageParseError` with the reason.

    `source` names the outlet; without it the URL's host, then the credited agency, then
    "unknown" is used. The outlet also resolves ambiguous zone abbreviations (BST on a ".bd" site).
    """
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines:
        raise PageParseError("empty page: no title")
    host = urlsplit(url).hostname if url else None
    header = _read_header(lines, source or host)
    if header.published_at is None:
        raise PageParseError(f"no publication date in the {HEADER_LINES} lines after the title")
    title = lines[0]
    body = "\n\n".join(article_paragraphs(header.standfirst + lines[header.end :]))
    try:
        return Article.model_validate(
            {
                "id": page_id(title, header.published_at, body),
                "url": url,
                "source": source or host or header.agency or "unknown",
                "title": title,
                "body": body,
                "published_at": header.published_at,
                "authors": header.authors,
                "agency": header.agency,
            }
        )
    except ValidationError as exc:
        raise PageParseError(f"page does not make a valid article: {exc}") from exc
