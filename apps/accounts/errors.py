from apps.core.errors import Conflict, DomainError, PermissionDenied


class AlreadyMember(Conflict):
    code = "already_member"
    message = "This person is already a member of the organization."


class EmailTaken(Conflict):
    code = "email_taken"
    message = "An account with this email address already exists."


class InvitationNotPending(DomainError):
    code, status = "invitation_not_pending", 410
    message = "This invitation was already used, revoked, or has expired."


class InvitationEmailMismatch(PermissionDenied):
    code = "invitation_email_mismatch"
    message = "This invitation was sent to a different email address."


class LastOwner(Conflict):
    code = "last_owner"
    message = "An organization must keep at least one owner."


class RoleNotGrantable(PermissionDenied):
    code = "role_not_grantable"
    message = "Only owners can grant or change the owner role."


class SlugTaken(Conflict):
    code = "slug_taken"
    message = "An organization with this short name already exists."
