"""A query word in one romanization of Chinese also asks for the other.

A Wade-Giles word (``Tse-tung``, ``Chʻing``; see :func:`indexer.wade_giles.marked`)
also matches its pinyin: joined as LC writes a given name (``zedong``), syllable
by syllable (``ze dong``), and as the pinyin of Han text (so ``Mao Tse-tung``
finds 毛泽东). A pinyin word also matches its Wade-Giles syllables, as older
records and other libraries write them (``zedong`` finds ``Tse-tung``,
``caotang`` ``tsʻao tʻang``).

Either way round the other words of the query follow once one word shows the
system: ``Teng Hsiao-pʻing`` reads ``Teng`` as Wade-Giles (deng), ``Deng
Xiaoping`` reads ``Deng`` as pinyin (teng). A word alone is converted only on
such a mark, because many syllables of both systems are English words (``sun``,
``men``, ``chang``, ``pen``, ``hung``). Matches in the other system weigh half.
The plan nodes are engine-neutral; both engines get this for free.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer import wade_giles as wg
from indexer.fields import FIELDS_BY_NAME, PINYIN_FIELD
from indexer.textnorm import FOLDED_MARK, fold

from . import plan as p

FACTOR = 0.5   # a match in the other romanization, against the word as typed
PINYIN_WEIGHT = FIELDS_BY_NAME[PINYIN_FIELD].weight


@dataclass(frozen=True)
class Systems:
    """Which romanization the words of one query show."""
    wade_giles: bool = False   # a word is marked Wade-Giles
    pinyin: bool = False       # every word is pinyin and one is distinctly so

    @classmethod
    def of(cls, words: list[str], all_pinyin: bool) -> "Systems":
        return cls(wade_giles=any(wg.marked(w) for w in words),
                   pinyin=all_pinyin and any(wg.distinctly_pinyin(w) for w in words))


def clauses(word: str, group: dict, systems: Systems) -> list:
    """Plan clauses for ``word`` (one typed word) in its other romanization."""
    out = []
    if systems.wade_giles:
        for reading in wg.to_pinyin(word):
            # spelled alike (Mao): the word fields have it already, Han text's pinyin not
            same = "".join(reading) == fold(word.lower())
            out.extend(_pinyin_clauses(reading, group, words=not same))
    if systems.pinyin:
        for reading in wg.from_pinyin(word):
            if "".join(reading) == fold(word.lower()):
                continue
            for field, weight in group["words"]:
                out.append(_side_by_side(field, [wg.index_forms(s) for s in reading],
                                         weight * FACTOR))
    return out


def _pinyin_clauses(reading: tuple[str, ...], group: dict, words: bool = True) -> list:
    joined = "".join(reading)
    out = []
    for field, weight in group["words"] if words else ():
        out.append(_side_by_side(field, [_forms(joined)], weight * FACTOR))
        if len(reading) > 1:
            out.append(_side_by_side(field, [_forms(s) for s in reading], weight * FACTOR))
    if group["pinyin"]:
        syllables = tuple(s.replace("ü", "v") for s in reading)
        out.append(p.Term(PINYIN_FIELD, syllables[0], boost=PINYIN_WEIGHT * FACTOR)
                   if len(syllables) == 1 else
                   p.Phrase(PINYIN_FIELD, syllables, boost=PINYIN_WEIGHT * FACTOR))
    return out


def _forms(pinyin: str) -> tuple[str, ...]:
    """A pinyin word as indexed: as written, and folded (``lü``: ``~lu``)."""
    folded = fold(pinyin)
    return (pinyin,) if folded == pinyin else (pinyin, FOLDED_MARK + folded)


def _side_by_side(field: str, positions: list[tuple[str, ...]], boost: float):
    """Terms at consecutive positions, each any of its forms (AND where the field keeps
    no positions)."""
    if len(positions) == 1:
        terms = tuple(p.Term(field, f, boost=boost) for f in positions[0])
        return terms[0] if len(terms) == 1 else p.Or(terms)
    if not FIELDS_BY_NAME[field].phrase:
        return p.And(tuple(p.Or(tuple(p.Term(field, f, boost=boost) for f in forms))
                           for forms in positions))
    return p.Sequence(field, tuple(positions), boost=boost)
