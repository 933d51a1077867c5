"""Known-item evaluation: do readers' ways of typing a title find the record?

    python bench/known_items.py [MARC_FILE ...] [--per-group N] [--seed S] [--show-misses]
                                [--engines whoosh,solr] [--slice START:END]
                                [--han-in-245] [--cnmarc [FILE ...]]

With no file it uses the LC sets in ../shared/data (the 10,000-record
multilingual slice, the 600 Chinese records and the 92 Vietnamese records).
Any MARC 21 file works. The script imports and indexes the files into a
temporary home, builds queries from the records themselves, runs them
through the real search backend and prints success@1, success@10 and MRR
per group:

* ``zh-simplified`` / ``zh-traditional``: an inner fragment of the Han title
  (880), 4-8 characters from the middle of the title, converted with OpenCC;
* ``zh-title-simp`` / ``zh-title-trad``: the whole Han title proper (up to the
  subtitle's ``:``, the ``/`` or the ``=``) of a Chinese-language record, without
  its spaces, converted with OpenCC: what a reader who knows the title types
  (Japanese and Korean titles are left out: OpenCC would make Chinese of them);
* ``pinyin``: the Han title as pinyin, syllables joined into words where jieba
  finds words (``zhongguo lishi``), no tone marks;
* ``wade-giles``: the same words in Wade-Giles from the project's conversion
  table (``indexer/data/wade_giles.tsv``), a word's syllables joined by hyphens
  and aspiration written ʻ as LC wrote it before 2000 (``Chung-kuo li-shih``,
  ``Chʻing tai``): what a reader who learned the older system types;
* ``vi-diacritics`` / ``vi-folded``: the first words of a Vietnamese title,
  as catalogued (NFC) and with every diacritic removed (đ → d);
* ``en-title-author``: three title words plus the main author's surname;
* ``other-scripts``: words of a non-Latin, non-Han vernacular title (Arabic,
  Hebrew, Cyrillic, Greek, kana, hangul);
* ``zh-divided``: the whole Han title proper of a record whose cataloguer put
  U+3000 IDEOGRAPHIC SPACE between its words (older LC records), typed
  without it;
* ``cnmarc``: the whole title (200 $a $e $h $i, ISBD punctuation out) of each
  CNMARC record, read as UNIMARC beside the LC files: by default the 12
  records of ``tests/fixtures/cnmarc_utf8.mrc``, which are constructed, not
  real (no real CNMARC file is public; see tests/fixtures/PROVENANCE.md), so
  the group shows that the CNMARC path works, not how well it ranks.

``--slice START:END`` keeps records START to END-1 of each file (0-based, in
file order): a held-out set, such as LC's records 200,000-250,000 of
``bench/data/lc-250000.mrc``, that no ranking rule was tuned on.

``--han-in-245`` recatalogues every record with a Han 880 title the way
Chinese libraries catalogue: each linked 880 replaces the romanized field it
pairs with, and no romanization is left for a Han query to fall back on.

A query counts as found at rank r when the record, or a record with the
same title and year (another copy or volume), is the r-th result. A known-item
query names one item, so an inner fragment is sampled only where it occurs in
the Han title of exactly one item (title and year) of the set: a fragment
found in two titles (``中国历史`` in a dozen) cannot say which of them the
reader meant, and no ranking can be right about it. The script prints how
many candidate fragments it skipped as ambiguous before it had its sample.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from discovery.engines import open_search  # noqa: E402
from discovery.results import SearchRequest  # noqa: E402
from harvest.config import Home, Source  # noqa: E402
from harvest.importer import import_files  # noqa: E402
from harvest.store import RecordStore  # noqa: E402
from indexer import build  # noqa: E402
from indexer.analysis import warm_up  # noqa: E402
from indexer.segmenters import HAN_CLASS, HAN_RUN, cut_han, to_simplified  # noqa: E402
from indexer.mapping import map_stored  # noqa: E402
from indexer.pinyin import han_to_pinyin  # noqa: E402
from indexer.textnorm import fold, looks_vietnamese  # noqa: E402
from indexer.wade_giles import FROM_PINYIN  # noqa: E402
from discovery.engines import open_index  # noqa: E402

SHARED = ROOT.parent / "shared/data/loc-booksall-2016-part01"
DEFAULT_FILES = [SHARED / "booksall2016p01_rec080000-089999.mrc",
                 SHARED / "booksall2016p01_chi_880_sample.mrc",
                 SHARED / "booksall2016p01_vie.mrc"]
CNMARC_FILES = [ROOT / "tests/fixtures/cnmarc_utf8.mrc"]
GROUPS = ("zh-simplified", "zh-traditional", "zh-title-simp", "zh-title-trad", "pinyin",
          "wade-giles", "vi-diacritics", "vi-folded", "en-title-author", "other-scripts",
          "zh-divided", "cnmarc")
TITLE_PROPER = re.compile(r"\s*[:/=：]")
CNMARC_CODE = "u"
DIVIDED = re.compile(f"[{HAN_CLASS}][\u3000 ]+[{HAN_CLASS}]")
TITLE_START = re.compile(f"^[{HAN_CLASS}\u3000 ]+")
OTHER_SCRIPT = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff"
                          "\u3040-\u30ff\uac00-\ud7af]")
STOP = {"the", "a", "an", "of", "and", "in", "on", "for", "to", "with", "by", "from", "at"}


def han_in_245(path: Path, out: Path) -> Path:
    """The file with each record's linked 880s in place of the fields they pair with."""
    import pymarc

    with open(path, "rb") as fh, open(out, "wb") as dst:
        for record in pymarc.MARCReader(fh, to_unicode=True, force_utf8=True):
            if record is None:
                continue
            for alt in record.get_fields("880"):
                link = alt.get("6") or ""
                for field in record.get_fields(link[:3]):
                    if (field.get("6") or "")[4:6] == link[4:6]:
                        field.subfields = [sf for sf in alt.subfields if sf.code != "6"]
                        break
            record.remove_fields("880")
            dst.write(record.as_marc())
    return out


