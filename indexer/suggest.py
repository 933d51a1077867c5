"""Autocomplete: titles, authors and subjects, found by what a reader has typed so far.

Each generation has ``suggest.sqlite``: one row per (key, kind, text), where
the key is what a prefix is matched against:

* the text's words, lowercased and folded (``thu vien`` reaches "Thư viện"),
  from its first word and from each of its next seven words, so typing the
  middle of a title works too;
* for Han text, the characters in simplified form, and its pinyin, both with
  and without spaces (``hongl`` and ``hong lou`` reach 红楼梦).

The weight is the number of holdings behind the text, so widely held works
come first.

An update removes what a rewritten or deleted cluster offered and adds what
it offers now. Rows are never deleted: the ``offer`` table keeps, per
(kind, text), how many offers updates added or removed, and a text whose
offers (the rebuild's rows plus that balance) fall to zero is no longer
suggested. Weights only grow until the next rebuild, so a work that lost
holdings may still be offered a little early in the list.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from pathlib import Path

from harvest.sqlite_files import open_db, read_only_uri

from .name_pairs import roman_key, vernacular_key, without_dates
from .pinyin import han_to_pinyin
from .segmenters import HAN_RUN, to_simplified
from .textnorm import close_han_gaps, fold, folded_words, normalize

KINDS = ("title", "author", "subject")
MAX_TEXT = 200
SUFFIX_WORDS = 8  # typing any of the first eight words of a text reaches it
_WORD = re.compile(r"[^\W_]+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (
    key TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, weight INTEGER NOT NULL,
    PRIMARY KEY (key, kind, text)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accent (
    folded TEXT NOT NULL, word TEXT NOT NULL, freq INTEGER NOT NULL,
    PRIMARY KEY (folded, word)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS offer (
    kind TEXT NOT NULL, text TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (kind, text)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS name_pair (
    roman_key TEXT NOT NULL, vernacular_key TEXT NOT NULL, name TEXT NOT NULL,
    vernacular TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (roman_key, vernacular_key, name, vernacular)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS name_pair_vernacular ON name_pair (vernacular_key);
"""


def prefix_key(text: str) -> str:
    """What a typed prefix is compared with: folded words, Han simplified."""
    return " ".join(folded_words(_simplified(close_han_gaps(normalize(text)))))


def _simplified(text: str) -> str:
    # OpenCC only changes Han characters: skip the call for text without them
    return to_simplified(text) if HAN_RUN.search(text) else text


@lru_cache(maxsize=65536)
def keys_of(text: str) -> frozenset[str]:
    """Every key a text is reached by (cached: author and subject headings recur)."""
    normal = normalize(text)
    simple = _simplified(close_han_gaps(normal))   # 李　宗仁　传 is reached by 李宗仁传
    words = folded_words(simple)
    keys = {" ".join(words[i:]) for i in range(min(len(words), SUFFIX_WORDS))}
    han = "".join(HAN_RUN.findall(simple))
    if han:
        keys.add(han)
        # (the runs as the word analyzer cuts them: jieba's cuts are cached by run)
        syllables = han_to_pinyin(normal)
        if syllables:
            keys.add(" ".join(syllables))
            keys.add("".join(syllables))
    keys.discard("")
    return frozenset(keys)


def entries(display: dict) -> list[tuple[str, str]]:
    """(kind, text) pairs a cluster offers for autocomplete."""
    out = []
    for key in ("title", "title_vernacular"):
        if display.get(key):
            out.append(("title", display[key][:MAX_TEXT]))
    for name in list(display.get("authors", [])) + list(display.get("authors_vernacular", [])):
        out.append(("author", name[:MAX_TEXT]))
    for subject in display.get("subjects", []):
        out.append(("subject", subject.split(" -- ")[0][:MAX_TEXT]))
    return out


