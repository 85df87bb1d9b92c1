import numpy as np
import pytest

from apps.autolabel import stats


def test_wilson_interval_of_nine_in_ten():
    low, high = stats.wilson(9, 10)

    assert (round(low, 4), round(high, 4)) == (0.5958, 0.9821)


def test_wilson_interval_of_no_observations_is_everything():
    assert stats.wilson(0, 0) == (0.0, 1.0)


def test_noise_correction_recovers_a_perfect_model_behind_94_percent_labels():
    assert stats.noise_corrected(0.94, 0.94, 2) == pytest.approx(1.0)
    assert stats.noise_corrected(0.5, 0.94, 2) == pytest.approx(0.5)


def test_noise_correction_refuses_labels_at_chance():
    assert stats.noise_corrected(0.9, 0.5, 2) is None


def test_the_threshold_is_the_lowest_whose_lower_bound_reaches_the_target():
    confidence = np.linspace(1.0, 0.5, 200)
    agrees = np.ones(200, dtype=bool)
    agrees[100:] = np.arange(100) % 2 == 0  # below 0.75 the model is a coin
    reference = np.ones(200)

    chosen = stats.choose_threshold(confidence, agrees, reference, classes=2, target=0.9)

    assert chosen.above == 107  # at 109 the one-sided 99% lower bound is 0.895
    assert chosen.value == pytest.approx(confidence[106])
    assert chosen.accuracy == pytest.approx(104 / 107)
    assert round(chosen.low, 4) == 0.9065


def test_no_threshold_when_too_few_validation_items_agree():
    confidence = np.linspace(1.0, 0.5, 40)

    chosen = stats.choose_threshold(
        confidence, np.ones(40, dtype=bool), np.ones(40), classes=2, target=0.95
    )

    assert (chosen.value, chosen.above, chosen.low) == (None, 0, None)
