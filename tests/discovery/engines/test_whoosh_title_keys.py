"""Exact-title and title-start keys: hashed key files beside each segment, looked up
as a Whoosh query (discovery.whoosh_keys), for rebuilt and updated segments alike."""

from __future__ import annotations

import re

import pytest

from discovery.engines import open_search
from discovery.results import SearchRequest
from discovery.engines.whoosh.keys import KeyQuery, from_column, segment_keys
from harvest.config import Home, Source
from discovery.engines.whoosh import keyfiles
from indexer.document import main_title, title_match_key
from indexer.generations import IndexDir
from discovery.engines.whoosh.index import open_index as open_whoosh

from ...support import FIXTURES, rebuild_then_update


def _displays(reader) -> dict[int, dict]:
    return {docnum: fields["display"] for docnum, fields in reader.iter_docs()}


def test_the_rebuild_writes_each_segments_keys_as_its_column_holds_them(whoosh_home):
    gen = IndexDir(whoosh_home.index_path).current()
    with open_whoosh(gen.path).reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            written = keyfiles.read(gen.path, leaf.segment().segment_id(), "title_keys")
            assert written is not None
            hashes, docs = from_column(leaf, "title_keys")
            assert len(hashes) > leaf.doc_count()   # at least "=" and "^" keys a title
            assert (written[0] == hashes).all() and (written[1] == docs).all()


def test_every_record_is_found_by_its_whole_title_and_its_first_word(whoosh_home):
    gen = IndexDir(whoosh_home.index_path).current()
    with open_whoosh(gen.path).reader() as reader:
        for docnum, display in _displays(reader).items():
            key = title_match_key(display["title"])
            assert docnum in KeyQuery("title_keys", "=" + key).leaf_docs(reader)
            assert docnum in KeyQuery("title_keys", "^" + key.split()[0]).leaf_docs(reader)
            assert docnum not in KeyQuery("title_keys", "=" + key + " zzz").leaf_docs(reader)


@pytest.fixture(scope="module")
def backend(whoosh_home):
    b = open_search(whoosh_home)
    yield b
    b.close()


def test_a_title_typed_in_full_scores_the_exact_title_boost(backend):
    from whoosh import query as wq

    from discovery.ranking import EXACT_TITLE_BOOST
    from discovery.engines.whoosh.query import to_whoosh
    from discovery.query import parse

    searcher = backend.engine.searcher()
    tried = 0
    for docnum, display in list(_displays(searcher.reader()).items())[:80]:
        title = main_title(display["title"])
        if len(title.split()) < 3 or not re.fullmatch(r"[^\W_]+(?: [^\W_]+)*", title):
            continue   # words only: no query syntax
        compiled = to_whoosh(backend.engine._compiler.compile(parse(title)))
        assert isinstance(compiled, wq.AndMaybe)
        boosted = {h.docnum: h.score for h in searcher.search(compiled, limit=None)}
        plain = {h.docnum: h.score for h in searcher.search(compiled.a, limit=None)}
        extra = {d: boosted[d] - plain[d] for d in plain}
        exact = {d for d, e in extra.items() if e >= EXACT_TITLE_BOOST - 1e-6}
        assert docnum in exact, title
        for d in exact:   # only records with that title (or title proper)
            other = _displays(searcher.reader())[d]["title"]
            assert title_match_key(title) in (title_match_key(other),
                                              title_match_key(main_title(other))), other
        top = backend.search(SearchRequest(query=title, limit=1)).hits[0]
        assert title_match_key(main_title(top.title)) == title_match_key(title), title
        tried += 1
    assert tried >= 10


def test_a_han_fragment_scores_its_share_of_the_title_proper(backend):
    # issue 16: among the titles a Han fragment is part of, the one it is the larger
    # share of comes first (discovery.ranking.share_boosts over the #n keys)
    from discovery.engines.whoosh.query import to_whoosh
    from discovery.query import parse
    from discovery.ranking import (EXACT_TITLE_BOOST, SHARE_BOOST, SHARE_MAX_TIMES,
                                   TITLE_START_BOOST)
    from indexer.segmenters import HAN_RUN

    searcher = backend.engine.searcher()
    displays = _displays(searcher.reader())
    han = {d: "".join(HAN_RUN.findall(main_title(v["title_vernacular"])))
           for d, v in displays.items() if v.get("title_vernacular")
           and HAN_RUN.search(main_title(v["title_vernacular"]))}
    for docnum, proper in han.items():
        assert docnum in KeyQuery("title_keys", f"#{len(proper)}").leaf_docs(searcher.reader())
    others = (0.0, TITLE_START_BOOST, EXACT_TITLE_BOOST, EXACT_TITLE_BOOST + TITLE_START_BOOST)
    tried = shared = 0
    for docnum, proper in list(han.items())[:40]:
        run = max(HAN_RUN.findall(main_title(displays[docnum]["title_vernacular"])), key=len)
        if len(run) < 6:
            continue
        fragment = run[2:4]
        compiled = to_whoosh(backend.engine._compiler.compile(parse(fragment)))
        boosted = {h.docnum: h.score for h in searcher.search(compiled, limit=None)}
        plain = {h.docnum: h.score for h in searcher.search(compiled.a, limit=None)}
        assert docnum in plain, fragment
        for d in plain:
            if d in han and fragment in han[d]:
                share = SHARE_BOOST * len(fragment) / len(han[d]) \
                    if len(han[d]) <= SHARE_MAX_TIMES * len(fragment) else 0.0
                assert any(abs(boosted[d] - plain[d] - share - o) < 1e-3 for o in others), \
                    (fragment, displays[d]["title_vernacular"], boosted[d] - plain[d], share)
        tried += 1
        shared += sum(d in han and fragment in han[d] and boosted[d] > plain[d] for d in plain)
    assert tried >= 5 and shared >= 5


def test_an_updated_segment_has_its_keys_made_from_its_column(tmp_path):
    home = Home.init(tmp_path / "home")
    home.add_source(Source(code="m", name="Member", kind="marc",
                           path=str(FIXTURES / "chinese_880_traditional.mrc")))
    rebuild_then_update(home)
    gen = IndexDir(home.index_path).current()
    with open_whoosh(gen.path).reader() as reader:
        leaves = [leaf for leaf, _o in reader.leaf_readers()]
        updated = [leaf for leaf in leaves
                   if keyfiles.read(gen.path, leaf.segment().segment_id(), "title_keys") is None]
        assert updated
        for leaf in updated:
            for docnum, display in _displays(leaf).items():
                key = "=" + title_match_key(display["title"])
                assert docnum in KeyQuery("title_keys", key).leaf_docs(leaf)
            # made once, then saved beside the segment for every other process
            hashes, docs = segment_keys(leaf, "title_keys")
            saved = keyfiles.read(gen.path, leaf.segment().segment_id(), "title_keys")
            assert saved is not None and (saved[0] == hashes).all() and (saved[1] == docs).all()
