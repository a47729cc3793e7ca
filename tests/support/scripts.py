"""Running a generated 'Copy as Python' script as a student would: a subprocess from the repository root."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_script(code: str) -> str:
    """Run ``code`` as a file from the repository root; its standard output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def printed(output: str, what: str = "test accuracy") -> float:
    """The number a script printed on its line ``<what> <number>``."""
    return float(re.search(rf"^{what} (-?\d+\.\d+)$", output, re.M).group(1))
