import io
import json

from apps.datasets import services
from apps.datasets.models import ManifestImport


def manifest(*lines) -> bytes:
    """JSON Lines from dicts (serialized) and raw str/bytes lines (kept as given)."""
    out = []
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line)
        if isinstance(line, str):
            line = line.encode("utf-8")
        out.append(line)
    return b"\n".join(out) + b"\n"


def import_upload(dataset, actor, content: bytes, capture, **options) -> ManifestImport:
    """Start an upload import and run its job (on commit), as the API does."""
    with capture(execute=True):
        manifest_import = services.manifest_import_start(
            dataset=dataset, actor=actor, source="upload", upload=io.BytesIO(content), **options
        )
    manifest_import.refresh_from_db()
    return manifest_import
