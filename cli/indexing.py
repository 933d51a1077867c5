"""The index: ``index`` (update or rebuild, probed before it goes live) and ``status``."""

from __future__ import annotations

import json
import logging

from harvest.config import Home
from harvest.errors import ConfigError
from harvest.store import RecordStore

from . import logs
from .common import EXIT_ERROR, EXIT_OK, err, load, log_warning, writing
from .progress import Progress


def cmd_index(args) -> int:
    home = load(args)
    if args.source and args.rebuild:
        raise ConfigError("--rebuild rebuilds every source; use --source without it")
    if args.source:
        home.source(args.source)
    what = "index" + (" --rebuild" if args.rebuild else "") + \
        (f" --source {args.source}" if args.source else "")
    with writing(home, args, what), RecordStore(home.store_path) as store:
        report = index(home, store, rebuild=args.rebuild, source=args.source)
    print(report)
    return 0


def index(home: Home, store: RecordStore, rebuild: bool = False, source: str | None = None):
    """Bring the index up to date (or rebuild it), with progress; the caller holds the lock.

    ``source``: map that source's records again, whatever changed.
    """
    from discovery.engines import index_dir as engine_index_dir, open_index
    from discovery.health import check_generation
    from indexer import build
    from indexer.errors import GenerationRefused, IndexerError, RebuildNeeded

    log = logging.getLogger(logs.LOGGER)

    def verify(gen, report) -> list[str]:
        """Search the new generation before it goes live (discovery.health)."""
        found = check_generation(home, gen, tuple(report.written_ids),
                                 tuple(report.removed_ids))
        log.info("probe of %s: %s", gen.name, found)
        return found.problems

    def failure(record_id: str, reason: str) -> None:
        err(f"not indexed {record_id}: {reason}")
        log.warning("not indexed %s: %s", record_id, reason)

    engine = open_index(home)
    index_dir = engine_index_dir(home)
    try:
        live = index_dir.current()
    except IndexerError:
        if not rebuild:
            raise
        live = None  # a damaged live generation is what a rebuild replaces
    if not rebuild and live is not None and live.stale:
        raise RebuildNeeded(live.stale_reason)
    if source:
        touched = store.touch_source(source)
        log.info("index --source %s: %d records to map again", source, touched)
    progress = Progress()
    if rebuild or live is None:
        total = sum(c["records"] for c in store.counts().values())
    else:
        total = store.count_changed(int(live.meta.get("store_seq", 0)))
    counting = _Counting(store, lambda n: progress.update(f"indexing: {n} of {total} records"
                                                          " read", n, total))
    try:
        if rebuild:
            report = build.rebuild(home, counting, engine,
                                   procs=int(home.settings["index_procs"]),
                                   on_failure=failure, on_warning=log_warning, verify=verify)
        else:
            report = build.update(home, counting, engine, on_failure=failure,
                                  on_warning=log_warning, verify=verify)
    except GenerationRefused as exc:
        log.error("%s", exc)
        raise
    finally:
        progress.done()
    for name in index_dir.cleanup():
        log.info("removed index generation %s", name)
    log.info("%s", report)
    store.snapshot_counts()
    # records whose source settings changed (touch_source), or a store older than the checks
    from .reports import keep_quality_current
    keep_quality_current(home, store)
    return report


class _Counting:
    """The store as the indexer sees it, counting the records it reads (for progress)."""

    def __init__(self, store: RecordStore, on_record):
        self._store = store
        self._on_record = on_record
        self._count = 0

    def __getattr__(self, name):
        return getattr(self._store, name)

    def iter_records(self, *args, **kwargs):
        for rec in self._store.iter_records(*args, **kwargs):
            self._count += 1
            if self._count % 100 == 0:
                self._on_record(self._count)
            yield rec


