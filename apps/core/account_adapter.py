"""django-allauth's account adapter, using our one client-address rule (`client_ip`) for
its rate limits, so they see the real client behind the operator's trusted proxies and
cannot be dodged by a forged X-Forwarded-For."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from apps.core.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address
