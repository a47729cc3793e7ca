"""The nn/ modules import each other in one direction only: no cycle, not even through an import
inside a function or under ``if TYPE_CHECKING:`` (both are read here from the source, with ast)."""
from __future__ import annotations

import importlib

import pytest

from tests.support.imports import ROOT, imports_in, module_name

NN = ROOT / "nn"
MODULES = {module_name(path): path for path in sorted(NN.rglob("*.py"))}


def nn_imports(name: str) -> set[str]:
    """The nn modules that module ``name`` imports anywhere in its source (packages' own __init__ aside).
    ``from nn.x import f`` imports nn.x; ``from nn import x`` imports nn.x when that is a module."""
    path = MODULES[name]
    names = imports_in(path.read_text(), name, is_package=path.name == "__init__.py")
    return {n if n in MODULES else n.rpartition(".")[0] for n in names} & MODULES.keys() - {name}


GRAPH = {name: nn_imports(name) for name in MODULES}


def cycle_from(start: str) -> list[str] | None:
    """A chain of imports that leads from ``start`` back to it, or None (depth-first search)."""
    stack, seen = [(start, [start])], set()
    while stack:
        name, chain = stack.pop()
        for target in GRAPH[name]:
            if target == start:
                return chain + [start]
            if target not in seen and not target.startswith(f"{start}.") and not start.startswith(f"{target}."):
                seen.add(target)
                stack.append((target, chain + [target]))
    return None


def test_the_graph_sees_the_imports_it_should():
    # A check that could not see an import would find no cycle: pin a few edges it must find.
    assert {"nn.training", "nn.serialization", "nn.activations"} <= GRAPH["nn.model"]
    assert "nn.lbfgs" in GRAPH["nn.training"] and "nn.training" in GRAPH["nn.stopping"]
    assert "nn.datasets.idx" in GRAPH["nn.datasets.mnist"] and "nn.validation" in GRAPH["nn.datasets.mnist"]


@pytest.mark.parametrize("name", [n for n in MODULES if "." in n and not n.endswith("datasets")])
def test_no_module_imports_itself_back(name):
    # A package's __init__ importing its own modules is not a cycle; everything else must be one-way.
    assert cycle_from(name) is None, " -> ".join(cycle_from(name))


def test_model_training_and_serialization_point_one_way():
    for lower in ("nn.training", "nn.serialization", "nn.lbfgs", "nn.metrics"):
        assert "nn.model" not in GRAPH[lower], f"{lower} imports nn.model"
    assert "nn.training" not in GRAPH["nn.lbfgs"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name):
    importlib.import_module(name)
