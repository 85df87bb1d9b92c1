"""Named-entity consolidation: span-level vote over exact and overlapping spans.

Every worker's spans are pooled; spans that overlap (transitively) form a group. In each
group the (start, end, label) marked by the most workers wins (ties: the earliest start,
then the shortest span, then the label in category order: pinned). It is kept when more
than half of the workers marked a span with that label overlapping it; its confidence is
the share of workers who did. Kept spans never overlap.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    label: str
    start: int
    end: int
    confidence: float = 1.0


def _parse(entity: dict) -> tuple[int, int, str]:
    start, end, label = entity.get("startOffset"), entity.get("endOffset"), entity.get("label")
    if not (isinstance(start, int) and isinstance(end, int) and start < end):
        raise ValueError(f"bad span {entity!r}: needs integer startOffset < endOffset")
    return start, end, label


def consolidate_spans(
    answers: Sequence[Sequence[dict]], *, categories: Sequence[str] = ()
) -> list[Span]:
    """`answers`: one entity list (`{label, startOffset, endOffset}`) per worker."""
    if not answers:
        raise ValueError("no answers to consolidate")
    order = {label: n for n, label in enumerate(categories)}
    marked = [(*_parse(e), worker) for worker, entities in enumerate(answers) for e in entities]
    marked.sort()
    groups: list[list[tuple]] = []
    group_end = -1
    for span in marked:
        if not groups or span[0] >= group_end:
            groups.append([])
            group_end = span[1]
        groups[-1].append(span)
        group_end = max(group_end, span[1])
    kept: list[Span] = []
    for group in groups:
        votes = Counter()
        for start, end, label, _worker in group:
            votes[(start, end, label)] += 1  # a worker marks a span once (no overlaps allowed)
        while votes:
            (start, end, label), _ = min(
                votes.items(),
                key=lambda kv: (
                    -kv[1],
                    kv[0][0],
                    kv[0][1] - kv[0][0],
                    order.get(kv[0][2], 99),
                    kv[0][2],
                ),
            )
            supporters = {w for s, e, lab, w in group if lab == label and s < end and start < e}
            share = len(supporters) / len(answers)
            if share > 0.5 and all(k.end <= start or end <= k.start for k in kept):
                kept.append(Span(label=label, start=start, end=end, confidence=share))
            del votes[(start, end, label)]
            # spans overlapping the decided one are settled with it
            for key in [k for k in votes if k[0] < end and start < k[1]]:
                del votes[key]
    return sorted(kept, key=lambda s: s.start)
