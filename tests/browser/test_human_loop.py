"""A human loop answered by a real worker in the browser: started through the REST API, worked
in the same queue and task frame as labeling work, its output.json written, and the answer
shown to the requester on the loop's page."""

import json
import re
import time

from django.urls import reverse
from rest_framework.test import APIClient

from apps.datasets import services as dataset_services
from apps.reviews import services
from apps.reviews.models import HumanLoop
from tests.browser.test_work_flow import FRAME, task_frame
from tests.browser.test_work_flow import worker_page as worker_page  # the fixture
from tests.workforces.helpers import private_team, worker_of

TEMPLATE = """<crowd-form>
  <crowd-classifier name="sentiment" categories='["positive", "negative", "neutral"]'
                    header="What is the sentiment of this review?">
    <classification-target><p class="crowd-text">{{ task.input.text }}</p></classification-target>
  </crowd-classifier>
</crowd-form>"""


def test_a_worker_answers_a_human_loop_in_the_browser(owner, worker_page, settings):
    organization = owner.organization
    worker = worker_of(organization)
    team = private_team(owner, name="reviewers", members=[worker])
    (settings.DATASETS_LOCAL_ROOT / organization.slug / "out").mkdir(parents=True)
    storage = dataset_services.storage_create(
        organization=organization, actor=owner.user, name="Output", kind="local", path="out"
    )
    ui = services.human_task_ui_create(
        organization=organization, actor=owner.user, name="sentiment-ui", content=TEMPLATE
    )
    services.flow_definition_create(
        organization=organization,
        actor=owner.user,
        name="fd-sentiment",
        human_task_ui=ui,
        workteam=team,
        output_storage=storage,
        task_title="Check a sentiment prediction",
        task_description="The model was unsure: what is the sentiment?",
    )
    api = APIClient()
    api.force_authenticate(owner.user)
    started = api.post(
        reverse("human-loop-list", kwargs={"org_slug": organization.slug}),
        {
            "name": "review-1",
            "flow_definition": "fd-sentiment",
            "input_content": json.dumps({"text": "The plot was thin but I loved it."}),
        },
        format="json",
    )
    assert started.status_code == 201, started.content

    page = worker_page(worker)
    page.goto("/work/tasks/")
    page.get_by_role("button", name="Start").first.click()
    page.wait_for_url(re.compile(r"/work/assignments/\d+/$"))
    frame = task_frame(page)
    assert "The plot was thin but I loved it." in frame.locator("crowd-form").inner_text()
    frame.locator("crowd-classifier button.choice", has_text="positive").click()
    frame.locator("crowd-form crowd-button").click()
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    deadline = time.monotonic() + 10
    while HumanLoop.objects.get(name="review-1").status != "Completed":
        assert time.monotonic() < deadline, "the loop did not complete"
        time.sleep(0.05)
    loop = HumanLoop.objects.get(name="review-1")
    output_file = settings.DATASETS_LOCAL_ROOT / organization.slug / "out" / loop.output_key
    output = json.loads(output_file.read_text())
    assert [a["answerContent"] for a in output["humanAnswers"]] == [
        {"sentiment": {"label": "positive"}}
    ]
    assert page.console_errors == []

    requester_page = worker_page(owner.user)
    requester_page.goto(f"/orgs/{organization.slug}/reviews/loops/review-1/")
    assert requester_page.locator("[data-testid=loop-status]").inner_text() == "Completed"
    assert '"label": "positive"' in requester_page.locator("[data-testid=loop-answer]").inner_text()
    assert page.locator(FRAME).count() == 0
