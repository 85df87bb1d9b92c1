"""The base view of every organization resource under `/api/v1/orgs/<org_slug>/`."""

from rest_framework.request import Request

from apps.accounts.models import ApiCredential
from apps.accounts.permissions import role_has
from apps.accounts.selectors import organization_access
from apps.core.api.views import BaseAPIView
from apps.core.errors import PermissionDenied


class OrganizationAPIView(BaseAPIView):
    """Resolves `self.organization` and `self.role` once, then checks the method's permission.

    A non-member (or another organization's credential) gets 404, exactly as for a
    missing organization. `required_permission` maps each HTTP method to a permission
    from `apps.accounts.permissions`; a method not listed is refused (fail closed).
    """

    required_permission: dict[str, str] = {}

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # authenticates; 401 if anonymous
        credential = request.auth if isinstance(request.auth, ApiCredential) else None
        self.organization, self.role = organization_access(
            user=request.user, slug=kwargs["org_slug"], credential=credential
        )
        if request.method == "OPTIONS":
            return
        method = "GET" if request.method == "HEAD" else request.method
        permission = self.required_permission.get(method)
        if permission is None or not role_has(self.role, permission):
            raise PermissionDenied()
