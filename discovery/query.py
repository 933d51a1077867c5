"""The reader's query language, parsed into a small tree. Nothing here knows Whoosh.

Syntax: words (ANDed), ``"phrases"``, ``AND`` / ``OR`` / ``NOT`` (upper
case), ``+word`` / ``-word``, parentheses, trailing ``*`` truncation, and the
fields ``title:`` (``ti:``), ``author:`` (``au:``), ``subject:`` (``su:``),
``isbn:``, ``issn:``, ``publisher:`` (``pb:``), ``year:`` (``1997``,
``1990-2000``, ``1990-``, ``-1900``), ``lang:`` and ``library:``.

Readers' syntax never raises here: control characters are dropped, an unbalanced
quote or parenthesis and a lone operator are read as plain words, leading wildcards
are dropped. The :class:`QueryError` cases are a value that cannot mean anything
(``year:abc``), parentheses nested deeper than :data:`MAX_DEPTH` (which the parser
would otherwise follow until Python's recursion limit), and a query past the parser's
own ceilings, :data:`MAX_QUERY_CHARS` characters and :data:`MAX_CLAUSES` words
(a :class:`QueryTooLarge`, which the budget's settings, lower by default, normally
meet first): refused, never cut short, so no word a reader typed is silently dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from indexer.fields import QUERY_PREFIXES
from indexer.textnorm import join_han_gaps

from .errors import N_, QueryError, QueryTooLarge

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 64
MAX_DEPTH = 32            # parentheses, as discovery.cql allows
FIELDS = QUERY_PREFIXES   # what ``name:`` may say (indexer.fields.SEARCH_FIELDS)
# what readers type for a language, as the catalogue's MARC codes
LANGUAGE_ALIASES = {"zh": "chi", "zho": "chi", "chinese": "chi", "vi": "vie",
                    "vietnamese": "vie", "en": "eng", "english": "eng", "ja": "jpn",
                    "japanese": "jpn", "ko": "kor", "korean": "kor", "fr": "fre",
                    "french": "fre", "de": "ger", "german": "ger", "ru": "rus",
                    "russian": "rus", "ar": "ara", "arabic": "ara", "he": "heb",
                    "hebrew": "heb", "es": "spa", "spanish": "spa"}
OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Text:
    """Words to match in a field group (``field`` None: every text field)."""
    field: str | None
    text: str
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class Value:
    """An exact value: isbn, language code, library code."""
    field: str
    value: str


@dataclass(frozen=True)
class YearRange:
    start: int | None
    end: int | None


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


class MatchAll:
    """The empty query: every record."""


# a parsed query: what every engine's compiler takes
Node = Text | Value | YearRange | And | Or | Not | MatchAll


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LEXEME = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<q>[^"]*)"|(?P<w>[^\s()"]+))')
_FIELD = re.compile(r"^([A-Za-z]+):(.*)$", re.S)
_YEAR = re.compile(r"(\d{1,4})?(?:(-|\.\.)(\d{1,4})?)?")


def clean(text: str) -> str:
    """Control characters dropped, NFC, whitespace collapsed, and the spaces an input
    method or a copied catalogue title leaves between Han characters (U+3000 included)
    made a joiner: ``李　宗仁　传`` is one word, searched as ``李宗仁传`` like the analysis
    of titles, and also as the reader divided it (the compiler ORs the two)."""
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text or ""))
    return join_han_gaps(" ".join(text.split()))


def _lex(text: str) -> list[tuple[str, str]]:
    """Lexemes: ("(" | ")" | "quote" | "word", text). Unbalanced quotes become words."""
    if text.count('"') % 2:
        last = text.rfind('"')
        text = text[:last] + " " + text[last + 1:]
    out = []
    for m in _LEXEME.finditer(text):
        if m.group("lp"):
            out.append(("(", "("))
        elif m.group("rp"):
            out.append((")", ")"))
        elif m.group("q") is not None:
            out.append(("quote", m.group("q")))
        elif m.group("w"):
            out.append(("word", m.group("w")))
    return out


def parse(text: str, max_words: int = MAX_CLAUSES):
    """Parse a reader's query into a tree of Text/Value/YearRange/And/Or/Not (or MatchAll).
    More than ``max_words`` words, phrases and values (at most :data:`MAX_CLAUSES`) is a
    QueryTooLarge that names the number, as the budget's ``max_query_words`` would."""
    text = clean(text)
    if not text:
        return MatchAll()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooLarge("chars", MAX_QUERY_CHARS,
                            f"the query is too long: at most {MAX_QUERY_CHARS} characters")
    parser = _Parser(_lex(text), min(max_words, MAX_CLAUSES))
    tree = parser.parse()
    return tree if tree is not None else MatchAll()


