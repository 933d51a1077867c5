"""Write the zh_Hant catalog from the zh (simplified) one.

Every translated message of ``web/translations/zh`` is converted by
:func:`indexer.hant.to_hant` (OpenCC s2twp and the library terms of
``indexer/data/zh_hant_terms.tsv``), so a message translated once in
simplified has its traditional form at the next ``scripts/translations.sh``.
Untranslated and fuzzy entries stay so: the catalog test names them in zh.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from babel.messages.pofile import read_po, write_po  # noqa: E402

from indexer.hant import to_hant  # noqa: E402

SOURCE = ROOT / "web/translations/zh/LC_MESSAGES/messages.po"
TARGET = ROOT / "web/translations/zh_Hant/LC_MESSAGES/messages.po"


def main() -> None:
    with open(SOURCE, "rb") as fh:
        catalog = read_po(fh, locale="zh")
    catalog.locale = "zh_Hant"
    catalog.language_team = "Chinese (traditional), derived from zh by scripts/zh_hant_catalog.py"
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, (tuple, list)):
            message.string = tuple(to_hant(s) if s else s for s in message.string)
        elif message.string:
            message.string = to_hant(message.string)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with open(TARGET, "wb") as fh:
        fh.write(b"# Generated from ../../zh/LC_MESSAGES/messages.po: do not edit; edit zh\n"
                 b"# or indexer/data/zh_hant_terms.tsv and run scripts/translations.sh.\n")
        write_po(fh, catalog, omit_header=False, no_location=True, sort_output=True)


if __name__ == "__main__":
    main()
