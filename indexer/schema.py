"""The Whoosh schema: one document per cluster (see :mod:`indexer.document`)."""

from __future__ import annotations

from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh import columns

from . import mapping
from .analysis import (ANALYSIS_VERSION, ValueList, cjk_analyzer, main_analyzer,
                       pinyin_analyzer, stem_analyzer)
from .cluster import CLUSTER_VERSION
from .codec import SheafCodec
from .document import FACET_SEPARATOR

SCHEMA_LAYOUT = 13


def versions() -> dict:
    """What an index must have been built with to be usable as it is."""
    return {"schema": SCHEMA_LAYOUT, "analysis": ANALYSIS_VERSION,
            "mapping": mapping.MAPPING_VERSION, "clusters": CLUSTER_VERSION}


# Word fields searched by a plain query, with their weights in BM25F scoring:
# title above author, author above subject, subject above everything else;
# the title proper (245a, "title") above the rest of the title ("title_rest").
FIELD_WEIGHTS = {"title": 5.0, "title_rest": 4.0, "author": 3.0, "subject": 2.0,
                 "publisher": 1.0, "all": 1.0}
# Recall fields: CJK n-grams, pinyin and English stems, each below its word field.
NGRAM_WEIGHTS = {"title_cjk": 2.0, "cjk": 1.0}
PINYIN_WEIGHT = 1.5
STEM_WEIGHT = 1.0
# Facet fields (values separated by FACET_SEPARATOR) and plain keyword fields.
FACET_FIELDS = ("source", "language", "format", "subject_facet", "author_facet", "class_facet")
# Facets only ever read as arrays (discovery.whoosh_facets): a column each, no terms
COLUMN_FACETS = ("subject_facet", "author_facet", "class_facet")
# Keys looked up one at a time through hashed key files (indexer.keyfiles), no terms
KEY_FIELDS = ("title_keys",)


# Segments stay as separate files. Whoosh reads a sub-file of a compound
# segment by copying it into memory, which made a search worker hold most of a
# 1.8 GB index in its own memory; separate files are memory-mapped instead.
COMPOUND = False


def make_codec() -> SheafCodec:
    """The codec every writer uses (see :mod:`indexer.codec`)."""
    return SheafCodec()


def _keyword_field(lowercase: bool = False, pattern: str = r"[^ \t\r\n]+") -> KEYWORD:
    """A keyword field: values separated by white space (Whoosh's KEYWORD's own rule)."""
    field = KEYWORD(scorable=False)
    field.analyzer = ValueList(pattern, lowercase=lowercase)
    return field


def _id_field(**kwargs) -> ID:
    """An ID field (the whole value is the term), analyzed by a span analyzer: the segment
    writer's fast path, where Whoosh's own tokenizer took 0.3 s of the 10k LC build."""
    field = ID(**kwargs)
    field.analyzer = ValueList(r"(?s).+")
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


def build_schema() -> Schema:
    words = main_analyzer()
    return Schema(
        id=_id_field(stored=True, unique=True),
        source=_keyword_field(),
        title=TEXT(analyzer=main_analyzer(compounds=True), phrase=True),
        title_rest=TEXT(analyzer=main_analyzer(compounds=True), phrase=True),
        author=TEXT(analyzer=words, phrase=True),
        subject=TEXT(analyzer=words, phrase=True),
        publisher=TEXT(analyzer=words, phrase=True),
        all=TEXT(analyzer=words, phrase=True),
        title_cjk=TEXT(analyzer=cjk_analyzer(), phrase=True),
        cjk=TEXT(analyzer=cjk_analyzer(), phrase=True),
        pinyin=TEXT(analyzer=pinyin_analyzer(), phrase=True),
        stem=TEXT(analyzer=stem_analyzer(), phrase=False),
        title_keys=ValuesColumn(),
        # year ranges are searched: four trie terms a document (Whoosh's default
        # shift step of 4 gives eight); the column serves sorting and facets
        year=NUMERIC(int, bits=32, signed=True, sortable=True, shift_step=8),
        # only sorted and read as arrays, never searched: columns without terms
        holdings=COLUMN(columns.NumericColumn("I", default=0)),
        added=COLUMN(columns.NumericColumn("Q", default=0)),
        language=_keyword_field(lowercase=True),
        format=_id_field(),
        isbn=_keyword_field(),
        issn=_keyword_field(),
        subject_facet=ValuesColumn(),
        author_facet=ValuesColumn(),
        class_facet=ValuesColumn(),
        sort_title=COLUMN(columns.VarBytesColumn()),
        sort_author=COLUMN(columns.VarBytesColumn()),
        display=STORED,
    )
