"""The MNIST page in a real browser: train, watch the progress bars move, click into the confusion matrix."""
from __future__ import annotations

import re

from tests.support.browser import expect, screenshot, wait_for_app_idle

# Records every value the progress bars take, however briefly (Streamlit replaces them quickly).
WATCH_PROGRESS = """() => {
    window.__progress = [];
    const record = () => document.querySelectorAll('[data-testid="stProgress"] [role="progressbar"]')
        .forEach((bar, i) => window.__progress.push([i, Number(bar.getAttribute('aria-valuenow'))]));
    new MutationObserver(record).observe(document.body,
        {subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow']});
}"""


def test_train_watch_progress_and_open_a_confusion_cell(page, app_server):
    page.goto(app_server + "/")
    wait_for_app_idle(page)
    page.get_by_role("link", name="MNIST classifier").click()
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="MNIST: train a digit classifier")).to_be_visible()

    # The "Best" preset on the bundled sample: a few seconds, long enough to watch.
    page.get_by_role("button", name="Preset: Best").click()
    wait_for_app_idle(page)
    expect(page.get_by_role("textbox", name="Hidden layer sizes")).to_have_value("512")
    page.evaluate(WATCH_PROGRESS)
    page.get_by_role("button", name="Train", exact=True).click()
    epoch_bar = page.locator('[data-testid="stProgress"]').first
    expect(epoch_bar).to_contain_text(re.compile(r"Epoch \d+ of 16 · .* elapsed"))
    screenshot(page, "mnist-training")
    wait_for_app_idle(page, timeout=120_000)

    epochs_seen = [value for bar, value in page.evaluate("window.__progress") if bar == 0]
    moving = sorted(set(epochs_seen) - {0})
    assert len(moving) >= 3, f"the epoch bar hardly moved: {epochs_seen}"
    assert epochs_seen == sorted(epochs_seen), "the epoch bar went backwards"

    expect(page.get_by_text("Test accuracy", exact=True)).to_be_visible()  # not the runs table's column
    # The confusion matrix by its widget key: selecting it by the text "predicted class" sometimes
    # matched a second chart as well (the CI runs of 1 December 2026).
    matrix = page.locator('.st-key-mnist_cm [data-testid="stPlotlyChart"]')
    expect(matrix).to_have_count(1)
    expect(matrix).to_contain_text("predicted class")
    matrix.scroll_into_view_if_needed()
    expect(matrix.locator(".nsewdrag").first).to_be_visible()

    # Click the cell true 7, predicted 2: the gallery below follows.
    box = matrix.locator(".nsewdrag").first.bounding_box()
    true_class, predicted_class = 7, 2
    page.mouse.click(box["x"] + (predicted_class + 0.5) / 10 * box["width"],
                     box["y"] + (true_class + 0.5) / 10 * box["height"])
    wait_for_app_idle(page)
    expect(page.get_by_text(re.compile(r"^\d+ test images? of 7 taken for 2$"))).to_be_visible()
    # Right after the rerun the chart drawn before it may still be in the page for a moment (CI, 2
    # December 2026): wait until the matrix is one chart again.
    expect(matrix).to_have_count(1)
    matrix.scroll_into_view_if_needed()
    screenshot(page, "mnist")

    # This session's runs sit in the results, whole: no column cut on the right.
    heading = page.get_by_text("This session's runs", exact=False)
    runs = heading.locator('xpath=following::div[@data-testid="stDataFrame"][1]')
    runs.scroll_into_view_if_needed()
    expect(runs).to_be_visible()
    scroller = runs.locator(".dvn-scroller").first
    screenshot(page, "mnist-runs")
    widths = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1] + 1, f"the runs table scrolls sideways: {widths}"
    weights = page.locator(".st-key-mnist_weights")
    weights.scroll_into_view_if_needed()
    expect(page.get_by_text("What training added is smooth", exact=False)).to_be_visible()
    screenshot(page, "mnist-hidden-units")


def start_best_training(page, app_server):
    """From Home to the MNIST page, the Best preset trained until its second epoch; returns the epoch bar."""
    page.goto(app_server + "/")
    wait_for_app_idle(page)
    page.get_by_role("link", name="MNIST classifier").click()
    wait_for_app_idle(page)
    page.get_by_role("button", name="Preset: Best").click()
    wait_for_app_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    epoch_bar = page.locator('[data-testid="stProgress"]').first
    expect(epoch_bar).to_contain_text(re.compile(r"Epoch [2-9] of 16"))
    return epoch_bar


def test_stop_keeps_the_network_as_it_was(page, app_server):
    start_best_training(page, app_server)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop", exact=True).click()
    wait_for_app_idle(page)
    expect(page.get_by_text(re.compile(r"^Stopped after \d+ complete epochs?"))).to_be_visible()
    expect(page.get_by_text("Test accuracy", exact=True)).to_be_visible()  # not the runs table's column
    expect(page.get_by_text("The Draw page now uses this network", exact=False)).to_be_visible()


def test_opening_the_code_during_training_does_not_stop_it(page, app_server):
    """The training runs as a job off the script thread: the rerun that opening an expander makes
    ends the script run, not the training, which goes on to its last epoch."""
    epoch_bar = start_best_training(page, app_server)
    page.get_by_text("Show the code that trains").click()
    expect(page.locator('[data-testid="stExpander"]').filter(has_text="nn.training.train")
           .locator('[data-testid="stCode"]').first).to_contain_text("def train(", timeout=60_000)
    expect(epoch_bar).to_contain_text(re.compile(r"Epoch \d+ of 16"))  # still training, shown again
    screenshot(page, "mnist-code-open-while-training")
    wait_for_app_idle(page, timeout=120_000)
    expect(page.get_by_text(re.compile(r"^Trained 16 epochs"))).to_be_visible()
    expect(page.get_by_text("Stopped after", exact=False)).to_have_count(0)
