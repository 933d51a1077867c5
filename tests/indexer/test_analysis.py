"""The analyzers: literal token lists.

Where a Han run is cut into words, the cut is jieba's (0.42.1, default dictionary,
HMM on) applied to OpenCC's simplified form; those lists were reasoned out
(simplified characters, word boundaries a Chinese reader would draw) and checked by
running. Everything else -- NFC, widths, lowercasing, positions, offsets, folding,
which characters count as Han -- is Sheaf's own doing and is asserted as such.

``mode="query"`` gives the plain word tokens; index mode adds, at the same position,
the folded form of every accented word.
"""

from __future__ import annotations

import pickle
import unicodedata

import pytest

from indexer.analysis import cjk_analyzer, main_analyzer, pinyin_analyzer, stem_analyzer
from indexer.segmenters import HAN_RUN, cut_han, to_simplified
from indexer.textnorm import fold, looks_vietnamese, place_tone


@pytest.fixture(scope="module")
def words():
    return main_analyzer()


def q(analyzer, value, **kw):
    """Query-mode token texts."""
    return [t.text for t in analyzer.analyze(value, mode="query", **kw)]


def positioned(analyzer, value, mode="query", **kw):
    return [(t.text, t.pos) for t in analyzer.analyze(value, mode=mode or "index", **kw)]


def test_traditional_title_gives_simplified_jieba_words(words):
    # 880 $a of LC 00409591 (tests/fixtures/chinese_880_traditional.mrc), traditional script
    assert positioned(words, "草山小蛇與民進黨的頭人們") == [
        ("草山", 0), ("小蛇", 1), ("与", 2), ("民进党", 3), ("的", 4), ("头", 5), ("人们", 6)]


def test_traditional_and_simplified_forms_index_alike(words):
    assert q(words, "台灣政治觀察") == q(words, "台湾政治观察") == ["台湾", "政治", "观察"]
    assert q(words, "民進黨") == q(words, "民进党") == ["民进党"]


def test_mixed_scripts_keep_word_order_and_lowercase_latin(words):
    assert positioned(words, "Taiwan 政治 Hello World 臺灣") == [
        ("taiwan", 0), ("政治", 1), ("hello", 2), ("world", 3), ("台湾", 4)]


def test_character_offsets_point_into_the_original_text(words):
    value = "Taiwan 臺灣史"
    tokens = [(t.text, t.startchar, t.endchar) for t in words.analyze(value, mode="query")]
    assert [(text, value[s:e]) for text, s, e in tokens] == [
        ("taiwan", "Taiwan"), ("台湾", "臺灣"), ("史", "史")]


def test_full_width_latin_and_ideographic_space(words):
    assert q(words, "ＡＢＣ１２３\u3000全角") == ["abc123", "全角"]


def test_vietnamese_decomposed_input_gives_composed_tokens(words):
    # LC stores Vietnamese decomposed, marks not always in canonical order: "Thập" arrives as
    # a + U+0302 (circumflex) + U+0323 (dot below), as in LC 00103636.
    lc_thap = "Tha\u0302\u0323p nhi\u0323 mo\u0302n lua\u0302\u0323n"
    assert q(words, lc_thap) == ["th\u1eadp", "nh\u1ecb", "m\u00f4n", "lu\u1eadn"]
    nfd = unicodedata.normalize("NFD", "Đổi mới Việt Nam")
    tokens = q(words, nfd)
    assert tokens == ["đổi", "mới", "việt", "nam"]
    assert all(unicodedata.is_normalized("NFC", t) for t in tokens)
    assert [len(t) for t in tokens] == [3, 3, 4, 3]
    assert q(words, "Đổi mới Việt Nam") == tokens  # what a reader types matches


def test_index_mode_adds_the_folded_form_at_the_same_position(words):
    # marked (~), so that a query can tell a folded form from a word catalogued without
    # diacritics (issue 16: thư must not find thứ)
    assert positioned(words, "Đổi mới Việt Nam", mode="index") == [
        ("đổi", 0), ("~doi", 0), ("mới", 1), ("~moi", 1), ("việt", 2), ("~viet", 2),
        ("nam", 3)]
    assert positioned(words, "thu thứ", mode="index") == [("thu", 0), ("thứ", 1), ("~thu", 1)]


