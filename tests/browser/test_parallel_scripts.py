"""A Chinese record in both scripts in a real browser, at desktop and phone widths, in the
English and Chinese interfaces: the record page's labelled lines (the Han form first, its
pinyin on the line below, neither wider than the screen) and the result line's publisher
with the query's match marked."""

from __future__ import annotations

import pymarc
import pytest

from ..support import FIXTURES, iso2709_records
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

# chinese_880_simplified.mrc: LC 00409616, 黄岗村志 (济南 : 山东人民出版社, 1999)
HUANGGANG = "00409616"
LABELS = {"en": ("Original script", "Romanized"), "zh": ("原文", "罗马字转写")}


def huanggang() -> tuple[pymarc.Field, pymarc.Field]:
    """The record's 260 and the 880 linked to it."""
    for data in iso2709_records(FIXTURES / "chinese_880_simplified.mrc"):
        rec = pymarc.Record(data, to_unicode=True, force_utf8=True)
        if rec["001"].data.strip() == HUANGGANG:
            return rec["260"], next(f for f in rec.get_fields("880")
                                    if f["6"].startswith("260"))
    raise LookupError(HUANGGANG)


def fits(p) -> bool:
    """Nothing on the page is wider than the window (no sideways scrolling)."""
    return p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_record_page_shows_both_scripts_on_labelled_lines(page, server, lang):
    p = page.page
    romanized, vernacular = huanggang()
    p.goto(f"{server}/record/loc:{HUANGGANG}?lang={lang}")
    assert p.locator("html").get_attribute("lang") == {"en": "en", "zh": "zh-Hans"}[lang]
    forms = p.locator('dd[data-field="imprint"] .form')
    for viewport in (DESKTOP, PHONE):
        p.set_viewport_size(viewport)
        assert forms.count() == 2
        labels = [t.strip() for t in p.locator('dd[data-field="imprint"] .script')
                  .all_text_contents()]
        assert labels == list(LABELS[lang])
        first, second = forms.nth(0), forms.nth(1)
        assert vernacular["b"].rstrip(" ,") in first.inner_text()
        assert romanized["b"].rstrip(" ,") in second.inner_text()
        top, below = first.bounding_box(), second.bounding_box()
        assert below["y"] >= top["y"] + top["height"] - 1     # a line of its own, below
        assert fits(p)
    page.shot(f"record-two-scripts-{lang}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_result_line_shows_the_publisher_in_both_scripts_marked(page, server, lang):
    p = page.page
    romanized, vernacular = huanggang()
    publisher = vernacular["b"].rstrip(" ,")
    p.goto(f"{server}/?lang={lang}&q={publisher}")
    p.wait_for_selector("p.summary")
    assert p.locator("html").get_attribute("lang") == {"en": "en", "zh": "zh-Hans"}[lang]
    hit = p.locator("li.hit", has=p.locator(f'h3 a[href^="/record/loc:{HUANGGANG}?"]'))
    shown = hit.locator("span.publisher")
    for viewport in (DESKTOP, PHONE):
        p.set_viewport_size(viewport)
        assert shown.locator("mark").all_inner_texts() == [publisher]
        text = shown.inner_text()
        assert text.index(publisher) < text.index(romanized["b"].rstrip(" ,"))
        assert fits(p)
    page.shot(f"result-line-two-scripts-{lang}")
