"""Datasets for Neural Lab: MNIST / Fashion-MNIST and 2-D playground sets."""

from .download import CacheUnwritable, DatasetUnavailable, RemoteFile, cache_dir
from .mnist import CLASS_NAMES, SOURCES, IdxSource, class_names, load_mnist
from .planar import PLANAR_DATASETS, PlanarData, PlanarGenerator, make_planar

__all__ = [
    "CLASS_NAMES",
    "CacheUnwritable",
    "DatasetUnavailable",
    "IdxSource",
    "PLANAR_DATASETS",
    "PlanarData",
    "PlanarGenerator",
    "RemoteFile",
    "SOURCES",
    "cache_dir",
    "class_names",
    "load_mnist",
    "make_planar",
]
