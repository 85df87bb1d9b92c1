"""Quality figures over consolidated labels: calibration, and (below) agreement."""

import numpy as np


def expected_calibration_error(confidences, correct, *, bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    confidences = np.asarray(confidences, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if len(confidences) == 0:
        return 0.0
    which = np.minimum((confidences * bins).astype(np.int64), bins - 1)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            gap = abs(correct[members].mean() - confidences[members].mean())
            total += members.sum() * gap
    return float(total / len(confidences))


def _complete_items(counts) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError("counts must be items x classes")
    return counts[counts.sum(axis=1) >= 2]


def fleiss_kappa(counts) -> float | None:
    """Fleiss' kappa from vote counts (items x classes); items may have different numbers
    of answers (each item's agreement is over its own pairs); items with fewer than 2
    answers are left out. None when undefined (no such item, or one class only)."""
    counts = _complete_items(counts)
    if len(counts) == 0:
        return None
    n = counts.sum(axis=1)
    per_item = ((counts * (counts - 1)).sum(axis=1)) / (n * (n - 1))
    observed = per_item.mean()
    shares = counts.sum(axis=0) / counts.sum()
    chance = float((shares**2).sum())
    if chance >= 1.0:
        return None
    return float((observed - chance) / (1 - chance))


def krippendorff_alpha_nominal(counts) -> float | None:
    """Krippendorff's alpha for nominal data from vote counts (items x classes), via the
    coincidence matrix; items with fewer than 2 answers carry no pairs. None when
    undefined (fewer than 2 pairable answers, or one class only)."""
    counts = _complete_items(counts)
    if len(counts) == 0:
        return None
    n_item = counts.sum(axis=1)
    coincidence = np.einsum("ic,ik->ck", counts, counts / (n_item - 1)[:, None])
    coincidence[np.diag_indices_from(coincidence)] -= (counts / (n_item - 1)[:, None]).sum(axis=0)
    marginals = coincidence.sum(axis=1)
    total = marginals.sum()
    disagreement = coincidence.sum() - np.trace(coincidence)
    expected = (total**2 - (marginals**2).sum()) / (total - 1)
    if expected <= 0:
        return None
    return float(1 - disagreement / expected)


def span_f1(answers_per_item) -> float | None:
    """Pairwise exact-span F1 between workers, micro-averaged over all worker pairs of all
    items: 2 * shared spans / (spans of one + spans of the other). `answers_per_item`: per
    item, one entity list (`{label, startOffset, endOffset}`) per worker. None when no pair
    marked any span."""
    shared = total = 0
    for answers in answers_per_item:
        sets = [{(e["label"], e["startOffset"], e["endOffset"]) for e in a} for a in answers]
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                shared += len(sets[i] & sets[j])
                total += len(sets[i]) + len(sets[j])
    return 2 * shared / total if total else None
