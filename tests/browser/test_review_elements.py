"""A2I's review elements and the generative-AI (V2) elements: interactive, submitting
their documented (or, where undocumented, our documented) JSON."""

import pytest

from tests.browser.conftest import fixture_template, render_in_preview, screenshot, submitted_answer
from tests.browser.images import serve_images

A2I = "amazon-a2i-sample-task-uis/"
GT = "amazon-sagemaker-ground-truth-task-uis/"
S3_CAPTURE = "{{ s3_uri | grant_read_access }}"
TEXTRACT = "AWS/Textract/AnalyzeDocument/Forms/V1"


def a2i_template(path: str) -> str:
    # The preview signs no s3:// URIs; the image comes from the test route instead.
    return fixture_template(A2I + path).replace(S3_CAPTURE, "{{ task.input.taskObject }}")


def test_moderation_review_returns_the_chosen_category_objects(page, requester):
    urls = serve_images(page, {"photo.png": (800, 600)})
    frame = render_in_preview(
        page,
        requester,
        template=a2i_template("images/rekognition_detect_moderation.liquid.html"),
        task_input={
            "taskObject": urls["photo.png"],
            "selectedAiServiceResponse": {
                "moderationLabels": [
                    {"name": "Weapons", "parentName": "Violence"},
                    {"name": "Gore", "parentName": "Violence"},
                ]
            },
        },
    )
    choices = frame.locator("crowd-rekognition-detect-moderation-labels button.choice")
    assert choices.all_inner_texts()[2].startswith("None")
    choices.nth(1).click()
    screenshot(page, "a2i-moderation")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()
    assert submitted_answer(page) == {
        "AWS/Rekognition/DetectModerationLabels/Image/V3": {
            "moderationLabels": [{"name": "Gore", "parentName": "Violence"}]
        }
    }

    choices.nth(2).click()  # None replaces the other choices and submits an empty list
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()
    page.locator("#taskui-answer", has_text="[]").wait_for()
    assert submitted_answer(page) == {
        "AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": []}
    }


def textract_blocks() -> list[dict]:
    def geometry(left, top):
        return {"boundingBox": {"left": left, "top": top, "width": 0.2, "height": 0.05}}

    return [
        {
            "blockType": "KEY_VALUE_SET",
            "id": "k1",
            "entityTypes": ["KEY"],
            "geometry": geometry(0.1, 0.1),
            "relationships": [{"type": "VALUE", "ids": ["v1"]}, {"type": "CHILD", "ids": ["w1"]}],
        },
        {
            "blockType": "KEY_VALUE_SET",
            "id": "v1",
            "entityTypes": ["VALUE"],
            "geometry": geometry(0.35, 0.1),
            "relationships": [{"type": "CHILD", "ids": ["w2"]}],
        },
        {"blockType": "WORD", "id": "w1", "text": "Name:"},
        {"blockType": "WORD", "id": "w2", "text": "Jane Doa"},
        {
            "blockType": "KEY_VALUE_SET",
            "id": "k2",
            "entityTypes": ["KEY"],
            "geometry": geometry(0.1, 0.3),
            "relationships": [{"type": "VALUE", "ids": ["v2"]}, {"type": "CHILD", "ids": ["w3"]}],
        },
        {
            "blockType": "KEY_VALUE_SET",
            "id": "v2",
            "entityTypes": ["VALUE"],
            "geometry": geometry(0.35, 0.3),
            "relationships": [{"type": "CHILD", "ids": ["w4"]}],
        },
        {"blockType": "WORD", "id": "w3", "text": "Page"},
        {"blockType": "WORD", "id": "w4", "text": "1"},
    ]


def test_textract_review_corrects_values_and_drops_invalid_pairs(page, requester):
    urls = serve_images(page, {"form.png": (850, 1100)})
    frame = render_in_preview(
        page,
        requester,
        template=a2i_template("text/textract_analyze_document.liquid.html"),
        task_input={
            "taskObject": urls["form.png"],
            "selectedAiServiceResponse": {"blocks": textract_blocks()},
            "humanLoopContext": {
                "importantFormKeys": [
                    {"importantFormKey": "Name:", "importantFormKeyAliases": ["Full name"]},
                    {"importantFormKey": "Date of birth"},
                ]
            },
        },
    )
    element = frame.locator("crowd-textract-analyze-document")
    assert element.locator(".pair.important .key").inner_text() == "Name:"
    assert "Date of birth" in element.locator(".missing").inner_text()
    value = element.locator(".pair").first.locator("input[data-field=valueText]")
    value.fill("Jane Doe")
    assert element.locator("rect.active").count() == 2  # the pair's boxes light up
    element.locator(".pair").nth(1).locator("input[data-field=invalid]").check()
    screenshot(page, "a2i-textract")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()

    assert submitted_answer(page) == {
        "AWS/Textract/AnalyzeDocument/Forms/V1": {
            "blocks": [
                {
                    "blockType": "KEY_VALUE_SET",
                    "id": "k1",
                    "entityTypes": ["KEY"],
                    "text": "Name:",
                    "relationships": [{"type": "VALUE", "ids": ["v1"]}],
                },
                {
                    "blockType": "KEY_VALUE_SET",
                    "id": "v1",
                    "entityTypes": ["VALUE"],
                    "text": "Jane Doe",
                    "relationships": [],
                },
            ]
        }
    }


