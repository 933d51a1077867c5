"""SegmentBuilder writes the segment Whoosh's own SegmentWriter writes.

Every file but the postings is compared byte for byte, and so is each term
entry but for where its posting list lies. The posting lists are compared
block by block after unpickling: the builder shares one bytes object among
equal position lists, so its pickles refer back to an earlier copy where
Whoosh's repeat it (and are smaller), but they load to the same blocks.
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
from indexer.codec import SheafCodec
from indexer.document import Member, document_for
from indexer.mapping import map_stored
from indexer.schema import build_schema
from indexer.segwriter import SegmentBuilder

ENTRY = struct.Struct("!ii")
TERMINFO = struct.Struct("!BfIBBfII")
EXTENT = struct.Struct("!qi")

DEMO = Path(__file__).resolve().parents[2] / "demo"


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


def _segment_files(tmp: Path, writer_class, docs: list[dict], codec: SheafCodec) -> dict:
    tmp.mkdir()
    ix = whoosh_index.create_in(str(tmp), build_schema())
    writer = writer_class(ix, _lk=False, codec=codec, compound=False)
    for doc in docs:
        writer.add_document(**doc)
    segment = writer._finalize_segment()
    writer._close_segment()
    prefix = segment.segment_id()
    files = {p.name[len(prefix):]: p.read_bytes() for p in tmp.iterdir()
             if p.name.startswith(prefix)}
    return files


@pytest.mark.parametrize("codec", [
    SheafCodec(),                                 # the codec every build uses
    SheafCodec(blocklimit=3, compression=3),      # several blocks a term, compressed
], ids=["sheaf-codec", "small-compressed-blocks"])
def test_segment_files_are_whooshs_byte_for_byte(tmp_path, documents, codec):
    assert len(documents) > 300
    theirs = _segment_files(tmp_path / "whoosh", SegmentWriter, documents, codec)
    ours = _segment_files(tmp_path / "sheaf", SegmentBuilder, documents, codec)
    assert {".trm", ".pst"} <= set(theirs)
    assert sorted(ours) == sorted(theirs)
    for ext in theirs:
        if ext not in (".trm", ".pst"):
            assert ours[ext] == theirs[ext], f"segment file {ext} differs"
    our_terms, our_lists = _terms(ours)
    their_terms, their_lists = _terms(theirs)
    assert len(their_terms) > 1000
    assert our_terms == their_terms
    assert our_lists == their_lists
    assert len(ours[".pst"]) <= len(theirs[".pst"])


def _terms(files: dict) -> tuple[bytes, list]:
    """The term index with each entry's posting list extent blanked out, and every
    posting list as its unpickled blocks."""
    trm, pst = bytearray(files[".trm"]), files[".pst"]
    pos, lists = 13, []   # after the hash file's header
    while True:
        keylen, vallen = ENTRY.unpack_from(trm, pos)
        if not 0 < keylen < 4096 or vallen != TERMINFO.size + EXTENT.size:
            break   # past the last entry: the hash tables follow
        at = pos + ENTRY.size + keylen + TERMINFO.size
        offset, length = EXTENT.unpack_from(trm, at)
        trm[at:at + EXTENT.size] = bytes(EXTENT.size)
        lists.append(_blocks(pst[offset:offset + length]))
        pos = at + EXTENT.size
    return bytes(trm), lists


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
