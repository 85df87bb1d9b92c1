"""Vendor invoices as documents: CSV here; HTML is the `payouts/invoice.html` template."""

import csv
import io

from django.conf import settings


def invoice_csv(invoice: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["vendor", invoice["vendor"], "month", invoice["month"]])
    writer.writerow(
        [
            "requester",
            "project_id",
            "project",
            "items",
            "answers",
            "work",
            "bonuses",
            "amount",
            "currency",
        ]
    )
    for line in invoice["lines"]:
        writer.writerow(
            [
                line["requester"],
                line["project_id"],
                line["project"],
                line["items"],
                line["answers"],
                line["work"],
                line["bonuses"],
                line["amount"],
                settings.PAYOUTS_CURRENCY,
            ]
        )
    writer.writerow(["total", "", "", "", "", "", "", invoice["total"], settings.PAYOUTS_CURRENCY])
    return out.getvalue()
