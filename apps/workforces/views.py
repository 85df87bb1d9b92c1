"""Pages: the requester's workforce console, the vendor console, the worker console.

Same selectors and services as the API. A rejected form re-renders its page with 400
and the reason; a success redirects (post/redirect/get).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import permissions as P
from apps.accounts.models import Membership
from apps.accounts.permissions import role_has
from apps.accounts.views import organization_page
from apps.core.errors import DomainError, NotFound
from apps.core.pages import report_error
from apps.workforces import selectors, services
from apps.workforces.access import workteam_access_check
from apps.workforces.forms import (
    BlockForm,
    MemberAddForm,
    OfferingForm,
    OidcConfigForm,
    ProfileForm,
    QualificationForm,
    RoutesForm,
    SourceCidrsForm,
    SubscribeForm,
    WorkteamForm,
)
from apps.workforces.models import VendorSubscription, Workforce


def _worker_ids(organization, rows) -> list[tuple]:
    return [
        (row, selectors.anonymized_worker_id(user=row.user, organization=organization))
        for row in rows
    ]


# The requester's console


def _console(request: HttpRequest, *, status: int = 200, **forms) -> HttpResponse:
    organization = request.organization
    workforce = selectors.workforce_private_find(organization=organization)
    active_subscriptions = selectors.vendor_subscription_list(organization=organization).filter(
        status=VendorSubscription.Status.ACTIVE
    )
    qualifications = selectors.qualification_list(organization=organization).order_by("name")
    oidc = selectors.oidc_config_find(organization=organization)
    oidc_initial = (
        {
            "issuer": oidc.issuer,
            "client_id": oidc.client_id,
            "scope": oidc.scope,
            "groups_claim": oidc.groups_claim,
            "is_enabled": oidc.is_enabled,
        }
        if oidc
        else None
    )
    context = {
        "workforce": workforce,
        "oidc": oidc,
        "teams": selectors.workteam_list(organization=organization).order_by("name"),
        "qualifications": qualifications,
        "blocks": _worker_ids(
            organization, selectors.worker_block_list(organization=organization).order_by("-id")
        ),
        "subscriptions": selectors.vendor_subscription_list(organization=organization).order_by(
            "-id"
        ),
        "offerings": selectors.vendor_offering_list_published().exclude(organization=organization),
        "can_manage_security": role_has(request.role, P.WORKFORCE_MANAGE),
        "can_manage_teams": role_has(request.role, P.WORKTEAMS_MANAGE),
        "cidrs_form": forms.get("cidrs_form")
        or SourceCidrsForm(
            initial={"source_cidrs": "\n".join(workforce.source_cidrs if workforce else [])}
        ),
        "oidc_form": forms.get("oidc_form") or OidcConfigForm(initial=oidc_initial),
        "team_form": forms.get("team_form")
        or WorkteamForm(subscriptions=active_subscriptions, qualifications=qualifications),
        "qualification_form": forms.get("qualification_form") or QualificationForm(),
        "block_form": forms.get("block_form") or BlockForm(),
        "subscribe_form": forms.get("subscribe_form") or SubscribeForm(),
    }
    return render(request, "workforces/console.html", context, status=status)


@organization_page({"GET": P.WORKFORCE_VIEW})
def console(request: HttpRequest) -> HttpResponse:
    return _console(request)


def _back(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("workforce_console", org_slug=request.organization.slug)


@require_POST
@organization_page({"POST": P.WORKFORCE_MANAGE})
def source_cidrs(request: HttpRequest) -> HttpResponse:
    form = SourceCidrsForm(request.POST)
    if form.is_valid():
        try:
            workforce = services.workforce_private_ensure(organization=request.organization)
            services.workforce_update_source_cidrs(
                workforce=workforce, cidrs=form.cleaned_data["source_cidrs"], actor=request.user
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            return _back(request, "Saved the allowed IP ranges.")
    return _console(request, cidrs_form=form, status=400)


@require_POST
@organization_page({"POST": P.WORKFORCE_MANAGE})
def oidc_config(request: HttpRequest) -> HttpResponse:
    form = OidcConfigForm(request.POST)
    if form.is_valid():
        try:
            services.oidc_config_set(
                organization=request.organization, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            return _back(request, "Saved the identity provider.")
    return _console(request, oidc_form=form, status=400)


@require_POST
@organization_page({"POST": P.WORKTEAMS_MANAGE})
def workteam_create(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    form = WorkteamForm(
        request.POST,
        subscriptions=selectors.vendor_subscription_list(organization=organization),
        qualifications=selectors.qualification_list(organization=organization),
    )
    if form.is_valid():
        try:
            team = services.workteam_create(
                organization=organization, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            messages.success(request, f"Created the team {team.name}.")
            return redirect("workteam_page", org_slug=organization.slug, workteam_id=team.pk)
    return _console(request, team_form=form, status=400)


@require_POST
@organization_page({"POST": P.WORKTEAMS_MANAGE})
def qualification_create(request: HttpRequest) -> HttpResponse:
    form = QualificationForm(request.POST)
    if form.is_valid():
        try:
            services.qualification_create(
                organization=request.organization, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            return _back(request, f"Created the qualification {form.cleaned_data['name']}.")
    return _console(request, qualification_form=form, status=400)


@require_POST
@organization_page({"POST": P.WORKTEAMS_MANAGE})
def block_create(request: HttpRequest) -> HttpResponse:
    form = BlockForm(request.POST)
    if form.is_valid():
        try:
            user = selectors.worker_resolve(
                organization=request.organization, worker_id=form.cleaned_data["worker_id"]
            )
            services.worker_block_create(
                organization=request.organization,
                user=user,
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except NotFound:
            form.add_error("worker_id", "No worker with this id works for you.")
        except DomainError as error:
            report_error(request, error, form)
        else:
            return _back(request, f"Blocked {form.cleaned_data['worker_id']}.")
    return _console(request, block_form=form, status=400)


@require_POST
@organization_page({"POST": P.WORKTEAMS_MANAGE})
def block_lift(request: HttpRequest, block_id: int) -> HttpResponse:
    block = selectors.worker_block_get(organization=request.organization, block_id=block_id)
    services.worker_block_lift(block=block, actor=request.user)
    return _back(request, "Lifted the block.")


@require_POST
@organization_page({"POST": P.WORKFORCE_MANAGE})
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST)
    if form.is_valid():
        try:
            services.vendor_subscription_request(
                organization=request.organization,
                vendor_slug=form.cleaned_data["vendor"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            return _back(request, "Asked the vendor; it will accept or decline.")
    return _console(request, subscribe_form=form, status=400)


@require_POST
@organization_page({"POST": P.WORKFORCE_MANAGE})
def subscription_cancel(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.vendor_subscription_get(
        organization=request.organization, subscription_id=subscription_id
    )
    try:
        services.vendor_subscription_cancel(subscription=subscription, actor=request.user)
    except DomainError as error:
        report_error(request, error)
        return _console(request, status=400)
    return _back(request, f"Cancelled the subscription to {subscription.vendor.name}.")


# One team


def _team_page(request: HttpRequest, workteam_id: int, *, status: int = 200, form=None):
    organization = request.organization
    team = selectors.workteam_get(organization=organization, workteam_id=workteam_id)
    is_internal = team.subscription_id is None and team.workforce.kind != Workforce.Kind.PUBLIC
    members, routed = [], []
    if is_internal:
        members = _worker_ids(
            organization, selectors.workteam_member_list(workteam=team).order_by("user__email")
        )
    elif team.subscription_id is not None:
        routed = [
            selectors.anonymized_worker_id(user=user, organization=organization)
            for user in selectors.workteam_eligible_workers(workteam=team)
        ]
    candidates = (
        Membership.objects.filter(organization=organization, role__in=selectors.WORK_ROLES)
        .select_related("user")
        .order_by("user__email")
    )
    context = {
        "team": team,
        "is_internal": is_internal,
        "members": members,
        "routed_worker_ids": routed,
        "member_form": form or MemberAddForm(memberships=candidates),
        "can_manage_teams": role_has(request.role, P.WORKTEAMS_MANAGE),
    }
    return render(request, "workforces/workteam.html", context, status=status)


@organization_page({"GET": P.WORKFORCE_VIEW})
def workteam_page(request: HttpRequest, workteam_id: int) -> HttpResponse:
    return _team_page(request, workteam_id)


@require_POST
@organization_page({"POST": P.WORKTEAMS_MANAGE})
def workteam_member_add(request: HttpRequest, workteam_id: int) -> HttpResponse:
    organization = request.organization
    team = selectors.workteam_get(organization=organization, workteam_id=workteam_id)
    candidates = Membership.objects.filter(organization=organization).select_related("user")
    form = MemberAddForm(request.POST, memberships=candidates)
    if form.is_valid():
        membership = candidates.get(user_id=form.cleaned_data["user_id"])
        try:
            services.workteam_member_add(workteam=team, user=membership.user, actor=request.user)
        except DomainError as error:
            report_error(request, error, form)
        else:
            messages.success(request, f"Added {membership.user.email}.")
            return redirect("workteam_page", org_slug=organization.slug, workteam_id=team.pk)
    return _team_page(request, workteam_id, form=form, status=400)


@require_POST
@organization_page({"POST": P.WORKTEAMS_MANAGE})
def workteam_member_remove(request: HttpRequest, workteam_id: int, member_id: int) -> HttpResponse:
    team = selectors.workteam_get(organization=request.organization, workteam_id=workteam_id)
    member = selectors.workteam_member_get(workteam=team, member_id=member_id)
    services.workteam_member_remove(member=member, actor=request.user)
    messages.success(request, f"Removed {member.user.email}.")
    return redirect("workteam_page", org_slug=request.organization.slug, workteam_id=team.pk)


@require_POST
@organization_page({"POST": P.WORKTEAMS_MANAGE})
def workteam_delete(request: HttpRequest, workteam_id: int) -> HttpResponse:
    team = selectors.workteam_get(organization=request.organization, workteam_id=workteam_id)
    try:
        services.workteam_delete(workteam=team, actor=request.user)
    except DomainError as error:
        report_error(request, error)
        return _team_page(request, workteam_id, status=error.status)
    return _back(request, f"Deleted the team {team.name}.")


# The vendor's console


def _vendor_console(request: HttpRequest, *, status: int = 200, offering_form=None):
    organization = request.organization
    offering = selectors.vendor_offering_find(organization=organization)
    teams = list(selectors.vendor_internal_team_list(vendor=organization).order_by("name"))
    subscribers = [
        (
            subscription,
            RoutesForm(
                teams=teams, initial={"team_ids": [r.team_id for r in subscription.routes.all()]}
            ),
        )
        for subscription in selectors.vendor_subscriber_list(vendor=organization).order_by("-id")
    ]
    initial = (
        {
            "title": offering.title,
            "description": offering.description,
            "task_types": ", ".join(offering.task_types),
            "languages": ", ".join(offering.languages),
            "price_terms": offering.price_terms,
            "is_published": offering.is_published,
        }
        if offering
        else None
    )
    context = {
        "offering": offering,
        "offering_form": offering_form or OfferingForm(initial=initial),
        "subscribers": subscribers,
        "teams": teams,
        "team_form": WorkteamForm(initial={"kind": "vendor"}),
    }
    return render(request, "workforces/vendor_console.html", context, status=status)


@organization_page({"GET": P.VENDOR_MANAGE})
def vendor_console(request: HttpRequest) -> HttpResponse:
    return _vendor_console(request)


def _vendor_back(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("vendor_console", org_slug=request.organization.slug)


@require_POST
@organization_page({"POST": P.VENDOR_MANAGE})
def vendor_offering(request: HttpRequest) -> HttpResponse:
    form = OfferingForm(request.POST)
    if form.is_valid():
        try:
            services.vendor_offering_save(
                organization=request.organization, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            return _vendor_back(request, "Saved your offering.")
    return _vendor_console(request, offering_form=form, status=400)


@require_POST
@organization_page({"POST": P.VENDOR_MANAGE})
def vendor_team_create(request: HttpRequest) -> HttpResponse:
    try:
        team = services.workteam_create(
            organization=request.organization,
            name=request.POST.get("name", ""),
            kind="vendor",
            description=request.POST.get("description", ""),
            actor=request.user,
        )
    except DomainError as error:
        report_error(request, error)
        return _vendor_console(request, status=400)
    messages.success(request, f"Created the team {team.name}.")
    return redirect("workteam_page", org_slug=request.organization.slug, workteam_id=team.pk)


@require_POST
@organization_page({"POST": P.VENDOR_MANAGE})
def vendor_subscriber_decide(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.vendor_subscriber_get(
        vendor=request.organization, subscription_id=subscription_id
    )
    accept = request.POST.get("decision") == "accept"
    try:
        services.vendor_subscription_decide(
            subscription=subscription, accept=accept, actor=request.user
        )
    except DomainError as error:
        report_error(request, error)
        return _vendor_console(request, status=error.status)
    verb = "Accepted" if accept else "Declined"
    return _vendor_back(request, f"{verb} {subscription.organization.name}.")


@require_POST
@organization_page({"POST": P.VENDOR_MANAGE})
def vendor_subscriber_routes(request: HttpRequest, subscription_id: int) -> HttpResponse:
    organization = request.organization
    subscription = selectors.vendor_subscriber_get(
        vendor=organization, subscription_id=subscription_id
    )
    form = RoutesForm(request.POST, teams=selectors.vendor_internal_team_list(vendor=organization))
    try:
        if not form.is_valid():
            raise DomainError("Choose among your teams.")
        services.vendor_routes_set(
            subscription=subscription, team_ids=form.cleaned_data["team_ids"], actor=request.user
        )
    except DomainError as error:
        report_error(request, error)
        return _vendor_console(request, status=error.status)
    return _vendor_back(request, f"Saved the teams working for {subscription.organization.name}.")


# The worker's console


@login_required
def worker_console(request: HttpRequest) -> HttpResponse:
    profile = services.worker_profile_ensure(user=request.user)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.worker_profile_update(user=request.user, **form.cleaned_data)
            except DomainError as error:
                report_error(request, error, form)
            else:
                messages.success(request, "Saved your profile.")
                return redirect("worker_console")
        status = 400
    else:
        form = ProfileForm(
            initial={
                "display_name": profile.display_name,
                "is_public_crowd": profile.is_public_crowd,
            }
        )
    context = {
        "profile": profile,
        "form": form,
        "teams": selectors.workteams_for_worker(user=request.user),
    }
    return render(request, "workforces/worker_console.html", context, status=status)


@login_required
def worker_team(request: HttpRequest, workteam_id: int) -> HttpResponse:
    """A team's work as its worker sees it; refused (403 page) from outside its IP ranges."""
    try:
        team = selectors.worker_workteam_get(user=request.user, workteam_id=workteam_id)
    except NotFound:
        raise Http404 from None
    workteam_access_check(request=request, workteam=team)
    return render(request, "workforces/worker_team.html", {"team": team})
