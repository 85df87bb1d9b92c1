"""The automated-labeling loop's statistics on the full sentence-polarity set, without the
queue: the same learner, threshold choice and batch policy as apps/autolabel/services.py,
with simulated answers (3 per item, each right with probability --accuracy) consolidated
by majority vote. Minutes instead of the hour the queue-driven bench/autolabel.py needs on a
loaded machine; it measures the loop's choices, not the platform.

    .venv/bin/python bench/autolabel_offline.py [--initial 1000] [--batch 1000]
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

django.setup()

from apps.autolabel import learners, stats  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sentence-polarity"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accuracy", type=float, default=0.85)
    parser.add_argument("--initial", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--validation-share", type=float, default=0.25)
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--z", type=float, default=stats.Z_ONE_SIDED_99, help="bound's z (1.645: one-sided 95%%)"
    )
    args = parser.parse_args()
    stats.Z_ONE_SIDED_99 = args.z  # what the bound's confidence level costs
    started = time.monotonic()
    lines = [json.loads(line) for line in (DATA / "manifest.jsonl").open(encoding="utf-8")]
    with (DATA / "truth.csv").open(newline="", encoding="utf-8") as stream:
        truth = {row["id"]: row["label"] for row in csv.DictReader(stream)}
    texts = [line["source"] for line in lines]
    y = np.array([1 if truth[line["id"]] == "pos" else 0 for line in lines])
    n = len(y)
    rng = np.random.default_rng(args.seed)
    right = rng.random((n, 3)) < args.accuracy
    answers = np.where(right, y[:, None], 1 - y[:, None])
    crowd = (answers.sum(axis=1) >= 2).astype(int)
    agreeing = np.array([3.0 if len(set(row)) == 1 else 1.0 for row in answers.tolist()])
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
        learner = learners.TextTfidfLogistic()
        learner.fit([texts[i] for i in train], [int(crowd[i]) for i in train], 2)
        held_probabilities = learner.predict_proba([texts[i] for i in validation])
        order = sorted(pool)
        pool_probabilities = learner.predict_proba([texts[i] for i in order])
        agrees = held_probabilities.argmax(axis=1) == crowd[validation]
        chosen = stats.choose_threshold(
            held_probabilities.max(axis=1),
            agrees,
            agreeing[validation],
            pairs[validation],
            answers=3,
            classes=2,
            target=args.target,
        )
        confidence = pool_probabilities.max(axis=1)
        labeled = 0
        if chosen.value is not None:
            for position, item in enumerate(order):
                if confidence[position] >= chosen.value:
                    auto[item] = int(pool_probabilities[position].argmax())
                    labeled += 1
        pool -= set(auto)
        rest = [order[p] for p in np.argsort(confidence, kind="stable") if order[p] in pool]
        randoms = picker.sample(rest, min(len(rest), round(args.batch * args.validation_share)))
        uncertain = [i for i in rest if i not in set(randoms)][: args.batch - len(randoms)]
        validation += randoms
        train += uncertain
        pool -= set(randoms) | set(uncertain)
        print(
            f"round {number}: train {len(train) - len(uncertain)} val "
            f"{len(validation) - len(randoms)} threshold {chosen.value} "
            f"low {chosen.low} auto-labeled {labeled} (total {len(auto)})",
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
