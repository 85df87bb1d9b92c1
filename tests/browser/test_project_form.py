"""The new-project form shows the worker UI live, with the dataset's first item."""

import time

from tests.browser.conftest import screenshot
from tests.work import dataset_of_texts


def frame_html(page, frame_url: str) -> str:
    deadline = time.monotonic() + 10
    while True:
        frame = next((f for f in page.frames if f.url.endswith(frame_url)), None)
        if frame is not None and "crowd-form" in frame.content():
            return frame.content()
        assert time.monotonic() < deadline, "the preview frame did not load"
        page.wait_for_timeout(20)


def test_the_preview_follows_the_labels_and_instructions_as_they_are_typed(page, requester):
    dataset_of_texts(requester, ["The soup was cold again."])

    def rendered(action) -> str:
        with page.expect_response(lambda r: r.url.endswith("/projects/preview/")) as info:
            action()
        assert info.value.status == 200, info.value.text()
        return frame_html(page, info.value.json()["frame_url"])

    with page.expect_response(lambda r: r.url.endswith("/projects/preview/")) as first:
        page.goto(f"/orgs/{requester.organization.slug}/projects/new/")
    assert first.value.status == 400  # no labels yet: the page says so
    error = page.locator("#project-preview-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "This task type needs at least one label."

    with_labels = rendered(lambda: page.fill("textarea[name=labels]", "delight\nfury: Angry"))
    assert "The soup was cold again." in with_labels
    assert "delight" in with_labels and "fury" in with_labels
    assert not page.locator("#project-preview-error").is_visible()

    instructed = rendered(lambda: page.fill("textarea[name=short_instructions]", "Be quick."))
    assert "Be quick." in instructed
    screenshot(page, "project-form-preview")
    assert page.console_errors == []
