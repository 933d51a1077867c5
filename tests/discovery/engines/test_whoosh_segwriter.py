"""SegmentBuilder writes the segment Whoosh's own SegmentWriter writes, but for two things.

* A term in one document has its posting inlined in its term info (Whoosh's
  writer means to, with ``inlinelimit``, but cannot).
* Its posting data is pickled in protocol 3 (Whoosh's in 2), and it shares
  one bytes object among equal position lists, so its pickles refer back
  to an earlier copy where Whoosh's repeat it.

So every file but the term index and postings is compared byte for byte;
every term's statistics and postings are compared through Whoosh's
reader; and the posting lists of terms in several documents are compared
block by block after unpickling.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from harvest.marcfile import read_file
from discovery.engines.whoosh.codec import SheafCodec
from indexer.document import Member, document_for
from indexer.mapping import map_stored
from discovery.engines.whoosh.schema import build_schema
from discovery.engines.whoosh.segwriter import SegmentBuilder

ENTRY = struct.Struct("!ii")
TERMINFO = struct.Struct("!BfIBBfII")
EXTENT = struct.Struct("!qi")

DEMO = Path(__file__).resolve().parents[3] / "demo"


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    docs = []
    for name in ("hanlib.mrc", "vnlib.mrc", "intl.mrc"):
        source = name.split(".")[0]
        for i, raw in enumerate(read_file(DEMO / name, "marc21", lambda problem: None)):
            if i >= 150:
                break
            mapped = map_stored(raw.data, raw.format, source=source, local_id=raw.local_id)
            member = Member(f"{source}:{raw.local_id}", source, mapped, "2026-01-02T03:04:05Z")
            docs.append(document_for(f"c{source}{i}", [member], {source: source.upper()}))
    return docs


def _segment(tmp: Path, writer_class, docs: list[dict], codec: SheafCodec) -> tuple:
    """The segment's files by extension, and the index it was committed to."""
    tmp.mkdir()
    ix = whoosh_index.create_in(str(tmp), build_schema())
    writer = writer_class(ix, _lk=False, codec=codec, compound=False)
    for doc in docs:
        writer.add_document(**doc)
    segment = writer._finalize_segment()
    writer._close_segment()
    writer._commit_toc([segment])
    writer._finish()
    prefix = segment.segment_id()
    files = {p.name[len(prefix):]: p.read_bytes() for p in tmp.iterdir()
             if p.name.startswith(prefix)}
    return files, whoosh_index.open_dir(str(tmp))


def _postings(ix) -> dict:
    """(field, term) -> (term statistics, [(docnum, weight, value)]) through Whoosh's reader."""
    out = {}
    with ix.reader() as reader:
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                     info.max_weight(), info.min_id(), info.max_id())
            matcher = reader.postings(field, term)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value() or None))
                matcher.next()
            out[field, term] = (stats, items)
    return out


@pytest.mark.parametrize("codec", [
    SheafCodec(),                                 # the codec every build uses
    SheafCodec(blocklimit=3, compression=3),      # several blocks a term, compressed
], ids=["sheaf-codec", "small-compressed-blocks"])
def test_segments_are_whooshs(tmp_path, documents, codec):
    assert len(documents) > 300
    theirs, their_ix = _segment(tmp_path / "whoosh", SegmentWriter, documents, codec)
    ours, our_ix = _segment(tmp_path / "sheaf", SegmentBuilder, documents, codec)
    assert {".trm", ".pst"} <= set(theirs)
    # both term indexes hash with CRC-32 (hash type 1, after the magic bytes), and every
    # term is found through the hash by the reader below
    assert ours[".trm"][4] == theirs[".trm"][4] == 1
    assert sorted(ours) == sorted(theirs)
    for ext in theirs:
        if ext not in (".trm", ".pst"):
            assert ours[ext] == theirs[ext], f"segment file {ext} differs"
    with their_ix.reader() as their_reader, our_ix.reader() as our_reader:
        # total field lengths are kept in the table of contents, not a segment file
        assert dict(our_reader.segment()._fieldlengths) == dict(their_reader.segment()._fieldlengths)
        assert list(our_reader.segment()._fieldlengths) == list(their_reader.segment()._fieldlengths)
    their_postings = _postings(their_ix)
    assert len(their_postings) > 1000
    assert _postings(our_ix) == their_postings
    our_lists, inlined = _lists(ours)
    their_lists, _none = _lists(theirs)
    assert inlined > len(their_postings) / 2                  # most terms are in one record
    names = sorted({field for field, _term in their_postings})   # numbered in name order
    assert our_lists == {(number, term): blocks for (number, term), blocks in their_lists.items()
                         if len(their_postings[names[number], term][1]) > 1}
    assert len(our_lists) > 100
    assert len(ours[".pst"]) < len(theirs[".pst"])


def _lists(files: dict) -> tuple[dict, int]:
    """(field number, term) -> the blocks of its posting list, for terms not inlined;
    and how many terms were inlined."""
    trm, pst = files[".trm"], files[".pst"]
    pos, lists, inlined = 13, {}, 0   # after the hash file's header
    while True:
        keylen, vallen = ENTRY.unpack_from(trm, pos)
        if not 0 < keylen < 4096 or vallen < TERMINFO.size:
            break   # past the last entry: the hash tables follow
        key = trm[pos + ENTRY.size:pos + ENTRY.size + keylen]
        value = trm[pos + ENTRY.size + keylen:pos + ENTRY.size + keylen + vallen]
        if value[0]:
            inlined += 1
        else:
            offset, length = EXTENT.unpack_from(value, TERMINFO.size)
            lists[struct.unpack("!H", key[:2])[0], key[2:]] = _blocks(pst[offset:offset + length])
        pos += ENTRY.size + keylen + vallen
    return lists, inlined


