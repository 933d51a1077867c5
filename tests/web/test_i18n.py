"""The interface language: Accept-Language, the remembered switch, the lang argument, and
catalogs that are complete and compiled."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from .conftest import tree

WEB = Path(__file__).resolve().parents[2] / "web"
CATALOGS = WEB / "translations"


def heading(client, url="/", **headers):
    page = tree(client.get(url, headers=headers))
    return page.find("html")[0]["attrs"]["lang"], page.texts("h1")[0]


@pytest.mark.parametrize("accept, lang, text", [
    (None, "en", "Search every member library at once"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans", "一次检索全部成员馆"),
    ("zh-TW", "zh-Hant", "一次檢索全部成員館"),
    ("zh-HK,en;q=0.5", "zh-Hant", "一次檢索全部成員館"),
    ("zh-MO", "zh-Hant", "一次檢索全部成員館"),
    ("zh-Hant-TW", "zh-Hant", "一次檢索全部成員館"),
    ("zh-SG", "zh-Hans", "一次检索全部成员馆"),
    ("zh-Hans-HK", "zh-Hans", "一次检索全部成员馆"),
    ("zh", "zh-Hans", "一次检索全部成员馆"),
    ("fr,zh-TW;q=0.4,zh-CN;q=0.3", "zh-Hant", "一次檢索全部成員館"),
    ("vi-VN,vi;q=0.9", "vi", "Tìm cùng lúc trong mọi thư viện thành viên"),
    ("fr-FR,fr;q=0.9", "en", "Search every member library at once"),
    ("de,vi;q=0.5", "vi", "Tìm cùng lúc trong mọi thư viện thành viên"),
])
def test_accept_language_chooses(client, accept, lang, text):
    headers = {"Accept-Language": accept} if accept else {}
    assert heading(client, **headers) == (lang, text)


def test_the_switch_is_remembered_and_beats_accept_language(app):
    client = app.test_client()
    response = client.get("/lang/vi?next=/advanced")
    assert response.status_code == 303 and response.headers["Location"] == "/advanced"
    cookie = client.get_cookie("sheaf_lang")
    assert cookie.value == "vi" and cookie.max_age == 365 * 24 * 3600
    assert heading(client, "/", **{"Accept-Language": "zh-CN"})[0] == "vi"
    client.get("/lang/en")
    assert heading(client, "/", **{"Accept-Language": "zh-CN"})[0] == "en"
    assert client.get("/lang/fr").status_code == 404


def test_lang_argument_for_one_request(client):
    assert heading(client, "/?lang=zh")[0] == "zh-Hans"
    assert heading(client, "/")[0] == "en"


def test_switch_links_come_back_to_the_same_page(client):
    page = tree(client.get("/?q=Taiwan&sort=title"))
    links = {a["attrs"]["hreflang"]: a["attrs"]["href"] for a in page.find("a", hreflang=True)}
    assert set(links) == {"zh-Hans", "zh-Hant", "vi"}
    assert links["zh-Hans"] == "/lang/zh?next=/?q%3DTaiwan%26sort%3Dtitle"
    assert links["zh-Hant"] == "/lang/zh-Hant?next=/?q%3DTaiwan%26sort%3Dtitle"


def test_labels_and_counts_are_translated(client):
    page = tree(client.get("/?q=ngoại hối&lang=zh"))
    assert page.texts("p", class_="summary") == ["ngoại hối：1 条结果"]
    assert "越南语" in page.texts("span", class_="lang")
    assert "语种" in page.texts("h3")
    # the traditional interface: its catalog and the table names derived from the simplified
    page = tree(client.get("/?q=ngoại hối&lang=zh-Hant"))
    assert page.texts("p", class_="summary") == ["ngoại hối：1 筆結果"]
    assert "越南語" in page.texts("span", class_="lang")
    assert "語言" in page.texts("h3")
    page = tree(client.get("/?q=ngoại hối&lang=vi"))
    assert page.texts("p", class_="summary") == ["1 kết quả cho ngoại hối"]
    assert "Tiếng Việt" in page.texts("span", class_="lang")


def test_pages_vary_on_language(client):
    assert {"Accept-Language", "Cookie"} <= set(client.get("/").vary)


def _messages() -> set[str]:
    found = set()
    method_map = [("web/admin*.py", "ignore"), ("web/templates/admin*", "ignore"),
                  ("web/**.py", "python"), ("web/templates/**.html", "jinja2"),
                  ("web/templates/**.xml", "jinja2")]
    for _file, _line, message, _comments, _context in extract_from_dir(
            WEB.parent, method_map, keywords={"_": None, "gettext": None,
                                              "ngettext": (1, 2), "lazy_gettext": None}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_zh_hant_switch_is_remembered(app):
    client = app.test_client()
    assert client.get("/lang/zh-Hant").status_code == 303
    assert heading(client, "/", **{"Accept-Language": "zh-CN"}) == ("zh-Hant", "一次檢索全部成員館")


def test_zh_hant_library_terms_override_the_character_conversion():
    from indexer.hant import to_hant
    # s2twp alone would write 高階檢索, 資源型別, 條結果 and 連線
    assert to_hant("高级检索") == "進階檢索"
    assert to_hant("资源类型：3 条结果") == "資源類型：3 筆結果"
    assert to_hant("用 OR 连接的部分") == "用 OR 連接的部分"
    # and the Taiwan phrases of s2twp stay
    assert to_hant("索书号、馆藏、题名、信息、软件") == "索書號、館藏、題名、資訊、軟體"


@pytest.mark.parametrize("lang", ["zh", "zh_Hant", "vi"])
def test_every_message_is_translated_and_compiled(lang):
    po_path = CATALOGS / lang / "LC_MESSAGES" / "messages.po"
    with open(po_path, "rb") as fh:
        po = read_po(fh, locale=lang)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id:
                  tuple(m.string) if isinstance(m.string, (tuple, list)) else m.string
                  for m in po if m.id}
    missing = sorted(m for m in _messages() if not translated.get(m) or
                     (isinstance(translated[m], tuple) and not all(translated[m])))
    assert missing == [], f"untranslated in {lang}: run scripts/translations.sh and translate"
    with open(po_path.with_suffix(".mo"), "rb") as fh:
        mo = read_mo(fh)
    compiled = {m.id[0] if isinstance(m.id, (tuple, list)) else m.id:
                tuple(m.string) if isinstance(m.string, (tuple, list)) else m.string
                for m in mo if m.id}
    assert compiled == {k: v for k, v in translated.items() if not po[k].fuzzy}, \
        f"{lang}: the .mo is older than the .po; run scripts/translations.sh"
    # placeholders survive translation
    import re
    for msg in po:
        if msg.id:
            ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
            strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
            wanted = set(re.findall(r"%\(\w+\)s", ids[-1]))
            for s in strings:
                assert set(re.findall(r"%\(\w+\)s", s)) == wanted, (lang, msg.id)
