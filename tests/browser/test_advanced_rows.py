"""The advanced form's rows in a real Chromium: rows added and removed (advanced.js) keep
their labels and ids in step, the search sends what the rows show, and Advanced search from
the results page shows those rows again; without JavaScript the form has its fixed rows."""

from __future__ import annotations

import urllib.parse

import pytest

from .conftest import DESKTOP, PHONE, TIMEOUT_MS, fits_a_phone, in_language

pytestmark = pytest.mark.browser

ROWS = "form.advanced fieldset.rows div.row"


def rows_of(p) -> list[dict]:
    """Each row as shown: its words, field and operator, and whether its labels name it."""
    return p.locator(ROWS).evaluate_all("""rows => rows.map((row, i) => {
        const text = row.querySelector("input[name=row_text]");
        const op = row.querySelector("select[name=row_op]");
        const labelled = [...row.querySelectorAll("select, input[id]")].every(el => {
            const label = row.querySelector('label[for="' + el.id + '"]');
            return label && label.textContent.includes(String(i + 1))
                && document.querySelectorAll('[id="' + el.id + '"]').length === 1; });
        return {text: text.value, field: row.querySelector("select[name=row_field]").value,
                op: op ? op.value : "AND", labelled: labelled}; })""")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rows_added_and_removed_search_and_come_back(page, server, lang, viewport):
    p = in_language(page, server, lang)
    p.set_viewport_size(viewport)
    p.goto(server + "/advanced")
    assert len(rows_of(p)) == 4
    p.locator("button.add-row").click()
    assert len(rows_of(p)) == 5
    assert p.evaluate("document.activeElement.id") == "row_text4"
    p.fill("#row_text0", "history")
    p.select_option("#row_op1", "NOT")
    p.select_option("#row_field1", "subject")
    p.fill("#row_text1", "Japan")
    p.fill("#row_text2", "unwanted")
    p.select_option("#row_op4", "OR")
    p.select_option("#row_field4", "author")
    p.fill("#row_text4", "Chen")
    p.locator(ROWS).nth(2).locator("button.remove-row").click()   # the third row goes
    shown = rows_of(p)
    assert [(r["op"], r["field"], r["text"]) for r in shown] == [
        ("AND", "all", "history"), ("NOT", "subject", "Japan"), ("AND", "subject", ""),
        ("OR", "author", "Chen")]
    assert all(r["labelled"] for r in shown)
    if viewport is PHONE:
        fits_a_phone(p)
        p.set_viewport_size(PHONE)
    page.shot(f"advanced-rows-{lang}")
    p.locator("form.advanced button[type=submit]").click()
    p.wait_for_selector("p.summary")
    args = urllib.parse.parse_qs(urllib.parse.urlsplit(p.url).query, keep_blank_values=True)
    assert [t for t in args["row_text"] if t] == ["history", "Japan", "Chen"]
    p.locator("form.search p.search-links a").click()
    p.wait_for_selector(ROWS)
    assert [(r["op"], r["field"], r["text"]) for r in rows_of(p)] == [
        ("AND", "all", "history"), ("NOT", "subject", "Japan"), ("OR", "author", "Chen"),
        ("AND", "subject", "")]


def test_rows_stop_at_the_servers_limit(page, server):
    p = page.page
    p.goto(server + "/advanced")
    limit = int(p.get_attribute("fieldset.rows", "data-max-rows"))
    for _ in range(limit - 4):
        p.locator("button.add-row").click()
    assert len(rows_of(p)) == limit
    assert p.locator("button.add-row").is_disabled()
    p.locator(ROWS).nth(1).locator("button.remove-row").click()
    assert p.locator("button.add-row").is_enabled()


def test_without_javascript_the_form_has_its_fixed_rows(fresh_browser, server):
    context = fresh_browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        p = context.new_page()
        p.goto(server + "/advanced")
        assert p.locator(ROWS).count() == 4
        assert p.locator("button.add-row, button.remove-row").count() == 0
        p.fill("#row_text0", "history")
        p.select_option("#row_op1", "NOT")
        p.fill("#row_text1", "Japan")
        p.locator("form.advanced button[type=submit]").click()
        p.wait_for_selector("p.summary")
        assert p.input_value("#q") == "(history) NOT (title:(Japan))"
    finally:
        context.close()
