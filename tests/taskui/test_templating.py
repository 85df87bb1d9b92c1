from pathlib import Path

import pytest

from apps.core.errors import DomainError, NotFound
from apps.taskui.builtin import BUILTIN_TEMPLATES, SAMPLE_INPUTS, builtin_template
from apps.taskui.errors import TemplateRenderError
from apps.taskui.templating import OUTPUT_MAX_CHARS, TEMPLATE_MAX_CHARS, render_task_template
from tests.task_ui_fixtures import FIXTURES


def render(source: str, **task_input) -> str:
    return render_task_template(source=source, task_input=task_input)


def test_output_is_html_escaped_as_ground_truth_does():
    assert (
        render("Have you read {{ task.input.title }}?", title="'James & the Giant Peach'")
        == "Have you read &#39;James &amp; the Giant Peach&#39;?"
    )


def test_objects_and_arrays_print_as_json():
    assert render("{{ task.input.labels }}", labels=["a", "b"]) == "[&#34;a&#34;, &#34;b&#34;]"
    assert render("{{ task.input.box }}", box={"left": 3, "tags": []}) == (
        "{&#34;left&#34;: 3, &#34;tags&#34;: []}"
    )


def test_to_json_is_escaped_exactly_once_with_or_without_escape():
    labels = ["Cat", "Bird's nest"]
    expected = "[&#34;Cat&#34;, &#34;Bird&#39;s nest&#34;]"
    assert render("{{ task.input.labels | to_json }}", labels=labels) == expected
    assert render("{{ task.input.labels | to_json | escape }}", labels=labels) == expected


def test_skip_autoescape_escape_once_and_hyphenated_paths():
    assert render("{{ task.input.html | skip_autoescape }}", html="<b>hi</b>") == "<b>hi</b>"
    assert render("{{ task.input.text | escape_once }}", text="&amp; <") == "&amp; &lt;"
    assert render("{{ task.input.m.label-attr }}", m={"label-attr": "x"}) == "x"
    assert render("[{{ task.input.missing }}]") == "[]"


def test_loops_number_their_rows():
    source = (
        "{% for pair in task.input.pairs %}"
        "<i name='t{{ forloop.index }}'>{{ pair.a }}</i>{% endfor %}"
    )
    assert render(source, pairs=[{"a": "x"}, {"a": "<y>"}]) == (
        "<i name='t1'>x</i><i name='t2'>&lt;y&gt;</i>"
    )


def test_grant_read_access_calls_the_injected_function():
    seen = []

    def sign(uri: str) -> str:
        seen.append(uri)
        return "https://files.example/signed?token=a&b=1"

    rendered = render_task_template(
        source='<img src="{{ task.input.taskObject | grant_read_access }}">',
        task_input={"taskObject": "s3://bucket/cat.jpg"},
        grant_read_access=sign,
    )
    assert rendered == '<img src="https://files.example/signed?token=a&amp;b=1">'
    assert seen == ["s3://bucket/cat.jpg"]


def test_grant_read_access_alone_passes_only_http_urls():
    source = "{{ task.input.url | grant_read_access }}"
    assert render(source, url="https://example.com/a.png") == "https://example.com/a.png"
    with pytest.raises(TemplateRenderError) as error:
        render("<p>\n{{ task.input.url | grant_read_access }}", url="s3://bucket/secret.png")
    assert error.value.line == 2
    assert error.value.message == (
        "Line 2: grant_read_access cannot open 's3://bucket/secret.png': only http(s) URLs"
        " are allowed here (in: {{ task.input.url | grant_read_access }})"
    )
    with pytest.raises(TemplateRenderError):
        render(source, url="file:///etc/passwd")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "a\n{{ task.input | nope }}",
            "Line 2: unknown filter 'nope' (in: {{ task.input | nope }})",
        ),
        (
            "a\n{% for x in y %}\nb",
            "Line 3 (end of the template): expected tag endfor, found end of expression",
        ),
        ("{% include 'other' %}", "Line 1: unexpected tag 'include' (in: {% include 'other' %})"),
        ("x\n\n{% if %}", "Line 3: missing expression (in: {% if %})"),
    ],
)
def test_errors_name_the_line_and_the_problem(source, message):
    with pytest.raises(TemplateRenderError) as error:
        render(source)
    assert isinstance(error.value, DomainError)
    assert error.value.status == 400
    assert error.value.code == "template_error"
    assert error.value.message == message
    assert error.value.details == {"template": [message]}


