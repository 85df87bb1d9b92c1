"""DRF throttles that identify anonymous clients by `apps.core.client_ip`.

DRF's own `get_ident` trusts X-Forwarded-For according to `NUM_PROXIES`; these use the
operator's trusted-proxy settings instead, so a client cannot dodge a rate limit by
writing a new X-Forwarded-For on every request. Use them in `DEFAULT_THROTTLE_CLASSES`
or a view's `throttle_classes`.
"""

from rest_framework import throttling

from apps.core.client_ip import client_ip


class ClientIpMixin:
    def get_ident(self, request) -> str:
        return client_ip(request)


class AnonRateThrottle(ClientIpMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientIpMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientIpMixin, throttling.ScopedRateThrottle):
    pass
