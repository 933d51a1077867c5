"""Real LC records rewritten to attack the pages that show them.

Two records of ``tests/fixtures/multilingual_lc_50.mrc`` (a Japanese one with 880s and
an English one) keep their leader, 001, 008, classification and structure, and get a
payload in every field a page shows: script tags, event handlers, ``javascript:`` and
``data:`` URLs in 856 $u, CSS that would fetch from another site, mutation-XSS markup,
right-to-left overrides and a 4,000-character word with no break in it. Every
script payload calls ``alert(N)`` with its own N, so a dialog that fires names the
field it came from (:data:`ALERTS`).
"""

from __future__ import annotations

import pymarc

from .support import FIXTURES

BASE = FIXTURES / "multilingual_lc_50.mrc"
BASE_IDS = ("00292583", "00292616")        # a Japanese record, an English one
SOURCE_CODE = "evil"
SOURCE_NAME = '<b>Evil</b> & Co <script>alert(99)</script>'
EVIL_HOST = "evil.example"                 # every URL a payload would fetch names it
RLO = "\u202e"                             # RIGHT-TO-LEFT OVERRIDE, never closed
LONG_WORD = "Supercalifragilistic" * 200   # 4,000 characters, nowhere to break

# field (tag, subfield) -> the payload put there; N in alert(N) names the field
PAYLOADS = {
    ("245", "a"): '<script>alert(1)</script>Hostile title ',
    ("245", "b"): f'{RLO}gpj.exe <b onmouseover=alert(2)>bold</b>',
    ("245", "c"): '<img src=x onerror=alert(3)>',
    ("100", "a"): '<img src=x onerror=alert(4)>, Evil',
    ("700", "a"): 'javascript:alert(5)',
    ("710", "a"): f'<link rel=stylesheet href=http://{EVIL_HOST}/710.css>',
    ("246", "a"): f"x' style='background:url(//{EVIL_HOST}/246)' onfocus='alert(6)' autofocus '",
    ("250", "a"): '{{7*7}} ${7*7} <%= 7*7 %>',
    ("260", "a"): f'<style>body{{background:url(http://{EVIL_HOST}/260.css)}}</style>',
    ("260", "b"): '"><svg onload=alert(7)>',
    ("300", "a"): '<iframe src="javascript:alert(8)"></iframe>',
    ("490", "a"): '<math><mtext><table><mglyph><style><img src=x onerror=alert(9)>',
    ("500", "a"): LONG_WORD,
    ("505", "a"): '<a href="javascript:alert(10)">contents</a>',
    ("520", "a"): '</textarea></title></style><script>alert(11)</script>',
    ("650", "a"): '"><svg onload=alert(12)>',
    ("650", "x"): f'{RLO}Subject reversed',
    ("651", "a"): "';alert(13);//",
    ("082", "a"): '<script>alert(14)</script>',      # a bad class number: the quality page
    ("050", "b"): 'Y66 <img src=x onerror=alert(15)>',
    ("856", "y"): '<b onclick=alert(16)>link text</b>',
}
# 856 $u: each becomes its own 856; only the last is a URL a page may link
LINKS = ["javascript:alert(17)", "JaVaScRiPt:alert(18)", " javascript:alert(19)",
         "data:text/html,<script>alert(20)</script>", "vbscript:msgbox(21)",
         f"//{EVIL_HOST}/protocol-relative", "https://example.org/ok?a=1&b=2"]
# the 880 of 245 (the vernacular title): the same attack in another script
VERNACULAR = '<script>alert(22)</script>よみがえる<img src=x onerror=alert(23)>'
ALERTS = 23   # alert(1) .. alert(23), and alert(99) in the library's name

# the fields the pages show: replaced where the record has one, added where not
_SHOWN = ("100", "245", "246", "250", "260", "300", "490", "500", "505", "520", "650",
          "651", "700", "710", "082")


def _base_records() -> list[pymarc.Record]:
    with open(BASE, "rb") as f:
        found = {r["001"].data.strip(): r
                 for r in pymarc.MARCReader(f, to_unicode=True, force_utf8=True)}
    return [found[i] for i in BASE_IDS]


def _payload_field(tag: str) -> pymarc.Field:
    subs = [pymarc.Subfield(code, text) for (t, code), text in PAYLOADS.items() if t == tag]
    ind = {"245": ["1", "0"], "650": [" ", "0"], "651": [" ", "0"]}.get(tag, [" ", " "])
    return pymarc.Field(tag=tag, indicators=ind, subfields=subs)


def hostile(record: pymarc.Record) -> pymarc.Record:
    """``record`` with every shown field carrying its payload (the 001 kept)."""
    for tag in _SHOWN:
        old = record.get_fields(tag)
        link = next((s.value for f in old for s in f.subfields if s.code == "6"), None)
        for f in old:
            record.remove_field(f)
        new = _payload_field(tag)
        if link:   # keep the 880 pairing: the vernacular is shown beside the field
            new.subfields.insert(0, pymarc.Subfield("6", link))
        record.add_ordered_field(new)
    for f in record.get_fields("050"):
        f.subfields = [s for s in f.subfields if s.code != "b"]
        f.add_subfield("b", PAYLOADS[("050", "b")])
    for f in record.get_fields("880"):
        if (f.get("6") or "").startswith("245"):
            f.subfields = [s for s in f.subfields if s.code == "6"] + \
                [pymarc.Subfield("a", VERNACULAR)]
    for url in LINKS:
        record.add_ordered_field(pymarc.Field(
            tag="856", indicators=["4", "0"],
            subfields=[pymarc.Subfield("u", url), pymarc.Subfield("y", PAYLOADS[("856", "y")])]))
    record.force_utf8 = True
    record.leader = record.leader[:9] + "a" + record.leader[10:]
    return record


def hostile_marc() -> bytes:
    """The hostile records as one ISO 2709 file."""
    return b"".join(hostile(r).as_marc() for r in _base_records())


def hostile_ids() -> list[str]:
    return [f"{SOURCE_CODE}:{i}" for i in BASE_IDS]
