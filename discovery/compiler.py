"""Compiling a parsed reader query (:mod:`discovery.query`) into an engine-neutral plan
(:mod:`discovery.plan`), which each engine renders into its own queries.

Text is analysed with Sheaf's own analyzers in query mode, the ones every
engine's index holds the tokens of, so query tokens always agree with index
tokens. For each word the plan asks, in order of weight:

* the word fields (title > author > subject > publisher > rest): the word as
  typed, and its other spellings (:func:`discovery.spellings.spellings`). A word typed without
  diacritics matches every accented word it folds from, at full weight. A
  word typed with diacritics also matches the same letters without them (half
  weight) and words with other diacritics (a quarter), so nothing is lost to a
  missing tone mark, but the records that have every typed word as typed rank
  first (:data:`EXACT_SPELLING_BOOST`: ``thư viện`` puts ``thư viện`` before
  ``thứ ... viên``, ``nỗi`` ``Nỗi cô đơn`` before ``Hà Nội``). Inside a
  phrase, typed diacritics are exact;
* the CJK n-gram fields, for Han, kana and hangul (a phrase of bigrams, or a
  unigram for one character), so partial and short Chinese queries find
  their records even where jieba cut the title differently;
* the pinyin field, when every word of the query is pinyin (``honglou meng``);
* the English stem field;
* for a year (``Mustaqillik 1997``), the records of that year, which catalogue
  it in the date of publication, not in the title;
* the other romanization of Chinese: Wade-Giles words as pinyin and pinyin
  words as Wade-Giles (:mod:`discovery.romanization`);
* for a name in one form, its other form as the generation's 880s pair them
  (:mod:`indexer.name_pairs`): ``鲁迅`` also asks the author fields for ``Lu,
  Xun``, and ``Natsume Soseki`` for ``夏目漱石``, whose pinyin does not say so.

Adjacent words also ask, optionally, for the Vietnamese compound they may
form (``thư_viện``), so titles with the compound rank first.
"""

from __future__ import annotations

import re
from dataclasses import replace

from indexer.analysis import main_analyzer, stem_analyzer
from indexer.headings import match_key
from indexer.fields import FIELDS_BY_NAME, PINYIN_FIELD, SEARCH_FIELDS, STEM_FIELD
from indexer.isbn import search_forms
from indexer.pinyin import split_syllables
from indexer.segmenters import CJK_RUN, HAN_CLASS, HAN_RUN, KANA_HANGUL_CLASS, to_simplified
from indexer.textnorm import (HAN_JOINER, close_han_gaps, fold, place_tone,
                              split_folded_syllables)

from . import paired_names
from . import plan as p
from . import query as q
from . import ranking
from . import romanization
from . import spellings as sp

FOLDED_FACTOR = sp.FOLDED_FACTOR
COMPOUND_BOOST = 2.0
# every typed word in its typed spelling: above any score the other spellings add
EXACT_SPELLING_BOOST = 1000.0   # BM25F scores here reach the low hundreds
PINYIN_WEIGHT = FIELDS_BY_NAME[PINYIN_FIELD].weight
STEM_WEIGHT = FIELDS_BY_NAME[STEM_FIELD].weight


def _weighted(names) -> list[tuple[str, float]]:
    return [(name, FIELDS_BY_NAME[name].weight) for name in names]


# the text fields a query's words are looked for in: every field (None) or a named group
GROUPS = {(None if f.name == "all" else f.name): {
    "words": _weighted(f.words), "ngrams": _weighted(f.ngrams), "pinyin": f.pinyin,
    "stem": f.stem} for f in SEARCH_FIELDS if f.words}
_YEAR = re.compile(r"1[5-9][0-9][0-9]|20[0-9][0-9]")
_CJK_ONLY = re.compile(f"^[{HAN_CLASS}{KANA_HANGUL_CLASS}\u30fc]+$")