def test_template_and_output_sizes_are_limited():
    with pytest.raises(TemplateRenderError, match=f"the limit is {TEMPLATE_MAX_CHARS}"):
        render("x" * (TEMPLATE_MAX_CHARS + 1))
    blow_up = (
        "{% for i in (1..1000) %}{% for j in (1..100) %}{{ task.input.s }}{% endfor %}{% endfor %}"
    )
    with pytest.raises(TemplateRenderError, match=f"larger than {OUTPUT_MAX_CHARS}"):
        render(blow_up, s="x" * 100)
    with pytest.raises(TemplateRenderError, match="loop iteration limit"):
        render("{% for i in (1..100000000) %}{% endfor %}")
    with pytest.raises(TemplateRenderError, match="empty"):
        render("  ")


def test_every_shared_fixture_template_renders():
    inputs = {
        "taskObject": "s3://bucket/object.jpg",
        "labels": ["a", "b"],
        "translationPairs": [{"originalText": "o", "translation": "t"}],
        "aiServiceRequest": {"document": {"s3Object": {"bucket": "b", "name": "n"}}},
    }
    files = sorted(Path(FIXTURES).rglob("*.html"))
    assert len(files) == 62
    signed = 0
    for path in files:
        rendered = render_task_template(
            source=path.read_text(encoding="utf-8"),
            task_input=inputs,
            grant_read_access=lambda uri: "https://signed.example/" + uri.removeprefix("s3://"),
        )
        signed += "https://signed.example/bucket/object.jpg" in rendered
    assert signed == 30  # the templates passing task.input.taskObject to grant_read_access


def test_builtin_templates_render_their_sample_inputs():
    assert set(BUILTIN_TEMPLATES) == {
        "TextMultiClass",
        "TextMultiClassMultiLabel",
        "NamedEntityRecognition",
        "ImageMultiClass",
        "ImageMultiClassMultiLabel",
        "BoundingBox",
        "SemanticSegmentation",
        "InstanceSegmentation",
        "LabelVerification",
        "Keypoint",
        "Polygon",
        "Polyline",
        "VideoClassification",
        "VideoObjectDetection",
        "VideoObjectTracking",
    }
    for task_type in BUILTIN_TEMPLATES:
        page = render_task_template(
            source=builtin_template(task_type), task_input=SAMPLE_INPUTS[task_type]
        )
        assert "{%" not in page and "endcomment" not in page and "<crowd-form>" in page
    rendered = render_task_template(
        source=builtin_template("TextMultiClass"), task_input=SAMPLE_INPUTS["TextMultiClass"]
    )
    assert 'name="crowd-classifier"' in rendered
    assert 'categories="[&#34;Positive&#34;, &#34;Negative&#34;, &#34;Neutral&#34;]"' in rendered
    assert "<p>Choose the sentiment the <b>writer</b> expresses.</p>" in rendered
    assert "{%" not in rendered and "endcomment" not in rendered

    ner = render_task_template(
        source=builtin_template("NamedEntityRecognition"),
        task_input={"source": 'Say "hi" <now>', "labels": ["person"]},
    )
    assert 'text="Say &#34;hi&#34; &lt;now&gt;"' in ner
    assert 'labels="[&#34;person&#34;]"' in ner


def test_builtin_template_refuses_an_unknown_task_type():
    with pytest.raises(NotFound):
        builtin_template("PointCloudSemanticSegmentation")
