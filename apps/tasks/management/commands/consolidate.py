"""Offline consolidation: `item,worker,label` answers in, `item,label,confidence` out.

    python manage.py consolidate --answers answers.csv --out labels.csv [--method ds|mv]
        [--categories a,b,c]

For users migrating answers from elsewhere, and how the benchmark data runs. Bad files stop
with a message naming the line; nothing is written then. Documented results for odd input:
a single worker or all workers disagreeing still give one label per item (Dawid-Skene falls
back to the crowd-wide one-coin prior; ties go to the most answered label, then natural
label order), with low confidence.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from apps.tasks.consolidation import DEFAULT_METHOD, METHODS, consolidate_labels
from apps.tasks.consolidation.answers_csv import AnswersFileError, read_answers, write_labels


class Command(BaseCommand):
    help = "Consolidate an item,worker,label answers CSV into item,label,confidence."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--answers", required=True, help="CSV with item,worker,label")
        parser.add_argument("--out", required=True, help="CSV to write item,label,confidence")
        parser.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD)
        parser.add_argument(
            "--categories", help="comma-separated allowed labels; others are an error"
        )

    def handle(self, *args, **options) -> None:
        categories = None
        if options["categories"]:
            categories = [c.strip() for c in options["categories"].split(",") if c.strip()]
        try:
            with open(options["answers"], newline="", encoding="utf-8") as stream:
                answers = read_answers(stream, categories=categories)
        except OSError as error:
            raise CommandError(f"Cannot read {options['answers']}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{options['answers']} is not UTF-8 text.") from None
        except AnswersFileError as error:
            raise CommandError(f"{options['answers']}: {error}") from None
        results = consolidate_labels(
            answers.items,
            answers.workers,
            answers.labels,
            method=options["method"],
        )
        partial = f"{options['out']}.partial"
        try:
            with open(partial, "w", newline="", encoding="utf-8") as stream:
                count = write_labels(stream, ((r.item, r.label, r.confidence) for r in results))
            os.replace(partial, options["out"])
        except OSError as error:
            raise CommandError(f"Cannot write {options['out']}: {error.strerror}.") from None
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        self.stderr.write(
            f"Consolidated {len(answers.items):,} answers into {count:,} labels "
            f"({options['method']})."
        )