def test_marks_in_the_wrong_order_still_meet_the_typed_word(words):
    # Regression: LC 00280612 (vietnamese_nfd_titles.mrc) writes "Chế" as e + U+0301 + U+0302;
    # both marks have combining class 230, so NFC alone leaves "ché̂".
    assert q(words, "Thơ Che\u0301\u0302 Lan Viên") == q(words, "Thơ Chế Lan Viên") == [
        "thơ", "chế", "lan", "viên"]


def test_old_and_new_tone_placement_meet(words):
    assert q(words, "hòa hoà Thúy Thuý") == ["hoà", "hoà", "thuý", "thuý"]
    assert place_tone("hòa") == place_tone("hoà") == "hoà"
    assert place_tone("hoàng") == "hoàng"      # with a final consonant the mark stays on a


def test_fold_strips_marks_and_maps_d_with_stroke():
    assert [fold(w) for w in ("Đường", "Hà", "Nội", "poésies", "Йошкар")] == [
        "duong", "ha", "noi", "poesies", "йошкар"]


def test_marks_inside_a_word_do_not_split_it(words):
    # ALA-LC romanization of Cyrillic with a breve: "Юрий Буйда" -> "Iuriĭ Buĭda"
    assert q(words, "Iurii\u0306 Bui\u0306da") == ["iuriĭ", "buĭda"]


# regression: the combining half marks U+FE20-FE2F of ALA-LC ligatures (t︠s︡) split
# words, so LC's "Armenii︠a︡ i Turt︠s︡ii︠a︡" could not be found by "Turtsiia"
def test_romanization_ligature_marks_do_not_split_words(words):
    tokens = q(words, "Armenii\ufe20a\ufe21 i Turt\ufe20s\ufe21ii\ufe20a\ufe21 :")
    assert [t.replace("\ufe20", "").replace("\ufe21", "") for t in tokens] == [
        "armeniia", "i", "turtsiia"]


# regression (issue 16): LC 00505279's parallel title "Ch'ing lacquer artifacts" writes
# Wade-Giles aspiration with the ASCII apostrophe, which cut the syllable in two (ch, ing),
# so neither LC's Chʻing nor Ching typed plain could find it
def test_an_aspirated_wade_giles_syllable_is_one_word_whatever_its_apostrophe(words):
    for written in ("Ch'ing lacquer", "Ch\u2019ing lacquer", "Ch\u02bbing lacquer"):
        assert positioned(words, written, mode="index") == [
            ("ch\u02bbing", 0), ("~ching", 0), ("lacquer", 1)], written
        assert words.term_positions(written) == {
            "ch\u02bbing": [0], "~ching": [0], "lacquer": [1]}, written
        assert q(words, written) == ["ch\u02bbing", "lacquer"], written
    assert q(words, "Teng Hsiao-p'ing") == ["teng", "hsiao", "p\u02bbing"]
    # an apostrophe that is not Wade-Giles aspiration still divides words
    assert q(words, "O'Brien's l'art T'tang") == ["o", "brien", "s", "l", "art", "t", "tang"]


def test_cjk_extension_b_characters_are_kept(words):
    # U+20BB7 (𠮷) and U+20000/U+20001 are outside jieba's own Han range; Sheaf still treats
    # them as Han and keeps each as a token of its own.
    assert q(words, "𠮷野家") == ["𠮷", "野家"]
    assert q(words, "𠀀𠀁 漢字") == ["𠀀", "𠀁", "汉字"]


def test_kana_and_hangul_are_words_not_han(words):
    # 880 titles from tests/fixtures/multilingual_lc_50.mrc (LC 00292583, 00292638)
    assert q(words, "よみがえる大田区の風景") == ["よみがえる", "大田", "区", "の", "风景"]
    assert q(words, "임\u3000윤지당") == ["임", "윤지당"]


def test_punctuation_and_spaces_are_not_tokens(words):
    # 880 $a$c of LC 00409593; jieba cuts 嘉义北回 as 嘉义 / 北 / 回
    assert q(words, "嘉義北回二二八\u3000／ 張炎憲 ... [et al.]") == [
        "嘉义", "北", "回", "二二八", "张炎宪", "et", "al"]


