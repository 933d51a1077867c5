"""The fuzz targets: one per reader or parser, each a strategy of real inputs damaged
(tests/fuzz/mutations.py) and a function that feeds one input through the code.

The property every target checks, for every input: it is read, or refused with the
project's own error type carrying a reason (a MARC reader's rejection, StructureError,
MappingError, NotOaiXml, an OaiError, QueryError/CqlError); nothing else escapes, no
reader's catch-all ("unreadable record (KeyError ...)") is what refused it, and it
takes less than :data:`SECONDS_PER_INPUT` and :data:`PEAK_BYTES_PER_INPUT` (Python
allocations, tracemalloc) beyond a few bytes per input byte.

A target's ``run`` takes the input as bytes (the form a corpus file keeps); the suite's
strategies may add neighbours (``Neighbours``) whose keeping is checked too.
"""

from __future__ import annotations

import functools
import io
import time
import tracemalloc
from dataclasses import dataclass
from typing import Callable

import hypothesis.strategies as st

from discovery import cql, cql_tree, query
from discovery.compiler import QueryCompiler
from discovery.errors import QueryError
from harvest.iso2709 import RECORD_TERMINATOR
from harvest.marcfile import read_iso2709
from harvest.marcxml import read_marcxml
from harvest.oai.errors import OaiError
from harvest.oai.protocol import NotOaiXml, parse_page
from indexer.errors import MappingError
from indexer.mapping import map_stored
from indexer.record import decode

from . import mutations, seeds

SECONDS_PER_INPUT = 2.0
PEAK_BYTES_PER_INPUT = 64 << 20
PEAK_BYTES_PER_INPUT_BYTE = 40      # an input of 1 MB may use 40 MB more
CATCH_ALL = "unreadable record ("   # the readers' last-resort reason: never expected


class PropertyFailed(AssertionError):
    """An input broke the property (a catch-all refusal, a lost neighbour, a bound)."""


@dataclass(frozen=True)
class Neighbours:
    """A file of three records, a good one, a damaged one, a good one (inside ``head`` and
    ``tail``: a collection's tags)."""
    before: bytes
    damaged: bytes
    after: bytes
    head: bytes = b""
    tail: bytes = b""

    @property
    def data(self) -> bytes:
        return self.head + self.before + self.damaged + self.after + self.tail


@dataclass(frozen=True)
class Target:
    name: str
    inputs: Callable[[], st.SearchStrategy]   # built on first use: seeds are read then
    run: Callable[[bytes], object]            # returns what was read (for neighbour checks)
    check_neighbours: Callable[[Neighbours, object], None] | None = None
    # work done once per process (loading jieba's dictionary, pymarc's MARC-8 tables),
    # outside the bounds, which are about what one input costs
    warm_up: Callable[[], object] = lambda: None


_WARM: set[str] = set()


def bounded(target: Target, example) -> None:
    """Run one input within the time and memory bounds; raise PropertyFailed beyond them."""
    data = example.data if isinstance(example, Neighbours) else example
    size = len(data)
    if target.name not in _WARM:
        target.warm_up()
        _WARM.add(target.name)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = target.run(data)
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if elapsed > SECONDS_PER_INPUT:
        raise PropertyFailed(f"{target.name}: {elapsed:.2f} s for an input of {size} bytes")
    limit = PEAK_BYTES_PER_INPUT + PEAK_BYTES_PER_INPUT_BYTE * size
    if peak > limit:
        raise PropertyFailed(f"{target.name}: {peak >> 20} MB at peak for an input of"
                             f" {size} bytes")
    if isinstance(example, Neighbours) and target.check_neighbours:
        target.check_neighbours(example, result)


def _reason(exc: Exception) -> None:
    if not str(exc).strip():
        raise PropertyFailed(f"{type(exc).__name__} without a reason")


def _map(data: bytes, fmt: str, **options) -> None:
    """Map a record a reader yielded: a dict, or MappingError with a reason."""
    try:
        mapped = map_stored(data, fmt, on_warning=lambda message: None, **options)
    except MappingError as exc:
        _reason(exc)
        return
    if not isinstance(mapped, dict):
        raise PropertyFailed(f"map_stored returned {type(mapped).__name__}")


def _read_iso2709(data: bytes, flavour: str | None = None, **read_options) -> list:
    """Every record of a file read, rejections checked, each read record mapped."""
    rejected = []
    records = list(read_iso2709(io.BytesIO(data), "fuzz", flavour, rejected.append,
                                on_warning=lambda w: None, **read_options))
    for r in rejected:
        if r.reason.startswith(CATCH_ALL) or not r.reason.strip():
            raise PropertyFailed(f"the reader's catch-all refused a record: {r.reason}")
    for record in records:
        if not record.deleted:
            _map(record.data, record.format)
    return records


def _iso2709_neighbours(example: Neighbours, records: list) -> None:
    """The good record before a damaged one is kept, and the one after it when the damaged
    record still ends with a record terminator (else the two are one chunk)."""
    datas = [r.data for r in records]
    if example.before not in datas:
        raise PropertyFailed("the good record before a damaged one was lost")
    if example.damaged.endswith(RECORD_TERMINATOR) and example.after not in datas:
        raise PropertyFailed("the good record after a damaged one was lost")


def _marc8(data: bytes) -> list:
    records = _read_iso2709(data)
    # and the MARC-8 decoder itself, told the record is MARC-8 whatever it says
    try:
        decode(data, "marc21", encoding="marc8")
    except MappingError as exc:
        _reason(exc)
    return records


