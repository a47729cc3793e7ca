"""Regenerate the Draw page's default network: lab/draw/default_digit_model.npz and its record .json.

    python scripts/train_default_digit_model.py

Trains on the bundled MNIST sample (8,000 digits plus shifted copies; see
lab/draw/model.py for the settings), measures it on the sample's 2,000 test digits
and writes both files. Deterministic for a given seed and machine; takes about a minute.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab.draw.model import INFO_PATH, MODEL_PATH, save_default_model, train_default_model  # noqa: E402


def main() -> None:
    model, info = train_default_model(seed=0)
    save_default_model(model, info)
    size_kb = MODEL_PATH.stat().st_size / 1024
    print(f"{info['name']}\ntest accuracy {info['test_accuracy']:.2%} on {info['test_digits']} sample "
          f"test digits; trained in {info['train_seconds']} s\nwrote {MODEL_PATH} ({size_kb:.0f} KB) "
          f"and {INFO_PATH}")


if __name__ == "__main__":
    main()
