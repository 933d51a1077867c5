"""The Whoosh schema and the turning of a mapped record into an index document."""

from __future__ import annotations

import re

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from . import mapping
from .codec import SheafCodec
from .analysis import (ANALYSIS_VERSION, HAN_CLASS, HAN_RUN, KANA_HANGUL_CLASS, cjk_analyzer, main_analyzer, pinyin_analyzer,
                       stem_analyzer)

SCHEMA_LAYOUT = 2


def versions() -> dict:
    """What an index must have been built with to be usable as it is."""
    return {"schema": SCHEMA_LAYOUT, "analysis": ANALYSIS_VERSION,
            "mapping": mapping.MAPPING_VERSION}


# Word fields searched by a plain query, with their weights in BM25F scoring:
# title above author, author above subject, subject above everything else.
FIELD_WEIGHTS = {"title": 4.0, "author": 3.0, "subject": 2.0, "publisher": 1.0, "all": 1.0}
# Recall fields: CJK n-grams, pinyin and English stems, each below its word field.
NGRAM_WEIGHTS = {"title_cjk": 2.0, "cjk": 1.0}
PINYIN_WEIGHT = 1.5
STEM_WEIGHT = 1.0


def make_codec() -> SheafCodec:
    """The codec every writer uses (see :mod:`indexer.codec`)."""
    return SheafCodec()


def build_schema() -> Schema:
    words = main_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),
        title=TEXT(analyzer=main_analyzer(compounds=True), phrase=True),
        author=TEXT(analyzer=words, phrase=True),
        subject=TEXT(analyzer=words, phrase=True),
        publisher=TEXT(analyzer=words, phrase=True),
        all=TEXT(analyzer=words, phrase=True),
        title_cjk=TEXT(analyzer=cjk_analyzer(), phrase=True),
        cjk=TEXT(analyzer=cjk_analyzer(), phrase=True),
        pinyin=TEXT(analyzer=pinyin_analyzer(), phrase=True),
        stem=TEXT(analyzer=stem_analyzer(), phrase=False),
        year=NUMERIC(int, bits=32, signed=True, sortable=True),
        language=KEYWORD(lowercase=True),
        isbn=KEYWORD,
        display=STORED,
    )


HAN_OR_KANA = re.compile(f"[{HAN_CLASS}{KANA_HANGUL_CLASS}]")


def _join(*parts) -> str:
    values = []
    for part in parts:
        if isinstance(part, str):
            values.append(part)
        elif part:
            values.extend(str(p) for p in part)
    return "\n".join(v for v in values if v)


def _english(mapped: dict) -> bool:
    languages = mapped.get("languages") or []
    return not languages or "eng" in languages


def make_document(source: str, local_id: str, mapped: dict) -> dict:
    """Index fields for one mapped record of one member library."""
    titles = _join(mapped.get("title"), mapped.get("title_vernacular"), mapped.get("title_alt"))
    authors = _join(mapped.get("authors"), mapped.get("authors_vernacular"))
    subjects = _join(mapped.get("subjects"))
    publishers = _join(mapped.get("publishers"))
    isbns = mapped.get("isbns", [])
    doc = {
        "id": f"{source}:{local_id}",
        "source": source,
        "title": titles,
        "author": authors,
        "subject": subjects,
        "publisher": publishers,
        "language": " ".join(mapped.get("languages", [])),
        "isbn": " ".join(isbns),
        # the text with no field of its own: a plain query searches every text
        # field, so repeating titles and names here would only double the postings
        "title_cjk": titles if HAN_OR_KANA.search(titles) else "",
        "cjk": _join(authors, subjects) if HAN_OR_KANA.search(authors + subjects) else "",
        "pinyin": _join(titles, authors) if HAN_RUN.search(titles + authors) else "",
        # English stems: subject headings (English in MARC 21 catalogs) and the
        # titles of English-language records; stemming other languages' words
        # with Porter's rules would only blur them
        "stem": _join(titles if _english(mapped) else None, subjects),
        "all": _join(mapped.get("responsibility"), mapped.get("places"), mapped.get("notes"), isbns,
                     [str(mapped["year"])] if mapped.get("year") else None),
        "display": {
            "title": mapped.get("title") or mapped.get("title_vernacular") or "",
            "title_vernacular": mapped.get("title_vernacular"),
            "authors": mapped.get("authors", []),
            "authors_vernacular": mapped.get("authors_vernacular", []),
            "year": mapped.get("year"),
            "languages": mapped.get("languages", []),
            "publishers": mapped.get("publishers", []),
            "local_id": local_id,
        },
    }
    if mapped.get("year") is not None:
        doc["year"] = mapped["year"]
    return {k: v for k, v in doc.items() if v != ""}
