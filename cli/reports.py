"""The librarian's reports: ``sheaf report quality [CODE] [--json|--csv]``, and keeping the
store's quality findings current after every run that writes records."""

from __future__ import annotations

import csv
import json
import logging
import sys

from harvest.config import Home
from harvest.store import RecordStore

from . import logs
from .common import load


def keep_quality_current(home: Home, store: RecordStore, rejected: dict | None = None) -> None:
    """After an import or harvest: its rejects per source, then the findings of every record
    it changed (indexer.quality), so the reports never decode records themselves."""
    from indexer import quality

    for code, items in (rejected or {}).items():
        store.put_rejects(code, items)
    done = quality.update(home, store, sources=(rejected or {}).keys())
    logging.getLogger(logs.LOGGER).info("%s", done)


def cmd_report_quality(args) -> int:
    from indexer import quality

    home = load(args)
    if args.code:
        home.source(args.code)   # an unknown code is an error naming the known ones
    with RecordStore(home.store_path) as store:
        report = quality.report(home, store, [args.code] if args.code else None)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    elif args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerows(quality.csv_rows(report))
    else:
        print_quality(report)
    return 0


def print_quality(report: dict) -> None:
    if report["behind"]:
        print(f"(store changes {report['checked_seq'] + 1}-{report['store_seq']} are not checked"
              " yet: the next import, harvest or index run checks them)")
    for code, src in report["sources"].items():
        print(f"{code}: {src['name']}: {src['records']} records")
        if not src["checks"]:
            print("  no problems found")
        for line in src["checks"]:
            print(f"  {line['records']:>7}  {line['label']} [{line['check']}]")
            for d in line["details"][:5]:
                print(f"  {'':>7}    {d['records']:>6}  {d['detail']}")
        trend = src["trend"]
        if len(trend) >= 2:
            first, last = trend[0], trend[-1]
            print(f"  trend over {len(trend)} runs ({first['taken']} to {last['taken']}):"
                  f" records with problems {first['problem_records']} of {first['live']}"
                  f" -> {last['problem_records']} of {last['live']}")


def add_commands(sub) -> None:
    report = sub.add_parser("report", help="the librarian's reports").add_subparsers(
        dest="report_command", required=True, metavar="REPORT")
    s = report.add_parser("quality", help="data quality per member library")
    s.add_argument("code", nargs="?", metavar="CODE", help="one member library (default: all)")
    shape = s.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument("--csv", action="store_true",
                       help="one row per source, check and detail")
    s.set_defaults(func=cmd_report_quality)