def test_vietnamese_compounds_in_titles_stack_on_their_first_syllable():
    titles = main_analyzer(compounds=True)
    tokens = positioned(titles, "Thư viện Quốc gia", mode="index")
    assert ("thư_viện", 0) in tokens and ("quốc_gia", 2) in tokens
    assert ("~thu_vien", 0) in tokens
    # never in query mode: a query's words are matched one by one
    assert positioned(titles, "Thư viện Quốc gia") == [("thư", 0), ("viện", 1), ("quốc", 2),
                                                        ("gia", 3)]


def test_cjk_ngrams():
    # unigram and the bigram starting at the same character share a position
    assert positioned(cjk_analyzer(), "長春電影") == [
        ("长", 0), ("长春", 0), ("春", 1), ("春电", 1), ("电", 2), ("电影", 2), ("影", 3)]
    # kana runs give bigrams only; separate runs are kept apart by a position gap
    assert positioned(cjk_analyzer(), "よみがえる 京都") == [
        ("よみ", 0), ("みが", 1), ("がえ", 2), ("える", 3), ("京", 6), ("京都", 6), ("都", 7)]


def readings(text: str) -> list[set[str]]:
    """Pinyin tokens grouped by position: every reading of a polyphonic character is kept."""
    out: dict[int, set[str]] = {}
    for t in pinyin_analyzer().analyze(text, mode="query"):
        out.setdefault(t.pos, set()).add(t.text)
    return [out[p] for p in sorted(out)]


def test_pinyin_one_position_per_han_character():
    got = readings("红楼梦 and 长春")
    assert len(got) == 5                                   # Latin words are skipped
    for position, reading in enumerate(["hong", "lou", "meng", "chang", "chun"]):
        assert reading in got[position]


@pytest.mark.parametrize("traditional, position, reading", [
    ("長春", 0, "chang"),      # Changchun; the default reading of 長 is zhang
    ("重慶", 0, "chong"),      # Chongqing; the default reading of 重 is zhong
    ("音樂", 1, "yue"),        # yinyue, music; the default reading of 樂 is le
])
def test_pinyin_of_traditional_han_includes_the_word_reading(traditional, position, reading):
    # Regression: traditional text used to get only pypinyin's default character readings.
    assert reading in readings(traditional)[position]
    assert readings(traditional) == readings(to_simplified(traditional))


def test_stems_are_folded_latin_words_only():
    assert q(stem_analyzer(), "Libraries of Việt Nam 图书馆") == ["librari", "of", "viet", "nam"]


def test_query_mode_tokenizes_like_index_mode_without_folds(words):
    value = "草山小蛇與民進黨 History"
    assert q(words, value) == [t.text for t in words.analyze(value, mode="index")]


def test_cut_han_offsets_cover_the_run():
    run = "日據時期台灣新劇運動"
    pieces = cut_han(run)
    assert "".join(w for w, _, _ in pieces) == to_simplified(run) == "日据时期台湾新剧运动"
    assert [(s, e) for _, s, e in pieces] == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10)]


@pytest.mark.parametrize("make", [main_analyzer, cjk_analyzer, pinyin_analyzer, stem_analyzer])
def test_analyzers_survive_pickling_into_a_schema(make):
    # Whoosh pickles analyzers into every index; they must come back equal and working.
    again = pickle.loads(pickle.dumps(make()))
    assert again == make()
    assert again.analyze("民進黨 Việt", mode="query") == make().analyze("民進黨 Việt", mode="query")


def _demo_texts() -> list[str]:
    """Titles, names, subjects and notes of the demo collection: Chinese, Vietnamese, others."""
    from pathlib import Path

    from harvest.marcfile import read_file
    from indexer.mapping import map_stored
    texts = []
    for name in ("hanlib.mrc", "vnlib.mrc", "intl.mrc"):
        path = Path(__file__).resolve().parents[2] / "demo" / name
        for i, raw in enumerate(read_file(path, "marc21", lambda problem: None)):
            if i % 3:
                continue
            mapped = map_stored(raw.data, raw.format)
            for key in ("title", "title_vernacular", "authors", "authors_vernacular", "subjects",
                        "notes", "publishers"):
                value = mapped.get(key)
                texts.extend([value] if isinstance(value, str) else value or [])
    return texts


