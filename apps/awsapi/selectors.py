"""Reads the boto3-compatible layer needs beyond the other apps' selectors."""

from django.db.models import QuerySet

from apps.accounts.models import Organization
from apps.workforces.models import Workforce


def workforce_list(*, organization: Organization) -> QuerySet[Workforce]:
    """The workforces an organization runs (its private one; a vendor's own), the ones
    SageMaker's *Workforce operations see. The platform crowd is nobody's to change."""
    return Workforce.objects.filter(
        organization=organization, kind__in=[Workforce.Kind.PRIVATE, Workforce.Kind.VENDOR]
    ).select_related("organization")
