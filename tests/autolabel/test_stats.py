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
    unanimous = np.full(200, 3.0)  # three answers per item, all alike: labels are right

    chosen = stats.choose_threshold(
        confidence, agrees, unanimous, unanimous, answers=3, classes=2, target=0.9
    )

    # candidates: 39 items (1.5 x the 26 on which a perfect model passes), then every 5
    assert chosen.above == 109  # at 114 the one-sided 95% lower bound is 0.890
    assert chosen.value == pytest.approx(confidence[108])
    assert chosen.accuracy == pytest.approx(105 / 109)
    assert round(chosen.low, 4) == 0.9207


def test_the_search_stops_at_the_first_candidate_that_fails():
    confidence = np.linspace(1.0, 0.5, 1000)
    agrees = np.ones(1000, dtype=bool)
    agrees[100:150] = False  # a bad stretch the agreeing items further down would outweigh
    unanimous = np.full(1000, 3.0)

    chosen = stats.choose_threshold(
        confidence, agrees, unanimous, unanimous, answers=3, classes=2, target=0.9
    )

    # 950 of 1000 agree (lower bound 0.938), but the candidate at 114 items fails first
    assert (chosen.above, chosen.accuracy) == (89, 1.0)


def test_noisier_crowds_need_more_validation_items_before_the_first_test():
    clean = stats.first_candidate(1.0, 2, 0.95, stats.Z_ONE_SIDED_95, stats.MIN_ABOVE)
    noisy = stats.first_candidate(0.94, 2, 0.95, stats.Z_ONE_SIDED_95, stats.MIN_ABOVE)

    assert stats.MIN_ABOVE < clean < noisy


def test_no_threshold_when_too_few_validation_items_agree():
    confidence = np.linspace(1.0, 0.5, 40)

    unanimous = np.full(40, 3.0)

    chosen = stats.choose_threshold(
        confidence, np.ones(40, dtype=bool), unanimous, unanimous, answers=3, classes=2, target=0.95
    )

    assert (chosen.value, chosen.above, chosen.low) == (None, 0, None)


def test_worker_accuracy_from_pairwise_agreement():
    assert stats.worker_accuracy(0.85**2 + 0.15**2, 1, 2) == pytest.approx(0.85)
    assert stats.worker_accuracy(0.85**2 + 0.15**2 / 9, 1, 10) == pytest.approx(0.85)


def test_plurality_of_three_85_percent_answers():
    # exact: p^3 + 3p^2(1-p) = 0.939 for two classes
    assert stats.plurality_accuracy(0.85, 3, 2) == pytest.approx(0.939, abs=0.01)


def test_the_threshold_accounts_for_noisy_human_labels():
    confidence = np.linspace(1.0, 0.5, 400)
    # 85% workers, three answers, two classes: 2-1 splits on about 38% of the items
    agreeing = np.where(np.arange(400) % 8 < 3, 1.0, 3.0)
    pairs = np.full(400, 3.0)
    agrees = np.arange(400) % 16 != 0  # the model agrees with the crowd 93.75% of the time

    chosen = stats.choose_threshold(
        confidence, agrees, agreeing, pairs, answers=3, classes=2, target=0.95
    )

    assert chosen.value is not None and chosen.low >= 0.95
    assert chosen.accuracy > 0.99  # a crowd right 94% of the time hides a nearly perfect model
