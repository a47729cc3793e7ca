"""Draw page: server time from a finished drawing to the prediction on screen.

    python benchmarks/bench_draw.py [--repeats 50]

Each stage runs on real sample digits drawn 7x bigger on a 280x280 RGBA canvas, sent as the
canvas sends them (a PNG data URL). Stages: decode the PNG (what CanvasResult.image_data does),
MNIST-style preprocessing, the network (probabilities, hidden activations, saliency), building
the four Plotly figures, and serialising them (plotly.io.to_json, as st.plotly_chart does).
The last row is a whole rerun of pages/draw.py under AppTest with a drawing in the canvas.
Prints the median and 90th percentile in milliseconds.
"""
from __future__ import annotations

import argparse
import base64
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import plotly.io  # noqa: E402
from PIL import Image  # noqa: E402

from lab.draw.model import load_default_model, read_drawing  # noqa: E402
from lab.draw.preprocess import preprocess  # noqa: E402
from lab.draw.figures import digit_image, hidden_activations, probability_chart, saliency_map  # noqa: E402
from nn.datasets import load_mnist  # noqa: E402


def drawing_url(digit: np.ndarray) -> str:
    big = Image.fromarray(digit.reshape(28, 28)).resize((196, 196), Image.Resampling.BILINEAR)
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[40:236, 50:246, :3] = np.asarray(big)[..., None]
    buf = io.BytesIO()
    Image.fromarray(canvas, "RGBA").save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def decode(url: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(";base64,", 1)[1]))))


def figures(reading, names):
    return [digit_image(reading.pixels), probability_chart(reading.probabilities, names),
            saliency_map(reading.pixels, reading.saliency, names[reading.top]),
            hidden_activations(reading.hidden)]


def timed(fn, repeats: int) -> np.ndarray:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return np.array(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    repeats = parser.parse_args().repeats

    _, _, X, _ = load_mnist("sample")
    urls = [drawing_url(x) for x in X[:repeats]]
    trained = load_default_model()
    model, names = trained.model, trained.class_names
    images = [decode(u) for u in urls]
    pixels = [preprocess(im) for im in images]
    readings = [read_drawing(model, p) for p in pixels]
    built = [figures(r, names) for r in readings]

    def whole(i):
        reading = read_drawing(model, preprocess(decode(urls[i])))
        for fig in figures(reading, names):
            plotly.io.to_json(fig, validate=False)

    rows = [
        ("decode the canvas PNG", timed(lambda i: decode(urls[i]), repeats)),
        ("preprocess (crop, 20 px, centre of mass)", timed(lambda i: preprocess(images[i]), repeats)),
        ("network: probabilities, hidden, saliency", timed(lambda i: read_drawing(model, pixels[i]), repeats)),
        ("build 4 Plotly figures", timed(lambda i: figures(readings[i], names), repeats)),
        ("serialise 4 figures (to_json)",
         timed(lambda i: [plotly.io.to_json(f, validate=False) for f in built[i]], repeats)),
        ("all of the above, one drawing", timed(whole, repeats)),
    ]

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "draw.py"), default_timeout=60)
    at.run()  # the first run pays for the imports

    def rerun(i):
        at.session_state["draw_canvas_0"] = {"drawing": {"raw": {"objects": []}, "data": urls[i]}}
        at.run()
        assert not at.exception and at.metric, "the page showed no prediction"

    rows.append(("whole page rerun under AppTest", timed(rerun, repeats)))

    print(f"{repeats} drawings, default model {trained.name!r}\n")
    print("| stage | median ms | p90 ms |\n|---|---|---|")
    for name, ms in rows:
        print(f"| {name} | {np.median(ms):.1f} | {np.percentile(ms, 90):.1f} |")


if __name__ == "__main__":
    main()
