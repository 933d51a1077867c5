"""The ``sheaf`` command line, end to end, run as a user runs it: a separate process for
every step that writes a home and for every user error; the searches and status reads of
the home those processes made run the same ``main`` in this process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main as cli
from harvest.config import Home

from .engines import use_engine
from .support import FIXTURES

# 4 + 2 Chinese records, and a file whose second (last) record is cut off
LOC_FILES = ["chinese_880_traditional.mrc", "chinese_880_simplified.mrc",
             "truncated_last_record.mrc"]
VN_NAME = "Thư viện Quốc gia Việt Nam"


def run(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SHEAF_HOME"}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "-m", "cli", "--home", str(home), *args],
                          capture_output=True, text=True, encoding="utf-8", env=env,
                          cwd=cwd or home.parent, timeout=120)


def run_here(home: Path, *args: str) -> subprocess.CompletedProcess:
    """The same command in this process, for the reads of a home that the setup's own
    processes made: the output, stderr and exit status a process would give."""
    out, errs = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errs):
        code = cli.main(["--home", str(home), *args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), errs.getvalue())


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The single ``sheaf: error: ...`` line a user error must produce, and nothing else."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("sheaf: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def session(tmp_path_factory, engine, request):
    """A home set up step by step through the CLI, on each engine; each step's process is
    kept for checking."""
    home = tmp_path_factory.mktemp(f"cli-{engine}") / "home"
    steps = {"init": run(home, "init")}
    if engine != "whoosh":
        use_engine(Home.load(home), engine, request.getfixturevalue("solr_cloud"))
    steps.update({
        "add loc": run(home, "source", "add", "loc", "--name", "Library of Congress",
                       "--marc", str(FIXTURES / "chinese_880_*.mrc")),
        "add vn": run(home, "source", "add", "vn", "--name", VN_NAME,
                      "--marc", str(FIXTURES / "vietnamese_nfd_titles.mrc")),
        "import": run(home, "import", "--source", "loc", *(str(FIXTURES / f) for f in LOC_FILES)),
        "harvest": run(home, "harvest", "vn"),
        "index": run(home, "index"),
    })
    return home, steps


def test_init_add_import_harvest_index(session):
    home, steps = session
    for name, proc in steps.items():
        assert "Traceback" not in proc.stderr, name
    assert [p.returncode for p in steps.values()] == [0] * 6, {k: p.stderr for k, p in steps.items()}

    assert steps["init"].stdout == f"Sheaf home ready at {home.resolve()}\n"
    assert steps["add loc"].stdout == "added source loc (Library of Congress)\n"
    assert steps["add vn"].stdout == f"added source vn ({VN_NAME})\n"
    # 4 + 2 Chinese records and the first of the two in truncated_last_record.mrc
    assert steps["import"].stdout.splitlines()[:2] == [
        "loc: read 7, new 7, changed 0, unchanged 0, deleted 0, skipped 1",
        "  skipped 1: record is truncated (no record terminator)",
    ]
    skipped = str(FIXTURES / "truncated_last_record.mrc")
    assert steps["import"].stderr == (f"sheaf: skipped {skipped}: record 2 at byte 3454: "
                                      "record is truncated (no record terminator)\n")
    assert steps["harvest"].stdout == (
        "vn: read 10, new 10, changed 0, unchanged 0, deleted 0, skipped 0\n")
    assert re.fullmatch(r"index rebuilt \(gen-\w+\): 17 records mapped into 17 clusters written,"
                        r" 0 removed, 0 failed, \d+ data warnings, in \d+\.\ds\n",
                        steps["index"].stdout)
    # the skipped record is kept, as received, for a librarian to mend and import again
    [kept] = (home / "rejects").glob("loc-*.mrc")
    assert kept.read_bytes() == (FIXTURES / "truncated_last_record.mrc").read_bytes()[3454:]


def test_source_list_json(session):
    home, _ = session
    proc = run(home, "source", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [
        {"code": "loc", "name": "Library of Congress", "kind": "marc",
         "path": str(FIXTURES / "chinese_880_*.mrc"), "flavour": "marc21",
         "records": 7, "deleted": 0},
        {"code": "vn", "name": VN_NAME, "kind": "marc",
         "path": str(FIXTURES / "vietnamese_nfd_titles.mrc"), "flavour": "marc21",
         "records": 10, "deleted": 0},
    ]


@pytest.mark.parametrize("query", ["Caoshan", "民進黨", "民进党"])
def test_search_by_english_or_han_title_word(session, query):
    # LC 00409591: 245 $a "Caoshan xiao she yu Min jin dang ...", 880 $a "草山小蛇與民進黨的頭人們"
    home, _ = session
    proc = run_here(home, "search", query)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"1 results for {query!r} (page 1 of 1)"
    assert lines[1] == ("   1. Caoshan xiao she yu Min jin dang de tou ren men"
                        " = 草山小蛇與民進黨的頭人們 (1997)")
    assert lines[2].strip() == "Chen, Wanzhen, 1950-  [loc:00409591; held by loc]"


def test_search_json_shape(session):
    home, _ = session
    proc = run_here(home, "search", "Việt Nam", "--json", "--limit", "2")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)

    # the issue-2 contract's keys, plus what discovery added (README, "Web and API")
    assert set(data) == {"query", "total", "page", "limit", "results", "facets",
                         "sort", "filters", "year_histogram", "suggestion", "partial"}
    # three titles have "Việt Nam"; 00055556's series "Voices from Viet Nam" matches folded,
    # and two records' English subject headings have the joined "Vietnam"
    assert (data["query"], data["total"], data["page"], data["limit"]) == ("Việt Nam", 6, 1, 2)
    assert len(data["results"]) == 2
    for hit in data["results"]:
        assert {"id", "title", "title_vernacular", "authors", "year", "languages",
                "holdings"} <= set(hit)
        assert hit["id"].startswith("vn:")
        [holding] = hit["holdings"]
        assert (holding["source"], holding["record_id"], holding["name"]) == \
            ("vn", hit["id"], VN_NAME)
        assert isinstance(hit["authors"], list) and isinstance(hit["languages"], list)
        assert isinstance(hit["year"], int)
    assert set(data["facets"]) == {"library", "language", "format", "online", "subject",
                                   "author", "class"}
    assert data["facets"]["library"] == [{"value": "vn", "count": 6, "label": VN_NAME}]
    for value in data["facets"]["language"]:
        assert set(value) == {"value", "count", "label"}
    # written as UTF-8, not \u escapes
    assert "Việt Nam" in proc.stdout


def test_search_pages(session):
    home, _ = session
    page2 = json.loads(run_here(home, "search", "", "--json", "--limit", "8", "--page", "2").stdout)
    page3 = json.loads(run_here(home, "search", "", "--json", "--limit", "8", "--page", "3").stdout)
    assert page2["total"] == page3["total"] == 17  # 7 + 10 records, no two the same work
    assert (len(page2["results"]), len(page3["results"])) == (8, 1)
    assert not {h["id"] for h in page2["results"]} & {h["id"] for h in page3["results"]}


def test_status_json(session):
    home, _ = session
    proc = run_here(home, "status", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"home", "sources", "index", "search", "feeds", "alerts"}
    assert data["search"]["status"] == "ok", data["search"]
    assert data["home"] == str(home.resolve())
    assert data["sources"] == {
        # harvest history is kept for OAI-PMH sources only
        "loc": {"name": "Library of Congress", "kind": "marc", "records": 7, "deleted": 0,
                "harvest": None},
        "vn": {"name": VN_NAME, "kind": "marc", "records": 10, "deleted": 0, "harvest": None},
    }
    index = data["index"]
    assert (index["state"], index["documents"]) == ("current", 17)
    assert index["indexed_seq"] == index["store_seq"]
    assert index["generation"].startswith("gen-")


def test_status_text(session):
    home, _ = session
    proc = run_here(home, "status")
    assert proc.returncode == 0, proc.stderr
    assert "index: current: in step with the store" in proc.stdout
    assert VN_NAME in proc.stdout


# -- user errors: one line on stderr, exit status 1, no traceback -------------------

def test_unknown_source(session):
    home, _ = session
    line = one_error_line(run(home, "import", "--source", "nope",
                              str(FIXTURES / "marc8_cyrillic.mrc")))
    assert line == "sheaf: error: unknown source 'nope' (known: loc, vn)"


def test_unreadable_file(session, tmp_path):
    home, _ = session
    missing = tmp_path / "no-such-export.mrc"
    line = one_error_line(run(home, "import", "--source", "vn", str(missing)))
    assert line == f"sheaf: error: cannot read {missing}: no such readable file"


def test_glob_matching_nothing(session, tmp_path):
    home, _ = session
    line = one_error_line(run(home, "import", "--source", "vn", str(tmp_path / "*.mrc")))
    assert line == f"sheaf: error: no files match {tmp_path / '*.mrc'}"


def test_bad_query(session):
    home, _ = session
    line = one_error_line(run(home, "search", "year:abc"))
    assert line == ("sheaf: error: year:abc is not a year; use e.g. year:1997 or "
                    "year:1990-2000")


def test_bad_page(session):
    home, _ = session
    assert one_error_line(run(home, "search", "x", "--page", "0")) == \
        "sheaf: error: page must be 1 or more"


# regression: `args.limit or page_size` turned --limit 0 into the default page size
def test_limit_zero_is_refused(session):
    home, _ = session
    line = one_error_line(run(home, "search", "x", "--limit", "0"))
    assert "limit must be between 1 and" in line


def test_a_directory_that_is_not_a_home(tmp_path):
    line = one_error_line(run(tmp_path / "nothing-here", "status"))
    assert "is not a Sheaf home" in line


def test_search_before_any_index(tmp_path):
    home = tmp_path / "h"
    assert run(home, "init").returncode == 0
    line = one_error_line(run(home, "search", "x"))
    assert line == "sheaf: error: there is no index yet: run `sheaf index`"


def test_import_strict_exits_1_when_a_record_is_skipped(tmp_path):
    home = tmp_path / "h"
    broken = str(FIXTURES / "truncated_last_record.mrc")
    assert run(home, "init").returncode == 0
    assert run(home, "source", "add", "m", "--name", "M", "--marc", broken).returncode == 0
    proc = run(home, "import", "--strict", "--source", "m", broken)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stdout.startswith("m: read 1, new 1, changed 0, unchanged 0, deleted 0, skipped 1")
    # without --strict the same import (nothing new now) succeeds
    assert run(home, "import", "--source", "m", broken).returncode == 0


def test_bad_source_code_on_add(tmp_path):
    home = tmp_path / "h"
    assert run(home, "init").returncode == 0
    line = one_error_line(run(home, "source", "add", "Bad Code", "--name", "x",
                              "--marc", str(FIXTURES / "marc8_cyrillic.mrc")))
    assert line.startswith("sheaf: error: bad source code 'Bad Code'")


def test_the_installed_sheaf_script():
    script = Path(sys.executable).parent / "sheaf"
    if not script.exists():
        pytest.skip("no `sheaf` console script next to this Python")
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: sheaf ")


def test_an_unknown_engine_is_one_clear_error_for_every_command_that_reads_the_index(
        session, tmp_path, engine):
    import shutil

    from .ops.helpers import set_setting

    home = tmp_path / "copy"
    shutil.copytree(session[0], home)
    set_setting(home, "engine", "elastic")
    for args in (("search", "taiwan"), ("index",), ("status",)):
        line = one_error_line(run(home, *args))
        assert line == ("sheaf: error: unknown engine 'elastic' in settings"
                        " (engines: whoosh, solr)"), args
    set_setting(home, "engine", engine)
    proc = run(home, "search", "taiwan")
    assert proc.returncode == 0 and " results for 'taiwan'" in proc.stdout


def test_index_of_an_empty_store_then_of_a_first_import(tmp_path):
    # a home with no records yet: `sheaf index` made a pool of 0 worker processes
    home = tmp_path / "h"
    assert run(home, "init").returncode == 0
    empty = run(home, "index")
    assert empty.returncode == 0, empty.stderr
    assert "0 records mapped" in empty.stdout
    assert run(home, "search", "china").stdout.startswith("0 results")
    assert run(home, "source", "add", "lc", "--name", "LC", "--marc",
               str(FIXTURES / "chinese_880_simplified.mrc")).returncode == 0
    assert run(home, "harvest").returncode == 0
    assert run(home, "index").returncode == 0
    found = json.loads(run(home, "search", "--json", "china").stdout)
    assert found["total"] >= 1
