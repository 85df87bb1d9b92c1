"""Spatial consolidation over the crowd elements' answer values (pixels, origin top-left).

- boxes (`crowd-bounding-box`: `{"boundingBoxes": [{label, left, top, width, height}]}`):
  workers' boxes of one label are matched by IoU (Hungarian assignment) into clusters,
  each cluster's coordinates averaged weighted by worker accuracy; clusters drawn by fewer
  than `min_workers` workers (default: a majority) are dropped;
- key points (`{"keypoints": [{label, x, y}]}`): the same with Euclidean distance;
- polygons / polylines (`{"polygons"|"polylines": [{label, vertices: [{x, y}]}]}`):
  matched by the IoU of their bounding boxes, and each cluster is represented by its medoid
  shape (the member closest on average to the others, by mean nearest-vertex distance):
  vertex lists of different lengths have no meaningful average;
- segmentation masks: a per-pixel vote over uint8 class arrays (decoding the PNGs is
  `apps.tasks.masks`' job), weighted by worker accuracy.

Workers are processed in a canonical order (accuracy, highest first; then the shapes they
drew), so permuting the answers never changes the result. Non-finite or negative sizes are a
ValueError naming the answer and shape: never a silent wrong label.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

DEFAULT_ACCURACY = 0.7


@dataclass
class _Cluster:
    label: str
    members: list = field(default_factory=list)  # (worker, shape, weight)


@dataclass(frozen=True)
class Box:
    label: str
    left: float
    top: float
    width: float
    height: float
    confidence: float
    workers: int


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float
    confidence: float
    workers: int


@dataclass(frozen=True)
class Shape:
    label: str
    vertices: list[dict]
    confidence: float
    workers: int


def _finite(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def _box(entry: dict, where: str) -> tuple[str, np.ndarray]:
    coords = np.array(
        [_finite(entry.get(k), f"{where}.{k}") for k in ("left", "top", "width", "height")]
    )
    if coords[2] < 0 or coords[3] < 0:
        raise ValueError(f"{where} has a negative width or height")
    return str(entry.get("label")), coords


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two (left, top, width, height) boxes."""
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return float(inter / union) if union > 0 else float(np.allclose(a, b))


def _weights(n: int, accuracies: Sequence[float] | None) -> list[float]:
    accuracies = list(accuracies) if accuracies is not None else [DEFAULT_ACCURACY] * n
    if len(accuracies) != n:
        raise ValueError("one accuracy per answer is needed")
    return [min(max(a, 1e-3), 1.0) for a in accuracies]


def _cluster(
    shapes_per_worker: list[list[tuple[str, object]]],
    weights: list[float],
    similarity,
    threshold: float,
    centre,
) -> list[_Cluster]:
    """Greedy: workers in order of weight; each worker's shapes of a label are assigned to
    that label's clusters by maximum total similarity (Hungarian), pairs below `threshold`
    start new clusters. A cluster holds at most one shape per worker."""
    clusters: list[_Cluster] = []
    # Workers by weight, then by what they drew (not by position): permuting the answers
    # cannot change the result; equal keys are identical answers, interchangeable.
    order = sorted(
        range(len(shapes_per_worker)),
        key=lambda w: (
            -weights[w],
            sorted((label, _key(shape)) for label, shape in shapes_per_worker[w]),
        ),
    )
    for worker in order:
        by_label: dict[str, list] = {}
        for label, shape in shapes_per_worker[worker]:
            by_label.setdefault(label, []).append(shape)
        for label in sorted(by_label):
            shapes = by_label[label]
            open_clusters = [c for c in clusters if c.label == label]
            assigned = set()
            if open_clusters:
                scores = np.array(
                    [[similarity(s, centre(c)) for c in open_clusters] for s in shapes]
                )
                rows, cols = linear_sum_assignment(-scores)
                for r, c in zip(rows, cols, strict=True):
                    if scores[r, c] >= threshold:
                        open_clusters[c].members.append((worker, shapes[r], weights[worker]))
                        assigned.add(r)
            for r, shape in enumerate(shapes):
                if r not in assigned:
                    clusters.append(_Cluster(label, [(worker, shape, weights[worker])]))
    return clusters


def _key(shape: np.ndarray) -> tuple:
    return tuple(np.asarray(shape, dtype=float).ravel().tolist())


def _centre(cluster: _Cluster) -> np.ndarray:
    """The members' coordinates averaged, weighted by worker accuracy."""
    weights = np.array([m[2] for m in cluster.members])
    coords = np.array([m[1] for m in cluster.members])
    return (coords * weights[:, None]).sum(axis=0) / weights.sum()


def _min_workers(n_workers: int, min_workers: int | None) -> int:
    return min_workers if min_workers is not None else n_workers // 2 + 1


