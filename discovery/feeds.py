"""Harvest health: how each member library's feed has been doing, as plain data.

:func:`health` gives, per source, its last good harvest or import, its recent
runs (added, changed, deleted), the failures among them with their reasons,
the bad OAI-PMH pages kept for it, and warnings: a feed gone silent (no good
run for ``feed_silent_days``) or shrunk suddenly (live records down by more
than ``feed_shrink_share`` within 30 days, or a whole export that much
smaller than the records the store holds).
:func:`alerts` is what needs a librarian now: the sources whose latest run
failed or was refused by the deletion guard, and the warnings. ``sheaf
status``, the admin health page and ``/status.json`` all render these.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from harvest.config import Home
from harvest.store import RecordStore

from .runs import from_harvest, from_import

RECENT_RUNS = 10
SHRINK_DAYS = 30
BAD_PAGE_FILES = 5
# kinds of run that read a member's whole export, so their sizes can be compared: a replace,
# and the harvest of a MARC file source (an OAI-PMH harvest reads only what changed)
_FULL_READS = {"marc": ("replace", "harvest"), "oai": ("replace",)}
FAILED = ("failed", "refused")


def _parse(stamp: str | None) -> datetime | None:
    try:
        return datetime.strptime(stamp or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def recent_runs(store: RecordStore, code: str, limit: int = RECENT_RUNS) -> list[dict]:
    """The source's latest harvests and imports together, newest first."""
    runs = [from_harvest(r.as_dict()) for r in store.harvest_history(code, limit)]
    runs += [from_import(row) for row in store.import_history(code, limit)]
    return sorted(runs, key=lambda r: r["started"], reverse=True)[:limit]


def _bad_pages(home: Home, code: str) -> list[dict]:
    """The source's latest bad-page index files (harvest.oai.report.BadPageLog)."""
    found = sorted((home.path / "bad-pages").glob(f"{code}-*.txt"), reverse=True)
    out = []
    for path in found[:BAD_PAGE_FILES]:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        reasons = [line.split("\t", 2)[-1] for line in lines if line.strip()]
        out.append({"file": path.name, "pages": len(reasons), "reasons": reasons[:3]})
    return out


def _shrunk(home: Home, store: RecordStore, code: str, live: int,
            runs: list[dict], full_reads: tuple[str, ...]) -> list[dict]:
    share = float(home.settings["feed_shrink_share"])
    found = []
    history = [(day, n) for day, source, n in store.counts_history(SHRINK_DAYS) if source == code]
    if history:
        day, most = max(history, key=lambda dn: dn[1])
        if most and live < (1 - share) * most:
            found.append(_warning("shrunk", f"live records fell from {most} ({day}) to {live}"))
    # a whole export far smaller than what the store holds (a refused replace leaves the
    # store as it was, so this is what still shows the shrink after a refusal)
    latest = next((r for r in runs if r["kind"] in full_reads), None)
    if latest is not None and latest["status"] in ("ok", "refused") and \
            latest["records"] < (1 - share) * live:
        found.append(_warning("shrunk", f"the latest {latest['kind']} read {latest['records']}"
                                        f" records of the {live} in the store"))
    return found


def _warning(event: str, message: str) -> dict:
    return {"event": event, "message": message}


def health(home: Home, store: RecordStore, now: datetime | None = None) -> dict[str, dict]:
    """Per configured source: ``last_ok``, ``runs``, ``failures``, ``bad_pages``, ``warnings``."""
    now = now or datetime.now(timezone.utc)
    silent_after = timedelta(days=int(home.settings["feed_silent_days"]))
    counts = store.counts()
    out = {}
    for code, source in home.sources.items():
        runs = recent_runs(store, code)
        good = next((r for r in runs if r["status"] == "ok"), None)
        live = counts.get(code, {}).get("records", 0)
        warnings = []
        finished = _parse(good["finished"]) if good else None
        if good is None:
            warnings.append(_warning("silent", "no successful harvest or import yet"))
        elif finished is not None and now - finished > silent_after:
            warnings.append(_warning("silent", f"no successful harvest or import for"
                                               f" {(now - finished).days} days (last"
                                               f" {good['finished']})"))
        warnings += _shrunk(home, store, code, live, runs, _FULL_READS[source.kind])
        out[code] = {"name": source.name, "kind": source.kind, "records": live,
                     "last_ok": good, "runs": runs,
                     "failures": [r for r in runs if r["status"] in FAILED],
                     "bad_pages": _bad_pages(home, code), "warnings": warnings}
    return out


def alerts(feeds: dict[str, dict]) -> list[dict]:
    """What needs a librarian now: latest runs that failed or were refused, and warnings."""
    out = []
    for code, feed in feeds.items():
        latest = feed["runs"][0] if feed["runs"] else None
        if latest is not None and latest["status"] in FAILED:
            out.append({"source": code, "event": latest["status"], "when": latest["started"],
                        "message": (latest["messages"] or [latest["status"]])[-1]})
        out += [{"source": code, "when": None, **warning} for warning in feed["warnings"]]
    return out
