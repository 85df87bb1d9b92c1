// Task UI preview page: re-render through the API as the requester edits.
const form = document.getElementById("taskui-form");
const choice = document.getElementById("taskui-builtin");
const template = document.getElementById("taskui-template");
const input = document.getElementById("taskui-input");
const error = document.getElementById("taskui-error");
const frame = document.getElementById("taskui-frame");
const answer = document.getElementById("taskui-answer");
const builtins = JSON.parse(document.getElementById("taskui-builtins").textContent);
const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

let timer = null;
let sequence = 0;

function showError(message) {
  error.hidden = !message;
  error.textContent = message || "";
}

async function render() {
  const mine = ++sequence;
  let parsed;
  try {
    parsed = JSON.parse(input.value);
  } catch (exc) {
    showError(`The input is not JSON: ${exc.message}`);
    return;
  }
  const response = await fetch(form.dataset.renderUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify({ template: template.value, input: parsed }),
  });
  if (mine !== sequence) return; // a newer edit is on its way
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const details = body.details || {};
    const first = Object.values(details).flat()[0];
    showError(first || body.message || `Could not render (${response.status}).`);
    return;
  }
  showError("");
  answer.textContent = "Submit the task above to see the answer it stores.";
  frame.src = body.frame_url;
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(render, 500);
}

choice.addEventListener("change", () => {
  const item = builtins.find((candidate) => candidate.task_type === choice.value);
  if (item) {
    template.value = item.template;
    input.value = item.input;
  }
  render();
});
template.addEventListener("input", () => {
  choice.value = "custom";
  later();
});
input.addEventListener("input", later);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  render();
});
