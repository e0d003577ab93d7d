"""The chat widget in a real browser: the demo, keyboard, phone, strict CSP, XSS, outages, persistence."""

import json
import re
from pathlib import Path

from playwright.sync_api import expect

DOCS = Path(__file__).resolve().parents[2] / "docs"
DRY_NEEDLING = "https://www.example.com/blog/who-can-benefit-from-dry-needling"


def open_widget(page, url):
    page.goto(url)
    page.get_by_role("button", name=re.compile("^Open chat with")).click()
    return page.get_by_role("dialog")


def send(page, text):
    box = page.get_by_role("textbox", name="Your question")
    box.fill(text)
    box.press("Enter")


def bot_bubbles(page):
    return page.locator(".cb-bot:not(.cb-typing)")


def test_demo_starter_chip_and_a_typed_question_get_answers_with_working_links(page, bot_url, clinic):
    dialog = open_widget(page, bot_url + "/")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(clinic.name)
    expect(page.get_by_text("General information, not medical advice.")).to_be_visible()
    page.get_by_role("button", name="Why does my back pain keep coming back?").click()
    expect(page.get_by_role("link", name="Read the full article").first).to_have_attribute(
        "href", "https://www.example.com/blog/5-common-causes-of-recurrent-back-pain")

    send(page, "does dry needling hurt?")
    article = page.get_by_role("link", name="Read the full article").last
    expect(article).to_have_attribute("href", DRY_NEEDLING)
    expect(article).to_have_attribute("target", "_blank")
    booking = page.get_by_role("link", name="Book an appointment").last
    expect(booking).to_have_attribute("href", clinic.booking_url)
    expect(booking).to_have_attribute("rel", re.compile("noopener"))
    expect(bot_bubbles(page).last).to_contain_text("needle")
    page.wait_for_timeout(400)  # let the opening animation finish
    page.screenshot(path=str(DOCS / "widget-desktop.png"))


def test_typing_indicator_shows_while_waiting(page, bot_url):
    open_widget(page, bot_url + "/")

    def slow(route):
        page.wait_for_timeout(800)
        route.continue_()

    page.route("**/api/v1/ask", slow)
    send(page, "what is a trigger point?")
    expect(page.locator(".cb-typing")).to_be_visible()
    expect(page.get_by_text("Assistant is typing")).to_be_attached()
    expect(page.locator(".cb-typing")).to_have_count(0)
    expect(page.get_by_role("link", name="Read the full article")).to_be_visible()


def test_keyboard_only(page, bot_url):
    page.goto(bot_url + "/")
    launcher = page.get_by_role("button", name=re.compile("^Open chat with"))
    for _ in range(30):  # Tab through the page until the launcher has focus
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el.getRootNode().activeElement === el"):
            break
    else:
        raise AssertionError("the launcher is not reachable with Tab")
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Your question")
    expect(box).to_be_focused()
    page.keyboard.type("what causes muscle knots?")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Read the full article")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_each_new_bot_message_is_announced_once(page, bot_url):
    open_widget(page, bot_url + "/")
    live = page.locator("[aria-live=polite]")
    send(page, "what is sciatica?")
    expect(live).to_contain_text("sciatic")
    send(page, "How do I book an appointment?")
    expect(live).to_contain_text("book")
    expect(live).not_to_contain_text("sciatic")
    expect(page.get_by_role("log")).to_have_attribute("aria-live", "off")


def test_phone_viewport_is_full_screen(browser, bot_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    dialog = open_widget(page, bot_url + "/")
    page.get_by_role("button", name="How do I book an appointment?").click()
    expect(page.get_by_role("link", name="Book an appointment").last).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] == 0 and box["y"] == 0 and box["width"] == 390 and abs(box["height"] - 844) <= 1
    input_box = page.get_by_role("textbox", name="Your question").bounding_box()
    assert input_box["y"] + input_box["height"] <= 844
    page.wait_for_timeout(400)
    page.screenshot(path=str(DOCS / "widget-phone.png"))
    context.close()


def test_strict_csp_page_on_another_origin(page, bot_url, host_origin):
    _, origin = host_origin
    violations, errors = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "(window.__violations = window.__violations || []).push(e.violatedDirective))")
    dialog = open_widget(page, origin + "/")
    expect(dialog.get_by_role("heading")).to_have_text("Strict Clinic")
    send(page, "does dry needling hurt?")
    expect(page.get_by_role("link", name="Read the full article")).to_have_attribute("href", DRY_NEEDLING)
    # The widget's stylesheet applied: the launcher is fixed to the corner.
    position = page.get_by_role("button", name=re.compile("^Open chat with")).evaluate("el => getComputedStyle(el).position")
    assert position == "fixed"
    violations = page.evaluate("window.__violations || []")
    assert violations == [] and not [e for e in errors if "Content Security Policy" in e], (violations, errors)


