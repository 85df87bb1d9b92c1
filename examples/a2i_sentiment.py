"""A2I's sentiment walk-through over Groundwork's REST API.

The Amazon A2I sample ("Amazon Augmented AI with Amazon Comprehend": a model predicts the
sentiment of reviews, low-confidence predictions go to people) reproduced with our API:

1. create a human task UI (a sentiment classifier) and a flow definition for a team;
2. "predict" the sentiment of some reviews, each with a confidence;
3. start a human loop for every prediction under the 0.90 threshold;
4. workers answer in the browser (/work/tasks/);
5. print a table of each input, the model's prediction and the human answer.

Only the Python standard library is needed. Usage:

    python examples/a2i_sentiment.py --base-url http://127.0.0.1:8000 --org <org-slug> \
        --token "<access_key_id>:<secret>" --workteam-id <id> --storage-id <id>

(`GROUNDWORK_TOKEN` may hold the token.) Step 2 stands in for a real model with fixed
predictions, so the run is reproducible; replace `predict` with yours.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

THRESHOLD = 0.90
TEMPLATE = """<crowd-form>
  <crowd-classifier name="sentiment" categories='["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"]'
                    header="What sentiment does the reviewer express?">
    <classification-target>
      <p class="crowd-text">{{ task.input.taskObject }}</p>
    </classification-target>
    <full-instructions header="Sentiment">
      <p>Choose the sentiment the text expresses overall; MIXED when it is both.</p>
    </full-instructions>
    <short-instructions>Choose the sentiment of the text.</short-instructions>
  </crowd-classifier>
</crowd-form>"""
REVIEWS = [
    "Enjoy this apartment: it has the best views in town and the staff were lovely.",
    "The room was dirty and the front desk ignored our complaints.",
    "I loved the food, but the service was slow and the music too loud.",
    "It was a place to sleep.",
    "Absolutely wonderful stay, we will come back every summer!",
    "Not bad, not great either; the breakfast was the best part.",
]
# A stand-in model: (sentiment, confidence) per review.
PREDICTIONS = [
    ("POSITIVE", 0.99),
    ("NEGATIVE", 0.97),
    ("POSITIVE", 0.58),
    ("NEUTRAL", 0.71),
    ("POSITIVE", 0.995),
    ("MIXED", 0.64),
]


class Api:
    """A tiny client for /api/v1/orgs/<org>/…: JSON in, JSON out, errors raised."""

    def __init__(self, base_url: str, org: str, token: str) -> None:
        self.root = f"{base_url.rstrip('/')}/api/v1/orgs/{org}/"
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None, query: dict | None = None):
        url = self.root + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def predict(text: str) -> tuple[str, float]:
    return PREDICTIONS[REVIEWS.index(text)]


def setup(api: Api, *, workteam_id: int, storage_id: int, flow_name: str) -> str:
    """The task UI and the flow definition (created once, reused after); returns the
    flow's ARN once it is Active."""
    status, body = api.call(
        "POST", "human-task-uis/", {"name": "sentiment-ui", "content": TEMPLATE}
    )
    if status not in (201, 409):  # 409: created by an earlier run
        raise SystemExit(f"Creating the task UI failed: {status} {body}")
    status, body = api.call(
        "POST",
        "flow-definitions/",
        {
            "name": flow_name,
            "human_task_ui": "sentiment-ui",
            "workteam_id": workteam_id,
            "output_storage_id": storage_id,
            "output_prefix": "a2i-results",
            "task_title": "Review the sentiment of a text",
            "task_description": "The model was unsure: tell us the sentiment.",
            "task_count": 1,
        },
    )
    if status not in (201, 409):
        raise SystemExit(f"Creating the flow definition failed: {status} {body}")
    for _ in range(60):
        status, flow = api.call("GET", f"flow-definitions/{flow_name}/")
        if flow["status"] == "Active":
            return flow["arn"]
        if flow["status"] == "Failed":
            raise SystemExit(f"The flow definition failed: {flow['failure_reason']}")
        time.sleep(1)
    raise SystemExit("The flow definition did not become Active.")


def start_loops(api: Api, *, flow_arn: str, run_id: str) -> list[dict]:
    """Predict every review; start a loop for those under the threshold."""
    rows = []
    for number, text in enumerate(REVIEWS):
        sentiment, confidence = predict(text)
        row = {"text": text, "prediction": sentiment, "confidence": confidence, "loop": None}
        if confidence < THRESHOLD:
            name = f"sentiment-{run_id}-{number}"
            status, body = api.call(
                "POST",
                "human-loops/",
                {
                    "name": name,
                    "flow_definition": flow_arn,
                    "input_content": json.dumps(
                        {"taskObject": text, "prediction": sentiment, "confidence": confidence}
                    ),
                },
            )
            if status not in (200, 201):
                raise SystemExit(f"Starting {name} failed: {status} {body}")
            row["loop"] = name
        rows.append(row)
    return rows


def collect_answers(api: Api, rows: list[dict], *, timeout: float, poll: float = 3.0) -> None:
    """Wait until every loop is finished (or `timeout` seconds pass); fill in the answers."""
    deadline = time.monotonic() + timeout
    pending = [row for row in rows if row["loop"]]
    while pending:
        for row in list(pending):
            _, loop = api.call("GET", f"human-loops/{row['loop']}/")
            row["status"] = loop["status"]
            if loop["status"] in ("Completed", "Failed", "Stopped"):
                answers = [a["answerContent"]["sentiment"]["label"] for a in loop["human_answers"]]
                row["human"] = ", ".join(answers) or "-"
                pending.remove(row)
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(poll)


def table(rows: list[dict]) -> str:
    lines = [f"{'Input':<60}  {'Model':<8}  {'Conf.':>5}  {'Human answer':<14}"]
    lines.append("-" * len(lines[0]))
    for row in rows:
        text = row["text"] if len(row["text"]) <= 60 else row["text"][:57] + "..."
        human = row.get("human") or (row.get("status", "") if row["loop"] else "(not reviewed)")
        lines.append(f"{text:<60}  {row['prediction']:<8}  {row['confidence']:>5.2f}  {human:<14}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--org", required=True, help="the organization's slug")
    parser.add_argument("--token", default=os.environ.get("GROUNDWORK_TOKEN", ""))
    parser.add_argument("--workteam-id", type=int, required=True)
    parser.add_argument("--storage-id", type=int, required=True)
    parser.add_argument("--flow-name", default="fd-sentiment-example")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for answers")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set GROUNDWORK_TOKEN (<access_key_id>:<secret>)")
    api = Api(args.base_url, args.org, args.token)
    flow_arn = setup(
        api, workteam_id=args.workteam_id, storage_id=args.storage_id, flow_name=args.flow_name
    )
    rows = start_loops(api, flow_arn=flow_arn, run_id=uuid.uuid4().hex[:8])
    started = sum(1 for row in rows if row["loop"])
    print(f"{started} of {len(rows)} predictions are under {THRESHOLD:.2f}: loops started.")
    print(f"Workers answer them at {args.base_url.rstrip('/')}/work/tasks/ ...", flush=True)
    collect_answers(api, rows, timeout=args.timeout)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
