"""Pages: storages, dataset list and detail (imports, errors, item browser), and the signed
route that serves local objects to whoever holds a URL from `object_read_url`."""

import mimetypes
import posixpath
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scope

from apps.accounts import permissions
from apps.accounts.permissions import role_has
from apps.accounts.views import organization_page
from apps.core.client_ip import address_in_networks, client_ip
from apps.core.errors import DomainError
from apps.core.pages import report_error
from apps.datasets import selectors, services
from apps.datasets.errors import ObjectNotFound, StoragePathRefused
from apps.datasets.forms import AutoSetupForm, DatasetForm, StorageForm, UploadForm
from apps.datasets.models import ManifestImport, Storage
from apps.datasets.storages import (
    LocalBackend,
    S3Backend,
    content_disposition,
    object_from_token,
)

ITEMS_PER_PAGE = 48
READ = permissions.DATA_VIEW
WRITE = permissions.DATA_MANAGE

# Served objects are tenant data: a sandboxed, script-less document in an opaque origin,
# never content our origin would run.
OBJECT_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'"
)
OBJECT_CHUNK = 1 << 16  # bytes per read while streaming an S3 object through us


@organization_page({"GET": READ, "POST": WRITE})
def dataset_list(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    form = DatasetForm(request.POST or None, organization=organization)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                dataset = services.dataset_create(
                    organization=organization, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                report_error(request, error, form)
            else:
                messages.success(request, f"Created {dataset.name}.")
                return redirect(
                    "datasets:detail", org_slug=organization.slug, dataset_id=dataset.id
                )
    context = {
        "datasets": selectors.dataset_list(organization=organization).order_by("name"),
        "form": form,
        "can_manage": role_has(request.role, WRITE),
    }
    return render(request, "datasets/list.html", context, status=status)


def _detail(request: HttpRequest, dataset_id: int, *, upload_form=None, auto_form=None, status=200):
    organization = request.organization
    dataset = selectors.dataset_get(organization=organization, dataset_id=dataset_id)
    try:
        after = max(int(request.GET.get("after", 0)), 0)
    except ValueError:
        after = 0
    items = list(
        selectors.item_list(organization=organization, dataset_id=dataset.id).filter(
            line_number__gt=after
        )[: ITEMS_PER_PAGE + 1]
    )
    imports = list(
        selectors.manifest_import_list(organization=organization, dataset_id=dataset.id)
        .select_related("storage")
        .order_by("-id")[:10]
    )
    context = {
        "dataset": dataset,
        "items": items[:ITEMS_PER_PAGE],
        "next_after": items[ITEMS_PER_PAGE - 1].line_number
        if len(items) > ITEMS_PER_PAGE
        else None,
        "imports": imports,
        "is_importing": any(not i.is_finished for i in imports),
        "upload_form": upload_form or UploadForm(),
        "auto_form": auto_form or AutoSetupForm(organization=organization),
        "can_manage": role_has(request.role, WRITE),
        "manifest_url": reverse("dataset-manifest", args=[organization.slug, dataset.id]),
    }
    return render(request, "datasets/detail.html", context, status=status)


@require_GET
@organization_page({"GET": READ})
def dataset_detail(request: HttpRequest, dataset_id: int) -> HttpResponse:
    return _detail(request, dataset_id)


@require_POST
@organization_page({"POST": WRITE})
def dataset_import(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = selectors.dataset_get(organization=request.organization, dataset_id=dataset_id)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.manifest_import_start(
                dataset=dataset,
                actor=request.user,
                source=ManifestImport.Source.UPLOAD,
                upload=form.cleaned_data["file"],
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            messages.success(request, "Import started.")
            return redirect(
                "datasets:detail", org_slug=request.organization.slug, dataset_id=dataset.id
            )
    return _detail(request, dataset_id, upload_form=form, status=400)


@require_POST
@organization_page({"POST": WRITE})
def dataset_auto_setup(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = selectors.dataset_get(organization=request.organization, dataset_id=dataset_id)
    form = AutoSetupForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            services.manifest_import_start(
                dataset=dataset,
                actor=request.user,
                source=ManifestImport.Source.AUTO,
                storage=form.cleaned_data["storage"],
                key=form.cleaned_data["prefix"],
                extensions=form.cleaned_data["extensions"],
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            messages.success(request, "Automatic data setup started.")
            return redirect(
                "datasets:detail", org_slug=request.organization.slug, dataset_id=dataset.id
            )
    return _detail(request, dataset_id, auto_form=form, status=400)


@require_GET
@organization_page({"GET": READ})
def item_thumbnail(request: HttpRequest, dataset_id: int, item_id: int) -> HttpResponse:
    item = selectors.item_get(
        organization=request.organization, dataset_id=dataset_id, item_id=item_id
    )
    if not item.thumbnail_path:
        raise Http404
    root = Path(settings.DATASETS_WORK_ROOT) / "thumbnails"
    path = root / item.thumbnail_path  # written by us as <org>/<dataset>/<item>.jpg
    if not path.is_file():
        raise Http404
    response = FileResponse(open(path, "rb"), content_type="image/jpeg")  # noqa: SIM115
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _storages_page(request: HttpRequest, *, form=None, status: int = 200) -> HttpResponse:
    context = {
        "storages": selectors.storage_list(organization=request.organization).order_by("name"),
        "form": form or StorageForm(),
        "can_manage": role_has(request.role, WRITE),
        "local_root": f"{request.organization.slug}/",
    }
    return render(request, "datasets/storages.html", context, status=status)


@organization_page({"GET": READ, "POST": WRITE})
def storage_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _storages_page(request)
    form = StorageForm(request.POST)
    if form.is_valid():
        try:
            storage = services.storage_create(
                organization=request.organization, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            messages.success(request, f"Registered {storage.name}.")
            return redirect("datasets:storages", org_slug=request.organization.slug)
    return _storages_page(request, form=form, status=400)


@require_POST
@organization_page({"POST": WRITE})
def storage_test(request: HttpRequest, storage_id: int) -> HttpResponse:
    storage = selectors.storage_get(organization=request.organization, storage_id=storage_id)
    try:
        services.storage_test(storage=storage)
    except DomainError as error:
        messages.error(request, f"{storage.name}: {error.message}")
        return _storages_page(request, status=400)
    messages.success(request, f"{storage.name}: connection works.")
    return redirect("datasets:storages", org_slug=request.organization.slug)


@require_GET
def object_read(request: HttpRequest, token: str) -> HttpResponse:
    """An object behind a signed, expiring URL. Whoever holds the URL may read it, from the
    networks it names if any: `object_read_url` decides who gets one. Local objects are
    always served here; S3 objects only when bound to networks (else S3 serves them)."""
    try:
        organization_id, storage_id, key, networks = object_from_token(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404 from None
    address = client_ip(request)
    if networks and not address_in_networks(address, networks):
        return HttpResponseForbidden(
            f"Your address {address or '(unknown)'} may not read this object.",
            content_type="text/plain; charset=utf-8",
        )
    with scope(organization=organization_id):
        storage = (
            Storage.objects.select_related("organization")
            .filter(id=storage_id, organization_id=organization_id)
            .first()
        )
        if storage is None:
            raise Http404
        try:
            response = _object_response(storage, key)
        except (StoragePathRefused, ObjectNotFound):
            raise Http404 from None
    name = posixpath.basename(key)
    response["Content-Disposition"] = content_disposition(name, response["Content-Type"])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = OBJECT_CSP
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, max-age=300"
    # Task frames are sandboxed without an origin: an element reading an object's pixels
    # (a segmentation's initial-value mask into a canvas) must fetch it in CORS mode, or the
    # canvas is tainted. Any origin may: the signed URL is the capability (no cookies are
    # involved), and whoever holds it can already read the object directly.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _object_response(storage: Storage, key: str) -> HttpResponse:
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    if storage.kind == Storage.Kind.LOCAL:
        path = LocalBackend(storage).path_for(key)
        if not path.is_file():
            raise ObjectNotFound()
        return FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
    # Open before answering, so a missing object is a 404 rather than a broken 200.
    resources = ExitStack()
    try:
        backend = resources.enter_context(S3Backend(storage))
        body = resources.enter_context(backend.open(key))
    except BaseException:
        resources.close()
        raise

    def chunks():
        with resources:
            yield from iter(lambda: body.read(OBJECT_CHUNK), b"")

    return StreamingHttpResponse(chunks(), content_type=content_type)
