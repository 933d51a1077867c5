"""Facets (multi-select, exclusion, counts of clusters), sorts, the year histogram,
highlight spans, autocomplete, did-you-mean and similar items, on the session index."""

from __future__ import annotations

import pytest

from discovery.engines import open_search
from discovery.errors import QueryError
from discovery.results import Filter, SearchRequest
from indexer.collation import title_key
from discovery.engines import open_index

from ..support import expected_counts


@pytest.fixture(scope="module")
def backend(built_home):
    b = open_search(built_home)
    yield b
    b.close()


@pytest.fixture(scope="module")
def whoosh_backend(whoosh_home):
    """For the tests of Whoosh's own structures (scores of facet arrays, match sets)."""
    b = open_search(whoosh_home)
    yield b
    b.close()


def run(backend, query="", **kw):
    filters = tuple(Filter.parse(f, v) for f, v in kw.pop("filters", ()))
    return backend.search(SearchRequest(query=query, limit=kw.pop("limit", 100),
                                        filters=filters, **kw))


def counts(result, facet) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[facet]}


def test_library_facet_counts_every_record_of_each_library(backend):
    # no two fixture records are the same edition, so clusters = records
    assert counts(run(backend), "library") == expected_counts()


def test_values_of_one_facet_are_ored_and_facets_are_anded(backend):
    every = run(backend)
    loc, vn = counts(every, "library")["loc"], counts(every, "library")["vn"]
    both = run(backend, filters=[("library", "loc"), ("library", "vn")])
    assert both.total == loc + vn
    # the library facet keeps counting under its own selection, so the other
    # values stay choosable
    assert counts(both, "library") == counts(every, "library")
    assert {v.value for v in both.facets["library"] if v.selected} == {"loc", "vn"}

    vie = run(backend, filters=[("library", "loc"), ("library", "vn"), ("language", "vie")])
    only_vn_vie = run(backend, filters=[("library", "vn"), ("language", "vie")])
    assert vie.total == only_vn_vie.total > 0  # no Vietnamese record at loc
    assert all(h.languages and "vie" in h.languages for h in vie.hits)


def test_exclusion_removes_a_value(backend):
    every = run(backend)
    without = run(backend, filters=[("library", "-vn")])
    assert without.total == every.total - counts(every, "library")["vn"]
    assert "vn" not in {h.holdings[0].source for h in without.hits}
    [vn] = [v for v in without.facets["library"] if v.value == "vn"]
    assert vn.excluded and not vn.selected


def test_facet_labels_follow_the_reader_language(backend):
    zh = run(backend, lang="zh")
    vi = run(backend, lang="vi")
    assert {v.value: v.label for v in zh.facets["language"]}["chi"] == "汉语"
    assert {v.value: v.label for v in vi.facets["language"]}["vie"] == "Tiếng Việt"


def test_facet_value_search_filters_long_lists(backend):
    result = run(backend, facet_search=("subject", "politic"))
    values = [v.value for v in result.facets["subject"]]
    assert values and all("politic" in v.lower() for v in values)


def test_year_filter_and_histogram_agree(backend):
    every = run(backend)
    nineties = sum(c for start, _end, c in every.year_histogram if start == 1990)
    assert nineties > 0
    assert run(backend, filters=[("year", "1990-1999")]).total == nineties


def test_unknown_facet_and_bad_year_filter_are_query_errors(backend):
    with pytest.raises(QueryError):
        Filter.parse("colour", "red")
    with pytest.raises(QueryError):
        Filter.parse("year", "nineties")
    with pytest.raises(QueryError):
        run(backend, sort="popularity")


def test_sort_by_year_both_ways(backend):
    new = [h.year for h in run(backend, sort="year").hits if h.year]
    old = [h.year for h in run(backend, sort="year_asc").hits if h.year]
    assert new == sorted(new, reverse=True) and old == sorted(old)
    assert new[0] >= old[-1] and new[-1] <= old[0]


def test_sort_by_title_follows_the_collation_keys(backend, built_home):
    hits = run(backend, "lang:vie", sort="title").hits
    titles = [h.title for h in hits]
    languages = [h.languages for h in hits]
    keys = [title_key({"title": t, "languages": lang}) for t, lang in zip(titles, languages)]
    assert len(titles) > 3 and keys == sorted(keys)


def test_paging_a_sorted_list_neither_repeats_nor_skips(backend):
    whole = [h.id for h in run(backend, sort="title", limit=100).hits]
    paged = [h.id for page in (1, 2, 3, 4) for h in
             backend.search(SearchRequest(sort="title", limit=20, page=page)).hits]
    assert paged == whole[:len(paged)]


def test_highlights_mark_the_matched_words_in_the_display_title(backend):
    [hit] = run(backend, "ngoai hoi").hits          # typed without diacritics
    title = hit.title
    marked = [title[s:e] for s, e in hit.highlights["title"]]
    assert marked == ["ngoại hối"] or marked == ["ngoại", "hối"]


