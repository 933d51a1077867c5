"""Reading the catalog: ``search`` on the command line, ``serve`` for the web site and API."""

from __future__ import annotations

import json
import math
import os
import sys

from discovery.results import SearchRequest

from .common import load


def cmd_search(args) -> int:
    from discovery.engines import open_search

    home = load(args)
    backend = open_search(home)
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


def worker_timeout(settings) -> int:
    """Seconds gunicorn lets a worker be silent before killing it: ten times the search
    deadline and at least 60 s, so a search's own deadline (a 503 that says so) always
    comes first and a worker is never killed mid-search (a 500, and no worker)."""
    return max(60, math.ceil(10 * float(settings["search_deadline"])))


# glibc's malloc gives each thread that allocates its own arena (up to 8 a core), and a
# worker's 16 threads kept touching more of them: at 32 readers on 50,000 records the
# workers' RSS went 314 -> 322 MiB over 105 s after warm-up and was still growing; with
# 2 arenas it went 279 -> 282 and stayed there from 45 s (bench/load.py --seconds 120)
MALLOC_ARENAS = "2"


def serve_environment(environ) -> dict[str, str]:
    """What ``sheaf serve`` adds to its environment for gunicorn and its workers:
    ``MALLOC_ARENA_MAX``, unless the operator set it."""
    return {} if "MALLOC_ARENA_MAX" in environ else {"MALLOC_ARENA_MAX": MALLOC_ARENAS}


def cmd_serve(args) -> int:
    from web.openapi import MAX_REQUEST_LINE   # (web is loaded by gunicorn, not by every command)
    from web.serving import READ_TIMEOUT_ENV
    home = load(args)
    workers = args.workers or int(home.settings["serve_workers"])
    threads = int(home.settings["serve_threads"])
    os.environ["SHEAF_HOME"] = str(home.path)
    os.environ.update(serve_environment(os.environ))   # read by glibc as gunicorn starts
    # web/serving.py: a request is read whole before it takes a thread (slow clients)
    os.environ[READ_TIMEOUT_ENV] = str(float(home.settings["serve_read_timeout"]))
    argv = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
            "--worker-class", "web.serving.WholeRequestWorker", "--threads", str(threads),
            "--bind", f"{args.host}:{args.port}", "--preload", "--access-logfile", "-",
            "--timeout", str(worker_timeout(home.settings)),
            # gunicorn's largest request line (its default is 4094): the API's 1,000-character
            # q in Chinese is 9,000 bytes once percent-encoded; web/openapi.py documents the 414
            "--limit-request-line", str(MAX_REQUEST_LINE), "web.wsgi:app"]
    print(f"serving {home.path} at http://{args.host}:{args.port}/ with {workers} workers"
          f" of {threads} threads",
          flush=True)
    os.execv(sys.executable, argv)
    return 0  # not reached
