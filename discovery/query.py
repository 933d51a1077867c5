"""Turning what a reader typed into a Whoosh query.

Readers' input is forgiving: control characters are dropped, an over-long
query is cut, leading wildcards are ignored, and input the parser cannot
make sense of falls back to a plain keyword search. Only a value that can
never match what the reader meant (``year:abc``) is a :class:`QueryError`.
"""

from __future__ import annotations

import re
import unicodedata

from whoosh import query as wq
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, OrGroup, AndGroup
from whoosh.qparser import plugins as qplugins

from indexer.isbn import search_forms
from indexer.schema import FIELD_WEIGHTS

from .errors import QueryError

MAX_QUERY_CHARS = 1000
FIELD_ALIASES = {"author": ["au"], "subject": ["su"], "language": ["lang"],
                 "source": ["library"], "title": ["ti"]}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_YEAR = re.compile(r"\byear:(\S*)")
_ISBN = re.compile(r"\bisbn:(\S+)")
_LEADING_WILDCARD = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=:))[*?]+")
_SYNTAX = re.compile(r"[\"'()\[\]{}:+\-*?^~!\\/]|(?<!\w)(?:AND|OR|NOT|TO)(?!\w)")


def clean(text: str) -> str:
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text or ""))
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def _year_clause(match: re.Match) -> str:
    value = match.group(1)
    m = re.fullmatch(r"(\d{1,4})(?:(-|\.\.)(\d{1,4})?)?|(-|\.\.)(\d{1,4})", value)
    if not m:
        raise QueryError(f"year:{value} is not a year; use e.g. year:1997 or year:1990-2000")
    if m.group(4):  # "-2000": up to
        return f"year:[TO {m.group(5)}]"
    if m.group(2):  # "1990-" or "1990-2000"
        return f"year:[{m.group(1)} TO {m.group(3) or ''}]"
    return f"year:{m.group(1)}"


def _isbn_clause(match: re.Match) -> str:
    forms = search_forms(match.group(1))
    if not forms:
        return f"isbn:{re.sub(r'[^0-9Xx]', '', match.group(1)) or '0'}"
    return "(" + " OR ".join(f"isbn:{f}" for f in forms) + ")"


class QueryBuilder:
    """Parses reader queries against one schema; build once, use for every request."""

    def __init__(self, schema):
        self.schema = schema
        self.parser = MultifieldParser(list(FIELD_WEIGHTS), schema, fieldboosts=FIELD_WEIGHTS,
                                       group=AndGroup)
        self.parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        self.parser.remove_plugin_class(qplugins.BoostPlugin)
        self.fallback = MultifieldParser(list(FIELD_WEIGHTS), schema, fieldboosts=FIELD_WEIGHTS,
                                         group=AndGroup, plugins=[])

    def build(self, text: str) -> wq.Query:
        text = clean(text)
        if not text:
            return wq.Every()
        text = _YEAR.sub(_year_clause, text)
        text = _ISBN.sub(_isbn_clause, text)
        text = _LEADING_WILDCARD.sub("", text)
        try:
            q = self.parser.parse(text)
        except Exception:  # whoosh's parser has corner cases; never let them reach a reader
            q = wq.NullQuery
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            plain = " ".join(_SYNTAX.sub(" ", text).split())
            q = self.fallback.parse(plain) if plain else wq.NullQuery
        return q
