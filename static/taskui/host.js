// The page's side of the task-frame bridge, for every <iframe data-task-frame>.
//
// The frame is sandboxed (opaque origin), so its messages arrive with origin "null":
// we trust a message only by its source, which must be that iframe's own window.
//   {type: "resize", height}  -> the iframe grows to fit (within bounds)
//   {type: "submit", answer}  -> with data-submit-url: POST {"answer": ...} there with the
//                                session and the CSRF header, then tell the frame the result;
//                                without: show the JSON in data-answer-target (previews).
// Either way a "taskframe:submitted" event (detail: {answer, response}) fires on the iframe.
const MIN_HEIGHT = 160;
const MAX_HEIGHT = 20000;

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) return field.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function reply(frame, message) {
  // "*": an opaque origin cannot be named; the reply carries no secret.
  if (frame.contentWindow) frame.contentWindow.postMessage(message, "*");
}

async function submit(frame, answer) {
  const url = frame.dataset.submitUrl;
  if (!url) {
    const target = frame.dataset.answerTarget && document.querySelector(frame.dataset.answerTarget);
    if (target) target.textContent = JSON.stringify(answer, null, 2);
    reply(frame, {
      type: "submit-result",
      ok: true,
      resubmit: true, // a preview may be answered again
      message: "Preview: the answer is shown beside, not saved.",
    });
    frame.dispatchEvent(new CustomEvent("taskframe:submitted", { detail: { answer, response: null } }));
    return;
  }
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ answer }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      reply(frame, { type: "submit-result", ok: false, message: body.message || `Not submitted (${response.status}).` });
      frame.dispatchEvent(new CustomEvent("taskframe:rejected", { detail: { answer, response: body, status: response.status } }));
      return;
    }
    reply(frame, { type: "submit-result", ok: true, message: "Submitted." });
    frame.dispatchEvent(new CustomEvent("taskframe:submitted", { detail: { answer, response: body } }));
  } catch {
    reply(frame, { type: "submit-result", ok: false, message: "Network error: not submitted. Try again." });
  }
}

window.addEventListener("message", (event) => {
  const frame = Array.from(document.querySelectorAll("iframe[data-task-frame]")).find(
    (candidate) => candidate.contentWindow === event.source,
  );
  if (!frame || !event.data || typeof event.data !== "object") return;
  if (event.data.type === "resize" && Number.isFinite(event.data.height)) {
    const height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(event.data.height)));
    frame.style.height = `${height}px`;
  } else if (event.data.type === "submit" && event.data.answer && typeof event.data.answer === "object") {
    submit(frame, event.data.answer);
  }
});
