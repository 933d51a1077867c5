"""Harvest one source of a home in its own process, as ``sheaf harvest CODE`` does;
the kill -9 test runs this and kills it mid-harvest.

    python tests/harvest/harvest_child.py HOME CODE
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from harvest.config import Home  # noqa: E402
from harvest.oai import harvest_oai_source  # noqa: E402
from harvest.store import RecordStore  # noqa: E402

home = Home.load(sys.argv[1])
with RecordStore(home.store_path) as store:
    report = harvest_oai_source(home, store, home.source(sys.argv[2]))
print(report)
# the gzip-bomb test reads this: the process's peak memory since its exec (VmHWM; getrusage's
# ru_maxrss would include the RSS of the pytest process it was forked from)
with open("/proc/self/status", encoding="ascii") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
print(f"peak_rss_kb {peak}", file=sys.stderr)
sys.exit(0 if report.ok else 1)