def test_markup_in_a_question_is_shown_as_text(page, bot_url):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_widget(page, bot_url + "/")
    payload = "<img src=x onerror=alert(1)>"
    send(page, payload)
    expect(page.locator(".cb-user").last).to_have_text(payload)
    expect(bot_bubbles(page)).to_have_count(2)
    assert page.locator("#clinicbot-widget img").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []


def test_server_unreachable_then_retry(page, bot_url):
    open_widget(page, bot_url + "/")
    page.route("**/api/v1/ask", lambda route: route.abort())
    send(page, "what is a trigger point?")
    error = page.locator(".cb-error")
    expect(error).to_contain_text("couldn't reach")
    page.unroute("**/api/v1/ask")
    error.get_by_role("button", name="Retry").click()
    expect(page.locator(".cb-error")).to_have_count(0)
    expect(page.get_by_role("link", name="Read the full article")).to_be_visible()


def test_server_error_shows_the_message(page, bot_url):
    open_widget(page, bot_url + "/")
    page.route("**/api/v1/ask", lambda route: route.fulfill(status=503, body="{}"))
    send(page, "hello?")
    expect(page.locator(".cb-error")).to_contain_text("couldn't reach")
    expect(page.locator(".cb-error").get_by_role("button", name="Retry")).to_be_visible()


def test_conversation_survives_a_reload_and_can_be_reset(page, bot_url):
    open_widget(page, bot_url + "/")
    send(page, "what is tinnitus?")
    expect(page.get_by_role("link", name="Read the full article")).to_be_visible()
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator(".cb-user")).to_have_text(["what is tinnitus?"])
    expect(page.get_by_role("link", name="Read the full article")).to_be_visible()
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".cb-user")).to_have_count(0)
    expect(page.get_by_role("button", name="Does dry needling hurt?")).to_be_visible()
    page.reload()
    expect(page.locator(".cb-user")).to_have_count(0)


def test_emergency_reply_is_unmissable_with_tap_to_call(page, bot_url):
    open_widget(page, bot_url + "/")
    send(page, "I have crushing chest pain")
    emergency = page.locator(".cb-emergency")
    expect(emergency).to_contain_text("911")
    expect(emergency.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    assert emergency.get_by_role("link", name="Read the full article").count() == 0
    send(page, "I want to end my life")
    expect(page.locator(".cb-emergency").last.get_by_role("link", name="Call or text 988")).to_have_attribute("href", "tel:988")


def test_no_answer_offers_phone_and_booking(page, bot_url, clinic):
    open_widget(page, bot_url + "/")
    send(page, "what is the capital of France?")
    reply = page.locator(".cb-no_answer")
    expect(reply).to_contain_text("I don't have an article on that")
    expect(reply.get_by_role("link", name=f"Call {clinic.phone}")).to_have_attribute("href", clinic.tel)
    expect(reply.get_by_role("link", name="Book an appointment")).to_have_attribute("href", clinic.booking_url)


def test_thumbs_down_sends_feedback_once(page, bot_url):
    open_widget(page, bot_url + "/")
    send(page, "what is e-stim?")
    expect(page.get_by_role("link", name="Read the full article")).to_be_visible()
    with page.expect_request("**/api/v1/feedback") as request:
        page.get_by_role("button", name="Not helpful").click()
    body = json.loads(request.value.post_data)
    assert body["rating"] == "down" and body["question"] == "what is e-stim?" and body["status"] == "answered"
    assert request.value.response().status == 201
    expect(page.get_by_role("button", name="Not helpful")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Helpful", exact=True)).to_be_disabled()


def test_js_api_open_ask_close(page, bot_url):
    page.goto(bot_url + "/")
    page.wait_for_function("window.clinicbot !== undefined")
    page.evaluate("window.clinicbot.ask('Where is your clinic located?')")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(bot_bubbles(page).last).to_contain_text("Milford")
    page.evaluate("window.clinicbot.close()")
    expect(page.get_by_role("dialog")).to_be_hidden()


def test_host_page_css_does_not_leak_in(page, bot_url):
    open_widget(page, bot_url + "/")  # demo.css sets every button pink and Comic Sans
    color = page.get_by_role("button", name="Send").evaluate("el => getComputedStyle(el).color")
    assert color == "rgb(255, 255, 255)"
