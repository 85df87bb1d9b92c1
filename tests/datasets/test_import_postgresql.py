"""The PostgreSQL import path: one transaction fed by COPY, progress committed beside it."""

import io
import json

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from apps.accounts.models import Organization
from apps.datasets import importing, services
from apps.datasets.models import Dataset, Item, ManifestImport

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL): the COPY path and a second connection",
    ),
]


def test_progress_is_visible_to_others_while_the_items_are_not(owner, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY_LINES", 500)
    monkeypatch.setattr(importing, "PROGRESS_EVERY_SECONDS", 0)
    dataset = services.dataset_create(organization=owner.organization, actor=owner.user, name="Big")
    content = "".join(json.dumps({"source": f"line {n}"}) + "\n" for n in range(3000))
    manifest_import = services.manifest_import_start(
        dataset=dataset,
        actor=owner.user,
        source="upload",
        upload=io.BytesIO(content.encode()),
        enqueue=False,
    )
    seen = []
    observer = connections.create_connection(DEFAULT_DB_ALIAS)

    def look(counts):
        with observer.cursor() as cursor:
            cursor.execute(
                "SELECT status, lines_read FROM datasets_manifestimport WHERE id = %s",
                [manifest_import.id],
            )
            status, lines_read = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM datasets_item WHERE dataset_id = %s", [dataset.id])
            seen.append((status, lines_read, cursor.fetchone()[0]))

    try:
        services.manifest_import_run(manifest_import_id=manifest_import.id, on_progress=look)
    finally:
        observer.close()

    assert seen[:2] == [("running", 500, 0), ("running", 1000, 0)]
    assert Item.objects.filter(dataset=dataset).count() == 3000
    assert ManifestImport.objects.get().status == "succeeded"
    assert Dataset.objects.get().item_count == 3000
    assert Organization.objects.count() == 1
