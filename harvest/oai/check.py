"""``sheaf source check CODE``: ask a repository what it offers before harvesting it.

Runs Identify, ListMetadataFormats and ListSets (all pages, up to a limit)
and says, in words a librarian can act on, whether the source's
metadataPrefix and set are offered and how the server keeps deletions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import islice

from ..config import Source
from ..errors import ConfigError, HarvestError
from .client import OaiClient, RetryPolicy
from .protocol import Identify, MetadataFormat, OaiSet

MAX_SETS = 1000


@dataclass
class SourceCheck:
    code: str
    url: str
    identify: Identify | None = None
    formats: list[MetadataFormat] = field(default_factory=list)
    sets: list[OaiSet] = field(default_factory=list)
    sets_truncated: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        ident = self.identify
        return {
            "source": self.code, "url": self.url, "ok": self.ok,
            "identify": None if ident is None else {
                "repository_name": ident.repository_name, "base_url": ident.base_url,
                "protocol_version": ident.protocol_version,
                "earliest_datestamp": ident.earliest_datestamp,
                "deleted_record": ident.deleted_record, "granularity": ident.granularity,
                "admin_emails": list(ident.admin_emails)},
            "formats": [{"prefix": f.prefix, "schema": f.schema, "namespace": f.namespace}
                        for f in self.formats],
            "sets": [{"spec": s.spec, "name": s.name} for s in self.sets],
            "sets_truncated": self.sets_truncated,
            "problems": self.problems, "notes": self.notes}

    def __str__(self) -> str:
        lines = [f"{self.code}: {self.url}"]
        ident = self.identify
        if ident is not None:
            lines += [f"  repository: {ident.repository_name or '(no name)'}"
                      f" (OAI-PMH {ident.protocol_version or '?'})",
                      f"  records since {ident.earliest_datestamp or '?'};"
                      f" granularity {ident.granularity}; deletions: {ident.deleted_record or '?'}"]
        if self.formats:
            lines.append("  formats: " + ", ".join(f.prefix for f in self.formats))
        if ident is not None:
            more = "+" if self.sets_truncated else ""
            lines.append(f"  sets: {len(self.sets)}{more}" + (
                " (" + ", ".join(s.spec for s in self.sets[:10])
                + (", ..." if len(self.sets) > 10 else "") + ")" if self.sets else ""))
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  note: {n}" for n in self.notes]
        lines.append("  ready to harvest" if self.ok else "  not ready to harvest")
        return "\n".join(lines)


def check_source(source: Source, *, client: OaiClient | None = None,
                 max_sets: int = MAX_SETS) -> SourceCheck:
    """Identify, ListMetadataFormats and ListSets against a source; never raises for the
    server's faults (they become ``problems``). A check tries each request at most
    three times (fewer if the source says so), so a dead server is reported quickly."""
    if source.kind != "oai":
        raise ConfigError(f"source {source.code!r} is not an OAI-PMH source")
    if client is None:
        policy = RetryPolicy.for_source(source)
        client = OaiClient(source.url, replace(policy, max_tries=min(policy.max_tries, 3)))
    check = SourceCheck(source.code, source.url)
    try:
        check.identify = client.identify()
    except HarvestError as exc:
        check.problems.append(f"Identify failed: {exc}")
        return check
    try:
        check.formats = client.list_metadata_formats()
    except HarvestError as exc:
        check.problems.append(f"ListMetadataFormats failed: {exc}")
    try:
        check.sets = list(islice(client.list_sets(), max_sets + 1))
        if len(check.sets) > max_sets:
            check.sets, check.sets_truncated = check.sets[:max_sets], True
    except HarvestError as exc:
        check.problems.append(f"ListSets failed: {exc}")
    prefixes = [f.prefix for f in check.formats]
    if check.formats and source.prefix not in prefixes:
        check.problems.append(f"the server does not offer metadataPrefix {source.prefix!r}"
                              f" (it offers {', '.join(prefixes)})")
    if source.set_spec and not check.sets_truncated and \
            source.set_spec not in {s.spec for s in check.sets}:
        check.problems.append(f"the server has no set {source.set_spec!r}")
    policy = check.identify.deleted_record
    if policy in ("no", "transient") and not source.sweep_deletions:
        how = "not at all" if policy == "no" else "only for a while"
        check.notes.append(f"the server keeps deletions {how}: set sweep_deletions = true"
                           " to find vanished records")
    return check
