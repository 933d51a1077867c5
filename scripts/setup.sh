#!/usr/bin/env bash
# Create .venv and install Sheaf with its test tools. Safe to run again:
# it reinstalls only when pyproject.toml has changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.sheaf-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log=.venv/pip-install.log
    if ! .venv/bin/python -m pip install --disable-pip-version-check -e '.[test]' >"$log" 2>&1; then
        cat "$log" >&2
        echo "setup: pip install failed (log: $log)" >&2
        exit 1
    fi
    .venv/bin/python -c "import whoosh, jieba, pyvi, lxml, flask, pymarc, opencc, gunicorn"
    echo "$want" > "$stamp"
fi
