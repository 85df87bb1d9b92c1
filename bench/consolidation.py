"""Consolidation accuracy, calibration and speed.

Usage:

    .venv/bin/python bench/consolidation.py [--datasets web,cf] [--skip-synthetic]
        [--synthetic-answers 1000000] [--no-crowdkit]

Per dataset in ../shared/data/truth-inference/: accuracy on items with gold for majority
vote (pinned tie rule), our default method (regularised Dawid-Skene, `ds`) and, side by
side, crowd-kit's DawidSkene; expected calibration error (10 equal-width bins) of our
confidences; then 1,000,000 synthetic answers (200,000 items x 5 answers from 1,000
simulated workers with varied confusion matrices, 10% spammers): wall time and peak memory
of the default method, accuracy against MV.

crowd-kit is a bench-only dependency (never in requirements.txt). Install it into a separate
virtualenv without its heavy optional dependencies, then run this script with that Python
(it needs our numpy too):

    python -m venv .bench-venv
    .bench-venv/bin/pip install -r bench/requirements.txt
    .bench-venv/bin/pip install --no-deps crowd-kit==1.4.2
    .bench-venv/bin/python bench/consolidation.py

Without crowd-kit the script prints our figures and says how to get the comparison.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.tasks.consolidation.categorical import (  # noqa: E402
    dawid_skene,
    encode,
    majority_vote,
)
from apps.tasks.consolidation.metrics import expected_calibration_error  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "truth-inference"
INSTALL_HINT = (
    "crowd-kit not installed: its column is left out. To compare, run with a Python that has "
    "it:\n  python -m venv .bench-venv && .bench-venv/bin/pip install -r bench/requirements.txt"
    " && .bench-venv/bin/pip install --no-deps crowd-kit==1.4.2"
)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        return [row for row in reader if row]


def evaluate(name: str, crowdkit) -> dict:
    answers = read_csv(DATA / name / "answers.csv")
    truth = dict((row[0], row[1]) for row in read_csv(DATA / name / "truth.csv"))
    items, workers, labels = zip(*((a[0], a[1], a[2]) for a in answers), strict=True)
    data = encode(items, workers, labels)
    n_items, n_workers, n_classes = data.shape
    started = time.perf_counter()
    ours = dawid_skene(data.items, data.workers, data.labels, n_items, n_workers, n_classes)
    seconds = time.perf_counter() - started
    mv = majority_vote(data.items, data.labels, n_items, n_classes)
    gold = [(i, truth[item]) for i, item in enumerate(data.item_ids) if item in truth]
    index = np.array([i for i, _ in gold])
    classes = np.array(data.classes, dtype=object)
    expected = np.array([label for _, label in gold], dtype=object)
    row = {
        "dataset": name,
        "answers": len(answers),
        "gold": len(gold),
        "mv": float(np.mean(classes[mv.labels[index]] == expected)),
        "ours": float(np.mean(classes[ours.labels[index]] == expected)),
        "ece": expected_calibration_error(
            ours.confidences[index], classes[ours.labels[index]] == expected
        ),
        "mv_ece": expected_calibration_error(
            mv.confidences[index], classes[mv.labels[index]] == expected
        ),
        "seconds": seconds,
        "iterations": ours.iterations,
        **_with_gold(data, index, expected),
    }
    if crowdkit is not None:
        import pandas as pd

        frame = pd.DataFrame({"task": items, "worker": workers, "label": labels})
        started = time.perf_counter()
        predicted = crowdkit.DawidSkene(n_iter=100).fit_predict(frame)
        row["ck_seconds"] = time.perf_counter() - started
        hits = [predicted.get(item) == label for item, label in truth.items() if item in predicted]
        row["crowdkit_ds"] = float(np.mean(hits))
    return row


GOLD_SHARE, GOLD_DRAWS = 0.1, 3


def _with_gold(data, index: np.ndarray, expected: np.ndarray) -> dict:
    """Accuracy and ECE on the truth items not given as gold, when a tenth are; the mean over
    three fixed random draws (one draw of ~60 gold items can be much easier than the rest)."""
    position = {label: number for number, label in enumerate(data.classes)}
    classes = np.array(data.classes, dtype=object)
    draws = []
    for seed in range(GOLD_DRAWS):
        is_gold = np.random.default_rng(seed).random(len(index)) < GOLD_SHARE
        known = {
            int(i): position[label]
            for i, label in zip(index[is_gold], expected[is_gold], strict=True)
            if label in position  # a gold label no worker gave cannot be clamped
        }
        taught = dawid_skene(data.items, data.workers, data.labels, *data.shape, known=known)
        held_out = index[~is_gold]
        right = classes[taught.labels[held_out]] == expected[~is_gold]
        ece = expected_calibration_error(taught.confidences[held_out], right)
        draws.append((np.mean(right), ece, taught.calibration_scale))
    accuracy, ece, scale = np.mean(draws, axis=0)
    return {"gold_ours": float(accuracy), "gold_ece": float(ece), "gold_scale": float(scale)}


def synthetic(n_answers: int, seed: int = 7) -> dict:
    """Simulated crowd: items x 5 answers from 1,000 workers; 10% spammers answer at
    random, the rest have confusion matrices with accuracy drawn in [0.55, 0.95]."""
    rng = np.random.default_rng(seed)
    per_item, n_workers, n_classes = 5, 1000, 4
    n_items = n_answers // per_item
    truth = rng.choice(n_classes, size=n_items, p=[0.4, 0.3, 0.2, 0.1])
    accuracy = rng.uniform(0.55, 0.95, size=n_workers)
    confusion = np.empty((n_workers, n_classes, n_classes))
    for w in range(n_workers):
        for k in range(n_classes):
            errors = rng.dirichlet(np.ones(n_classes - 1))
            confusion[w, k] = np.insert(errors * (1 - accuracy[w]), k, accuracy[w])
    spammers = rng.choice(n_workers, size=n_workers // 10, replace=False)
    confusion[spammers] = 1.0 / n_classes
    # 5 distinct workers per item
    workers = np.argsort(rng.random((n_items, n_workers // 50)), axis=1)[:, :per_item]
    workers = workers + 20 * rng.integers(0, 50, size=(n_items, 1))
    workers = workers.ravel()
    items = np.repeat(np.arange(n_items), per_item)
    cumulative = confusion[workers, truth[items]].cumsum(axis=1)
    labels = (rng.random(len(items))[:, None] > cumulative).sum(axis=1).clip(0, n_classes - 1)
    del cumulative
    # As a user's file arrives: string ids and labels, mapped to integers by `encode`.
    item_ids = [f"item-{n}" for n in items.tolist()]
    worker_ids = [f"worker-{n}" for n in workers.tolist()]
    label_ids = [str(n) for n in labels.tolist()]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    data = encode(item_ids, worker_ids, label_ids)
    encoded = time.perf_counter() - started
    ours = dawid_skene(data.items, data.workers, data.labels, *data.shape)
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # back to the simulation's numbering to score
    chosen = np.array(data.classes, dtype=np.int64)[ours.labels]
    order = np.array([int(i.split("-")[1]) for i in data.item_ids])
    predicted = np.empty(n_items, dtype=np.int64)
    predicted[order] = chosen
    confidences = np.empty(n_items)
    confidences[order] = ours.confidences
    mv = majority_vote(items, labels, n_items, n_classes)
    return {
        "answers": len(items),
        "seconds": seconds,
        "encode_seconds": encoded,
        "iterations": ours.iterations,
        "peak_mb_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_mb_before": base / 1024,
        "traced_peak_mb": traced_peak / 2**20,
        "ours": float(np.mean(predicted == truth)),
        "mv": float(np.mean(mv.labels == truth)),
        "ece": expected_calibration_error(confidences, predicted == truth),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", default="")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--synthetic-answers", type=int, default=1_000_000)
    parser.add_argument("--no-crowdkit", action="store_true")
    parser.add_argument("--synthetic-only", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.synthetic_only:
        print(json.dumps(synthetic(options.synthetic_answers)))
        return
    crowdkit = None
    if not options.no_crowdkit:
        try:
            import crowdkit.aggregation as crowdkit
        except ImportError:
            print(INSTALL_HINT)
    names = (
        options.datasets.split(",")
        if options.datasets
        else sorted(p.name for p in DATA.iterdir() if p.is_dir())
    )
    header = f"{'dataset':14} {'answers':>8} {'gold':>6} {'MV':>6} {'ours':>6}"
    header += f" {'ck-DS':>6}" if crowdkit else ""
    header += f" {'ECE':>6} {'MV-ECE':>6} {'ours s':>7}" + (f" {'ck s':>6}" if crowdkit else "")
    header += f" | 10% gold: {'ours':>6} {'ECE':>6} {'scale':>6}"
    print(header)
    rows = []
    for name in names:
        row = evaluate(name, crowdkit)
        rows.append(row)
        line = f"{name:14} {row['answers']:>8} {row['gold']:>6} {row['mv']:6.3f} {row['ours']:6.3f}"
        if crowdkit:
            line += f" {row['crowdkit_ds']:6.3f}"
        line += f" {row['ece']:6.3f} {row['mv_ece']:6.3f} {row['seconds']:7.2f}"
        if crowdkit:
            line += f" {row['ck_seconds']:6.2f}"
        line += f" | {'':>9} {row['gold_ours']:6.3f} {row['gold_ece']:6.3f}"
        line += f" {row['gold_scale']:6.2f}"
        if crowdkit and row["ours"] < min(row["mv"], row["crowdkit_ds"]) - 0.01:
            line += "  << more than 1 point below min(MV, DS)"
        elif not crowdkit and row["ours"] < row["mv"] - 0.01:
            line += "  (below MV; the target is min(MV, crowd-kit DS): not measured)"
        print(line, flush=True)
    keys = ("mv", "ours", "ece", "mv_ece", "gold_ours", "gold_ece")
    mean = {key: np.mean([r[key] for r in rows]) for key in keys}
    line = f"{'MEAN':14} {'':>8} {'':>6} {mean['mv']:6.3f} {mean['ours']:6.3f}"
    if crowdkit:
        line += f" {np.mean([r['crowdkit_ds'] for r in rows]):6.3f}"
    line += f" {mean['ece']:6.3f} {mean['mv_ece']:6.3f} {'':>7}" + (f" {'':>6}" if crowdkit else "")
    print(line + f" | {'':>9} {mean['gold_ours']:6.3f} {mean['gold_ece']:6.3f}")
    if not options.skip_synthetic:
        # A fresh process so its peak memory is the consolidation's, not the datasets'.
        command = [sys.executable, __file__, "--synthetic-only"]
        command += ["--synthetic-answers", str(options.synthetic_answers)]
        output = subprocess.run(command, capture_output=True, text=True, check=True, env=os.environ)
        result = json.loads(output.stdout.strip().splitlines()[-1])
        print(
            f"synthetic: {result['answers']:,} answers with string ids: encode + default method "
            f"{result['seconds']:.1f} s (encode {result['encode_seconds']:.1f} s, "
            f"{result['iterations']} EM iterations); memory allocated by consolidation at its "
            f"peak {result['traced_peak_mb']:.0f} MB; peak RSS of the whole process "
            f"{result['peak_mb_process']:.0f} MB ({result['peak_mb_before']:.0f} MB before "
            f"consolidating); accuracy {result['ours']:.4f} vs MV {result['mv']:.4f}, "
            f"ECE {result['ece']:.3f}"
        )


if __name__ == "__main__":
    main()
