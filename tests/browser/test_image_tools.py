"""The image tools in a real browser: drawn with the mouse, edited with mouse and keys,
submitted as exactly the JSON Ground Truth's elements submit."""

import base64
import io

from PIL import Image

from apps.taskui.builtin import builtin_template
from tests.browser.conftest import (
    fixture_template,
    render_in_preview,
    screenshot,
    submitted_answer,
)
from tests.browser.images import Canvas, serve_images

GT = "amazon-sagemaker-ground-truth-task-uis/"
SIZE = {"height": 600, "width": 800}


def open_tool(page, requester, template: str, element: str, **task_input):
    urls = serve_images(page, {"scene.png": (800, 600)})
    frame = render_in_preview(
        page,
        requester,
        template=template,
        task_input={"taskObject": urls["scene.png"], **task_input},
    )
    return frame, Canvas(page, frame, element)


def test_bounding_boxes_are_drawn_moved_resized_relabelled_deleted_and_undone(page, requester):
    frame, canvas = open_tool(
        page,
        requester,
        fixture_template(GT + "images/bounding-box.liquid.html"),
        "crowd-bounding-box",
    )
    canvas.drag((100, 200), (330, 460))  # a Cat box (the first label)
    page.keyboard.press("Escape")
    page.keyboard.press("2")  # Dog, for the next box
    canvas.drag((450, 180), (690, 420))
    page.keyboard.press("1")  # the selected box becomes a Cat
    canvas.drag((200, 300), (220, 310))  # move the first box
    canvas.drag((690, 420), (700, 440))  # resize the second by its bottom-right handle
    canvas.drag((20, 20), (60, 70))  # a third box...
    page.keyboard.press("Delete")  # ...deleted,
    page.keyboard.press("Control+z")  # restored,
    assert frame.locator("crowd-bounding-box").evaluate("(box) => box.shapeCount") == 3
    page.keyboard.press("Control+Shift+z")  # and deleted again
    labels = frame.locator("crowd-bounding-box .label .count").all_inner_texts()
    assert labels == ["2", "0"]
    screenshot(page, "image-bounding-box")
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {
        "annotatedResult": {
            "inputImageProperties": SIZE,
            "boundingBoxes": [
                {"label": "Cat", "left": 120, "top": 210, "width": 230, "height": 260},
                {"label": "Cat", "left": 450, "top": 180, "width": 250, "height": 260},
            ],
        }
    }
    assert page.console_errors == []


def test_boxes_given_as_initial_value_are_adjusted(page, requester):
    template = """<crowd-form><crowd-bounding-box name="box" src="{{ task.input.taskObject }}"
        labels="['car']" initial-value='[{"label": "car", "left": 100, "top": 100, "width": 200,
        "height": 100}]'></crowd-bounding-box></crowd-form>"""
    frame, canvas = open_tool(page, requester, template, "crowd-bounding-box")
    canvas.drag((150, 150), (160, 150))  # nudge it right by 10 pixels
    page.keyboard.press("ArrowDown")  # and down by 1 with the keyboard
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {
        "box": {
            "inputImageProperties": SIZE,
            "boundingBoxes": [
                {"label": "car", "left": 110, "top": 101, "width": 200, "height": 100}
            ],
            "initialValueModified": True,
        }
    }


def test_polygons_close_on_the_first_point_or_enter_and_refuse_crossing_edges(page, requester):
    frame, canvas = open_tool(
        page, requester, fixture_template(GT + "images/polygon.liquid.html"), "crowd-polygon"
    )
    for point in [(100, 100), (300, 100), (300, 300), (100, 300), (100, 100)]:
        canvas.click(*point)  # the last click, on the first point, closes it
    page.keyboard.press("3")  # relabel the new polygon: Bird
    page.keyboard.press("Escape")
    page.keyboard.press("2")
    for point in [(400, 100), (600, 100), (500, 250)]:
        canvas.click(*point)
    page.keyboard.press("Enter")
    canvas.drag((500, 250), (500, 300))  # move the selected polygon's third vertex
    for point in [(50, 400), (150, 500), (150, 400), (50, 500)]:
        canvas.click(*point)
    page.keyboard.press("Enter")  # a bow tie: refused
    assert "edges cross" in frame.locator("crowd-polygon .error").inner_text()
    page.keyboard.press("Escape")
    screenshot(page, "image-polygon")
    page.keyboard.press("Enter")

    def vertices(*points):
        return [{"x": x, "y": y} for x, y in points]

    assert submitted_answer(page) == {
        "annotatedResult": {
            "inputImageProperties": SIZE,
            "polygons": [
                {
                    "label": "Bird",
                    "vertices": vertices((100, 100), (300, 100), (300, 300), (100, 300)),
                },
                {"label": "Dog", "vertices": vertices((400, 100), (600, 100), (500, 300))},
            ],
        }
    }


