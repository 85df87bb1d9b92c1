"""Real Ground Truth templates (shared/fixtures/task-uis) rendered in the task frame,
filled with mouse and keyboard, submitting exactly the JSON the fixtures README lists."""

import re

from apps.taskui.builtin import SAMPLE_INPUTS, builtin_template
from tests.browser.conftest import (
    FIXTURES,
    fixture_template,
    render_in_preview,
    screenshot,
    select_text,
    submitted_answer,
)

GT = "amazon-sagemaker-ground-truth-task-uis/"


def answer_is_not_shown(page) -> bool:
    return "{" not in page.locator("#taskui-answer").inner_text()


def test_text_classification_is_answered_with_a_digit_and_enter(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/text-classification.liquid.html"),
        task_input={"taskObject": "The battery died after an hour. Never again."},
    )
    frame.locator("crowd-classifier button.choice").first.wait_for()
    page.locator("#taskui-frame").click(position={"x": 5, "y": 5})  # focus the frame
    page.keyboard.press("2")
    screenshot(page, "text-classification")
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {"category": {"label": "Negative"}}
    assert page.console_errors == []


def test_text_classification_refuses_to_submit_without_a_choice(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/sentiment-analysis-tweet.liquid.html"),
        task_input={"taskObject": "Just landed in Lisbon ☀️"},
    )
    frame.locator("crowd-form crowd-button").click()

    assert frame.locator("crowd-classifier .error").inner_text() == "Choose a category."
    assert answer_is_not_shown(page)
    frame.locator("crowd-classifier button.choice", has_text="Positive").click()
    frame.locator("crowd-form crowd-button").click()
    assert submitted_answer(page) == {"sentiment": {"label": "Positive"}}


def test_multi_select_classifier_submits_the_chosen_labels(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/text-classification-multiselect.liquid.html"),
        task_input={"taskObject": "Loved the food, hated the wait."},
    )
    choices = frame.locator("crowd-classifier-multi-select button.choice")
    choices.nth(3).click()  # "None of the above" ...
    choices.nth(0).click()  # ... is dropped when a category is picked
    page.keyboard.press("2")
    screenshot(page, "text-classification-multiselect")
    frame.locator("crowd-form crowd-button").click()

    assert submitted_answer(page) == {"category": {"labels": ["Positive", "Negative"]}}


def test_named_entity_recognition_marks_spans_selected_with_the_mouse(page, requester):
    text = "Ada Lovelace met Charles Babbage in London in June 1833."
    labels = [
        {"label": "person", "shortDisplayName": "PER", "fullDisplayName": "Person"},
        {"label": "location", "shortDisplayName": "LOC", "fullDisplayName": "Location"},
    ]
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/named-entity-recognition.liquid.html"),
        task_input={"taskObject": text, "labels": labels},
    )
    select_text(page, frame, "crowd-entity-annotation .text", "Ada Lovelace")
    page.keyboard.press("1")
    select_text(page, frame, "crowd-entity-annotation .text", "London")
    frame.locator("crowd-entity-annotation button.label", has_text="Location").click()
    select_text(page, frame, "crowd-entity-annotation .text", "Charles Babbage")
    page.keyboard.press("2")
    # Wrong label: remove it with its × and mark it again.
    frame.locator("crowd-entity-annotation mark", has_text="Charles Babbage").locator(
        "button.remove"
    ).click()
    select_text(page, frame, "crowd-entity-annotation .text", "Charles Babbage")
    page.keyboard.press("1")
    screenshot(page, "named-entity-recognition")
    page.keyboard.press("Enter")

    def span(words: str, label: str) -> dict:
        start = text.index(words)
        return {"startOffset": start, "endOffset": start + len(words), "label": label}

    assert submitted_answer(page) == {
        "entities": {
            "entities": [
                span("Ada Lovelace", "person"),
                span("Charles Babbage", "person"),
                span("London", "location"),
            ]
        }
    }


