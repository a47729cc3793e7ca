"""Two students on one real server (two browser contexts): neither sees the other's network, both
share the read-only default one; an oversized model file is refused before it reaches the page."""
from __future__ import annotations

import re

from tests.support.browser import IDLE_TIMEOUT_MS, VIEWPORT, expect, screenshot, wait_for_app_idle

CANVAS = '[data-testid="stBidiComponentIsolated"] canvas.upper-canvas'


def student(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    return context, context.new_page()


def test_two_students_keep_their_own_networks(browser, app_server):
    alice_context, alice = student(browser)
    bob_context, bob = student(browser)
    try:
        alice.goto(app_server + "/mnist")
        bob.goto(app_server + "/draw")
        wait_for_app_idle(alice)
        hidden = alice.get_by_role("textbox", name="Hidden layer sizes")
        hidden.fill("8")
        hidden.press("Enter")
        wait_for_app_idle(alice)
        alice.get_by_role("button", name="Train", exact=True).click()
        wait_for_app_idle(alice, timeout=120_000)
        expect(alice.get_by_text(re.compile(r"^Trained \d+ epochs"))).to_be_visible()

        alice.get_by_role("link", name="Draw a digit").first.click()  # same session (a reload is a new one)
        wait_for_app_idle(alice)
        expect(alice.get_by_text(re.compile(r"Yours from the MNIST page \(784-8-10 relu"))).to_be_visible()
        expect(alice.locator(CANVAS)).to_be_visible()
        screenshot(alice, "classroom-alice-draw")

        wait_for_app_idle(bob)
        bob.reload()  # Alice's training happened meanwhile: still nothing of hers here
        wait_for_app_idle(bob)
        expect(bob.get_by_text("784-128-10 ReLU", exact=False).first).to_be_visible()
        expect(bob.get_by_text("Yours from the MNIST page")).to_have_count(0)
        expect(bob.locator(CANVAS)).to_be_visible()
        screenshot(bob, "classroom-bob-draw")
    finally:
        alice_context.close()
        bob_context.close()


def test_an_oversized_model_file_is_refused(page, app_server, tmp_path):
    big = tmp_path / "huge.npz"
    big.write_bytes(b"PK\x03\x04" + bytes(6 * 2**20))  # over the 5 MB cap
    page.goto(app_server + "/mnist")
    wait_for_app_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(big))
    uploader = page.locator('[data-testid="stFileUploader"]')
    expect(uploader.get_by_role("alert")).to_have_text("Error: File must be 5.0MB or smaller.")
    expect(uploader.get_by_test_id("stFileChipIconError")).to_be_visible()
    uploader.scroll_into_view_if_needed()
    screenshot(page, "classroom-oversized-upload")
    wait_for_app_idle(page)
    expect(page.get_by_text("huge.npz was refused")).to_have_count(0)  # it never reached the page
    expect(page.get_by_text("Uploaded huge.npz")).to_have_count(0)
