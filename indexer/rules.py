"""A small traject-style rule engine: ``to_field(name, extract, transform, ...)``.

A flavour module (``indexer.marc21`` ...) declares its rules as data. Each
rule has one extractor, which turns a view of the record into a list of
values (strings, ints or small dicts), and any number of transforms, each a
function from list to list. Costly things (field specs, tables) are built
once, when the rule is declared, and every rule remembers where it was
declared, so an error or a warning names it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Callable, Iterable

from .errors import MappingError
from .record import Field, Record, from_pymarc
from .transforms import first, lower, strip, translate, trim_punctuation, unique, year  # noqa: F401

Extractor = Callable[["MarcView"], list]
Transform = Callable[[list], list]


class MarcView:
    """A record's fields grouped by tag, with 880s grouped by the tag they link to.

    Extractors read it; they report data problems with :meth:`warn`, which
    tags the message with the rule being applied.
    """

    __slots__ = ("record", "by_tag", "linked", "warnings", "rule", "source", "present")

    def __init__(self, record: Record, source: str | None = None):
        if not isinstance(record, Record):
            record = from_pymarc(record)
        self.record = record
        self.source = source
        by_tag: dict[str, list[Field]] = {}
        for f in record.fields:
            if f.tag in by_tag:
                by_tag[f.tag].append(f)
            else:
                by_tag[f.tag] = [f]
        linked: dict[str, list[Field]] = {}
        self.warnings: list[str] = []
        self.rule: Rule | None = None
        for f in by_tag.get("880", ()):
            link = f.get("6")
            if link and len(link) >= 3 and link[:3].isdigit():
                linked.setdefault(link[:3], []).append(f)
            else:
                self.warnings.append(f"880 field without a $6 link to its field: {f!r:.80}")
        self.by_tag = by_tag
        self.linked = linked
        self.present = by_tag.keys() | linked.keys()

    def fields(self, tag: str) -> list[Field]:
        return self.by_tag.get(tag, [])

    def control(self, tag: str) -> str:
        fields = self.by_tag.get(tag)
        return fields[0].data or "" if fields and fields[0].data is not None else ""

    @property
    def leader(self) -> str:
        return self.record.leader

    def warn(self, message: str) -> None:
        where = f"rule for {self.rule.field!r} ({self.rule.declared_at}): " if self.rule else ""
        self.warnings.append(where + message)


@dataclass(frozen=True, slots=True)
class Rule:
    field: str
    extract: Extractor
    transforms: tuple[Transform, ...]
    declared_at: str
    tags: frozenset | None = None   # a record without any of these tags gives nothing
    reads: frozenset | None = None  # every tag the rule may read (None: any)

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
                f"{caller.f_code.co_filename.rsplit('/', 1)[-1]}:{caller.f_lineno}",
                getattr(extract, "tags", None), _reads_of(extract))


def reads(*tags: str):
    """Declare the tags an extractor reads, so records without them skip its rule."""

    def mark(extract: Extractor) -> Extractor:
        extract.tags = frozenset(tags)
        return extract

    return mark


def uses(*tags: str):
    """Declare the tags an extractor reads without letting their absence skip its rule
    (a default such as "the source library holds it" must still be given)."""

    def mark(extract: Extractor) -> Extractor:
        extract.reads = frozenset(tags)
        return extract

    return mark


def _reads_of(extract) -> frozenset | None:
    return getattr(extract, "reads", getattr(extract, "tags", None))


def _tags_of(extractors) -> frozenset | None:
    found = [getattr(ex, "tags", None) for ex in extractors]
    return None if any(t is None for t in found) else frozenset().union(*found)


def _combine(extract, extractors) -> None:
    tags = _tags_of(extractors)
    if tags is not None:
        extract.tags = tags
    reads = [_reads_of(ex) for ex in extractors]
    if all(r is not None for r in reads):
        extract.reads = frozenset().union(*reads)


def tags_read(rules) -> frozenset | None:
    """Every tag a rule set reads (880 included), or None if some rule may read any."""
    found = [rule.reads for rule in rules]
    if any(r is None for r in found):
        return None
    return frozenset().union(*found) | {"880"}


def map_with(rules: Iterable[Rule], view) -> dict:
    """Apply rules in order; values of rules sharing a field are concatenated.

    A rule whose tags the record does not have is skipped without a call.
    """
    out: dict[str, list] = {}
    present = getattr(view, "present", None)
    for rule in rules:
        tags = rule.tags
        if tags is not None and present is not None and tags.isdisjoint(present):
            continue
        view.rule = rule
        try:
            values = rule.extract(view)
            if values:
                for transform in rule.transforms:
                    values = transform(values)
                    if not values:
                        break
        except Exception as exc:  # a rule bug or a record it cannot handle
            raise MappingError(
                f"rule for {rule.field!r} ({rule.declared_at}) failed: "
                f"{exc.__class__.__name__}: {exc}") from exc
        if values:
            if rule.field in out:
                out[rule.field].extend(values)
            else:
                out[rule.field] = list(values)
    view.rule = None
    return out


# -- field specs ---------------------------------------------------------------

_SPEC = re.compile(r"^(\d{3})(?:\|([0-9a-z* ]{2})\|)?([a-z0-9]*)$")


@dataclass(frozen=True)
class Spec:
    """One part of a spec such as ``245abnp`` or ``264|*1|ab`` (tag, indicators, codes)."""

    tag: str
    codes: frozenset | None
    ind1: str | None = None
    ind2: str | None = None

    def matches(self, f: Field) -> bool:
        return ((self.ind1 is None or f.ind1 == self.ind1)
                and (self.ind2 is None or f.ind2 == self.ind2))


def parse_spec(spec: str) -> list[Spec]:
    """``"245abnp:264|*1|ab"`` -> specs; ValueError names a bad part at declaration time."""
    parsed = []
    for part in spec.split(":"):
        m = _SPEC.match(part)
        if not m:
            raise ValueError(f"bad MARC spec {part!r}")
        inds = m.group(2)
        ind1 = inds[0] if inds and inds[0] != "*" else None
        ind2 = inds[1] if inds and inds[1] != "*" else None
        parsed.append(Spec(m.group(1), frozenset(m.group(3)) if m.group(3) else None, ind1, ind2))
    return parsed


def field_value(f: Field, codes: frozenset | None, separator: str = " ") -> str:
    if f.data is not None:
        return f.data
    if codes is None:
        parts = [v.strip() for c, v in f.subfields if c != "6" and c != "8"]
    else:
        parts = [v.strip() for c, v in f.subfields if c in codes]
    return separator.join(p for p in parts if p)


def spec_fields(view: MarcView, specs: list[Spec], alternate_script: bool | str = True):
    """(spec, field) pairs in spec order, each tag's linked 880s after its own fields."""
    for spec in specs:
        if alternate_script != "only":
            for f in view.by_tag.get(spec.tag, ()):
                if spec.ind1 is None and spec.ind2 is None or spec.matches(f):
                    yield spec, f
        if alternate_script and spec.tag in view.linked:
            for f in view.linked[spec.tag]:
                if spec.ind1 is None and spec.ind2 is None or spec.matches(f):
                    yield spec, f


