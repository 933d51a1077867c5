"""Simplified Chinese written as Traditional, the way Taiwan libraries write it.

The interface's zh-Hant catalog and the zh-Hant names in the lookup tables
(languages, formats, class captions) are derived from their simplified forms,
so a string added in simplified gets a traditional form with no second
translation to keep. OpenCC's ``s2twp`` converts characters and Taiwan
phrases (信息→資訊, 软件→軟體); ``data/zh_hant_terms.tsv`` holds the few
library terms where a conversion is not what a Taiwan or Hong Kong catalog
says, and those are written as the file says.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path


_lock = threading.Lock()
_s2twp = None


def _converter():
    global _s2twp
    with _lock:
        if _s2twp is None:
            import opencc
            _s2twp = opencc.OpenCC("s2twp")
    return _s2twp


TERMS = Path(__file__).parent / "data" / "zh_hant_terms.tsv"


def _rows(path: Path):
    """(simplified, traditional) of the terms table, after its header. Read here rather
    than by indexer.tables, which asks this module for its own Traditional names."""
    lines = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]
    rows = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
    if not rows or rows[0] != ["simplified", "traditional"]:
        raise ValueError(f"{path}: the header must be 'simplified<TAB>traditional'")
    return [tuple(r) for r in rows[1:]]


@lru_cache(maxsize=1)
def _terms() -> tuple[dict[str, str], re.Pattern | None]:
    terms = dict(_rows(TERMS))
    if not terms:
        return terms, None
    # longest first, so that a term inside a longer one does not cut it
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    return terms, pattern


@lru_cache(maxsize=4096)
def to_hant(text: str) -> str:
    """``text`` in Traditional characters and Taiwan usage; the terms of
    ``zh_hant_terms.tsv`` as written there, the rest converted by OpenCC."""
    terms, pattern = _terms()
    convert = _converter().convert
    if pattern is None:
        return convert(text)
    out, at = [], 0
    for match in pattern.finditer(text):
        out.append(convert(text[at:match.start()]))
        out.append(terms[match.group()])
        at = match.end()
    out.append(convert(text[at:]))
    return "".join(out)
