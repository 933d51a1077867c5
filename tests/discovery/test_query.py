"""The reader's query language: parsed into a small tree, never a crash (no index needed).

What the trees find is tested in test_backend.py, over a real index.
"""

from __future__ import annotations

import unicodedata

import pytest

from discovery.errors import QueryError, QueryTooLarge
from discovery.query import (MAX_CLAUSES, MAX_QUERY_CHARS, And, MatchAll, Not, Or, Text, Value,
                             YearRange, clean, parse)


@pytest.mark.parametrize("text", ["", "   ", "\x00\x07", None])
def test_empty_query_matches_everything(text):
    assert isinstance(parse(text), MatchAll)


@pytest.mark.parametrize("text, start, end", [
    ("year:1990-2000", 1990, 2000),
    ("year:1990..2000", 1990, 2000),
    ("year:2000-1990", 1990, 2000),
    ("year:-1990", None, 1990),
    ("year:1990-", 1990, None),
    ("year:1997", 1997, 1997),
])
def test_year_ranges(text, start, end):
    assert parse(text) == YearRange(start, end)


@pytest.mark.parametrize("text", ["year:abc", "year:19x0", "year:12345", "year:1990-2000-2010",
                                  "year:-", "Taiwan year:abc"])
def test_a_value_that_is_not_a_year_is_a_query_error(text):
    with pytest.raises(QueryError, match=r"is not a year; use e\.g\. year:1997"):
        parse(text)


def test_words_are_anded_and_fields_apply_to_their_word():
    assert parse("Taiwan ti:Caoshan year:1997") == And((
        Text(None, "Taiwan"), Text("title", "Caoshan"), YearRange(1997, 1997)))


def test_isbn_is_an_exact_value_hyphens_and_all():
    assert parse("isbn:7-209-02472-7") == Value("isbn", "7-209-02472-7")


@pytest.mark.parametrize("text, field", [("au:Chen", "author"), ("su:Taiwan", "subject"),
                                         ("title:Caoshan", "title"), ("ti:Caoshan", "title")])
def test_field_aliases(text, field):
    assert parse(text) == Text(field, text.split(":", 1)[1])


@pytest.mark.parametrize("text, value", [("lang:vie", Value("language", "vie")),
                                         ("library:vn", Value("library", "vn"))])
def test_language_and_library_are_values(text, value):
    assert parse(text) == value


def test_boolean_operators_phrases_and_negation():
    assert parse('"Việt Nam" OR Hà -Nội') == Or((
        Text(None, "Việt Nam", phrase=True), And((Text(None, "Hà"), Not(Text(None, "Nội"))))))


def test_traditional_query_text_is_kept_for_the_analyzer():
    assert parse("民進黨") == Text(None, "民進黨")


def test_decomposed_vietnamese_query_is_composed():
    nfd = unicodedata.normalize("NFD", "ngoại hối")
    assert parse(nfd) == And((Text(None, "ngoại"), Text(None, "hối")))


def test_leading_wildcards_are_dropped_and_trailing_star_is_a_prefix():
    assert parse("*foo") == Text(None, "foo")
    assert parse("libr*") == Text(None, "libr", prefix=True)


@pytest.mark.parametrize("text", ["title:(foo", '"unclosed', "AND", "(((", "foo:bar:baz",
                                  "title:[a TO", "^~!", "-", ")", "NOT", "a OR", "title:",
                                  "x" * MAX_QUERY_CHARS, "a " * MAX_CLAUSES])
def test_syntax_a_reader_gets_wrong_never_raises(text):
    parse(text)


def test_clean_normalizes():
    assert clean("  Vie\u0302\u0323t \t Nam\n") == "Việt Nam"
    assert clean(None) == ""


@pytest.mark.parametrize("text, limit, value", [
    ("x" * (MAX_QUERY_CHARS + 1), "chars", MAX_QUERY_CHARS),
    (" ".join(f"w{i}" for i in range(MAX_CLAUSES + 1)), "words", MAX_CLAUSES),
    (" OR ".join(f'"w{i}"' for i in range(MAX_CLAUSES + 1)), "words", MAX_CLAUSES),
])
def test_a_query_past_the_parser_s_ceilings_is_refused_not_cut(text, limit, value):
    """Review of issue 17: past 64 words the parser dropped the rest without a word, and
    past 1,000 characters it cut the query; with the budget's settings raised above them
    a reader searched for less than was typed. Now a QueryTooLarge (a 400) says so."""
    with pytest.raises(QueryTooLarge) as refused:
        parse(text)
    assert (refused.value.limit, refused.value.value) == (limit, value)


def test_the_words_cap_is_the_one_the_reader_is_given():
    """The parser counts against ``max_words`` (the ``max_query_words`` setting) when it
    is lower, so the message names the setting's number, not the parser's ceiling."""
    words = " ".join(f"w{i}" for i in range(40))
    with pytest.raises(QueryTooLarge) as refused:
        parse(words, max_words=32)
    assert refused.value.value == 32
    tree = parse(words, max_words=40)
    assert isinstance(tree, And) and len(tree.items) == 40   # every word kept


def test_parentheses_nested_too_deep_are_a_query_error_not_a_recursion_error():
    """Fuzzing found ``((((…history`` (1,000 deep) ran the parser into RecursionError: a 500."""
    from discovery.query import MAX_DEPTH
    assert parse("(" * MAX_DEPTH + "history") == Text(None, "history")
    with pytest.raises(QueryError, match="nested deeper than 32"):
        parse("(" * (MAX_DEPTH + 1) + "history")
    with pytest.raises(QueryError, match="nested deeper"):
        parse("title:" + "(" * 900 + "history")