def _read_marcxml(data: bytes) -> list:
    rejected = []
    records = list(read_marcxml(io.BytesIO(data), "fuzz", rejected.append,
                                on_warning=lambda w: None))
    for r in rejected:
        if r.reason.startswith(CATCH_ALL) or not r.reason.strip():
            raise PropertyFailed(f"the reader's catch-all refused a record: {r.reason}")
    for record in records:
        _map(record.data, "marcxml")
    return records


def _marcxml_neighbours(example: Neighbours, records: list) -> None:
    if example.before not in [r.data for r in records]:
        raise PropertyFailed("the good MARCXML record before a damaged one was lost")


COLLECTION_START = b'<collection xmlns="http://www.loc.gov/MARC21/slim">'
COLLECTION_END = b"</collection>"


def _marcxml_inputs() -> st.SearchStrategy:
    elements = _marcxml_elements()
    whole_files = mutations.mutated(seeds.files(seeds.MARCXML_FILES), ("xml", "bytes"))
    neighbours = st.builds(
        lambda a, b, c: Neighbours(a, b, c, COLLECTION_START, COLLECTION_END),
        st.sampled_from(elements), mutations.mutated(elements, ("xml", "bytes")),
        st.sampled_from(elements))
    return st.one_of(whole_files, neighbours)


@functools.lru_cache(maxsize=None)
def _marcxml_elements() -> list[bytes]:
    """Single record elements (namespace declared on each) of the MARCXML fixtures and of
    the Alma OAI page."""
    out = []
    for data in seeds.files(seeds.MARCXML_FILES) + seeds.oai_pages()[-1:]:
        out += [r.data for r in read_marcxml(io.BytesIO(data), "seed", lambda r: None)]
    return out


_VERBS = ("ListRecords", "GetRecord", "ListIdentifiers", "ListSets", "ListMetadataFormats",
          "Identify")


def _oai(data: bytes) -> None:
    """A page parsed as the client and harvester read it; its records mapped as stored."""
    try:
        page = parse_page(data, "http://fuzz.invalid/oai")
        page.raise_for_error()
    except (NotOaiXml, OaiError) as exc:
        _reason(exc)
        return
    for verb in _VERBS:
        try:
            page.payload(verb)
        except NotOaiXml:
            continue
        try:
            page.token(verb)
            items = {"ListRecords": lambda: list(page.records()),
                     "GetRecord": lambda: [page.record()],
                     "ListIdentifiers": lambda: list(page.headers()),
                     "ListSets": lambda: list(page.sets()),
                     "ListMetadataFormats": lambda: list(page.metadata_formats()),
                     "Identify": lambda: [page.identify()]}[verb]()
        except NotOaiXml as exc:
            _reason(exc)
            continue
        for item in items:
            if hasattr(item, "metadata") and item.metadata is not None:
                item.marc_deleted()
                fmt = item.metadata_format("unknown")
                item.element_bytes()
                if fmt in ("marcxml", "oai_dc"):
                    _map(item.metadata_bytes(), fmt, local_id=item.header.identifier)


@functools.lru_cache(maxsize=None)
def _compiler() -> QueryCompiler:
    return QueryCompiler()


def _query(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        tree = query.parse(text)
    except QueryError as exc:
        _reason(exc)
        return
    _compiler().compile(tree)


def _cql(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        parsed = cql.parse(text)
        cql_tree.to_tree(parsed)
        if parsed.sort:
            cql_tree.sort_by(parsed.sort)
    except cql.CqlError as exc:
        _reason(exc)
        if not (isinstance(exc.code, int) and exc.code > 0):
            raise PropertyFailed(f"CQL diagnostic without an SRU code: {exc.code!r}") from None


def _neighbours(records: Callable[[], list[bytes]], kinds: tuple[str, ...]):
    def inputs():
        good = records()
        return st.one_of(
            mutations.mutated(good, kinds),
            st.builds(Neighbours, st.sampled_from(good), mutations.mutated(good, kinds),
                      st.sampled_from(good)))
    return inputs


def _text_inputs(examples: list[str], alphabet: list[str]):
    return lambda: mutations.mutated_text(examples, alphabet).map(lambda t: t.encode("utf-8"))


TARGETS = {t.name: t for t in [
    Target("iso2709", _neighbours(seeds.marc21_records, ("bytes", "iso2709")), _read_iso2709,
           _iso2709_neighbours),
    Target("marc8", _neighbours(lambda: seeds.records(tuple(seeds.MARC8_FILES)),
                                ("marc8", "marc8", "bytes", "iso2709")), _marc8,
           _iso2709_neighbours, lambda: _marc8(seeds.records(tuple(seeds.MARC8_FILES))[0])),
    Target("unimarc", _neighbours(lambda: seeds.records(tuple(seeds.UNIMARC_FILES), "unimarc"),
                                  ("bytes", "iso2709", "marc8")),
           lambda data: _read_iso2709(data, "unimarc"), _iso2709_neighbours),
    Target("marcxml", _marcxml_inputs, _read_marcxml, _marcxml_neighbours),
    Target("oai", lambda: mutations.mutated(seeds.oai_pages(), ("xml", "xml", "bytes")), _oai),
    Target("query", _text_inputs(seeds.QUERIES, seeds.QUERY_SYNTAX), _query,
           warm_up=lambda: [_query(q.encode("utf-8")) for q in seeds.QUERIES]),
    Target("cql", _text_inputs(seeds.CQL, seeds.CQL_SYNTAX), _cql),
]}
