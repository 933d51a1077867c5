"""Damaged homes (issue 17): a half-truncated index file made `sheaf status` and every
search a traceback or a 500 while ``/healthz`` said ok and `sheaf index` said "0 records
mapped". A real index built in a tmp home (Whoosh), one of its files cut in half, then
the CLI as a user runs it and the real app."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from web import create_app

from ..support import FIXTURES, running_server
from .helpers import DEMO, build_home, copy_home, ok, sheaf, sheaf_env

def live_generation(home: Path) -> Path:
    return (home / "index" / (home / "index" / "CURRENT").read_text().strip())


def cut_in_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A home over 50 LC records, indexed, that has been used (its logs/ and locks/ exist)."""
    home = build_home(tmp_path_factory.mktemp("damaged") / "home",
                      {"lc": ("LC", FIXTURES / "multilingual_lc_50.mrc")})
    ok(sheaf(home, "index"))
    return home


@pytest.fixture
def damaged(template, tmp_path) -> tuple[Path, Path]:
    """A copy of the template whose live index has its largest terms file cut in half."""
    home = copy_home(template, tmp_path / "home")
    terms = max(live_generation(home).glob("*.trm"), key=lambda p: p.stat().st_size)
    cut_in_half(terms)
    return home, terms


def test_status_and_index_name_the_unreadable_file_and_the_fix(damaged):
    home, terms = damaged

    status = sheaf(home, "status")
    update = sheaf(home, "index")

    assert status.returncode == 1 and "Traceback" not in status.stderr
    assert (f"index: damaged: index file {terms.parent.name}/{terms.name} is unreadable"
            in status.stdout)
    assert "run `sheaf index --rebuild`" in status.stdout
    assert update.returncode == 1 and "Traceback" not in update.stderr
    assert "records mapped" not in update.stdout
    assert f"{terms.name} is unreadable" in update.stderr


def test_the_site_says_the_index_is_unreadable_then_rebuild_recovers(damaged):
    home, terms = damaged
    app = create_app({"SHEAF_HOME": str(home), "TESTING": True})
    client = app.test_client()
    try:
        health = client.get("/healthz")
        page = client.get("/?q=china&lang=zh")
        api = client.get("/api/search?q=china")
        record = client.get("/record/lc:00292599")

        assert health.status_code == 503 and health.get_json()["status"] == "error"
        assert terms.name in health.get_json()["problems"][0]
        assert page.status_code == 503
        assert "无法读取目录的索引" in page.get_data(as_text=True)
        assert api.status_code == 503
        assert api.get_json() == {"error": {
            "status": 503, "type": "index_unreadable",
            "message": "The catalog's index cannot be read: a file of it is damaged. Searching"
                       " works again once the catalog's staff rebuild the index from the"
                       " records (sheaf index --rebuild)."}}
        assert record.status_code == 503

        ok(sheaf(home, "index", "--rebuild"))
        assert "index: current" in ok(sheaf(home, "status"))
        assert client.get("/healthz").status_code == 200
        found = client.get("/api/search?q=china")
        assert found.status_code == 200 and found.get_json()["total"] >= 1
        assert client.get("/record/lc:00292599").status_code == 200
    finally:
        app.extensions["sheaf.search"].close()


# -- a read-only home --------------------------------------------------------------
# Root writes through any file mode, so as root the commands run without the
# capabilities that override file permissions (setpriv); otherwise the mode is enough.

NO_OVERRIDE = ("setpriv", "--bounding-set=-dac_override,-dac_read_search",
               "--inh-caps=-dac_override,-dac_read_search")


def read_only_prefix() -> tuple[str, ...]:
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a home read-only for root")
    return NO_OVERRIDE


def set_writable(root: Path, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP
                                                                   | stat.S_IWOTH))


def as_reader(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*read_only_prefix(), sys.executable, "-m", "cli", "--home",
                           str(home), *args], capture_output=True, text=True, encoding="utf-8",
                          env=sheaf_env(), cwd=home.parent, timeout=120)


@pytest.fixture(scope="module")
def read_only_home(template, tmp_path_factory):
    home = copy_home(template, tmp_path_factory.mktemp("read-only") / "home")
    (home / "logs").mkdir(exist_ok=True)
    (home / "locks").mkdir(exist_ok=True)
    set_writable(home, False)
    try:
        yield home
    finally:
        set_writable(home, True)


def test_a_read_only_home_still_answers_status_and_search(read_only_home):
    probe = subprocess.run([*read_only_prefix(), sys.executable, "-c",
                            f"open({str(read_only_home / 'x')!r}, 'w')"], capture_output=True)
    assert probe.returncode == 1 and b"PermissionError" in probe.stderr   # really read-only

    status = as_reader(read_only_home, "status")
    search = as_reader(read_only_home, "search", "china")

    for proc in (status, search):
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.splitlines() == [
            f"sheaf: warning: cannot write the log {read_only_home}/logs/sheaf.log"
            " (Permission denied); logging to stderr"]
    assert "index: current: in step with the store" in status.stdout
    assert "search: search works" in status.stdout
    assert "results for 'china'" in search.stdout


@pytest.mark.parametrize("command", [("index", "--rebuild"),
                                     ("import", "--source", "lc", str(DEMO / "vnlib.mrc"))])
def test_writing_to_a_read_only_home_is_one_clear_line(read_only_home, command):
    proc = as_reader(read_only_home, *command)

    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        f"sheaf: error: cannot write {read_only_home}/locks/writer.lock (Permission denied):"
        " is the home read-only?")


def test_serve_starts_on_a_read_only_home(read_only_home, tmp_path):
    """It did not start: gunicorn's app failed on logs/sheaf.log."""
    with running_server(read_only_home, tmp_path, prefix=read_only_prefix()) as base:
        with urllib.request.urlopen(f"{base}/api/search?q=china", timeout=10) as response:
            assert response.status == 200
            assert json.load(response)["total"] >= 1


# -- a full disk ---------------------------------------------------------------------

def small_disk_prefix() -> tuple[str, ...]:
    """``unshare``: a mount namespace of the test's own, where a small tmpfs is the disk."""
    flags = "-m" if os.geteuid() == 0 else "-rm"
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", flags, "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot make a mount namespace here (unshare) for a small tmpfs")
    return ("unshare", flags)


def test_a_full_disk_during_import_says_disk_full_not_the_rollback(tmp_path):
    prefix = small_disk_prefix()
    home = build_home(tmp_path / "home", {"lc": ("LC", FIXTURES / "multilingual_lc_50.mrc")},
                      index=False)
    used = sum(p.stat().st_size for p in home.rglob("*") if p.is_file()) // 1024
    disk = tmp_path / "disk"
    disk.mkdir()
    cli = f"{sys.executable} -m cli --home {disk}/home"
    script = (f"mount -t tmpfs -o size={used + 200}k tmpfs {disk} && cp -a {home} {disk}/home"
              f" && {cli} import --source lc {DEMO / 'intl.mrc'}; echo \"import=$?\" >&2;"
              f" {cli} status")
    proc = subprocess.run([*prefix, "sh", "-c", script], capture_output=True, text=True,
                          env=sheaf_env(), cwd=tmp_path, timeout=120)

    assert "import=1" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert "cannot rollback" not in proc.stderr
    assert f"sheaf: error: disk full: database or disk is full (writing {disk}/home/store.sqlite" \
        in proc.stderr
    counts = [line.split() for line in proc.stdout.splitlines() if line.startswith("  lc")]
    assert len(counts) == 1 and int(counts[0][1]) >= 50   # the store still opens, records kept
