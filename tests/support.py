"""Helpers shared by test modules (fixtures themselves live in conftest.py)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from discovery.engines import open_index

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# What the session index (``built_home``) holds: code -> (display name, fixture files).
BUILT_SOURCES = {
    "loc": ("Library of Congress",
            ["chinese_880_traditional.mrc", "chinese_880_simplified.mrc", "multilingual_lc_50.mrc"]),
    "vn": ("Thư viện Quốc gia Việt Nam", ["vietnamese_nfd_titles.mrc"]),
    "legacy": ("旧系统 MARC-8 馆藏",
               ["marc8_eacc_chinese.mrc", "marc8_cyrillic.mrc", "marc8_french_diacritics.mrc",
                "marcxml_chabon.xml"]),
}


def count_records(path: Path) -> int:
    """Records in a fixture, counted without Sheaf: ISO 2709 terminators or MARCXML elements."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"<"):
        return len(re.findall(rb"<(?:marc:)?record[\s>]", data))
    return data.count(b"\x1d")


def expected_counts() -> dict[str, int]:
    """Records per source of the session index, from the fixture files alone."""
    return {code: sum(count_records(FIXTURES / name) for name in files)
            for code, (_name, files) in BUILT_SOURCES.items()}


def iso2709_records(path: Path) -> list[bytes]:
    """A fixture's ISO 2709 records, cut at terminators (terminator included)."""
    return [chunk + b"\x1d" for chunk in path.read_bytes().split(b"\x1d") if chunk]


@contextlib.contextmanager
def running_server(home: Path, workdir: Path, workers: int = 1, wait: float = 30.0,
                   prefix: tuple[str, ...] = ()):
    """``sheaf serve`` as a real process on a free loopback port; yields its base URL.
    ``prefix`` runs it under another command (tests/ops/test_damaged_home.py: without
    the capability to override file permissions).

    The server's output goes to ``workdir/server.log``, quoted when it fails to start.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "SHEAF_HOME"}
    env["HOME"] = str(workdir)  # gunicorn keeps its control socket under $HOME
    log_path = workdir / "server.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-m", "cli", "--home", str(home), "serve",
         "--port", str(port), "--workers", str(workers)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: "
                                   f"{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer /healthz within {wait:.0f} s: "
                                   f"{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        log.close()


def rebuild_then_update(home) -> None:
    """Index the traditional-script Chinese fixture with a rebuild, then add the
    simplified-script one with an incremental update: an index with a segment that
    Whoosh's own writer wrote (no facet or key files beside it)."""
    from harvest.importer import import_files
    from harvest.store import RecordStore
    from indexer import build

    with RecordStore(home.store_path) as store:
        import_files(home, store, "m", [str(FIXTURES / "chinese_880_traditional.mrc")])
        build.rebuild(home, store, open_index(home))
        import_files(home, store, "m", [str(FIXTURES / "chinese_880_simplified.mrc")])
        build.update(home, store, open_index(home))
