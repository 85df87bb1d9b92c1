"""Pages: home, organization overview, members, API credentials, invitation acceptance.

Each page calls the same selectors and services as the API. A rejected form is
re-rendered with status 400 and the reason; a success redirects (post/redirect/get).
"""

from functools import wraps

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import permissions, selectors, services
from apps.accounts.forms import (
    ApiCredentialForm,
    InvitationForm,
    InvitationSignupForm,
    OrganizationForm,
    RoleForm,
)
from apps.accounts.models import Invitation, Role
from apps.accounts.permissions import role_has
from apps.core.errors import DomainError, NotFound
from apps.core.pages import report_error


def organization_page(required_permission: dict[str, str]):
    """Like `OrganizationAPIView` for pages: sets `request.organization` and `request.role`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, **kwargs) -> HttpResponse:
            try:
                organization, role = selectors.organization_access(user=request.user, slug=org_slug)
            except NotFound:
                raise Http404 from None
            permission = required_permission.get(
                request.method if request.method != "HEAD" else "GET"
            )
            if permission is None or not role_has(role, permission):
                raise DjangoPermissionDenied
            request.organization, request.role = organization, role
            try:
                return view(request, **kwargs)
            except NotFound:
                raise Http404 from None

        return wrapper

    return decorator


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, answering a rejected form (e.g. a taken email) with 400."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "accounts/landing.html")
    form = OrganizationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                organization = services.organization_create(user=request.user, **form.cleaned_data)
            except DomainError as error:
                report_error(request, error, form)
            else:
                messages.success(request, f"Created {organization.name}.")
                return redirect("organization", org_slug=organization.slug)
        status = 400
    else:
        status = 200
    return render(request, "accounts/home.html", {"form": form}, status=status)


@organization_page({"GET": permissions.ORGANIZATION_VIEW})
def organization(request: HttpRequest) -> HttpResponse:
    context = {
        "can_view_members": role_has(request.role, permissions.MEMBERS_VIEW),
        "can_manage_credentials": role_has(request.role, permissions.CREDENTIALS_MANAGE),
        "member_count": selectors.membership_list(organization=request.organization).count(),
    }
    return render(request, "accounts/organization.html", context)


def _members_page(request: HttpRequest, *, invite_form=None, status: int = 200) -> HttpResponse:
    organization = request.organization
    can_manage = role_has(request.role, permissions.MEMBERS_MANAGE)
    grantable = (
        Role.choices
        if request.role == Role.OWNER
        else [choice for choice in Role.choices if choice[0] in permissions.ROLES_ADMINS_GRANT]
    )
    context = {
        "memberships": selectors.membership_list(organization=organization).order_by("user__email"),
        "invitations": selectors.invitation_list(organization=organization).order_by("email"),
        "can_manage": can_manage,
        "grantable_roles": grantable,
        "invite_form": invite_form or InvitationForm(),
    }
    return render(request, "accounts/members.html", context, status=status)


@organization_page({"GET": permissions.MEMBERS_VIEW, "POST": permissions.MEMBERS_MANAGE})
def members(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _members_page(request)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                organization=request.organization,
                actor=request.user,
                actor_role=request.role,
                **form.cleaned_data,
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("members", org_slug=request.organization.slug)
    return _members_page(request, invite_form=form, status=400)


@require_POST
@organization_page({"POST": permissions.MEMBERS_MANAGE})
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership_get(
        organization=request.organization, membership_id=membership_id
    )
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("Choose one of the listed roles.")
        services.membership_change_role(
            membership=membership,
            role=form.cleaned_data["role"],
            actor=request.user,
            actor_role=request.role,
        )
    except DomainError as error:
        report_error(request, error)
        return _members_page(request, status=400)
    messages.success(
        request, f"{membership.user.email} is now {membership.get_role_display().lower()}."
    )
    return redirect("members", org_slug=request.organization.slug)


@require_POST
@organization_page({"POST": permissions.MEMBERS_MANAGE})
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership_get(
        organization=request.organization, membership_id=membership_id
    )
    try:
        services.membership_remove(
            membership=membership, actor=request.user, actor_role=request.role
        )
    except DomainError as error:
        report_error(request, error)
        return _members_page(request, status=400)
    messages.success(request, f"Removed {membership.user.email}.")
    return redirect("members", org_slug=request.organization.slug)


@require_POST
@organization_page({"POST": permissions.MEMBERS_MANAGE})
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_get(
        organization=request.organization, invitation_id=invitation_id
    )
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except DomainError as error:
        report_error(request, error)
        return _members_page(request, status=400)
    messages.success(request, f"Revoked the invitation to {invitation.email}.")
    return redirect("members", org_slug=request.organization.slug)


@organization_page({"GET": permissions.CREDENTIALS_MANAGE, "POST": permissions.CREDENTIALS_MANAGE})
def credentials(request: HttpRequest) -> HttpResponse:
    form = ApiCredentialForm(request.POST or None)
    created, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                credential, secret = services.api_credential_create(
                    organization=request.organization,
                    actor=request.user,
                    actor_role=request.role,
                    **form.cleaned_data,
                )
            except DomainError as error:
                report_error(request, error, form)
            else:
                # Rendered, not redirected: the secret shows once and never sits in a session.
                created, status, form = (
                    {"credential": credential, "secret": secret},
                    201,
                    ApiCredentialForm(),
                )
    context = {
        "credentials": selectors.api_credential_list(organization=request.organization).order_by(
            "-id"
        ),
        "form": form,
        "created": created,
    }
    return render(request, "accounts/credentials.html", context, status=status)


@require_POST
@organization_page({"POST": permissions.CREDENTIALS_MANAGE})
def credential_revoke(request: HttpRequest, credential_id: int) -> HttpResponse:
    credential = selectors.api_credential_get(
        organization=request.organization, credential_id=credential_id
    )
    services.api_credential_revoke(credential=credential, actor=request.user)
    messages.success(
        request, f"Revoked {credential.access_key_id}. Programs using it are now refused."
    )
    return redirect("credentials", org_slug=request.organization.slug)


def invitation_accept(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """Open to anyone holding the link: signs up a new person, or adds the signed-in one."""
    try:
        invitation = selectors.invitation_get_by_token(org_slug=org_slug, token=token)
    except NotFound:
        raise Http404 from None
    form = None if request.user.is_authenticated else InvitationSignupForm(request.POST or None)
    status = 200 if invitation.is_usable else 410
    if request.method == "POST" and invitation.is_usable:
        try:
            membership = _accept(request, invitation, form)
        except DomainError as error:
            report_error(request, error, form)
            status = error.status
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.organization.name}.")
            return redirect("organization", org_slug=org_slug)
    context = {"invitation": invitation, "form": form}
    return render(request, "accounts/invitation_accept.html", context, status=status)


def _accept(request: HttpRequest, invitation: Invitation, form: InvitationSignupForm | None):
    if form is None:
        return services.invitation_accept(invitation=invitation, user=request.user)
    if not form.is_valid():
        raise DomainError("Please correct the form.")
    return services.invitation_accept_with_signup(
        invitation=invitation,
        password=form.cleaned_data["password1"],
        name=form.cleaned_data["name"],
    )
