"""Helpers for the image-tool browser tests: test images as data URLs, mouse drawing."""

import io
import time

from PIL import Image, ImageDraw


def image_png(width: int = 800, height: int = 600) -> bytes:
    """A PNG with a sky, a field and two shapes to draw around (not a flat colour, so
    screenshots show what a worker would see)."""
    image = Image.new("RGB", (width, height), (158, 197, 227))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 0.6, width, height], fill=(106, 153, 78))
    draw.ellipse([width * 0.15, height * 0.35, width * 0.4, height * 0.75], fill=(214, 140, 69))
    draw.rectangle([width * 0.55, height * 0.3, width * 0.85, height * 0.7], fill=(82, 82, 122))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


IMAGE_HOST = "https://images.example.com/"


def serve_images(page, sizes: dict[str, tuple[int, int]]) -> dict[str, str]:
    """Answer requests for https://images.example.com/<name> from the browser itself (no
    network in tests); returns name -> URL."""
    bodies = {name: image_png(*size) for name, size in sizes.items()}

    def fulfil(route):
        name = route.request.url[len(IMAGE_HOST) :]
        if name in bodies:
            route.fulfill(status=200, content_type="image/png", body=bodies[name])
        else:
            route.fulfill(status=404, body="")

    page.context.route(IMAGE_HOST + "**", fulfil)
    return {name: IMAGE_HOST + name for name in sizes}


def wait_for_image(frame, selector: str, seconds: float = 10) -> None:
    """Poll (an awaited promise would hang the test if the image never loads)."""
    element = frame.locator(selector)
    deadline = time.monotonic() + seconds
    while not element.evaluate("(element) => !!element.imageReady"):
        message = element.evaluate(
            "(element) => element.shadowRoot.querySelector('.message')?.textContent || ''"
        )
        assert time.monotonic() < deadline, f"the image did not load: {message!r}"
        time.sleep(0.05)


class Canvas:
    """Mouse positions on a drawing element's stage, in image pixels."""

    def __init__(self, page, frame, selector: str, frame_selector: str = "#taskui-frame"):
        self.page = page
        self.frame = frame
        self.selector = selector
        wait_for_image(frame, selector)
        frame_element = page.locator(frame_selector)
        frame_box = frame_element.bounding_box()
        border = frame_element.evaluate("(frame) => [frame.clientLeft, frame.clientTop]")
        self.offset = (frame_box["x"] + border[0], frame_box["y"] + border[1])

    def _view(self) -> dict:
        return self.frame.locator(self.selector).evaluate(
            """(element) => {
                const rect = element.shadowRoot.querySelector(".stage").getBoundingClientRect();
                return { left: rect.left, top: rect.top, scale: element._scale,
                         tx: element._tx, ty: element._ty };
            }"""
        )

    def screen(self, x: float, y: float) -> tuple[float, float]:
        view = self._view()
        return (
            self.offset[0] + view["left"] + view["tx"] + x * view["scale"],
            self.offset[1] + view["top"] + view["ty"] + y * view["scale"],
        )

    def click(self, x: float, y: float) -> None:
        self.page.mouse.click(*self.screen(x, y))

    def drag(self, start: tuple, end: tuple, steps: int = 6) -> None:
        mouse = self.page.mouse
        mouse.move(*self.screen(*start))
        mouse.down()
        mouse.move(*self.screen(*end), steps=steps)
        mouse.up()

    def stroke(self, points: list[tuple], steps: int = 4) -> None:
        mouse = self.page.mouse
        mouse.move(*self.screen(*points[0]))
        mouse.down()
        for point in points[1:]:
            mouse.move(*self.screen(*point), steps=steps)
        mouse.up()
