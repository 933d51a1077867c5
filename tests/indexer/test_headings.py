"""Headings in browse order (indexer.headings) and the documents' browse fields."""

from __future__ import annotations

from harvest.marcfile import read_file
from indexer.document import FACET_SEPARATOR, Member, document_for
from indexer.headings import (browse_value, form_value, forms_range, heading_keys, read_value,
                              typed_prefix)
from indexer.mapping import map_stored

from ..support import FIXTURES


def in_browse_order(headings: list[str]) -> list[str]:
    return [read_value(v)[0] for v in sorted(browse_value(h) for h in headings)]


def test_han_headings_file_by_pinyin_among_romanized_ones():
    # 张 is zhang, 陈 chen, 王 wang: they file among the romanized headings by sound
    assert in_browse_order(["Zhao, Ziyang", "张炎宪", "Chen, Wanzhen", "王小波", "Yang, Du"]) \
        == ["Chen, Wanzhen", "王小波", "Yang, Du", "张炎宪", "Zhao, Ziyang"]


def test_vietnamese_headings_file_in_vietnamese_order():
    # a < ă < â, d < đ, o < ô < ơ: every Đ- heading after every D- heading
    assert in_browse_order(["Đỗ, Mười", "Dương, Phú Hiệp", "Ơn, Văn", "Ông, Văn", "Ong, Ba"]) \
        == ["Dương, Phú Hiệp", "Đỗ, Mười", "Ong, Ba", "Ông, Văn", "Ơn, Văn"]


def test_a_heading_files_before_its_subdivisions_and_those_before_longer_words():
    assert in_browse_order(["Taiwan Strait", "Taiwan -- History", "Taiwan",
                            "Taiwan -- Politics and government -- 1988-2000"]) \
        == ["Taiwan", "Taiwan -- History", "Taiwan -- Politics and government -- 1988-2000",
            "Taiwan Strait"]


def test_a_typed_start_finds_headings_in_any_script():
    values = [browse_value(h) for h in ("张炎宪", "Zhang, Yanxian", "Zhao, Ziyang")]
    assert [read_value(v)[0] for v in values if v.startswith(typed_prefix("zhang"))] \
        == ["张炎宪", "Zhang, Yanxian"]
    assert [read_value(v)[0] for v in values if v.startswith(typed_prefix("张"))] \
        == ["张炎宪", "Zhang, Yanxian"]
    assert typed_prefix("   ") == ""


def test_the_forms_of_a_page_of_headings_lie_between_its_first_and_last_value():
    page = sorted(browse_value(h) for h in ("Chen, Wanzhen, 1950-", "Yang, Du"))
    low, high = forms_range(page[0], page[-1])
    inside = form_value("Yang, Du", "楊渡")
    outside = form_value("Zhang, Yanxian", "張炎憲")
    assert low <= inside <= high and not low <= outside <= high
    assert read_value(inside) == ("Yang, Du", "楊渡")


def test_a_heading_is_looked_up_whole_folded_and_in_simplified_characters():
    assert heading_keys("Miyi Xian (China) -- History") == ["miyi xian china -- history"]
    assert heading_keys("民進黨\u3000(China)") == heading_keys("民进党 (China)")
    assert heading_keys(" -- ") == []


def _document(name: str, position: int) -> dict:
    rec = list(read_file(FIXTURES / name, None, on_reject=print))[position]
    mapped = map_stored(rec.data, rec.format, source="loc", on_warning=lambda m: None)
    rid = f"loc:{rec.local_id}"
    return document_for(rid, [Member(rid, "loc", mapped)], {"loc": "LC"})


def test_a_chinese_record_lists_each_heading_once_with_its_880_in_simplified_form():
    # LC 00409591: 100 Chen, Wanzhen, 1950- with its 880 陳婉真, 1950-; 600 Xu, Xinliang
    # with 許信良; 610 Min jin dang (China) with 民進黨 (China)
    doc = _document("chinese_880_traditional.mrc", 1)
    authors = [read_value(v) for v in doc["author_browse"].split(FACET_SEPARATOR)]
    assert authors == [("Chen, Wanzhen, 1950-", None)]
    forms = [read_value(v) for v in doc["author_forms"].split(FACET_SEPARATOR)]
    assert forms == [("Chen, Wanzhen, 1950-", "陈婉真, 1950-")]
    subjects = [read_value(v)[0] for v in doc["subject_browse"].split(FACET_SEPARATOR)]
    # the 880 headings are the forms of their romanized ones, no entries of their own
    assert subjects == ["Xu, Xinliang", "Min jin dang (China)",
                        "Taiwan -- Politics and government -- 1988-2000"]
    # the lookup keys: every heading whole, 880s included, folded (1988-2000: two words)
    assert doc["subject_keys"].split(FACET_SEPARATOR) == [
        "xu xinliang", "许信良", "min jin dang china", "民进党 china",
        "taiwan -- politics and government -- 1988 2000"]