def test_highlights_mark_a_chinese_fragment_character_exact(backend):
    [hit] = run(backend, "民進黨").hits
    vern = hit.title_vernacular
    assert [vern[s:e] for s, e in hit.highlights["title_vernacular"]] == ["民進黨"]


def test_autocomplete_offers_titles_authors_in_all_scripts(backend):
    titles = [s["text"] for s in backend.suggest("草山")]
    assert "草山小蛇與民進黨的頭人們" in titles
    # folded Vietnamese: "ngoai h" reaches the title written with diacritics
    assert any(s["text"].startswith("Đổi mới và hoàn thiện chính sách quản lý ngoại hối")
               for s in backend.suggest("doi moi va"))
    # a later word of the title works too (its sixth and seventh words)
    assert any("ngoại hối" in s["text"] for s in backend.suggest("chinh sach quan"))
    # pinyin reaches a Han title
    assert "草山小蛇與民進黨的頭人們" in [s["text"] for s in backend.suggest("caoshan")]


def test_did_you_mean_for_a_typo_and_for_missing_diacritics(backend):
    typo = run(backend, "Taiwn")
    assert typo.total == 0 and typo.suggestion == "taiwan"
    found = run(backend, typo.suggestion)
    assert found.total > 0


def test_no_suggestion_when_the_query_finds_enough(backend):
    assert run(backend, "Taiwan").suggestion is None


def test_similar_items_share_subjects_and_never_include_the_record(backend):
    [hit] = run(backend, "ngoại hối").hits
    similar = backend.similar(hit.id, limit=5)
    assert similar and hit.id not in [s.id for s in similar]
    # shared subject headings and authors weigh most: for a record with a heading
    # other records have too, the first similar item shares one
    subject = next(v.value for v in run(backend).facets["subject"] if v.count >= 3)
    hit = run(backend, filters=[("subject", subject)]).hits[0]
    similar = backend.similar(hit.id, limit=5)

    def display(cluster_id):
        return backend.cluster(cluster_id).display

    def heads(d):
        return {s.split(" -- ")[0] for s in d["subjects"]} | set(d["authors"])

    assert heads(display(similar[0].id)) & heads(display(hit.id))


def test_scored_documents_add_their_scores_to_whoosh_scores(whoosh_backend):
    # similar items add scores computed from the facet arrays to Whoosh's own
    import numpy as np
    from whoosh import query as wq

    from discovery.engines.whoosh.sets import Scored

    searcher = whoosh_backend.engine.searcher()
    words = wq.Term("subject", "history")
    alone = {h.docnum: h.score for h in searcher.search(words, limit=None)}
    assert len(alone) > 2
    scores = np.zeros(searcher.doc_count_all())
    scores[sorted(alone)[::2]] = 7.0
    outside = next(d for d in range(searcher.doc_count_all()) if d not in alone)
    scores[outside] = 2.5
    both = {h.docnum: h.score for h in
            searcher.search(wq.Or([Scored(scores, searcher.reader()), words]), limit=None)}
    expected = {d: alone.get(d, 0.0) + scores[d] for d in set(alone) | {outside}}
    assert both.keys() == expected.keys()
    assert all(abs(both[d] - expected[d]) < 1e-6 for d in expected)


@pytest.mark.parametrize("query", ["", "Taiwan", "Hà Nội", "ha noi", "中國 歷史", "history OR politics",
                                   "-Taiwan", '"Hà Nội"', "year:1990-1999 lang:chi", "hist*",
                                   "title:(Taiwan) NOT author:Chen", "isbn:957-97247-0-9"])
def test_totals_from_mask_sets_equal_whoosh_counting_every_match(whoosh_backend, query):
    # totals and facets come from NumPy set operations on posting lists; Whoosh
    # collecting every match one by one must agree
    from discovery.engines.whoosh.query import to_whoosh
    from discovery.query import parse
    result = run(whoosh_backend, query, limit=5)
    searcher = whoosh_backend.engine.searcher()
    compiled = to_whoosh(whoosh_backend.engine._compiler.compile(parse(query)))
    assert result.total == len(searcher.search(compiled, limit=None))
    assert len(result.hits) == min(5, result.total)


