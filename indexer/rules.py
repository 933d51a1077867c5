"""A small traject-style rule engine: ``to_field(name, extract, transform, ...)``.

A flavour module (``indexer.marc21`` ...) declares its rules as data. Each
rule has one extractor, which turns a :class:`MarcView` into a list of
strings, and any number of transforms, each a function from list to list.
Costly things (subfield specs) are parsed once, when the rule is declared,
and every rule remembers where it was declared so a failure names it.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable

from pymarc import Record

from .errors import MappingError

Extractor = Callable[["MarcView"], list]
Transform = Callable[[list], list]


class MarcView:
    """A record's fields grouped by tag, with 880s grouped by the tag they link to."""

    __slots__ = ("record", "by_tag", "linked")

    def __init__(self, record: Record):
        self.record = record
        by_tag: dict[str, list] = {}
        for f in record.fields:
            by_tag.setdefault(f.tag, []).append(f)
        linked: dict[str, list] = {}
        for f in by_tag.get("880", ()):
            link = f.get("6") if not f.is_control_field() else None
            if link and len(link) >= 3:
                linked.setdefault(link[:3], []).append(f)
        self.by_tag = by_tag
        self.linked = linked

    def control(self, tag: str) -> str:
        fields = self.by_tag.get(tag)
        return fields[0].data if fields and fields[0].is_control_field() else ""

    @property
    def leader(self) -> str:
        return str(self.record.leader)


@dataclass(frozen=True)
class Rule:
    field: str
    extract: Extractor
    transforms: tuple[Transform, ...]
    declared_at: str

    def apply(self, view: MarcView) -> list:
        values = self.extract(view)
        for transform in self.transforms:
            if not values:
                break
            values = transform(values)
        return values


def to_field(name: str, extract: Extractor, *transforms: Transform) -> Rule:
    caller = sys._getframe(1)
    return Rule(name, extract, transforms,
                f"{caller.f_code.co_filename.rsplit('/', 1)[-1]}:{caller.f_lineno}")


def map_with(rules: Iterable[Rule], view: MarcView) -> dict:
    """Apply rules in order; values of rules sharing a field are concatenated."""
    out: dict[str, list] = {}
    for rule in rules:
        try:
            values = rule.apply(view)
        except Exception as exc:  # a rule bug or a record it cannot handle
            raise MappingError(
                f"rule for {rule.field!r} ({rule.declared_at}) failed: "
                f"{exc.__class__.__name__}: {exc}") from exc
        if values:
            out.setdefault(rule.field, []).extend(values)
    return out


# -- extractors --------------------------------------------------------------

_SPEC = re.compile(r"^(\d{3})([a-z0-9]*)$")


def _parse_spec(spec: str) -> list[tuple[str, frozenset | None]]:
    parsed = []
    for part in spec.split(":"):
        m = _SPEC.match(part)
        if not m:
            raise ValueError(f"bad MARC spec {part!r}")
        parsed.append((m.group(1), frozenset(m.group(2)) if m.group(2) else None))
    return parsed


def _field_value(field, codes: frozenset | None, separator: str) -> str:
    if field.is_control_field():
        return field.data
    parts = [sf.value for sf in field.subfields
             if (codes is None and sf.code != "6") or (codes is not None and sf.code in codes)]
    return separator.join(p.strip() for p in parts if p and p.strip())


def extract_marc(spec: str, alternate_script: bool | str = True,
                 separator: str = " ") -> Extractor:
    """Values of the fields and subfields in ``spec`` ("245abnp:246a").

    ``alternate_script``: True adds linked 880 fields after their field,
    False leaves them out, "only" gives just the 880s.
    """
    parsed = _parse_spec(spec)

    def extract(view: MarcView) -> list:
        out = []
        for tag, codes in parsed:
            if alternate_script != "only":
                for f in view.by_tag.get(tag, ()):
                    value = _field_value(f, codes, separator)
                    if value:
                        out.append(value)
            if alternate_script:
                for f in view.linked.get(tag, ()):
                    value = _field_value(f, codes, separator)
                    if value:
                        out.append(value)
        return out

    return extract


def control_field(tag: str) -> Extractor:
    """The whole value of a control field (001-009)."""

    def extract(view: MarcView) -> list:
        data = view.control(tag)
        return [data] if data else []

    return extract


def control_slice(tag: str, start: int, end: int) -> Extractor:
    """Characters ``start:end`` of a control field (or "LDR")."""

    def extract(view: MarcView) -> list:
        data = view.leader if tag == "LDR" else view.control(tag)
        piece = data[start:end]
        return [piece] if len(piece) == end - start else []

    return extract


def first_of(*extractors: Extractor) -> Extractor:
    """The values of the first extractor that yields any."""

    def extract(view: MarcView) -> list:
        for ex in extractors:
            values = ex(view)
            if values:
                return values
        return []

    return extract


# -- transforms --------------------------------------------------------------

def first(values: list) -> list:
    return values[:1]


def unique(values: list) -> list:
    return list(dict.fromkeys(values))


def nfc(values: list) -> list:
    return [unicodedata.normalize("NFC", v) for v in values]


def strip(values: list) -> list:
    return [v for v in (v.strip() for v in values) if v]


_TRAILING = re.compile(r"[\s/:;,=.\u3000\uff0f\uff1a\uff1b\uff0c\uff1d\u3002\uff0e]+$")
_LEADING = re.compile(r"^[\s\[]+")
_INITIAL = re.compile(r"(?:^|\s)(?:\w|[A-Z][a-z]{0,2})\.$")


def trim_punctuation(values: list) -> list:
    """Drop ISBD punctuation at the ends (" /", " :", ",", a final period).

    A final period is kept after an initial or a short abbreviation
    ("Smith, J.", "Co.").
    """
    out = []
    for v in values:
        v = v.strip()
        if v.endswith(".") and _INITIAL.search(v):
            trimmed = _TRAILING.sub("", v[:-1]) + "."
        else:
            trimmed = _TRAILING.sub("", v)
        trimmed = _LEADING.sub("", trimmed)
        if trimmed.endswith("]") and "[" not in trimmed:
            trimmed = trimmed[:-1]
        if trimmed:
            out.append(trimmed)
    return out


_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")


def year(values: list) -> list:
    """The first plausible four-digit year among the values, as an int."""
    for v in values:
        m = _YEAR.search(v)
        if m:
            return [int(m.group(1))]
    return []


def translate(table: dict) -> Transform:
    """Replace each value by its entry in ``table``, dropping unknown values."""

    def apply(values: list) -> list:
        return [table[v] for v in values if v in table]

    return apply


def lower(values: list) -> list:
    return [v.lower() for v in values]
