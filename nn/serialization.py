"""Saving and loading a network: one .npz with the weights and a JSON header, never a pickle.

``model`` is an ``nn.MLP``; this module does not import ``nn.model`` (the model imports it, for
``MLP.save`` and ``MLP.load``), so ``load_model`` is handed the class to build.
"""
from __future__ import annotations

import io
import json
import math
import os
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator

import numpy as np

from .validation import parameter_count

FORMAT_VERSION = 1
HEADER_KEYS = ("layer_sizes", "activation", "init", "l2", "l1", "dropout", "input_dropout",
               "loss", "reduction", "seed", "dtype")
MAX_HEADER_BYTES = 2**16  # the JSON header of any network is a few hundred bytes


def save_model(model: "MLP", path: str | Path | IO[bytes]) -> None:
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


def load_model(source: str | Path | IO[bytes] | bytes, build: Callable[..., "MLP"], max_parameters: int | None = None,
               max_layers: int | None = None, max_width: int | None = None) -> "MLP":
    """Read a network saved by ``save_model``, made by ``build(**header)`` (``nn.MLP``, as ``MLP.load``
    passes it); anything else is refused with a ValueError.

    Nothing is unpacked before it is known to fit. The zip directory, the JSON header and each
    array's .npy header are read first: every array must be numeric, with the shape the header's
    network gives it (so the file holds exactly that network, and no pickle is ever read). The
    limits refuse a network before anything is built for it: ``max_parameters`` weights and biases
    (a small compressed file can declare gigabytes), ``max_layers`` layers of weights and
    ``max_width`` units in any layer. Together they bound the work of one forward pass: about
    ``max_parameters`` multiply-adds per input row, in at most ``max_layers`` steps (a chain of
    5,000 one-unit layers is cheap in weights and slow in steps). Pass them for a file from anyone else.
    """
    if isinstance(source, (str, os.PathLike)):
        data = Path(source).read_bytes()
    else:
        data = source if isinstance(source, bytes) else source.read()
    if not data.startswith(b"PK\x03\x04"):  # every .npz is a zip archive
        raise ValueError("not a Neural Lab model file (.npz): it is not a zip archive")
    with _reading("its zip directory"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
    header = _read_header(archive, members)
    _check_limits(header["layer_sizes"], max_parameters, max_layers, max_width)
    model = build(**{k: header[k] for k in HEADER_KEYS})  # MLP checks every value, with its own messages
    unexpected = sorted(set(members) - {"header", *model.param_names})
    if unexpected:
        raise ValueError(f"the model file has unexpected arrays {unexpected}")
    for name, param in zip(model.param_names, model.params):
        if name not in members:
            raise ValueError(f"the model file lacks the array {name!r}")
        param[...] = _read_array(archive, members[name], name, param.shape)
    return model


def _check_limits(sizes: object, max_parameters: int | None, max_layers: int | None, max_width: int | None) -> None:
    """Refuse layer sizes beyond the limits (sizes that are not a list of whole numbers: MLP says what is wrong)."""
    if not isinstance(sizes, list) or not all(type(n) is int for n in sizes) or len(sizes) < 2:
        return
    if max_layers is not None and len(sizes) - 1 > max_layers:
        raise ValueError(f"the network in it has {len(sizes) - 1:,} layers of weights; at most {max_layers} are read here")
    count = parameter_count(sizes)
    if max_parameters is not None and count > max_parameters:
        raise ValueError(f"the network in it has {count:,} weights and biases; at most {max_parameters:,} are read here")
    if max_width is not None and max(sizes) > max_width:
        raise ValueError(f"the network in it has a layer of {max(sizes):,} units; at most {max_width:,} are read here")


@contextmanager
def _reading(what: str) -> Iterator[None]:
    """Whatever zipfile, zlib or NumPy raise on damaged bytes becomes one ValueError naming ``what``."""
    try:
        yield
    except Exception as err:
        raise ValueError(f"not a Neural Lab model file (.npz): cannot read {what} "
                         f"({type(err).__name__}: {err})") from None


def _read_header(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> dict:
    """The JSON header, with its format version and keys checked (the values are MLP's to check)."""
    info = members.get("header")
    if info is None or info.file_size > MAX_HEADER_BYTES:
        raise ValueError("not a Neural Lab model file: the JSON header is missing")
    with _reading("its header"), archive.open(info) as f:
        text = np.lib.format.read_array(f, allow_pickle=False)
    if text.dtype.kind != "U" or text.ndim != 0:
        raise ValueError("not a Neural Lab model file: the JSON header is missing")
    try:
        header = json.loads(str(text))
    except RecursionError:  # "[[[[..." nested deeper than Python's stack
        raise ValueError("the model header is not valid JSON: it is nested too deeply") from None
    except ValueError as e:  # JSONDecodeError, or a number of more than 4,300 digits
        raise ValueError(f"the model header is not valid JSON: {e}") from None
    if not isinstance(header, dict) or header.get("format_version") != FORMAT_VERSION:
        version = header.get("format_version") if isinstance(header, dict) else header
        raise ValueError(f"unknown model format version {version!r} (this app reads {FORMAT_VERSION})")
    missing = [k for k in HEADER_KEYS if k not in header]
    if missing:
        raise ValueError(f"the model header lacks {missing}")
    return header


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Array ``name``, unpacked only once its .npy header says it is numeric, of ``shape``, and all there."""
    with _reading(f"array {name!r}"):
        f = archive.open(info)
    with f:
        with _reading(f"array {name!r}"):
            version = np.lib.format.read_magic(f)
            stored_shape, fortran_order, dtype = (np.lib.format.read_array_header_1_0(f) if version == (1, 0)
                                                  else np.lib.format.read_array_header_2_0(f))
        if dtype.hasobject:
            raise ValueError(f"refused: array {name!r} holds pickled Python objects")
        if tuple(stored_shape) != shape or dtype.kind not in "iuf":
            raise ValueError(f"array {name!r} must be numeric with shape {shape}, got {dtype} {tuple(stored_shape)}")
        size = dtype.itemsize * math.prod(shape)
        if info.file_size < f.tell() + size:
            raise ValueError(f"array {name!r} claims more data than the file holds")
        with _reading(f"array {name!r}"):
            value = np.frombuffer(f.read(size), dtype).reshape(shape, order="F" if fortran_order else "C")
    if not np.isfinite(value).all():
        raise ValueError(f"array {name!r} holds non-finite values (NaN or infinity)")
    return value
