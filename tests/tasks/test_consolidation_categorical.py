"""Single-label consolidators: majority vote, Dawid-Skene, the offline CSV format."""

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.tasks.consolidation import consolidate_labels
from apps.tasks.consolidation.answers_csv import AnswersFileError, read_answers, write_labels
from apps.tasks.consolidation.categorical import (
    calibration_scale,
    dawid_skene,
    encode,
    majority_vote,
)
from apps.tasks.consolidation.metrics import (
    expected_calibration_error,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    span_f1,
)

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _by_item(results):
    return {r.item: (r.label, round(r.confidence, 9)) for r in results}


def test_majority_vote_ties_go_to_the_most_answered_label_then_natural_order():
    # Overall "b" is answered 3 times, "a" twice: the a/b tie on item 1 goes to "b".
    results = consolidate_labels(
        ["1", "1", "2", "2", "3"],
        ["w1", "w2", "w1", "w2", "w1"],
        ["a", "b", "b", "b", "a"],
        method="mv",
    )
    assert [(r.item, r.label) for r in results] == [("1", "b"), ("2", "b"), ("3", "a")]
    # Equal counts overall: natural order, numbers numerically ("2" before "10").
    results = consolidate_labels(["x", "x"], ["w1", "w2"], ["10", "2"], method="mv")
    assert [(r.item, r.label) for r in results] == [("x", "2")]


def test_majority_vote_confidence_is_the_one_coin_posterior():
    data = encode(["i", "i", "i", "j"], ["a", "b", "c", "a"], ["x", "x", "y", "y"])
    result = majority_vote(data.items, data.labels, 2, 2, accuracy=0.7)
    # item i: 2 votes x against 1 y -> 0.7/(0.7+0.3) = 0.7; item j: one answer -> 0.7
    assert data.classes == ["x", "y"]
    assert result.labels.tolist() == [0, 1]
    assert np.round(result.confidences, 6).tolist() == [0.7, 0.7]


def test_dawid_skene_discounts_a_spammer_that_majority_vote_follows():
    # Two reliable workers agree with the truth on 20 items; a spammer and a copy of it
    # always answer "b". On the 20 items where only one reliable worker answered, MV ties
    # or follows the spammers; DS learns that they always say "b".
    items, workers, labels, truth = [], [], [], {}
    for n in range(40):
        label = "a" if n % 2 else "b"
        truth[str(n)] = label
        items += [str(n)] * 3
        workers += ["good1" if n < 20 else "good2", "spam1", "spam2"]
        labels += [label, "b", "b"]
    for n in range(40):
        items.append(str(n))
        workers.append("good2" if n < 20 else "good1")
        labels.append(truth[str(n)])
    ds = consolidate_labels(items, workers, labels, method="ds")
    mv = consolidate_labels(items, workers, labels, method="mv")
    assert sum(r.label == truth[r.item] for r in ds) == 40
    assert sum(r.label == truth[r.item] for r in mv) == 20


def test_dawid_skene_single_worker_and_single_answer_fall_back_to_that_answer():
    results = consolidate_labels(["1", "2", "3"], ["w", "w", "w"], ["a", "b", "a"])
    assert [(r.item, r.label) for r in results] == [("1", "a"), ("2", "b"), ("3", "a")]
    assert all(0.5 < r.confidence < 0.9 for r in results)


def test_all_workers_disagreeing_gives_a_defined_low_confidence_label():
    results = consolidate_labels(["1", "1", "1"], ["u", "v", "w"], ["c", "b", "a"])
    assert [(r.item, r.label) for r in results] == [("1", "a")]  # tie: natural order
    assert results[0].confidence == pytest.approx(1 / 3, abs=0.01)


def test_one_class_only_is_certain():
    results = consolidate_labels(["1", "2"], ["u", "v"], ["a", "a"])
    assert [(r.item, r.label, r.confidence) for r in results] == [("1", "a", 1.0), ("2", "a", 1.0)]


def test_labels_outside_the_given_categories_are_refused():
    with pytest.raises(ValueError, match=r"labels outside the category set: \['z'\]"):
        encode(["1"], ["u"], ["z"], classes=["a", "b"])


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown method 'glad'"):
        consolidate_labels(["1"], ["u"], ["a"], method="glad")


answer_sets = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 5), st.sampled_from(["a", "b", "c"])),
    min_size=1,
    max_size=60,
)


