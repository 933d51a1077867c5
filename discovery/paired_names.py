"""A name typed in one form also asks for its other form, as the generation's 880s pair them.

LC records name ``Lu, Xun, 1881-1936`` beside the 880 ``鲁迅, 1881-1936``; a
record from another library may give only one of the two, and pinyin alone
does not bridge every pair (``Natsume Soseki`` is not the pinyin of 夏目漱石,
nor a Wade-Giles or Korean romanization that of its Han). The pairs and their
keys are :mod:`indexer.name_pairs`; the compiler (:mod:`discovery.compiler`)
asks here for the clauses to OR with what it compiled. Only author fields are
asked: a name's other form in a title would be a different question.
"""

from __future__ import annotations

from typing import Callable

from indexer.name_pairs import roman_key, vernacular_key
from indexer.segmenters import HAN_RUN

from . import plan as p
from . import query as q

NamesPaired = Callable[[str, bool], list[str]]   # SuggestStore.names_paired
FACTOR = 0.5   # the other form ranks below the form the reader typed


def whole_query(names: NamesPaired | None, tree, author: Callable):
    """The other forms of a name that is the whole query, as author clauses
    (``author(text)`` compiles one): the vernacular forms of a romanized name (``Lu Xun``,
    ``Gavriel David``), and the romanized forms of a name in an alphabet or abjad
    (``גבריאל דוד``; Han is asked word by word, :func:`vernacular`). None when none."""
    nodes = tree.items if isinstance(tree, q.And) else (tree,)
    if names is None or not all(isinstance(n, q.Text) and n.field in (None, "author")
                                and not n.prefix for n in nodes):
        return None
    text = " ".join(n.text for n in nodes)
    key = roman_key(text)
    forms = names(key, False) if key else []
    if not HAN_RUN.search(text) and not text.isascii():
        key = vernacular_key(text)
        forms += names(key, True) if key else []
    clauses = [c for c in map(author, forms) if c is not None]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else p.Or(tuple(clauses))


def vernacular(names: NamesPaired | None, node: q.Text, phrase: Callable) -> list:
    """Author clauses for the romanized forms of a vernacular name (``鲁迅``: ``Lu, Xun``):
    ``phrase(text, factor)`` gives them, at :data:`FACTOR` of the weight."""
    if names is None or node.field not in (None, "author") or node.prefix:
        return []
    key = vernacular_key(node.text)
    return [c for form in (names(key, True) if key else ()) for c in phrase(form, FACTOR)]
