// New/edit project page: the worker UI re-rendered as the requester edits the task type,
// labels, instructions or template, with the chosen dataset's first item.
const form = document.querySelector("form[data-preview-url]");
const frame = document.getElementById("project-preview-frame");
const error = document.getElementById("project-preview-error");
const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
// Not form.dataset: a form's named controls shadow its properties, and one is "dataset".
const previewUrl = form.getAttribute("data-preview-url");
const WATCHED = ["dataset", "task_type", "labels", "short_instructions", "full_instructions", "ui_template"];

let timer = null;
let sequence = 0;

function value(name) {
  return form.elements[name] ? form.elements[name].value : "";
}

// The labels field's own format (see its help text): "label[: description]" per line.
function labels() {
  return value("labels")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const at = line.indexOf(":");
      return at < 0
        ? { label: line.trim(), description: "" }
        : { label: line.slice(0, at).trim(), description: line.slice(at + 1).trim() };
    });
}

function showError(message) {
  error.hidden = !message;
  error.textContent = message || "";
}

async function render() {
  const mine = ++sequence;
  if (!value("dataset")) {
    showError("Choose a dataset to preview with its first item.");
    return;
  }
  const response = await fetch(previewUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify({
      dataset: Number(value("dataset")),
      task_type: value("task_type"),
      labels: labels(),
      short_instructions: value("short_instructions"),
      full_instructions: value("full_instructions"),
      ui_template: value("ui_template"),
    }),
  });
  if (mine !== sequence) return; // a newer edit is on its way
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const first = Object.values(body.details || {}).flat()[0];
    showError(first || body.message || `Could not render (${response.status}).`);
    return;
  }
  showError("");
  frame.src = body.frame_url;
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(render, 400);
}

for (const name of WATCHED) {
  const field = form.elements[name];
  if (field) field.addEventListener(field.tagName === "SELECT" ? "change" : "input", later);
}
render();
