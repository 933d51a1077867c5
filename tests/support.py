"""Helpers shared by test modules (fixtures themselves live in conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# What the session index (``built_home``) holds: code -> (display name, fixture files).
BUILT_SOURCES = {
    "loc": ("Library of Congress",
            ["chinese_880_traditional.mrc", "chinese_880_simplified.mrc", "multilingual_lc_50.mrc"]),
    "vn": ("Thư viện Quốc gia Việt Nam", ["vietnamese_nfd_titles.mrc"]),
    "legacy": ("旧系统 MARC-8 馆藏",
               ["marc8_eacc_chinese.mrc", "marc8_cyrillic.mrc", "marc8_french_diacritics.mrc",
                "marcxml_chabon.xml"]),
}


def count_records(path: Path) -> int:
    """Records in a fixture, counted without Sheaf: ISO 2709 terminators or MARCXML elements."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"<"):
        return len(re.findall(rb"<(?:marc:)?record[\s>]", data))
    return data.count(b"\x1d")


def expected_counts() -> dict[str, int]:
    """Records per source of the session index, from the fixture files alone."""
    return {code: sum(count_records(FIXTURES / name) for name in files)
            for code, (_name, files) in BUILT_SOURCES.items()}


def iso2709_records(path: Path) -> list[bytes]:
    """A fixture's ISO 2709 records, cut at terminators (terminator included)."""
    return [chunk + b"\x1d" for chunk in path.read_bytes().split(b"\x1d") if chunk]
