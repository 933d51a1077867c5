"""A compiled query, engine-neutral: what every engine renders into its own queries.

:mod:`discovery.compiler` turns a reader's parsed query (:mod:`discovery.query`)
into a plan of these nodes over Sheaf's own index terms (field names from
:mod:`indexer.fields`, terms as :mod:`indexer.analysis` writes them); each
engine renders the plan (``discovery/engines/*/query.py``) and never sees the
reader's text. Boosts multiply scores; :class:`Constant` scores a match with a
fixed value (the exact-title and exact-spelling tiers).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Terms at consecutive positions of one field."""
    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Sequence:
    """Consecutive positions of one field, each position any of its terms."""
    field: str
    positions: tuple[tuple[str, ...], ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Key:
    """Documents with this value in a key field (``title_keys``: ``=`` whole, ``^`` start)."""
    field: str
    key: str


@dataclass(frozen=True)
class Range:
    field: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class AndMaybe:
    """``required`` decides the matches; ``optional`` only adds to their scores."""
    required: object
    optional: object


@dataclass(frozen=True)
class Constant:
    item: object
    score: float


@dataclass(frozen=True)
class Every:
    pass


@dataclass(frozen=True)
class Nothing:
    pass


Plan = (Term | Prefix | Phrase | Sequence | Key | Range | And | Or | Not | AndMaybe | Constant
        | Every | Nothing)


def terms_of(plan, word_fields, ngram_fields, pinyin_field: str) -> dict[str, set[str]]:
    """The terms a plan matches on, by kind ("words", "ngrams", "pinyin", "prefix"): what
    highlighting marks. Excluded (NOT) clauses and optional boosts are left out."""
    out: dict[str, set[str]] = {"words": set(), "ngrams": set(), "pinyin": set(), "prefix": set()}

    def add(field: str, text: str) -> None:
        if field in word_fields:
            out["words"].add(text)
        elif field in ngram_fields:
            out["ngrams"].add(text)
        elif field == pinyin_field:
            out["pinyin"].add(text)

    def walk(node) -> None:
        if isinstance(node, Term):
            add(node.field, node.text)
        elif isinstance(node, Phrase):
            for text in node.terms:
                add(node.field, text)
        elif isinstance(node, Sequence):
            for forms in node.positions:
                for text in forms:
                    add(node.field, text)
        elif isinstance(node, Prefix):
            if node.field in word_fields:
                out["prefix"].add(node.text)
        elif isinstance(node, (And, Or)):
            for item in node.items:
                walk(item)
        elif isinstance(node, AndMaybe):
            walk(node.required)
        elif isinstance(node, Constant):
            walk(node.item)

    walk(plan)
    return out


def prefixes(node) -> set[tuple[str, str]]:
    """Every (field, text) a plan truncates with ``*``: what an engine counts against
    ``max_prefix_terms`` before it searches."""
    found: set[tuple[str, str]] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Prefix):
            found.add((n.field, n.text))
        elif isinstance(n, (And, Or)):
            stack.extend(n.items)
        elif isinstance(n, (Not, Constant)):
            stack.append(n.item)
        elif isinstance(n, AndMaybe):
            stack.extend((n.required, n.optional))
    return found
