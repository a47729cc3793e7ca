"""Challenges and teacher links in Chromium: a teacher's link locks and hides knobs and shows its note;
a met challenge shows "Challenge met"; the Challenges page lists the challenges with Start links.

Screenshots (test-artifacts/): challenges.png, challenge-met.png, teacher-link.png, teacher-link-mnist.png; docs/ holds copies.
"""

import re

from tests.support.browser import expect, screenshot, wait_for_app_idle

FIRST_RUN_MS = 120_000  # a cold first run loads scikit-learn and trains (seconds on a busy CI)


def _sidebar_widget(page, testid: str, label: str):
    return page.locator(f'[data-testid="stSidebar"] [data-testid="{testid}"]').filter(has_text=label)


def test_teacher_link_locks_hides_and_notes(page, app_server):
    page.goto(app_server + "/moons?lock=lr,neurons&hide=l1&note=Week%203")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Week 3")).to_be_visible()

    # A Streamlit slider is an <input type="range">: disabled for the locked knobs, not for L2 beside them.
    for label in ("Learning rate", "Neurons per hidden layer"):
        expect(_sidebar_widget(page, "stSlider", label).get_by_role("slider")).to_be_disabled()
    expect(_sidebar_widget(page, "stSlider", "L2 penalty").get_by_role("slider")).to_be_enabled()
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("L1 penalty", exact=True)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"lock=lr(%2C|,)neurons"))
    expect(page).to_have_url(re.compile(r"hide=l1"))
    screenshot(page, "teacher-link")


def test_a_met_challenge_says_so(page, app_server):
    page.goto(app_server + "/moons?challenge=circles-no-hidden&dataset=circles&hidden_layers=0"
                           "&x1_sq=true&x2_sq=true&noise=0.1")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    met = page.locator('[data-testid="stAlert"]').filter(has_text="Challenge met")
    expect(met).to_be_visible()
    expect(met).to_contain_text("x₁² and x₂²")
    expect(page.locator(".st-key-challenge_box")).to_contain_text("A circle with no hidden layer")
    page.locator('[data-testid="stPlotlyChart"]').first.locator(".main-svg").first.wait_for()
    screenshot(page, "challenge-met")


def test_challenges_page_ticks_what_was_met_and_starts(page, app_server):
    page.goto(app_server + "/moons?challenge=xor-no-hidden&dataset=xor&hidden_layers=0&x1_x2=true")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Challenge met")).to_be_visible()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Challenges").click()  # same session
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(re.compile(r"^\s*Challenges"))
    starts = page.locator('[data-testid="stMain"] [data-testid="stPageLink"]')
    assert starts.count() >= 15
    expect(page.get_by_text(re.compile(r"^1 of \d+ met in this session"))).to_be_visible()
    ticked = page.locator(".st-key-challenge_xor-no-hidden")
    expect(ticked.locator('[data-testid="stAlert"]')).to_contain_text("Met.")
    ticked.scroll_into_view_if_needed()
    screenshot(page, "challenges")
    page.locator(".st-key-challenge_lr-diverge").get_by_text("Start").click()
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    expect(page).to_have_url(re.compile(r"/moons\?.*challenge=lr-diverge"))
    expect(page.locator(".st-key-challenge_box")).to_contain_text("Blow it up")
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Not yet")).to_be_visible()


def test_mnist_teacher_link_sets_locks_and_hides(page, app_server):
    page.goto(app_server + "/mnist?epochs=3&lr=0.05&lock=lr,epochs&hide=l1&note=Week%203")
    wait_for_app_idle(page, timeout=FIRST_RUN_MS)
    main = page.locator('[data-testid="stMain"]')
    expect(main.locator('[data-testid="stException"]')).to_have_count(0)
    expect(main.locator('[data-testid="stAlert"]').filter(has_text="Week 3")).to_be_visible()
    epochs = main.locator('[data-testid="stSlider"]').filter(has_text="Epochs")
    expect(epochs.get_by_role("slider")).to_be_disabled()
    expect(epochs.get_by_role("slider")).to_have_value("3")
    lr = main.locator('[data-testid="stNumberInput"]').filter(has_text="Learning rate")
    expect(lr.locator("input")).to_be_disabled()
    expect(lr.locator("input")).to_have_value("0.05")
    expect(main.locator('[data-testid="stNumberInput"]').filter(has_text="L2 penalty").locator("input")).to_be_enabled()
    expect(main.get_by_text("L1 penalty", exact=True)).to_have_count(0)
    epochs.scroll_into_view_if_needed()
    screenshot(page, "teacher-link-mnist")
