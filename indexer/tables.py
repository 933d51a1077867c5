"""Lookup tables kept as data files in ``indexer/data/*.tsv``.

Each file is tab-separated with a header line; lines starting with ``#``
are comments. Tables are read once and cached. The helpers below are what
mapping rules and renderers use: language and relator display names in
English, Chinese (simplified, or traditional derived from it) or Vietnamese, role words, classification captions.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
DISPLAY_LANGUAGES = ("en", "zh", "zh-Hant", "vi")


@lru_cache(maxsize=None)
def load(name: str) -> tuple[dict, ...]:
    """Rows of ``data/<name>.tsv`` as dicts keyed by the header's column names."""
    rows = []
    header = None
    with open(DATA / f"{name}.tsv", encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            if len(cells) != len(header):
                raise ValueError(f"{name}.tsv line {number}: {len(cells)} cells, "
                                 f"the header has {len(header)}")
            rows.append(dict(zip(header, cells)))
    return tuple(rows)


@lru_cache(maxsize=None)
def keyed(name: str, column: str) -> dict[str, dict]:
    """Rows of a table by one column's value (the first row wins)."""
    out: dict[str, dict] = {}
    for row in load(name):
        if row[column]:
            out.setdefault(row[column], row)
    return out


def _display(row: dict | None, lang: str) -> str | None:
    if row is None:
        return None
    if lang == "zh-Hant" and row.get("zh"):
        # the tables hold simplified names; the traditional ones are derived
        from .hant import to_hant
        return to_hant(row["zh"])
    return row.get(lang) or row.get("en") or None


# -- languages -------------------------------------------------------------------

def language_codes() -> frozenset:
    return frozenset(keyed("languages", "code"))


def language_name(code: str, lang: str = "en") -> str | None:
    """'vie' -> 'Vietnamese' / '越南语' / 'Tiếng Việt'."""
    return _display(keyed("languages", "code").get(code), lang)


def language_script(code: str) -> str | None:
    """'chi' -> 'Hani', 'vie' -> 'Latn'; None for a language written in more than one
    script (Serbian) or an unknown code."""
    row = keyed("languages", "code").get(code)
    return (row.get("script") or None) if row else None


@lru_cache(maxsize=None)
def language_from_iso639_1() -> dict[str, str]:
    """'zh' -> 'chi', 'vi' -> 'vie' (Dublin Core records often use two letters)."""
    return {iso: row["code"] for iso, row in keyed("languages", "iso639_1").items()}


# -- relators and role words -----------------------------------------------------

def relator_label(code: str, lang: str = "en") -> str:
    """'trl' -> 'translator' / '译者' / 'dịch giả'; an unknown value comes back as it is."""
    return _display(keyed("relators", "code").get(code), lang) or code


@lru_cache(maxsize=None)
def relator_by_term() -> dict[str, str]:
    """English terms (MARC 21 $e) and UNIMARC numeric codes -> relator code."""
    out = {}
    for row in load("relators"):
        out.setdefault(row["en"].lower(), row["code"])
        if row["unimarc"]:
            out.setdefault(row["unimarc"], row["code"])
        out.setdefault(row["code"], row["code"])
    return out


@lru_cache(maxsize=None)
def role_words() -> dict[str, str]:
    """Chinese role word -> relator code (著 -> aut, 译 -> trl ...)."""
    return {row["word"]: row["relator"] for row in load("role_words")}


@lru_cache(maxsize=None)
def cuttable_role_words() -> tuple[str, ...]:
    """Role words that may be cut off the end of a name, longest first."""
    words = [row["word"] for row in load("role_words") if row["cut"] == "y"]
    return tuple(sorted(words, key=len, reverse=True))


# -- classification --------------------------------------------------------------

SCHEMES = {"clc": "clc", "ddc": "ddc", "lcc": "lcc"}


def class_caption(scheme: str, value: str, lang: str = "en") -> str | None:
    """Caption of a facet value: ('clc', 'I') -> 'Literature' / '文学'."""
    if scheme not in SCHEMES:
        return None
    return _display(keyed(SCHEMES[scheme], "class").get(value), lang)


def lcc_classes() -> frozenset:
    return frozenset(keyed("lcc", "class"))


def clc_classes() -> frozenset:
    return frozenset(keyed("clc", "class"))


# -- formats and abbreviations -----------------------------------------------------

def format_label(code: str, lang: str = "en") -> str:
    return _display(keyed("formats", "code").get(code), lang) or code


def online_label(value: str, lang: str = "en") -> str:
    """The online facet's value (``yes``) as shown: "Available online"."""
    return _display(keyed("online", "value").get(value), lang) or value


@lru_cache(maxsize=None)
def material_types(flavour: str) -> tuple[tuple[str, str, str], ...]:
    """(leader/06, leader/07 or '*', format) rules of one flavour, in order."""
    return tuple((r["type"], r["level"], r["format"]) for r in load("material_types")
                 if r["flavour"] == flavour)


@lru_cache(maxsize=None)
def abbreviations() -> frozenset:
    return frozenset(row["abbreviation"] for row in load("abbreviations"))


@lru_cache(maxsize=None)
def gmd_terms() -> dict[str, tuple[str, bool]]:
    """General material designation (UNIMARC 200 $b), lower case -> (format, online)."""
    return {row["term"].lower(): (row["format"], row["online"] == "y") for row in load("gmd")}