def consolidate_boxes(
    answers: Sequence[dict],
    *,
    accuracies: Sequence[float] | None = None,
    iou_threshold: float = 0.5,
    min_workers: int | None = None,
) -> list[Box]:
    """One box per cluster that at least `min_workers` workers drew. Confidence: the
    weighted share of workers in the cluster times their mean IoU with the result."""
    weights = _weights(len(answers), accuracies)
    shapes = [
        [
            _box(entry, f"answer {n} box {k}")
            for k, entry in enumerate((answer or {}).get("boundingBoxes") or [])
        ]
        for n, answer in enumerate(answers)
    ]

    clusters = _cluster(shapes, weights, box_iou, iou_threshold, _centre)
    needed = _min_workers(len(answers), min_workers)
    total = sum(weights)
    boxes = []
    for cluster in clusters:
        if len(cluster.members) < needed:
            continue
        mean = _centre(cluster)
        agreement = np.mean([box_iou(m[1], mean) for m in cluster.members])
        share = sum(m[2] for m in cluster.members) / total
        left, top, width, height = (round(float(v), 2) for v in mean)
        boxes.append(
            Box(
                cluster.label,
                left,
                top,
                width,
                height,
                float(share * agreement),
                len(cluster.members),
            )
        )
    return sorted(boxes, key=lambda b: (b.top, b.left, b.label))


def consolidate_keypoints(
    answers: Sequence[dict],
    *,
    accuracies: Sequence[float] | None = None,
    max_distance: float = 20.0,
    min_workers: int | None = None,
) -> list[Point]:
    """Points of a label closer than `max_distance` pixels are the same point; confidence
    is the weighted share of workers times (1 - mean distance / max_distance)."""
    weights = _weights(len(answers), accuracies)
    shapes = [
        [
            (
                str(p.get("label")),
                np.array(
                    [
                        _finite(p.get("x"), f"answer {n} point {k}.x"),
                        _finite(p.get("y"), f"answer {n} point {k}.y"),
                    ]
                ),
            )
            for k, p in enumerate((answer or {}).get("keypoints") or [])
        ]
        for n, answer in enumerate(answers)
    ]

    def closeness(a: np.ndarray, b: np.ndarray) -> float:
        return 1.0 - float(np.linalg.norm(a - b)) / max_distance

    clusters = _cluster(shapes, weights, closeness, 0.0, _centre)
    needed = _min_workers(len(answers), min_workers)
    total = sum(weights)
    points = []
    for cluster in clusters:
        if len(cluster.members) < needed:
            continue
        mean = _centre(cluster)
        spread = np.mean([max(closeness(m[1], mean), 0.0) for m in cluster.members])
        share = sum(m[2] for m in cluster.members) / total
        points.append(
            Point(
                cluster.label,
                round(float(mean[0]), 2),
                round(float(mean[1]), 2),
                float(share * spread),
                len(cluster.members),
            )
        )
    return sorted(points, key=lambda p: (p.y, p.x, p.label))


def _vertices(entry: dict, where: str) -> np.ndarray:
    vertices = entry.get("vertices")
    if not isinstance(vertices, list) or len(vertices) < 2:
        raise ValueError(f"{where} needs at least 2 vertices")
    return np.array(
        [
            [
                _finite(v.get("x"), f"{where} vertex {i}.x"),
                _finite(v.get("y"), f"{where} vertex {i}.y"),
            ]
            for i, v in enumerate(vertices)
        ]
    )


def _bounds(vertices: np.ndarray) -> np.ndarray:
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    return np.array([low[0], low[1], max(high[0] - low[0], 1.0), max(high[1] - low[1], 1.0)])


