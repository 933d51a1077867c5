"""The SolrCloud engine's own parts, against the real local cluster (scripts/solr.sh):
pre-analysed documents, the schema from the declaration of fields, collections as
generations behind an alias, and an update read back like a rebuild."""

from __future__ import annotations

import json

from lxml import etree

from discovery.engines import open_index, open_search
from discovery.engines.solr.client import SolrClient
from discovery.engines.solr.documents import ANALYZERS, pre_analysed
from discovery.engines.solr.index import collection_of
from discovery.engines.solr.schema import schema_xml
from harvest.config import Home, Source
from harvest.importer import import_files
from harvest.store import RecordStore
from indexer import build, fields
from indexer.generations import IndexDir
from web import create_app

from ... import readback
from ...engines import SOLR_URL, use_engine
from ...support import FIXTURES


def test_text_is_sent_as_sheafs_tokens_with_utf16_offsets():
    # 𠮷 (U+20BB7, a character of Japanese and Chinese names) is outside the Basic
    # Multilingual Plane: two UTF-16 units. Vietnamese: folded twins and the compound
    # stacked on their word (increment 0)
    tokens = json.loads(pre_analysed(ANALYZERS["words+compounds"], "𠮷野家 Hà Nội"))["tokens"]
    assert tokens == [
        {"t": "𠮷", "s": 0, "e": 2, "i": 1}, {"t": "野家", "s": 2, "e": 4, "i": 1},
        {"t": "hà", "s": 5, "e": 7, "i": 1}, {"t": "~ha", "s": 5, "e": 7, "i": 0},
        {"t": "hà_nội", "s": 5, "e": 11, "i": 0}, {"t": "~ha_noi", "s": 5, "e": 11, "i": 0},
        {"t": "nội", "s": 8, "e": 11, "i": 1}, {"t": "~noi", "s": 8, "e": 11, "i": 0}]
    assert pre_analysed(ANALYZERS["pinyin"], "Hanoi") is None   # no Han: no pinyin tokens


def test_the_schema_declares_every_field_once_and_parses_safely():
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(schema_xml().encode("utf-8"), parser)
    names = [f.get("name") for f in root.iter("field")]
    assert sorted(n for n in names if not n.startswith("_")) == \
        sorted(f.name for f in fields.INDEX_FIELDS)
    assert len(names) == len(set(names))
    text = {f.get("name") for f in root.iter("field") if f.get("type") == "sheaf_tokens"}
    assert text == {f.name for f in fields.INDEX_FIELDS
                    if f.analysis in ("words", "words+compounds", "ngrams", "pinyin", "stem")}


def _home(tmp_path, solr_cloud, name="home"):
    """A home of one member library on the session's SolrCloud."""
    home = Home.init(tmp_path / name)
    home.add_source(Source(code="m", name="Member", kind="marc",
                           path=str(FIXTURES / "chinese_880_traditional.mrc")))
    return use_engine(home, "solr", solr_cloud)


def test_generations_are_collections_behind_the_alias(tmp_path, solr_cloud):
    home = _home(tmp_path, solr_cloud)
    client = SolrClient(SOLR_URL, 60)
    alias = home.settings["solr_alias"]
    made = []
    with RecordStore(home.store_path) as store:
        import_files(home, store, "m", [str(FIXTURES / "chinese_880_traditional.mrc")])
        for _ in range(3):
            build.rebuild(home, store, open_index(home))
            made.append(collection_of(IndexDir(home.index_path).current().path))
            assert client.aliases()[alias] == made[-1]
    names = set(client.collection_names())
    # the live one and the one it replaced stay; the first was dropped with its generation
    assert made[2] in names and made[1] in names and made[0] not in names
    assert len(set(made)) == 3


def test_an_update_reads_back_as_a_rebuild_of_the_same_store(tmp_path, solr_cloud):
    live = _home(tmp_path, solr_cloud, "live")
    twin = _home(tmp_path, solr_cloud, "twin")
    with RecordStore(live.store_path) as store:
        import_files(live, store, "m", [str(FIXTURES / "chinese_880_traditional.mrc")])
        build.rebuild(live, store, open_index(live))
        import_files(live, store, "m", [str(FIXTURES / "chinese_880_simplified.mrc"),
                                        str(FIXTURES / "vietnamese_nfd_titles.mrc")])
        report = build.update(live, store, open_index(live))
        assert report.clusters > 0 and not report.rebuilt
    with RecordStore(twin.store_path) as store:
        import_files(twin, store, "m", [str(FIXTURES / "chinese_880_traditional.mrc"),
                                        str(FIXTURES / "chinese_880_simplified.mrc"),
                                        str(FIXTURES / "vietnamese_nfd_titles.mrc")])
        build.rebuild(twin, store, open_index(twin))
    queries, filters = ["", "Taiwan", "台灣", "ha noi", "lịch sử"], ["language:vie", "library:m"]
    pictures = []
    for home in (live, twin):
        app = create_app({"SHEAF_HOME": str(home.path), "TESTING": True})
        try:
            pictures.append(readback.picture(readback.ClientReader(app.test_client()),
                                             queries, filters, ["tai", "ha"]))
        finally:
            app.extensions["sheaf.search"].close()
    assert pictures[0]["search"]["''"]["total"] > 10
    assert readback.differences(*pictures) == []
    # and the engine counts what the probe and the site count
    search = open_search(live)
    try:
        assert search.document_count() == pictures[0]["search"]["''"]["total"]
    finally:
        search.close()