def on_engine(home: Home, engine: str) -> Home:
    """``home`` set to search ``engine`` (Solr: the local cluster, an alias of its own), with
    a search deadline of a minute: these benches measure ranking, and a busy machine must
    not turn a slow answer into a miss (bench/bench_search.py measures time)."""
    import secrets

    import tomlkit

    doc = tomlkit.parse(home.config_path.read_text(encoding="utf-8"))
    doc["settings"]["engine"] = engine
    doc["settings"]["search_deadline"] = 60.0
    if engine == "solr":
        doc["settings"]["solr_alias"] = "known" + secrets.token_hex(3)
    home.config_path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return Home.load(home.path)


def drop_solr(home: Home) -> None:
    """Remove the collections and alias a Solr run made."""
    from discovery.engines.solr.client import SolrClient

    alias = str(home.settings["solr_alias"])
    client = SolrClient(str(home.settings["solr_url"]), 120)
    client.collections(action="DELETEALIAS", name=alias)
    for name in client.collection_names():
        if name.startswith(alias + "_"):
            client.collections(action="DELETE", name=name)


def load(files: list[Path], tmp: str, engine: str = "whoosh",
         unimarc: list[Path] = ()) -> tuple[Home, dict]:
    home = on_engine(Home.init(tmp), engine)
    records = {}
    with RecordStore(home.store_path) as store:
        sources = [(f"s{n}", path, "marc21") for n, path in enumerate(files)]
        sources += [(f"{CNMARC_CODE}{n}", path, "unimarc") for n, path in enumerate(unimarc)]
        for code, path, flavour in sources:
            home.add_source(Source(code=code, name=path.name, kind="marc", path=str(path),
                                   flavour=flavour))
            import_files(home, store, code, [str(path)])
        for rec in store.iter_records(include_deleted=False):
            try:
                records[rec.id] = map_stored(rec.data, rec.format)
            except Exception:  # a record the indexer also skips
                continue
        build.rebuild(home, store, open_index(home), procs=int(home.settings["index_procs"]))
    return home, records


