"""Helpers the templates use to show data: highlighting, labels, links.

Everything that comes from records or queries reaches the page escaped.
Highlights are character spans into the display strings (discovery's
:class:`Hit`); :func:`highlight` escapes the text between and inside the
spans and adds the ``<mark>`` elements itself, so no markup ever comes
from data.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

from flask import url_for
from flask_babel import format_date, format_datetime, gettext
from markupsafe import Markup, escape

from indexer import fields, tables
from indexer.online import http_url

from .i18n import choose


def highlight(text: str | None, spans=()) -> Markup:
    """``text`` escaped, with the characters of each (start, end) span in ``<mark>``."""
    text = text or ""
    out, pos = [], 0
    for start, end in sorted((int(s), int(e)) for s, e in spans or ()):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>%s</mark>") % text[start:end])
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def language_name(code: str) -> str:
    return tables.language_name(code, choose()) or code


def format_label(code: str | None) -> str:
    return tables.format_label(code, choose()) if code else ""


def relator_label(code: str) -> str:
    return tables.relator_label(code, choose())


def bcp47(languages) -> str | None:
    """The html ``lang`` of a record's text: its first language's ISO 639-1 code."""
    for code in languages or ():
        row = tables.keyed("languages", "code").get(code)
        if row and row.get("iso639_1"):
            return row["iso639_1"]
    return None


def safe_url(url: str | None) -> str | None:
    """A link from data, only if it is http(s): never javascript: or data: URLs."""
    return http_url(url)


def search_url(args, endpoint: str = "pages.search", **values) -> str:
    """A URL with these (MultiDict) arguments, e.g. from :meth:`SearchForm.toggled`."""
    base = url_for(endpoint, **values)
    query = urlencode(list(args.items(multi=True)))
    return f"{base}?{query}" if query else base


def libraries_of(hit) -> list:
    """A hit's holdings, one per library (the first copy's call number shown)."""
    seen = {}
    for holding in hit.holdings:
        seen.setdefault(holding.source, holding)
    return list(seen.values())


def histogram_bars(histogram, width: int = 240, row: int = 18, label: int = 38,
                   room: int = 40) -> list[dict]:
    """Rows of the decade histogram for an SVG ``width`` wide and ``row`` high a decade:
    every decade from the first to the last, those with no result too (a gap in time shows
    as one), each with its count written beside its bar (read without hovering). A row has
    ``label`` units for its decade on the left and ``room`` for its count on the right."""
    if not histogram:
        return []
    counts = {start: count for start, _end, count in histogram}
    first, last = min(counts), max(counts)
    top = max(counts.values()) or 1
    longest = width - label - room
    bars = []
    for i, start in enumerate(range(first, last + 1, 10)):
        count = counts.get(start, 0)
        length = round(max(2.0, longest * count / top), 1) if count else 0
        bars.append({"start": start, "end": start + 9, "count": count, "x": label,
                     "y": i * row + 2, "width": length, "height": row - 4,
                     "text_y": i * row + row - 5, "count_x": label + length + 4})
    return bars


def xml_text(text) -> str:
    """Text XML 1.0 can carry: C0 controls (but tab and newlines) and U+FFFE/F dropped."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c for c in text if (c >= " " or c in "\t\n\r")
                   and not "\ud800" <= c <= "\udfff" and c not in "\ufffe\uffff")


def store_time(stamp: str | None) -> datetime | None:
    """A store timestamp (ISO 8601, ``Z`` or an offset; UTC when it has none) as an aware
    datetime, None when missing or unreadable."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_time(stamp: str | None) -> str:
    """A store timestamp as the reader's locale writes a date and time ("13:42:13 7 thg 12,
    2026" in Vietnamese, "2026年12月7日 13:42:13" in Chinese), in UTC; an unreadable one
    as it is."""
    moment = store_time(stamp)
    if moment is None:
        return stamp or ""
    return f"{format_datetime(moment, 'medium')} UTC"


def local_date(day: str | None) -> str:
    """A day (``2026-12-07``) as the reader's locale writes it ("7 thg 12, 2026",
    "2026年12月7日"); an unreadable one as it is."""
    try:
        return format_date(datetime.strptime(day or "", "%Y-%m-%d").date(), "medium")
    except ValueError:
        return day or ""


def facet_names() -> dict[str, str]:
    return {f.name: gettext(f.label) for f in fields.FACETS}


def field_labels() -> dict[str, str]:
    """The search fields a reader can pick (search box and advanced form), translated."""
    return {name: gettext(fields.SEARCH_BY_NAME[name].label) for name in fields.FORM_FIELDS}


def sort_labels() -> list[tuple[str, str]]:
    return [(s.name, gettext(s.label)) for s in fields.SORTS]


def init_app(app) -> None:
    app.jinja_env.filters.update(highlight=highlight, language_name=language_name,
                                 format_label=format_label, relator_label=relator_label,
                                 bcp47=bcp47, safe_url=safe_url, xml_text=xml_text,
                                 local_time=local_time, local_date=local_date)
    app.context_processor(lambda: {"facet_names": facet_names()})
    app.jinja_env.globals.update(field_labels=field_labels, sort_labels=sort_labels,
                                 search_url=search_url, libraries_of=libraries_of,
                                 histogram_bars=histogram_bars)
