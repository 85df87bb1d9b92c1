"""Pure consolidation algorithms (numpy only; no Django imports), one module per answer kind.

`categorical`: majority vote and Dawid-Skene for single-label answers;
`answers_csv`: the offline `item,worker,label` format.
"""

from dataclasses import dataclass

from apps.tasks.consolidation.categorical import dawid_skene, encode, majority_vote

METHODS = ("ds", "mv")
DEFAULT_METHOD = "ds"


@dataclass(frozen=True)
class Consolidated:
    item: object
    label: object
    confidence: float


def consolidate_labels(
    items, workers, labels, *, method: str = DEFAULT_METHOD, classes=None
) -> list[Consolidated]:
    """One label and confidence per answered item, in item id order (natural sort)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of: {', '.join(METHODS)}")
    data = encode(items, workers, labels, classes=classes)
    n_items, n_workers, n_classes = data.shape
    if method == "mv":
        result = majority_vote(data.items, data.labels, n_items, n_classes)
    else:
        result = dawid_skene(data.items, data.workers, data.labels, n_items, n_workers, n_classes)
    return [
        Consolidated(
            item=item,
            label=data.classes[result.labels[number]],
            confidence=float(result.confidences[number]),
        )
        for number, item in enumerate(data.item_ids)
    ]
