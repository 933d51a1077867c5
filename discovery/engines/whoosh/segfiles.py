"""The files of a segment, written the way Whoosh 2.7.4 reads them, each in one go.

:mod:`.segwriter` collects a segment's terms, postings, lengths and columns in
memory; these functions write them out in Whoosh's own formats (the hash
tables of a term index, fixed-width and numeric columns, variable-length
columns, and block-structured posting lists), where Whoosh's writers go
value by value.
"""

from __future__ import annotations

import zlib
from array import array
from pickle import dumps
from struct import Struct

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int

# Pickles in protocol 3, where Whoosh's writer uses 2: bytes values pickle as bytes
# rather than as a call to codecs.encode of a str, half the size and four times as
# fast to write and to read. Whoosh reads with pickle.load, which takes any protocol.
_PROTOCOL = 3
_LENGTHS = Struct("!ii")   # HashWriter: key and value lengths before each entry
_TERMINFO = W3TermInfo._struct
_NO_ID = 0xffffffff


def _write_hashes(tindex) -> None:
    """``HashWriter._write_hashes``: 256 open-addressing tables of (hash, position) slots."""
    dbfile = tindex.dbfile
    for entries in tindex.buckets:
        numslots = 2 * len(entries)
        tindex.directory.append((dbfile.tell(), numslots))
        hashes = [0] * numslots
        positions = [0] * numslots
        for hashval, position in entries:
            slot = (hashval >> 8) % numslots
            while positions[slot]:   # no entry is at position 0 (the header is)
                slot = (slot + 1) % numslots
            hashes[slot] = hashval
            positions[slot] = position
        if numslots:
            table = [v for pair in zip(hashes, positions) for v in pair]
            dbfile.write(Struct("!" + "Iq" * numslots).pack(*table))


def _write_fixed(writer, data: bytes) -> None:
    """A fixed-width column's values, already packed, one document after another."""
    writer._dbfile.write(data)
    writer._count = len(data) // writer._fixedlen


def _write_numbers(writer, docnums: list, values: list) -> None:
    """``NumericColumn.Writer.add`` for every value: defaults are skipped, and a gap
    before a value is filled with the default."""
    default, filler, pack = writer._default, writer._defaultbytes, writer._pack
    out = bytearray()
    count = 0
    for docnum, value in zip(docnums, values):
        if value == default:
            continue
        if docnum > count:
            out += filler * (docnum - count)
        out += pack(value)
        count = docnum + 1
    writer._dbfile.write(bytes(out))
    writer._count = count


def _write_var_bytes(writer, docnums: list, values: list) -> None:
    """``VarBytesColumn.Writer.add`` for every value: the bytes one after another, a
    length and an offset a document (0 and the running offset in a gap)."""
    lengths, offsets = [], []
    base = writer._offset_base
    count = writer._count
    for docnum, value in zip(docnums, values):
        if docnum > count:
            lengths.extend([0] * (docnum - count))
            offsets.extend([base] * (docnum - count))
        lengths.append(len(value))
        offsets.append(base)
        base += len(value)
        count = docnum + 1
    writer._dbfile.write(b"".join(values))
    writer._lengths.extend(lengths)
    writer._offsets.extend(offsets)
    writer._offset_base = base
    writer._count = count


def _posting_list(out: bytearray, flat: list, blocklimit: int, compression: int,
                  fixedsize) -> bytes:
    """Append one term's posting list to ``out``; return the packed term statistics."""
    out += WHOOSH3_HEADER_MAGIC
    count = len(flat) // 4
    total_weight = 0.0
    min_length = None
    max_length = 0
    max_weight = 0
    for start in range(0, count, blocklimit):
        end = min(count, start + blocklimit)
        ids = flat[4 * start:4 * end:4]
        raw_weights = flat[4 * start + 1:4 * end:4]
        values = [v for v in flat[4 * start + 2:4 * end:4] if v]
        lengths = [n for n in flat[4 * start + 3:4 * end:4] if n]   # length bytes
        weights = array("f", raw_weights)
        total_weight += sum(weights)
        block_max_weight = max(0, *raw_weights)
        block_min = min(lengths) if lengths else None
        block_max = max(lengths) if lengths else 0
        if block_min is not None:
            min_length = block_min if min_length is None else min(min_length, block_min)
        max_length = max(max_length, block_max)
        max_weight = max(max_weight, block_max_weight)

        deltas = [b - a for a, b in zip(ids, ids[1:])]
        deltas.insert(0, ids[0])
        block_size = end - start
        first = weights[0]
        if weights.count(1.0) == block_size:
            mini_weights = None
        elif weights.count(first) == block_size:
            mini_weights = first
        else:
            mini_weights = tuple(weights)
        if fixedsize is None or fixedsize < 0:
            mini_values = tuple(values)
        elif fixedsize == 0:
            mini_values = None
        else:
            mini_values = b"".join(values)
        data = dumps((tuple(deltas), mini_weights, mini_values), _PROTOCOL)
        if compression:
            data = zlib.compress(data, compression)
        info = dumps((block_size, ids[-1], block_max_weight, compression,
                      block_min or 0, block_max), 2)
        size = len(info) + len(data)
        out += pack_int(-size if end == count else size)
        out += info
        out += data
    return _TERMINFO.pack(False, total_weight, count,
                          min_length or 0, max_length, max_weight,
                          flat[0] if count else _NO_ID, flat[4 * (count - 1)] if count else _NO_ID)


def _float32(value: float) -> float:
    """The value an ``array("f")`` holds for ``value`` (Whoosh keeps weights as 32-bit floats)."""
    return value if value == 1.0 else array("f", (value,))[0]