def test_entity_offsets_count_unicode_code_points(page, requester):
    text = "🎉 Zoë visited Zürich"
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/key-phrase-extraction.html"),
        task_input={"taskObject": text},
    )
    select_text(page, frame, "crowd-entity-annotation .text", "Zürich")
    page.keyboard.press("1")
    frame.locator("crowd-entity-annotation crowd-form crowd-button").click()

    start = text.index("Zürich")  # Python counts code points, as Ground Truth does
    assert submitted_answer(page) == {
        "key-phrases": {
            "entities": [{"startOffset": start, "endOffset": start + 6, "label": "keyPhrase"}]
        }
    }


def test_ner_with_additional_classification_submits_the_appended_questions(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(
            GT + "text/named-entity-recognition-with-additional-classification.liquid.html"
        ),
        task_input={},
    )
    select_text(page, frame, "crowd-entity-annotation .text", "Amazon")
    page.keyboard.press("3")
    frame.locator("crowd-radio-button", has_text="Technology").click()
    screenshot(page, "ner-additional-classification")
    frame.locator("crowd-entity-annotation crowd-form crowd-button").click()

    assert submitted_answer(page) == {
        "crowd-entity-annotation": {
            "entities": [{"startOffset": 0, "endOffset": 6, "label": "company"}]
        },
        "tech": {"tech": True},
        "politics": {"politics": False},
    }


def test_fill_in_the_blank_is_typed_and_submitted_with_enter(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/fill-in-the-blank.liquid.html"),
        task_input={"textBeginning": "The cat sat on the", "textEnd": "all afternoon."},
    )
    frame.locator("crowd-input").click()
    page.keyboard.type("mat")
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {"nextWord": "mat"}


def test_fill_out_the_sentence_submits_both_inputs(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/fill-out-the-sentence.liquid.html"),
        task_input={"text": "went to the market"},
    )
    frame.locator("crowd-input[name=beginning]").click()
    page.keyboard.type("Yesterday my aunt")
    page.keyboard.press("Tab")
    page.keyboard.type("to buy apples.")
    screenshot(page, "fill-out-the-sentence")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()

    assert submitted_answer(page) == {"beginning": "Yesterday my aunt", "end": "to buy apples."}


def test_an_empty_crowd_input_is_left_out(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/fill-out-the-sentence.liquid.html"),
        task_input={"text": "went to the market"},
    )
    frame.locator("crowd-input[name=end]").click()
    page.keyboard.type("for bread.")
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {"end": "for bread."}


def test_translation_review_submits_text_areas_and_native_radios(page, requester):
    pairs = [
        {"originalText": "Bonjour le monde", "translation": "Hello world"},
        {"originalText": "Le chat dort", "translation": "The dog sleeps"},
    ]
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/translation-review-and-correction.liquid.html"),
        task_input={"translationPairs": pairs},
    )
    frame.locator("crowd-form crowd-button").click()  # ratings are required
    assert answer_is_not_shown(page)

    frame.locator("crowd-text-area[name=translation2]").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("The cat sleeps")
    frame.locator("#good1").click()
    frame.locator("label[for=bad2]").click()
    screenshot(page, "translation-review")
    frame.locator("crowd-form crowd-button").click()

    assert submitted_answer(page) == {
        "translation1": "Hello world",
        "translation2": "The cat sleeps",
        "rating1": {"good": True, "bad": False},
        "rating2": {"good": False, "bad": True},
    }


def test_subcategory_checkboxes_revealed_by_the_template_script(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/text-classification-with-subcategories.liquid.html"),
        task_input={"source": "The new graphics card doubles the frame rate."},
    )
    assert not frame.locator("input[name=subcategory1_2]").is_visible()
    frame.locator("input[name=category1]").check()  # onchange="toggleSubcategories(...)"
    frame.locator("input[name=subcategory1_2]").check()
    screenshot(page, "text-classification-with-subcategories")
    frame.locator("crowd-button[form-action=submit]").click()

    assert submitted_answer(page) == {
        "category1": {"on": True},
        "subcategory1_1": {"on": False},
        "subcategory1_2": {"on": True},
        "category2": {"on": False},
        "subcategory2_1": {"on": False},
        "subcategory2_2": {"on": False},
    }


