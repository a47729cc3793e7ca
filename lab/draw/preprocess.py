"""From a drawing on the canvas to the 784 pixels the network reads, the way MNIST was made.

MNIST's digits were cropped to their ink, scaled so that the longer side is 20 px (keeping the
aspect ratio, with anti-aliasing), then placed in a 28x28 field so that the centre of mass of the
ink sits at the centre. A network trained on them has only ever seen digits like that, so a
drawing must be prepared the same way: shrinking the whole canvas instead (``naive_resize``)
gives a small or off-centre digit the network has never seen.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image
from scipy import ndimage

SIDE = 28  # MNIST images are 28x28
BOX = 20  # the digit's longer side inside them
# The centre of mass of MNIST's digits, as (row, column) indices: measured on the bundled sample
# (mean 13.99, 13.99; spread 0.3 px, the trace of a whole-pixel placement).
CENTRE = (14.0, 14.0)
INK_LEVEL = 0.1  # a pixel at least this bright (0..1) is ink, for the bounding box
MIN_INK_FRACTION = 0.004  # less ink than this share of the canvas is "almost empty" (a dot, a slip)
RESAMPLE = Image.Resampling.LANCZOS  # anti-aliased downscaling (its support widens with the scale)
MAX_SIDE = 2000  # px: the canvas sends 280; a larger image is refused before its pixels are decoded


def decode_png(raw: bytes, max_side: int = MAX_SIDE) -> np.ndarray:
    """The canvas's PNG (any image Pillow reads) as RGBA uint8 (h, w, 4).

    ValueError if it is not a readable image, or is over ``max_side`` px a side: the size is read
    from the header, so a huge image costs nothing.
    """
    try:
        with Image.open(io.BytesIO(raw)) as image:
            width, height = image.size
            if not (0 < width <= max_side and 0 < height <= max_side):
                raise ValueError(f"it is {width}x{height} px; at most {max_side}x{max_side} is read")
            return np.asarray(image.convert("RGBA"))
    except ValueError:
        raise
    except Exception as e:  # Pillow raises many kinds for a broken file (OSError, SyntaxError, ...)
        raise ValueError(f"not a readable image: {type(e).__name__}: {e}") from None


def to_grey(image: np.ndarray) -> np.ndarray:
    """Ink intensity (h, w) float32 in [0, 1] from a canvas image.

    ``image``: (h, w, 4) RGBA (the canvas), (h, w, 3) RGB or (h, w) grey; uint8 0..255 or floats in
    [0, 1]. White ink on black; a transparent pixel counts as background (its colour is weighted
    by its alpha).
    """
    image = np.asarray(image)
    if image.dtype.kind not in "buif" or image.ndim not in (2, 3) or min(image.shape[:2]) == 0 \
            or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"expected an image (h, w), (h, w, 3) or (h, w, 4), got {image.dtype} {image.shape}")
    pixels = image.astype(np.float32) / (255.0 if image.dtype.kind in "bui" else 1.0)
    if pixels.ndim == 2:
        return np.clip(pixels, 0.0, 1.0)
    grey = pixels[..., :3].mean(axis=2)  # (h, w)
    if pixels.shape[2] == 4:
        grey *= pixels[..., 3]
    return np.clip(grey, 0.0, 1.0)


def ink_box(grey: np.ndarray) -> tuple[slice, slice] | None:
    """The (rows, columns) slices bounding the ink of ``grey`` (h, w), or None without ink."""
    boxes = ndimage.find_objects((grey >= INK_LEVEL).astype(np.int8))
    return boxes[0] if boxes else None


def is_blank(grey: np.ndarray) -> bool:
    """True for an empty or almost empty canvas: total ink under MIN_INK_FRACTION of its area."""
    return float(grey.sum()) < MIN_INK_FRACTION * grey.size or ink_box(grey) is None


def mnist_style(grey: np.ndarray) -> np.ndarray | None:
    """The drawing as MNIST would have it: (784,) float32 in [0, 1], or None if it is blank.

    Crop to the ink's bounding box, scale the longer side to 20 px (aspect kept, anti-aliased),
    then place it in 28x28 with the intensity-weighted centre of mass at CENTRE (whole pixels).
    """
    if is_blank(grey):
        return None
    rows, cols = ink_box(grey)
    digit = grey[rows, cols]
    h, w = digit.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # Pillow wants (width, height)
    small = np.asarray(Image.fromarray(digit).resize(size, RESAMPLE))
    small = np.clip(small, 0.0, 1.0)  # Lanczos rings slightly past the input range
    field = np.zeros((SIDE, SIDE), np.float32)
    top, left = (SIDE - small.shape[0]) // 2, (SIDE - small.shape[1]) // 2
    field[top:top + small.shape[0], left:left + small.shape[1]] = small
    if field.sum() <= 0:
        return None
    com = np.array(ndimage.center_of_mass(field))
    offset = np.round(np.array(CENTRE) - com)
    field = ndimage.shift(field, offset, order=0, mode="constant", cval=0.0)
    return field.reshape(-1)


def preprocess(image: np.ndarray) -> np.ndarray | None:
    """Canvas image (see ``to_grey``) -> (784,) float32 in [0, 1] for the network, or None if blank."""
    return mnist_style(to_grey(image))


def naive_resize(image: np.ndarray) -> np.ndarray:
    """What many demos do: shrink the whole canvas to 28x28. (784,) float32; for comparison only."""
    grey = to_grey(image)
    small = np.asarray(Image.fromarray(grey).resize((SIDE, SIDE), RESAMPLE))
    return np.clip(small, 0.0, 1.0).reshape(-1)
