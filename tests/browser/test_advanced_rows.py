"""The advanced form's rows in a real Chromium, beyond the reader's tour (tests/browser/
test_tour.py: rows added and removed, searched and shown again from the results, in every
interface language and width): the server's limit on rows, and without JavaScript the form
has its fixed rows."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, TIMEOUT_MS

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
