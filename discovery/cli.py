"""The ``sheaf`` command line: the application layer, calling down into the packages.

User errors (unknown source, unreadable file, bad query, no index) end
with a one-line ``sheaf: error: ...`` on stderr and exit status 1; usage
errors exit 2 as argparse does. No traceback reaches a user.

Commands that write (harvest, import, index, source remove/edit, restore)
hold the writer lock (:mod:`harvest.lock`); a second writer stops at once
with ``sheaf: error: busy: <what> since <when>`` and exit status 75
(EX_TEMPFAIL: try again later), unless ``--wait`` gives it time.
Heavy modules (Whoosh, NumPy, the analyzers) are imported by the commands
that need them, so that a no-op ``sheaf index`` starts quickly.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from harvest.config import MARC_FLAVOURS, Home, Source
from harvest.errors import ConfigError, SheafError
from harvest.importer import harvest_marc_source, import_files
from harvest.lock import Busy, writer_lock
from harvest.marcfile import FORMATS
from harvest.records import Rejected
from harvest.store import RecordStore

from . import logs, maintenance
from .progress import Progress
from .results import SearchRequest

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 75, 130


def _err(message: str) -> None:
    print(f"sheaf: {message}", file=sys.stderr)


def _report_reject(rejected: Rejected) -> None:
    _err(f"skipped {rejected}")
    logging.getLogger(logs.LOGGER).warning("skipped %s", rejected)


def _log_warning(warning) -> None:
    logging.getLogger(logs.LOGGER).warning("%s", warning)


def _load(args) -> Home:
    home = Home.load(Home.locate(args.home))
    logs.setup(home)
    return home


def _writing(home: Home, args, what: str):
    """The writer lock for ``what``, waiting at most ``--wait`` seconds for it."""
    return writer_lock(home, what, wait=getattr(args, "wait", 0) or 0)


def _snapshot(home: Home) -> None:
    with RecordStore(home.store_path) as store:
        store.snapshot_counts()


def cmd_init(args) -> int:
    home = Home.init(Home.locate(args.home))
    RecordStore(home.store_path).close()
    print(f"Sheaf home ready at {home.path}")
    return 0


def cmd_source_add(args) -> int:
    home = _load(args)
    if args.marc:
        path = os.path.abspath(os.path.expanduser(args.marc))  # globs survive abspath
        source = Source(code=args.code, name=args.name, kind="marc", path=path,
                        flavour=args.flavour, encoding=args.encoding)
    else:
        source = Source(code=args.code, name=args.name, kind="oai", url=args.oai,
                        prefix=args.prefix, set_spec=args.set)
    home.add_source(source)
    print(f"added source {source.code} ({source.name})")
    return 0


def cmd_source_list(args) -> int:
    home = _load(args)
    with RecordStore(home.store_path) as store:
        counts = store.counts()
    if args.json:
        print(json.dumps([{"code": s.code, **s.to_table(), **counts.get(s.code, {})}
                          for s in home.sources.values()], ensure_ascii=False, indent=1))
        return 0
    if not home.sources:
        print("no sources yet: add one with `sheaf source add`")
    for s in home.sources.values():
        where = s.path if s.kind == "marc" else f"{s.url} ({s.prefix}{', set ' + s.set_spec if s.set_spec else ''})"
        n = counts.get(s.code, {}).get("records", 0)
        print(f"{s.code:<10} {s.kind:<4} {n:>8} records  {s.name}  <{where}>")
    return 0


def _print_summary(label: str, summary) -> None:
    print(f"{label}: {summary}")
    logging.getLogger(logs.LOGGER).info("%s: %s", label, summary)
    for reason, n in summary.reasons():
        print(f"  skipped {n}: {reason}")
    for reason, n in summary.reasons(summary.warnings):
        print(f"  warning {n}: {reason}")
    for path in summary.reject_files:
        print(f"  skipped records kept in {path}")
    if summary.warnings:
        print(f"  details in {logs.LOGGER}.log under the home's logs/")


def cmd_harvest(args) -> int:
    from harvest import oai

    home = _load(args)
    codes = args.codes or list(home.sources)
    sources = [home.source(c) for c in codes]
    status = 0
    with _writing(home, args, " ".join(["harvest", *args.codes])), \
            RecordStore(home.store_path) as store:
        for source in sources:
            progress = Progress()
            if source.kind == "marc":
                if args.from_ or args.until or args.full:
                    _err(f"{source.code}: --from, --until and --full apply to OAI-PMH sources;"
                         " a MARC source is read whole")
                try:
                    summary = harvest_marc_source(
                        home, store, source, on_reject=_report_reject, on_warning=_log_warning,
                        progress=lambda n, c=source.code: progress.update(f"{c}: {n} records read"))
                except SheafError as exc:  # one unreadable source does not stop the others
                    progress.done()
                    _err(f"error: {source.code}: {exc}")
                    logging.getLogger(logs.LOGGER).error("%s: %s", source.code, exc)
                    status = 1
                    continue
                progress.done()
                _print_summary(source.code, summary)
                continue
            report = oai.harvest_oai_source(
                home, store, source, full=args.full, from_=args.from_, until=args.until,
                progress=lambda p: progress.update(str(p)), on_reject=_report_reject)
            progress.done()
            print(report)
            if not report.ok:
                status = 1
        store.snapshot_counts()
    return status


def cmd_source_check(args) -> int:
    home = _load(args)
    source = home.source(args.code)
    if source.kind != "oai":
        raise ConfigError(f"source {source.code!r} is a MARC file source; `source check` asks an"
                          " OAI-PMH server")
    from harvest import oai

    check = oai.check_source(source)
    if args.json:
        print(json.dumps(check.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(check)
    return 0 if check.ok else 1


def cmd_import(args) -> int:
    home = _load(args)
    if args.yes and not args.replace:
        raise ConfigError("--yes confirms a --replace; without --replace nothing is deleted")
    home.source(args.source)
    with _writing(home, args, f"import {args.source}"), RecordStore(home.store_path) as store:
        if args.replace:
            summary = maintenance.replace(home, store, args, _report_reject, _log_warning)
        else:
            progress = Progress()
            summary = import_files(home, store, args.source, args.paths, fmt=args.format,
                                   on_reject=_report_reject, flavour=args.flavour,
                                   encoding=args.encoding, on_warning=_log_warning,
                                   progress=lambda n: progress.update(
                                       f"{args.source}: {n} records read"))
            progress.done()
        store.snapshot_counts()
    _print_summary(f"{args.source}", summary)
    return 1 if args.strict and summary.rejected else 0


def cmd_index(args) -> int:
    home = _load(args)
    if args.source and args.rebuild:
        raise ConfigError("--rebuild rebuilds every source; use --source without it")
    if args.source:
        home.source(args.source)
    what = "index" + (" --rebuild" if args.rebuild else "") + \
        (f" --source {args.source}" if args.source else "")
    with _writing(home, args, what), RecordStore(home.store_path) as store:
        report = index(home, store, rebuild=args.rebuild, source=args.source)
    print(report)
    return 0


def index(home: Home, store: RecordStore, rebuild: bool = False, source: str | None = None):
    """Bring the index up to date (or rebuild it), with progress; the caller holds the lock.

    ``source``: map that source's records again, whatever changed.
    """
    from indexer import build
    from indexer.errors import GenerationRefused, IndexerError, RebuildNeeded
    from indexer.generations import IndexDir

    from .health import check_generation

    log = logging.getLogger(logs.LOGGER)

    def verify(gen, report) -> list[str]:
        """Search the new generation before it goes live (discovery.health)."""
        found = check_generation(home, gen, tuple(report.written_ids),
                                 tuple(report.removed_ids))
        log.info("probe of %s: %s", gen.name, found)
        return found.problems

    def failure(record_id: str, reason: str) -> None:
        _err(f"not indexed {record_id}: {reason}")
        log.warning("not indexed %s: %s", record_id, reason)

    index_dir = IndexDir(home.index_path)
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
            report = build.rebuild(home, counting, procs=int(home.settings["index_procs"]),
                                   on_failure=failure, on_warning=_log_warning, verify=verify)
        else:
            report = build.update(home, counting, on_failure=failure, on_warning=_log_warning,
                                  verify=verify)
    except GenerationRefused as exc:
        log.error("%s", exc)
        raise
    finally:
        progress.done()
    for name in index_dir.cleanup():
        log.info("removed index generation %s", name)
    log.info("%s", report)
    store.snapshot_counts()
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


def cmd_search(args) -> int:
    from .backend import WhooshBackend

    home = _load(args)
    backend = WhooshBackend(home)
    try:
        result = backend.search(SearchRequest(query=args.query, page=args.page,
                                              limit=args.limit if args.limit is not None else int(home.settings["page_size"])))
    finally:
        backend.close()
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return 0
    first = (result.request.page - 1) * result.request.limit
    print(f"{result.total} results for {result.request.query!r}"
          f" (page {result.request.page} of {result.pages})")
    for n, hit in enumerate(result.hits, start=first + 1):
        title = hit.title + (f" = {hit.title_vernacular}" if hit.title_vernacular else "")
        who = "; ".join(hit.authors[:2])
        year = f" ({hit.year})" if hit.year else ""
        libs = ", ".join(h.source for h in hit.holdings)
        print(f"{n:>4}. {title}{year}\n      {who}  [{hit.id}; held by {libs}]")
    return 0


def cmd_serve(args) -> int:
    home = _load(args)
    workers = args.workers or int(home.settings["serve_workers"])
    os.environ["SHEAF_HOME"] = str(home.path)
    argv = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
            "--bind", f"{args.host}:{args.port}", "--preload", "--access-logfile", "-",
            "--timeout", "60", "web.wsgi:app"]
    print(f"serving {home.path} at http://{args.host}:{args.port}/ with {workers} workers",
          flush=True)
    os.execv(sys.executable, argv)
    return 0  # not reached


def cmd_status(args) -> int:
    from harvest import oai
    from harvest.lock import holder
    from indexer import build

    home = _load(args)
    with RecordStore(home.store_path) as store:
        counts = store.counts()
        index = build.status(home, store)
        harvests = oai.harvest_status(store, list(home.sources))
    sources = {code: {"name": s.name, "kind": s.kind, "records": 0, "deleted": 0,
                      **counts.get(code, {}), "harvest": harvests.get(code)}
               for code, s in home.sources.items()}
    for code in counts.keys() - sources.keys():
        sources[code] = {"name": "(not configured)", "kind": "", **counts[code]}
    search = _probe(home) if "documents" in index else None
    exit_code = EXIT_ERROR if search is not None and not search.ok else EXIT_OK
    if args.json:
        print(json.dumps({"home": str(home.path), "sources": sources, "index": index,
                          "search": search.to_dict() if search else None},
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


def _probe(home: Home):
    """The live generation searched as a reader would (discovery.health)."""
    from .backend import WhooshBackend
    from .health import probe

    backend = WhooshBackend(home)
    try:
        return probe(backend)
    finally:
        backend.close()


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sheaf", description="Sheaf union catalog")
    p.add_argument("--home", help="home directory (default: $SHEAF_HOME or ./sheaf-home)")
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                   help="a writing command waits up to SECONDS for another writer to finish"
                        " (default: stop at once, exit status 75)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("init", help="create the home directory")
    s.set_defaults(func=cmd_init)

    src = sub.add_parser("source", help="member libraries").add_subparsers(
        dest="source_command", required=True, metavar="SUBCOMMAND")
    s = src.add_parser("add", help="add a member library")
    s.add_argument("code")
    s.add_argument("--name", required=True)
    kind = s.add_mutually_exclusive_group(required=True)
    kind.add_argument("--marc", metavar="PATH_OR_GLOB")
    kind.add_argument("--oai", metavar="URL")
    s.add_argument("--flavour", choices=MARC_FLAVOURS, default="marc21")
    s.add_argument("--encoding")
    s.add_argument("--prefix", default="marc21")
    s.add_argument("--set")
    s.set_defaults(func=cmd_source_add)
    s = src.add_parser("check", help="ask an OAI-PMH source what it offers")
    s.add_argument("code")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_source_check)
    s = src.add_parser("list", help="list member libraries")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_source_list)
    maintenance.add_source_commands(src)

    s = sub.add_parser("harvest", help="read sources into the record store")
    s.add_argument("codes", nargs="*", metavar="CODE")
    s.add_argument("--from", dest="from_", metavar="DATE",
                   help="OAI-PMH: harvest records changed since DATE (default: since the last harvest)")
    s.add_argument("--until", metavar="DATE", help="OAI-PMH: records changed until DATE")
    s.add_argument("--full", action="store_true", help="OAI-PMH: harvest everything again")
    s.set_defaults(func=cmd_harvest)

    s = sub.add_parser("import", help="import MARC files for a source")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument("--source", required=True)
    s.add_argument("--format", choices=FORMATS,
                   help="file format (default: MARCXML recognised by its first bytes, else ISO 2709)")
    s.add_argument("--flavour", choices=MARC_FLAVOURS, help="MARC 21 or UNIMARC (default: the source's)")
    s.add_argument("--encoding", help="character set overriding the records' own (e.g. marc8, gb18030)")
    s.add_argument("--strict", action="store_true", help="exit 1 if any record was skipped")
    s.add_argument("--replace", action="store_true",
                   help="the files are the source's whole catalog: its records missing from"
                        " them are deleted (says how many and asks first)")
    s.add_argument("--yes", action="store_true", help="with --replace: do not ask")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("index", help="bring the index up to date with the store")
    s.add_argument("--rebuild", action="store_true", help="build a new index from scratch")
    s.add_argument("--source", metavar="CODE", help="map every record of one source again")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("search", help="search the catalog")
    s.add_argument("query")
    s.add_argument("--limit", type=int)
    s.add_argument("--page", type=int, default=1)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("serve", help="serve the web site and API")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=5000)
    s.add_argument("--workers", type=int)
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("status", help="counts per source and index state")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    maintenance.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except Busy as exc:
        _err(f"error: {exc}")
        return EXIT_BUSY
    except SheafError as exc:
        _err(f"error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
