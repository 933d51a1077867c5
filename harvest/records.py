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


@dataclass(frozen=True, slots=True)
class ReadWarning:
    """A record that was read, but not as cleanly as it should have been."""

    where: str       # file or URL
    position: str    # e.g. "record 12 at byte 40960"
    reason: str

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
    warnings: list[ReadWarning] = field(default_factory=list)
    reject_files: list = field(default_factory=list)   # HOME/rejects/... files written

    @property
    def skipped(self) -> int:
        return len(self.rejected)

    def as_dict(self) -> dict:
        return {"read": self.read, "new": self.new, "changed": self.changed,
                "unchanged": self.unchanged, "deleted": self.deleted,
                "skipped": self.skipped}

    def reasons(self, items: list | None = None) -> list[tuple[str, int]]:
        """(reason, count) for skipped records (or ``items``), most frequent first."""
        counts: dict[str, int] = {}
        for item in self.rejected if items is None else items:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def __str__(self) -> str:
        text = ", ".join(f"{k} {v}" for k, v in self.as_dict().items())
        return text + (f" ({len(self.warnings)} warnings)" if self.warnings else "")