def shape_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Symmetric mean nearest-vertex distance between two vertex lists, in pixels."""
    d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    return float((d.min(axis=1).mean() + d.min(axis=0).mean()) / 2)


def consolidate_shapes(
    answers: Sequence[dict],
    *,
    kind: str,
    accuracies: Sequence[float] | None = None,
    iou_threshold: float = 0.3,
    min_workers: int | None = None,
) -> list[Shape]:
    """Polygons (`kind="polygons"`) or polylines (`kind="polylines"`/`"lines"`)."""
    weights = _weights(len(answers), accuracies)
    shapes = [
        [
            (str(entry.get("label")), _vertices(entry, f"answer {n} {kind} {k}"))
            for k, entry in enumerate((answer or {}).get(kind) or [])
        ]
        for n, answer in enumerate(answers)
    ]

    def medoid(cluster: _Cluster) -> np.ndarray:
        members = [m[1] for m in cluster.members]
        if len(members) == 1:
            return members[0]
        costs = [
            sum(
                shape_distance(a, b) * cluster.members[j][2]
                for j, b in enumerate(members)
                if j != i
            )
            for i, a in enumerate(members)
        ]
        return members[int(np.argmin(costs))]

    def similarity(shape: np.ndarray, other: np.ndarray) -> float:
        return box_iou(_bounds(shape), _bounds(other))

    clusters = _cluster(shapes, weights, similarity, iou_threshold, medoid)
    needed = _min_workers(len(answers), min_workers)
    total = sum(weights)
    result = []
    for cluster in clusters:
        if len(cluster.members) < needed:
            continue
        chosen = medoid(cluster)
        agreement = np.mean([similarity(m[1], chosen) for m in cluster.members])
        share = sum(m[2] for m in cluster.members) / total
        result.append(
            Shape(
                cluster.label,
                [{"x": float(x), "y": float(y)} for x, y in chosen],
                float(share * agreement),
                len(cluster.members),
            )
        )
    return sorted(result, key=lambda s: (s.vertices[0]["y"], s.vertices[0]["x"], s.label))


MASK_STRIP_PIXELS = 1 << 20  # pixels voted at a time: 8 MB of float64 votes, and the best


@dataclass(frozen=True)
class MaskVote:
    mask: np.ndarray  # uint8 class index per pixel
    confidence: float  # mean winning weight share over the pixels some worker labelled
    agreement: list[float]  # per answer: share of those pixels where it equals `mask`


def consolidate_masks(
    masks: Sequence[np.ndarray], *, accuracies: Sequence[float] | None = None
) -> MaskVote:
    """Per-pixel weighted vote over uint8 class masks of one shape (H x W, 0 = background);
    ties go to the lower class index. Confidence and agreement are measured over the pixels
    at least one worker labelled (the background all agree on would say little); 1.0 when
    no one labelled any.

    Memory: the masks (one byte per pixel each) and the result; the vote runs over row
    strips of `MASK_STRIP_PIXELS`, one vote array per class at a time."""
    if not masks:
        raise ValueError("no masks to consolidate")
    arrays = [np.asarray(m) for m in masks]
    if arrays[0].ndim != 2 or any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError("masks must all be 2-D arrays of the same size")
    if any(a.dtype != np.uint8 for a in arrays):
        raise ValueError("masks must hold uint8 class indices")
    weights = _weights(len(arrays), accuracies)
    height, width = arrays[0].shape
    winner = np.zeros((height, width), dtype=np.uint8)
    share_sum, labelled = 0.0, 0
    agreeing = np.zeros(len(arrays))
    rows = max(1, MASK_STRIP_PIXELS // max(width, 1))
    order = sorted(range(len(arrays)), key=lambda n: -weights[n])
    for top in range(0, height, rows):
        strip = [a[top : top + rows] for a in arrays]
        best = np.full(strip[0].shape, -1.0)
        chosen = winner[top : top + rows]
        for k in np.unique(np.concatenate([np.unique(s) for s in strip])):
            votes = np.zeros(best.shape)
            for n in order:  # by weight: float sums do not depend on the answers' order
                np.add(votes, weights[n], out=votes, where=strip[n] == k)
            better = votes > best  # strict: the lower class index keeps a tie
            chosen[better] = k
            best[better] = votes[better]
        region = np.logical_or.reduce([s != 0 for s in strip])
        labelled += int(region.sum())
        share_sum += float(best[region].sum())
        for n, s in enumerate(strip):
            agreeing[n] += np.count_nonzero((s == chosen) & region)
    if not labelled:
        return MaskVote(winner, 1.0, [1.0] * len(arrays))
    return MaskVote(
        winner,
        min(1.0, share_sum / sum(weights) / labelled),  # float sums may pass 1 by an ulp
        [float(a) / labelled for a in agreeing],
    )


def mean_pairwise_box_iou(answers_per_item: Sequence[Sequence[dict]]) -> float | None:
    """Agreement on boxes: for every pair of workers on an item, boxes of the same label
    are matched by IoU (Hungarian); a box with no partner counts as IoU 0. The mean over
    all matched slots of all pairs, or None when no pair drew a box."""
    total, slots = 0.0, 0
    for answers in answers_per_item:
        parsed = [
            [_box(e, f"box {k}") for k, e in enumerate((a or {}).get("boundingBoxes") or [])]
            for a in answers
        ]
        for i in range(len(parsed)):
            for j in range(i + 1, len(parsed)):
                labels = {lab for lab, _ in parsed[i]} | {lab for lab, _ in parsed[j]}
                for label in labels:
                    a = [b for lab, b in parsed[i] if lab == label]
                    b = [b for lab, b in parsed[j] if lab == label]
                    slots += max(len(a), len(b))
                    if a and b:
                        scores = np.array([[box_iou(x, y) for y in b] for x in a])
                        rows, cols = linear_sum_assignment(-scores)
                        total += float(scores[rows, cols].sum())
    return total / slots if slots else None
