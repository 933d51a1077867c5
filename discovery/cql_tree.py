"""CQL's indexes and relations, compiled to the query tree of :mod:`discovery.query`.

So an SRU search is the site's search: ``dc.title = history`` is the tree of
``title:history``, and every language behaviour (simplified and traditional
Han, pinyin, Vietnamese folding) is the compiler's, whichever protocol asked.

The relation ``=`` reads a text index's words as the search box does (each
word, ANDed); ``all`` ANDs them too, ``any`` ORs them, ``adj`` and ``==`` ask
for the words in order (a phrase). A ``*`` at the end of a word masks the
rest of it (two characters at least before it); other masking, anchoring and
relation modifiers are not honoured and are answered with their diagnostics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from . import query as q
from .cql import Boolean, Clause, CqlError, Query, SortKey

# context sets: short name -> identifier
CONTEXT_SETS = {
    "cql": "info:srw/cql-context-set/1/cql-v1.2",
    "dc": "info:srw/cql-context-set/1/dc-v1.1",
    "bath": "http://zing.z3950.org/cql/bath/2.0/",
    "rec": "info:srw/cql-context-set/2/rec-1.1",
    "sheaf": "info:sheaf/cql-context-set/1",
}
TEXT_RELATIONS = ("=", "==", "exact", "all", "any", "adj")
VALUE_RELATIONS = ("=", "==", "exact", "any")
DATE_RELATIONS = ("=", "==", "<", ">", "<=", ">=", "within")


@dataclass(frozen=True)
class CqlIndex:
    """An index SRU clients may name: its kind, the query tree field, what it means."""
    name: str            # "dc.title"
    kind: str            # text, value, date, identifier, all
    field: str | None    # the query tree's field (text: None is everything)
    title: str
    sort: tuple[str, str] | None = None   # (ascending sort, descending sort); "" if none

    @property
    def relations(self) -> tuple[str, ...]:
        return {"text": TEXT_RELATIONS, "value": VALUE_RELATIONS, "identifier": VALUE_RELATIONS,
                "date": DATE_RELATIONS, "all": ("=",), "filter": ("=", "==")}[self.kind]


INDEXES = (
    CqlIndex("cql.serverChoice", "text", None, "everything the site's search box searches"),
    CqlIndex("cql.allRecords", "all", None, "every record (any term)"),
    CqlIndex("dc.title", "text", "title", "title (the site's title:)", ("title", "")),
    CqlIndex("dc.creator", "text", "author", "author (the site's author:)", ("author", "")),
    CqlIndex("dc.subject", "text", "subject", "subject (the site's subject:)"),
    CqlIndex("dc.publisher", "text", "publisher", "publisher (the site's publisher:)"),
    CqlIndex("dc.date", "date", None, "year of publication", ("year_asc", "year")),
    CqlIndex("dc.language", "value", "language", "language, a MARC code such as chi or vie"),
    CqlIndex("dc.identifier", "identifier", None, "an ISBN, an ISSN or a Sheaf record id"),
    CqlIndex("bath.isbn", "value", "isbn", "ISBN (10 and 13 digits find each other)"),
    CqlIndex("bath.issn", "value", "issn", "ISSN"),
    CqlIndex("rec.identifier", "value", "id", "a Sheaf record id: a cluster's or a member's"),
    CqlIndex("sheaf.library", "value", "library", "a member library's code"),
    # a facet filter, not a query: only ANDed or NOTed with the rest of the query
    CqlIndex("sheaf.class", "filter", "class", "classification, as the site's class facet"
             " values: lcc:PL, ddc:900, clc:K (only with and / not)"),
)
BY_NAME = {i.name.lower(): i for i in INDEXES}
# an index named without its context set: looked for in these sets, in order
UNPREFIXED_ORDER = ("cql", "dc", "bath", "rec", "sheaf")
_YEAR = re.compile(r"\d{1,4}")
Resolver = Callable[[str], str | None]


def index_named(name: str, prefixes: tuple[tuple[str, str], ...] = ()) -> CqlIndex:
    """The index a clause names (``dc.title``, ``title``, ``x.title`` after ``> x = <dc's URI>``)."""
    prefix, dot, rest = name.partition(".")
    if not dot:
        for set_name in UNPREFIXED_ORDER:
            found = BY_NAME.get(f"{set_name}.{name.lower()}")
            if found:
                return found
        raise CqlError(16, f"unsupported index {name!r}", name)
    prefix = prefix.lower()
    for assigned, uri in reversed(prefixes):
        if assigned == prefix:
            known = [s for s, u in CONTEXT_SETS.items() if u == uri]
            if not known:
                raise CqlError(15, f"unsupported context set {uri!r}", uri)
            prefix = known[0]
            break
    if prefix not in CONTEXT_SETS:
        raise CqlError(15, f"unsupported context set {prefix!r}", prefix)
    found = BY_NAME.get(f"{prefix}.{rest.lower()}")
    if found is None:
        raise CqlError(16, f"unsupported index {name!r}", name)
    return found


def to_search(query: Query, resolve: Resolver | None = None):
    """The query tree of a parsed CQL query and its facet filters, ``(facet, value,
    exclude)``: the ``sheaf.class`` clauses ANDed (or NOTed) with the rest of it.
    :class:`CqlError` for what Sheaf cannot do. ``resolve`` turns a member record id
    into its cluster's id (for ``rec.identifier``)."""
    filters: list[tuple[str, str, bool]] = []
    root = _lift_filters(query.root, filters)
    return (q.MatchAll() if root is None else _node(root, resolve)), tuple(filters)


def to_tree(query: Query, resolve: Resolver | None = None):
    """The query tree of a CQL query that has no facet filter."""
    tree, filters = to_search(query, resolve)
    if filters:
        raise CqlError(48, "sheaf.class is a filter of a search, not a query by itself")
    return tree


_EVERYTHING = Clause("cql.allRecords", "=", "1")


def _filter_of(node) -> tuple[str, str] | None:
    if not isinstance(node, Clause) or node.index is None:
        return None
    index = index_named(node.index, node.prefixes)
    if index.kind != "filter":
        return None
    relation = (node.relation or "=").lower()
    if relation not in index.relations:
        raise CqlError(19, f"{index.name} takes the relation =", relation)
    if node.modifiers:
        raise CqlError(20, f"unsupported relation modifier {node.modifiers[0].name!r}",
                       node.modifiers[0].name)
    value = _plain(node.term).strip()
    if not value:
        raise CqlError(27, "empty terms are not supported")
    return index.field, value


def _lift_filters(node, filters: list):
    """``node`` without its top-level filter clauses (None: nothing else is left)."""
    found = _filter_of(node)
    if found:
        filters.append((*found, False))
        return None
    if isinstance(node, Boolean) and node.op == "and" and not node.modifiers:
        left, right = _lift_filters(node.left, filters), _lift_filters(node.right, filters)
        if left is None or right is None:
            return right if left is None else left
        return Boolean("and", left, right)
    if isinstance(node, Boolean) and node.op == "not" and not node.modifiers:
        left = _lift_filters(node.left, filters)
        excluded = _filter_of(node.right)
        if excluded:
            filters.append((*excluded, True))
            return left
        _no_filters(node.right)
        return Boolean("not", left if left is not None else _EVERYTHING, node.right)
    _no_filters(node)
    return node


def _no_filters(node) -> None:
    if _filter_of(node):
        raise CqlError(48, "sheaf.class can only be ANDed or NOTed with the rest of the query")
    if isinstance(node, Boolean):
        _no_filters(node.left)
        _no_filters(node.right)


def _node(node, resolve):
    if isinstance(node, Boolean):
        if node.op == "prox":
            raise CqlError(37, "the boolean prox is not supported", "prox")
        if node.modifiers:
            mod = node.modifiers[0].name
            raise CqlError(46, f"unsupported boolean modifier {mod!r}", mod)
        left, right = _node(node.left, resolve), _node(node.right, resolve)
        if node.op == "and":
            return q.And(_flat(q.And, (left, right)))
        if node.op == "or":
            return q.Or(_flat(q.Or, (left, right)))
        return q.And(_flat(q.And, (left, q.Not(right))))
    return _clause(node, resolve)


def _flat(kind, items) -> tuple:
    out = []
    for item in items:
        out.extend(item.items if isinstance(item, kind) else (item,))
    return tuple(out)


def _clause(clause: Clause, resolve):
    index = index_named(clause.index or "cql.serverChoice", clause.prefixes)
    relation = (clause.relation or "=").lower()
    if relation.startswith("cql."):
        relation = relation[4:]
    if relation not in (*COMPARISONS, *NAMED):
        raise CqlError(19, f"unsupported relation {clause.relation!r}", clause.relation or "")
    if relation not in index.relations:
        raise CqlError(19, f"the relation {relation!r} is not supported on {index.name}"
                       f" (relations: {' '.join(index.relations)})", relation)
    if clause.modifiers:
        mod = clause.modifiers[0].name
        raise CqlError(20, f"unsupported relation modifier {mod!r}", mod)
    term = clause.term
    if index.kind == "all":
        return q.MatchAll()
    if not term.strip():
        raise CqlError(27, "empty terms are not supported")
    if index.kind == "date":
        return _date(relation, term)
    if index.kind == "text":
        return _text(index.field, relation, term)
    words = _plain(term).split() if relation == "any" else [_plain(term).strip()]
    values = [_value(index, w, resolve) for w in words if w]
    if not values:
        raise CqlError(27, "empty terms are not supported")
    return values[0] if len(values) == 1 else q.Or(tuple(values))


COMPARISONS = ("=", "==", "<>", "<", ">", "<=", ">=")
NAMED = ("exact", "all", "any", "adj", "within", "encloses")


def _value(index: CqlIndex, word: str, resolve):
    if index.kind == "identifier":
        return q.Or((q.Value("isbn", word), q.Value("issn", word), _record_id(word, resolve)))
    if index.field == "id":
        return _record_id(word, resolve)
    return q.Value(index.field, word)


def _record_id(word: str, resolve) -> q.Value:
    return q.Value("id", (resolve(word) if resolve else None) or word)


def _date(relation: str, term: str) -> q.YearRange:
    parts = _plain(term).replace("-", " ").replace("/", " ").split()
    years = [int(p) for p in parts if _YEAR.fullmatch(p)]
    if relation == "within":
        if len(parts) != 2 or len(years) != 2:
            raise CqlError(36, f"dc.date within takes two years, e.g. \"1990 2000\", not {term!r}",
                           term)
        return q.YearRange(min(years), max(years))
    if len(parts) != 1 or len(years) != 1:
        raise CqlError(36, f"dc.date takes a year such as 1997, not {term!r}", term)
    year = years[0]
    return {"=": q.YearRange(year, year), "==": q.YearRange(year, year),
            "<": q.YearRange(None, year - 1), "<=": q.YearRange(None, year),
            ">": q.YearRange(year + 1, None), ">=": q.YearRange(year, None)}[relation]


def _text(field: str | None, relation: str, term: str):
    words = _masked_words(term)
    if relation in ("adj", "==", "exact"):
        if any(prefix for _w, prefix in words):
            raise CqlError(33, "masking is not supported inside a phrase (adj, ==)", term)
        return q.Text(field, " ".join(w for w, _p in words), phrase=True)
    nodes = [q.Text(field, w, prefix=prefix) for w, prefix in words]
    if len(nodes) == 1:
        return nodes[0]
    return q.Or(tuple(nodes)) if relation == "any" else q.And(tuple(nodes))


def _masked_words(term: str) -> list[tuple[str, bool]]:
    """The term's words with whether each ends in the masking ``*``; escapes undone."""
    out = []
    for raw in term.split():
        chars, masked, i = [], [], 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\" and i + 1 < len(raw):
                chars.append(raw[i + 1])
                masked.append(False)
                i += 2
                continue
            chars.append(ch)
            masked.append(ch in "*?^")
            i += 1
        for pos, (ch, special) in enumerate(zip(chars, masked)):
            if not special:
                continue
            if ch == "^":
                raise CqlError(31, "anchoring (^) is not supported", raw)
            if ch == "?" or pos != len(chars) - 1:
                raise CqlError(28, "only a * at the end of a word is supported as masking", raw)
        prefix = bool(masked) and masked[-1]
        word = "".join(chars[:-1] if prefix else chars)
        if prefix and len(word) < 2:
            raise CqlError(29, "a masked word needs two characters before the *", "2")
        if word and any(ch.isalnum() for ch in word):
            out.append((word, prefix))
    if not out:
        raise CqlError(27, f"the term {term!r} has no word to search for", term)
    return out


def _plain(term: str) -> str:
    return re.sub(r"\\(.)", r"\1", term)


def sort_for(keys: list[tuple[str, bool]]) -> str:
    """The site's sort (``title``, ``year``...) for sort keys (index name, ascending)."""
    if not keys:
        return "relevance"
    if len(keys) > 1:
        raise CqlError(84, "Sheaf sorts by one key", "1")
    name, ascending = keys[0]
    try:
        index = index_named(name)
    except CqlError:
        raise CqlError(88, f"cannot sort by {name!r}", name) from None
    if index.sort is None:
        raise CqlError(88, f"cannot sort by {name!r}", name)
    chosen = index.sort[0 if ascending else 1]
    if not chosen:
        raise CqlError(90, f"{index.name} sorts only ascending", "descending")
    return chosen


def sort_by(keys: tuple[SortKey, ...]) -> str:
    """The site's sort for CQL's ``sortBy`` (modifiers sort.ascending, sort.descending)."""
    plain = []
    for key in keys:
        ascending = True
        for mod in key.modifiers:
            name = mod.name.rpartition(".")[2]
            if name in ("ascending", "descending"):
                ascending = name == "ascending"
            elif name in ("ignorecase", "ignoreaccents", "locale"):
                continue
            elif name in ("respectcase", "respectaccents"):
                raise CqlError(91, f"unsupported sort modifier {mod.name!r}", mod.name)
            elif name.startswith("missing"):
                raise CqlError(92, f"unsupported sort modifier {mod.name!r}", mod.name)
            else:
                raise CqlError(20, f"unsupported sort modifier {mod.name!r}", mod.name)
        plain.append((key.index, ascending))
    return sort_for(plain)
