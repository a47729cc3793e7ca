"""MNIST and Fashion-MNIST: the bundled 10k sample, or the full sets.

    X_train, y_train, X_test, y_test = load_mnist("sample")   # offline, instant
    X_train, y_train, X_test, y_test = load_mnist("mnist", progress=callback)

The full sets are downloaded once from public mirrors, verified against
their published MD5s and cached on disk (see download.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from .download import (
    DEFAULT_TIMEOUT,
    CacheUnwritable,
    DatasetUnavailable,
    ProgressCallback,
    RemoteFile,
    cache_dir,
    fetch_all,
)
from ..validation import check_number, lookup
from .idx import read_images, read_labels

SAMPLE_PATH = Path(__file__).parent / "data" / "mnist-sample-10k.npz"
SAMPLE_TEST_SIZE = 2000

_DIGITS = tuple(str(digit) for digit in range(10))
CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "sample": _DIGITS,
    "mnist": _DIGITS,
    "fashion": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
}


@dataclass(frozen=True)
class IdxSource:
    """Where one full dataset lives: its mirrors and its four published files."""

    title: str
    mirrors_env: str  # environment variable that replaces `mirrors`
    mirrors: tuple[str, ...]
    train_images: RemoteFile
    train_labels: RemoteFile
    test_images: RemoteFile
    test_labels: RemoteFile

    @property
    def files(self) -> tuple[RemoteFile, ...]:
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)

    def active_mirrors(self) -> tuple[str, ...]:
        """Base URLs from the environment variable if set, else the built-in ones."""
        configured = os.environ.get(self.mirrors_env, "")
        custom = tuple(url.strip() for url in configured.split(",") if url.strip())
        return custom or self.mirrors


# The one table of mirrors and checksums. Tests replace entries with
# monkeypatch.setitem(SOURCES, "mnist", ...); it is read at every call.
SOURCES: dict[str, IdxSource] = {
    "mnist": IdxSource(
        title="MNIST",
        mirrors_env="NEURAL_LAB_MNIST_MIRRORS",
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        train_images=RemoteFile("train-images-idx3-ubyte.gz", 9_912_422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        train_labels=RemoteFile("train-labels-idx1-ubyte.gz", 28_881, "d53e105ee54ea40749a09fcbcd1e9432"),
        test_images=RemoteFile("t10k-images-idx3-ubyte.gz", 1_648_877, "9fb629c4189551a2d022fa330f9573f3"),
        test_labels=RemoteFile("t10k-labels-idx1-ubyte.gz", 4_542, "ec29112dd5afa0611ce80d1b7f02629c"),
    ),
    "fashion": IdxSource(
        title="Fashion-MNIST",
        mirrors_env="NEURAL_LAB_FASHION_MIRRORS",
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
        ),
        train_images=RemoteFile("train-images-idx3-ubyte.gz", 26_421_880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        train_labels=RemoteFile("train-labels-idx1-ubyte.gz", 29_515, "25c81989df183df01b3e8a0aad5dffbe"),
        test_images=RemoteFile("t10k-images-idx3-ubyte.gz", 4_422_102, "bef4ecab320f06d8554ea6940940d3be"),
        test_labels=RemoteFile("t10k-labels-idx1-ubyte.gz", 5_148, "bb300cfdad3c16e7a12a480ee83cd310"),
    ),
}

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def class_names(name: str) -> tuple[str, ...]:
    """The 10 class names of dataset `name`, in label order."""
    return lookup(CLASS_NAMES, "name", name)


def load_mnist(
    name: str = "sample",
    *,
    scale: bool = False,
    progress: ProgressCallback | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Split:
    """Return X_train, y_train, X_test, y_test for "sample", "mnist" or "fashion".

    Images are uint8 (n, 784), 0 = background, 255 = ink; with scale=True
    they are float32 in [0, 1]. Labels are int64 (n,) in 0..9.
    "sample" is bundled: 8,000 / 2,000 digits, stratified split, seed 0.
    "mnist" and "fashion" are 60,000 / 10,000, downloaded once and cached;
    `progress(done, total)` follows the download (bytes of all missing files
    together); `timeout` is in seconds per connection or wait for data.
    Every call returns fresh, writable arrays; nothing is kept in memory.

    Raises ValueError for an unknown name and DatasetUnavailable when a
    full set can be neither read from the cache nor downloaded (its subclass
    CacheUnwritable when the cache folder cannot be written to).
    """
    lookup(CLASS_NAMES, "name", name)  # refuses unknown names
    check_number("timeout", timeout, low=0.0, low_open=True)
    if name == "sample":
        X_train, y_train, X_test, y_test = _load_sample()
    else:
        X_train, y_train, X_test, y_test = _load_full(SOURCES[name], name, progress, timeout)
    if scale:
        X_train = X_train.astype(np.float32) / 255
        X_test = X_test.astype(np.float32) / 255
    return X_train, y_train, X_test, y_test


def _load_sample() -> Split:
    """The bundled 10,000 digits, split 8,000 / 2,000."""
    with np.load(SAMPLE_PATH, allow_pickle=False) as data:
        X, y = data["X"], data["y"].astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=SAMPLE_TEST_SIZE, stratify=y, random_state=0
    )
    return X_train, y_train, X_test, y_test


def _load_full(source: IdxSource, name: str, progress: ProgressCallback | None,
               timeout: float) -> Split:
    """The four IDX files of `source`, from the cache or the mirrors."""
    try:
        paths = fetch_all(source.files, source.active_mirrors(), cache_dir() / name,
                          progress, timeout)
    except CacheUnwritable as err:
        raise CacheUnwritable(
            f"{source.title} cannot be stored: {err}. Set NEURAL_LAB_CACHE to a folder this "
            f"process can write to."
        ) from err
    except DatasetUnavailable as err:
        raise DatasetUnavailable(
            f"{source.title} is unavailable: {err}. To use another mirror, set "
            f"{source.mirrors_env} to comma-separated base URLs."
        ) from err
    train_images, train_labels, test_images, test_labels = paths
    return (*_read_pair(train_images, train_labels), *_read_pair(test_images, test_labels))


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 (n, 784) and labels int64 (n,), checking that n agrees."""
    images, labels = read_images(images_path), read_labels(labels_path)
    if len(images) != len(labels):
        raise ValueError(f"{images_path.name} has {len(images)} images "
                         f"but {labels_path.name} has {len(labels)} labels")
    return images, labels
