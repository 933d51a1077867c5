"""Tone placement, folding, normalisation, pinyin cutting and collation keys: literal cases."""

from __future__ import annotations

import unicodedata

import pytest

from indexer.collation import title_key
from indexer.pinyin import han_readings, split_syllables
from indexer.textnorm import fold, folded_words, nfc, normalize, place_tone


@pytest.mark.parametrize("old, new", [("hòa", "hoà"), ("thúy", "thuý"), ("khỏe", "khoẻ"),
                                      ("Hòa", "Hoà"), ("thủy", "thuỷ")])
def test_old_and_new_tone_placement_become_one(old, new):
    assert place_tone(old) == place_tone(new) == new


@pytest.mark.parametrize("word", ["người", "tuyết", "Nguyễn", "hoàng", "quốc", "của", "hoài",
                                  "gì", "giá", "khuỷu", "quý", "giường"])
def test_words_already_right_are_left_alone(word):
    assert place_tone(word) == word


@pytest.mark.parametrize("word", ["où", "é", "naïve", "Ελληνικά"])
def test_words_that_are_not_vietnamese_syllables_are_left_alone(word):
    assert place_tone(word) == word


def test_lc_mark_order_is_composed():
    # LC writes ế as e + acute + circumflex: canonical ordering cannot swap two
    # marks of class 230, so plain NFC leaves "é̂"
    lc = "Ch" + "e\u0301\u0302"
    assert unicodedata.normalize("NFC", lc) != "Chế"
    assert nfc(lc) == "Chế"


def test_folding_keeps_d_distinct_only_before_folding():
    assert [fold(w) for w in ["đường", "dương", "Đương"]] == ["duong", "duong", "duong"]
    assert fold("ёлка") == "елка" and fold("йод") == "йод"
    assert fold("Łódź") == "lodz" and fold("straße") == "strasse"


def test_folded_words_keep_a_letter_with_an_uncomposable_mark_in_its_word():
    # r + ring below (IAST r̥) has no composed form: split first, it cut the word in two
    assert nfc("Rāmakr̥ṣṇārāvu") != "Rāmakrṣṇārāvu"
    assert folded_words("Rāmakr̥ṣṇārāvu, Avasarāla, 1931-") == ["ramakrsnaravu", "avasarala",
                                                                "1931"]
    assert folded_words("Thư viện Quốc gia") == ["thu", "vien", "quoc", "gia"]
    assert folded_words("History of the U.S.") == ["history", "of", "the", "u", "s"]


def test_full_width_forms_fold_one_for_one():
    assert normalize("ＡＢＣ１２３　中文") == "ABC123 中文"


@pytest.mark.parametrize("typed, readings", [
    ("honglou", [("hong", "lou")]),
    ("Hónglóumèng", [("hong", "lou", "meng")]),
    ("hong2", [("hong",)]),
    ("xi'an", [("xi", "an")]),
    ("liangan", [("lian", "gan"), ("liang", "an")]),
    ("history", []),
])
def test_typed_pinyin_is_cut_into_syllables(typed, readings):
    assert list(split_syllables(typed)) == readings


def test_polyphonic_characters_carry_every_reading():
    # 女红军: pypinyin reads 女红 as "nü gong" (needlework) in context; a reader
    # typing "nu hong jun" must find it, and so must one typing "nu gong"
    readings = han_readings("女红军")
    assert readings[0][0] == "nv"              # 女 is also ru (汝), rarely
    assert {"hong", "gong"} <= set(readings[1])
    assert readings[2] == ("jun",)


def test_vietnamese_titles_sort_in_vietnamese_alphabetical_order():
    titles = ["Đường phố", "Dương", "Dân", "Ăn uống", "Az", "An", "Dzung"]
    ordered = sorted(titles, key=lambda t: title_key({"title": t, "languages": ["vie"]}))
    assert ordered == ["An", "Az", "Ăn uống", "Dân", "Dương", "Dzung", "Đường phố"]


def test_chinese_titles_sort_by_pinyin_whatever_the_script():
    records = [{"title": "x", "title_vernacular": "中國"},
               {"title": "x", "title_vernacular": "红楼梦"},
               {"title": "x", "title_vernacular": "愛情"}]
    ordered = [r["title_vernacular"] for r in sorted(records, key=title_key)]
    assert ordered == ["愛情", "红楼梦", "中國"]  # ai < hong < zhong


def test_japanese_titles_with_kanji_sort_by_their_romanization():
    # regression: a Japanese record's kanji title was put in pinyin order
    records = [{"title": "Sōzōsareta koten", "title_vernacular": "創造された古典", "languages": ["jpn"]},
               {"title": "Daigokai Ryūkyū", "title_vernacular": "第五回琉球", "languages": ["jpn"]},
               {"title": "Yomigaeru", "title_vernacular": "よみがえる大田区", "languages": ["jpn"]}]
    ordered = [r["title"] for r in sorted(records, key=title_key)]
    assert ordered == ["Daigokai Ryūkyū", "Sōzōsareta koten", "Yomigaeru"]
