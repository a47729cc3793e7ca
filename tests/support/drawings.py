"""Drawings for the Draw page's challenges: a canvas the default model is unsure of (top class < 50%).

Found, not hard-coded: overlays of two bundled test digits of different classes, drawn on the canvas
as the Draw page's tests draw one (``drawn_digit``), are read through the page's own preprocessing
until one splits the model's vote. The search is deterministic (same sample, same model, same order).
"""
from __future__ import annotations

import base64
import io
from functools import lru_cache

import numpy as np
from PIL import Image

from lab.draw.model import load_default_model, read_drawing
from lab.draw.preprocess import decode_png, preprocess
from nn.datasets import load_mnist


def png_bytes(rgba: np.ndarray) -> bytes:
    """A canvas image (h, w, 4) as the PNG the canvas component sends."""
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


def canvas_value(rgba: np.ndarray) -> dict:
    """What the canvas component sends back: its Fabric JSON and a PNG data URL of the drawing."""
    url = "data:image/png;base64," + base64.b64encode(png_bytes(rgba)).decode()
    return {"drawing": {"raw": {"objects": []}, "data": url}}


def drawn_digit(digit: np.ndarray) -> np.ndarray:
    """A uint8 (784,) digit drawn 7x bigger, low and to the left on a black 280x280 canvas."""
    big = Image.fromarray(digit.reshape(28, 28)).resize((196, 196), Image.Resampling.BILINEAR)
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[80:276, 4:200, :3] = np.asarray(big)[..., None]
    return canvas


def canvas_pixels(rgba: np.ndarray) -> np.ndarray:
    """What the Draw page feeds the network for a canvas image (280, 280, 4): (784,) in [0, 1]."""
    return preprocess(decode_png(png_bytes(rgba)))


@lru_cache(maxsize=1)
def unsure_canvas() -> np.ndarray:
    """A (280, 280, 4) canvas: two digits overlaid, whose top class gets under 50% from the default model."""
    _, _, X, y = load_mnist("sample")
    model = load_default_model().model
    for i in range(40):
        for j in range(i + 1, 40):
            if y[i] == y[j]:
                continue
            canvas = drawn_digit(np.maximum(X[i], X[j]))
            if read_drawing(model, canvas_pixels(canvas)).confidence < 0.5:
                return canvas
    raise AssertionError("no overlay of two sample digits makes the default model unsure")


def unsure_pixels() -> np.ndarray:
    return canvas_pixels(unsure_canvas())


def unsure_canvas_value() -> dict:
    """The canvas component's value for ``unsure_canvas`` (to put in session state under its key)."""
    return canvas_value(unsure_canvas())


@lru_cache(maxsize=1)
def sure_canvas() -> np.ndarray:
    """A (280, 280, 4) canvas: one bundled test digit the default model reads with at least 99%."""
    _, _, X, _ = load_mnist("sample")
    model = load_default_model().model
    for i in range(200):
        canvas = drawn_digit(X[i])
        if read_drawing(model, canvas_pixels(canvas)).confidence >= 0.99:
            return canvas
    raise AssertionError("no bundled digit drawn on the canvas gets 99% from the default model")
