// The task frame's side of the postMessage bridge. The frame runs in an opaque origin
// (sandbox without allow-same-origin), so it can reach the page only through messages:
//   to the parent:   {type: "submit", answer}, {type: "resize", height}
//   from the parent: {type: "submit-result", ok, message, resubmit}
// Messages from anything but the parent window are ignored.
const parentWindow = window.parent !== window ? window.parent : null;

function post(message) {
  // The parent's origin is not readable from an opaque origin; the messages carry only
  // the worker's answer, which is meant for whoever framed the task.
  if (parentWindow) parentWindow.postMessage(message, "*");
}

let lastForm = null;

document.addEventListener("crowd-form-submit", (event) => {
  lastForm = event.composedPath()[0];
  post({ type: "submit", answer: event.detail.answer });
});

window.addEventListener("message", (event) => {
  if (event.source !== parentWindow || !event.data || typeof event.data !== "object") return;
  if (event.data.type === "submit-result" && lastForm && typeof lastForm.submitted === "function") {
    const message = typeof event.data.message === "string" ? event.data.message : "";
    lastForm.submitted(!!event.data.ok, message, !!event.data.resubmit);
  }
});

let lastHeight = 0;
function reportHeight() {
  // The root element's box, not scrollHeight: that never drops below the frame's current
  // height, so a frame could grow but never shrink back.
  const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
  if (height !== lastHeight) {
    lastHeight = height;
    post({ type: "resize", height });
  }
}
new ResizeObserver(reportHeight).observe(document.documentElement);
window.addEventListener("load", reportHeight);
reportHeight();
