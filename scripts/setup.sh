#!/usr/bin/env bash
# Create .venv and install Sheaf with its test tools, and Debian's Chromium for
# the browser tests. Safe to run again: it reinstalls only when pyproject.toml
# has changed, and installs Chromium only when it is missing.
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
    .venv/bin/python -c "import whoosh, jieba, pyvi, lxml, flask, flask_babel, pymarc, opencc, gunicorn, playwright, hypothesis, sruthi, schemathesis"
    echo "$want" > "$stamp"
fi

# Browser tests drive Debian's Chromium (never a browser downloaded by playwright),
# with a CJK font so that screenshots show Chinese. Without apt they skip and say why.
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/wqy ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        log=.venv/apt-install.log
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                --no-install-recommends chromium fonts-wqy-microhei; } >"$log" 2>&1; then
            tail -20 "$log" >&2
            echo "setup: could not install chromium (log: $log); browser tests will skip" >&2
        fi
    else
        echo "setup: no Chromium and no apt-get as root: browser tests will skip" >&2
    fi
fi

# The SRU tests search /sru with Index Data's yaz-client (Debian's yaz) as a real peer.
# Without apt they skip and say why.
if ! command -v yaz-client >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        log=.venv/apt-install-yaz.log
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                --no-install-recommends yaz; } >"$log" 2>&1; then
            tail -20 "$log" >&2
            echo "setup: could not install yaz (log: $log); yaz-client tests will skip" >&2
        fi
    else
        echo "setup: no yaz-client and no apt-get as root: yaz-client tests will skip" >&2
    fi
fi

# The browser tests' accessibility check injects axe-core's axe.min.js (npm package, MPL-2.0)
# into each page. Without npm the axe tests skip and say why.
AXE_VERSION=4.14.1
if [ ! -f .venv/axe/node_modules/axe-core/axe.min.js ] || \
   [ "$(cat .venv/axe/.version 2>/dev/null)" != "$AXE_VERSION" ]; then
    if command -v npm >/dev/null 2>&1; then
        log=.venv/npm-install-axe.log
        mkdir -p .venv/axe
        if npm install --prefix .venv/axe --no-save --no-audit --no-fund \
                "axe-core@$AXE_VERSION" >"$log" 2>&1; then
            echo "$AXE_VERSION" > .venv/axe/.version
        else
            tail -20 "$log" >&2
            echo "setup: could not install axe-core (log: $log); axe tests will skip" >&2
        fi
    else
        echo "setup: no npm: the axe accessibility tests will skip" >&2
    fi
fi
