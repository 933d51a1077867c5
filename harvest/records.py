"""The plain objects that cross the harvest boundary."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as a member library sent it.

    ``data`` is the record's bytes exactly as received (an ISO 2709 record
    including its terminator, or one MARCXML/Dublin Core record element).
    ``position`` says where it came from, for reports.
    """

    local_id: str
    format: str
    data: bytes
    deleted: bool = False
    datestamp: str | None = None
    position: str = ""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that could not be read; the records around it are kept."""

    where: str       # file or URL
    position: str    # e.g. "record 12 at byte 40960"
    reason: str
    data: bytes = b""

    def __str__(self) -> str:
        return f"{self.where}: {self.position}: {self.reason}"


@dataclass
class ImportSummary:
    """What an import or harvest did to the store, per outcome."""

    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.rejected)

    def as_dict(self) -> dict:
        return {"read": self.read, "new": self.new, "changed": self.changed,
                "unchanged": self.unchanged, "deleted": self.deleted,
                "skipped": self.skipped}

    def __str__(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.as_dict().items())
