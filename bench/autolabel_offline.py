"""The automated-labeling loop's statistics on the full sentence-polarity set (or the digits),
without the queue: the same learner, cross-fitted scoring, threshold choice and batch policy
as apps/autolabel/services.py, with simulated answers (3 per item, each right with
probability --accuracy, a wrong one another label at random) consolidated by plurality. It
measures the loop's choices, not the platform (bench/autolabel.py does).

    .venv/bin/python bench/autolabel_offline.py [--dataset digits] [--initial 1000] [--batch 1000]
"""

import argparse
import csv
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench")

import django  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

django.setup()

from apps.autolabel import learners, scoring, stats  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sentence-polarity"


def dataset(name: str) -> tuple[list, np.ndarray, int]:
    """(inputs, true class indices, classes)."""
    if name == "digits":
        from PIL import Image
        from sklearn.datasets import load_digits

        data = load_digits()
        images = [
            Image.fromarray((image * 255 / 16).astype(np.uint8), mode="L") for image in data.images
        ]
        return images, data.target, 10
    lines = [json.loads(line) for line in (DATA / "manifest.jsonl").open(encoding="utf-8")]
    with (DATA / "truth.csv").open(newline="", encoding="utf-8") as stream:
        truth = {row["id"]: row["label"] for row in csv.DictReader(stream)}
    labels = np.array([1 if truth[line["id"]] == "pos" else 0 for line in lines])
    return [line["source"] for line in lines], labels, 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--dataset", default="sentence-polarity", choices=["sentence-polarity", "digits"]
    )
    parser.add_argument("--accuracy", type=float, default=0.85)
    parser.add_argument("--initial", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--validation-share", type=float, default=0.25)
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--model", default="", help="a learner's dotted path")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--z", type=float, default=stats.Z_ONE_SIDED_95, help="bound's z (2.326: one-sided 99%%)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    inputs, y, classes = dataset(args.dataset)
    default = "text_classification" if classes == 2 else "image_classification"
    path = args.model or learners.registered()[learners.default_name(default)]
    n = len(y)
    rng = np.random.default_rng(args.seed)
    right = rng.random((n, 3)) < args.accuracy
    wrong = (y[:, None] + rng.integers(1, classes, size=(n, 3))) % classes
    answers = np.where(right, y[:, None], wrong)
    counts = np.array([np.bincount(row, minlength=classes) for row in answers])
    crowd = counts.argmax(axis=1)  # ties (three different answers) go to the lowest class
    agreeing = (counts * (counts - 1) / 2).sum(axis=1)
    pairs = np.full(n, 3.0)
    picker = random.Random(args.seed)
    pool = set(range(n))
    validation: list[int] = []
    train: list[int] = []
    auto: dict[int, int] = {}
    batch = picker.sample(sorted(pool), args.initial)
    held = round(len(batch) * args.validation_share)
    validation += batch[:held]
    train += batch[held:]
    pool -= set(batch)
    number = 1
    while pool:
        number += 1
        order = sorted(pool)
        held_probabilities, pool_probabilities = scoring.cross_fit(
            import_string(path),
            ([inputs[i] for i in train], [int(crowd[i]) for i in train]),
            ([inputs[i] for i in validation], [int(crowd[i]) for i in validation]),
            [inputs[i] for i in order],
            classes,
            seed=number,
        )
        agrees = held_probabilities.argmax(axis=1) == crowd[validation]
        chosen = stats.choose_threshold(
            held_probabilities.max(axis=1),
            agrees,
            agreeing[validation],
            pairs[validation],
            answers=3,
            classes=classes,
            target=args.target,
            z=args.z,
        )
        confidence = pool_probabilities.max(axis=1)
        labeled = []
        if chosen.value is not None:
            for position, item in enumerate(order):
                if confidence[position] >= chosen.value:
                    auto[item] = int(pool_probabilities[position].argmax())
                    labeled.append(item)
        pool -= set(auto)
        rest = [order[p] for p in np.argsort(confidence, kind="stable") if order[p] in pool]
        randoms = picker.sample(rest, min(len(rest), round(args.batch * args.validation_share)))
        uncertain = [i for i in rest if i not in set(randoms)][: args.batch - len(randoms)]
        validation += randoms
        train += uncertain
        pool -= set(randoms) | set(uncertain)
        fresh = np.mean([auto[i] == y[i] for i in labeled]) if labeled else float("nan")
        print(
            f"round {number}: train {len(train) - len(uncertain)} val "
            f"{len(validation) - len(randoms)} threshold {chosen.value} "
            f"low {chosen.low} auto-labeled {len(labeled)} (right vs truth {fresh:.3f}; "
            f"total {len(auto)}) {time.monotonic() - started:.0f} s",
            flush=True,
        )
    human = [i for i in range(n) if i not in auto]
    auto_right = sum(auto[i] == y[i] for i in auto)
    human_right = sum(crowd[i] == y[i] for i in human)
    print(
        f"auto-labeled {len(auto)} of {n} ({len(auto) / n:.1%}); accuracy vs truth "
        f"{auto_right / max(1, len(auto)):.4f}"
    )
    print(
        f"whole output {(auto_right + human_right) / n:.4f}; all-human (majority of the "
        f"same answers) {(crowd == y).mean():.4f}"
    )
    print(
        f"human answers {3 * len(human)} vs {3 * n} ({len(human) / n:.1%}); "
        f"wall time {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
