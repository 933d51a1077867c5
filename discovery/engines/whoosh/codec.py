"""Sheaf's Whoosh codec: Whoosh 3's format, read faster, with single postings inlined.

Whoosh records each segment's codec object in the index, so this class
must stay importable at ``indexer.codec.SheafCodec``. Five things differ
from Whoosh's own ``W3Codec``:

* Field lengths are read once per field. Whoosh's per-document reader
  looks a document's field length up in the lengths column on every call:
  once per matching document and field when BM25F scores a query. Reading
  each field's lengths into a list the first time made building the
  10,000-record LC file about 10% faster (when Whoosh's writer still read
  them). An unscored field's missing lengths file is remembered too.
* Terms in a single document have their posting inlined in the term info
  (written by :mod:`indexer.segwriter`, read by :class:`InlineMatcher`).
* Posting lists skip forward by bisection (:class:`SkippingMatcher`).
* The term index hashes its keys with CRC-32, one of the hash types
  Whoosh's format provides for, where Whoosh's writer uses MD5.
* Stored fields are compressed only when large (:class:`StoredColumn`).

The files stay Whoosh 3's but for the stored fields' column; Whoosh's own
writer (updates, merges) writes segments through this codec too.
"""

from __future__ import annotations

import pickle
import weakref
import zlib
from bisect import bisect_left

from whoosh import columns
from whoosh.codec.whoosh3 import (LENGTHS_COLUMN, W3Codec, W3FieldWriter, W3LeafMatcher,
                                  W3PerDocReader, W3PerDocWriter, _lenfield)
from whoosh.filedb import filetables
from whoosh.matching import ListMatcher, ReadTooFar
from whoosh.util.numeric import byte_to_length


class StoredColumn(columns.VarBytesColumn):
    """A document's stored fields: pickled (protocol 5), with a flag byte first, and
    zlib-compressed only past ``COMPRESS_ABOVE`` bytes.

    Whoosh's stored column pickles with protocol 2 and compresses every
    document: a zlib stream costs about 20 microseconds to set up, whatever
    its size, and the catalog's 640-byte documents shrank by a quarter.
    """

    COMPRESS_ABOVE = 2048
    _RAW, _ZLIB = b"\x00", b"\x01"

    class Writer(columns.VarBytesColumn.Writer):
        def add(self, docnum, v):
            data = pickle.dumps(v, 5)
            if len(data) > StoredColumn.COMPRESS_ABOVE:
                data = StoredColumn._ZLIB + zlib.compress(data)
            else:
                data = StoredColumn._RAW + data
            super().add(docnum, data)

    class Reader(columns.VarBytesColumn.Reader):
        def __getitem__(self, docnum):
            return _stored_value(super().__getitem__(docnum))

        def __iter__(self):
            return map(_stored_value, super().__iter__())


def _stored_value(data: bytes):
    if not data:
        return None
    body = data[1:]
    return pickle.loads(zlib.decompress(body) if data[:1] == StoredColumn._ZLIB else body)


STORED = StoredColumn()


class SheafPerDocWriter(W3PerDocWriter):
    """Whoosh 3's per-document writer, with stored fields in a :class:`StoredColumn`."""

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, STORED if fieldname == "_stored" else column)


def _hash_with_crc32(tindex) -> None:
    """Make a new term index hash its keys with CRC-32 (Whoosh's hash type 1) rather than
    MD5 (type 0, its default): a fifth of the time per key. The type is a byte of the
    file's header, which Whoosh's reader reads to choose the function."""
    dbfile = tindex.dbfile
    end = dbfile.tell()
    dbfile.seek(tindex.startoffset + 4)   # after the four magic bytes
    dbfile.write_byte(1)
    dbfile.seek(end)
    tindex.hashtype = 1
    tindex.hashfn = filetables.crc_hash


class SheafPerDocReader(W3PerDocReader):
    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._length_lists: dict[str, list] = {}

    def _lengths(self, fieldname: str) -> list | None:
        try:
            return self._length_lists[fieldname]
        except KeyError:
            pass
        # a field with no lengths column (not scorable) is remembered too:
        # Whoosh asks the file system again for every posting of such a field
        reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        lengths = None if reader is None else [
            byte_to_length(b) if b else None for b in (reader[i] for i in range(self._doccount))]
        self._length_lists[fieldname] = lengths
        return lengths

    def stored_fields(self, docnum):
        return self._cached_reader("_stored", STORED)[docnum] or {}

    def doc_field_length(self, docnum, fieldname, default=0):
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lengths = self._lengths(fieldname)
        if lengths is None:
            return default
        return lengths[docnum]


