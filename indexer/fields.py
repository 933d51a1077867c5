"""Every field, declared once: what the documents hold, what readers search, facet and sort.

Three kinds of declaration, read by everything else:

* :data:`INDEX_FIELDS`: the fields of a cluster's document
  (:func:`indexer.document.document_for` fills them, an engine's schema is built
  from them): each with its analysis (:data:`ANALYSES`), its weight in scoring,
  whether it keeps positions (phrases), whether it is stored, sorted or read
  only as values.
* :data:`SEARCH_FIELDS`: what a reader can name in a query (``title:``, ``au:``)
  and on the advanced search form, with the index fields each one searches.
* :data:`FACETS` and :data:`SORTS`: the facets and sorts of a search, with the
  index field behind each and its label.

Labels are English message ids; the site translates them (``N_`` marks them for
``pybabel extract``). To add a field, see "Changing Sheaf" in the README.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:
    """Marks a label for the message catalogs; the site translates it when shown."""
    return message


# What the engine does with a field's text. The analysers are Sheaf's own
# (:mod:`indexer.analysis`), so every engine indexes the same tokens.
ANALYSES = {
    "words": "Han runs cut by jieba, other scripts into words; lowercased, Vietnamese tones"
             " placed by one rule, accented words also indexed folded",
    "words+compounds": "words, and pyvi's Vietnamese compound words stacked on them",
    "ngrams": "Han unigrams and bigrams, kana and hangul bigrams",
    "pinyin": "Han characters as toneless pinyin syllables",
    "stem": "Latin-script words, folded and Porter-stemmed",
    "keyword": "values separated by white space, as they are",
    "keyword-lower": "values separated by white space, lowercased",
    "id": "the whole value is one term",
    "year": "a number, searched by range, sorted and counted",
    "number": "a number only sorted and counted, never searched",
    "values": "values joined by FACET_SEPARATOR, only counted and filtered, never searched",
    "keys": "values joined by FACET_SEPARATOR, only looked up one at a time",
    "sort-key": "a collation key, only sorted by",
    "shelf-key": "a call-number key and the cluster id (indexer.callnumbers), sorted by and"
                 " searched by range",
    "stored": "the cluster's display record, only stored",
}


@dataclass(frozen=True)
class IndexField:
    name: str
    analysis: str
    weight: float = 0.0        # in a plain query's BM25F scoring (0: not searched by words)
    phrase: bool = False       # positions kept, so phrases match
    stored: bool = False
    wide: bool = False         # a number past 32 bits (a time stamp)

    def __post_init__(self):
        if self.analysis not in ANALYSES:
            raise ValueError(f"field {self.name}: unknown analysis {self.analysis!r}")


# Word fields (weights: title above author, author above subject, subject above
# everything else; the title proper, 245 $a, above the rest of the title), then
# the recall fields (CJK n-grams, pinyin, English stems), each below its words.
INDEX_FIELDS = (
    IndexField("id", "id", stored=True),
    IndexField("source", "keyword"),
    IndexField("title", "words+compounds", weight=5.0, phrase=True),
    IndexField("title_rest", "words+compounds", weight=4.0, phrase=True),
    IndexField("author", "words", weight=3.0, phrase=True),
    IndexField("subject", "words", weight=2.0, phrase=True),
    IndexField("publisher", "words", weight=1.0, phrase=True),
    IndexField("all", "words", weight=1.0, phrase=True),
    IndexField("title_cjk", "ngrams", weight=2.0, phrase=True),
    IndexField("cjk", "ngrams", weight=1.0, phrase=True),
    IndexField("pinyin", "pinyin", weight=1.5, phrase=True),
    IndexField("stem", "stem", weight=1.0),
    IndexField("title_keys", "keys"),
    IndexField("year", "year"),
    IndexField("holdings", "number"),
    IndexField("added", "number", wide=True),
    IndexField("language", "keyword-lower"),
    IndexField("format", "id"),
    IndexField("isbn", "keyword"),
    IndexField("issn", "keyword"),
    IndexField("subject_facet", "values"),
    IndexField("author_facet", "values"),
    IndexField("class_facet", "values"),
    # "yes" when a member gives an access link (indexer.online): the online facet
    IndexField("online", "values"),
    # browse lists: headings in collation order (indexer.headings), and subject
    # headings whole, subdivisions included, for the heading search
    IndexField("author_browse", "values"),
    IndexField("subject_browse", "values"),
    IndexField("subject_az", "values"),
    IndexField("author_forms", "values"),
    IndexField("subject_forms", "values"),
    IndexField("subject_keys", "keys"),
    # the shelves: each cluster at its first call number in each scheme (indexer.callnumbers)
    IndexField("shelf_clc", "shelf-key"),
    IndexField("shelf_lcc", "shelf-key"),
    IndexField("shelf_ddc", "shelf-key"),
    IndexField("sort_title", "sort-key"),
    IndexField("sort_author", "sort-key"),
    IndexField("display", "stored", stored=True),
)
FIELDS_BY_NAME = {f.name: f for f in INDEX_FIELDS}
WORD_ANALYSES = ("words", "words+compounds")


def by_analysis(*analyses: str) -> tuple[IndexField, ...]:
    return tuple(f for f in INDEX_FIELDS if f.analysis in analyses)


WORD_FIELDS = tuple(f.name for f in by_analysis(*WORD_ANALYSES))
NGRAM_FIELDS = tuple(f.name for f in by_analysis("ngrams"))
PINYIN_FIELD = "pinyin"
STEM_FIELD = "stem"


@dataclass(frozen=True)
class SearchField:
    """What a reader can name: ``name:`` (or one of ``aliases``) in a query.

    ``words`` and ``ngrams`` are the index fields its words are looked for in;
    ``pinyin`` and ``stem`` whether pinyin and English stems count too. A
    field with ``value`` set is an exact value (an ISBN, a language code).
    ``form``: offered on the advanced search form.
    """
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    ngrams: tuple[str, ...] = ()
    pinyin: bool = False
    stem: bool = False
    value: str | None = None        # exact-value fields: the index field looked up
    form: bool = False


SEARCH_FIELDS = (
    SearchField("all", N_("Everything"), words=WORD_FIELDS, ngrams=NGRAM_FIELDS,
                pinyin=True, stem=True, form=True),
    SearchField("title", N_("Title"), ("ti",), words=("title", "title_rest"),
                ngrams=("title_cjk",), pinyin=True, form=True),
    SearchField("author", N_("Author"), ("au",), words=("author",), ngrams=("cjk",),
                pinyin=True, form=True),
    SearchField("subject", N_("Subject"), ("su",), words=("subject",), ngrams=("cjk",),
                stem=True, form=True),
    SearchField("isbn", N_("ISBN"), value="isbn", form=True),
    SearchField("publisher", N_("Publisher"), ("pb",), words=("publisher",)),
    # a subject heading whole, with its subdivisions (indexer.headings.heading_keys)
    SearchField("heading", N_("Subject heading"), ("sh",), value="subject_keys"),
    SearchField("issn", N_("ISSN"), value="issn"),
    SearchField("year", N_("Year"), value="year"),
    SearchField("language", N_("Language"), ("lang",), value="language"),
    SearchField("library", N_("Library"), ("source",), value="source"),
)
SEARCH_BY_NAME = {f.name: f for f in SEARCH_FIELDS}
# what a query may name (``ti:`` is ``title:``); "all" is the unnamed default
QUERY_PREFIXES = {name: f.name for f in SEARCH_FIELDS if f.name != "all"
                  for name in (f.name, *f.aliases)}
FORM_FIELDS = tuple(f.name for f in SEARCH_FIELDS if f.form)


@dataclass(frozen=True)
class Facet:
    """A facet of a search: counted over the matching clusters, filtered by value.

    ``alphabetical``: the browse field (:mod:`indexer.headings`) whose order lists
    the facet's values A-Z in each language's own order; a facet without one is
    listed A-Z by its labels (it has few values)."""
    name: str
    label: str
    field: str | None     # the index field (None: the year histogram, from ``year``)
    alphabetical: str | None = None


FACETS = (
    Facet("library", N_("Library"), "source"),
    Facet("language", N_("Language"), "language"),
    Facet("format", N_("Format"), "format"),
    Facet("online", N_("Online"), "online"),
    Facet("year", N_("Year"), None),
    Facet("subject", N_("Subject"), "subject_facet", "subject_az"),
    Facet("author", N_("Author"), "author_facet", "author_browse"),
    Facet("class", N_("Classification"), "class_facet"),
)
FACET_NAMES = tuple(f.name for f in FACETS)
FACET_FIELDS = {f.name: f.field for f in FACETS if f.field}
ALPHABETICAL_FIELDS = {f.name: f.alphabetical for f in FACETS if f.alphabetical}
# the browse lists of headings: name -> the browse field listing them, and the field
# of their other forms (indexer.headings.form_value)
BROWSE_FIELDS = {"author": "author_browse", "subject": "subject_browse"}
FORM_FIELDS_OF = {"author_browse": "author_forms", "subject_browse": "subject_forms"}


@dataclass(frozen=True)
class Shelf:
    """A classification whose call numbers are a shelf to browse."""
    scheme: str
    label: str
    field: str


SHELVES = (
    Shelf("clc", N_("Chinese Library Classification"), "shelf_clc"),
    Shelf("lcc", N_("Library of Congress Classification"), "shelf_lcc"),
    Shelf("ddc", N_("Dewey Decimal Classification"), "shelf_ddc"),
)
SHELF_FIELDS = {s.scheme: s.field for s in SHELVES}
# every values field an engine reads as arrays or buckets: the facets and the browse lists
VALUE_FIELDS = tuple(dict.fromkeys([*FACET_FIELDS.values(), *ALPHABETICAL_FIELDS.values(),
                                    *BROWSE_FIELDS.values(), *FORM_FIELDS_OF.values()]))


@dataclass(frozen=True)
class Sort:
    """A result order. ``key``: the index field sorted by (None: scores, or the browse order)."""
    name: str
    label: str
    key: str | None


SORTS = (
    Sort("relevance", N_("Relevance"), None),
    Sort("year", N_("Newest first"), "year"),
    Sort("year_asc", N_("Oldest first"), "year"),
    Sort("new", N_("Recently added"), "added"),
    Sort("title", N_("Title"), "sort_title"),
    Sort("author", N_("Author"), "sort_author"),
)
SORT_NAMES = tuple(s.name for s in SORTS)

# bump when a field is added, removed or analysed differently (3: online; 4: title_keys
# carry the length of a Han title proper, ``#n``)
FIELDS_VERSION = 4


def _check() -> None:
    for f in SEARCH_FIELDS:
        for name in (*f.words, *f.ngrams, *([f.value] if f.value else [])):
            if name not in FIELDS_BY_NAME:
                raise ValueError(f"search field {f.name}: no index field {name!r}")
    for facet in FACETS:
        if facet.field and facet.field not in FIELDS_BY_NAME:
            raise ValueError(f"facet {facet.name}: no index field {facet.field!r}")
    for name in (*ALPHABETICAL_FIELDS.values(), *BROWSE_FIELDS.values(),
                 *FORM_FIELDS_OF.values()):
        if FIELDS_BY_NAME.get(name) is None or FIELDS_BY_NAME[name].analysis != "values":
            raise ValueError(f"browse field {name!r}: not a values field")
    for shelf in SHELVES:
        if FIELDS_BY_NAME.get(shelf.field) is None or \
                FIELDS_BY_NAME[shelf.field].analysis != "shelf-key":
            raise ValueError(f"shelf {shelf.scheme}: no shelf-key field {shelf.field!r}")
    for s in SORTS:
        if s.key and s.key not in FIELDS_BY_NAME:
            raise ValueError(f"sort {s.name}: no index field {s.key!r}")


_check()
