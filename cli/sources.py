"""Member libraries and their records: ``init``, ``source add|list|check``, ``harvest``, ``import``."""

from __future__ import annotations

import json
import logging
import os

from harvest.config import Home, Source
from harvest.errors import ConfigError, SheafError
from harvest.importer import harvest_marc_source, import_files
from harvest.store import RecordStore

from . import logs, maintenance
from .common import EXIT_REFUSED, alert, err, load, log_warning, report_reject, writing
from .reports import keep_quality_current
from .progress import Progress


def cmd_init(args) -> int:
    home = Home.init(Home.locate(args.home))
    RecordStore(home.store_path).close()
    print(f"Sheaf home ready at {home.path}")
    return 0


def cmd_source_add(args) -> int:
    home = load(args)
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
    home = load(args)
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

    home = load(args)
    codes = args.codes or list(home.sources)
    sources = [home.source(c) for c in codes]
    status = 0
    rejected = {}
    with writing(home, args, " ".join(["harvest", *args.codes])), \
            RecordStore(home.store_path) as store:
        for source in sources:
            progress = Progress()
            if source.kind == "marc":
                if args.from_ or args.until or args.full:
                    err(f"{source.code}: --from, --until and --full apply to OAI-PMH sources;"
                         " a MARC source is read whole")
                try:
                    summary = harvest_marc_source(
                        home, store, source, on_reject=report_reject, on_warning=log_warning,
                        progress=lambda n, c=source.code: progress.update(f"{c}: {n} records read"))
                except SheafError as exc:  # one unreadable source does not stop the others
                    progress.done()
                    err(f"error: {source.code}: {exc}")
                    alert(source.code, "failed", str(exc))
                    status = max(status, 1)
                    continue
                progress.done()
                _print_summary(source.code, summary)
                rejected[source.code] = summary.rejected
                continue
            report = oai.harvest_oai_source(
                home, store, source, full=args.full, from_=args.from_, until=args.until,
                progress=lambda p: progress.update(str(p)), on_reject=report_reject,
                allow_deletions=args.allow_deletions)
            progress.done()
            print(report)
            rejected[source.code] = report.rejected
            if not report.ok:
                alert(source.code, report.status, report.messages[-1] if report.messages
                      else report.status)
                status = max(status, EXIT_REFUSED if report.status == "refused" else 1)
        store.snapshot_counts()
        keep_quality_current(home, store, rejected)
    return status


def cmd_source_check(args) -> int:
    home = load(args)
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
    home = load(args)
    if args.yes and not args.replace:
        raise ConfigError("--yes confirms a --replace; without --replace nothing is deleted")
    if args.allow_deletions and not args.replace:
        raise ConfigError("--allow-deletions applies to a --replace; without --replace nothing"
                          " is deleted")
    home.source(args.source)
    with writing(home, args, f"import {args.source}"), RecordStore(home.store_path) as store:
        if args.replace:
            summary = maintenance.replace(home, store, args, report_reject, log_warning)
        else:
            progress = Progress()
            summary = import_files(home, store, args.source, args.paths, fmt=args.format,
                                   on_reject=report_reject, flavour=args.flavour,
                                   encoding=args.encoding, on_warning=log_warning,
                                   progress=lambda n: progress.update(
                                       f"{args.source}: {n} records read"))
            progress.done()
        store.snapshot_counts()
        keep_quality_current(home, store, {args.source: summary.rejected})
    _print_summary(f"{args.source}", summary)
    return 1 if args.strict and summary.rejected else 0
