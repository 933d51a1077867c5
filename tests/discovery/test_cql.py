"""CQL (SRU's query language): read by discovery.cql, compiled by discovery.cql_tree into
the tree the site's own query language makes (no index needed).

Where the site has the same search, the expected tree is the site parser's
(:func:`discovery.query.parse`), an independent path: ``dc.title = history``
must be exactly ``title:history``. What the trees find is tested over a real
server in tests/web/test_sru.py.
"""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from discovery import query as site
from discovery.cql import Boolean, Clause, CqlError, Modifier, SortKey, parse
from discovery.cql_tree import sort_by, sort_for, to_search, to_tree
from discovery.query import And, MatchAll, Or, Text, Value, YearRange


def tree(cql: str):
    return to_tree(parse(cql))


def code(cql: str) -> int:
    with pytest.raises(CqlError) as caught:
        tree(cql)
    return caught.value.code


@pytest.mark.parametrize("cql, query", [
    ("dc.title = history", "title:history"),
    ("dc.title=history", "title:history"),
    ("title = history", "title:history"),             # dc is the default context set
    ('dc.title = "history china"', "title:(history china)"),
    ("dc.title = history china", "title:(history china)"),   # unquoted words, as yaz reads them
    ("dc.creator = chabon", "author:chabon"),
    ("dc.subject = history", "subject:history"),
    ("dc.publisher = zhonghua", "publisher:zhonghua"),
    ("history", "history"),
    ("cql.serverChoice = history", "history"),
    ("history china", "history china"),
    ("dc.title = hist*", "title:hist*"),
    ('dc.title adj "history of china"', 'title:"history of china"'),
    ("dc.language = chi", "lang:chi"),
    ("bath.isbn = 7209024727", "isbn:7209024727"),
    ("bath.issn = 0028-0836", "issn:0028-0836"),
    ("sheaf.library = loc", "library:loc"),
    ("dc.date = 1997", "year:1997"),
    ('dc.date within "1990 2000"', "year:1990-2000"),
    ("dc.date >= 1990", "year:1990-"),
    ("dc.date <= 1900", "year:-1900"),
    ("history and dc.date > 1989", "history year:1990-"),
    ("history or china", "history OR china"),
    ("history not china", "history NOT china"),
    ("dc.title = 黃崗村志", "title:黃崗村志"),
    ("dc.title = Hà Nội", "title:(Hà Nội)"),
])
def test_cql_means_what_the_site_query_means(cql, query):
    assert tree(cql) == site.parse(query)


def test_booleans_read_left_to_right_and_parentheses_group():
    a, b, c = (Text(None, w) for w in "abc")
    assert tree("a or b and c") == And((Or((a, b)), c))
    assert tree("a or (b and c)") == Or((a, And((b, c))))
    assert tree("a and b and c") == And((a, b, c))


def test_any_ors_and_all_ands_the_words():
    assert tree('dc.title any "fish frog"') == Or((Text("title", "fish"), Text("title", "frog")))
    assert tree('dc.title all "fish frog"') == And((Text("title", "fish"), Text("title", "frog")))
    assert tree('dc.language any "chi vie"') == Or((Value("language", "chi"),
                                                    Value("language", "vie")))


def test_exact_is_a_phrase():
    assert tree('dc.title == "history of china"') == Text("title", "history of china",
                                                          phrase=True)


def test_dates_by_relation():
    assert tree("dc.date < 1990") == YearRange(None, 1989)
    assert tree("dc.date > 1990") == YearRange(1991, None)
    assert tree('dc.date within "2000 1990"') == YearRange(1990, 2000)


def test_identifiers():
    assert tree("dc.identifier = 7209024727") == Or((Value("isbn", "7209024727"),
                                                     Value("issn", "7209024727"),
                                                     Value("id", "7209024727")))
    # a member's id is resolved to its cluster's
    assert to_tree(parse("rec.identifier = loc:2"), resolve={"loc:2": "loc:1"}.get) \
        == Value("id", "loc:1")


def test_all_records():
    assert isinstance(tree("cql.allRecords = 1"), MatchAll)


def test_quoted_terms_keep_escaped_quotes_and_booleans_as_words():
    assert parse(r'dc.title = "say \"and\" twice"').root.term == r'say \"and\" twice'
    assert tree('"and"') == Text(None, "and")


