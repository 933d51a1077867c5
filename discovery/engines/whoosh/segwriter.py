"""Writing a new segment in Whoosh 3's format without Whoosh's per-posting machinery.

Whoosh's ``SegmentWriter`` turns every posting into a tuple, feeds it to an
external sorting pool, sorts all of them when the segment is finished, and
then passes them one by one through five layers of method calls (field
writer, postings writer, block, term info, hash table) to the two files
that hold them. With the catalog's many small posting lists (about 120
postings and 30 new terms per document), that was half the time of a
rebuild: 7.5 s of 14 s for the 10,000-record LC file in one process.

``SegmentBuilder`` keeps the per-document part of Whoosh's writer
(stored fields, field lengths and columns go through Whoosh's own
per-document writer), but collects each field's postings in a dictionary
of terms as documents arrive (documents come in docnum order, so every
posting list is already sorted) and writes the term index (``.trm``) and
postings (``.pst``) files itself, in Whoosh 3's layout (Whoosh is pinned
at 2.7.4):

* a posting list is ``b"W3Bl"`` and then blocks of up to ``blocklimit``
  postings, each an ``!i`` length (negative for the last block), a pickled
  info tuple ``(count, last id, max weight, compression, min length byte,
  max length byte)`` and a pickled data tuple ``(delta-coded ids, weights
  or None or the one weight, values)``;
* a term's entry in the ordered hash file is ``!ii`` key and value lengths,
  the key (field number as ``!H``, then the term's UTF-8 bytes) and the
  term info: ``!BfIBBfII`` statistics, then the list's offset and length,
  or for a term in a single document (three in four terms) the posting
  itself, pickled, with the first byte set. Whoosh's term info format and
  reader provide for such inlined postings, though its writer cannot make
  them; :class:`indexer.codec.InlineMatcher` reads them.

``tests/indexer/test_segwriter.py`` compares the segments of both writers:
the other files byte for byte, every term's statistics and postings
through Whoosh's reader, and the blocks of every posting list. Rebuilds
(:mod:`indexer.parallel`) use it; incremental updates and merges stay with
Whoosh's writer, which reads its segments through the codec.
"""

from __future__ import annotations

from array import array
from zlib import crc32
from hashlib import md5
from pickle import dumps
from struct import Struct

from whoosh import columns, formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3FieldWriter, _lenfield
from whoosh.fields import UnknownFieldError
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from .segfiles import (_PROTOCOL, _TERMINFO, _float32, _posting_list, _write_fixed,
                       _write_hashes, _write_numbers, _write_var_bytes)

_LENGTHS = Struct("!ii")   # HashWriter: key and value lengths before each entry
_SHORT_BYTES = bytes(length_to_byte(n) for n in range(4096))


def _length_byte(length: int) -> int:
    """Whoosh's one-byte form of a field length (a table for the usual short fields)."""
    return _SHORT_BYTES[length] if length < 4096 else length_to_byte(length)


