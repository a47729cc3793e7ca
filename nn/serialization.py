"""Saving and loading a network: one .npz with the weights and a JSON header, never a pickle."""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import IO

import numpy as np

from .model import MLP

FORMAT_VERSION = 1
HEADER_KEYS = ("layer_sizes", "activation", "init", "l2", "l1", "dropout", "input_dropout",
               "loss", "reduction", "seed", "dtype")


def save_model(model: MLP, path: str | Path | IO[bytes]) -> None:
    """Write ``model`` to ``path`` (or a binary file object). A path is written to a temporary
    file in the same folder and renamed into place, so a crash never leaves half a file."""
    header = json.dumps({"format_version": FORMAT_VERSION, **model.config})
    arrays = {"header": np.array(header), **dict(zip(model.param_names, model.params))}
    if not isinstance(path, (str, os.PathLike)):
        np.savez(path, **arrays)
        return
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load_model(source: str | Path | IO[bytes] | bytes) -> MLP:
    """Read a network saved by ``save_model``; anything else is refused with a ValueError."""
    if isinstance(source, (str, os.PathLike)):
        data = Path(source).read_bytes()
    else:
        data = source if isinstance(source, bytes) else source.read()
    if not data.startswith(b"PK\x03\x04"):  # every .npz is a zip archive
        raise ValueError("not a Neural Lab model file (.npz): it is not a zip archive")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as e:
        raise ValueError(f"not a Neural Lab model file (.npz): {e}") from None
    except ValueError as e:  # numpy refuses object arrays (pickles) when allow_pickle=False
        reason = "it holds pickled Python objects" if "pickle" in str(e) else str(e)
        raise ValueError(f"refused: {reason}") from None
    if "header" not in arrays or arrays["header"].dtype.kind != "U" or arrays["header"].ndim != 0:
        raise ValueError("not a Neural Lab model file: the JSON header is missing")
    try:
        header = json.loads(str(arrays.pop("header")))
    except json.JSONDecodeError as e:
        raise ValueError(f"the model header is not valid JSON: {e}") from None
    if not isinstance(header, dict) or header.get("format_version") != FORMAT_VERSION:
        version = header.get("format_version") if isinstance(header, dict) else header
        raise ValueError(f"unknown model format version {version!r} (this app reads {FORMAT_VERSION})")
    missing = [k for k in HEADER_KEYS if k not in header]
    if missing:
        raise ValueError(f"the model header lacks {missing}")
    model = MLP(**{k: header[k] for k in HEADER_KEYS})
    for name, param in zip(model.param_names, model.params):
        if name not in arrays:
            raise ValueError(f"the model file lacks the array {name!r}")
        value = arrays.pop(name)
        if value.shape != param.shape or value.dtype.kind not in "iuf":
            raise ValueError(f"array {name!r} must be numeric with shape {param.shape}, "
                             f"got {value.dtype} {value.shape}")
        if not np.isfinite(value).all():
            raise ValueError(f"array {name!r} holds non-finite values (NaN or infinity)")
        param[...] = value
    if arrays:
        raise ValueError(f"the model file has unexpected arrays {sorted(arrays)}")
    return model
