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