@PROPERTY
@given(answers=answer_sets, seed=st.integers(0, 2**32 - 1), method=st.sampled_from(["ds", "mv"]))
def test_permuting_rows_workers_and_items_does_not_change_results(answers, seed, method):
    rng = np.random.default_rng(seed)
    items, workers, labels = (list(column) for column in zip(*answers, strict=True))
    baseline = _by_item(
        consolidate_labels(
            [f"i{i}" for i in items], [f"w{w}" for w in workers], labels, method=method
        )
    )
    # Rename workers and items by a random permutation, and shuffle the rows.
    worker_names = rng.permutation(6)
    item_names = rng.permutation(8)
    order = rng.permutation(len(answers))
    permuted = _by_item(
        consolidate_labels(
            [f"i{item_names[items[n]]}" for n in order],
            [f"w{worker_names[workers[n]]}" for n in order],
            [labels[n] for n in order],
            method=method,
        )
    )
    assert permuted == {f"i{item_names[int(k[1:])]}": v for k, v in baseline.items()}


@PROPERTY
@given(
    unanimous=st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(3, 9)), min_size=1, max_size=12
    ),
    method=st.sampled_from(["ds", "mv"]),
)
def test_unanimous_answers_give_that_label_with_high_confidence(unanimous, method):
    items, names, labels = [], [], []
    for number, (label, workers) in enumerate(unanimous):
        items += [f"i{number}"] * workers
        names += [f"w{(number + n) % 9}" for n in range(workers)]
        labels += [label] * workers
    results = {r.item: r for r in consolidate_labels(items, names, labels, method=method)}
    for number, (label, _) in enumerate(unanimous):
        assert results[f"i{number}"].label == label
        assert results[f"i{number}"].confidence >= 0.9


@PROPERTY
@given(
    label=st.sampled_from(["a", "b", "c"]),
    workers=st.integers(3, 9),
    others=st.lists(st.tuples(st.integers(1, 6), st.sampled_from(["a", "b", "c"])), max_size=30),
    method=st.sampled_from(["ds", "mv"]),
)
def test_a_unanimous_item_among_noisy_ones_keeps_its_label(label, workers, others, method):
    # However noisy the workers look elsewhere, an item they all agree on gets that label,
    # with more confidence than chance (how much more depends on their estimated quality).
    items = ["u"] * workers + [f"o{item}" for item, _ in others]
    names = [f"w{n}" for n in range(workers)] + [f"w{n % workers}" for n in range(len(others))]
    labels = [label] * workers + [answer for _, answer in others]
    results = {r.item: r for r in consolidate_labels(items, names, labels, method=method)}
    assert results["u"].label == label
    assert results["u"].confidence > 0.5


def test_dawid_skene_reports_worker_accuracy_and_confusion():
    data = encode(
        ["1", "1", "2", "2", "3", "3"],
        ["good", "bad", "good", "bad", "good", "bad"],
        ["a", "a", "b", "a", "a", "a"],
    )
    result = dawid_skene(data.items, data.workers, data.labels, *data.shape)
    assert result.worker_confusion.shape == (2, 2, 2)
    assert np.allclose(result.worker_confusion.sum(axis=2), 1.0)
    assert result.worker_accuracy.shape == (2,)
    assert np.all((result.worker_accuracy > 0) & (result.worker_accuracy < 1))


def test_expected_calibration_error():
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert expected_calibration_error([1.0, 1.0], [False, False]) == pytest.approx(1.0)
    assert expected_calibration_error([], []) == 0.0


def test_read_answers_keeps_duplicates_and_ignores_extra_columns():
    answers = read_answers(io.StringIO("worker,item,label,note\nw1,i1,a,x\nw1,i1,a,y\n\n"))
    assert (answers.items, answers.workers, answers.labels) == (
        ["i1", "i1"],
        ["w1", "w1"],
        ["a", "a"],
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("item,label\n1,a\n", "Line 1: missing column(s) worker"),
        ("item,worker,label\n", "header but no answers"),
        ("item,worker,label\n1,w\n", "Line 2: expected 3 columns, got 2."),
        ("item,worker,label\n1,w,a\n2,,a\n", "Line 3: empty worker."),
        ("item,worker,label\n1,w,a\n2,w,z\n", "Line 3: label 'z' is not one of the categories"),
    ],
)
def test_read_answers_names_the_problem(text, message):
    with pytest.raises(AnswersFileError) as raised:
        read_answers(io.StringIO(text), categories=["a", "b"])
    assert message in str(raised.value)


