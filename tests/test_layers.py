"""The shape of the code: layers, one engine package, no import circles, no giant modules.

Read from the source (every import, those inside functions included), so that a
shortcut taken in a hurry fails here rather than in the next engine's first week.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("harvest", "indexer", "discovery", "web", "cli")   # lowest first
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports (absolute names; packages resolved to modules)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            # ``from pkg import module`` imports the module
            found |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES}
    return found


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def test_nothing_outside_the_whoosh_engine_imports_whoosh():
    outside = sorted(name for name, found in IMPORTS.items()
                     if not name.startswith("discovery.engines.whoosh")
                     and any(f == "whoosh" or f.startswith("whoosh.") for f in found))
    assert outside == []


def test_each_package_imports_only_itself_and_the_packages_below_it():
    wrong = []
    for name, found in IMPORTS.items():
        level = PACKAGES.index(name.split(".")[0])
        for target in found:
            top = target.split(".")[0]
            if top in PACKAGES and PACKAGES.index(top) > level:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_module_imports_itself_back_through_others():
    graph = {name: {t for t in found if t in MODULES and t != name}
             for name, found in IMPORTS.items()}
    # a package's __init__ importing its own modules is how packages work; leave it out
    for name in list(graph):
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_400_lines(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)}: {lines} lines"
