"""Multi-label consolidation: one binary decision per label (binary relevance).

A label is in the result when more than half of the answers' weight includes it (a tie
leaves it out: pinned). Its confidence is the one-coin posterior of that decision, with
each answer weighted by its worker's accuracy (default 0.7).
"""

import math
from collections.abc import Sequence


def _posterior_yes(yes: float, no: float) -> float:
    """P(label applies) from summed log-odds weights of yes and no votes."""
    log_odds = yes - no
    return 1.0 / (1.0 + math.exp(-max(min(log_odds, 700.0), -700.0)))


def _weight(accuracy: float) -> float:
    accuracy = min(max(accuracy, 0.5 + 1e-6), 1 - 1e-6)
    return math.log(accuracy / (1 - accuracy))


def consolidate_multilabel(
    answers: Sequence[Sequence[str]],
    categories: Sequence[str],
    *,
    accuracies: Sequence[float] | None = None,
) -> tuple[list[str], dict[str, float], float]:
    """`answers`: one label list per worker. Returns (labels in category order, confidence
    of each category's decision, overall confidence = the least certain decision)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    accuracies = accuracies or [0.7] * len(answers)
    weights = [_weight(a) for a in accuracies]
    chosen, confidences = [], {}
    for category in categories:
        yes = sum(w for w, labels in zip(weights, answers, strict=True) if category in labels)
        no = sum(weights) - yes
        p_yes = _posterior_yes(yes, no)
        if yes > no:
            chosen.append(category)
            confidences[category] = p_yes
        else:
            confidences[category] = 1 - p_yes
    overall = min(confidences.values()) if confidences else 1.0
    return chosen, confidences, overall