def test_lines_take_two_clicks(page, requester):
    frame, canvas = open_tool(
        page, requester, fixture_template(GT + "images/line.liquid.html"), "crowd-line"
    )
    canvas.click(50, 50)
    canvas.click(300, 200)
    page.keyboard.press("2")
    screenshot(page, "image-line")
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {
        "lines": {
            "inputImageProperties": SIZE,
            "lines": [
                {"label": "pedestrian", "vertices": [{"x": 50, "y": 50}, {"x": 300, "y": 200}]}
            ],
        }
    }


def test_polylines_finish_with_enter_and_lose_a_vertex_on_double_click(page, requester):
    frame, canvas = open_tool(
        page, requester, fixture_template(GT + "images/polyline.liquid.html"), "crowd-polyline"
    )
    for point in [(50, 500), (200, 450), (350, 470), (500, 400)]:
        canvas.click(*point)
    page.keyboard.press("Enter")
    page.mouse.dblclick(*canvas.screen(350, 470))  # remove the third vertex
    screenshot(page, "image-polyline")
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {
        "crowdPolyline": {
            "inputImageProperties": SIZE,
            "polylines": [
                {
                    "label": "car",
                    "vertices": [{"x": 50, "y": 500}, {"x": 200, "y": 450}, {"x": 500, "y": 400}],
                }
            ],
        }
    }


def test_keypoints_are_placed_labelled_and_dragged(page, requester):
    frame, canvas = open_tool(
        page, requester, fixture_template(GT + "images/keypoint.liquid.html"), "crowd-keypoint"
    )
    canvas.click(100, 100)
    page.keyboard.press("Escape")
    page.keyboard.press("3")
    canvas.click(200, 150)
    canvas.drag((100, 100), (120, 130))
    screenshot(page, "image-keypoint")
    page.keyboard.press("Enter")

    assert submitted_answer(page) == {
        "annotatedResult": {
            "inputImageProperties": SIZE,
            "keypoints": [
                {"label": "Cat", "x": 120, "y": 130},
                {"label": "Bird", "x": 200, "y": 150},
            ],
        }
    }


def mask_colors(answer: dict, points: list[tuple[int, int]]) -> list[str]:
    png = base64.b64decode(answer["labeledImage"]["pngImageData"])
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.size) == ("PNG", (800, 600))
        rgb = image.convert("RGB")
        return ["#{:02x}{:02x}{:02x}".format(*rgb.getpixel(point)) for point in points]


def test_semantic_segmentation_brush_eraser_and_polygon_fill_submit_a_png_mask(page, requester):
    frame, canvas = open_tool(
        page,
        requester,
        fixture_template(GT + "images/semantic-segmentation.liquid.html"),
        "crowd-semantic-segmentation",
    )
    element = frame.locator("crowd-semantic-segmentation")
    canvas.stroke([(100, 100), (300, 100)])  # Cat
    page.keyboard.press("2")
    canvas.stroke([(100, 300), (300, 300)])  # Dog
    page.keyboard.press("e")
    canvas.click(200, 300)  # erase a hole
    page.keyboard.press("3")
    page.keyboard.press("p")
    for point in [(500, 100), (700, 100), (700, 250), (500, 100)]:
        canvas.click(*point)  # fill a Bird triangle, closed on the first point
    at = 150 * 800 + 650
    assert element.evaluate(f"(e) => e._mask[{at}]") == 3
    page.keyboard.press("Control+z")
    assert element.evaluate(f"(e) => e._mask[{at}]") == 0
    page.keyboard.press("Control+y")
    screenshot(page, "image-semantic-segmentation")
    page.keyboard.press("Enter")

    answer = submitted_answer(page)["crowd-semantic-segmentation"]
    assert answer["inputImageProperties"] == SIZE
    assert answer["labelMappings"] == {
        "Cat": {"color": "#1f77b4"},
        "Dog": {"color": "#ff7f0e"},
        "Bird": {"color": "#2ca02c"},
    }
    points = [(200, 100), (130, 300), (200, 300), (650, 150), (10, 10)]
    assert mask_colors(answer, points) == ["#1f77b4", "#ff7f0e", "#ffffff", "#2ca02c", "#ffffff"]


def test_instance_segmentation_paints_one_colour_per_object(page, requester):
    frame, canvas = open_tool(
        page,
        requester,
        fixture_template(GT + "images/instance-segmentation.liquid.html"),
        "crowd-instance-segmentation",
    )
    canvas.stroke([(100, 100), (200, 100)])  # Cat 1
    page.keyboard.press("n")
    canvas.stroke([(100, 300), (200, 300)])  # Cat 2
    page.keyboard.press("3")
    canvas.stroke([(500, 300), (600, 300)])  # Bird 1
    screenshot(page, "image-instance-segmentation")
    page.keyboard.press("Enter")

    answer = submitted_answer(page)["annotatedResult"]
    assert answer["instances"] == [
        {"color": "#1f77b4", "label": "Cat"},
        {"color": "#ff7f0e", "label": "Cat"},
        {"color": "#2ca02c", "label": "Bird"},
    ]
    points = [(150, 100), (150, 300), (550, 300), (400, 500)]
    assert mask_colors(answer, points) == ["#1f77b4", "#ff7f0e", "#2ca02c", "#ffffff"]