# -- extractors ----------------------------------------------------------------

def extract_marc(spec: str, alternate_script: bool | str = True, separator: str = " ",
                 joiner: Callable[[Field, frozenset | None], str] | None = None) -> Extractor:
    """Values of the fields and subfields in ``spec`` ("245abnp:246a").

    ``alternate_script``: True adds linked 880 fields after their field,
    False leaves them out, "only" gives just the 880s. ``joiner`` replaces
    the plain join of subfields (UNIMARC titles join with ISBD punctuation).
    """
    specs = parse_spec(spec)
    simple = all(s.ind1 is None and s.ind2 is None for s in specs)

    def extract(view: MarcView) -> list:
        out = []
        if simple and joiner is None:
            by_tag, linked = view.by_tag, view.linked
            for s in specs:
                if alternate_script != "only" and s.tag in by_tag:
                    for f in by_tag[s.tag]:
                        value = field_value(f, s.codes, separator)
                        if value:
                            out.append(value)
                if alternate_script and s.tag in linked:
                    for f in linked[s.tag]:
                        value = field_value(f, s.codes, separator)
                        if value:
                            out.append(value)
            return out
        for s, f in spec_fields(view, specs, alternate_script):
            value = joiner(f, s.codes) if joiner else field_value(f, s.codes, separator)
            if value:
                out.append(value)
        return out

    extract.tags = frozenset(s.tag for s in specs)
    return extract


def each_subfield(spec: str, alternate_script: bool | str = False) -> Extractor:
    """Every matching subfield on its own (020 $a, 041 $a ...), not joined per field."""
    specs = parse_spec(spec)

    def extract(view: MarcView) -> list:
        return [v.strip() for s, f in spec_fields(view, specs, alternate_script)
                for c, v in f.subfields if (s.codes is None or c in s.codes) and v.strip()]

    extract.tags = frozenset(s.tag for s in specs)
    return extract


def control_field(tag: str) -> Extractor:
    """The whole value of a control field (001-009)."""

    def extract(view: MarcView) -> list:
        data = view.control(tag)
        return [data] if data else []

    extract.tags = frozenset([tag])
    return extract


def control_slice(tag: str, start: int, end: int) -> Extractor:
    """Characters ``start:end`` of a control field (or "LDR")."""

    def extract(view: MarcView) -> list:
        data = view.leader if tag == "LDR" else view.control(tag)
        piece = data[start:end]
        return [piece] if len(piece) == end - start else []

    if tag != "LDR":
        extract.tags = frozenset([tag])
    else:
        extract.reads = frozenset()
    return extract


def subfield_slice(tag: str, code: str, start: int, end: int) -> Extractor:
    """Characters ``start:end`` of a coded subfield (UNIMARC 100 $a/9-12)."""

    def extract(view: MarcView) -> list:
        for f in view.by_tag.get(tag, ()):
            value = f.get(code)
            if value and len(value) >= end:
                return [value[start:end]]
        return []

    extract.tags = frozenset([tag])
    return extract


def first_of(*extractors: Extractor) -> Extractor:
    """The values of the first extractor that yields any."""

    def extract(view: MarcView) -> list:
        for ex in extractors:
            values = ex(view)
            if values:
                return values
        return []

    _combine(extract, extractors)
    return extract


def all_of(*extractors: Extractor) -> Extractor:
    """The values of every extractor, one after another."""

    def extract(view: MarcView) -> list:
        out = []
        for ex in extractors:
            out.extend(ex(view))
        return out

    _combine(extract, extractors)
    return extract


def literal(*values) -> Extractor:
    """Always the same values (a default after ``first_of``)."""

    def extract(view: MarcView) -> list:
        return list(values)

    return extract
