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
import sys

from harvest.config import MARC_FLAVOURS
from harvest.errors import SheafError, describe_os_error
from harvest.guard import DeletionRefused
from harvest.lock import Busy
from harvest.marcfile import FORMATS

from . import clusters, maintenance, reports
from .common import EXIT_BUSY, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_REFUSED, alert, err
from .indexing import cmd_index, cmd_status
from .reading import cmd_search, cmd_serve
from .sources import (cmd_harvest, cmd_import, cmd_init, cmd_source_add, cmd_source_check,
                      cmd_source_list)


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
    s.add_argument("--allow-deletions", action="store_true",
                   help="let a deletion sweep delete more than delete_guard_share of a source")
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
    s.add_argument("--allow-deletions", action="store_true",
                   help="with --replace: delete even more than delete_guard_share of the"
                        " source's records")
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
    reports.add_commands(sub)
    clusters.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except Busy as exc:
        err(f"error: {exc}")
        return EXIT_BUSY
    except DeletionRefused as exc:
        alert(exc.source, "refused", str(exc))
        return EXIT_REFUSED
    except SheafError as exc:
        err(f"error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as exc:   # a read-only home, a full disk: one line, not a traceback
        err(f"error: {describe_os_error(exc)}")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
