"""README's example: example.py exists, is the code README shows, and prints what README says."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def _code(text: str) -> list[str]:
    """The statements of a script: its lines without the module docstring and blank lines."""
    text = re.sub(r'^""".*?"""\n', "", text, flags=re.S)
    return [line for line in text.splitlines() if line.strip()]


def test_example_py_is_the_readme_snippet():
    snippet = next(block for block in _readme_blocks("python") if "gradient_check" in block)
    assert _code(snippet) == _code((ROOT / "example.py").read_text())


def test_example_py_prints_what_the_readme_says():
    expected = next(block for block in _readme_blocks("text") if "gradient-check" in block)
    # Run as a newcomer would, from the repository root, with nothing on PYTHONPATH.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "example.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected.strip().splitlines()


def test_quick_start_begins_with_clone_and_cd():
    first = _readme_blocks("bash")[0]
    assert first.startswith("git clone ") and "&& cd " in first
    text = (ROOT / "README.md").read_text()
    assert "--server.address 0.0.0.0" in text and "Network URL" in text and ".venv\\Scripts\\" in text
