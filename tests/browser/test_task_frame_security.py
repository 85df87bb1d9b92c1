"""A requester's template is untrusted: in the task frame it can read no cookie, reach
no API, and talk to the page only through the bridge."""

import json

import pytest
from django.core.signals import request_started

from tests.browser.conftest import render_in_preview, submitted_answer

PROBE = """
<crowd-form><p>Probing…</p></crowd-form>
<form id="post" method="post" action="/api/v1/orgs/ORG/members/"><input name="x" value="1"></form>
<script>
  const result = {};
  const attempt = (name, action) => {
    try { result[name] = String(action()); }
    catch (error) { result[name] = "blocked: " + error.name; }
  };
  attempt("cookie", () => document.cookie);
  attempt("localStorage", () => window.localStorage.length);
  attempt("parentCookie", () => window.parent.document.cookie);
  attempt("topLocation", () => window.top.location.href);
  try { navigator.sendBeacon("/api/v1/me/?via=beacon", "x"); } catch (error) { /* either way */ }
  new Image().src = "/api/v1/me/?via=image";
  attempt("formPost", () => document.getElementById("post").submit());
  const probe = (url) => fetch(url, { credentials: "include" }).then(
    (response) => "status " + response.status,
    (error) => "blocked: " + error.name,
  );
  Promise.all([probe("/api/v1/me/"), probe("/api/v1/orgs/ORG/")]).then(([me, org]) => {
    result.fetchMe = me;
    result.fetchOrganization = org;
    setTimeout(() => window.parent.postMessage({ type: "submit", answer: result }, "*"), 300);
  });
</script>
"""


@pytest.fixture
def recorded_requests():
    """Every request that reached Django (path, query, had a session cookie)."""
    seen = []

    def record(sender, environ, **kwargs):
        seen.append(
            (
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
                environ.get("QUERY_STRING", ""),
                "sessionid=" in environ.get("HTTP_COOKIE", ""),
            )
        )

    request_started.connect(record)
    yield seen
    request_started.disconnect(record)


def test_a_template_script_reads_no_cookie_and_reaches_no_api(page, requester, recorded_requests):
    slug = requester.organization.slug
    # Not waiting for the elements: Playwright's evaluate stalls on the frame's blocked
    # form post; the answer arriving is the signal.
    frame = render_in_preview(
        page, requester, template=PROBE.replace("ORG", slug), task_input={}, wait_ready=False
    )

    answer = submitted_answer(page)

    session = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    assert session not in json.dumps(answer)
    assert answer == {
        "cookie": "blocked: SecurityError",
        "localStorage": "blocked: SecurityError",
        "parentCookie": "blocked: SecurityError",
        "topLocation": "blocked: SecurityError",
        "formPost": "undefined",  # submit() returns nothing; form-action 'none' stops it
        "fetchMe": "blocked: TypeError",
        "fetchOrganization": "blocked: TypeError",
    }
    assert frame.locator("crowd-form").count() == 1  # the form post did not navigate away
    api_requests = [request for request in recorded_requests if request[1].startswith("/api/")]
    render_path = f"/api/v1/orgs/{slug}/task-ui/render/"
    # Only the page's own render calls (choosing "custom" renders once, the test once more).
    assert api_requests and {request[:2] for request in api_requests} == {("POST", render_path)}
    # The frame's own document was fetched without the session (it needs none).
    frame_requests = [request for request in recorded_requests if request[1].startswith("/task-")]
    assert frame_requests and all(request[0] == "GET" for request in frame_requests)


def test_the_page_ignores_messages_not_from_its_task_frame(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template="<crowd-form><crowd-input name='word'></crowd-input></crowd-form>",
        task_input={},
    )
    page.evaluate("window.postMessage({type: 'submit', answer: {forged: true}}, '*')")
    page.wait_for_timeout(200)
    assert "forged" not in page.locator("#taskui-answer").inner_text()

    frame.locator("crowd-input").click()
    page.keyboard.type("real")
    page.keyboard.press("Enter")
    assert submitted_answer(page) == {"word": "real"}


def test_the_page_posts_answers_with_its_session_and_csrf_header(page, requester):
    """With data-submit-url the page POSTs {"answer": ...}; a refusal is shown in the frame.
    (The render API refuses an answer with 400; without the CSRF header it would be 403.)"""
    frame = render_in_preview(
        page,
        requester,
        template="<crowd-form><crowd-input name='word'></crowd-input></crowd-form>",
        task_input={},
    )
    render_url = f"/api/v1/orgs/{requester.organization.slug}/task-ui/render/"
    page.locator("#taskui-frame").evaluate(
        "(frame, url) => { frame.dataset.submitUrl = url;"
        " frame.addEventListener('taskframe:rejected', (event) => {"
        " document.body.dataset.rejected = JSON.stringify(event.detail); }); }",
        render_url,
    )
    frame.locator("crowd-input").click()
    page.keyboard.type("hello")
    with page.expect_request(lambda request: request.url.endswith(render_url)) as posted:
        page.keyboard.press("Enter")

    assert posted.value.post_data_json == {"answer": {"word": "hello"}}
    assert posted.value.headers["x-csrftoken"]
    status = frame.locator(".crowd-form__status")
    status.filter(has_text="The input is not valid.").wait_for()
    assert status.get_attribute("data-kind") == "error"
    rejected = json.loads(page.locator("body").get_attribute("data-rejected"))
    assert rejected["status"] == 400
    assert rejected["answer"] == {"word": "hello"}