def test_image_classifier_shows_the_image_and_takes_a_digit(page, requester):
    urls = serve_images(page, {"scene.png": (800, 600)})
    frame = render_in_preview(
        page,
        requester,
        template=fixture_template(GT + "images/image-classification.liquid.html"),
        task_input={"taskObject": urls["scene.png"]},
    )
    image = frame.locator("crowd-image-classifier img")
    image.evaluate("(img) => img.complete || new Promise((r) => img.addEventListener('load', r))")
    assert image.evaluate("(img) => img.naturalWidth") == 800
    page.locator("#taskui-frame").click(position={"x": 5, "y": 5})
    page.keyboard.press("2")
    screenshot(page, "image-classifier")
    page.keyboard.press("Enter")
    assert submitted_answer(page) == {"crowd-image-classifier": {"label": "Dog"}}


def test_label_verification_shows_the_prior_boxes_and_takes_a_comment(page, requester):
    urls = serve_images(page, {"scene.png": (800, 600)})
    overlay = {
        "boundingBox": {
            "labels": ["car"],
            "value": [{"label": "car", "left": 100, "top": 150, "width": 250, "height": 200}],
        },
        # ours: a chained verification's prior polygons, polylines and key points
        "polygon": {
            "labels": ["car"],
            "value": [
                {
                    "label": "car",
                    "vertices": [{"x": 10, "y": 10}, {"x": 90, "y": 10}, {"x": 50, "y": 80}],
                }
            ],
        },
        "polyline": {
            "labels": ["lane"],
            "value": [{"label": "lane", "vertices": [{"x": 0, "y": 500}, {"x": 800, "y": 450}]}],
        },
        "keypoint": {"labels": ["eye"], "value": [{"label": "eye", "x": 400, "y": 300}]},
    }
    frame = render_in_preview(
        page,
        requester,
        template=builtin_template("LabelVerification"),
        task_input={
            "taskObject": urls["scene.png"],
            "labels": ["Correct", "Incorrect"],
            "overlay": overlay,
        },
    )
    assert frame.locator("crowd-image-classifier .figure rect").count() == 1
    figure = frame.locator("crowd-image-classifier .figure")
    assert [figure.locator(tag).count() for tag in ("polygon", "polyline", "circle")] == [1, 1, 1]
    frame.locator("crowd-image-classifier button.choice", has_text="Incorrect").click()
    frame.locator("crowd-image-classifier .comment button").click()
    frame.locator("crowd-image-classifier .comment textarea").fill("The box cuts the bumper.")
    screenshot(page, "image-label-verification")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()

    assert submitted_answer(page) == {
        "crowd-image-classifier": {
            "label": "Incorrect",
            "workerComment": "The box cuts the bumper.",
        }
    }


def near(point, expected, pixels=1.5) -> bool:
    return all(abs(a - b) <= pixels for a, b in zip(point, expected, strict=True))


def test_zoom_pan_fit_and_resize_keep_the_drawing_where_it_is(page, requester):
    frame, canvas = open_tool(
        page,
        requester,
        fixture_template(GT + "images/bounding-box.liquid.html"),
        "crowd-bounding-box",
    )
    element = frame.locator("crowd-bounding-box")
    canvas.drag((100, 100), (300, 250))
    fitted = element.evaluate("(e) => e._scale")
    x, y = canvas.screen(200, 175)
    page.mouse.move(x, y)
    page.mouse.wheel(0, -400)  # zoom in around the box's centre...
    page.wait_for_timeout(100)
    assert element.evaluate("(e) => e._scale") > fitted * 1.5
    assert near(canvas.screen(200, 175), (x, y))  # ...which stays put
    page.keyboard.down(" ")  # Space + drag pans
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 50, y + 30, steps=3)
    page.mouse.up()
    page.keyboard.up(" ")
    assert near(canvas.screen(200, 175), (x + 50, y + 30))
    page.keyboard.press("f")
    assert element.evaluate("(e) => e._scale") == fitted
    page.set_viewport_size({"width": 900, "height": 1000})  # the stage changes size: refit
    page.wait_for_timeout(300)
    stage = element.evaluate("(e) => [e.shadowRoot.querySelector('.stage').clientWidth, e._scale]")
    assert stage[1] != fitted
    assert abs(stage[1] - min(stage[0] / 800, 600 / 600) * 0.96) < 1e-6
    assert element.evaluate("(e) => e.shapeCount") == 1
    page.keyboard.press("Enter")
    assert submitted_answer(page)["annotatedResult"]["boundingBoxes"] == [
        {"label": "Cat", "left": 100, "top": 100, "width": 200, "height": 150}
    ]
