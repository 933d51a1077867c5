"""The Whoosh adapter of Sheaf's analyzers (discovery.engines.whoosh.analysis): Whoosh's
writer, queries and highlighting see the same tokens the engine-neutral analyzers give."""

from __future__ import annotations

import pickle

import pytest
from whoosh.analysis import IDTokenizer

from discovery.engines.whoosh.analysis import SheafAnalyzer
from discovery.engines.whoosh.schema import build_schema
from indexer.analysis import cjk_analyzer, main_analyzer, pinyin_analyzer, stem_analyzer

# 880 $a of LC 00409592 (tests/fixtures/chinese_880_traditional.mrc), with U+3000
TAIWAN_OPPOSITION = "台灣\u3000的\u3000新反對\u3000運動"


@pytest.mark.parametrize("make", [main_analyzer, cjk_analyzer, pinyin_analyzer, stem_analyzer],
                         ids=["words", "cjk", "pinyin", "stem"])
def test_whoosh_tokens_are_the_analyzers_spans(make):
    adapter = SheafAnalyzer(make())
    for mode in ("index", "query"):
        tokens = [(t.text, t.pos, t.startchar, t.endchar)
                  for t in adapter(TAIWAN_OPPOSITION + " Việt Nam", positions=True, chars=True,
                                   mode=mode)]
        assert tokens == [tuple(s) for s in make().analyze(TAIWAN_OPPOSITION + " Việt Nam",
                                                           mode=mode)]
        assert tokens  # every analyzer has something to say about this text


def test_positions_count_words_from_start_pos():
    # Whoosh gives the second value of a multi-valued field a start position
    adapter = SheafAnalyzer(main_analyzer())
    assert [(t.text, t.pos) for t in adapter("Jiayi Beihui 二二八事件", positions=True,
                                             start_pos=10, mode="query")] == [
        ("jiayi", 10), ("beihui", 11), ("二二八", 12), ("事件", 13)]


def test_every_text_field_of_the_schema_is_pickled_through_the_adapter():
    schema, fresh = pickle.loads(pickle.dumps(build_schema())), build_schema()
    for name in ("title", "author", "cjk", "pinyin", "stem", "source", "id"):
        assert isinstance(schema[name].analyzer, SheafAnalyzer), name
        assert schema[name].analyzer == fresh[name].analyzer, name
    assert schema["title"].analyzer != schema["author"].analyzer   # compounds in titles only


@pytest.mark.parametrize("value", ["loc:00409616", "book", "a value with spaces", "two\nlines",
                                   "  padded  ", "紅樓夢"])
def test_id_fields_index_the_whole_value_as_whooshs_id_tokenizer_does(value):
    field = build_schema()["id"]
    assert [t.text for t in field.analyzer(value)] == [t.text for t in IDTokenizer()(value)]
    assert list(field.analyzer.term_positions(value)) == [value]
    assert list(field.index(value)) == [(value.encode("utf-8"), 1, 1.0, b"")]