_PART = """
CREATE TABLE IF NOT EXISTS part_entry (key TEXT, kind TEXT, text TEXT, weight INTEGER);
CREATE TABLE IF NOT EXISTS part_accent (folded TEXT, word TEXT, freq INTEGER);
CREATE TABLE IF NOT EXISTS part_name_pair (roman_key TEXT, vernacular_key TEXT, name TEXT,
                                           vernacular TEXT, n INTEGER);
"""
_PART_INDEXES = """
CREATE INDEX IF NOT EXISTS part_entry_key ON part_entry (key);
CREATE INDEX IF NOT EXISTS part_accent_folded ON part_accent (folded);
CREATE INDEX IF NOT EXISTS part_name_pair_roman ON part_name_pair (roman_key);
CREATE INDEX IF NOT EXISTS part_name_pair_vernacular ON part_name_pair (vernacular_key);
"""


def part_paths(path: str | Path) -> list[Path]:
    """The part files beside a store: ``suggest.sqlite.part0``, ``.part1`` ..."""
    path = Path(path)
    return sorted(p for p in path.parent.glob(path.name + ".part*")
                  if p.name[len(path.name) + 5:].isdigit())


def _set_up(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(_SCHEMA)


class SuggestStore:
    """A generation's autocomplete store.

    A rebuild's workers each write a *part* (``part=True``): rows only
    appended to tables without keys, indexed when the part is closed. The
    generation's store reads its parts alongside its own tables (attached,
    a union in each query) and takes an update's rows into its own tables.
    Folding the parts into one table took the rebuild half a second of
    waiting at 10,000 records.
    """

    def __init__(self, path: str | Path, part: bool = False):
        self.part = part
        self._sources = ["main"]
        if part:
            self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.executescript(_PART)
        else:
            self.db, read_only = open_db(path, _set_up, isolation_level=None,
                                         check_same_thread=False)
            for i, other in enumerate(part_paths(path)):
                self.db.execute("ATTACH DATABASE ? AS ?",
                                (read_only_uri(other) if read_only else str(other), f"part{i}"))
                self._sources.append(f"part{i}")
        self._pending: list[tuple] = []
        self._accents: dict[tuple[str, str], int] = {}
        self._offers: dict[tuple[str, str], int] = {}
        self._pairs: dict[tuple[str, str, str, str], int] = {}

    def _union(self, columns: str, where: str, main_table: str, part_table: str) -> str:
        return " UNION ALL ".join(
            f"SELECT {columns} FROM {source}.{main_table if source == 'main' else part_table}"
            f" WHERE {where}" for source in self._sources)

    def close(self) -> None:
        self.flush()
        if self.part:
            self.db.executescript(_PART_INDEXES)
        self.db.close()

    def __enter__(self) -> "SuggestStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, display: dict, weight: int) -> None:
        for kind, text in entries(display):
            for key in keys_of(text):
                self._pending.append((key, kind, text, weight))
            if not self.part:
                self._offers[kind, text] = self._offers.get((kind, text), 0) + 1
            self._count_accents(kind, text, 1)
        self._count_pairs(display, 1)
        if len(self._pending) > 20000:
            self.flush()

    def remove(self, display: dict) -> None:
        """Take back what a cluster's document offered (it is rewritten or deleted)."""
        if self.part:
            raise ValueError("a rebuild's part only grows")
        for kind, text in entries(display):
            self._offers[kind, text] = self._offers.get((kind, text), 0) - 1
            self._count_accents(kind, text, -1)
        self._count_pairs(display, -1)

    def _count_pairs(self, display: dict, step: int) -> None:
        for pair in display.get("name_forms", ()):
            key = (roman_key(pair["heading"]), vernacular_key(pair["vernacular"]))
            if all(key) and key[0] != key[1]:
                row = key + (without_dates(pair["heading"]), without_dates(pair["vernacular"]))
                self._pairs[row] = self._pairs.get(row, 0) + step

    def _count_accents(self, kind: str, text: str, step: int) -> None:
        # words with diacritics of titles and names (Nguyễn Khắc Đạm)
        if kind in ("title", "author") and not text.isascii():
            for word in _WORD.findall(normalize(text).lower()):
                if not word.isascii() and not HAN_RUN.match(word):
                    pair = (fold(word), word)
                    self._accents[pair] = self._accents.get(pair, 0) + step

    def flush(self) -> None:
        if not self._pending and not self._accents and not self._offers and not self._pairs:
            return
        self.db.execute("BEGIN")
        if self.part:
            self.db.executemany("INSERT INTO part_entry VALUES (?, ?, ?, ?)", self._pending)
            self.db.executemany("INSERT INTO part_accent VALUES (?, ?, ?)",
                                ((f, w, n) for (f, w), n in self._accents.items()))
            self.db.executemany("INSERT INTO part_name_pair VALUES (?, ?, ?, ?, ?)",
                                (row + (n,) for row, n in self._pairs.items()))
        else:
            self.db.executemany(
                "INSERT INTO entry VALUES (?, ?, ?, ?) ON CONFLICT (key, kind, text)"
                " DO UPDATE SET weight = max(weight, excluded.weight)", self._pending)
            self.db.executemany(
                "INSERT INTO accent VALUES (?, ?, ?) ON CONFLICT (folded, word)"
                " DO UPDATE SET freq = freq + excluded.freq",
                ((f, w, n) for (f, w), n in self._accents.items()))
            self.db.executemany(
                "INSERT INTO offer VALUES (?, ?, ?) ON CONFLICT (kind, text)"
                " DO UPDATE SET n = n + excluded.n",
                ((k, t, n) for (k, t), n in self._offers.items()))
            self.db.executemany(
                "INSERT INTO name_pair VALUES (?, ?, ?, ?, ?) ON CONFLICT"
                " (roman_key, vernacular_key, name, vernacular) DO UPDATE SET n = n + excluded.n",
                (row + (n,) for row, n in self._pairs.items()))
        self.db.execute("COMMIT")
        self._pending.clear()
        self._accents.clear()
        self._offers.clear()
        self._pairs.clear()

    def accented(self, folded: str) -> tuple[str, int] | None:
        """The most frequent spelling with diacritics of a folded title word, and its count."""
        union = self._union("word, freq", "folded = ?", "accent", "part_accent")
        row = self.db.execute(
            f"SELECT word, sum(freq) AS n FROM ({union}) GROUP BY word HAVING n > 0"
            f" ORDER BY n DESC, word LIMIT 1", (folded,) * len(self._sources)).fetchone()
        return (row[0], row[1]) if row else None

    def spelled(self, words: list[str]) -> list[str] | None:
        """The words of a catalogued title, name or subject that folds to ``words``, as the
        catalogue spells them (``nguyen khac dam`` -> Nguyễn Khắc Đạm), or None."""
        for found in self.suggest(" ".join(words), limit=10):
            written = _WORD.findall(normalize(found["text"]))
            if [fold(w) for w in written[:len(words)]] == words:
                return written[:len(words)]
        return None

    def names_paired(self, key: str, vernacular: bool, limit: int = 5) -> list[str]:
        """The other forms of a name: for a vernacular key (``鲁迅``) the romanized names its
        880s paired it with (``Lu, Xun``), for a romanized key the vernacular ones; the
        most often paired first."""
        have, give = ("vernacular_key", "name") if vernacular else ("roman_key", "vernacular")
        union = self._union(f"{give} AS form, n", f"{have} = ?", "name_pair", "part_name_pair")
        try:
            rows = self.db.execute(
                f"SELECT form, sum(n) AS times FROM ({union}) GROUP BY form HAVING times > 0"
                f" ORDER BY times DESC, form LIMIT ?",
                (key,) * len(self._sources) + (limit,)).fetchall()
        except sqlite3.OperationalError:   # a store written before names were paired
            return []
        return [form for form, _n in rows]

    def vernacular_of(self, heading: str) -> str | None:
        """The one form in another script the 880s paired with this name (``Yang, Du``:
        楊渡), dates left out; None when none did, or when they disagree (two people of
        one romanized name): the author facet's label."""
        key = roman_key(heading)
        if not key:
            return None
        union = self._union("vernacular, n", "roman_key = ? AND name = ?", "name_pair",
                            "part_name_pair")
        try:
            rows = self.db.execute(
                f"SELECT vernacular, sum(n) AS times FROM ({union}) GROUP BY vernacular"
                f" HAVING times > 0 LIMIT 2",
                (key, without_dates(heading)) * len(self._sources)).fetchall()
        except sqlite3.OperationalError:   # a store written before names were paired
            return None
        return rows[0][0] if len(rows) == 1 else None

    def names_by_vernacular(self, text: str) -> set[str]:
        """The romanized names (dates left out) that 880s paired with a vernacular form
        containing ``text``: what a search among the author facet's values by their own
        script asks once, instead of each value's :meth:`vernacular_of`."""
        if not text:
            return set()
        text = text.casefold()
        union = self._union("name, vernacular, n", "1", "name_pair", "part_name_pair")
        try:
            rows = self.db.execute(f"SELECT name, vernacular FROM ({union})"
                                   " GROUP BY name, vernacular HAVING sum(n) > 0").fetchall()
        except sqlite3.OperationalError:   # a store written before names were paired
            return set()
        return {name for name, vernacular in rows if text in vernacular.casefold()}

    def starting_with_pinyin(self, syllables: list[str], limit: int = 20) -> list[str]:
        """Texts whose Han reading starts with these toneless syllables, most held first
        (the homophones of what a reader typed: hong lou meng for 红搂梦)."""
        key = " ".join(syllables)
        union = self._union("text, weight", "key >= ? AND key < ?", "entry", "part_entry")
        rows = self.db.execute(
            f"SELECT text, max(weight) AS w FROM ({union}) GROUP BY text"
            f" ORDER BY w DESC, text LIMIT ?",
            (key, key + "\U0010ffff") * len(self._sources) + (limit,)).fetchall()
        return [text for text, _w in rows]

    def _offered(self, kind: str, text: str) -> bool:
        """Whether a live cluster still offers a text that updates have taken offers from."""
        row = self.db.execute("SELECT n FROM offer WHERE kind = ? AND text = ?",
                              (kind, text)).fetchone()
        if row is None or row[0] > 0:
            return True
        keys = keys_of(text)
        if not keys:
            return False
        key = min(keys)   # every offer of the text has a row under each of its keys
        built = sum(self.db.execute(
            f"SELECT count(*) FROM {source}.part_entry WHERE key = ? AND kind = ? AND text = ?",
            (key, kind, text)).fetchone()[0] for source in self._sources[1:])
        return built + row[0] > 0

    def suggest(self, typed: str, kinds: tuple[str, ...] = KINDS, limit: int = 10) -> list[dict]:
        key = prefix_key(typed)
        if not key:
            return []
        marks = ",".join("?" * len(kinds))
        union = self._union("text, kind, weight", f"key >= ? AND key < ? AND kind IN ({marks})",
                            "entry", "part_entry")
        sql = (f"SELECT text, kind, max(weight) AS w FROM ({union}) GROUP BY text, kind"
               f" ORDER BY w DESC, length(text), text LIMIT ?")
        params = (key, key + "\U0010ffff", *kinds) * len(self._sources)
        wanted = limit
        while True:
            rows = self.db.execute(sql, params + (wanted,)).fetchall()
            out = [{"text": text, "kind": kind} for text, kind, _w in rows
                   if self._offered(kind, text)]
            if len(out) >= limit or len(rows) < wanted:
                return out[:limit]
            wanted *= 4   # some were taken back: look further down the list
