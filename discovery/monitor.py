"""What monitoring and the admin page show: one data structure, rendered by each.

:func:`overview` gathers, read-only, the counts per source, the last harvest
or import of each with its problems, the index generation and its state,
and who holds the writer lock. ``/status.json`` renders it as JSON (see
:func:`public`), the admin page as HTML. Nothing secret goes in: no paths,
no configuration values, and passwords written into URLs are masked.
"""

from __future__ import annotations

from datetime import datetime, timezone

from harvest import lock
from harvest.config import Home
from harvest.oai.report import harvest_status
from harvest.store import RecordStore
from indexer.generations import status as index_status

from .engines import open_index
from .feeds import alerts, health
from .runs import from_harvest, from_import, mask  # noqa: F401 - mask: web.admin uses it

def overview(home: Home, store: RecordStore, backend=None) -> dict:
    """Counts, last harvest per source, index state, writer and problems, as plain data.

    With a search ``backend``, the live generation is also searched
    (:func:`discovery.health.probe`) and the result is ``search``."""
    counts = store.counts()
    codes = list(home.sources) + sorted(counts.keys() - home.sources.keys())
    harvests = harvest_status(store, codes)
    imports = {code: store.import_history(code, limit=1) for code in codes}
    sources: dict[str, dict] = {}
    errors: list[dict] = []
    for code in codes:
        configured = home.sources.get(code)
        runs = []
        if harvests.get(code):
            runs.append(from_harvest(harvests[code]["last"]))
        if imports[code]:
            runs.append(from_import(imports[code][0]))
        last = max(runs, key=lambda r: r["started"]) if runs else None
        problems = [m for r in runs if r["status"] != "ok" or r["errors"] for m in r["messages"]]
        sources[code] = {
            "name": configured.name if configured else "(not configured)",
            "kind": configured.kind if configured else "",
            "records": counts.get(code, {}).get("records", 0),
            "deleted": counts.get(code, {}).get("deleted", 0),
            "last_harvest": last,
            "last_ok": next((r["finished"] for r in sorted(runs, key=lambda r: r["started"],
                                                            reverse=True)
                             if r["status"] == "ok"), None),
            "errors": problems,
        }
        for run in runs:
            if run["status"] != "ok" or run["errors"]:
                errors.append({"source": code, "kind": run["kind"], "when": run["started"],
                               "status": run["status"], "errors": run["errors"],
                               "messages": run["messages"]})
    index = index_status(home, store, open_index(home))
    if index["state"] in ("damaged", "rebuild-needed"):
        errors.append({"source": None, "kind": "index", "when": None, "status": index["state"],
                       "errors": 1, "messages": [index["message"]]})
    refused = index.get("refused")
    if refused:
        errors.append({"source": None, "kind": "index", "when": refused["when"],
                       "status": "refused", "errors": 1,
                       "messages": [f"the {refused['what']} made {refused['generation']}, which"
                                    " was refused (the live generation stays): "
                                    + "; ".join(refused["problems"])]})
    search = None
    if backend is not None and index["state"] not in ("missing",):
        from .health import probe

        search = probe(backend).to_dict()
        if search["status"] != "ok":
            errors.append({"source": None, "kind": "search", "when": None, "status": "failed",
                           "errors": 1, "messages": search["problems"]})
    holder = lock.holder(home)
    failed = any(e["status"] not in ("ok",) for e in errors)
    alerted = alerts(health(home, store))   # run messages come masked (discovery.runs)
    return {
        "status": "error" if failed else ("warning" if errors or alerted else "ok"),
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "records": sum(s["records"] for s in sources.values()),
        "deleted": sum(s["deleted"] for s in sources.values()),
        "sources": sources,
        "index": index,
        "search": search,
        "writer": {"what": holder.what, "since": holder.since} if holder else None,
        "errors": errors,
        "alerts": alerted,
    }


def public(data: dict) -> dict:
    """The overview as ``/status.json`` serves it."""
    index = {k: data["index"][k] for k in ("state", "message", "generation", "documents",
                                           "indexed_seq", "store_seq", "built", "updated",
                                           "refused")
             if k in data["index"]}
    return {**data, "index": index}