def test_prefix_assignment_names_a_context_set():
    assert tree('> x = "info:srw/cql-context-set/1/dc-v1.1" x.title = history') \
        == Text("title", "history")
    assert code('> x = "info:example/unknown" x.title = history') == 15


def test_the_syntax_tree_keeps_modifiers_and_sort_keys():
    q = parse("dc.title =/cql.masked fish sortBy dc.date/sort.descending dc.title")
    assert q.root == Clause("dc.title", "=", "fish", (Modifier("cql.masked"),))
    assert q.sort == (SortKey("dc.date", (Modifier("sort.descending"),)), SortKey("dc.title"))
    assert parse("a prox/unit=word b").root == Boolean(
        "prox", Clause(None, None, "a"), Clause(None, None, "b"),
        (Modifier("unit", "=", "word"),))


def test_classification_is_a_filter_beside_the_query():
    tree_alone, filters = to_search(parse("sheaf.class = lcc:PL"))
    assert isinstance(tree_alone, MatchAll) and filters == (("class", "lcc:PL", False),)
    assert to_search(parse("history and sheaf.class = lcc:PL")) == (
        Text(None, "history"), (("class", "lcc:PL", False),))
    assert to_search(parse("history not sheaf.class = ddc:900 and dc.date > 1990")) == (
        And((Text(None, "history"), YearRange(1991, None))), (("class", "ddc:900", True),))
    assert code("history or sheaf.class = lcc:PL") == 48
    assert code("sheaf.class = lcc:PL") == 48     # to_tree: a tree alone cannot carry it


@pytest.mark.parametrize("cql, expected", [
    ("dc.title = ", 10),                 # a term is missing
    ("a and", 10),
    ("dc.title = (a", 10),
    ("(a and b", 13),
    ("a)", 13),
    ('dc.title = "open', 14),
    ("foo.title = x", 15),               # an unknown context set
    ("dc.colour = red", 16),             # an unknown index
    ("dc.title encloses x", 19),         # a relation of CQL Sheaf does not do
    ("dc.title < x", 19),                # nor on this index
    ("dc.title =/cql.stem fish", 20),    # a relation modifier
    ('dc.title = ""', 27),
    ("dc.title = *story", 28),           # masking other than at the end
    ("dc.title = hist?ry", 28),
    ("dc.title = h*", 29),
    ("dc.title = ^history", 31),
    ('dc.title adj "hist* of"', 33),
    ("dc.date = nineties", 36),
    ('dc.date within "1990"', 36),
    ("a prox b", 37),
    ("a and/cql.rel b", 46),
])
def test_what_sheaf_cannot_do_gets_its_diagnostic(cql, expected):
    assert code(cql) == expected


def test_long_and_deep_queries_are_refused_with_their_diagnostics():
    assert code("x" * 2001) == 12
    assert code(" and ".join(["a"] * 70)) == 38
    assert code("(" * 40 + "a" + ")" * 40) == 13


@pytest.mark.parametrize("keys, expected", [
    ([], "relevance"), ([("dc.date", False)], "year"), ([("dc.date", True)], "year_asc"),
    ([("dc.title", True)], "title"), ([("dc.creator", True)], "author"),
])
def test_sort_keys_are_the_site_sorts(keys, expected):
    assert sort_for(keys) == expected


def test_sort_by_modifiers():
    assert sort_by(parse("a sortBy dc.date/sort.descending").sort) == "year"
    assert sort_by(parse("a sortBy dc.date/sort.ascending").sort) == "year_asc"
    for cql, expected in (("a sortBy dc.title/sort.descending", 90),
                          ("a sortBy dc.subject", 88), ("a sortBy dc.title dc.date", 84),
                          ("a sortBy dc.title/sort.respectCase", 91),
                          ("a sortBy dc.title/sort.missingHigh", 92)):
        with pytest.raises(CqlError) as caught:
            sort_by(parse(cql).sort)
        assert caught.value.code == expected, cql


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list('ab =<>()"/\\*?^.') + ["and ", "or ", "not ", "prox ",
                                                          "dc.title", "sortby ", "any "]),
                max_size=30))
def test_any_input_is_a_tree_or_a_diagnostic(pieces):
    text = "".join(pieces)
    try:
        tree(text)
    except CqlError as exc:
        assert isinstance(exc.code, int) and exc.code > 0
