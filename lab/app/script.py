"""'Copy as Python': a short script that reproduces a run on screen with nn alone.

    print(moons_script(settings))        # the Moons playground's run for these settings
    print(mnist_script(config, "sample"))  # the MNIST page's run for this TrainingConfig

The scripts are plain text built from the settings; run from the repository root (``PYTHONPATH=.``)
they train the same network on the same data with the same options, and their last line prints
the test accuracy (R² for regression) that the page shows. tests/app/test_python_script.py runs them.
"""
from __future__ import annotations


def literal(value: str) -> str:
    """A string literal in double quotes, as the house style writes them."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def call(name: str, args: list[str], indent: int = 4, width: int = 100) -> str:
    """``name(arg, arg, ...)`` on one line, or wrapped under the opening parenthesis when too long."""
    line = f"{name}({', '.join(args)})"
    if len(line) <= width:
        return line
    lines, current = [], f"{name}("
    pad = " " * indent
    for i, arg in enumerate(args):
        piece = arg + (", " if i < len(args) - 1 else ")")
        if len(current) + len(piece.rstrip()) > width and current.strip():
            lines.append(current.rstrip())
            current = pad
        current += piece
    lines.append(current)
    return "\n".join(lines)


def last_line(has_test: bool, regression: bool) -> str:
    score = "R²" if regression else "accuracy"
    if not has_test:  # no held-out points: the page's "Test" metric says n/a; show the training score
        return f'print(f"train {score} {{model.score(X_train, y_train):.3f}}")'
    return f'print(f"test {score} {{model.score(X_test, y_test):.3f}}")'