class QueryCompiler:
    """Turns parsed queries into plans over the fields :mod:`indexer.fields` declares;
    ``names`` gives the other forms of a name (the generation's 880 pairs)."""

    def __init__(self, names: paired_names.NamesPaired | None = None):
        self.names = names
        self.words = main_analyzer(compounds=True)
        self.stemmer = stem_analyzer()
        self.positions = {f.name: f.phrase for f in FIELDS_BY_NAME.values()}
        self.tiered = False

    def compile(self, tree) -> p.Plan:
        """The plan of ``tree``; afterwards ``tiered`` says whether the exact-spelling
        tier was added (see EXACT_SPELLING_BOOST)."""
        self.tiered = False
        if isinstance(tree, q.MatchAll):
            return p.Every()
        words = _words(tree)
        self.pinyin_ok = bool(words) and all(split_syllables(w) for w in words)
        self.systems = romanization.Systems.of(words, self.pinyin_ok)
        self.exact = False
        compiled = self._node(tree) or p.Nothing()
        paired = paired_names.whole_query(self.names, tree, self._author)
        if paired is not None and not isinstance(compiled, p.Nothing):
            compiled = _or([compiled, paired])
        boosts = self._compounds(tree) + ranking.title_boosts(tree)
        if not isinstance(compiled, p.Nothing) and self._typed_marks(tree):
            self.exact = True
            exact = self._node(tree)
            self.exact = False
            if exact is not None:
                boosts.append(p.Constant(exact, score=EXACT_SPELLING_BOOST))
                self.tiered = True
        if boosts and not isinstance(compiled, p.Nothing):
            compiled = p.AndMaybe(compiled, _or(boosts))
        return compiled

    def _typed_marks(self, tree) -> bool:
        """Whether a plain word of the query carries diacritics (phrases are exact anyway)."""
        if isinstance(tree, (q.And, q.Or)):
            return any(self._typed_marks(n) for n in tree.items)
        if isinstance(tree, q.Text) and not tree.phrase:
            return any(fold(t) != t for t in self.tokens(tree.text) if not HAN_RUN.match(t))
        return False

    def _author(self, text: str):
        return self._text(q.Text("author", text))

    def _author_phrase(self, text: str, factor: float) -> list:
        """``text`` as a phrase in each author field, its weight times ``factor``."""
        tokens = self.tokens(text)
        return [_match(field, tokens, weight * factor, False, not self.positions[field])
                for field, weight in GROUPS["author"]["words"]] if tokens else []

    # -- nodes ---------------------------------------------------------------

    def _node(self, node):
        if isinstance(node, q.And):
            items = [i for i in self._joined(list(node.items)) if i is not None]
            return _and(items) if len(items) > 1 else (items[0] if items else None)
        if isinstance(node, q.Or):
            items = [self._node(n) for n in node.items]
            items = [i for i in items if i is not None]
            return _or(items) if len(items) > 1 else (items[0] if items else None)
        if isinstance(node, q.Not):
            inner = self._node(node.item)
            return p.Not(inner) if inner is not None else None
        if isinstance(node, q.YearRange):
            return p.Range("year", node.start, node.end)
        if isinstance(node, q.Value):
            return self._value(node)
        if isinstance(node, q.Text):
            return self._text(node)
        if isinstance(node, q.MatchAll):
            return p.Every()
        raise TypeError(f"unknown query node {node!r}")

    def _joined(self, nodes: list) -> list:
        """The compiled items of an AND, two adjacent Vietnamese syllables also matching
        the name they join into (``Việt Nam`` finds ``Vietnam``, ``Hà Nội`` ``Hanoi``)."""
        out, i = [], 0
        while i < len(nodes):
            a = nodes[i]
            b = nodes[i + 1] if i + 1 < len(nodes) else None
            joined = None if self.exact or b is None else sp.joined_syllables(a, b, self.tokens)
            if joined is not None:
                pair = _and([x for x in (self._node(a), self._node(b)) if x is not None])
                whole = self._text(q.Text(a.field, joined))
                out.append(_or([pair, whole]) if whole is not None else pair)
                i += 2
                continue
            out.append(self._node(a))
            i += 1
        return out

    def _value(self, node: q.Value):
        value = node.value.strip()
        if node.field == "isbn":
            forms = search_forms(value) or [re.sub(r"[^0-9Xx]", "", value).upper() or value]
            return _or([p.Term("isbn", f) for f in forms]) if len(forms) > 1 \
                else p.Term("isbn", forms[0])
        if node.field == "language":
            code = value.lower()
            return p.Term("language", q.LANGUAGE_ALIASES.get(code, code))
        if node.field == "issn":
            digits = re.sub(r"[^0-9Xx]", "", value).upper()
            return p.Term("issn", f"{digits[:4]}-{digits[4:]}" if len(digits) == 8 else value)
        if node.field == "id":
            return p.Term("id", value)
        if node.field == "heading":   # the heading whole, subdivisions and all
            return p.Key("subject_keys", match_key(value))
        return p.Term("source", value.lower())

    def tokens(self, text: str) -> list[str]:
        return [span[0] for span in self.words.spans(text, mode="query")]

    def _text(self, node: q.Text):
        if HAN_JOINER in node.text:
            # Han words the reader divided (query.clean): read across the division, as
            # titles are, or as divided (中国动物志 粒网虫门: the title's parts are
            # separated by ISBD punctuation, and jieba cuts the joined text across it)
            whole = self._text(replace(node, text=node.text.replace(HAN_JOINER, "")))
            if node.phrase or node.prefix or whole is None:
                return whole
            parts = [self._text(replace(node, text=t)) for t in node.text.split(HAN_JOINER)]
            parts = [c for c in parts if c is not None]
            return _or([whole, _and(parts)]) if parts else whole
        group = GROUPS[node.field]
        tokens = self.tokens(node.text)
        if not tokens:
            return None
        if len(tokens) > 1 and not node.phrase and all(HAN_RUN.match(t) for t in tokens):
            # Readers type Chinese without spaces: the words jieba finds in an
            # unquoted run are matched as if typed apart, and the bigram phrase
            # of the whole run rewards the records that have them side by side.
            apart = _and([self._text(q.Text(node.field, t)) for t in tokens])
            whole = [_ngram_query(f, node.text, w) for f, w in group["ngrams"]]
            return _or([apart] + whole + paired_names.vernacular(self.names, node, self._author_phrase))
        clauses = []
        for field, weight in group["words"]:
            loose = not self.positions[field]
            clauses.append(_match(field, tokens, weight, node.prefix, loose))
            other = sp.other_spellings(field, tokens, weight, node.prefix, loose,
                           exact=self.exact or node.phrase)
            if other is not None:
                clauses.append(other)
        if len(tokens) == 1 and not node.phrase and not node.prefix:
            # a joined name as its Vietnamese syllables (hanoi finds Hà Nội, saigon Sài Gòn)
            for syllables in split_folded_syllables(tokens[0]):
                for field, weight in group["words"]:
                    clauses.append(sp.folded_syllables(field, syllables, weight * FOLDED_FACTOR,
                                              not self.positions[field]))
        if len(node.text.split()) == 1 and not node.phrase and not node.prefix \
                and not self.exact:
            # Wade-Giles and pinyin find each other (Mao Tse-tung, Mao Zedong)
            clauses.extend(romanization.clauses(node.text, group, self.systems))
        if group["ngrams"] and _CJK_ONLY.match(node.text.replace(" ", "")):
            for field, weight in group["ngrams"]:
                clauses.append(_ngram_query(field, node.text, weight))
            if not self.exact:
                clauses.extend(paired_names.vernacular(self.names, node, self._author_phrase))
        if node.field is None and not node.phrase and not node.prefix \
                and _YEAR.fullmatch(node.text):
            # a year beside title words names the edition of that year (Mustaqillik 1997)
            clauses.append(p.Range("year", int(node.text), int(node.text)))
        # (pinyin and stems are folded by nature: never part of the exact-spelling tier)
        if group["pinyin"] and self.pinyin_ok and not node.prefix and not self.exact:
            clauses.append(_pinyin_query(node.text))
        if group["stem"] and not node.phrase and not node.prefix and len(tokens) == 1 \
                and not self.exact:
            stems = [span[0] for span in self.stemmer.spans(node.text, mode="query")]
            if len(stems) == 1:
                clauses.append(p.Term(STEM_FIELD, stems[0], boost=STEM_WEIGHT))
        return _or(clauses) if len(clauses) > 1 else clauses[0]

    def _compounds(self, tree) -> list:
        """Optional title terms for each pair of adjacent plain words."""
        words = []
        for node in (tree.items if isinstance(tree, q.And) else (tree,)):
            if isinstance(node, q.Text) and node.field in (None, "title") and not node.prefix:
                words.extend(place_tone(t) for t in self.tokens(node.text)
                             if not HAN_RUN.match(t))
            else:
                words.append(None)
        boosts = []
        for a, b in zip(words, words[1:]):
            if a and b:
                exact = f"{a}_{b}"
                boosts.append(p.Term("title", exact, boost=COMPOUND_BOOST))
                for form, factor in sp.spellings(exact)[1:]:
                    boosts.append(p.Term("title", form, boost=COMPOUND_BOOST * factor))
        return boosts