def test_text_ranking_needs_every_rank_and_no_ties_where_refused(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "gen-ai/text-ranking.liquid.html"),
        task_input={
            "source": "Explain rain.",
            "responses": ["Clouds drop water.", "Magic.", "Condensation."],
        },
    )
    ranking = frame.locator("crowd-text-ranking")
    for dimension, ranks in ((0, ["2", "3", "1"]), (1, ["1", "1", "2"])):
        for response, rank in enumerate(ranks):
            ranking.locator(
                f"select[data-dimension='{dimension}'][data-response='{response}']"
            ).select_option(rank)
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()
    assert ranking.locator(".error").inner_text() == (
        "Inclusivity allows no ties: give each response its own rank."
    )
    ranking.locator("select[data-dimension='1'][data-response='1']").select_option("3")
    screenshot(page, "v2-text-ranking")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()

    assert submitted_answer(page) == {
        "textRanking": {
            "ordinalRankingDimensions": [
                {"name": "Clarity", "responseRankings": [2, 3, 1]},
                {"name": "Inclusivity", "responseRankings": [1, 3, 2]},
            ]
        }
    }


def test_question_answer_generation_collects_tagged_pairs(page, requester):
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "gen-ai/question-and-answer-pair.liquid.html"),
        task_input={"source": "The Nile flows north into the Mediterranean."},
    )
    qa = frame.locator("crowd-question-answer-generation")
    qa.locator(".pair .tag").fill("Where")
    qa.locator(".pair .question").fill("Where does the Nile flow?")
    qa.locator(".pair .answer").fill("Into the Mediterranean")
    qa.locator("button.add").click()
    qa.locator(".pair").nth(1).locator(".question").fill("Which way?")
    qa.locator(".pair").nth(1).locator(".answer").fill("North")
    qa.locator(".pair").nth(1).locator(".tag").fill("Which")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()

    assert submitted_answer(page) == {
        "questionAndAnswers": {
            "questionAnswerPairs": [
                {
                    "question": "Where does the Nile flow?",
                    "answer": "Into the Mediterranean",
                    "questionTag": "Where",
                },
                {"question": "Which way?", "answer": "North", "questionTag": "Which"},
            ]
        }
    }


def test_textract_review_moves_and_resizes_boxes_and_submits_their_geometry(page, requester):
    urls = serve_images(page, {"form.png": (850, 1100)})
    template = a2i_template("text/textract_analyze_document.liquid.html")
    frame = render_in_preview(
        page,
        requester,
        template=template.replace("    no-geometry-edit\n", "", 1),
        task_input={
            "taskObject": urls["form.png"],
            "selectedAiServiceResponse": {"blocks": textract_blocks()},
            "humanLoopContext": {"importantFormKeys": []},
        },
    )
    element = frame.locator("crowd-textract-analyze-document")
    page_box = element.locator("svg").bounding_box()

    def drag(locator, dx, dy):
        box = locator.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y + dy, steps=5)
        page.mouse.up()

    drag(element.locator('rect[data-index="0"][data-kind="key"]'), 85, 22)  # move the key
    value = element.locator('rect[data-index="0"][data-kind="value"]')
    value.click()  # selects it: its corner handles show; a click moves nothing
    drag(element.locator('rect.handle[data-corner="se"]'), 51, 33)  # resize the value
    screenshot(page, "a2i-textract-geometry")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()

    blocks = {block["id"]: block for block in submitted_answer(page)[TEXTRACT]["blocks"]}
    near = {"abs": 0.004}
    key = blocks["k1"]["geometry"]["boundingBox"]
    assert key == {
        "left": pytest.approx(0.1 + 85 / page_box["width"], **near),
        "top": pytest.approx(0.1 + 22 / page_box["height"], **near),
        "width": pytest.approx(0.2),
        "height": pytest.approx(0.05),
    }
    right, bottom = key["left"] + key["width"], key["top"] + key["height"]
    assert blocks["k1"]["geometry"]["polygon"] == [
        {"x": key["left"], "y": key["top"]},
        {"x": pytest.approx(right), "y": key["top"]},
        {"x": pytest.approx(right), "y": pytest.approx(bottom)},
        {"x": key["left"], "y": pytest.approx(bottom)},
    ]
    assert blocks["v1"]["geometry"]["boundingBox"] == {
        "left": pytest.approx(0.35),
        "top": pytest.approx(0.1),
        "width": pytest.approx(0.2 + 51 / page_box["width"], **near),
        "height": pytest.approx(0.05 + 33 / page_box["height"], **near),
    }
    given = {block["id"]: block["geometry"] for block in textract_blocks() if "geometry" in block}
    assert blocks["k2"]["geometry"] == given["k2"]  # untouched boxes: as Textract gave them
    assert blocks["v2"]["geometry"] == given["v2"]
    assert (blocks["v1"]["text"], blocks["k1"]["relationships"]) == (
        "Jane Doa",
        [{"type": "VALUE", "ids": ["v1"]}],
    )