def queries(records: dict, rng: random.Random, per_group: int) -> dict[str, list]:
    import opencc
    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    # the Han title: the 880's, or 245's itself where a record is catalogued in Han
    han_titles = {rid: han for rid, m in records.items()
                  if (han := next((t for t in (m.get("title_vernacular"), m.get("title"))
                                   if t and HAN_RUN.search(t)), None))}
    all_titles = [(t2s.convert(t), _item_key(records[rid])) for rid, t in han_titles.items()]
    proper = {rid: re.sub(r"[\s\u3000]+", "", TITLE_PROPER.split(t, 1)[0])
              for rid, t in han_titles.items()}
    proper_counts = defaultdict(int)
    for t in proper.values():
        proper_counts[t2s.convert(t)] += 1
    out: dict[str, list] = defaultdict(list)
    skipped: dict[str, int] = defaultdict(int)
    # the CNMARC records apart, so the LC records' sample is the same with or without them
    for rid in sorted(r for r in records if r.startswith(CNMARC_CODE)):
        title = records[rid].get("title") or ""
        out["cnmarc"].append((rid, " ".join(re.sub(r"[.,:;/=]", " ", title).split())))
    ids = sorted(r for r in records if not r.startswith(CNMARC_CODE))
    rng.shuffle(ids)
    for rid in ids:
        m = records[rid]
        title = m.get("title") or ""
        vern = m.get("title_vernacular") or ""
        if rid in han_titles:
            runs = HAN_RUN.findall(han_titles[rid])
            run = max(runs, key=len)
            if len(run) >= 4:
                size = min(len(run), rng.randint(4, 8))
                start = (len(run) - size) // 2
                frag = run[start:start + size]
                simplified = t2s.convert(frag)
                # a known item: the fragment names one item (title and year) of the set
                items = {key for t, key in all_titles if simplified in t}
                if len(items) == 1:
                    out["zh-simplified"].append((rid, simplified))
                    out["zh-traditional"].append((rid, s2t.convert(frag)))
                elif len(out["zh-simplified"]) < per_group:
                    skipped["zh-simplified"] += 1
                    skipped["zh-traditional"] += 1
        if rid in han_titles and "chi" in m.get("languages", []) and len(proper[rid]) >= 2 \
                and proper_counts[t2s.convert(proper[rid])] < 10:
            out["zh-title-simp"].append((rid, t2s.convert(proper[rid])))
            out["zh-title-trad"].append((rid, s2t.convert(proper[rid])))
        if rid in han_titles and "chi" in m.get("languages", []):
            words = [w for run in runs for w, _s, _e in cut_han(run)]
            typed = " ".join("".join(han_to_pinyin(to_simplified(w))) for w in words)
            if 2 <= len(typed.split()) <= 8:
                out["pinyin"].append((rid, typed))
                wade = wade_giles_words(words)
                if wade:
                    out["wade-giles"].append((rid, wade))
        if "vie" in m.get("languages", []) and looks_vietnamese(title):
            words = re.findall(r"\w+", title)[:6]
            if len(words) >= 2:
                out["vi-diacritics"].append((rid, " ".join(words)))
                out["vi-folded"].append((rid, " ".join(fold(w) for w in words)))
        if m.get("languages", [None])[0] == "eng" and m.get("authors"):
            words = [w for w in re.findall(r"\b[^\W\d_]{2,}\b", title) if w.lower() not in STOP]
            surname = re.split(r"[,\s]", m["authors"][0])[0]
            if len(words) >= 3 and surname.isalpha():
                out["en-title-author"].append((rid, " ".join(words[:3] + [surname])))
        if rid in han_titles and DIVIDED.search(han_titles[rid]):
            start = TITLE_START.match(han_titles[rid])
            typed = start.group(0).replace("\u3000", "").replace(" ", "") if start else ""
            if len(typed) >= 2:
                out["zh-divided"].append((rid, typed))
        if vern and OTHER_SCRIPT.search(vern) and not HAN_RUN.search(vern):
            words = [w for w in re.findall(r"\w+", vern) if len(w) > 1][:4]
            if words:
                out["other-scripts"].append((rid, " ".join(words)))
    return {g: out[g][:per_group] for g in GROUPS}, dict(skipped)


def wade_giles_words(words: list[str]) -> str:
    """Han words as Wade-Giles, a word's syllables joined by hyphens (``Chung-kuo li-shih``),
    from the conversion table (indexer/data/wade_giles.tsv); "" if a syllable has none."""
    out = []
    for word in words:
        syllables = [FROM_PINYIN.get(s.replace("v", "ü")) for s in
                     han_to_pinyin(to_simplified(word))]
        if not all(syllables):
            return ""
        out.append("-".join(syllables))
    return " ".join(out)


