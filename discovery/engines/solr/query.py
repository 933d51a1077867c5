"""A plan (:mod:`discovery.plan`) as a query of Solr's standard query parser.

Terms go to Solr exactly as Sheaf's analyzers wrote them: text fields split a
query on whitespace only (:mod:`.schema`), and everything else a term holds is
escaped. Boosts are Lucene's (``^``), constant scores ``^=``, and a sequence
whose positions have several spellings becomes the phrases of its spellings
(at most :data:`MAX_SPELLED_PHRASES`, else its positions ANDed), as Lucene's
standard parser has no phrase of alternatives.
"""

from __future__ import annotations

import itertools
import re

from discovery import plan as p

MAX_SPELLED_PHRASES = 16
_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/\s])')


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def quoted(text: str) -> str:
    """A value as one quoted term of Solr's standard query parser."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _boost(query: str, boost: float) -> str:
    return query if boost == 1.0 else f"{query}^{boost:g}"


def to_solr(node) -> str:
    if isinstance(node, p.Term):
        return _boost(f"{node.field}:{escape(node.text)}", node.boost)
    if isinstance(node, p.Prefix):
        return _boost(f"{node.field}:{escape(node.text)}*", node.boost)
    if isinstance(node, p.Phrase):
        return _boost(f"{node.field}:{quoted(' '.join(node.terms))}", node.boost)
    if isinstance(node, p.Sequence):
        combos = 1
        for forms in node.positions:
            combos *= len(forms)
        if combos <= MAX_SPELLED_PHRASES:
            phrases = [_boost(f"{node.field}:{quoted(' '.join(terms))}", node.boost)
                       for terms in itertools.product(*node.positions)]
            return phrases[0] if len(phrases) == 1 else "(" + " ".join(phrases) + ")"
        return "(" + " ".join(
            "+(" + " ".join(_boost(f"{node.field}:{escape(f)}", node.boost) for f in forms) + ")"
            for forms in node.positions) + ")"
    if isinstance(node, p.Key):
        return f"{node.field}:{quoted(node.key)}"
    if isinstance(node, p.Range):
        lo = "*" if node.start is None else str(int_field(node.start))
        hi = "*" if node.end is None else str(int_field(node.end))
        return f"{node.field}:[{lo} TO {hi}]"
    if isinstance(node, p.And):
        return "(" + " ".join(_required(i) for i in node.items) + ")"
    if isinstance(node, p.Or):
        return "(" + " ".join(to_solr(i) for i in node.items) + ")"
    if isinstance(node, p.Not):
        return f"(*:* -{to_solr(node.item)})"
    if isinstance(node, p.AndMaybe):
        return f"(+{to_solr(node.required)} {to_solr(node.optional)})"
    if isinstance(node, p.Constant):
        return f"({to_solr(node.item)})^={node.score:g}"
    if isinstance(node, p.Every):
        return "*:*"
    if isinstance(node, p.Nothing):
        return "(-*:*)"
    raise TypeError(f"unknown plan node {node!r}")


def int_field(value) -> int:
    """A range's bound within a 32-bit point field, which refuses any number beyond it
    ("Invalid Number"): a year past those bounds matches what the bound itself matches."""
    return max(-2**31, min(2**31 - 1, int(value)))


def _required(node) -> str:
    """An item of an AND: required, or excluded when it is a NOT."""
    if isinstance(node, p.Not):
        return "-" + to_solr(node.item)
    return "+" + to_solr(node)
