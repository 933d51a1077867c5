"""The engines the search-behaviour tests run on, and the local SolrCloud behind one of them.

``engine`` (tests/conftest.py) is parametrised over :data:`ENGINES`; a home is
pointed at an engine with :func:`use_engine`. The SolrCloud is the project's own
(``scripts/solr.sh``, 2 nodes on 127.0.0.1): started once per run if it is
not up yet, and stopped again at the run's end if the run started it. A cluster that does
not start fails the tests that need it; nothing is skipped.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import subprocess
from pathlib import Path

from harvest.config import Home

ROOT = Path(__file__).resolve().parent.parent
# every engine by default (CI); SHEAF_TEST_ENGINES=whoosh narrows a local run to some of them
ENGINES = tuple(os.environ.get("SHEAF_TEST_ENGINES", "whoosh,solr").split(","))
SOLR_URL = "http://127.0.0.1:8983/solr"


def solr_sh(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ROOT / "scripts" / "solr.sh"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


# the cluster is shared by the processes of one run (scripts/test.sh runs two, pytest-xdist's
# workers): one starts it, under this lock, and leaves this mark, so that the run's last
# process (tests/conftest.py's pytest_sessionfinish) stops it
START_LOCK = ROOT / "var" / "solr-tests.lock"
STARTED_MARK = ROOT / "var" / "solr-started-by-tests"


def in_worker() -> bool:
    """Whether this process is one of pytest-xdist's workers (others share its cluster)."""
    return "PYTEST_XDIST_WORKER" in os.environ


def stop_if_tests_started() -> None:
    """Stop the cluster if a test process started it (a developer's own stays up)."""
    if STARTED_MARK.exists():
        solr_sh("stop")
        STARTED_MARK.unlink(missing_ok=True)


class SolrCloud:
    """The session's cluster: started if needed, and every alias a test made dropped."""

    def __init__(self):
        START_LOCK.parent.mkdir(parents=True, exist_ok=True)
        with open(START_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)   # the other worker may be starting it
            if solr_sh("status").returncode != 0:
                proc = solr_sh("start")
                if proc.returncode != 0:
                    raise RuntimeError("scripts/solr.sh start failed:\n" + proc.stdout[-3000:]
                                       + proc.stderr[-3000:])
                STARTED_MARK.write_text(f"{os.getpid()}\n")
        self.aliases: list[str] = []

    def new_alias(self) -> str:
        alias = "t" + secrets.token_hex(4)
        self.aliases.append(alias)
        return alias

    def clean(self) -> None:
        from discovery.engines.solr.client import SolrClient

        client = SolrClient(SOLR_URL, 60)
        for alias in self.aliases:
            try:
                client.collections(action="DELETEALIAS", name=alias)
            except Exception:  # noqa: BLE001 - an alias never made, or already gone
                pass
        for name in client.collection_names():
            if any(name.startswith(alias + "_") for alias in self.aliases):
                client.collections(action="DELETE", name=name)


def use_engine(home: Home, engine: str, cloud: SolrCloud | None = None, **settings) -> Home:
    """``home`` with ``engine`` in its settings (for Solr, an alias of its own)."""
    values = {"engine": engine}
    if engine == "solr":
        values.update(solr_url=SOLR_URL, solr_alias=cloud.new_alias(), solr_shards=2,
                      solr_replicas=2)
    values.update(settings)
    text = (home.path / "sheaf.toml").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        name = line.split(" = ", 1)[0]
        if name in values:
            value = values.pop(name)
            line = f'{name} = "{value}"' if isinstance(value, str) else f"{name} = {value}"
        lines.append(line)
    assert not values, f"settings missing from sheaf.toml: {values}"
    (home.path / "sheaf.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Home.load(home.path)
