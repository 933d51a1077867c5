"""The Whoosh schema: one document per cluster, its fields as :mod:`indexer.fields` declares."""

from __future__ import annotations

from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh import columns

from indexer.analysis import (ValueList, cjk_analyzer, main_analyzer, pinyin_analyzer,
                              stem_analyzer)
from indexer.document import FACET_SEPARATOR
from indexer.fields import INDEX_FIELDS, IndexField

from .analysis import SheafAnalyzer
from .codec import SheafCodec

# 14: the analyzers behind one adapter (discovery.engines.whoosh.analysis.SheafAnalyzer)
SCHEMA_LAYOUT = 14

# Facets only ever read as arrays (discovery.engines.whoosh.facets): a column each, no terms
COLUMN_FACETS = tuple(f.name for f in INDEX_FIELDS if f.analysis == "values")
# Keys looked up one at a time through hashed key files (keyfiles), no terms
KEY_FIELDS = tuple(f.name for f in INDEX_FIELDS if f.analysis == "keys")
# Facet fields (values separated by FACET_SEPARATOR) and plain keyword fields.
FACET_FIELDS = ("source", "language", "format") + COLUMN_FACETS


def versions() -> dict:
    """The engine's part of what an index must have been built with."""
    return {"engine": "whoosh", "whoosh_schema": SCHEMA_LAYOUT}


# Segments stay as separate files. Whoosh reads a sub-file of a compound
# segment by copying it into memory, which made a search worker hold most of a
# 1.8 GB index in its own memory; separate files are memory-mapped instead.
COMPOUND = False


def make_codec() -> SheafCodec:
    """The codec every writer uses (see :mod:`discovery.engines.whoosh.codec`)."""
    return SheafCodec()


def _keyword_field(lowercase: bool = False, pattern: str = r"[^ \t\r\n]+") -> KEYWORD:
    """A keyword field: values separated by white space (Whoosh's KEYWORD's own rule)."""
    field = KEYWORD(scorable=False)
    field.analyzer = SheafAnalyzer(ValueList(pattern, lowercase=lowercase))
    return field


def _id_field(**kwargs) -> ID:
    """An ID field (the whole value is the term), analyzed by a span analyzer: the segment
    writer's fast path, where Whoosh's own tokenizer took 0.3 s of the 10k LC build."""
    field = ID(**kwargs)
    field.analyzer = SheafAnalyzer(ValueList(r"(?s).+"))
    return field


class ValuesColumn(COLUMN):
    """Values read only as arrays, never searched as terms: the document's values
    (joined by FACET_SEPARATOR) kept in a column.

    For the subject, author and class facets, filters and counts use the
    facet files each rebuild writes beside its segments; for the title keys,
    lookups use its hashed key files (:mod:`indexer.keyfiles`). A segment
    without them (one an update or a merge wrote) has them made from this
    column. As terms, the three facets cost 3% of a rebuild, for terms
    nothing searched, and the title keys 5%.
    """

    def __init__(self):
        super().__init__(columns.VarBytesColumn())

    def to_column_value(self, value):
        return value.encode("utf-8") if isinstance(value, str) else value

    @staticmethod
    def values(value) -> list[str]:
        """A document's distinct values, in their order."""
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        return list(dict.fromkeys(v for v in value.split(FACET_SEPARATOR) if v))


_TEXT = {"words": lambda: main_analyzer(), "words+compounds": lambda: main_analyzer(compounds=True),
         "ngrams": cjk_analyzer, "pinyin": pinyin_analyzer, "stem": stem_analyzer}


def _field(f: IndexField):
    """The Whoosh field of one declared field."""
    if f.analysis in _TEXT:
        return TEXT(analyzer=SheafAnalyzer(_TEXT[f.analysis]()), phrase=f.phrase)
    if f.analysis == "id":
        return _id_field(stored=f.stored, unique=f.name == "id")
    if f.analysis == "keyword":
        return _keyword_field()
    if f.analysis == "keyword-lower":
        return _keyword_field(lowercase=True)
    if f.analysis == "year":
        # year ranges are searched: four trie terms a document (Whoosh's default
        # shift step of 4 gives eight); the column serves sorting and facets
        return NUMERIC(int, bits=32, signed=True, sortable=True, shift_step=8)
    if f.analysis == "number":   # only sorted and read as arrays: a column, no terms
        return COLUMN(columns.NumericColumn("Q" if f.wide else "I", default=0))
    if f.analysis in ("values", "keys"):
        return ValuesColumn()
    if f.analysis in ("sort-key", "shelf-key"):   # (a shelf's ranges: NumPy over its column)
        return COLUMN(columns.VarBytesColumn())
    if f.analysis == "stored":
        return STORED
    raise ValueError(f"field {f.name}: no Whoosh field for analysis {f.analysis!r}")


def build_schema() -> Schema:
    return Schema(**{f.name: _field(f) for f in INDEX_FIELDS})
