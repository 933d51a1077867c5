"""Pages fetched over HTTP from a real ``sheaf serve`` and read with lxml: the helpers the
page tests share (browse pages, result navigation, library pages)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

from lxml import html


def api(site: str, **args) -> dict:
    """``/api/search`` with ``args``: the answer the pages are compared with."""
    query = urllib.parse.urlencode(args, doseq=True)
    with urllib.request.urlopen(f"{site}/api/search?{query}", timeout=20) as response:
        return json.load(response)


def get(site: str, path: str, lang: str = "en", **args) -> tuple[int, html.HtmlElement]:
    query = urllib.parse.urlencode(args, doseq=True)
    url = f"{site}{path}{'?' + query if query else ''}"
    req = urllib.request.Request(url, headers={"Accept-Language": lang})
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, html.fromstring(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return exc.code, html.fromstring(exc.read().decode("utf-8"))


_STEP = re.compile(r"([a-z0-9]*)((?:[.#][\w-]+|\[[\w-]+(?:=[\w-]+)?\])*)")


def css(element, selector: str) -> list:
    """The elements a simple CSS selector finds (tags, .classes, #ids, [attr], [attr=value],
    descendants), by XPath: lxml's own cssselect needs a package Sheaf does not install."""
    path = "."
    for step in selector.split():
        tag, rest = _STEP.fullmatch(step).groups()
        tests = []
        for kind, name, value in re.findall(r"([.#\[])([\w-]+)(?:=([\w-]+))?\]?", rest):
            if kind == ".":
                tests.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')")
            elif kind == "#":
                tests.append(f"@id='{name}'")
            else:
                tests.append(f"@{name}='{value}'" if value else f"@{name}")
        path += f"//{tag or '*'}" + "".join(f"[{t}]" for t in tests)
    return element.xpath(path)


def ok(site: str, path: str, **args) -> html.HtmlElement:
    status, doc = get(site, path, **args)
    assert status == 200, (path, args, status, doc.text_content()[:300])
    return doc


def submitted(form, unticked: tuple[str, ...] = (), **chosen) -> str:
    """The URL a form goes to when submitted with these values chosen (as a browser without
    JavaScript sends it: hidden inputs, text inputs, selects and the checkboxes ticked, but
    for those named in ``unticked``, in their order)."""
    pairs = [(i.get("name"), i.get("value")) for i in css(form, "input[type=hidden]")]
    for box in form.xpath(".//input[not(@type) or @type='text' or @type='search']"):
        pairs.append((box.get("name"), chosen.get(box.get("name"), box.get("value") or "")))
    for select in css(form, "select"):
        name = select.get("name")
        picked = [o.get("value") for o in css(select, "option[selected]")]
        pairs.append((name, chosen.get(name, picked[0] if picked else None)))
    for box in css(form, "input[type=checkbox][checked]"):
        if box.get("name") not in unticked:
            pairs.append((box.get("name"), box.get("value") or "on"))
    return form.get("action") + "?" + urllib.parse.urlencode(pairs)
