from apps.accounts.permissions import ROLE_PERMISSIONS
from apps.accounts.selectors import membership_list_for_user


def organizations(request) -> dict:
    """The header's organization switcher: the user's memberships and the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(membership_list_for_user(user=user))
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("org_slug") if match else None
    current = next((m for m in memberships if m.organization.slug == slug), None)
    can = ROLE_PERMISSIONS.get(current.role, frozenset()) if current else frozenset()
    return {"my_memberships": memberships, "current_membership": current, "current_can": can}
