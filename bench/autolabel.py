"""Automated labeling (active learning) against an all-human run, with simulated workers.

Usage (SQLite file by default; any DATABASE_URL works, e.g. PostgreSQL):

    .venv/bin/python bench/autolabel.py [--dataset sentence-polarity|digits] [--items N]
        [--accuracy 0.85] [--initial 1000] [--batch 1000] [--target 0.95] [--minutes M]

Digits (1,797 items): --dataset digits --initial 300 --batch 100 --validation-share 0.5.

Simulated workers, each right with probability `--accuracy` (a wrong answer is another label
at random), answer through the real queue services (`assignment_next` / `assignment_submit`)
with 3 answers per item. The loop runs as in production, its jobs run eagerly: people label a
batch (the ranked tasks first), then the re-estimation job and the periodic sweep run, and the
sweep runs a round (job `autolabel.round`) once a batch more is labeled. The
all-human run gives every item the same simulated answers (answer k of item i is drawn from
one seeded generator in both runs) and consolidates them with the same Dawid-Skene as the
re-estimation job, so its figures need no queue. Prints the share auto-labeled, accuracy of
auto-labels and of the whole output against the truth, human answers spent, wall time.
"""

import argparse
import csv
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="autolabel-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_hex(16))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH / 'bench.sqlite3'}")
os.environ.setdefault("DATASETS_LOCAL_ROOT", str(SCRATCH / "storage"))
os.environ.setdefault("CELERY_BROKER_URL", "")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("EMAIL_URL", "dummymail://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import TestCase  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.models import Organization  # noqa: E402
from apps.autolabel import jobs as autolabel_jobs  # noqa: E402
from apps.autolabel import services as autolabel_services  # noqa: E402
from apps.autolabel.models import AutolabelRound  # noqa: E402
from apps.datasets import services as dataset_services  # noqa: E402
from apps.datasets.storages import local_root_for  # noqa: E402
from apps.projects import services as project_services  # noqa: E402
from apps.tasks import jobs as task_jobs  # noqa: E402
from apps.tasks import services as task_services  # noqa: E402
from apps.tasks.consolidation.categorical import dawid_skene, encode  # noqa: E402
from apps.tasks.models import Assignment, Task  # noqa: E402
from bench.builders import dataset_of_lines, organization_with_owner, team_of_workers  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sentence-polarity"
WORKERS = 9  # a pool larger than the answers per item, so the queue spreads the work


def sentence_polarity(limit: int | None) -> tuple[list[dict], dict[str, str], list[str]]:
    truth = {}
    with (DATA / "truth.csv").open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            truth[row["id"]] = row["label"]
    lines = []
    with (DATA / "manifest.jsonl").open(encoding="utf-8") as stream:
        for line in stream:
            lines.append(json.loads(line))
            if limit and len(lines) >= limit:
                break
    return lines, {line["id"]: truth[line["id"]] for line in lines}, ["pos", "neg"]


def digits(limit: int | None, organization: Organization) -> tuple[list[dict], dict, list[str]]:
    from PIL import Image
    from sklearn.datasets import load_digits

    data = load_digits()
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    folder = local_root_for(organization.slug) / "digits"
    folder.mkdir(parents=True)
    lines, truth = [], {}
    count = len(data.target) if not limit else min(limit, len(data.target))
    for n in range(count):
        pixels = (data.images[n] * 255 / 16).astype(np.uint8)
        Image.fromarray(pixels, mode="L").save(folder / f"{n}.png")
        lines.append({"source-ref": f"{n}.png", "id": f"d{n}"})
        truth[f"d{n}"] = names[data.target[n]]
    return lines, truth, names


class Crowd:
    """Answer k of item i is the same in every run: drawn from a generator seeded by (i, k)."""

    def __init__(self, accuracy: float, labels: list[str], seed: int) -> None:
        self.accuracy, self.labels, self.seed = accuracy, labels, seed

    def answer(self, item_key: str, k: int, truth: str) -> str:
        rng = np.random.default_rng([self.seed, int(item_key[1:]), k])
        if rng.random() < self.accuracy:
            return truth
        others = [label for label in self.labels if label != truth]
        return others[int(rng.integers(len(others)))]


def project_build(organization, owner, tag, lines, labels, task_type, storage):
    team, people = team_of_workers(organization, owner, tag, WORKERS)
    dataset = dataset_of_lines(organization, owner, lines, name="data", storage=storage)
    project = project_services.project_create(
        organization=organization,
        actor=owner,
        name="bench",
        dataset=dataset,
        workteam=team,
        task_type=task_type,
        label_attribute_name="label",
        labels=[{"label": label} for label in labels],
        answers_per_item=3,
        task_time_limit_seconds=3600,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_services.project_start(project=project, actor=owner)
    project.refresh_from_db()
    return project, people


def label_batch(project, people, crowd, truth, tasks: int) -> int:
    """Workers answer through the queue until `tasks` more tasks have all their answers
    (or the queue is empty). Returns the answers given."""
    answers = done = 0
    turn = 0
    idle = 0
    while done < tasks and idle < len(people):
        worker = people[turn % len(people)]
        turn += 1
        assignment = task_services.assignment_next(
            worker=worker, workteam_ids=[project.workteam_id]
        )
        if assignment is None:
            idle += 1
            continue
        idle = 0
        task = assignment.task
        key = task.item.data["id"]
        label = crowd.answer(key, task.answers_received + task.live_assignments, truth[key])
        task_services.assignment_submit(
            assignment=assignment, worker=worker, answer={"crowd-classifier": {"label": label}}
        )
        answers += 1
        if Task.objects.filter(pk=task.pk, status=Task.Status.ANSWERED).exists():
            done += 1
    return answers


def all_human(lines, truth, crowd, labels, answers_per_item: int) -> float:
    items, workers, values = [], [], []
    for number, line in enumerate(lines):
        for k in range(answers_per_item):
            items.append(number)
            workers.append(k)  # stands for "a worker": identity does not matter for iid workers
            values.append(crowd.answer(line["id"], k, truth[line["id"]]))
    data = encode(items, workers, values, classes=labels)
    result = dawid_skene(data.items, data.workers, data.labels, *data.shape)
    right = sum(
        labels[int(result.labels[n])] == truth[lines[item].get("id")]
        for n, item in enumerate(data.item_ids)
    )
    return right / len(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--dataset", default="sentence-polarity", choices=["sentence-polarity", "digits"]
    )
    parser.add_argument("--items", type=int, default=0, help="first N items only (0: all)")
    parser.add_argument("--accuracy", type=float, default=0.85)
    parser.add_argument("--initial", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--validation-share", type=float, default=0.25)
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--model", default="")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--minutes",
        type=float,
        default=0,
        help="stop people after this long and report on what is labeled (0: no limit)",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    with scopes_disabled():
        organization, owner, tag = organization_with_owner()
        storage = None
        if args.dataset == "digits":
            lines, truth, labels = digits(args.items or None, organization)
            task_type = "image_classification"
            storage = dataset_services.storage_create(
                organization=organization, actor=owner, name="digits", kind="local", path="digits"
            )
        else:
            lines, truth, labels = sentence_polarity(args.items or None)
            task_type = "text_classification"
        crowd = Crowd(args.accuracy, labels, args.seed)
        project, people = project_build(organization, owner, tag, lines, labels, task_type, storage)
        autolabel_services.autolabel_configure(
            project=project,
            actor=owner,
            enabled=True,
            target_accuracy=args.target,
            initial_batch_size=args.initial,
            batch_size=args.batch,
            validation_share=args.validation_share,
            model_name=args.model,
        )
        setup_seconds = time.monotonic() - started
        answers = 0
        # Enabling a running project ran the first round (the job, eager here): the initial
        # random batch is ranked for people.
        ranked = Task.objects.filter(project=project, queue_rank__isnull=False).count()
        print(f"initial batch ranked: {ranked}", flush=True)
        size = args.initial
        # Bounded: every pass answers a batch (or empties the queue), so the items decide the
        # passes; the cap only guards against a queue that stops serving.
        for _ in range(len(lines) // max(1, args.batch) + 3):
            if not Task.objects.filter(project=project, status=Task.Status.OPEN).exists():
                break
            if args.minutes and time.monotonic() - started - setup_seconds > 60 * args.minutes:
                print(f"time limit of {args.minutes:g} minutes reached: people stop", flush=True)
                break
            answers += label_batch(project, people, crowd, truth, size)
            size = args.batch
            # What the scheduler runs: the debounced re-estimation, then the periodic sweep,
            # which queues a round for a loop whose people labeled a batch (eager here).
            task_jobs.project_reestimate.delay(
                organization_id=organization.pk, project_id=project.pk
            )
            last = AutolabelRound.objects.filter(project=project).order_by("-number").first()
            autolabel_jobs.autolabel_rounds_due.delay()
            round_ = AutolabelRound.objects.filter(project=project).order_by("-number").first()
            if round_ is not None and round_ != last:
                print(
                    f"round {round_.number}: {round_.outcome} train={round_.training_size} "
                    f"val={round_.validation_size} val_acc={round_.validation_accuracy} "
                    f"thr={round_.threshold} above={round_.validation_above} "
                    f"acc_above={round_.accuracy_above} low={round_.accuracy_above_low} "
                    f"auto={round_.items_auto_labeled} humans={round_.human_labeled_total} "
                    f"model={round_.model_labeled_total} ({round_.seconds:.1f}s) {round_.reason}",
                    flush=True,
                )
        task_jobs.project_reestimate.delay(organization_id=organization.pk, project_id=project.pk)
        wall = time.monotonic() - started - setup_seconds
        rows = Task.objects.filter(project=project, is_gold=False).values_list(
            "item__data", "consolidated_label", "label_model_version", "status"
        )
        auto_right = auto = human_right = human = unlabeled = 0
        for data, label, version, status in rows:
            right = label is not None and label.get("label") == truth[data["id"]]
            if version:
                auto, auto_right = auto + 1, auto_right + right
            elif status == Task.Status.ANSWERED:
                human, human_right = human + 1, human_right + right
            else:
                unlabeled += 1  # the time limit stopped people first
        total = auto + human
        baseline = all_human(lines, truth, crowd, labels, 3)
        spent = Assignment.objects.filter(project=project, status="submitted").count()
        settings_row = autolabel_services.settings_of(project=project)
    print(
        f"dataset {args.dataset}: {total} items labeled, {unlabeled} not (time limit), "
        f"{len(labels)} classes, "
        f"workers {args.accuracy:.0%} "
        f"accurate x3, target {args.target:.0%}"
    )
    print(
        f"auto-labeled: {auto} ({auto / total:.1%}); accuracy vs truth "
        f"{(auto_right / auto if auto else float('nan')):.4f}"
    )
    print(f"human-labeled: {human}; accuracy vs truth {human_right / max(1, human):.4f}")
    print(
        f"whole output accuracy: {(auto_right + human_right) / total:.4f}; "
        f"all-human run (same answers, Dawid-Skene): {baseline:.4f}"
    )
    print(f"human answers: {spent} vs {3 * total} all-human ({spent / (3 * total):.1%})")
    print(
        f"wall time: {wall:.0f} s labeling + loop (setup {setup_seconds:.0f} s); "
        f"loop state: {settings_row.state} {settings_row.stop_reason}"
    )


if __name__ == "__main__":
    main()
