"""Nothing left in English on the Chinese and Vietnamese pages, over HTTP from a real
``sheaf serve`` (issue 18): the search page, zero results, a record, its staff view, the
advanced search, and error pages, each read for any of the interface's English strings.

The English strings are the catalog's message ids whose translation differs from them
(so "ISBN" or "MARCXML", the same in every language, are not counted) and the English
labels of the display tables (languages, formats, class captions, roles). A text the
page marks as in another language (``lang``: the language switch, a record's own title)
is the record's or the switch's and is not read."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from lxml import html as lxml_html

from discovery.query import MAX_DEPTH
from indexer import tables

from ..support import running_server
from .pages_support import css, get

WEB = Path(__file__).resolve().parents[2] / "web"
TABLES = ("languages", "formats", "lcc", "ddc", "clc", "relators")
PAGE_LANGS = {"zh": "zh-Hans", "vi": "vi", "zh-Hant": "zh-Hant"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


def _placeholders(text: str) -> str:
    return re.sub(r"%\(\w+\)[sd]", "\x00", text)


def english_strings(lang: str) -> tuple[set[str], list[re.Pattern]]:
    """The interface's English strings that ``lang`` translates: whole strings, and
    patterns for those with placeholders (a placeholder matches any text)."""
    catalog_lang = "zh" if lang.startswith("zh") else lang
    with open(WEB / "translations" / catalog_lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    whole, patterns = set(), []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not msgid or msgid in strings:
                continue
            if "%(" in msgid:
                parts = [re.escape(p) for p in _placeholders(msgid).split("\x00")]
                if sum(len(p) for p in parts) >= 8:
                    patterns.append(re.compile(".+?".join(parts)))
            else:
                whole.add(msgid)
    for name in TABLES:
        for row in tables.keyed(name, "code" if name in ("languages", "formats", "relators")
                                else "class").values():
            english = row.get("en")
            if english and english not in (row.get("zh"), row.get("vi")):
                whole.add(english)
    return whole, patterns


@pytest.fixture(scope="module")
def site(built_home, tmp_path_factory):
    with running_server(built_home.path, tmp_path_factory.mktemp("no-english-server")) as base:
        yield base


def texts_in(doc, page_lang: str) -> list[str]:
    """The page's text nodes and read attributes outside elements in another language."""
    for dropped in doc.xpath("//script|//style"):
        dropped.drop_tree()
    out = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        holder = next(iter(element.xpath("ancestor-or-self::*[@lang][1]")), None)
        if holder is not None and holder.get("lang") != page_lang:
            continue
        pieces = [element.text] + [element.get(a) for a in READ_ATTRIBUTES]
        pieces += [child.tail for child in element if child.tail]
        out += [" ".join(p.split()) for p in pieces if p and p.strip()]
    return out


def english_on(doc, lang: str) -> list[str]:
    whole, patterns = english_strings(lang)
    found = []
    for text in texts_in(doc, PAGE_LANGS[lang]):
        bare = text.rstrip(" :›×…").strip()
        if bare in whole or text in whole:
            found.append(text)
        elif any(p.search(text) for p in patterns):
            found.append(text)
        else:  # an English string of several words inside a longer text
            found += [s for s in whole if " " in s and len(s) > 12 and s in text]
    return found


def a_record(site: str) -> str:
    """The id of the first result for "history" (from the JSON API)."""
    with urllib.request.urlopen(f"{site}/api/search?q=history&limit=1", timeout=20) as r:
        return json.loads(r.read())["results"][0]["id"]


def pages(site: str) -> list[tuple[str, dict, int]]:
    """(path, arguments, status) of the pages read: each kind of page the reader meets."""
    record = urllib.parse.quote(a_record(site), safe=":")
    return [("/", {}, 200),
            ("/", {"q": "history"}, 200),
            ("/", {"q": "Taiwan", "filter": ["language:chi", "class:lcc:DS"]}, 200),
            ("/", {"q": "zzzqqxxj"}, 200),
            (f"/record/{record}", {}, 200),
            (f"/staff/{record}", {}, 200),
            ("/advanced", {}, 200),
            ("/record/no:such", {}, 404),
            ("/", {"q": "history", "sort": "sideways"}, 400),
            ("/", {"q": "history", "filter": "year:soon"}, 400),
            ("/", {"q": "history", "limit": "0"}, 400),
            ("/", {"q": "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1)}, 400),
            ("/embed", {"q": "history"}, 200),
            ("/no/such/page", {}, 404)]


@pytest.mark.parametrize("lang", ["zh", "vi", "zh-Hant"])
def test_no_english_on_the_pages_in_chinese_and_vietnamese(site, lang):
    for path, args, expected in pages(site):
        status, doc = get(site, path, lang=lang, **args)
        assert status == expected, (path, args, status)
        assert doc.xpath("/html/@lang") == [PAGE_LANGS[lang]]
        assert english_on(doc, lang) == [], (path, args)


def test_the_list_finds_english_where_there_is_english(site):
    """The same reading of the English pages finds the English strings (the check can
    fail): the error messages, the class captions and the language names included."""
    whole, patterns = english_strings("vi")
    for path, args, _status in pages(site):
        _, doc = get(site, path, lang="en", **args)
        found = [t for t in texts_in(doc, "en")
                 if t.rstrip(" :›×…").strip() in whole or any(p.search(t) for p in patterns)]
        assert found, (path, args)
    _, doc = get(site, "/", q="history", sort="sideways", lang="en")
    assert any(re.search("unknown sort", t) for t in texts_in(doc, "en"))


def test_error_messages_and_dates_follow_the_language(site):
    for lang, unknown in (("zh", "未知"), ("vi", "không hợp lệ")):
        _, doc = get(site, "/", q="history", sort="sideways", lang=lang)
        shown = [p.text_content() for p in css(doc, "p.error")]
        assert len(shown) == 1 and unknown in shown[0] and "unknown" not in shown[0]
    record = urllib.parse.quote(a_record(site), safe=":")
    meta = {lang: " ".join(css(get(site, f"/staff/{record}", lang=lang)[1], "p.marc-meta")[0]
                           .text_content().split()) for lang in ("en", "zh", "vi")}
    year = re.search(r"(20\d\d)", meta["en"]).group(1)
    assert f"{year}年" in meta["zh"] and f"thg" in meta["vi"]
    assert not re.search(r"\d{4}-\d\d-\d\dT", " ".join(meta.values()))


@pytest.mark.parametrize("lang", ["en", "zh", "vi"])
def test_every_language_on_the_advanced_page_has_a_name(site, lang):
    """No bare MARC code (``xho``) among the languages offered: each has a name in the
    reader's language, the one the display table gives."""
    _, doc = get(site, "/advanced", lang=lang)
    options = css(doc, "option")
    offered = {o.get("value").split(":", 1)[1]: o.text_content().rsplit(" (", 1)[0]
               for o in options if (o.get("value") or "").startswith("language:")}
    assert len(offered) > 3
    for code, label in offered.items():
        assert label == tables.language_name(code, lang) and label != code, code