def _match(field: str, tokens: list[str], boost: float, prefix: bool, loose: bool = False):
    """One word's tokens in one field: a term, a prefix, or a phrase (AND where the
    field keeps no positions)."""
    if prefix and len(tokens) == 1:
        return p.Prefix(field, tokens[0], boost=boost)
    if len(tokens) == 1:
        return p.Term(field, tokens[0], boost=boost)
    if loose:
        return _and([p.Term(field, t, boost=boost) for t in tokens])
    return p.Phrase(field, tuple(tokens), boost=boost)


def _pinyin_query(text: str):
    """Each typed word as its pinyin syllables, an ambiguous word (liangan) in every reading."""
    parts = []
    for word in text.split():
        readings = [_match(PINYIN_FIELD, list(r), PINYIN_WEIGHT, False) for r in split_syllables(word)]
        parts.append(readings[0] if len(readings) == 1 else _or(readings))
    return parts[0] if len(parts) == 1 else _and(parts)


def _ngram_query(field: str, text: str, boost: float):
    """A phrase of bigrams per CJK run (a unigram for a lone Han character)."""
    parts = []
    for run in CJK_RUN.findall(text):
        if HAN_RUN.match(run):
            run = to_simplified(close_han_gaps(run))
        if len(run) == 1:
            parts.append(p.Term(field, run, boost=boost))
        else:
            grams = [run[i:i + 2] for i in range(len(run) - 1)]
            parts.append(p.Term(field, grams[0], boost=boost) if len(grams) == 1
                         else p.Phrase(field, tuple(grams), boost=boost))
    return _and(parts) if len(parts) > 1 else parts[0]


def _words(tree) -> list[str]:
    """The typed words of every plain text clause (``hong lou meng``: three)."""
    texts = []

    def walk(node):
        if isinstance(node, (q.And, q.Or)):
            for n in node.items:
                walk(n)
        elif isinstance(node, q.Not):
            walk(node.item)
        elif isinstance(node, q.Text):
            texts.append(node.text)

    walk(tree)
    return [w for t in texts for w in t.split()]


def _and(items) -> p.And:
    return p.And(tuple(items))


def _or(items) -> p.Or:
    return p.Or(tuple(items))
