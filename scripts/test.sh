#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite. Extra arguments go to pytest, which
# then runs just those, on one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
# The whole suite: on both cores first (pytest-xdist, each test file on one worker, so a
# file's fixtures are built once), with the SolrCloud kept up for the second run; then,
# one at a time, the tests marked "solo", which stop Solr's nodes or time readers under
# load. The exit status is the first run's failure, else the second's.
first=0
SHEAF_TEST_KEEP_SOLR=1 .venv/bin/python -m pytest -n 2 --dist loadfile -m "not solo" || first=$?
second=0
.venv/bin/python -m pytest -m solo || second=$?
if [ "$first" -ne 0 ]; then
    exit "$first"
fi
exit "$second"
