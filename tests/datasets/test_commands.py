import json

import pytest
from django.core.management import CommandError, call_command

from apps.datasets.models import Dataset, Item
from tests.datasets.helpers import manifest

pytestmark = pytest.mark.django_db


def test_import_manifest_creates_the_dataset_and_prints_progress(organization, tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    path.write_bytes(manifest({"source": "a"}, {"source": "b"}))

    call_command("import_manifest", "--org", organization.slug, "--dataset", "Shell", str(path))

    out = capsys.readouterr().out
    dataset = Dataset.objects.get(organization=organization, name="Shell")
    assert "Created dataset 'Shell'" in out
    assert "Imported 2 item(s). 2 lines read, 0 skipped." in out
    assert Item.objects.filter(dataset=dataset).count() == 2


def test_import_manifest_fails_with_line_numbered_errors_and_imports_nothing(
    organization, tmp_path, capsys
):
    path = tmp_path / "in.jsonl"
    path.write_bytes(manifest({"source": "a"}, "{oops", {"label": 1}))

    with pytest.raises(CommandError, match="2 invalid line"):
        call_command("import_manifest", "--org", organization.slug, "--dataset", "Shell", str(path))

    err = capsys.readouterr().err
    assert "line 2: The line is not valid JSON" in err
    assert 'line 3: The line has neither "source" nor "source-ref"' in err
    assert not Item.objects.exists()


def test_import_manifest_skip_invalid(organization, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(manifest({"source": "a"}, "{oops"))

    call_command(
        "import_manifest",
        "--org",
        organization.slug,
        "--dataset",
        "Shell",
        str(path),
        "--skip-invalid",
    )

    assert Item.objects.count() == 1


def test_import_manifest_refuses_unknown_organizations_and_missing_files(organization):
    with pytest.raises(CommandError, match="No organization 'nope'"):
        call_command("import_manifest", "--org", "nope", "--dataset", "x", "/tmp/x")
    with pytest.raises(CommandError, match="Cannot read /no/such/file"):
        call_command(
            "import_manifest", "--org", organization.slug, "--dataset", "x", "/no/such/file"
        )
    with pytest.raises(CommandError, match="s3://nobody/x is not inside a storage"):
        call_command(
            "import_manifest", "--org", organization.slug, "--dataset", "x", "s3://nobody/x"
        )


def test_export_manifest_to_a_file_and_to_stdout(organization, tmp_path, capsysbinary):
    path = tmp_path / "in.jsonl"
    path.write_bytes(manifest({"source": "é"}, {"source": "b", "k": [1]}))
    call_command("import_manifest", "--org", organization.slug, "--dataset", "Shell", str(path))
    capsysbinary.readouterr()
    out = tmp_path / "out.jsonl"

    call_command(
        "export_manifest", "--org", organization.slug, "--dataset", "Shell", "--out", str(out)
    )

    assert [json.loads(line) for line in out.read_text().splitlines()] == [
        {"source": "é"},
        {"source": "b", "k": [1]},
    ]
    call_command("export_manifest", "--org", organization.slug, "--dataset", "Shell", "--out", "-")
    assert capsysbinary.readouterr().out.decode() == out.read_text()


def test_export_manifest_refuses_an_unknown_dataset(organization, tmp_path):
    with pytest.raises(CommandError, match="No dataset 'nope'"):
        call_command(
            "export_manifest",
            "--org",
            organization.slug,
            "--dataset",
            "nope",
            "--out",
            str(tmp_path / "x"),
        )
    assert not (tmp_path / "x").exists()
