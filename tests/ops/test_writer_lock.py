"""One writer at a time: a second writer is told who is busy and since when, and does not wait."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from harvest.config import Home, Source
from harvest.lock import Busy, holder, lock_path, writer_lock

from ..support import FIXTURES
from .helpers import ok, sheaf

BUSY_LINE = re.compile(r"sheaf: error: busy: import vn since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"
                       r" \(pid (\d+)\)\n")


@pytest.fixture
def home(tmp_path):
    home = Home.init(tmp_path / "home")
    home.add_source(Source(code="vn", name="VN", kind="marc",
                           path=str(FIXTURES / "vietnamese_nfd_titles.mrc")))
    return home


@pytest.mark.parametrize("command", [["harvest"], ["index"], ["index", "--rebuild"],
                                     ["import", "--source", "vn",
                                      str(FIXTURES / "vietnamese_nfd_titles.mrc")],
                                     ["source", "remove", "vn", "--yes"],
                                     ["source", "edit", "vn", "--name", "X"]])
def test_a_second_writer_says_who_is_busy_and_exits_75(home, command):
    with writer_lock(home, "import vn"):
        started = time.monotonic()
        proc = sheaf(home.path, *command)
        assert time.monotonic() - started < 10  # it did not wait for the lock
    assert proc.returncode == 75, (proc.stdout, proc.stderr)
    match = BUSY_LINE.fullmatch(proc.stderr)
    assert match and int(match.group(1)) == os.getpid()
    assert Home.load(home.path).sources["vn"].name == "VN"  # nothing was written


def test_readers_do_not_need_the_lock(home):
    with writer_lock(home, "import vn"):
        status = sheaf(home.path, "status")
        backup = sheaf(home.path, "backup", str(home.path.parent / "bk"))
    assert "writer: busy: import vn since " in ok(status)
    assert ok(backup).startswith("backed up ")


def test_wait_gives_the_holder_time_then_gives_up(home):
    with writer_lock(home, "import vn"):
        started = time.monotonic()
        proc = sheaf(home.path, "--wait", "1.5", "harvest")
        waited = time.monotonic() - started
    assert proc.returncode == 75 and BUSY_LINE.fullmatch(proc.stderr)
    assert waited >= 1.5


def test_wait_takes_the_lock_when_the_holder_finishes(home):
    script = ("import sys, time; from harvest.config import Home; from harvest.lock import"
              " writer_lock\nwith writer_lock(Home.load(sys.argv[1]), 'import vn'):\n"
              "    print('held', flush=True); time.sleep(1.5)\n")
    holder_proc = subprocess.Popen([sys.executable, "-c", script, str(home.path)],
                                   stdout=subprocess.PIPE, text=True)
    try:
        assert holder_proc.stdout.readline() == "held\n"
        proc = sheaf(home.path, "--wait", "30", "harvest")
    finally:
        holder_proc.wait(timeout=30)
    assert ok(proc) == "vn: read 10, new 10, changed 0, unchanged 0, deleted 0, skipped 0\n"


def test_the_lock_says_nothing_once_released_or_when_its_holder_died(home):
    with writer_lock(home, "index --rebuild") as me:
        assert holder(home) == me
        with pytest.raises(Busy, match=r"^busy: index --rebuild since .* UTC \(pid \d+\)$"):
            with writer_lock(home, "harvest"):
                pass
    assert holder(home) is None
    assert lock_path(home).read_text() == ""
    # what a holder killed with -9 leaves behind: its text, with a pid that is gone
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    lock_path(home).write_text(json.dumps({"what": "harvest", "since": "2025-01-01T00:00:00Z",
                                           "pid": int(dead)}))
    assert holder(home) is None
    with writer_lock(home, "index"):  # and the kernel has released its flock
        assert holder(home).what == "index"
