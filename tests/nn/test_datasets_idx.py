"""IDX encoding and decoding: round trips and refusals."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from nn.datasets.idx import IMAGE_MAGIC, LABEL_MAGIC, decode_idx, read_images, read_labels
from tests.support.idx_files import encode_idx

IMAGES = np.arange(3 * 28 * 28, dtype=np.int64).reshape(3, 28, 28).astype(np.uint8)
LABELS = np.array([7, 0, 9], dtype=np.uint8)


def test_header_layout_is_the_published_one():
    data = encode_idx(LABELS)
    assert data[:4] == b"\x00\x00\x08\x01"
    assert struct.unpack(">I", data[4:8]) == (3,)
    assert data[8:] == bytes([7, 0, 9])


def test_round_trip_through_gzipped_files(tmp_path):
    images_path, labels_path = tmp_path / "images.gz", tmp_path / "labels.gz"
    images_path.write_bytes(gzip.compress(encode_idx(IMAGES)))
    labels_path.write_bytes(gzip.compress(encode_idx(LABELS)))

    images, labels = read_images(images_path), read_labels(labels_path)
    assert images.shape == (3, 784) and images.dtype == np.uint8
    np.testing.assert_array_equal(images, IMAGES.reshape(3, 784))
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, LABELS)
    images[0, 0] = 1  # decoded arrays are writable copies


def test_uncompressed_files_are_read_too(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(encode_idx(LABELS))
    np.testing.assert_array_equal(read_labels(path), LABELS)


def test_wrong_magic_number_is_refused():
    with pytest.raises(ValueError, match="magic number"):
        decode_idx(encode_idx(LABELS), IMAGE_MAGIC, (None, 28, 28))
    with pytest.raises(ValueError, match="magic number"):
        decode_idx(encode_idx(IMAGES), LABEL_MAGIC, (None,))


def test_wrong_image_dimensions_are_refused():
    small = np.zeros((2, 27, 28), dtype=np.uint8)
    with pytest.raises(ValueError, match="dimensions"):
        decode_idx(encode_idx(small), IMAGE_MAGIC, (None, 28, 28))


@pytest.mark.parametrize("cut", [1, 100, 28 * 28 * 3])
def test_short_data_is_refused(cut):
    data = encode_idx(IMAGES)[:-cut]
    with pytest.raises(ValueError, match="bytes"):
        decode_idx(data, IMAGE_MAGIC, (None, 28, 28))


def test_trailing_data_and_tiny_headers_are_refused():
    with pytest.raises(ValueError, match="header announces"):
        decode_idx(encode_idx(LABELS) + b"\x00", LABEL_MAGIC, (None,))
    with pytest.raises(ValueError, match="too short"):
        decode_idx(b"\x00\x00\x08", LABEL_MAGIC, (None,))
    with pytest.raises(ValueError, match="too short"):
        decode_idx(encode_idx(IMAGES)[:10], IMAGE_MAGIC, (None, 28, 28))


def test_labels_outside_0_to_9_are_refused(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(encode_idx(np.array([1, 10], dtype=np.uint8)))
    with pytest.raises(ValueError, match="label 10"):
        read_labels(path)


def test_bad_gzip_is_a_value_error(tmp_path):
    path = tmp_path / "images.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="gzip"):
        read_images(path)


def test_encode_refuses_other_dtypes():
    with pytest.raises(ValueError, match="dtype"):
        encode_idx(LABELS.astype(np.int64))
