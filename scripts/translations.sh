#!/usr/bin/env bash
# The site's message catalogs (web/translations): extract the messages of
# web/*.py and web/templates, merge them into the zh and vi catalogs, and
# compile those to .mo; the zh_Hant catalog is derived from zh (scripts/zh_hant_catalog.py,
# OpenCC s2twp and indexer/data/zh_hant_terms.tsv), never edited. Translate the new entries in the .po files, then run
# this again; tests/web/test_i18n.py fails while a message is untranslated or
# a .mo is older than its .po.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
pot=$(mktemp --suffix=.pot)
trap 'rm -f "$pot"' EXIT
"$pybabel" extract -F web/babel.cfg --no-location --sort-output --omit-header \
    -k lazy_gettext -k N_ -o "$pot" . >/dev/null
for lang in zh vi; do
    po=web/translations/$lang/LC_MESSAGES/messages.po
    if [ -f "$po" ]; then
        "$pybabel" update -i "$pot" -d web/translations -l "$lang" \
            --no-fuzzy-matching >/dev/null
    else
        "$pybabel" init -i "$pot" -d web/translations -l "$lang" >/dev/null
    fi
done
.venv/bin/python scripts/zh_hant_catalog.py
"$pybabel" compile -d web/translations --statistics