def test_hierarchical_taxonomy_built_by_script_submits_its_radios(page, requester):
    template = fixture_template(GT + "text/iab-content-taxonomy-hierarchical.liquid.html")
    codes = re.findall(r"(?:^|`)(IAB[\d-]+)\t", template, flags=re.MULTILINE)
    frame = render_in_preview(
        page, requester, template=template, task_input={"source": "Top 10 classic car shows"}
    )
    frame.locator(".toggle-button[data-code=IAB2]").click()
    frame.locator("label.category-label", has_text="Car Culture").click()
    frame.locator("input[name=not_sure]").check()
    frame.locator("#additional_comments").fill("Could also be Events.")
    screenshot(page, "iab-taxonomy")
    frame.locator("crowd-button[form-action=submit]").click()

    assert submitted_answer(page) == {
        "category_selection": {code: code == "IAB2-2" for code in codes},
        "not_sure": {"on": True},
        "additional_comments": "Could also be Events.",
    }


def test_dropdown_select_submits_the_option_value(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(
            GT + "images/image-classification-with-dropdown-select.liquid.html"
        ),
        task_input={"taskObject": "https://images.example.com/pets/17.jpg"},
    )
    assert frame.locator("img").get_attribute("src") == "https://images.example.com/pets/17.jpg"
    frame.locator("crowd-form crowd-button").click()  # the select is required
    assert answer_is_not_shown(page)
    frame.locator("select[name=animal]").select_option("dog")
    frame.locator("crowd-form crowd-button").click()

    assert submitted_answer(page) == {"animal": "dog"}


def test_survey_code_is_submitted(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "other/survey-link.liquid.html"),
        task_input={"surveyLink": "https://survey.example.com/s/42"},
    )
    assert frame.locator("a").inner_text() == "https://survey.example.com/s/42"
    frame.locator("crowd-input").click()
    page.keyboard.type("884213")
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {"survey-code": "884213"}


def test_content_moderation_checkboxes_enabled_by_the_template_script(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "gen-ai/content-moderation-ai-model-output.liquid.html"),
        task_input={
            "source": "Write a reply to this review.",
            "modelResponses": ["Thanks for the feedback!", "Nobody cares, idiot."],
        },
    )
    hate = frame.locator("crowd-checkbox[value=hate]")
    assert hate.get_attribute("disabled") is not None
    frame.locator("label[for=toxic]").click()
    hate.click()
    frame.locator("crowd-checkbox[value=profanity]").click()
    frame.locator("#additional-context").fill("Response 2 insults the user.")
    screenshot(page, "content-moderation")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()

    values = ["toxicity", "hate", "identity-attack", "violence", "physical-safety"]
    values += ["sexual-material", "profanity", "other"]
    assert submitted_answer(page) == {
        "toxicity": {"toxic": True, "non-toxic": False},
        "nature-of-toxicity": {value: value in ("hate", "profanity") for value in values},
        "additional-context": "Response 2 insults the user.",
    }


