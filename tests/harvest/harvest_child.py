"""Harvest one source of a home in its own process, as ``sheaf harvest CODE`` does;
the kill -9 test runs this and kills it mid-harvest.

    python tests/harvest/harvest_child.py HOME CODE
"""

import resource
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
# the gzip-bomb test reads this: the process's peak memory
print(f"peak_rss_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
sys.exit(0 if report.ok else 1)
