"""Did you mean: a better query for one that found nothing or little.

Word by word:

* a Latin-script word the index does not know is replaced by the most
  frequent indexed word one edit away (a letter deleted, swapped, replaced
  or inserted), compared on folded forms;
* a word typed without diacritics that the catalogue mostly writes with
  them is given them back (``thu vien`` -> ``thư viện``), so the reader can
  ask for exactly that;
* a run of Han characters that matches nothing is replaced by a homophone
  the catalogue has (same toneless pinyin: 红搂梦 -> 红楼梦), else shortened
  from either end until it does, or left out;
* once anything changes, words typed without diacritics get the catalogue's:
  those of a title, name or subject that starts with the same folded words
  (``nguyen khac damm`` -> ``Nguyễn Khắc Đạm``), else each word's most frequent
  spelling.

The suggestion is offered only when it finds more than the query did. One
that only gives diacritics back is never counted: every spelling of a word
matches its folded form, so it finds what the query found and no more (on the
demo collection, 335 of 335 Vietnamese title, name and subject openings count
the same typed either way), and the count was a second search for nothing.
"""

from __future__ import annotations

from indexer.segmenters import HAN_RUN, to_simplified
from indexer.textnorm import FOLDED_MARK, HAN_JOINER, fold, fold_text

from . import query as q

LETTERS = "abcdefghijklmnopqrstuvwxyz"
WORD_FIELDS = ("title", "title_rest", "author", "subject", "all")


def edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in LETTERS]
    inserts = [a + c + b for a, b in splits for c in LETTERS]
    return set(deletes + swaps + replaces + inserts) - {word}


class Speller:
    """``accented(folded)`` gives a title word's usual spelling with diacritics (the
    generation's autocomplete store keeps those counts)."""

    def __init__(self, accented=None, homophones=None, spelled=None):
        self.accented = accented or (lambda folded: None)
        self.homophones = homophones or (lambda syllables: [])
        self.spelled = spelled or (lambda words: None)

    def _frequency(self, reader, term: str) -> int:
        """Records with the (folded) word in a word field, spelt with or without marks."""
        return max(reader.doc_frequency(f, t) for f in WORD_FIELDS
                   for t in (term, FOLDED_MARK + term))

    def _word(self, reader, compiler, word: str) -> str | None:
        """A replacement for one typed word, "" to leave it out, None to keep it."""
        tokens = compiler.tokens(word)
        if not tokens:
            return None
        if all(HAN_RUN.match(t) for t in tokens):
            return self._han(reader, compiler, word)
        known = all(self._frequency(reader, fold(t)) for t in tokens)
        if len(tokens) != 1:
            return None
        folded = fold(tokens[0])
        if not known:
            prefetch = getattr(reader, "prefetch", None)
            if prefetch is not None:   # an engine that answers many frequencies at once
                prefetch(WORD_FIELDS, [t for c in edits1(folded) if c.isascii()
                                       for t in (c, FOLDED_MARK + c)])
            candidates = [(self._frequency(reader, c), c) for c in edits1(folded)
                          if c.isascii()]
            candidates = [(df, c) for df, c in candidates if df]
            if not candidates:
                return None
            folded = max(candidates)[1]
        if tokens[0].isascii():
            accented = self._dominant_accent(reader, folded)
            if accented:
                return accented
        return folded if not known else None

    def _dominant_accent(self, reader, folded: str) -> str | None:
        """The spelling with diacritics the catalogue mostly writes a folded word with."""
        accented = self.accented(folded)
        if accented and accented[1] > self._frequency(reader, folded) // 2:
            return accented[0]
        return None

    def _han(self, reader, compiler, word: str) -> str | None:
        def found(text: str) -> bool:
            grams = [text[i:i + 2] for i in range(len(text) - 1)] or [text]
            return all(reader.doc_frequency("title_cjk", g) or reader.doc_frequency("cjk", g)
                       for g in grams)

        simplified = to_simplified(word)
        if found(simplified):
            return None
        same = self._homophone(simplified, found)
        if same:
            return same
        for size in range(len(simplified) - 1, 1, -1):
            for start in range(0, len(simplified) - size + 1):
                if found(simplified[start:start + size]):
                    return word[start:start + size]
        return ""

    def _homophone(self, simplified: str, found) -> str | None:
        """A stretch of a catalogued text read exactly as ``simplified`` is (toneless)."""
        from indexer.pinyin import han_to_pinyin

        wanted = han_to_pinyin(simplified)
        if len(wanted) != len(simplified):
            return None
        for text in self.homophones(wanted):
            han = "".join(HAN_RUN.findall(to_simplified(text)))
            for start in range(0, len(han) - len(simplified) + 1):
                piece = han[start:start + len(simplified)]
                if piece != simplified and han_to_pinyin(piece) == wanted and found(piece):
                    return piece
        return None

    def _accent(self, reader, word: str) -> str:
        """A word typed without diacritics as the catalogue mostly writes it."""
        prefix, sep, bare = word.rpartition(":")
        if not bare.isascii() or not bare.isalpha():
            return word
        accented = self._dominant_accent(reader, bare.lower())
        return prefix + sep + accented if accented else word

    @staticmethod
    def _prefetch(reader, compiler, words: list[str]) -> None:
        """Ask an engine that answers many frequencies at once for every one the typed
        words need first (each word's forms, each Han bigram), in one go."""
        prefetch = getattr(reader, "prefetch", None)
        if prefetch is None:
            return
        tokens = [t for w in words for t in compiler.tokens(w)]
        latin = [f for t in tokens if not HAN_RUN.match(t)
                 for f in (fold(t), FOLDED_MARK + fold(t))]
        han = [to_simplified(w) for w in words if HAN_RUN.search(w)]
        grams = [h[i:i + 2] for h in han for i in range(len(h) - 1)] + han
        if latin:
            prefetch(WORD_FIELDS, latin)
        if grams:
            prefetch(("title_cjk", "cjk"), grams)

    def suggestion(self, searcher, compiler, tree, total: int, count) -> str | None:
        nodes = tree.items if isinstance(tree, q.And) else (tree,)
        if not nodes or not all(isinstance(n, q.Text) and not n.phrase and not n.prefix
                                for n in nodes):
            return None
        reader = searcher.reader()
        texts = [n.text.replace(HAN_JOINER, "") for n in nodes]   # read joined
        self._prefetch(reader, compiler, [w for t in texts for w in t.split()])
        words, changed = [], False
        for node, typed_text in zip(nodes, texts):
            prefix = f"{node.field}:" if node.field else ""
            for word in typed_text.split():
                better = self._word(reader, compiler, word)
                if better is None:
                    words.append(prefix + word)
                else:
                    changed = True
                    if better:
                        words.append(prefix + better)
        if not changed or not words:
            return None
        plain = [fold(w) for w in words]
        whole = self.spelled(plain) if all(w.isascii() and w.isalpha() for w in plain) else None
        if whole and all(w.isascii() for w in whole):
            whole = None   # nothing to give back: keep the reader's own case
        text = " ".join(whole or (self._accent(reader, w) for w in words))
        typed = [f"{n.field}:{w}" if n.field else w for n, t in zip(nodes, texts)
                 for w in t.split()]
        if fold_text(text).split() == [fold(w) for w in typed]:
            return None   # diacritics given back, nothing else: finds no more
        return text if count(searcher, q.parse(text)) > total else None
