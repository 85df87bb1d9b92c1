"""`manage.py consolidate`: the offline CSV path, on real benchmark data and bad files."""

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "truth-inference"


def _accuracy(labels_csv: Path, truth_csv: Path) -> float:
    with truth_csv.open() as stream:
        truth = {row["item"]: row["label"] for row in csv.DictReader(stream)}
    with labels_csv.open() as stream:
        rows = list(csv.DictReader(stream))
    hits = [truth[row["item"]] == row["label"] for row in rows if row["item"] in truth]
    return round(sum(hits) / len(hits), 3)


@pytest.mark.parametrize(("method", "accuracy"), [("ds", 0.889), ("mv", 0.759)])
def test_consolidates_the_bluebirds_benchmark(tmp_path, method, accuracy):
    out = tmp_path / "labels.csv"
    call_command(
        "consolidate", answers=str(DATA / "bluebirds" / "answers.csv"), out=str(out), method=method
    )
    assert _accuracy(out, DATA / "bluebirds" / "truth.csv") == accuracy
    with out.open() as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 108
    assert all(0.0 <= float(row["confidence"]) <= 1.0 for row in rows)


def test_writes_item_label_confidence(tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text("item,worker,label\n1,u,a\n1,v,a\n1,w,b\n2,u,b\n2,v,b\n2,w,b\n")
    out = tmp_path / "labels.csv"
    call_command("consolidate", answers=str(answers), out=str(out), method="mv")
    assert out.read_text() == "item,label,confidence\n1,a,0.700000\n2,b,0.927027\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("item,label\n1,a\n", "Line 1: missing column(s) worker"),
        ("item,worker,label\n1,w,a\n2,w,zz\n", "Line 3: label 'zz' is not one of the categories"),
    ],
)
def test_bad_files_stop_with_the_line_and_write_nothing(tmp_path, text, message):
    answers = tmp_path / "answers.csv"
    answers.write_text(text)
    out = tmp_path / "labels.csv"
    with pytest.raises(CommandError) as raised:
        call_command("consolidate", answers=str(answers), out=str(out), categories="a,b")
    assert message in str(raised.value)
    assert not out.exists()


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*nope.csv: No such file or directory"):
        call_command("consolidate", answers=str(tmp_path / "nope.csv"), out=str(tmp_path / "o"))