def test_write_labels():
    stream = io.StringIO()
    assert write_labels(stream, [("i1", "a", 0.5), ("i2", "b", 1)]) == 2
    assert stream.getvalue() == "item,label,confidence\ni1,a,0.500000\ni2,b,1.000000\n"


FLEISS_WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_matches_the_textbook_example():
    assert round(fleiss_kappa(FLEISS_WIKIPEDIA), 3) == 0.210
    assert fleiss_kappa([[3, 0], [0, 3]]) == 1.0
    assert fleiss_kappa([[1, 0], [0, 1]]) is None  # no item with two answers
    assert fleiss_kappa([[3], [2]]) is None  # one class: undefined


def test_krippendorff_alpha_nominal():
    # Two coders, items (a,a) (a,b) (b,b) (b,b): 1 - 7 * 2 / (2 * 3 * 5) = 0.5333
    assert round(krippendorff_alpha_nominal([[2, 0], [1, 1], [0, 2], [0, 2]]), 4) == 0.5333
    assert krippendorff_alpha_nominal([[2, 0], [0, 3], [1, 0]]) == 1.0  # 1-answer item ignored
    assert krippendorff_alpha_nominal([[1, 0]]) is None


def test_span_f1():
    a = {"label": "person", "startOffset": 0, "endOffset": 4}
    b = {"label": "place", "startOffset": 5, "endOffset": 9}
    assert span_f1([[[a, b], [a]]]) == pytest.approx(2 * 1 / 3)
    assert span_f1([[[a], [a], [a]]]) == 1.0
    assert span_f1([[[], []]]) is None


def test_known_labels_teach_dawid_skene_whom_to_trust():
    # Two workers always disagree: on their own, a tie on every item (lowest class: "a").
    items = [str(n) for n in range(6) for _ in range(2)]
    workers = ["u", "v"] * 6
    labels = ["a", "b"] * 6
    data = encode(items, workers, labels, classes=["a", "b"])
    blind = dawid_skene(data.items, data.workers, data.labels, *data.shape)
    assert [data.classes[c] for c in blind.labels] == ["a"] * 6
    # Gold says item 0 is "b": v is the one to trust, on every item.
    taught = dawid_skene(data.items, data.workers, data.labels, *data.shape, known={0: 1})
    assert [data.classes[c] for c in taught.labels] == ["b"] * 6
    assert taught.confidences[0] == 1.0
    assert taught.worker_accuracy[1] > taught.worker_accuracy[0]


def test_calibration_scale_recovers_how_overconfident_log_posteriors_are():
    rng = np.random.default_rng(3)
    logs = rng.normal(scale=3.0, size=(4000, 3))
    # The truth follows the posteriors at half their strength: they are overconfident x2.
    true_posteriors = np.exp(0.5 * logs)
    true_posteriors /= true_posteriors.sum(axis=1, keepdims=True)
    truth = (rng.random((4000, 1)) > true_posteriors.cumsum(axis=1)).sum(axis=1)
    assert calibration_scale(logs, truth) == pytest.approx(0.5, rel=0.1)
    # Two gold items the posteriors got right move it up, but the prior on log s holds it.
    right = logs[:2].argmax(axis=1)
    assert 1.0 < calibration_scale(logs[:2], right) < 2.0


def test_gold_the_crowd_gets_wrong_lowers_the_other_items_confidence():
    # Five workers mostly answer "a" on 40 items; gold says half of the first 20 are "b".
    rng = np.random.default_rng(5)
    items = [str(n) for n in range(40) for _ in range(5)]
    workers = [f"w{w}" for _ in range(40) for w in range(5)]
    labels = [("a" if rng.random() < 0.8 else "b") for _ in items]
    data = encode(items, workers, labels, classes=["a", "b"])
    blind = dawid_skene(data.items, data.workers, data.labels, *data.shape)
    known = {n: n % 2 for n in range(20)}
    taught = dawid_skene(data.items, data.workers, data.labels, *data.shape, known=known)
    assert blind.calibration_scale == 1.0
    assert taught.calibration_scale < 1.0
    others = np.arange(20, 40)
    assert taught.confidences[others].mean() < blind.confidences[others].mean()