def cut(path: Path, out: Path, start: int, end: int) -> Path:
    """Records start..end-1 of an ISO 2709 file, cut at record terminators."""
    kept, n = [], 0
    with path.open("rb") as fh:
        chunk = b""
        while n < end:
            block = fh.read(1 << 20)
            if not block:
                break
            *records, chunk = (chunk + block).split(b"\x1d")
            for rec in records:
                if start <= n < end:
                    kept.append(rec + b"\x1d")
                n += 1
    out.write_bytes(b"".join(kept))
    print(f"{path.name}: records {start}-{min(n, end) - 1} ({len(kept)})")
    return out


def _item_key(m: dict) -> tuple:
    return unicodedata.normalize("NFC", (m.get("title") or "").lower()), m.get("year")


def same_item(a: dict, b: dict) -> bool:
    return _item_key(a) == _item_key(b)


def evaluate(home: Home, records: dict, groups: dict, show_misses: bool) -> dict:
    """Prints the table of one engine; returns {group: (success@1, success@10, MRR)}."""
    backend = open_search(home)
    table = {}
    print(f"engine {home.settings['engine']}")
    print(f"{'group':<18}{'queries':>8}{'success@1':>11}{'success@10':>12}{'MRR':>8}")
    for group, items in groups.items():
        s1 = s10 = rr = 0.0
        for rid, text in items:
            result = backend.search(SearchRequest(query=text, limit=10))
            rank = next((i for i, h in enumerate(result.hits, 1)
                         if h.id == rid or (h.id in records and same_item(records[h.id], records[rid]))),
                        None)
            if rank:
                s1 += rank == 1
                s10 += 1
                rr += 1 / rank
            elif show_misses:
                print(f"  miss [{group}] {text!r} -> {rid} {records[rid].get('title')!r}")
        n = len(items) or 1
        print(f"{group:<18}{len(items):>8}{s1 / n:>11.3f}{s10 / n:>12.3f}{rr / n:>8.3f}")
        table[group] = (s1 / n, s10 / n, rr / n)
    backend.close()
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--per-group", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--slice", help="START:END, the records of each file to keep (0-based)")
    ap.add_argument("--han-in-245", action="store_true",
                    help="catalogue Han titles in 245 itself, as Chinese libraries do")
    ap.add_argument("--cnmarc", nargs="*", type=Path, default=CNMARC_FILES,
                    help="CNMARC (UNIMARC) files for the cnmarc group; none: --cnmarc alone")
    ap.add_argument("--engines", default="whoosh",
                    help="engines to compare, e.g. whoosh,solr (Solr: the local SolrCloud of"
                         " scripts/solr.sh, which must be up)")
    args = ap.parse_args()
    files = args.files or DEFAULT_FILES
    missing = [str(f) for f in [*files, *args.cnmarc] if not f.is_file()]
    if missing:
        sys.exit(f"no such file: {', '.join(missing)}")
    warm_up(vietnamese=True)
    with tempfile.TemporaryDirectory(prefix="sheaf-known-") as tmp:
        if args.slice:
            start, end = (int(n) for n in args.slice.split(":"))
            files = [cut(f, Path(tmp) / f"slice-{i}.mrc", start, end)
                     for i, f in enumerate(files)]
        if args.han_in_245:
            files = [han_in_245(f, Path(tmp) / f"han245-{i}.mrc") for i, f in enumerate(files)]
        tables = {}
        for engine in args.engines.split(","):
            home, records = load(files, str(Path(tmp) / f"home-{engine}"), engine,
                                 args.cnmarc)
            groups, skipped = queries(records, random.Random(args.seed), args.per_group)
            for group, n in skipped.items():
                print(f"{group}: {n} candidate fragments skipped as ambiguous (in the titles"
                      f" of more than one item)")
            try:
                tables[engine] = evaluate(home, records, groups, args.show_misses)
            finally:
                if engine == "solr":
                    drop_solr(home)
        if len(tables) > 1:
            first, *others = tables
            print(f"largest difference from {first}, per group (success@1, success@10, MRR)")
            for group in tables[first]:
                worst = [max(abs(a - b) for a, b in zip(tables[first][group], tables[e][group]))
                         for e in others]
                print(f"{group:<18}" + "".join(f"{w:>10.3f}" for w in worst))


if __name__ == "__main__":
    main()