class SegmentBuilder(SegmentWriter):
    """A ``SegmentWriter`` for new segments whose postings are collected per term in memory.

    Use it like Whoosh's writer inside a multiprocess build: ``add_document``
    for each document, then ``_finalize_segment()``. ``postings`` counts
    the postings held in memory, for callers that start a new segment when
    it grows large.
    """

    def __init__(self, ix, keep_terms: dict | None = None, **kwargs):
        """``keep_terms`` maps field names to a function called with each document's
        number and its terms in that field (as text, each once)."""
        super().__init__(ix, **kwargs)
        self._kept = dict(keep_terms or {})
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: term vectors and spelling fields are not"
                                 " supported by SegmentBuilder")
        # Fields whose analyzer gives term positions directly (indexer.analysis.SpanAnalyzer)
        # in one of Whoosh's three plain formats; their terms are kept as text, and
        # encoded once per term when the segment is written (text sorts as UTF-8 does).
        self._span_fields = {
            name for name, field in self.schema.items()
            if field.indexed and hasattr(field.analyzer, "term_positions")
            and type(field.format) in (formats.Positions, formats.Frequency, formats.Existence)}
        # field name -> term -> flat list of (docnum, weight, value bytes, length byte)
        # postings: the field's length in the document in the one-byte form Whoosh
        # keeps (monotonic in the length, so block minima and maxima are the same)
        self._terms: dict[str, dict] = {}
        self._values: dict = {}   # positions (or a frequency) -> encoded value, shared
        self.postings = 0
        # Field lengths and column values are kept here and written when the segment
        # is (see _write_columns): through Whoosh's per-document writer, each value took
        # nine Python calls down to a buffer, 15% of the time spent adding documents.
        self._lengths: dict[str, bytearray] = {}   # field -> length byte per document
        self._length_totals: dict[str, int] = {}
        self._columns: dict[str, tuple] = {}       # field -> (column, docnums, values)
        self._by_name = dict(self.schema.items())   # (Schema's lookups are Python methods)

    def add_document(self, **fields):
        self._check_state()
        by_name = self._by_name
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            if name.startswith("_"):
                raise ValueError(f"{name!r}: per-document boosts and stored-value overrides are"
                                 " not supported by SegmentBuilder")
            value = fields[name]
            if value is None:
                continue
            field = by_name.get(name)
            if field is None:
                if name not in self.schema:
                    raise UnknownFieldError(f"No field named {name!r} in {self.schema}")
                field = self.schema[name]   # a dynamic (glob) field
            if field.indexed:
                if name in self._span_fields and isinstance(value, str):
                    length = self._add_spans(name, field, value, docnum)
                else:
                    length = self._add_items(name, field, field.index(value), docnum)
                if length and field.scorable:
                    lengths = self._lengths.get(name)
                    if lengths is None:
                        lengths = self._lengths[name] = bytearray()
                        self._length_totals[name] = 0
                    if len(lengths) < docnum:
                        lengths.extend(bytes(docnum - len(lengths)))
                    lengths.append(_length_byte(length))
                    self._length_totals[name] += length
            if field.stored:
                perdoc.add_field(name, field, value, 0)
            column = field.column_type
            if column:
                kept = self._columns.get(name)
                if kept is None:
                    kept = self._columns[name] = (column, [], [])
                kept[1].append(docnum)
                kept[2].append(field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_spans(self, name: str, field, value: str, docnum: int) -> int:
        """Post a span-analyzed text, as Whoosh's format.word_values would; returns its length."""
        found = field.analyzer.term_positions(value)   # every token's boost is 1
        fmt = field.format
        kind = type(fmt)
        fb = fmt.field_boost
        if kind is formats.Existence:
            length = len(found)
        else:
            length = sum(map(len, found.values()))
        stored = _length_byte(length) if field.scorable else 0
        terms = self._terms.get(name)
        if terms is None:
            terms = self._terms[name] = {}
        cache = self._values
        if len(cache) >= 100_000:
            cache.clear()
        for text, positions in found.items():
            n = len(positions)
            if kind is formats.Positions:
                key = tuple(positions)
                vbytes = cache.get(key)
                if vbytes is None:
                    vbytes = cache[key] = fmt.encode(positions)
                weight = n * fb
            elif kind is formats.Frequency:
                vbytes = cache.get(n)
                if vbytes is None:
                    vbytes = cache[n] = pack_uint(n)
                weight = n * fb
            else:
                vbytes, weight = b"", fb
            postings = terms.get(text)
            if postings is None:
                terms[text] = [docnum, weight, vbytes, stored]
            else:
                postings += (docnum, weight, vbytes, stored)
        self.postings += len(found)
        keep = self._kept.get(name)
        if keep is not None:
            keep(docnum, list(found))
        return length

    def _add_items(self, name: str, field, items, docnum: int) -> int:
        """Post Whoosh's (term bytes, frequency, weight, value) items; returns the length."""
        entries = []
        length = 0
        for tbytes, freq, weight, vbytes in items:
            length += freq
            entries.append((tbytes, weight, vbytes))
        stored = _length_byte(length) if field.scorable else 0
        terms = self._terms.get(name)
        if terms is None:
            terms = self._terms[name] = {}
        text_keys = name in self._span_fields
        for tbytes, weight, vbytes in entries:
            term = tbytes.decode("utf-8") if text_keys else tbytes
            postings = terms.get(term)
            if postings is None:
                terms[term] = [docnum, weight, vbytes, stored]
            else:
                postings += (docnum, weight, vbytes, stored)
        self.postings += len(entries)
        keep = self._kept.get(name)
        if keep is not None:
            keep(docnum, [tbytes.decode("utf-8") for tbytes, _w, _v in entries])
        return length

    def _flush_segment(self):
        self._write_columns()
        self.perdocwriter.close()
        self._write_postings()
        self.fieldwriter.close()

    # -- lengths and columns -------------------------------------------------------

    def _write_columns(self) -> None:
        """Hand the kept lengths and column values to the per-document writer's columns,
        each column's bytes at once, as its writer would have written them value by value."""
        perdoc = self.perdocwriter
        for name, lengths in self._lengths.items():
            perdoc._fieldlengths[name] += self._length_totals[name]
            perdoc._create_column(_lenfield(name), LENGTHS_COLUMN)
            # a numeric column writes no default (0) after its last other value
            _write_fixed(perdoc._get_column(_lenfield(name)), bytes(lengths).rstrip(b"\0"))
        for name, (column, docnums, values) in self._columns.items():
            perdoc._create_column(name, column)
            writer = perdoc._get_column(name)
            if type(writer) is columns.NumericColumn.Writer:
                _write_numbers(writer, docnums, values)
            elif type(writer) is columns.VarBytesColumn.Writer:
                _write_var_bytes(writer, docnums, values)
            else:
                for docnum, value in zip(docnums, values):
                    writer.add(docnum, value)
        self._lengths.clear()
        self._columns.clear()

    # -- the term index and postings files -----------------------------------------

    def _write_postings(self) -> None:
        fieldwriter = self.fieldwriter
        if type(fieldwriter) is not W3FieldWriter:
            raise TypeError(f"SegmentBuilder writes Whoosh 3 segments, not {type(fieldwriter)}")
        tindex = fieldwriter._tindex
        postfile = fieldwriter._postfile
        fieldmap = fieldwriter._fieldmap
        blocklimit = self.codec._blocklimit
        compression = self.codec._compression

        post = bytearray()
        post_base = postfile.tell()
        terms_out = bytearray()
        terms_base = tindex.dbfile.tell()
        buckets = tindex.buckets
        crc = tindex.hashtype == 1   # (indexer.codec) else Whoosh's MD5
        if tindex.hashtype not in (0, 1):
            raise TypeError(f"SegmentBuilder hashes terms with MD5 or CRC-32, not {tindex.hashfn}")
        positions = []
        pack_lengths = _LENGTHS.pack
        pack_info = _TERMINFO.pack
        key = b""
        for name in sorted(self._terms):
            terms = self._terms.pop(name)
            if not terms:
                continue   # no terms in any document: Whoosh gives the field no number
            fieldid = fieldmap.setdefault(name, len(fieldmap))
            prefix = pack_ushort(fieldid)
            fixedsize = self.schema[name].format.fixed_value_size()
            no_values = fixedsize == 0
            text_keys = name in self._span_fields
            for term, flat in sorted(terms.items()):
                key = prefix + (term.encode("utf-8") if text_keys else term)
                if len(flat) == 4:
                    # one document: the posting inlined in the term info
                    docnum, weight, vbytes, lb = flat
                    stored = _float32(weight)
                    value = (pack_info(True, stored, 1, lb, lb, weight if weight > 0 else 0,
                                       docnum, docnum)
                             + dumps(((docnum,), (stored,),
                                      None if no_values else (vbytes,) if vbytes else ()),
                                     _PROTOCOL))
                else:
                    offset = post_base + len(post)
                    info = _posting_list(post, flat, blocklimit, compression, fixedsize)
                    value = info + pack_long(offset) + pack_int(post_base + len(post) - offset)
                position = terms_base + len(terms_out)
                positions.append(position)
                terms_out += pack_lengths(len(key), len(value))
                terms_out += key
                terms_out += value
                h = crc32(key) if crc else int.from_bytes(md5(key).digest()[-4:], "big")
                buckets[h & 255].append((h, position))
            del terms
            if len(post) > 1 << 24:
                postfile.write(bytes(post))
                post_base += len(post)
                post.clear()
            if len(terms_out) > 1 << 24:
                tindex.dbfile.write(bytes(terms_out))
                terms_base += len(terms_out)
                terms_out.clear()
        # OrderedHashWriter's index of entry positions, in the type its GrowableArray
        # would have grown to
        last = positions[-1] if positions else 0
        tindex.index.array = array("H" if last < 2 ** 16 else "i" if last < 2 ** 31
                                   else "I" if last < 2 ** 32 else "q", positions)
        postfile.write(bytes(post))
        tindex.dbfile.write(bytes(terms_out))
        tindex.lastkey = key
        # the hash tables, each written at once (HashWriter writes them slot by slot)
        tindex._write_hashes = lambda: _write_hashes(tindex)
        self.postings = 0