def test_sliders_are_set_with_the_keyboard(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "gen-ai/multi-modal-content-evaluation.liquid.html"),
        task_input={
            "source": "Describe the picture.",
            "image": "https://images.example.com/beach.jpg",
            "modelResponse": "A beach at sunset.",
        },
    )
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()
    assert answer_is_not_shown(page)  # sliders are required: move them first
    frame.locator("crowd-slider[name=accuracy] input[type=range]").focus()
    page.keyboard.press("End")
    frame.locator("crowd-slider[name=relevance] input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    frame.locator("crowd-slider[name=completeness] input[type=range]").focus()
    page.keyboard.press("Home")
    screenshot(page, "sliders")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()

    assert submitted_answer(page) == {
        "accuracy": 5,
        "relevance": 4,
        "completeness": 1,
        "additional-context": "",
    }


def test_builtin_named_entity_recognition(page, requester):
    task_input = SAMPLE_INPUTS["NamedEntityRecognition"]
    frame = render_in_preview(
        page,
        requester,
        template=builtin_template("NamedEntityRecognition"),
        task_input=task_input,
    )
    select_text(page, frame, "crowd-entity-annotation .text", "London")
    page.keyboard.press("2")
    screenshot(page, "builtin-ner")
    page.keyboard.press("Enter")

    start = task_input["source"].index("London")
    assert submitted_answer(page) == {
        "crowd-entity-annotation": {
            "entities": [{"startOffset": start, "endOffset": start + 6, "label": "location"}]
        }
    }


def test_builtin_text_classifications(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=builtin_template("TextMultiClassMultiLabel"),
        task_input=SAMPLE_INPUTS["TextMultiClassMultiLabel"],
    )
    frame.locator("crowd-classifier-multi-select button.choice").first.wait_for()
    page.locator("#taskui-frame").click(position={"x": 5, "y": 5})
    page.keyboard.press("1")
    page.keyboard.press("3")
    screenshot(page, "builtin-multilabel")
    page.keyboard.press("Enter")
    assert submitted_answer(page) == {
        "crowd-classifier-multi-select": {"labels": ["Camera", "Screen"]}
    }


def test_image_tagging_with_crowd_instructions_and_required_inputs(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "images/image-tagging.liquid.html"),
        task_input={"taskObject": "https://images.example.com/street.jpg"},
    )
    frame.locator("crowd-instructions button.opener").click()
    assert frame.locator("crowd-instructions short-summary").is_visible()
    assert frame.locator("crowd-instructions negative-example").is_hidden()
    frame.locator("crowd-instructions button[data-tab=examples]").click()
    screenshot(page, "image-tagging-instructions")
    assert frame.locator("crowd-instructions negative-example").is_visible()
    assert frame.locator("crowd-instructions short-summary").is_hidden()
    frame.locator("crowd-instructions button.close").click()

    frame.locator("crowd-input[name=tag1]").click()
    page.keyboard.type("Highway")
    page.keyboard.press("Enter")  # tag2 and tag3 are required
    assert frame.locator("crowd-input[name=tag2] .error").inner_text() == (
        "This field is required."
    )
    assert answer_is_not_shown(page)
    frame.locator("crowd-input[name=tag2]").click()
    page.keyboard.type("Cars")
    page.keyboard.press("Tab")
    page.keyboard.type("Gas station")
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {"tag1": "Highway", "tag2": "Cars", "tag3": "Gas station"}


def test_tabs_and_hidden_input_of_the_custom_ner_example(page, requester):
    # Its token clicks need jQuery from a CDN, which the frame's policy refuses: the
    # hidden field keeps its initial value, and the form still submits it.
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(
            next(p for p in FIXTURES.rglob("entityrecognition.html"))
            .relative_to(FIXTURES)
            .as_posix()
        ),
        task_input={"tokens": [{"id": 1, "startindex": 0, "tokentext": "Insulin"}]},
    )
    assert frame.locator("crowd-tab[header=Instructions]").is_hidden()
    frame.get_by_role("tab", name="Instructions", exact=True).click()
    assert frame.locator("crowd-tab[header=Instructions]").is_visible()
    assert frame.locator("crowd-tab[header=Task]").is_hidden()
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()

    assert submitted_answer(page) == {"entities": "{}"}


