"""Cross-fitted scoring: every human label trains the model, and the validation slice is
still scored by models that never saw it.

The slice is cut into FOLDS parts; one model per part trains on the labels outside the
validation slice plus the other parts, and scores its own part (out of fold) and the pool.
The pool's probabilities are the mean of the fold models'. Holding the slice out of
training instead would leave the model a quarter of the labels weaker and the slice too
small for a tight bound, which is what kept the sentence-polarity share low.
"""

import numpy as np

from . import learners

FOLDS = 3


class BadOutput(Exception):
    """A learner returned something that is not a probability table; `args[0]` says what."""


def _checked(learner, inputs: list, classes: int) -> np.ndarray:
    probabilities = learner.predict_proba(inputs)
    problem = learners.probabilities_check(probabilities, len(inputs), classes)
    if problem:
        raise BadOutput(problem)
    return probabilities


def cross_fit(
    new_learner,
    train: tuple[list, list[int]],
    held: tuple[list, list[int]],
    pool: list,
    classes: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(out-of-fold probabilities of the `held` inputs, mean probabilities of the `pool`).
    `train` and `held` are (inputs, label indices); `new_learner()` makes a fresh learner.
    Raises whatever the learner raises, or BadOutput."""
    train_inputs, train_labels = train
    held_inputs, held_labels = held
    fold_of = np.random.default_rng(seed).permutation(len(held_inputs)) % FOLDS
    held_probabilities = np.zeros((len(held_inputs), classes))
    pool_probabilities = np.zeros((len(pool), classes))
    for fold in range(FOLDS):
        inside = np.flatnonzero(fold_of != fold)
        outside = np.flatnonzero(fold_of == fold)
        learner = new_learner()
        learner.fit(
            train_inputs + [held_inputs[i] for i in inside],
            train_labels + [held_labels[i] for i in inside],
            classes,
        )
        if len(outside):
            held_probabilities[outside] = _checked(
                learner, [held_inputs[i] for i in outside], classes
            )
        if pool:
            pool_probabilities += _checked(learner, pool, classes) / FOLDS
    return held_probabilities, pool_probabilities


def training_size(train: int, held: int) -> int:
    """Labels each fold model trains on (about)."""
    return train + held - -(-held // FOLDS)
