"""`item,worker,label` answer files (the benchmark format) in, `item,label,confidence` out.

Errors name the file line. Extra columns are ignored; repeated (item, worker) rows are kept
as separate answers (as the benchmark data keeps them).
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

REQUIRED = ("item", "worker", "label")


class AnswersFileError(ValueError):
    """A bad answers file; the message says what and where."""


@dataclass(frozen=True)
class Answers:
    items: list[str]
    workers: list[str]
    labels: list[str]


def read_answers(stream: io.TextIOBase, *, categories: Iterable[str] | None = None) -> Answers:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise AnswersFileError("The file is empty: expected a header row item,worker,label.")
    names = [cell.strip().lower().lstrip("\ufeff") for cell in header]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        raise AnswersFileError(
            f"Line 1: missing column(s) {', '.join(missing)}; the header must name "
            f"item,worker,label (found: {','.join(header)})."
        )
    item_at, worker_at, label_at = (names.index(column) for column in REQUIRED)
    width = max(item_at, worker_at, label_at) + 1
    allowed = set(categories) if categories is not None else None
    items: list[str] = []
    workers: list[str] = []
    labels: list[str] = []
    for line, row in enumerate(reader, start=2):
        if not row:
            continue  # a blank line
        if len(row) < width:
            raise AnswersFileError(f"Line {line}: expected {len(header)} columns, got {len(row)}.")
        item, worker, label = row[item_at], row[worker_at], row[label_at]
        for column, value in (("item", item), ("worker", worker), ("label", label)):
            if not value.strip():
                raise AnswersFileError(f"Line {line}: empty {column}.")
        if allowed is not None and label not in allowed:
            raise AnswersFileError(
                f"Line {line}: label {label!r} is not one of the categories "
                f"({', '.join(sorted(allowed))})."
            )
        items.append(item)
        workers.append(worker)
        labels.append(label)
    if not items:
        raise AnswersFileError("The file has a header but no answers.")
    return Answers(items=items, workers=workers, labels=labels)


def write_labels(stream: io.TextIOBase, rows: Iterable[tuple[str, str, float]]) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["item", "label", "confidence"])
    count = 0
    for item, label, confidence in rows:
        writer.writerow([item, label, f"{confidence:.6f}"])
        count += 1
    return count
