"""Benchmark: <crowd-bounding-box> with 500 existing boxes on a 4000x3000 image.

    .venv/bin/python bench/bounding_box_ui.py [--boxes 500] [--width 4000] [--height 3000]

Serves static/crowd and a generated PNG from 127.0.0.1 (no Django), opens them in Debian's
chromium (Playwright, headless), and prints:
  - first render: from inserting the element (src and initial-value set) until the image
    and the boxes are on screen: a small screenshot of the stage is polled until the image's
    pixels show in it (no img.decode() in the page: Chromium does not reuse that decode for
    painting a downscaled image, so it decoded twice); also when the stage is interactive
    (the boxes painted and animation frames flowing again: a huge image decodes without
    holding frames) and the boxes alone (re-rendering all of them, forced layout included);
  - dragging one box with the mouse: frames painted per second while the pointer moves,
    the interval between painted frames, and the script time per frame (moving the box
    and its handles).
`tests/browser/test_image_performance.py` runs the same measurement, bounded.
"""

import argparse
import contextlib
import io
import json
import random
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 1000}
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/crowd/crowd.css"><script type="module" src="/crowd/index.js"></script>
</head><body><crowd-form></crowd-form></body></html>"""


def emit(text: str) -> None:
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def image_png(width: int, height: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (158, 197, 227))
    draw = ImageDraw.Draw(image)
    generator = random.Random(1)
    for _ in range(400):  # some texture, so the PNG is not trivially small
        x, y = generator.randrange(width), generator.randrange(height)
        color = tuple(generator.randrange(256) for _ in range(3))
        draw.ellipse(
            [x, y, x + generator.randrange(20, 200), y + generator.randrange(20, 200)], fill=color
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def boxes_for(count: int, width: int, height: int) -> list[dict]:
    generator = random.Random(2)
    labels = ["car", "person", "bicycle"]
    boxes = []
    for number in range(count):
        w, h = generator.randrange(40, 300), generator.randrange(40, 300)
        boxes.append(
            {
                "label": labels[number % 3],
                "left": generator.randrange(0, width - w),
                "top": generator.randrange(0, height - h),
                "width": w,
                "height": h,
            }
        )
    return boxes


@contextlib.contextmanager
def serve(width: int, height: int) -> Iterator[str]:
    """A loopback server for the page, static/crowd and the image; yields its base URL."""
    png = image_png(width, height)

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            if self.path in ("/", "/bench.html"):
                self._send(PAGE.encode(), "text/html; charset=utf-8")
            elif self.path == "/image.png":
                self._send(png, "image/png")
            else:
                super().do_GET()

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    handler = partial(Handler, directory=str(REPO / "static"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# Started without waiting (window.__firstRender holds the promise), so that the image can be
# looked for on screen meanwhile.
FIRST_RENDER = """({ boxes, src }) => { window.__firstRender = (async () => {
  await customElements.whenDefined("crowd-bounding-box");
  const element = document.createElement("crowd-bounding-box");
  element.setAttribute("name", "boxes");
  element.setAttribute("labels", JSON.stringify(["car", "person", "bicycle"]));
  element.setAttribute("initial-value", JSON.stringify(boxes));
  element.style.setProperty("--stage-height", "700px");
  window.__start = performance.now();
  element.setAttribute("src", src);
  document.querySelector("crowd-form").form.append(element);
  await new Promise((resolve) =>
    element.addEventListener("crowd-image-ready", resolve, { once: true }));
  const imageLoaded = performance.now() - window.__start;
  window.__imageLoaded = imageLoaded;
  // Interactive: the boxes painted and frames flowing, i.e. the end of the last frame that
  // took over 50 ms (raster held by a decode) within the next 30 frames.
  let last = performance.now();
  let interactive = last - window.__start;
  for (let frame = 0; frame < 30; frame++) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = performance.now();
    if (now - last > 50 || frame < 2) interactive = now - window.__start;
    last = now;
  }
  const again = performance.now();
  element._renderAll();
  element.shadowRoot.querySelector(".stage").getBoundingClientRect();
  await new Promise((resolve) => requestAnimationFrame(resolve));
  const boxesRender = performance.now() - again;
  const drawn = element.shadowRoot.querySelectorAll(".items rect").length;
  return { imageLoaded, interactive, boxesRender, drawn };
})(); }"""

# Where to look for the image: the middle of the fitted image, in page coordinates.
IMAGE_SPOT = """(element) => {
  const stage = element.shadowRoot.querySelector(".stage").getBoundingClientRect();
  return {
    x: stage.left + element._tx + (element.imageWidth / 2) * element._scale,
    y: stage.top + element._ty + (element.imageHeight / 2) * element._scale,
  };
}"""


def image_on_screen_ms(browser, base_url: str, arguments: dict, *, timeout_ms=30_000) -> float:
    """Milliseconds from inserting the element until its image shows on screen: a 24x24 px
    screenshot of the image's middle is mostly brighter than the stage's dark background
    (the bench image is light blue; boxes are translucent over it). In a page of its own:
    each screenshot forces a frame, which would disturb the frame timings taken there."""
    from PIL import Image

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/bench.html")
        page.evaluate(FIRST_RENDER, arguments)
        page.wait_for_function("() => window.__imageLoaded !== undefined", polling=10)
        spot = page.locator("crowd-bounding-box").evaluate(IMAGE_SPOT)
        clip = {"x": spot["x"] - 12, "y": spot["y"] - 12, "width": 24, "height": 24}
        while True:
            shot = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("L")
            now = page.evaluate("() => performance.now() - window.__start")
            if sum(shot.histogram()[111:]) > shot.width * shot.height / 2:
                return now
            if now > timeout_ms:
                raise TimeoutError("the image did not show")
    finally:
        context.close()


DRAG_PROBE = """(element) => {
  const stage = element.shadowRoot.querySelector(".stage").getBoundingClientRect();
  const box = element._shapes[0].box;
  window.__frames = [];
  window.__work = [];
  let pending = 0;
  for (const name of ["_dragTo", "_renderShape", "_renderHandles"]) {
    const original = element[name].bind(element);
    element[name] = (...args) => {
      const start = performance.now();
      const result = original(...args);
      pending += performance.now() - start;
      return result;
    };
  }
  const tick = (time) => {
    window.__frames.push(time);
    if (pending) window.__work.push(pending);
    pending = 0;
    window.__raf = requestAnimationFrame(tick);
  };
  window.__raf = requestAnimationFrame(tick);
  return {
    x: stage.left + element._tx + (box.left + box.width / 2) * element._scale,
    y: stage.top + element._ty + (box.top + box.height / 2) * element._scale,
  };
}"""

DRAG_RESULT = """(element) => {
  cancelAnimationFrame(window.__raf);
  return { frames: window.__frames, work: window.__work, moved: element._shapes[0].box };
}"""


def measure(
    page,
    base_url: str,
    *,
    boxes: int = 500,
    width: int = 4000,
    height: int = 3000,
    moves: int = 120,
) -> dict:
    """Run both measurements in `page`; returns the figures (milliseconds, fps)."""
    arguments = {"boxes": boxes_for(boxes, width, height), "src": f"{base_url}/image.png"}
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{base_url}/bench.html")
    page.evaluate(FIRST_RENDER, arguments)
    rendered = page.evaluate("() => window.__firstRender")
    image_shown = image_on_screen_ms(page.context.browser, base_url, arguments)
    element = page.locator("crowd-bounding-box")
    start = element.evaluate(DRAG_PROBE)
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    began = page.evaluate("() => performance.now()")
    for step in range(1, moves + 1):
        page.mouse.move(start["x"] + step * 2, start["y"] + step)
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(resolve))")
    ended = page.evaluate("() => performance.now()")
    page.mouse.up()
    result = element.evaluate(DRAG_RESULT)
    frames = [time for time in result["frames"] if began <= time <= ended]
    intervals = sorted(b - a for a, b in zip(frames, frames[1:], strict=False))
    seconds = (ended - began) / 1000
    work = sorted(result["work"]) or [0.0]
    return {
        "boxes": rendered["drawn"],
        "first_render_ms": max(image_shown, rendered["interactive"]),
        "image_loaded_ms": rendered["imageLoaded"],
        "interactive_ms": rendered["interactive"],
        "boxes_render_ms": rendered["boxesRender"],
        "drag_seconds": seconds,
        "drag_fps": len(frames) / seconds if seconds else 0.0,
        "frame_interval_p50_ms": intervals[len(intervals) // 2] if intervals else 0.0,
        "frame_interval_p95_ms": intervals[int(len(intervals) * 0.95)] if intervals else 0.0,
        "frame_work_mean_ms": sum(work) / len(work),
        "frame_work_max_ms": work[-1],
        "box_moved_to": result["moved"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boxes", type=int, default=500)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with serve(arguments.width, arguments.height) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        emit(
            f"{arguments.boxes} boxes on a {arguments.width}x{arguments.height} PNG, "
            "chromium headless"
        )
        for run in range(1, arguments.runs + 1):
            context = browser.new_context()
            figures = measure(
                context.new_page(),
                base_url,
                boxes=arguments.boxes,
                width=arguments.width,
                height=arguments.height,
            )
            context.close()
            emit(
                f"run {run}: "
                f"{json.dumps({k: v for k, v in figures.items() if k != 'box_moved_to'})}"
            )
            emit(
                f"  first render {figures['first_render_ms']:.0f} ms (image fetched after "
                f"{figures['image_loaded_ms']:.0f} ms, stage interactive after "
                f"{figures['interactive_ms']:.0f} ms; boxes alone "
                f"{figures['boxes_render_ms']:.0f} ms); drag {figures['drag_fps']:.0f} fps, frame "
                f"interval p50 {figures['frame_interval_p50_ms']:.1f} ms / p95 "
                f"{figures['frame_interval_p95_ms']:.1f} ms, script per frame mean "
                f"{figures['frame_work_mean_ms']:.2f} ms / "
                f"max {figures['frame_work_max_ms']:.2f} ms"
            )
        browser.close()


if __name__ == "__main__":
    main()
