"""The two heavy passes of a rebuild, spread over worker processes.

1. **Map**: the parent reads stored records in chunks and hands them to a
   pool; each worker maps them, appends the pickled mapped dicts to a shard
   file of its own and returns only the small match keys and where each
   record lies in its shard (and any failures and warnings, which the
   parent reports).
2. **Write**: after clustering, the clusters are split into one share per
   worker; each worker builds its clusters' documents from the shards and
   hands them to the engine's share writer (:class:`indexer.engine.BulkWriter`:
   for Whoosh, a segment of the worker's own), and its autocomplete rows to
   a file of its own. The parent then has the engine commit every share at
   once; the autocomplete store reads the workers' files as parts.

Documents are built where they are written: a writer that is handed
documents from the parent (Whoosh's own multiprocessing writer) pickles every
one of them and keeps one core waiting on the other. With ``procs=1``
everything runs in the calling process, through the same functions.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .cluster import match_keys
from .document import Member, document_for
from .engine import BulkWriter
from .errors import MappingError
from .mapping import map_stored
from .suggest import SuggestStore

CHUNK = 500
_state: dict = {}


@contextmanager
def fewer_collections():
    """Young-generation garbage collections a hundred times rarer, and everything alive so
    far left out of them, for the length of a rebuild (its forked workers inherit both).
    A build allocates millions of small, long-lived lists and tuples and makes almost
    no cycles: the default thresholds cost 13% of writing."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# -- pass 1: map --------------------------------------------------------------------

def _map_init(shard_dir: str, encodings: dict) -> None:
    path = os.path.join(shard_dir, f"mapped-{os.getpid()}.bin")
    _state.update(shard=open(path, "ab"), path=path, encodings=encodings)


def _map_chunk(chunk: list[tuple]) -> tuple:
    shard, encodings = _state["shard"], _state["encodings"]
    keys, places, failures, warnings = [], [], [], []
    started = time.perf_counter()
    offset = shard.tell()
    for rid, source, local_id, fmt, data, first_seen in chunk:
        try:
            mapped = map_stored(data, fmt, encodings.get(source), source=source,
                                local_id=local_id, on_warning=warnings.append)
        except MappingError as exc:
            failures.append((rid, str(exc)))
            continue
        blob = pickle.dumps((source, first_seen, mapped), pickle.HIGHEST_PROTOCOL)
        shard.write(blob)
        places.append((offset, len(blob)))
        offset += len(blob)
        keys.append((rid, match_keys(mapped)))
    shard.flush()   # a pool's workers are terminated, not closed
    return _state["path"], keys, places, failures, warnings, time.perf_counter() - started


def _chunks(records: Iterable, size: int = CHUNK) -> Iterator[list[tuple]]:
    chunk = []
    for rec in records:
        chunk.append((rec.id, rec.source, rec.local_id, rec.format, rec.data, rec.first_seen))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def map_all(records: Iterable, shard_dir: Path, encodings: dict, procs: int,
            on_result: Callable[[list, list, list, float], None]) -> dict[str, tuple]:
    """Map every record; returns record id -> (shard path, offset, length) of its mapped
    form. ``on_result`` gets each chunk's (keys, failures, warnings, seconds)."""
    where: dict[str, tuple] = {}

    def take(result) -> None:
        path, keys, places, failures, warnings, seconds = result
        where.update((rid, (path, offset, length))
                     for (rid, _k), (offset, length) in zip(keys, places))
        on_result(keys, failures, warnings, seconds)

    if procs <= 1:
        _map_init(str(shard_dir), encodings)
        try:
            for chunk in _chunks(records):
                take(_map_chunk(chunk))
        finally:
            _state.pop("shard").close()
        return where
    # The records are read here, in the calling thread (an SQLite connection may
    # not be used from Pool.imap's feeder thread), with a few chunks in flight.
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs, initializer=_map_init, initargs=(str(shard_dir), encodings)) as pool:
        pending: deque = deque()
        for chunk in _chunks(records):
            pending.append(pool.apply_async(_map_chunk, (chunk,)))
            while len(pending) >= 2 * procs:
                take(pending.popleft().get())
        while pending:
            take(pending.popleft().get())
    return where


# -- pass 2: write -------------------------------------------------------------------


# -- pass 2: write ------------------------------------------------------------------

def _write_share(bulk: BulkWriter, share: list[tuple[str, list[tuple[str, tuple]]]],
                 names: dict[str, str], suggest_path: str) -> tuple:
    started = time.perf_counter()
    writer = bulk.share_writer()
    shards: dict[str, int] = {}
    written = 0
    try:
        with SuggestStore(suggest_path, part=True) as suggestions:
            for cid, members in share:
                loaded = []
                for rid, (shard, offset, length) in members:
                    fd = shards.get(shard)
                    if fd is None:
                        fd = shards[shard] = os.open(shard, os.O_RDONLY)
                    source, first_seen, mapped = pickle.loads(os.pread(fd, length, offset))
                    loaded.append(Member(rid, source, mapped, first_seen))
                doc = document_for(cid, loaded, names)
                suggestions.add(doc["display"], doc["holdings"])
                writer.add(doc)
                written += 1
        done = writer.finish()
    except BaseException:
        writer.cancel()
        raise
    finally:
        for fd in shards.values():
            os.close(fd)
    return done, written, time.perf_counter() - started


def _shares(groups: list[tuple[str, list]], procs: int) -> list[list]:
    """One share per worker, dealt out in turn: documents cost very different amounts
    (a Chinese record with pinyin and n-grams several times an English one), and
    neighbouring clusters are alike, so contiguous shares left one worker waiting
    two seconds for the other on the 10,000-record LC file."""
    return [share for share in (groups[i::procs] for i in range(procs)) if share]


def write_all(bulk: BulkWriter, groups: list[tuple[str, list]], names: dict[str, str],
              suggest_path: Path, procs: int) -> tuple[int, float]:
    """Write every cluster's document through ``bulk`` (the engine's), then commit them all;
    returns (documents written, seconds in workers)."""
    shares = _shares(groups, max(1, procs))
    jobs = [(bulk, share, names, f"{suggest_path}.part{i}") for i, share in enumerate(shares)]
    if procs <= 1 or len(jobs) <= 1:   # (none: an empty store)
        results = [_write_share(*job) for job in jobs]
    else:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(len(jobs)) as pool:
            results = pool.starmap(_write_share, jobs)
    bulk.commit([done for done, _n, _s in results])
    SuggestStore(suggest_path).close()   # the store, reading the workers' parts beside it
    return sum(n for _s, n, _t in results), sum(t for _s, _n, t in results)
