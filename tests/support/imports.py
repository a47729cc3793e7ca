"""Reading a module's imports from its source with ``ast``: every import counts, at the top, inside a
function, under ``if TYPE_CHECKING:``. Used by the layout rules (tests/app/test_layout.py) and nn's
one-way imports (tests/nn/test_imports.py)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Our own top-level packages and modules: an import of anything else is the standard library or third-party.
FIRST_PARTY = {p.stem for p in ROOT.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()}
FIRST_PARTY.add("pages")


def first_party(name: str) -> bool:
    return name.split(".")[0] in FIRST_PARTY


def module_name(path: Path) -> str:
    """The dotted name of the module at ``path`` (a package's ``__init__.py`` is the package)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module that ``source`` (the code of ``module``) imports, anywhere in it, as absolute names.

    From our own packages, ``from a.b import c`` counts as ``a.b.c`` (c may be a module, as in
    ``from lab import moons``).
    """
    package = module if is_package else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names |= {f"{base}.{alias.name}" for alias in node.names} if first_party(base) else {base}
    return names
