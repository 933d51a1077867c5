"""Helpers for the operational tests: homes made through the CLI, commands run as a user runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from discovery.engines import open_index


DEMO = Path(__file__).resolve().parents[2] / "demo"
TOKEN = "tests-only-admin-token-1f9c"


def sheaf_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SHEAF_HOME"}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def sheaf(home: Path, *args: str, input: str | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess:
    """``sheaf --home HOME ARGS...`` in a process of its own."""
    return subprocess.run([sys.executable, "-m", "cli", "--home", str(home), *args],
                          capture_output=True, text=True, encoding="utf-8", env=sheaf_env(),
                          cwd=home.parent, timeout=timeout, input=input if input is not None else "")


def popen_sheaf(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli", "--home", str(home), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=sheaf_env(),
                            cwd=home.parent, stdin=subprocess.DEVNULL)


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    return proc.stdout


def make_home(path: Path, sources: dict[str, tuple[str, Path]], *, index: bool = True) -> Path:
    """A home made with the CLI: ``sources`` is code -> (name, MARC file)."""
    ok(sheaf(path, "init"))
    for code, (name, file) in sources.items():
        ok(sheaf(path, "source", "add", code, "--name", name, "--marc", str(file)))
    ok(sheaf(path, "harvest"))
    if index:
        ok(sheaf(path, "index"))
    return path


def build_home(path: Path, sources: dict[str, tuple[str, Path]], *, index: bool = True) -> Path:
    """The same as :func:`make_home`, in this process (faster: the analyzers load once)."""
    from harvest.config import Home, Source
    from harvest.importer import import_files
    from harvest.store import RecordStore
    from indexer import build

    home = Home.init(path)
    for code, (name, file) in sources.items():
        home.add_source(Source(code=code, name=name, kind="marc", path=str(file)))
    with RecordStore(home.store_path) as store:
        for code, (_name, file) in sources.items():
            import_files(home, store, code, [str(file)])
        if index:
            build.rebuild(home, store, open_index(home))
        store.snapshot_counts()
    return path


def copy_home(template: Path, path: Path) -> Path:
    """A private copy of a home another test built, to change at will."""
    shutil.copytree(template, path, ignore=shutil.ignore_patterns("*.lock", "logs"))
    return path


def set_setting(path: Path, name: str, value) -> None:
    """Change one line of the home's [settings] (written by ``sheaf init``)."""
    text = (path / "sheaf.toml").read_text(encoding="utf-8")
    lines = [f'{name} = "{value}"' if isinstance(value, str) and line.startswith(f"{name} = ")
             else (f"{name} = {value}" if line.startswith(f"{name} = ") else line)
             for line in text.splitlines()]
    assert any(line.startswith(f"{name} = ") for line in lines), name
    (path / "sheaf.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
