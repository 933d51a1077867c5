"""One declaration of fields (indexer.fields): documents, the engine's schema, the query
language and the site all read it, so a field cannot be added in one place only."""

from __future__ import annotations

from harvest.marcfile import read_file
from indexer import fields
from indexer.document import Member, document_for
from indexer.mapping import map_stored

from ..support import FIXTURES


def _documents():
    # 50 LC records in many languages, a CNMARC serial with an ISSN, and Dewey call numbers
    records = [rec for name in ("multilingual_lc_50.mrc", "cnmarc_utf8.mrc",
                                "umich_852_lcc_and_dewey.mrc")
               for rec in read_file(FIXTURES / name, None, on_reject=print)]
    assert len(records) > 50
    for rec in records:
        rid = f"m:{rec.local_id}"
        mapped = map_stored(rec.data, rec.format, source="m", local_id=rec.local_id,
                            on_warning=lambda message: None)
        yield document_for(rid, [Member(rid, "m", mapped, "2024-05-01T12:00:00Z")],
                           {"m": "Member"})


def test_documents_hold_exactly_the_declared_fields():
    declared = {f.name for f in fields.INDEX_FIELDS}
    seen = set()
    for doc in _documents():
        assert set(doc) <= declared, set(doc) - declared
        seen |= {name for name, value in doc.items() if value}
    # every declared field is filled by some record of a real LC sample
    assert seen == declared, declared - seen


def test_the_whoosh_schema_is_the_declaration():
    from discovery.engines.whoosh.schema import build_schema

    schema = build_schema()
    assert set(schema.names()) == {f.name for f in fields.INDEX_FIELDS}
    for f in fields.INDEX_FIELDS:
        if f.phrase:
            assert schema[f.name].format.supports("positions"), f.name


def test_query_prefixes_name_search_fields_and_their_aliases():
    from discovery.query import Text, Value, parse

    assert parse("ti:taiwan") == parse("title:taiwan") == Text("title", "taiwan")
    assert parse("au:chen") == Text("author", "chen")
    assert parse("lang:vie") == Value("language", "vie")
    assert parse("source:lc") == Value("library", "lc")
    assert set(fields.QUERY_PREFIXES.values()) == {f.name for f in fields.SEARCH_FIELDS} - {"all"}


def test_a_search_field_that_names_no_index_field_is_refused():
    import dataclasses

    import pytest

    broken = dataclasses.replace(fields.SEARCH_BY_NAME["title"], words=("titel",))
    original = fields.SEARCH_FIELDS
    try:
        fields.SEARCH_FIELDS = original + (broken,)
        with pytest.raises(ValueError, match="no index field 'titel'"):
            fields._check()
    finally:
        fields.SEARCH_FIELDS = original
