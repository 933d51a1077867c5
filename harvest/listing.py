"""The record store listed by last-changed time: what an OAI-PMH provider publishes.

A mixin of :class:`harvest.store.RecordStore` (it uses the store's connection).
Records, tombstones included, are listed in (last_changed, source, local_id)
order with keyset paging, so a page costs the same at the end of a large
store as at its start and nothing is held open between pages. A
:class:`Selection` says which records: a window of last-changed times
(inclusive, as ``YYYY-MM-DDThh:mm:ssZ`` strings), the sources, and the
record formats. The store's migration 1 adds the two indexes these queries
walk (one over every source, one per source).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

LOWEST = ""                 # sorts before every datestamp
HIGHEST = "\U0010ffff"      # sorts after every datestamp, source and local id


@dataclass(frozen=True, slots=True)
class Selection:
    """Which records a listing covers.

    ``sources`` None means every source. ``formats`` None means every
    stored format; otherwise a record is listed when its stored format is
    one of ``formats`` or it is stored as ``marcxml`` by one of
    ``marcxml_sources`` (MARCXML carries no flavour of its own: the
    source's setting gives it).
    """

    after: str = LOWEST         # from: last_changed >= after
    until: str = HIGHEST        # until: last_changed <= until
    sources: tuple[str, ...] | None = None
    formats: tuple[str, ...] | None = None
    marcxml_sources: tuple[str, ...] = ()

    @property
    def one_source(self) -> str | None:
        return self.sources[0] if self.sources is not None and len(self.sources) == 1 else None

    def where(self, after_key: tuple[str, str, str] | None = None) -> tuple[str, list]:
        """The SQL condition and its parameters; with ``after_key``, only the records after it.

        The key is a row value on the columns of the index the listing walks, and it
        replaces the ``after`` bound (every key of a listing is at or past it), so
        SQLite starts the index range at the key: with a separate bound it would
        start at ``after`` and filter its way to the key, and the pages of a large
        store would get slower towards the end.
        """
        clauses, params = [], []
        one = self.one_source
        if one is not None:
            clauses.append("source = ?")
            params.append(one)
        if after_key is None:
            clauses.append("last_changed >= ?")
            params.append(self.after)
        elif one is not None:
            clauses.append("(last_changed, local_id) > (?, ?)")
            params += [after_key[0], after_key[2]]
        else:
            clauses.append("(last_changed, source, local_id) > (?, ?, ?)")
            params += list(after_key)
        clauses.append("last_changed <= ?")
        params.append(self.until)
        if self.sources is not None and one is None:
            clauses.append(f"source IN ({', '.join('?' * len(self.sources))})"
                           if self.sources else "0")
            params += self.sources
        if self.formats is not None:
            either = [f"format IN ({', '.join('?' * len(self.formats))})" if self.formats
                      else "0"]
            params += self.formats
            if self.marcxml_sources:
                either.append(f"(format = 'marcxml' AND source IN"
                              f" ({', '.join('?' * len(self.marcxml_sources))}))")
                params += self.marcxml_sources
            clauses.append(f"({' OR '.join(either)})")
        return " AND ".join(clauses), params

    @property
    def order(self) -> str:
        return ("last_changed, local_id" if self.one_source is not None
                else "last_changed, source, local_id")


@dataclass(frozen=True, slots=True)
class Listed:
    """One record as a listing gives it: ``data`` is None for a tombstone."""

    source: str
    local_id: str
    format: str
    data: bytes | None
    deleted: bool
    last_changed: str

    @property
    def key(self) -> tuple[str, str, str]:
        """Where the listing goes on after this record."""
        return (self.last_changed, self.source, self.local_id)


class StoreListing:
    """Listing methods of the record store (``self.db`` comes from the store)."""

    def earliest_change(self) -> str | None:
        """The oldest last-changed time of any record (tombstones included), or None."""
        return self.db.execute("SELECT min(last_changed) FROM records").fetchone()[0]

    def count_listed(self, selection: Selection) -> int:
        where, params = selection.where()
        return self.db.execute(f"SELECT count(*) FROM records WHERE {where}",
                               params).fetchone()[0]

    def list_changed(self, selection: Selection, after_key: tuple[str, str, str] | None = None,
                     limit: int = 200, with_data: bool = True) -> list[Listed]:
        """Up to ``limit`` records of the selection after ``after_key``, oldest change first
        (one source: walking records_source_changed, every source: records_changed)."""
        where, params = selection.where(after_key)
        data = "data" if with_data else "NULL"
        sql = (f"SELECT source, local_id, format, {data}, deleted, last_changed FROM records"
               f" WHERE {where} ORDER BY {selection.order} LIMIT ?")
        rows = self.db.execute(sql, [*params, limit]).fetchall()
        return [Listed(s, i, f, d, bool(x), c) for s, i, f, d, x, c in rows]

    def iter_listed(self, selection: Selection, chunk: int = 1000) -> Iterator[Listed]:
        """Every record of the selection, in listing order, read in chunks."""
        key = None
        while True:
            rows = self.list_changed(selection, key, chunk)
            yield from rows
            if len(rows) < chunk:
                return
            key = rows[-1].key
