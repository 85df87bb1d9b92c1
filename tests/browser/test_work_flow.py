"""A worker labels in the browser: the queue, the labeling page and the task frame together."""

import re
import time

from apps.tasks.models import Assignment
from tests.browser.conftest import screenshot, select_text
from tests.work import text_project

FRAME = "iframe[data-task-frame]"


def task_frame(page):
    frame = page.frame_locator(FRAME)
    frame.locator("crowd-form").wait_for()
    return frame


def wait_for_assignment_change(page, previous_url: str) -> None:
    deadline = time.monotonic() + 10
    while page.url == previous_url:
        assert time.monotonic() < deadline, "did not move on to the next task"
        page.wait_for_timeout(50)
    page.wait_for_load_state()


def test_worker_labels_with_mouse_and_keyboard_declines_and_sees_the_countdown(owner, worker_page):
    project, (worker, _) = text_project(owner, items=3, task_time_limit_seconds=300)
    page = worker_page(worker)

    page.goto("/work/tasks/")
    page.get_by_role("button", name="Start").first.click()
    page.wait_for_url(re.compile(r"/work/assignments/\d+/$"))
    countdown = page.locator("[data-testid=countdown]")
    countdown.filter(has_text=re.compile(r"^[45]:\d\d$")).wait_for()

    # First item with the mouse.
    task_frame(page).locator("crowd-classifier button.choice", has_text="positive").click()
    screenshot(page, "work-labeling")
    first_url = page.url
    task_frame(page).locator("crowd-form crowd-button").click()
    wait_for_assignment_change(page, first_url)

    # Second with the keyboard: digit 2 picks "negative", Enter submits.
    task_frame(page).locator("crowd-classifier button.choice").first.wait_for()
    page.locator(FRAME).click(position={"x": 5, "y": 5})
    page.keyboard.press("2")
    second_url = page.url
    page.keyboard.press("Enter")
    wait_for_assignment_change(page, second_url)

    # Third: decline it; no more work for this worker.
    task_frame(page)
    page.get_by_role("button", name="Decline").click()
    page.wait_for_url(re.compile(r"/work/tasks/$"))
    screenshot(page, "work-tasks")

    answers = list(
        Assignment.objects.filter(project=project, worker=worker, status="submitted")
        .order_by("task_id")
        .values_list("answer", flat=True)
    )
    assert answers == [
        {"crowd-classifier": {"label": "positive"}},
        {"crowd-classifier": {"label": "negative"}},
    ]
    assert Assignment.objects.filter(worker=worker, status="declined").count() == 1
    assert page.console_errors == []


def test_worker_marks_entities_by_selecting_text(owner, worker_page):
    project, (worker, _) = text_project(
        owner,
        items=1,
        task_type="named_entity_recognition",
        label_attribute_name="entities",
        labels=[{"label": "person"}, {"label": "place"}],
    )
    page = worker_page(worker)
    page.goto("/work/tasks/")
    page.get_by_role("button", name="Start").first.click()
    page.wait_for_url(re.compile(r"/work/assignments/\d+/$"))
    frame = task_frame(page)
    frame.locator("crowd-entity-annotation .text").wait_for()

    select_text(page, frame, "crowd-entity-annotation .text", "number", frame_selector=FRAME)
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    text = "text number 0"
    start = text.index("number")
    assert Assignment.objects.get(project=project).answer == {
        "crowd-entity-annotation": {
            "entities": [{"startOffset": start, "endOffset": start + 6, "label": "place"}]
        }
    }
