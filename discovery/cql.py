"""CQL, the Contextual Query Language of SRU, read into a small syntax tree.

The grammar is CQL 1.2 / 2.0 (loc.gov/standards/sru/cql): search clauses
``index relation term`` or a bare term, relation modifiers (``=/cql.masked``),
the booleans ``and`` / ``or`` / ``not`` / ``prox`` (left to right, one
precedence, with modifiers), parentheses, quoted terms with backslash escapes,
prefix assignments (``> dc = "info:srw/cql-context-set/1/dc-v1.1"``) and a
trailing ``sortBy``. As yaz and cql-java do, unquoted words that follow a
bare term or a term after a relation are one term (``dc.title = history
china`` means the term ``history china``).

Nothing here knows indexes or engines: :mod:`discovery.cql_tree` turns the
tree into the query tree of :mod:`discovery.query`. A query that is not CQL
raises :class:`CqlError` with SRU's diagnostic number (10, 13, 14, 27...),
never anything else.

(PyPI's ``cql-parser`` 1.0.2 was considered: its README says prefix handling is
unfinished and not for real-world use, so Sheaf reads CQL with this module.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import QueryError

MAX_CQL_CHARS = 2000
MAX_CLAUSES = 64
MAX_DEPTH = 32
COMPARITORS = ("==", "<>", "<=", ">=", "=", "<", ">")
BOOLEANS = ("and", "or", "not", "prox")
# named relations of CQL's context set (a relation of another set is written with its prefix)
NAMED_RELATIONS = ("any", "all", "adj", "within", "encloses", "exact")


class CqlError(QueryError):
    """A query SRU refuses: ``code`` is the number of its diagnostic
    (``info:srw/diagnostic/1/<code>``), ``details`` its details field."""

    def __init__(self, code: int, message: str, details: str = ""):
        super().__init__(message)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Modifier:
    name: str                 # as written, e.g. "cql.masked" or "sort.descending"
    comparitor: str = ""
    value: str = ""


@dataclass(frozen=True)
class Clause:
    """``index relation term`` (a bare term: index and relation None)."""
    index: str | None
    relation: str | None
    term: str
    modifiers: tuple[Modifier, ...] = ()
    prefixes: tuple[tuple[str, str], ...] = ()   # (prefix, uri) assigned in scope


@dataclass(frozen=True)
class Boolean:
    op: str                   # and, or, not, prox (lower case)
    left: object
    right: object
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True)
class SortKey:
    index: str
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True)
class Query:
    root: Clause | Boolean
    sort: tuple[SortKey, ...] = ()


_TOKEN = re.compile(r'\s*(?:(?P<sym>==|<>|<=|>=|[=<>()/])|(?P<q>")|(?P<w>[^\s()=<>"/]+))')


@dataclass(frozen=True)
class _Tok:
    kind: str      # "sym", "word" or "quoted"
    text: str
    at: int        # character offset, for the diagnostics' details


def tokens(text: str) -> list[_Tok]:
    out, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            if text[i:].strip() == "":
                break
            raise CqlError(10, f"cannot read the query at character {i + 1}", str(i + 1))
        if m.group("sym"):
            out.append(_Tok("sym", m.group("sym"), m.start("sym")))
            i = m.end()
        elif m.group("q"):
            start = m.start("q")
            j, chars = start + 1, []
            while j < len(text) and text[j] != '"':
                if text[j] == "\\" and j + 1 < len(text):
                    chars.append(text[j:j + 2])   # escapes are kept for the term reader
                    j += 2
                    continue
                chars.append(text[j])
                j += 1
            if j >= len(text):
                raise CqlError(14, f"the quote at character {start + 1} is never closed",
                               str(start + 1))
            out.append(_Tok("quoted", "".join(chars), start))
            i = j + 1
        elif m.group("w"):
            out.append(_Tok("word", m.group("w"), m.start("w")))
            i = m.end()
        else:
            break
    return out


def parse(text: str) -> Query:
    """Read a CQL query (a :class:`CqlError` with its diagnostic if it is not CQL)."""
    if len(text) > MAX_CQL_CHARS:
        raise CqlError(12, f"the query is too long (at most {MAX_CQL_CHARS} characters)",
                       str(MAX_CQL_CHARS))
    if not text.strip():
        raise CqlError(27, "the query is empty")
    parser = _Parser(tokens(text))
    query = parser.query()
    if parser.i < len(parser.toks):
        tok = parser.toks[parser.i]
        if tok.text == ")":
            raise CqlError(13, f"unbalanced ')' at character {tok.at + 1}", str(tok.at + 1))
        raise CqlError(10, f"unexpected {tok.text!r} at character {tok.at + 1}", str(tok.at + 1))
    return query


def _is(tok: _Tok | None, *texts: str, kind: str = "") -> bool:
    if tok is None or (kind and tok.kind != kind):
        return False
    if tok.kind == "quoted":
        return False
    return tok.text.lower() in texts


class _Parser:
    def __init__(self, toks: list[_Tok]):
        self.toks = toks
        self.i = 0
        self.clauses = 0
        self.depth = 0

    def peek(self, ahead: int = 0) -> _Tok | None:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise CqlError(10, "the query ends too early")
        self.i += 1
        return tok

    def query(self, prefixes: tuple = ()) -> Query:
        root = self.scoped(prefixes)
        sort = ()
        if _is(self.peek(), "sortby", kind="word"):
            self.take()
            sort = self.sort_keys()
        return Query(root, sort)

    def scoped(self, prefixes: tuple):
        while _is(self.peek(), ">", kind="sym"):
            prefixes = prefixes + (self.prefix_assignment(),)
        node = self.search_clause(prefixes)
        while _is(self.peek(), *BOOLEANS, kind="word"):
            op = self.take().text.lower()
            mods = self.modifiers()
            right = self.search_clause(prefixes)
            node = Boolean(op, node, right, mods)
        return node

    def prefix_assignment(self) -> tuple[str, str]:
        self.take()   # ">"
        first = self.term_token("a context set")
        if _is(self.peek(), "=", kind="sym"):
            self.take()
            return first.text.lower(), self.term_token("a context set's URI").text
        return "", first.text

    def search_clause(self, prefixes: tuple):
        tok = self.peek()
        if tok is None:
            raise CqlError(10, "a search term is missing at the end of the query")
        if tok.kind == "sym" and tok.text == "(":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CqlError(13, f"parentheses nested deeper than {MAX_DEPTH}", str(tok.at + 1))
            node = self.scoped(prefixes)
            closing = self.peek()
            if not _is(closing, ")", kind="sym"):
                raise CqlError(13, f"the '(' at character {tok.at + 1} is never closed",
                               str(tok.at + 1))
            self.take()
            self.depth -= 1
            return node
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise CqlError(38, f"too many search clauses (at most {MAX_CLAUSES})",
                           str(MAX_CLAUSES))
        first = self.term_token("a search term")
        nxt = self.peek()
        if nxt is not None and nxt.kind == "sym" and nxt.text in COMPARITORS:
            relation = self.take().text
        elif nxt is not None and nxt.kind == "word" and (
                nxt.text.lower() in NAMED_RELATIONS or "." in nxt.text) \
                and self._followed_by_term(1):
            relation = self.take().text.lower()
        else:
            return Clause(None, None, self.term_words(first), (), prefixes)
        mods = self.modifiers()
        term = self.term_token("a search term after the relation")
        return Clause(first.text, relation, self.term_words(term), mods, prefixes)

    def _followed_by_term(self, ahead: int) -> bool:
        """A word after a term is a named relation (any, all, adj...) when a term follows it."""
        j = ahead
        while _is(self.peek(j), "/", kind="sym"):   # its modifiers
            j += 2
            if self.peek(j) is not None and self.peek(j).kind == "sym" \
                    and self.peek(j).text in COMPARITORS:
                j += 2
        after = self.peek(j)
        return after is not None and (after.kind != "sym" or after.text == "(") \
            and not (after.kind == "word" and after.text.lower() in BOOLEANS
                     and self.peek(j + 1) is not None
                     and self.peek(j + 1).kind != "sym")

    def term_token(self, what: str) -> _Tok:
        tok = self.peek()
        if tok is None or tok.kind == "sym":
            at = tok.at + 1 if tok else None
            where = f" at character {at}" if at else " at the end of the query"
            raise CqlError(10, f"{what} is missing{where}", str(at or ""))
        return self.take()

    def term_words(self, first: _Tok) -> str:
        """A term, with the unquoted words that follow it (relaxed, as yaz reads CQL)."""
        if first.kind == "quoted":
            return first.text
        words = [first.text]
        while True:
            tok = self.peek()
            if tok is None or tok.kind != "word" or tok.text.lower() in (*BOOLEANS, "sortby"):
                break
            words.append(self.take().text)
        return " ".join(words)

    def modifiers(self) -> tuple[Modifier, ...]:
        out = []
        while _is(self.peek(), "/", kind="sym"):
            self.take()
            name = self.term_token("a modifier").text
            comparitor = value = ""
            nxt = self.peek()
            if nxt is not None and nxt.kind == "sym" and nxt.text in COMPARITORS:
                comparitor = self.take().text
                value = self.term_token("a modifier's value").text
            out.append(Modifier(name.lower(), comparitor, value))
        return tuple(out)

    def sort_keys(self) -> tuple[SortKey, ...]:
        keys = []
        while self.peek() is not None and self.peek().kind != "sym":
            keys.append(SortKey(self.take().text, self.modifiers()))
        if not keys:
            raise CqlError(10, "sortBy needs at least one index")
        return tuple(keys)