class InlineMatcher(ListMatcher):
    """The postings of a term stored inside its term info (one document's worth).

    Whoosh 3's term info format has room for inlined postings and its reader
    serves them with a ``ListMatcher``, but its writer never inlines (it
    calls a method that does not exist), and ``ListMatcher.copy`` drops the
    term info that block-quality scoring reads. Sheaf's segment builder
    inlines every term found in one document (most of them; see
    :mod:`indexer.segwriter`), and this matcher keeps what a copy needs.
    """

    def copy(self):
        return self.__class__(self._ids, self._weights, self._values, self._format,
                              self._scorer, self._i, self._all_weights, term=self._term,
                              terminfo=self._terminfo)

    # A field without values (Existence) has None for each posting, as Whoosh's block
    # reader gives it; ListMatcher gives '', which Whoosh's merging writer refuses.
    def value(self):
        return self._values[self._i] if self._values else None

    def all_items(self):
        values = self._values or (None,) * len(self._ids)
        return zip(self._ids, values)


# postings file -> {offset of a posting list: (block positions, block last ids)}
_directories: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
DIRECTORY_TERMS = 20_000   # posting lists whose block directory a postings file keeps


class SkippingMatcher(W3LeafMatcher):
    """Whoosh 3's posting list reader, with ``skip_to`` by bisection.

    Whoosh's reader skips forward block by block, unpickling each block's
    header on the way, then steps through the block's ids one at a time.
    An intersection led by a rare term skips through a common one's list
    (``of``, ``history``) that way hundreds of times a query: 70 ms for
    "Houses of prayer" at 250,000 records. This one reads a list's block
    headers once into a directory (kept per postings file), jumps to the
    block that holds the target and bisects its ids.
    """

    def _directory(self) -> tuple[list[int], list[int]]:
        per_file = _directories.get(self._postfile)
        if per_file is None:
            per_file = _directories[self._postfile] = {}
        found = per_file.get(self._startoffset)
        if found is None:
            if len(per_file) >= DIRECTORY_TERMS:
                per_file.clear()
            positions, last_ids = [], []
            postfile = self._postfile
            position = self._baseoffset
            while True:
                postfile.seek(position)
                length = postfile.read_int()
                info = postfile.read_pickle()
                positions.append(position)
                last_ids.append(info[1])
                if length < 0:
                    break
                position += 4 + length
            found = per_file[self._startoffset] = (positions, last_ids)
        return found

    def skip_to(self, targetid):
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        if targetid > self._maxid:
            positions, last_ids = self._directory()
            block = bisect_left(last_ids, targetid)
            if block == len(last_ids):      # past the last posting
                self._atend = True
                return
            self._goto(positions[block])
            self._lastblock = block == len(last_ids) - 1
        if self._ids is None:
            self._read_ids()
        # the block's last id is >= targetid, so this stays inside the block
        self._i = bisect_left(self._ids, targetid, self._i)


class SheafCodec(W3Codec):
    """W3Codec with uncompressed posting blocks, cached field lengths and inlined
    single postings.

    Posting blocks are left uncompressed: with a large multilingual
    vocabulary most posting lists hold one or two documents, and zlib on
    blocks that small cost 15% of the build time for little space.
    """

    def __init__(self, blocklimit=128, compression=0, inlinelimit=1):
        super().__init__(blocklimit=blocklimit, compression=compression,
                         inlinelimit=inlinelimit)

    def per_document_reader(self, storage, segment):
        return SheafPerDocReader(storage, segment)

    def per_document_writer(self, storage, segment):
        return SheafPerDocWriter(self, storage, segment)

    def field_writer(self, storage, segment):
        writer = W3FieldWriter(self, storage, segment)
        _hash_with_crc32(writer._tindex)
        return writer

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return InlineMatcher(ids, weights, values, format_, scorer=scorer, term=term,
                                 terminfo=terminfo)
        offset, length = terminfo.extent()
        return SkippingMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