def test_histogram_counts_only_records_with_a_year(tmp_path):
    # regression: a record without a year read back as a huge column default, and
    # the decade histogram tried to span two billion years (a minute and 12 GB)
    import pymarc
    from harvest.config import Home, Source
    from harvest.importer import import_files
    from harvest.store import RecordStore
    from indexer import build
    from ..support import FIXTURES

    source = FIXTURES / "chinese_880_traditional.mrc"
    with open(source, "rb") as fh:
        record = next(iter(pymarc.MARCReader(fh, to_unicode=True)))
    record.remove_fields("008", "260", "264")   # no year anywhere, 880s included
    for field in record.get_fields("880"):
        if (field.get("6") or "")[:3] in ("260", "264"):
            record.remove_field(field)
    yearless = tmp_path / "yearless.mrc"
    yearless.write_bytes(record.as_marc())
    home = Home.init(tmp_path / "home")
    home.add_source(Source(code="m", name="M", kind="marc", path=str(source)))
    with RecordStore(home.store_path) as store:
        import_files(home, store, "m", [str(source)])
        import_files(home, store, "m", [str(yearless)])  # replaces that record
        build.rebuild(home, store, open_index(home))
    backend = open_search(Home.load(home.path))
    try:
        every = backend.search(SearchRequest(limit=20))
    finally:
        backend.close()
    with_year = [h.year for h in every.hits if h.year]
    assert len(with_year) == every.total - 1
    assert sum(c for _s, _e, c in every.year_histogram) == len(with_year)
    assert all(start // 10 * 10 == start and end == start + 9 and 1900 <= start <= 2020
               for start, end, _c in every.year_histogram)


@pytest.mark.parametrize("query", ["Taiwan", "Hà Nội", "ha noi", "台灣", "history OR politics",
                                   "-Taiwan", '"Hà Nội"', "min jin dang", "hist*",
                                   "title:(Taiwan) NOT author:Chen", "Taiwan politics"])
def test_scoring_led_by_the_known_matches_ranks_as_whoosh_alone(whoosh_backend, query,
                                                                monkeypatch):
    # Small result sets are scored with the mask's documents leading every intersection
    # (discovery.engines.whoosh.sets.Candidates); the scores and order must be Whoosh's own.
    from discovery.engines.whoosh import search as backend_module
    led = [(h.id, round(h.score, 6)) for h in run(whoosh_backend, query, limit=50).hits]
    monkeypatch.setattr(backend_module, "CANDIDATES_LED", 0)
    alone = [(h.id, round(h.score, 6)) for h in run(whoosh_backend, query, limit=50).hits]
    assert led == alone
    assert led or query == "-Taiwan"


def test_did_you_mean_a_chinese_homophone_slip(backend):
    # 钢 (gang1) typed for 岗 (gang3) in 黄岗村志 (LC 00409616): same toneless pinyin
    slip = run(backend, "黄钢村志")
    assert slip.total == 0 and slip.suggestion == "黄岗村志"
    assert [h.id for h in run(backend, slip.suggestion).hits] == ["loc:00409616"]


def test_did_you_mean_gives_a_vietnamese_name_the_catalogues_diacritics(backend):
    # author of LC 00280610: Nguyễn Thị Thu Thảo (a typo in the last word, no diacritics)
    slip = run(backend, "nguyen thi thu thaoo")
    assert slip.total == 0 and slip.suggestion == "Nguyễn Thị Thu Thảo"
    assert "vn:00280610" in [h.id for h in run(backend, slip.suggestion).hits]


def test_diacritics_given_back_alone_find_no_more_and_are_not_offered(backend):
    # The speller does not count a suggestion that only gives diacritics back: every
    # spelling of a word matches its folded form, so the suggestion would find what the
    # query found. Checked here on the Vietnamese fixtures, for the openings of every
    # title, typed with and without diacritics.
    from indexer.textnorm import fold_text

    titles = [h.title for h in run(backend, filters=[("language", "vie")], limit=100).hits]
    openings = {" ".join(t.split()[:n]).strip(" :/.,;")
                for t in titles for n in (1, 2, 3) if not t.isascii()}
    pairs = [(o, fold_text(o)) for o in openings if o and not o.isascii()]
    assert len(pairs) >= 15
    for typed, folded in pairs:
        assert backend.count(typed) == backend.count(folded), typed
        result = run(backend, folded, limit=1)
        if result.suggestion is not None:   # only for a change beyond diacritics
            assert fold_text(result.suggestion).split() != folded.split(), typed


def test_the_searchers_idf_cache_is_bounded(whoosh_backend, monkeypatch):
    """Whoosh keeps the idf of every (field, word) ever searched for in a dict that lives
    as long as the searcher (until the index changes): distinct words, typed or not in the
    index, grew it without end. The engine's searcher keeps at most IDF_TERMS of them."""
    from discovery.engines.whoosh.idf import IdfCache

    engine = whoosh_backend.engine
    searcher = engine.searcher()
    cache = searcher._idf_cache
    assert isinstance(cache, IdfCache)
    assert all(sub._idf_cache is cache for sub, _ in searcher.subsearchers or ())
    monkeypatch.setattr(cache, "size", 40)
    words = [f"zq{n}x" for n in range(60)] + ["history", "china"]
    totals = [run(whoosh_backend, w).total for w in words]
    assert 0 < len(cache) <= 40
    assert totals[-2:] == [run(whoosh_backend, w).total for w in ("history", "china")]
    assert totals[-2] > 0