class _Parser:
    def __init__(self, lexemes, max_clauses: int = MAX_CLAUSES):
        self.lx = lexemes
        self.i = 0
        self.clauses = 0
        self.max_clauses = max_clauses
        self.depth = 0

    def peek(self):
        return self.lx[self.i] if self.i < len(self.lx) else (None, None)

    def take(self):
        item = self.peek()
        self.i += 1
        return item

    def parse(self):
        items = []
        while self.i < len(self.lx):
            node = self.or_expr()
            if node is not None:
                items.append(node)
            elif self.peek()[0] == ")":
                self.take()  # a stray closing parenthesis
        return _and(items)

    def or_expr(self):
        items = [self.and_expr()]
        while self.peek() == ("word", "OR") and self._operand_follows():
            self.take()
            items.append(self.and_expr())
        items = [x for x in items if x is not None]
        return items[0] if len(items) == 1 else (Or(tuple(items)) if items else None)

    def and_expr(self):
        items = []
        while True:
            kind, value = self.peek()
            if kind is None or kind == ")":
                break
            if kind == "word" and value == "OR" and items and self._operand_follows():
                break
            if kind == "word" and value == "AND" and items and self._operand_follows():
                self.take()
                continue
            node = self.unary()
            if node is not None:
                items.append(node)
        return _and(items)

    def _operand_follows(self) -> bool:
        nxt = self.lx[self.i + 1] if self.i + 1 < len(self.lx) else (None, None)
        return nxt[0] in ("word", "quote", "(") and nxt[1] not in OPERATORS[:2]

    def unary(self):
        kind, value = self.peek()
        if kind == "word" and value == "NOT" and self._operand_follows():
            self.take()
            node = self.unary()
            return Not(node) if node is not None else None
        if kind == "word" and len(value) > 1 and value[0] in "+-" and value[1] not in "+-":
            self.lx[self.i] = ("word", value[1:])
            node = self.unary()
            return Not(node) if (node is not None and value[0] == "-") else node
        return self.primary()

    def primary(self, field: str | None = None):
        kind, value = self.take()
        if kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(N_("parentheses nested deeper than %(depth)s"), depth=MAX_DEPTH)
            node = self._group(field)
            self.depth -= 1
            return node
        if kind == "quote":
            return self._clause(field, value, phrase=True)
        if kind == "word":
            m = _FIELD.match(value)
            if field is None and m and m.group(1).lower() in FIELDS:
                name = FIELDS[m.group(1).lower()]
                rest = m.group(2)
                if rest:
                    self.lx[self.i - 1] = ("word", rest)
                    self.i -= 1
                    return self.primary(name)
                nxt = self.peek()[0]
                if nxt in ("(", "quote"):
                    return self.primary(name)
                return None  # "title:" with nothing after it
            return self._clause(field, value)
        return None

    def _group(self, field):
        items = []
        while self.i < len(self.lx) and self.peek()[0] != ")":
            if field is None:
                node = self.or_expr()
            else:
                node = self.primary(field)
            if node is not None:
                items.append(node)
            elif self.peek()[0] not in (")", None) and field is not None:
                continue
        if self.peek()[0] == ")":
            self.take()
        return _and(items)

    def _clause(self, field, text, phrase=False):
        if not phrase and text in OPERATORS and len(self.lx) > 1:
            return None  # a dangling operator: "(a OR", "x AND"
        self.clauses += 1
        if self.clauses > self.max_clauses:
            raise QueryTooLarge("words", self.max_clauses,
                                f"the query has too many words: at most {self.max_clauses}")
        if field == "year":
            return _year(text)
        if field in ("isbn", "issn", "language", "library", "heading"):
            value = text.strip()
            return Value(field, value) if value else None
        prefix = False
        if not phrase:
            text = text.lstrip("*?")
            if text.endswith("*") and len(text.rstrip("*")) >= 2:
                prefix = True
            text = text.replace("*", " ").replace("?", " ").strip()
        if not text.strip() or not any(ch.isalnum() for ch in text):
            return None
        return Text(field, text, phrase=phrase, prefix=prefix)


def _and(items):
    items = [x for x in items if x is not None]
    if not items:
        return None
    return items[0] if len(items) == 1 else And(tuple(items))


def _year(value: str) -> YearRange:
    m = _YEAR.fullmatch(value.strip())
    if not m or not (m.group(1) or m.group(3)):
        raise QueryError(N_("year:%(value)s is not a year; use e.g. year:1997 or"
                            " year:1990-2000"), value=value[:40])
    start = int(m.group(1)) if m.group(1) else None
    end = int(m.group(3)) if m.group(3) else None
    if not m.group(2):
        end = start
    if start is not None and end is not None and start > end:
        start, end = end, start
    return YearRange(start, end)
