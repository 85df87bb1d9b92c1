import numpy as np
import pytest

from apps.autolabel import scoring


class MemoryLearner:
    """Sure of what it was taught, uniform on anything else: shows which inputs trained it."""

    version = "memory-1"

    def fit(self, inputs, labels, classes):
        self.classes, self.seen = classes, dict(zip(inputs, labels, strict=True))

    def predict_proba(self, inputs):
        rows = np.full((len(inputs), self.classes), 1 / self.classes)
        for row, item in enumerate(inputs):
            if item in self.seen:
                rows[row] = np.eye(self.classes)[self.seen[item]]
        return rows


def test_validation_items_are_scored_by_models_that_never_saw_them():
    held_inputs = [f"held {n}" for n in range(9)]

    held, pool = scoring.cross_fit(
        MemoryLearner,
        (["train a", "train b"], [0, 1]),
        (held_inputs, [1] * 9),
        ["train a", "held 0", "new"],
        2,
        seed=0,
    )

    assert held.tolist() == [[0.5, 0.5]] * 9
    # the pool is the mean of the fold models: every one trained on "train a", two of the
    # three on each validation item, none on "new"
    assert pool[0].tolist() == [1.0, 0.0]
    assert pool[1] == pytest.approx([1 / 6, 5 / 6])
    assert pool[2].tolist() == [0.5, 0.5]


def test_a_learner_returning_no_probabilities_is_bad_output():
    class Shapeless(MemoryLearner):
        def predict_proba(self, inputs):
            return [0.5] * len(inputs)

    with pytest.raises(scoring.BadOutput, match="returned list, not an array"):
        scoring.cross_fit(Shapeless, (["a"], [0]), (["b", "c", "d"], [1, 1, 1]), [], 2, seed=0)