def _blocks(data: bytes) -> list:
    assert data[:4] == b"W3Bl"
    stream = io.BytesIO(data[4:])
    blocks = []
    while True:
        (size,) = struct.unpack("!i", stream.read(4))
        block = stream.read(abs(size))
        stream_block = io.BytesIO(block)
        info = pickle.Unpickler(stream_block).load()
        rest = stream_block.read()
        blocks.append((info, pickle.loads(zlib.decompress(rest) if info[3] else rest)))
        if size < 0:
            assert not stream.read(), "bytes after the last block"
            return blocks


def test_stored_fields_read_back_small_ones_raw_and_large_ones_compressed(tmp_path, documents):
    from whoosh.filedb.filestore import RamStorage

    from discovery.engines.whoosh.codec import STORED, StoredColumn

    _files, ix = _segment(tmp_path / "ix", SegmentBuilder, documents, SheafCodec())
    with ix.reader() as reader:
        assert [reader.stored_fields(i) for i in range(len(documents))] == \
            [{"id": d["id"], "display": d["display"]} for d in documents]

    small = {"display": {"title": "Thư viện"}}
    large = {"display": {"subjects": [f"Subject heading {i}" for i in range(400)]}}
    assert len(pickle.dumps(large, 5)) > StoredColumn.COMPRESS_ABOVE
    storage = RamStorage()
    out = storage.create_file("stored")
    writer = STORED.writer(out)
    writer.add(0, small)
    writer.add(2, large)   # document 1 has no stored fields
    writer.finish(3)
    length = out.tell()
    out.close()
    raw = storage.open_file("stored").read(length)
    assert pickle.dumps(small, 5) in raw and len(raw) < len(pickle.dumps(large, 5))
    column = STORED.reader(storage.open_file("stored"), 0, length, 3)
    assert [column[0], column[1], column[2]] == [small, None, large]
    assert list(column) == [small, None, large]


def test_documents_written_by_the_builder_are_found(tmp_path, documents):
    (tmp_path / "ix").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "ix"), build_schema())
    writer = SegmentBuilder(ix, _lk=False, codec=SheafCodec(), compound=False)
    for doc in documents:
        writer.add_document(**doc)
    assert writer.postings > len(documents)
    segment = writer._finalize_segment()
    writer._close_segment()
    writer._commit_toc([segment])
    writer._finish()
    with whoosh_index.open_dir(str(tmp_path / "ix")).searcher() as searcher:
        assert searcher.doc_count() == len(documents)
        for doc in documents[::37]:
            assert searcher.document_number(id=doc["id"]) is not None


def test_unsupported_document_options_are_refused(tmp_path):
    (tmp_path / "ix").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "ix"), build_schema())
    writer = SegmentBuilder(ix, _lk=False, codec=SheafCodec(), compound=False)
    with pytest.raises(ValueError, match="_boost"):
        writer.add_document(id="x", _boost=2.0)
    writer.cancel()


def test_whoosh_merges_a_built_segment_into_the_same_postings(tmp_path, documents):
    # An update's commit merges segments with Whoosh's own writer, which reads the
    # builder's segment (inlined postings included) through the codec.
    _files, theirs = _segment(tmp_path / "whoosh", SegmentWriter, documents, SheafCodec())
    _files, ours = _segment(tmp_path / "sheaf", SegmentBuilder, documents, SheafCodec())
    built = [s.segment_id() for s in ours._segments()]
    writer = ours.writer(codec=SheafCodec(), compound=False)
    writer.commit(optimize=True)
    merged = whoosh_index.open_dir(str(tmp_path / "sheaf"))
    rewritten = [s.segment_id() for s in merged._segments()]
    assert len(rewritten) == 1 and rewritten != built
    assert _postings(merged) == _postings(theirs)


def test_skipping_matcher_skips_as_whooshs_block_reader_does(tmp_path, documents):
    # Posting lists of many small blocks; every skip target, in order, from several starts.
    import random

    from whoosh.codec.whoosh3 import W3LeafMatcher

    from discovery.engines.whoosh.codec import SkippingMatcher

    _files, ix = _segment(tmp_path / "ix", SegmentBuilder, documents, SheafCodec(blocklimit=4))
    rng = random.Random(5)
    with ix.reader() as reader:
        leaf = next(iter(reader.leaf_readers()))[0]
        common = [(f, t) for f, t in leaf.all_terms() if leaf.doc_frequency(f, t) > 40]
        assert len(common) > 20
        for field, term in common:
            info = leaf.term_info(field, term)
            offset, length = info.extent()
            fmt = leaf.schema[field].format
            for _start in range(3):
                targets = sorted(rng.sample(range(len(documents) + 5), 25))
                postfile = leaf._terms._postfile
                theirs = W3LeafMatcher(postfile, offset, length, fmt)
                ours = SkippingMatcher(postfile, offset, length, fmt)
                assert type(leaf.postings(field, term)) is SkippingMatcher
                for target in targets:
                    if not theirs.is_active():
                        break
                    theirs.skip_to(target)
                    ours.skip_to(target)
                    assert ours.is_active() == theirs.is_active()
                    if theirs.is_active():
                        assert (ours.id(), ours.weight(), ours.value()) == \
                            (theirs.id(), theirs.weight(), theirs.value())
                        ours.next()
                        theirs.next()
                        assert ours.is_active() == theirs.is_active()
