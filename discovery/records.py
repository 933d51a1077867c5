"""A cluster and its member records, for the record page, the record API and exports.

The index holds what search needs; the full member records come from the
store, decoded and mapped again, so the record page always shows what the
member library sent, whatever the index was built with.
"""

from __future__ import annotations

from dataclasses import dataclass

from harvest.config import Home
from harvest.store import RecordStore
from indexer.errors import MappingError, TooLongForIso2709
from indexer.export import record_of, to_iso2709, to_marcxml
from indexer.mapping import map_stored

from .service import SearchService


@dataclass
class MemberRecord:
    record_id: str
    source: str
    library: str
    format: str
    data: bytes
    mapped: dict
    first_seen: str
    last_changed: str
    encoding: str | None = None

    @property
    def local_id(self) -> str:
        return self.record_id.split(":", 1)[1]

    def marc_lines(self) -> list[str]:
        """The record in MARC breaker text (=LDR, =245 10$a...), for the staff view."""
        return str(record_of(self.data, self.format, self.encoding, self.local_id)).splitlines()

    def marcxml(self) -> bytes:
        return to_marcxml(self.data, self.format, self.encoding, self.local_id)

    def iso2709(self) -> bytes:
        return to_iso2709(self.data, self.format, self.encoding, self.local_id)

    def fits_iso2709(self) -> bool:
        """Whether :meth:`iso2709` can write this record: a record stored as MARCXML may
        have a field over 9,999 bytes or be over 99,999, more than a directory can say,
        and then the pages offer MARCXML instead of a MARC 21 link that is refused."""
        try:
            self.iso2709()
        except TooLongForIso2709:
            return False
        except MappingError:
            return True     # not a size: the export itself says why (a 422)
        return True


@dataclass
class ClusterView:
    id: str
    display: dict
    members: list[MemberRecord]

    @property
    def main(self) -> MemberRecord | None:
        """The member whose record is the cluster's display record."""
        return self.members[0] if self.members else None


class RecordService:
    def __init__(self, home: Home, search: SearchService):
        self.home = home
        self.search = search

    def member(self, record_id: str, store: RecordStore | None = None) -> MemberRecord | None:
        source, sep, local_id = record_id.partition(":")
        if not sep or not local_id:
            return None
        own = store is None
        store = store or RecordStore(self.home.store_path)
        try:
            rec = store.get(source, local_id)
        finally:
            if own:
                store.close()
        if rec is None or rec.deleted:
            return None
        src = self.home.sources.get(source)
        encoding = src.encoding if src else None
        try:
            mapped = map_stored(rec.data, rec.format, encoding, source=source,
                                local_id=local_id, on_warning=lambda message: None)
        except MappingError:
            mapped = {}
        return MemberRecord(record_id=rec.id, source=source,
                            library=src.name if src else source, format=rec.format,
                            data=rec.data, mapped=mapped, first_seen=rec.first_seen,
                            last_changed=rec.last_changed, encoding=encoding)

    def cluster(self, any_id: str, deadline=None) -> ClusterView | None:
        """The cluster with this id, or the one a member record with this id belongs to
        (SearchTimeout when the engine could not be had before ``deadline``)."""
        found = self.search.cluster(any_id, deadline=deadline)
        if found is None:
            return None
        display = found.display
        with RecordStore(self.home.store_path) as store:
            members = [m for m in (self.member(rid, store) for rid in display.get("members", []))
                       if m is not None]
        return ClusterView(id=found.id, display=display, members=members)