def cmd_status(args) -> int:
    from harvest import oai
    from harvest.lock import holder
    from discovery.engines import open_index
    from discovery.errors import EngineUnavailable
    from discovery.feeds import alerts, health
    from indexer import build

    home = load(args)
    with RecordStore(home.store_path) as store:
        counts = store.counts()
        try:
            index = build.status(home, store, open_index(home))
        except EngineUnavailable as exc:   # a SolrCloud down: say so, and the rest of the status
            index = _unreachable(home, store, exc)
        harvests = oai.harvest_status(store, list(home.sources))
        feeds = health(home, store)
    sources = {code: {"name": s.name, "kind": s.kind, "records": 0, "deleted": 0,
                      **counts.get(code, {}), "harvest": harvests.get(code)}
               for code, s in home.sources.items()}
    for code in counts.keys() - sources.keys():
        sources[code] = {"name": "(not configured)", "kind": "", **counts[code]}
    search = _probe(home) if "documents" in index or index["state"] == "unreachable" else None
    broken = index["state"] == "damaged" or (search is not None and not search.ok)
    exit_code = EXIT_ERROR if broken else EXIT_OK
    if args.json:
        print(json.dumps({"home": str(home.path), "sources": sources, "index": index,
                          "search": search.to_dict() if search else None,
                          "feeds": feeds, "alerts": alerts(feeds)},
                         ensure_ascii=False, indent=1, default=str))
        return exit_code
    print(f"home: {home.path}")
    for code, s in sources.items():
        print(f"  {code:<10} {s['records']:>8} records {s['deleted']:>6} deleted  {s['name']}")
        harvest = s.get("harvest")
        if harvest:
            last = harvest["last"]
            print(f"             last harvest: {last['status']} {last['started']}"
                  f" ({last['records']} records, new {last['new']}, changed {last['changed']},"
                  f" deleted {last['deleted']}, errors {last['errors']})")
            if harvest.get("last_ok") and harvest["last_ok"]["id"] != last["id"]:
                print(f"             last good harvest: {harvest['last_ok']['started']}")
        if code in feeds:
            print_feed(feeds[code])
    print(f"index: {index['state']}: {index['message']}")
    if "documents" in index:
        print(f"  generation {index['generation']}: {index['documents']} documents,"
              f" store change {index['indexed_seq']} of {index['store_seq']}")
    refused = index.get("refused")
    if refused:
        print(f"  refused: the {refused['what']} of {refused['when']} ({refused['generation']})"
              f" did not go live: {'; '.join(refused['problems'])}")
    if search is not None:
        print(f"search: {search}")
    writer = holder(home)
    if writer is not None:
        print(f"writer: busy: {writer}")
    return exit_code


def print_feed(feed: dict, runs: int = 3) -> None:
    """A source's harvest health under its line of ``sheaf status``."""
    pad = " " * 13
    good = feed["last_ok"]
    print(f"{pad}last good run: " + (f"{good['kind']} {good['finished']}" if good else "none"))
    for run in feed["runs"][:runs]:
        print(f"{pad}  {run['kind']} {run['status']} {run['started']}: read {run['records']},"
              f" new {run['new']}, changed {run['changed']}, deleted {run['deleted']}")
    for run in feed["failures"][:runs]:
        reason = run["messages"][-1] if run["messages"] else run["status"]
        print(f"{pad}{run['status']}: {run['kind']} {run['started']}: {reason}")
    for kept in feed["bad_pages"]:
        print(f"{pad}bad pages kept: {kept['pages']} listed in bad-pages/{kept['file']}")
    for warning in feed["warnings"]:
        print(f"{pad}WARNING {warning['event']}: {warning['message']}")


def _unreachable(home: Home, store: RecordStore, exc: Exception) -> dict:
    """The index state when its engine does not answer (the generation is read locally)."""
    from discovery.engines import engine_name, index_dir
    from indexer.errors import IndexerError

    try:
        gen = index_dir(home).current()
    except IndexerError:
        gen = None
    return {"state": "unreachable", "store_seq": store.max_seq(),
            "generation": gen.name if gen else None,
            "message": f"the search engine ({engine_name(home)}) is unreachable: {exc}"}


def _probe(home: Home):
    """The live generation searched as a reader would (discovery.health)."""
    from discovery.engines import open_search
    from discovery.health import probe

    search = open_search(home)
    try:
        return probe(search)
    finally:
        search.close()