@pytest.mark.parametrize("make", [main_analyzer, lambda: main_analyzer(compounds=True),
                                  cjk_analyzer, pinyin_analyzer, stem_analyzer],
                         ids=["words", "title-words", "cjk", "pinyin", "stem"])
def test_term_positions_are_the_index_mode_tokens(make):
    # The segment writer takes term_positions; Whoosh's writer, queries and highlighting
    # take the tokens. They must give the same terms at the same positions.
    analyzer = make()
    texts = _demo_texts()
    assert len(texts) > 1000
    assert any(HAN_RUN.search(t) for t in texts) and any(looks_vietnamese(t) for t in texts)
    for text in texts:
        expected: dict[str, list[int]] = {}
        for t in analyzer.analyze(text):
            expected.setdefault(t.text, []).append(t.pos)
        assert analyzer.term_positions(text) == expected, text


# -- the cataloguer's word division inside Han text (issue 16) -----------------------

# 880 $a of LC 00409592 (tests/fixtures/chinese_880_traditional.mrc), RLIN-era
# cataloguing with U+3000 IDEOGRAPHIC SPACE between the Han words
TAIWAN_OPPOSITION = "台灣\u3000的\u3000新反對\u3000運動"


def test_han_words_are_cut_across_ideographic_spaces(words):
    # the same words as the title typed without the spaces, at consecutive positions
    assert positioned(words, TAIWAN_OPPOSITION, mode="index") == [
        ("台湾", 0), ("的", 1), ("新", 2), ("反对", 3), ("运动", 4)]
    assert positioned(words, "台灣的新反對運動") == [
        ("台湾", 0), ("的", 1), ("新", 2), ("反对", 3), ("运动", 4)]
    # jieba sees one run: 李宗仁 is a word only when the spaces are gone
    assert q(words, "李\u3000宗仁\u3000传") == q(words, "李宗仁传") == ["李宗仁", "传"]


def test_offsets_across_ideographic_spaces_point_at_the_characters(words):
    tokens = [(t.text, TAIWAN_OPPOSITION[t.startchar:t.endchar])
              for t in words.analyze(TAIWAN_OPPOSITION, mode="query")]
    assert tokens == [("台湾", "台灣"), ("的", "的"), ("新", "新"), ("反对", "反對"),
                      ("运动", "運動")]


def test_cjk_bigrams_bridge_the_word_division():
    grams = [(t.text, t.pos, TAIWAN_OPPOSITION[t.startchar:t.endchar])
             for t in cjk_analyzer().analyze(TAIWAN_OPPOSITION, mode="query")]
    assert grams == [
        ("台", 0, "台"), ("台湾", 0, "台灣"), ("湾", 1, "灣"), ("湾的", 1, "灣\u3000的"),
        ("的", 2, "的"), ("的新", 2, "的\u3000新"), ("新", 3, "新"), ("新反", 3, "新反"),
        ("反", 4, "反"), ("反对", 4, "反對"), ("对", 5, "對"), ("对运", 5, "對\u3000運"),
        ("运", 6, "運"), ("运动", 6, "運動"), ("动", 7, "動")]


def test_middle_dots_and_zero_width_characters_are_no_word_break(words):
    assert q(words, "列夫·托尔斯泰") == q(words, "列夫托尔斯泰")
    assert q(words, "红楼\u200b梦") == q(words, "红楼梦")
    # between scripts the space still divides: Korean words and Latin text keep theirs
    assert q(words, "北韓\u3000법령") == ["北韩", "법령"]
    assert q(words, "中國 history") == ["中国", "history"]


def test_pinyin_reads_across_the_word_division():
    assert readings(TAIWAN_OPPOSITION) == readings("台灣的新反對運動")


def test_no_word_stems_to_nothing():
    # Snowball's Porter stemmer takes the plural "s" off "s" itself
    assert q(stem_analyzer(), "Children's books") == ["children", "s", "book"]
