"""What each role may do: the one place this rule lives.

Views declare the permission each method needs (`required_permission`); this table
says which roles hold it. Apps added later extend the table with their own names.
"""

from apps.accounts.models import Role

ORGANIZATION_VIEW = "organization.view"
MEMBERS_VIEW = "members.view"
MEMBERS_MANAGE = "members.manage"
CREDENTIALS_MANAGE = "credentials.manage"
DATA_VIEW = "data.view"  # read datasets and items: whoever manages data or reviews
DATA_MANAGE = "data.manage"
PROJECTS_MANAGE = "projects.manage"
REVIEWS_REVIEW = "reviews.review"
TASKS_WORK = "tasks.work"
VENDOR_MANAGE = "vendor.manage"
BILLING_MANAGE = "billing.manage"
REPORTS_VIEW = "reports.view"
# Workforces: see teams and workforce settings; manage teams, qualifications and blocks;
# manage the security-relevant settings (IP ranges, OIDC) and vendor subscriptions.
WORKFORCE_VIEW = "workforce.view"
WORKTEAMS_MANAGE = "workteams.manage"
WORKFORCE_MANAGE = "workforce.manage"

_REQUESTER = {
    ORGANIZATION_VIEW,
    MEMBERS_VIEW,
    DATA_VIEW,
    DATA_MANAGE,
    PROJECTS_MANAGE,
    REVIEWS_REVIEW,
    REPORTS_VIEW,
    WORKFORCE_VIEW,
    WORKTEAMS_MANAGE,
}
_ADMIN = _REQUESTER | {
    MEMBERS_MANAGE,
    CREDENTIALS_MANAGE,
    VENDOR_MANAGE,
    BILLING_MANAGE,
    TASKS_WORK,
    WORKFORCE_MANAGE,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(_ADMIN),
    Role.ADMIN: frozenset(_ADMIN),
    Role.REQUESTER: frozenset(_REQUESTER),
    Role.REVIEWER: frozenset(
        {ORGANIZATION_VIEW, MEMBERS_VIEW, DATA_VIEW, REVIEWS_REVIEW, REPORTS_VIEW}
    ),
    Role.WORKER: frozenset({ORGANIZATION_VIEW, TASKS_WORK}),
    Role.VENDOR_MANAGER: frozenset(
        {
            ORGANIZATION_VIEW,
            MEMBERS_VIEW,
            VENDOR_MANAGE,
            REPORTS_VIEW,
            WORKFORCE_VIEW,
            WORKTEAMS_MANAGE,
        }
    ),
}

# Roles an admin may grant; only owners grant or change "owner".
ROLES_ADMINS_GRANT = frozenset(Role.values) - {Role.OWNER}


def role_has(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
