"""Multi-label, NER span, box, key point, polygon/polyline and mask consolidators."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.tasks.consolidation import spatial
from apps.tasks.consolidation.multilabel import consolidate_multilabel
from apps.tasks.consolidation.spans import Span, consolidate_spans
from apps.tasks.consolidation.spatial import (
    Box,
    box_iou,
    consolidate_boxes,
    consolidate_keypoints,
    consolidate_masks,
    consolidate_shapes,
    mean_pairwise_box_iou,
)

PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def boxes(*entries) -> dict:
    return {
        "boundingBoxes": [
            {"label": label, "left": left, "top": top, "width": width, "height": height}
            for label, left, top, width, height in entries
        ],
        "inputImageProperties": {"width": 800, "height": 600},
    }


def test_multilabel_per_label_majority_with_confidences():
    chosen, confidences, overall = consolidate_multilabel(
        [["cat", "dog"], ["cat"], ["cat", "bird"]], ["cat", "dog", "bird"]
    )
    assert chosen == ["cat"]
    # cat: 3 yes at 0.7 each -> log-odds 3*0.847 -> 0.927; dog: 1 yes 2 no -> 0.7 for "no"
    assert {k: round(v, 3) for k, v in confidences.items()} == {
        "cat": 0.927,
        "dog": 0.7,
        "bird": 0.7,
    }
    assert round(overall, 3) == 0.7
    # a tie leaves the label out
    assert consolidate_multilabel([["cat"], []], ["cat"])[0] == []


def test_ner_span_vote_exact_and_overlapping():
    person = {"label": "person", "startOffset": 0, "endOffset": 4}
    person_longer = {"label": "person", "startOffset": 0, "endOffset": 6}
    place = {"label": "place", "startOffset": 10, "endOffset": 15}
    lone = {"label": "place", "startOffset": 20, "endOffset": 25}
    spans = consolidate_spans(
        [[person, place], [person, place, lone], [person_longer]], categories=["person", "place"]
    )
    assert spans == [
        Span("person", 0, 4, confidence=1.0),  # 2 exact + 1 overlapping: 3 of 3 marked it
        Span("place", 10, 15, confidence=2 / 3),
    ]


def test_ner_spans_without_offsets_are_refused():
    with pytest.raises(ValueError, match="needs integer startOffset < endOffset"):
        consolidate_spans([[{"label": "x", "startOffset": 5, "endOffset": 5}]])


def test_boxes_are_matched_averaged_and_thin_clusters_dropped():
    result = consolidate_boxes(
        [
            boxes(("dog", 100, 100, 50, 50), ("cat", 300, 300, 20, 20)),
            boxes(("dog", 104, 100, 50, 50)),
            boxes(("dog", 102, 102, 50, 50), ("dog", 500, 10, 10, 10)),
        ]
    )
    assert len(result) == 1  # the cat and the far dog were drawn by one worker only
    dog = result[0]
    assert (dog.label, dog.left, dog.top, dog.width, dog.height, dog.workers) == (
        "dog",
        102.0,
        100.67,
        50.0,
        50.0,
        3,
    )
    assert 0.9 < dog.confidence < 1.0


def test_box_weights_follow_worker_accuracy():
    result = consolidate_boxes(
        [boxes(("dog", 0, 0, 10, 10)), boxes(("dog", 2, 0, 10, 10))],
        accuracies=[0.9, 0.1],
        min_workers=2,
    )
    assert result[0].left == 0.2


def test_nan_coordinates_are_a_clear_error():
    with pytest.raises(ValueError, match=r"answer 1 box 0.left must be a finite number, got nan"):
        consolidate_boxes([boxes(("dog", 0, 0, 5, 5)), boxes(("dog", math.nan, 0, 5, 5))])
    with pytest.raises(ValueError, match="answer 0 point 0.y must be a finite number"):
        consolidate_keypoints([{"keypoints": [{"label": "eye", "x": 1, "y": None}]}])


@PROPERTY
@given(
    entries=st.lists(
        st.tuples(
            st.sampled_from(["dog", "cat"]),
            st.integers(0, 500),
            st.integers(0, 500),
            st.integers(1, 200),
            st.integers(1, 200),
        ),
        min_size=1,
        max_size=4,
    ),
    workers=st.integers(2, 6),
)
def test_unanimous_boxes_come_back_unchanged_and_certain(entries, workers):
    result = consolidate_boxes([boxes(*entries)] * workers)
    # Identical boxes in one answer collapse only if a worker drew them twice; compare sets.
    assert sorted((b.label, b.left, b.top, b.width, b.height) for b in result) == sorted(
        (label, float(x), float(y), float(w), float(h)) for label, x, y, w, h in entries
    )
    assert all(b.confidence == pytest.approx(1.0) for b in result)


def test_box_iou():
    assert box_iou(np.array([0, 0, 10, 10]), np.array([5, 0, 10, 10])) == pytest.approx(1 / 3)
    assert box_iou(np.array([0, 0, 10, 10]), np.array([20, 20, 5, 5])) == 0.0


def test_keypoints_cluster_by_distance():
    result = consolidate_keypoints(
        [
            {
                "keypoints": [
                    {"label": "eye", "x": 10, "y": 10},
                    {"label": "nose", "x": 50, "y": 60},
                ]
            },
            {"keypoints": [{"label": "eye", "x": 12, "y": 10}]},
            {"keypoints": [{"label": "eye", "x": 200, "y": 200}]},
        ]
    )
    assert [(p.label, p.x, p.y, p.workers) for p in result] == [("eye", 11.0, 10.0, 2)]


def test_polygons_take_the_medoid_shape():
    square = [{"x": 0, "y": 0}, {"x": 10, "y": 0}, {"x": 10, "y": 10}, {"x": 0, "y": 10}]
    shifted = [{"x": v["x"] + 1, "y": v["y"]} for v in square]
    odd = [{"x": v["x"] + 3, "y": v["y"]} for v in square]
    result = consolidate_shapes(
        [
            {"polygons": [{"label": "roof", "vertices": square}]},
            {"polygons": [{"label": "roof", "vertices": shifted}]},
            {"polygons": [{"label": "roof", "vertices": odd}]},
        ],
        kind="polygons",
    )
    assert len(result) == 1
    assert result[0].vertices == [{"x": float(v["x"]), "y": float(v["y"])} for v in shifted]
    assert result[0].workers == 3


def test_polylines_need_two_vertices():
    with pytest.raises(ValueError, match="answer 0 polylines 0 needs at least 2 vertices"):
        consolidate_shapes(
            [{"polylines": [{"label": "lane", "vertices": [{"x": 1, "y": 1}]}]}], kind="polylines"
        )


def test_masks_vote_per_pixel():
    a = np.array([[0, 1], [1, 1]], dtype=np.uint8)
    b = np.array([[0, 1], [0, 2]], dtype=np.uint8)
    c = np.array([[0, 0], [0, 2]], dtype=np.uint8)
    vote = consolidate_masks([a, b, c])
    assert vote.mask.tolist() == [[0, 1], [0, 2]]
    assert vote.mask.dtype == np.uint8
    # Over the 3 pixels someone labelled, the winner had 2 of 3 equal votes each.
    assert vote.confidence == pytest.approx(2 / 3)
    assert vote.agreement == pytest.approx([1 / 3, 1.0, 2 / 3])
    with pytest.raises(ValueError, match="same size"):
        consolidate_masks([a, np.zeros((3, 3), dtype=np.uint8)])
    with pytest.raises(ValueError, match="uint8"):
        consolidate_masks([a.astype(int)])


def test_a_more_accurate_worker_outvotes_two_who_disagree_with_each_other():
    a = np.array([[1, 1]], dtype=np.uint8)
    b = np.array([[2, 0]], dtype=np.uint8)
    c = np.array([[0, 2]], dtype=np.uint8)
    assert consolidate_masks([a, b, c]).mask.tolist() == [[0, 0]]  # equal: ties go low
    vote = consolidate_masks([a, b, c], accuracies=[0.9, 0.6, 0.6])
    assert vote.mask.tolist() == [[1, 1]]
    assert vote.confidence == pytest.approx(0.9 / 2.1)


def test_empty_masks_agree_fully():
    vote = consolidate_masks([np.zeros((4, 5), dtype=np.uint8)] * 2)
    assert (vote.mask.any(), vote.confidence, vote.agreement) == (False, 1.0, [1.0, 1.0])


def test_the_mask_vote_over_row_strips_equals_the_whole_image_vote(monkeypatch):
    generator = np.random.default_rng(7)
    masks = [generator.integers(0, 4, size=(37, 23), dtype=np.uint8) for _ in range(3)]
    whole = consolidate_masks(masks, accuracies=[0.9, 0.7, 0.5])
    monkeypatch.setattr(spatial, "MASK_STRIP_PIXELS", 50)  # 2 rows per strip, last short
    strips = consolidate_masks(masks, accuracies=[0.9, 0.7, 0.5])
    assert np.array_equal(whole.mask, strips.mask)
    assert strips.confidence == pytest.approx(whole.confidence)
    assert strips.agreement == pytest.approx(whole.agreement)


def test_the_mask_vote_does_not_depend_on_the_answers_order():
    generator = np.random.default_rng(3)
    masks = [generator.integers(0, 3, size=(9, 11), dtype=np.uint8) for _ in range(3)]
    accuracies = [0.8, 0.6, 0.7]
    forward = consolidate_masks(masks, accuracies=accuracies)
    backward = consolidate_masks(masks[::-1], accuracies=accuracies[::-1])
    assert np.array_equal(forward.mask, backward.mask)
    assert backward.agreement == pytest.approx(forward.agreement[::-1])


def test_mean_pairwise_box_iou():
    item = [boxes(("dog", 0, 0, 10, 10)), boxes(("dog", 5, 0, 10, 10), ("cat", 0, 0, 1, 1))]
    # dog pair IoU 1/3, the cat has no partner (0): (1/3 + 0) / 2 slots
    assert mean_pairwise_box_iou([item]) == pytest.approx(1 / 6)
    assert mean_pairwise_box_iou([[boxes(), boxes()]]) is None


def test_box_dataclass_is_plain_data():
    assert Box("x", 1, 2, 3, 4, 0.5, 2).label == "x"


box_answers = st.lists(
    st.lists(
        st.tuples(
            st.sampled_from(["dog", "cat"]),
            st.integers(0, 60),
            st.integers(0, 60),
            st.integers(5, 40),
            st.integers(5, 40),
        ),
        max_size=3,
    ),
    min_size=1,
    max_size=5,
)


@PROPERTY
@given(answers=box_answers, seed=st.integers(0, 2**32 - 1))
def test_permuting_workers_does_not_change_boxes(answers, seed):
    order = np.random.default_rng(seed).permutation(len(answers))
    baseline = consolidate_boxes([boxes(*a) for a in answers])
    permuted = consolidate_boxes([boxes(*answers[n]) for n in order])
    assert permuted == baseline


@PROPERTY
@given(
    answers=st.lists(
        st.lists(st.sampled_from(["a", "b", "c"]), unique=True), min_size=1, max_size=6
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_permuting_workers_does_not_change_multilabel(answers, seed):
    order = np.random.default_rng(seed).permutation(len(answers))
    assert consolidate_multilabel([answers[n] for n in order], ["a", "b", "c"]) == (
        consolidate_multilabel(answers, ["a", "b", "c"])
    )


span_answers = st.lists(
    st.lists(
        st.tuples(st.sampled_from(["person", "place"]), st.integers(0, 30), st.integers(1, 6)),
        max_size=3,
    ),
    min_size=1,
    max_size=5,
)


@PROPERTY
@given(answers=span_answers, seed=st.integers(0, 2**32 - 1))
def test_permuting_workers_does_not_change_spans_and_unanimity_keeps_them(answers, seed):
    entities = [
        [{"label": lab, "startOffset": s, "endOffset": s + n} for lab, s, n in answer]
        for answer in answers
    ]
    order = np.random.default_rng(seed).permutation(len(entities))
    baseline = consolidate_spans(entities)
    assert consolidate_spans([entities[n] for n in order]) == baseline
    # every worker giving the first worker's non-overlapping spans: all kept, confidence 1
    first = sorted(entities[0], key=lambda e: e["startOffset"])
    disjoint = [
        e for i, e in enumerate(first) if all(e["startOffset"] >= p["endOffset"] for p in first[:i])
    ]
    unanimous = consolidate_spans([disjoint] * len(entities))
    assert [(s.label, s.start, s.end, s.confidence) for s in unanimous] == [
        (e["label"], e["startOffset"], e["endOffset"], 1.0) for e in disjoint
    ]
