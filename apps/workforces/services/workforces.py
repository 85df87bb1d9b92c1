"""The workforces themselves: the platform crowd, each organization's private one, vendors'."""

import ipaddress

from django.conf import settings
from django.db import transaction

from apps.accounts.models import Organization, User
from apps.core.errors import DomainError
from apps.core.services import audit_record
from apps.workforces.errors import NotAVendor
from apps.workforces.models import MAX_SOURCE_CIDRS, Workforce


@transaction.atomic
def platform_organization_ensure() -> Organization:
    """The organization that owns the public workforce; created on first use."""
    organization, _ = Organization.objects.get_or_create(
        slug=settings.PLATFORM_ORGANIZATION_SLUG, defaults={"name": "Groundwork platform"}
    )
    return organization


@transaction.atomic
def workforce_public_ensure() -> Workforce:
    """The one public workforce (a conditional unique constraint keeps it one)."""
    platform = platform_organization_ensure()
    workforce, _ = Workforce.global_objects.get_or_create(
        kind=Workforce.Kind.PUBLIC, defaults={"organization": platform, "name": "public-crowd"}
    )
    return workforce


@transaction.atomic
def workforce_private_ensure(*, organization: Organization) -> Workforce:
    """The organization's private workforce, created the first time it is needed."""
    workforce, _ = Workforce.global_objects.get_or_create(
        organization=organization, kind=Workforce.Kind.PRIVATE, defaults={"name": "default"}
    )
    return workforce


@transaction.atomic
def workforce_vendor_ensure(*, organization: Organization) -> Workforce:
    if not organization.is_vendor:
        raise NotAVendor()
    workforce, _ = Workforce.global_objects.get_or_create(
        organization=organization, kind=Workforce.Kind.VENDOR, defaults={"name": "vendor"}
    )
    return workforce


def normalized_cidrs(cidrs: object, *, field: str = "source_cidrs") -> list[str]:
    """Validate SourceIpConfig.Cidrs: a list of at most 10 IPv4/IPv6 CIDRs, normalized
    (host bits cleared, as AWS accepts "10.0.0.1/8" for 10.0.0.0/8), duplicates dropped."""
    if not isinstance(cidrs, list | tuple):
        raise DomainError.on_field(field, 'Give a list of CIDR ranges, e.g. ["203.0.113.0/24"].')
    if len(cidrs) > MAX_SOURCE_CIDRS:
        raise DomainError.on_field(field, f"At most {MAX_SOURCE_CIDRS} IP ranges are allowed.")
    normalized: list[str] = []
    for cidr in cidrs:
        if not isinstance(cidr, str) or not 4 <= len(cidr.strip()) <= 64 or "/" not in cidr:
            raise DomainError.on_field(
                field, f"{cidr!r} is not a CIDR range like 203.0.113.0/24 or 2001:db8::/32."
            )
        try:
            network = ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            raise DomainError.on_field(
                field, f"{cidr!r} is not a CIDR range like 203.0.113.0/24 or 2001:db8::/32."
            ) from None
        if str(network) not in normalized:
            normalized.append(str(network))
    return normalized


@transaction.atomic
def workforce_update_source_cidrs(
    *, workforce: Workforce, cidrs: list[str], actor: User
) -> Workforce:
    """Replace the workforce's allowed source ranges; an empty list lifts the restriction."""
    if workforce.kind == Workforce.Kind.PUBLIC:
        raise DomainError.on_field(
            "source_cidrs", "The public crowd cannot be limited to IP ranges."
        )
    normalized = normalized_cidrs(cidrs)
    workforce = Workforce.global_objects.select_for_update().get(pk=workforce.pk)
    previous = workforce.source_cidrs
    workforce.source_cidrs = normalized
    workforce.save(update_fields=["source_cidrs", "updated_at"])
    audit_record(
        organization_id=workforce.organization_id,
        actor=actor,
        action="workforce.source_cidrs_changed",
        target=workforce,
        previous=previous,
        cidrs=normalized,
    )
    return workforce
