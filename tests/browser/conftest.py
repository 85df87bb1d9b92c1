"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live_server.

One browser per test session (per xdist worker); each test gets a fresh context.
Select them with `-m browser`, leave them out with `-m "not browser"`.
"""

import json
import os
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandlerMixin
from django.test import Client

from apps.accounts.models import Role
from tests.factories import MembershipFactory
from tests.task_ui_fixtures import FIXTURES, fixture_template  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("TASKUI_SCREENSHOTS", "")  # a folder to save screenshots in


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _static_files_allow_cors():
    """Frames run in an opaque origin, so module scripts load in CORS mode. WhiteNoise
    (production, `make run`) sends `Access-Control-Allow-Origin: *` on every static file;
    Django's test static handler, which live_server uses, does not: add it the same way."""
    original = StaticFilesHandlerMixin.serve

    def serve(self, request):
        response = original(self, request)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    StaticFilesHandlerMixin.serve = serve
    yield
    StaticFilesHandlerMixin.serve = original


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps an asyncio loop running in this thread for as long as the
    # browser lives, so Django takes every later ORM call here (ours are all synchronous,
    # between browser steps) for one made from async code. The flag stays set for the rest
    # of this test process, since the browser does too.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def requester(db):
    return MembershipFactory(role=Role.REQUESTER)


@pytest.fixture
def page(browser, live_server, requester):
    """A page signed in as a requester of a fresh organization."""
    client = Client()
    client.force_login(requester.user)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 1000}
    )
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def worker_page(browser, live_server):
    """Open pages as `user`: returns a function user -> page."""
    contexts = []

    def open_as(user):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1400, "height": 900}
        )
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.console_errors = []
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        return page

    yield open_as
    for context in contexts:
        context.close()


def preview_url(membership) -> str:
    return f"/orgs/{membership.organization.slug}/task-ui/preview/"


def render_in_preview(page, membership, *, template: str, task_input: dict, wait_ready=True):
    """Open the preview page, paste the template and input, render; returns the frame
    once its crowd elements are ready."""
    page.goto(preview_url(membership))
    # Set the fields without input events, so only the click below renders them (typing
    # would also start the page's debounced live render, racing this one).
    page.locator("#taskui-template").evaluate("(area, text) => { area.value = text; }", template)
    page.locator("#taskui-input").evaluate(
        "(area, text) => { area.value = text; }", json.dumps(task_input)
    )
    with page.expect_response(lambda response: response.url.endswith("/task-ui/render/")) as info:
        page.click("#taskui-form button[type=submit]")
    assert info.value.status == 200, info.value.text()
    frame_url = info.value.json()["frame_url"]
    page.wait_for_function(
        "url => document.getElementById('taskui-frame').src.endsWith(url)", arg=frame_url
    )
    frame = page.frame_locator("#taskui-frame")
    deadline = time.monotonic() + 10
    while not any(candidate.url.endswith(frame_url) for candidate in page.frames):
        assert time.monotonic() < deadline, "the task frame did not load"
        page.wait_for_timeout(20)
    if not wait_ready:
        return frame
    loaded = next(candidate for candidate in page.frames if candidate.url.endswith(frame_url))
    # Polled with evaluate: wait_for_function would eval(), which the frame's CSP refuses.
    while not loaded.evaluate("() => window.crowdElementsReady === true"):
        assert time.monotonic() < deadline, "the crowd elements did not load"
        page.wait_for_timeout(20)
    return frame


def select_text(
    page,
    frame,
    text_box_selector: str,
    phrase: str,
    occurrence: int = 0,
    frame_selector: str = "#taskui-frame",
) -> None:
    """Drag the mouse across `phrase` inside the element (shadow DOM is pierced)."""
    box = frame.locator(text_box_selector)
    box.scroll_into_view_if_needed()
    rects = box.evaluate(
        """(box, [phrase, occurrence]) => {
            const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
            let node, seen = 0;
            while ((node = walker.nextNode())) {
                let at = node.data.indexOf(phrase);
                while (at >= 0) {
                    if (seen++ === occurrence) {
                        const range = document.createRange();
                        range.setStart(node, at); range.setEnd(node, at + 1);
                        const first = range.getBoundingClientRect();
                        const end = at + phrase.length;
                        range.setStart(node, end - 1); range.setEnd(node, end);
                        const last = range.getBoundingClientRect();
                        const middle = (rect) => rect.top + rect.height / 2;
                        return [first.left, middle(first), last.right, middle(last)];
                    }
                    at = node.data.indexOf(phrase, at + 1);
                }
            }
            return null;
        }""",
        [phrase, occurrence],
    )
    assert rects, f"{phrase!r} not found"
    frame_box = page.locator(frame_selector).bounding_box()
    left, top = frame_box["x"], frame_box["y"]
    page.mouse.move(left + rects[0] + 1, top + rects[1])
    page.mouse.down()
    page.mouse.move(left + (rects[0] + rects[2]) / 2, top + (rects[1] + rects[3]) / 2, steps=4)
    page.mouse.move(left + rects[2] - 1, top + rects[3], steps=4)
    page.mouse.up()


def submitted_answer(page) -> dict:
    answer = page.locator("#taskui-answer")
    answer.filter(has_text="{").wait_for()
    return json.loads(answer.inner_text())


def screenshot(page, name: str) -> None:
    """Save a screenshot when TASKUI_SCREENSHOTS names a folder. The viewport grows to the
    page instead of full_page=True, whose stitching leaves iframes half painted."""
    if not SCREENSHOTS:
        return
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(height, 4000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))
    page.set_viewport_size(size)
