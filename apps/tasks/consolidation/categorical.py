"""Single-label consolidation: majority vote and a regularised Dawid-Skene.

Inputs are integer-coded answers: three equal-length arrays `items`, `workers`, `labels`
(ids mapped to 0..n-1 first: `encode`), one row per answer; repeated (item, worker) pairs
count as separate answers, as the benchmark data keeps them.

Tie rule (pinned, tested): classes are numbered in priority order and every tie goes to the
lowest class index. `encode` numbers classes by how often they were answered over the whole
answer set (most first), then by natural label order (numbers numerically, then text); the
project path numbers them in the project's category order. Nothing depends on the order of
the rows, so permuting workers or items never changes a result.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EPSILON = 1e-9


@dataclass(frozen=True)
class Encoded:
    items: np.ndarray  # int64 item index per answer
    workers: np.ndarray  # int64 worker index per answer
    labels: np.ndarray  # int64 class index per answer
    item_ids: list  # index -> original id
    worker_ids: list
    classes: list  # class index -> label, in priority (tie-break) order

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.item_ids), len(self.worker_ids), len(self.classes)


@dataclass(frozen=True)
class Result:
    posteriors: np.ndarray  # (items, classes), rows sum to 1
    labels: np.ndarray  # class index per item
    confidences: np.ndarray  # posterior of the chosen class
    answered: np.ndarray  # bool per item: has at least one answer
    worker_confusion: np.ndarray | None = None  # (workers, true class, answered class)
    worker_accuracy: np.ndarray | None = None  # expected share of correct answers
    class_priors: np.ndarray | None = None
    iterations: int = 0
    calibration_scale: float = 1.0  # fitted on the known items (1.0: none known)


def natural_key(label: str) -> tuple:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def _factorize(values: Sequence) -> tuple[np.ndarray, list]:
    index: dict = {}
    codes = np.fromiter(
        (index.setdefault(value, len(index)) for value in values), dtype=np.int64, count=len(values)
    )
    return codes, list(index)


def encode(
    items: Sequence, workers: Sequence, labels: Sequence, *, classes: Sequence | None = None
) -> Encoded:
    """Map ids to dense integers. Items and workers are numbered in sorted id order, classes
    as given in `classes` or else by the tie rule above (frequency, then natural order)."""
    if not (len(items) == len(workers) == len(labels)):
        raise ValueError("items, workers and labels must have the same length")
    item_codes, item_ids = _factorize(items)
    worker_codes, worker_ids = _factorize(workers)
    label_codes, seen = _factorize(labels)
    item_codes, item_ids = _renumber_sorted(item_codes, item_ids)
    worker_codes, worker_ids = _renumber_sorted(worker_codes, worker_ids)
    if classes is None:
        counts = np.bincount(label_codes, minlength=len(seen))
        order = sorted(range(len(seen)), key=lambda c: (-counts[c], natural_key(str(seen[c]))))
        classes = [seen[c] for c in order]
    else:
        classes = list(classes)
        unknown = [label for label in seen if label not in set(classes)]
        if unknown:
            raise ValueError(f"labels outside the category set: {sorted(map(str, unknown))}")
    position = {label: number for number, label in enumerate(classes)}
    mapping = np.array([position[label] for label in seen], dtype=np.int64)
    return Encoded(
        items=item_codes,
        workers=worker_codes,
        labels=mapping[label_codes] if len(seen) else label_codes,
        item_ids=item_ids,
        worker_ids=worker_ids,
        classes=classes,
    )


def _renumber_sorted(codes: np.ndarray, ids: list) -> tuple[np.ndarray, list]:
    """Number ids in sorted order so the result does not depend on row order."""
    order = sorted(range(len(ids)), key=lambda i: natural_key(str(ids[i])))
    new_number = np.empty(len(ids), dtype=np.int64)
    new_number[order] = np.arange(len(ids))
    return (new_number[codes] if len(ids) else codes), [ids[i] for i in order]


def _counts(items, labels, n_items, n_classes) -> np.ndarray:
    flat = np.bincount(items * n_classes + labels, minlength=n_items * n_classes)
    return flat.reshape(n_items, n_classes).astype(np.float64)


def _pick(posteriors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """argmax with the pinned tie rule: among (near-)equal maxima, the lowest class index."""
    best = posteriors.max(axis=1, keepdims=True)
    labels = np.argmax(posteriors >= best - 1e-12, axis=1)
    return labels, posteriors[np.arange(len(labels)), labels]


def majority_vote(
    items: np.ndarray, labels: np.ndarray, n_items: int, n_classes: int, *, accuracy: float = 0.7
) -> Result:
    """Most answered label per item; ties to the lowest class index.

    Confidence is the posterior of the winner under a one-coin model in which every worker
    is right with probability `accuracy` and otherwise picks uniformly among the other
    classes (uniform class prior): with 1 answer it is `accuracy`, with n unanimous
    answers it grows towards 1. Items without answers get a uniform posterior.
    """
    counts = _counts(items, labels, n_items, n_classes)
    posteriors = one_coin_posteriors(counts, accuracy=accuracy)
    answered = counts.sum(axis=1) > 0
    # The label is the plurality (identical to the one-coin argmax for any accuracy above
    # chance); computed from counts so the tie rule is exact, not float-dependent.
    best = counts.max(axis=1, keepdims=True)
    winners = np.argmax(counts >= best, axis=1)
    return Result(
        posteriors=posteriors,
        labels=winners,
        confidences=posteriors[np.arange(n_items), winners],
        answered=answered,
    )


def one_coin_posteriors(
    counts: np.ndarray, *, accuracy: float, priors: np.ndarray | None = None
) -> np.ndarray:
    """Posterior over classes from vote counts (items x classes) with one shared accuracy."""
    n_classes = counts.shape[1]
    if n_classes == 1:
        return np.ones_like(counts)
    accuracy = min(max(accuracy, 1.0 / n_classes + 1e-6), 1 - 1e-6)
    wrong = (1 - accuracy) / (n_classes - 1)
    logs = counts * (np.log(accuracy) - np.log(wrong))
    if priors is not None:
        logs = logs + np.log(np.maximum(priors, EPSILON))
    logs -= logs.max(axis=1, keepdims=True)
    posteriors = np.exp(logs)
    return posteriors / posteriors.sum(axis=1, keepdims=True)


def dawid_skene(
    items: np.ndarray,
    workers: np.ndarray,
    labels: np.ndarray,
    n_items: int,
    n_workers: int,
    n_classes: int,
    *,
    confusion_strength: float = 4.0,
    accuracy_strength: float = 2.0,
    evidence_answers: float | None = 2.0,
    known: dict[int, int] | None = None,
    max_iterations: int = 3,
    tolerance: float = 1e-5,
) -> Result:
    """Dawid-Skene EM with hierarchical priors, initialised from majority vote.

    Each worker has a confusion matrix (true class x answered class). Its prior, worth
    `confusion_strength` pseudo-answers per true class, is a one-coin matrix: the worker's
    own accuracy on the diagonal, the rest spread like the pooled confusions of all
    workers. The worker's accuracy is itself shrunk towards the pooled accuracy with
    `accuracy_strength` pseudo-answers. A worker with few answers therefore behaves like a
    one-coin worker near the crowd average; one with many answers gets a full confusion
    matrix. `known` maps item index -> true class index (gold items): those posteriors
    are held at the known class, so gold answers teach the worker estimates.

    Two measured regularisers (bench/consolidation.py, 20 public datasets):
    - EM stops after `max_iterations` = 3 rounds from majority vote. Run to convergence,
      DS drifts on sparse data with class-asymmetric errors (ZenCrowd, AdultContent: 2-4
      points lost); three rounds keep the gains elsewhere (mean 0.841 vs 0.840 converged).
    - Confidences: an item's log-posterior is divided by max(1, answers /
      `evidence_answers`), i.e. its answers count as at most 2 independent answers of
      their average strength (the chosen label never changes). DS assumes workers err
      independently; real crowds err together, so plain posteriors grow overconfident
      with the number of answers (mean ECE 0.113 over the 20 datasets; 0.062 with this
      rule; a single global temperature reached 0.089). Chosen on that benchmark, so
      its ECE there is optimistic. None gives the plain posterior.

    Calibration from gold: no answer-only rule fits every crowd. Where workers agree with
    each other far more than with the truth (s4_face: 76% vs 59%), every answer-based
    estimate is overconfident; where DS finds a few reliable workers among spammers (web,
    bluebirds) the count rule is underconfident. So when `known` items have answers, their
    log-posteriors (computed as if unknown) fit one scale s (`calibration_scale`) by
    maximum a posteriori, prior log s ~ N(0, 1) so a handful of gold items moves it little;
    every item's log-posterior is multiplied by s (labels unchanged). Measured with 10% of
    the truth as gold, scored on the other 90% (bench/consolidation.py).
    """
    items = np.asarray(items, dtype=np.int64)
    workers = np.asarray(workers, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.int64)
    mv = majority_vote(items, labels, n_items, n_classes)
    if len(items) == 0 or n_classes < 2 or len(np.unique(workers)) < 2:
        # Nothing to learn worker quality from (one worker agrees with itself): majority
        # vote with the default one-coin confidence.
        return mv
    order = np.argsort(items, kind="stable")
    items_s, workers_s, labels_s = items[order], workers[order], labels[order]
    starts = np.flatnonzero(np.r_[True, items_s[1:] != items_s[:-1]])
    present = items_s[starts]
    pair = workers_s * n_classes + labels_s
    row = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(items_s)]))

    counts = _counts(items, labels, n_items, n_classes)[present]
    posteriors = counts / counts.sum(axis=1, keepdims=True)  # soft majority vote
    clamp_rows, clamp_labels = _clamp(known, present)
    posteriors = _clamped(posteriors, clamp_rows, clamp_labels)
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported
        priors, confusion, pseudo_counts = _m_step(
            posteriors[row],
            pair,
            n_workers,
            n_classes,
            confusion_strength,
            accuracy_strength,
        )
        log_confusion = np.log(np.maximum(confusion, EPSILON))
        logs = _log_posteriors(log_confusion, priors, workers_s, labels_s, starts)
        new = _clamped(_softmax(logs), clamp_rows, clamp_labels)
        change = np.abs(new - posteriors).max()
        posteriors = new
        if change < tolerance:
            break
    scale = 1.0
    temperatures = 1.0
    if evidence_answers is not None:
        per_item = np.diff(np.r_[starts, len(items_s)])
        temperatures = np.maximum(1.0, per_item / evidence_answers)[:, None]
    if len(clamp_rows):
        held_out = _known_logs_held_out(
            logs, pseudo_counts, workers_s, labels_s, row, clamp_rows, clamp_labels
        )
        scale = calibration_scale(held_out / temperatures[clamp_rows], clamp_labels)
    logs /= temperatures
    posteriors = _clamped(_softmax(logs * scale), clamp_rows, clamp_labels)
    full = np.tile(np.full(n_classes, 1.0 / n_classes), (n_items, 1))
    full[present] = posteriors
    chosen, confidences = _pick(full)
    worker_accuracy = np.einsum("wkk,k->w", confusion, priors)
    return Result(
        posteriors=full,
        labels=chosen,
        confidences=confidences,
        answered=mv.answered,
        worker_confusion=confusion,
        worker_accuracy=worker_accuracy,
        class_priors=priors,
        iterations=iterations,
        calibration_scale=scale,
    )


CALIBRATION_SCALES = np.exp(np.linspace(np.log(1 / 20), np.log(20), 241))


def calibration_scale(logs: np.ndarray, truth: np.ndarray) -> float:
    """The scale s of log-posteriors (rows x classes) that best predicts the true classes:
    maximum a posteriori on a log grid (1/20..20), prior log s ~ N(0, 1)."""
    rows = np.arange(len(truth))
    best, best_score = 1.0, np.inf
    for scale in CALIBRATION_SCALES:
        scaled = logs * scale
        top = scaled.max(axis=1)
        log_norm = top + np.log(np.exp(scaled - top[:, None]).sum(axis=1))
        score = (log_norm - scaled[rows, truth]).sum() + 0.5 * np.log(scale) ** 2
        if score < best_score:
            best, best_score = float(scale), score
    return best


def _known_logs_held_out(logs, pseudo_counts, workers_s, labels_s, row, clamp_rows, clamp_labels):
    """The known items' log-posteriors with each item's own answers taken out of the
    worker estimates it taught: in-sample, gold looks easier than other items and the
    fitted scale comes out overconfident (s4_face: ECE 0.22 instead of 0.17)."""
    true_class = np.full(len(logs), -1)
    true_class[clamp_rows] = clamp_labels
    answer_class = true_class[row]
    taught = np.flatnonzero(answer_class >= 0)
    w, c, k = workers_s[taught], answer_class[taught], labels_s[taught]
    cell, total = pseudo_counts[w, c, k], pseudo_counts[w, c].sum(axis=1)
    change = np.log(np.maximum(cell - 1, EPSILON) / (total - 1)) - np.log(cell / total)
    held_out = logs.copy()
    np.add.at(held_out, (row[taught], c), change)
    return held_out[clamp_rows]


def _clamp(known: dict[int, int] | None, present: np.ndarray):
    """Rows (of the answered items) whose true class is known, and those classes."""
    if not known:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    items = np.fromiter(known, dtype=np.int64, count=len(known))
    classes = np.fromiter(known.values(), dtype=np.int64, count=len(known))
    rows = np.searchsorted(present, items)
    hit = (rows < len(present)) & (present[np.minimum(rows, len(present) - 1)] == items)
    return rows[hit], classes[hit]


def _clamped(posteriors: np.ndarray, rows: np.ndarray, classes: np.ndarray) -> np.ndarray:
    if len(rows):
        posteriors[rows] = 0.0
        posteriors[rows, classes] = 1.0
    return posteriors


def _log_posteriors(log_confusion, priors, workers_s, labels_s, starts) -> np.ndarray:
    """Unnormalised log-posteriors of the answered items (E-step); dividing or scaling
    a row never moves its argmax, which is how tempering and calibration keep labels."""
    per_answer = log_confusion[workers_s, :, labels_s]  # (answers, classes)
    logs = np.add.reduceat(per_answer, starts, axis=0)
    logs += np.log(np.maximum(priors, EPSILON))
    return logs - logs.max(axis=1, keepdims=True)


def _softmax(logs: np.ndarray) -> np.ndarray:
    posteriors = np.exp(logs - logs.max(axis=1, keepdims=True))
    return posteriors / posteriors.sum(axis=1, keepdims=True)


def _m_step(answer_posteriors, pair, n_workers, n_classes, confusion_strength, accuracy_strength):
    """Class priors and regularised per-worker confusion matrices from soft labels."""
    soft = np.empty((n_workers, n_classes, n_classes))
    for true_class in range(n_classes):
        soft[:, true_class, :] = np.bincount(
            pair, weights=answer_posteriors[:, true_class], minlength=n_workers * n_classes
        ).reshape(n_workers, n_classes)
    class_mass = answer_posteriors.sum(axis=0)
    priors = (class_mass + 1.0) / (class_mass.sum() + n_classes)

    pooled = soft.sum(axis=0) + 0.01
    pooled_accuracy = np.trace(pooled) / pooled.sum()
    off = pooled * (1 - np.eye(n_classes))
    off_share = off / off.sum(axis=1, keepdims=True)  # how errors spread, per true class

    answers_per_worker = soft.sum(axis=(1, 2))
    correct = np.einsum("wkk->w", soft)
    accuracy = (correct + accuracy_strength * pooled_accuracy) / (
        answers_per_worker + accuracy_strength
    )
    prior = (1 - accuracy)[:, None, None] * off_share[None, :, :]
    idx = np.arange(n_classes)
    prior[:, idx, idx] = accuracy[:, None]
    pseudo_counts = soft + confusion_strength * prior
    confusion = pseudo_counts / pseudo_counts.sum(axis=2, keepdims=True)
    return priors, confusion, pseudo_counts


def weighted_vote(
    labels: Sequence[int], accuracies: Sequence[float], n_classes: int
) -> tuple[int, float]:
    """One item's label from a few answers, each weighted by its worker's accuracy (one-coin
    log-odds); ties to the lowest class index. Cheap enough for the submit path."""
    if not len(labels):
        raise ValueError("no answers to consolidate")
    if n_classes < 2:
        return 0, 1.0
    logs = np.zeros(n_classes)
    for label, accuracy in zip(labels, accuracies, strict=True):
        accuracy = min(max(accuracy, 1.0 / n_classes + 1e-6), 1 - 1e-6)
        logs[label] += np.log(accuracy * (n_classes - 1) / (1 - accuracy))
    logs -= logs.max()
    posterior = np.exp(logs)
    posterior /= posterior.sum()
    chosen, confidence = _pick(posterior[None, :])
    return int(chosen[0]), float(confidence[0])
