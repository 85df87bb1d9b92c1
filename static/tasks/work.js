// The labeling page around the task frame: countdown, decline/release/later, and going
// straight on to the next task after a submit. URLs come from data- attributes.
const root = document.getElementById("work");
const frame = root.querySelector("iframe[data-task-frame]");
const statusLine = root.querySelector("[data-testid=work-status]");
const clock = root.querySelector(".countdown");
const deadline = new Date(root.dataset.deadline);

function csrfToken() {
  return root.querySelector("input[name=csrfmiddlewaretoken]").value;
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body || {}),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => ({}));
  return { status: response.status, data };
}

function tick() {
  const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
  const minutes = Math.floor(left / 60);
  clock.textContent = `${minutes}:${String(left % 60).padStart(2, "0")}`;
  clock.classList.toggle("low", left <= 30);
  if (left === 0) {
    statusLine.textContent = "Time is up: this task went back to the queue.";
    root.querySelectorAll(".work-actions button").forEach((button) => (button.disabled = true));
    frame.style.pointerEvents = "none";
    return;
  }
  setTimeout(tick, 1000 - (Date.now() % 1000));
}

async function goToNext() {
  statusLine.textContent = "Saved. Loading the next task…";
  const { status, data } = await post(root.dataset.nextUrl, { project_id: Number(root.dataset.projectId) });
  if (status === 201) {
    window.location.assign(root.dataset.assignmentUrlTemplate.replace("/0/", `/${data.id}/`));
  } else {
    window.location.assign(root.dataset.tasksUrl);
  }
}

async function giveBack(action) {
  const { status, data } = await post(root.dataset[`${action}Url`]);
  if (status === 200) {
    await goToNext();
  } else {
    statusLine.textContent = (data && data.message) || `Could not ${action} (${status}).`;
  }
}

root.querySelector("[data-action=later]").addEventListener("click", () => {
  window.location.assign(root.dataset.tasksUrl);
});
root.querySelector("[data-action=release]").addEventListener("click", () => giveBack("release"));
root.querySelector("[data-action=decline]").addEventListener("click", () => giveBack("decline"));
frame.addEventListener("taskframe:submitted", goToNext);
frame.addEventListener("taskframe:rejected", (event) => {
  statusLine.textContent = event.detail.response.message || "Not submitted.";
});
frame.addEventListener("load", () => frame.focus());  // digits and Enter go to the task
tick();
