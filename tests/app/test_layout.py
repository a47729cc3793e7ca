"""The layout's import rules (issue 16), read from the source with ``ast``.

Every import counts: at the top of a module, inside a function, under ``if TYPE_CHECKING:``.
- lab/<page>/ imports only lab.app, its own package and nn (besides the standard library and
  third-party packages); lab/app imports no page package.
- pages/<page>.py imports only lab.<page>, lab.app and nn; pages/home.py, pages/challenges.py and
  app.py only lab.app (and nn). nn imports nothing of the app, nor Streamlit or Plotly.
- Streamlit (``streamlit``, ``streamlit_*``) is imported only by pages/, app.py and the lab modules
  whose role is widgets: ``widgets.py``, ``*_widgets.py``, and lab/app's page parts listed in
  ``APP_STREAMLIT_MODULES``.
- Tests import helpers from tests/support/, never another ``test_*`` module.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from tests.support.imports import ROOT, first_party, imports_in, module_name

PAGE_PACKAGES = ("moons", "mnist", "draw", "theory")
# lab/app's modules that build page parts with Streamlit besides its widgets modules: starting a page,
# the charts' shared defaults, "show the code".
APP_STREAMLIT_MODULES = {"lab.app.page", "lab.app.charts", "lab.app.code"}


def imported(path: Path) -> set[str]:
    return imports_in(path.read_text(), module_name(path), is_package=path.name == "__init__.py")


def imports_a_test_module(name: str) -> bool:
    return within(name, "tests") and any(part.startswith("test_") for part in name.split("."))


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def is_streamlit(name: str) -> bool:
    top = name.split(".")[0]
    return top == "streamlit" or top.startswith("streamlit_")


def py_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def violations() -> frozenset[tuple[str, str]]:
    """(file, the package it must not import: "lab.mnist", "streamlit", ...) for each broken rule."""
    found = set()

    def allow_only(path: Path, *packages: str) -> None:
        for name in imported(path):
            if first_party(name) and not any(within(name, p) for p in packages):
                found.add((rel(path), ".".join(name.split(".")[:2 if within(name, "lab") else 1])))

    for page in PAGE_PACKAGES:
        for path in py_files(f"lab/{page}"):
            allow_only(path, "lab.app", f"lab.{page}", "nn")
        allow_only(ROOT / "pages" / f"{page}.py", "lab.app", f"lab.{page}", "nn")
    for path in py_files("lab/app"):
        allow_only(path, "lab.app", "nn")
    for path in (ROOT / "pages" / "home.py", ROOT / "pages" / "challenges.py", ROOT / "app.py"):
        allow_only(path, "lab.app", "nn")
    for path in py_files("nn"):
        allow_only(path, "nn")
        found |= {(rel(path), n.split(".")[0]) for n in imported(path)
                  if is_streamlit(n) or within(n, "plotly")}
    for path in py_files("lab"):
        name = module_name(path)
        widgets = path.stem == "widgets" or path.stem.endswith("_widgets") or name in APP_STREAMLIT_MODULES
        found |= {(rel(path), "streamlit") for n in imported(path) if is_streamlit(n) and not widgets}
    return frozenset(found)


def test_the_rules_see_every_page_and_package():
    assert {p.stem for p in (ROOT / "pages").glob("*.py")} == {*PAGE_PACKAGES, "home", "challenges"}
    packages = {p.name for p in (ROOT / "lab").iterdir() if (p / "__init__.py").is_file()}
    assert packages == {*PAGE_PACKAGES, "app"}


def test_the_import_reader_sees_nested_relative_and_type_checking_imports():
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lab.mnist import data\n"
              "def f():\n    import streamlit as st\n    from . import run\n"
              "    from ..app.page import start_page\n"
              "from lab import theory\n")
    assert imports_in(source, "lab.moons.widgets") == {"typing", "lab.mnist.data", "streamlit",
                                                       "lab.moons.run", "lab.app.page.start_page",
                                                       "lab.theory"}


def test_no_import_breaks_the_layout():
    found = violations()
    assert not found, "breaks issue 16's layout:\n" + "\n".join(f"{f}: {m}" for f, m in sorted(found))


def test_no_test_imports_another_test_module():
    """Shared helpers live in tests/support/, so that a test module is read (and run) on its own."""
    found = [f"{rel(path)}: {name}" for path in py_files("tests") for name in imported(path)
             if imports_a_test_module(name)]
    assert not found, "move the shared helper to tests/support/:\n" + "\n".join(found)


@pytest.mark.parametrize("source, expected", [("from tests.draw.test_page import canvas_value", True),
                                              ("from tests.draw import test_page", True),
                                              ("import tests.draw.test_page", True),
                                              ("from .test_page import canvas_value", True),
                                              ("from tests.support.drawings import canvas_value", False)])
def test_the_test_import_rule_reads_every_spelling(source, expected):
    assert any(imports_a_test_module(n) for n in imports_in(source, "tests.app.test_x")) is expected


def defines(path: Path, name: str) -> bool:
    """Whether the module at ``path`` binds ``name`` at its top level (def, class, assignment or import)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AnnAssign, ast.AugAssign)) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                (alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
            return True
    return False


def resolves(name: str) -> bool:
    """Whether a first-party import name (``a.b`` or, from ``from a import b``, ``a.b``) exists in the tree."""
    parts = name.split(".")
    as_module = ROOT.joinpath(*parts)
    if as_module.with_suffix(".py").is_file() or (as_module / "__init__.py").is_file():
        return True
    parent = ROOT.joinpath(*parts[:-1])
    module = parent.with_suffix(".py") if parent.with_suffix(".py").is_file() else parent / "__init__.py"
    return module.is_file() and defines(module, parts[-1])


def test_benchmarks_and_scripts_import_what_exists():
    """The benchmarks and scripts run outside the test suite: an import left behind by a move (a lab
    module renamed, a helper gone) would only show when someone runs them, inside a function even."""
    found = [f"{rel(path)}: {name}" for folder in ("benchmarks", "scripts") for path in py_files(folder)
             for name in imported(path) if first_party(name) and not resolves(name)]
    assert not found, "imports of modules or names that do not exist:\n" + "\n".join(found)


def test_the_import_check_tells_a_missing_module_from_a_present_one():
    assert resolves("lab.moons.run.run_moons") and resolves("nn.MLP") and resolves("lab.moons")
    assert not resolves("lab.playground_run.new_model") and not resolves("lab.moons.run.new_model")
