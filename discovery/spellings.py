"""The other spellings of a typed word, as plan clauses (:mod:`discovery.compiler`).

Vietnamese is typed with or without its diacritics: a word without them
matches every accented word it folds from, a word with them also the same
letters without (at a lower weight), and two syllables the name they join
into (``Hà Nội``, ``Hanoi``). The index holds each accented word as written
and folded, marked (``~thu``: :data:`indexer.textnorm.FOLDED_MARK`).
"""

from __future__ import annotations

from indexer.segmenters import HAN_RUN
from indexer.textnorm import FOLDED_MARK, fold, is_folded_syllable

from . import plan as p
from . import query as q

FOLDED_FACTOR = 0.5
OTHER_DIACRITICS_FACTOR = 0.25


def spellings(token: str, exact: bool = False) -> list[tuple[str, float]]:
    """(term, weight factor) of the spellings a typed token matches, itself first.

    A token without diacritics also matches the marked folded forms of accented
    words (``thu`` finds ``thứ``, indexed as ``~thu``). An accented token also
    matches the same letters without diacritics (half weight) and, unless
    ``exact``, words with other diacritics (a quarter)."""
    if HAN_RUN.match(token):
        return [(token, 1.0)]
    folded = fold(token)
    if folded == token:
        return [(token, 1.0), (FOLDED_MARK + token, 1.0)] if token.isascii() else [(token, 1.0)]
    if not folded:
        return [(token, 1.0)]
    if exact:
        return [(token, 1.0)]
    return [(token, 1.0), (folded, FOLDED_FACTOR),
            (FOLDED_MARK + folded, OTHER_DIACRITICS_FACTOR)]


def other_spellings(field: str, tokens: list[str], boost: float, prefix: bool, loose: bool,
                    exact: bool = False):
    """The other spellings of a typed word in one field (see :func:`spellings`), or None."""
    alternatives = [spellings(t, exact)[1:] for t in tokens]
    if not any(alternatives):
        return None
    if len(tokens) == 1:
        forms = alternatives[0]
        parts = [p.Prefix(field, t, boost=boost * f) if prefix else
                 p.Term(field, t, boost=boost * f) for t, f in forms]
        return parts[0] if len(parts) == 1 else _any(parts)
    # several tokens (a phrase, or a word analysis cut in two): each position may take
    # any of its spellings; the whole ranks below the tokens as typed
    return side_by_side(field, [[t] + [a for a, _f in alts]
                                for t, alts in zip(tokens, alternatives)],
                        boost * FOLDED_FACTOR, loose)


def side_by_side(field: str, positions: list[list[str]], boost: float, loose: bool):
    """Terms at consecutive positions, each position any of its forms (AND where the
    field keeps no positions)."""
    if loose:
        return _all([p.Term(field, forms[0], boost=boost) if len(forms) == 1
                     else _any([p.Term(field, f, boost=boost) for f in forms])
                     for forms in positions])
    return p.Sequence(field, tuple(tuple(forms) for forms in positions), boost=boost)


def joined_syllables(a, b, tokens) -> str | None:
    """The word two adjacent plain words join into when both are Vietnamese syllables
    (folded), else None."""
    if not all(isinstance(n, q.Text) and not n.phrase and not n.prefix for n in (a, b)):
        return None
    if a.field != b.field or a.field not in (None, "title", "author", "subject"):
        return None
    parts = []
    for node in (a, b):
        found = tokens(node.text)
        if len(found) != 1 or HAN_RUN.match(found[0]):
            return None
        folded = fold(found[0])
        if not folded.isascii() or not is_folded_syllable(folded):
            return None
        parts.append(folded)
    return "".join(parts)


def folded_syllables(field: str, syllables: tuple[str, ...], boost: float, loose: bool):
    """Folded syllables side by side, each in any spelling (``ha noi``: Hà Nội, Ha Noi)."""
    return side_by_side(field, [[s, FOLDED_MARK + s] for s in syllables], boost, loose)


def _all(items) -> p.And:
    return p.And(tuple(items))


def _any(items) -> p.Or:
    return p.Or(tuple(items))
