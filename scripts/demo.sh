#!/usr/bin/env bash
# Set up, load the bundled demo collection (three member libraries of real LC
# records), index it and serve the site at http://127.0.0.1:5000/.
# The demo home is ./sheaf-home unless SHEAF_HOME says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SHEAF_HOME=${SHEAF_HOME:-$PWD/sheaf-home}
sheaf=.venv/bin/sheaf
$sheaf init
add() {  # code name file
    if ! $sheaf source list | grep -q "^$1 "; then
        $sheaf source add "$1" --name "$2" --marc "demo/$3"
    fi
}
add hanlib "汉籍图书馆 (demo)" hanlib.mrc
add vnlib "Thư viện tỉnh (demo)" vnlib.mrc
add intl "International Research Library (demo)" intl.mrc
$sheaf harvest
$sheaf index
$sheaf status
exec $sheaf serve --host 127.0.0.1 --port "${PORT:-5000}"
