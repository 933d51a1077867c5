"""A plan (:mod:`discovery.plan`) as a Whoosh query."""

from __future__ import annotations

from whoosh import query as wq

from discovery import plan as p

from .keys import KeyQuery


def to_whoosh(node) -> wq.Query:
    if isinstance(node, p.Term):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, p.Prefix):
        return wq.Prefix(node.field, node.text, boost=node.boost)
    if isinstance(node, p.Phrase):
        return wq.Phrase(node.field, list(node.terms), boost=node.boost)
    if isinstance(node, p.Sequence):
        return wq.Sequence([
            wq.Term(node.field, forms[0], boost=node.boost) if len(forms) == 1
            else wq.Or([wq.Term(node.field, f, boost=node.boost) for f in forms])
            for forms in node.positions])
    if isinstance(node, p.Key):
        return KeyQuery(node.field, node.key)
    if isinstance(node, p.Range):
        return wq.NumericRange(node.field, node.start, node.end)
    if isinstance(node, p.And):
        return wq.And([to_whoosh(i) for i in node.items])
    if isinstance(node, p.Or):
        return wq.Or([to_whoosh(i) for i in node.items])
    if isinstance(node, p.Not):
        return wq.Not(to_whoosh(node.item))
    if isinstance(node, p.AndMaybe):
        return wq.AndMaybe(to_whoosh(node.required), to_whoosh(node.optional))
    if isinstance(node, p.Constant):
        return wq.ConstantScoreQuery(to_whoosh(node.item), score=node.score)
    if isinstance(node, p.Every):
        return wq.Every()
    if isinstance(node, p.Nothing):
        return wq.NullQuery
    raise TypeError(f"unknown plan node {node!r}")
