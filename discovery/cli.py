"""The ``sheaf`` command line: the application layer, calling down into the packages.

User errors (unknown source, unreadable file, bad query, no index) end
with a one-line ``sheaf: error: ...`` on stderr and exit status 1; usage
errors exit 2 as argparse does. No traceback reaches a user.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from harvest.config import MARC_FLAVOURS, Home, Source
from harvest import oai
from harvest.errors import ConfigError, SheafError
from harvest.importer import harvest_marc_source, import_files
from harvest.marcfile import FORMATS
from harvest.records import Rejected
from harvest.store import RecordStore
from indexer import build

from . import logs
from .backend import WhooshBackend
from .progress import Progress
from .results import SearchRequest


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
    home = _load(args)
    codes = args.codes or list(home.sources)
    sources = [home.source(c) for c in codes]
    status = 0
    with RecordStore(home.store_path) as store:
        for source in sources:
            if source.kind == "marc":
                if args.from_ or args.until or args.full:
                    _err(f"{source.code}: --from, --until and --full apply to OAI-PMH sources;"
                         " a MARC source is read whole")
                summary = harvest_marc_source(home, store, source, on_reject=_report_reject,
                                              on_warning=_log_warning)
                _print_summary(source.code, summary)
                continue
            progress = Progress()
            report = oai.harvest_oai_source(
                home, store, source, full=args.full, from_=args.from_, until=args.until,
                progress=lambda p: progress.update(str(p)), on_reject=_report_reject)
            progress.done()
            print(report)
            if not report.ok:
                status = 1
    return status


def cmd_source_check(args) -> int:
    home = _load(args)
    source = home.source(args.code)
    if source.kind != "oai":
        raise ConfigError(f"source {source.code!r} is a MARC file source; `source check` asks an"
                          " OAI-PMH server")
    check = oai.check_source(source)
    if args.json:
        print(json.dumps(check.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(check)
    return 0 if check.ok else 1


def cmd_import(args) -> int:
    home = _load(args)
    with RecordStore(home.store_path) as store:
        summary = import_files(home, store, args.source, args.paths, fmt=args.format,
                               on_reject=_report_reject, flavour=args.flavour,
                               encoding=args.encoding, on_warning=_log_warning)
    _print_summary(f"{args.source}", summary)
    return 1 if args.strict and summary.rejected else 0


def cmd_index(args) -> int:
    home = _load(args)

    log = logging.getLogger(logs.LOGGER)

    def failure(record_id: str, reason: str) -> None:
        _err(f"not indexed {record_id}: {reason}")
        log.warning("not indexed %s: %s", record_id, reason)

    with RecordStore(home.store_path) as store:
        if args.rebuild:
            report = build.rebuild(home, store, procs=int(home.settings["index_procs"]),
                                   on_failure=failure, on_warning=_log_warning)
        else:
            report = build.update(home, store, on_failure=failure, on_warning=_log_warning)
    print(report)
    log.info("%s", report)
    return 0


def cmd_search(args) -> int:
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
    if args.json:
        print(json.dumps({"home": str(home.path), "sources": sources, "index": index},
                         ensure_ascii=False, indent=1, default=str))
        return 0
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
    return 0


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sheaf", description="Sheaf union catalog")
    p.add_argument("--home", help="home directory (default: $SHEAF_HOME or ./sheaf-home)")
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
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("index", help="bring the index up to date with the store")
    s.add_argument("--rebuild", action="store_true", help="build a new index from scratch")
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except SheafError as exc:
        _err(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