GALLERY = """
<crowd-alert type="warning" dismissible>Check the spelling of names before you submit.</crowd-alert>
<crowd-form>
  <crowd-card heading="Review the listing">
    <p id="title">Vintage road bike, 56 cm frame</p>
    <crowd-badge for="title" label="New"></crowd-badge>
    <crowd-toggle-button name="in-stock">In stock</crowd-toggle-button>
    <crowd-radio-group>
      <crowd-radio-button name="fair" value="fair">Fair price</crowd-radio-button>
      <crowd-radio-button name="high" value="high">Too high</crowd-radio-button>
    </crowd-radio-group>
    <crowd-checkbox name="issues" value="blurry">Blurry photo</crowd-checkbox>
    <crowd-checkbox name="issues" value="wrong-size" checked>Wrong size</crowd-checkbox>
    <crowd-text-area name="note" label="Note for the seller" char-counter max-length="200"
      rows="2"></crowd-text-area>
  </crowd-card>
  <crowd-button form-action="submit">Send review</crowd-button>
</crowd-form>
"""


def test_layout_and_control_elements_submit_their_values(page, requester):
    frame = render_in_preview(page, requester, template=GALLERY, task_input={})
    frame.locator("crowd-toggle-button").click()
    frame.locator("crowd-radio-button[value=fair]").click()
    frame.locator("crowd-radio-button[value=high]").click()  # the group keeps one
    frame.locator("crowd-checkbox[value=blurry]").click()
    frame.locator("crowd-checkbox[value=wrong-size]").click()
    frame.locator("crowd-text-area").click()
    page.keyboard.type("Lovely bike.\nPlease add a photo of the gears.")
    assert frame.locator("crowd-text-area .counter").inner_text() == "45 / 200"
    screenshot(page, "gallery")
    frame.locator("crowd-alert button.dismiss").click()
    assert frame.locator("crowd-alert").count() == 0
    frame.locator("crowd-button", has_text="Send review").click()

    assert submitted_answer(page) == {
        "in-stock": {"on": True},
        "fair": {"fair": False},
        "high": {"high": True},
        "issues": {"blurry": True, "wrong-size": False},
        "note": "Lovely bike.\nPlease add a photo of the gears.",
    }


def test_a_preview_can_be_submitted_again_after_a_change(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "text/intent-detection.liquid.html"),
        task_input={"utterance": "I want to send these shoes back"},
    )
    frame.locator("crowd-classifier button.choice", has_text="Purchase").click()
    page.keyboard.press("Enter")
    assert submitted_answer(page) == {"intent": {"label": "Purchase"}}
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    page.locator("#taskui-answer", has_text="Return").wait_for()
    assert submitted_answer(page) == {"intent": {"label": "Return"}}


def test_elements_not_supported_yet_are_named_in_a_warning(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template="<crowd-form><crowd-point-cloud name='cloud'></crowd-point-cloud></crowd-form>",
        task_input={},
    )
    assert frame.locator("crowd-alert.crowd-unsupported").inner_text() == (
        "This task uses <crowd-point-cloud>, which this version of the task UI does not"
        " support yet."
    )


def test_attribute_literals_are_parsed_leniently(page, requester):
    render_in_preview(page, requester, template="<crowd-form></crowd-form>", task_input={})
    frame = next(candidate for candidate in page.frames if "/task-frame/" in candidate.url)
    cases = [
        "['Positive', 'Negative', 'It\\'s \"fine\"']",
        "{ text: 'None of the above' }",
        "[{'label': 'person', 'shortDisplayName': 'per'}]",
        '[ { name: "Weapons", parentName: "Violence", }, ]',
        '["a", 1, -2.5, true, null]',
        "not a literal",
        "",
    ]
    parsed = frame.evaluate(
        """async (cases) => {
            const { parseLiteral } = await import("/static/crowd/lib.js");
            return cases.map((text) => parseLiteral(text, "fallback"));
        }""",
        cases,
    )

    assert parsed == [
        ["Positive", "Negative", 'It\'s "fine"'],
        {"text": "None of the above"},
        [{"label": "person", "shortDisplayName": "per"}],
        [{"name": "Weapons", "parentName": "Violence"}],
        ["a", 1, -2.5, True, None],
        "fallback",
        "fallback",
    ]
