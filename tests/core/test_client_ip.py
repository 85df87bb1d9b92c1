import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import AnonRateThrottle as StockThrottle
from rest_framework.views import APIView

from apps.core.api.throttling import AnonRateThrottle
from apps.core.client_ip import client_ip, parse_address

SPOOFING_HEADERS = {
    "HTTP_X_FORWARDED_FOR": "10.9.9.9",
    "HTTP_FORWARDED": "for=10.9.9.9",
    "HTTP_X_REAL_IP": "10.9.9.9",
    "HTTP_TRUE_CLIENT_IP": "10.9.9.9",
}


def request(remote_addr: str, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_trusted_proxies_every_forwarding_header_is_ignored():
    assert client_ip(request("198.51.100.7", **SPOOFING_HEADERS)) == "198.51.100.7"


def test_ipv6_peer_address_is_returned_as_is():
    assert client_ip(request("2001:db8::42", **SPOOFING_HEADERS)) == "2001:db8::42"


def test_ipv4_mapped_peer_is_returned_as_ipv4():
    assert client_ip(request("::ffff:198.51.100.7")) == "198.51.100.7"


def test_trusted_network_peer_passes_on_the_forwarded_client(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]

    assert client_ip(request("10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")) == "203.0.113.5"


def test_untrusted_peer_cannot_spoof_even_when_proxies_are_configured(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]

    assert client_ip(request("198.51.100.7", **SPOOFING_HEADERS)) == "198.51.100.7"


def test_a_client_prefix_in_x_forwarded_for_is_not_believed(settings):
    # The client wrote "1.2.3.4" itself; the trusted proxy appended the real peer.
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    header = "1.2.3.4, 203.0.113.5"

    assert client_ip(request("10.0.0.2", HTTP_X_FORWARDED_FOR=header)) == "203.0.113.5"


def test_chains_of_trusted_proxies_are_walked_right_to_left(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    header = "1.2.3.4, 203.0.113.5, fd00::7, 10.1.1.1"

    assert client_ip(request("10.0.0.2", HTTP_X_FORWARDED_FOR=header)) == "203.0.113.5"


def test_other_headers_are_ignored_even_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    headers = {"HTTP_X_REAL_IP": "1.2.3.4", "HTTP_TRUE_CLIENT_IP": "1.2.3.4"}

    assert client_ip(request("10.0.0.2", **headers)) == "10.0.0.2"


def test_garbled_hop_stops_the_walk(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    header = "203.0.113.5, not-an-address"

    assert client_ip(request("10.0.0.2", HTTP_X_FORWARDED_FOR=header)) == "10.0.0.2"


def test_ipv6_client_through_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]

    assert client_ip(request("10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8::9")) == "2001:db8::9"


def test_proxy_count_takes_the_nth_address_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    header = "1.2.3.4, 203.0.113.5, 10.0.0.9"

    assert client_ip(request("10.0.0.2", HTTP_X_FORWARDED_FOR=header)) == "203.0.113.5"


def test_proxy_count_without_a_header_is_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request("198.51.100.7")) == "198.51.100.7"


def test_forwarded_header_when_configured(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_HEADER = "Forwarded"
    header = 'for=1.2.3.4, for="[2001:db8::5]:4711";proto=https'

    assert client_ip(request("10.0.0.2", HTTP_FORWARDED=header)) == "2001:db8::5"
    assert client_ip(request("10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("203.0.113.7:51234", "203.0.113.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ('"198.51.100.1"', "198.51.100.1"),
        ("unknown", None),
        ("", None),
    ],
)
def test_parse_address(value, expected):
    parsed = parse_address(value)
    assert (None if parsed is None else str(parsed)) == expected


class TwoPerMinute(AnonRateThrottle):
    rate = "2/min"


class ThrottledView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [TwoPerMinute]

    def get(self, request):
        return Response({"ok": True})


def test_throttling_keys_on_the_same_client_address():
    view = ThrottledView.as_view()
    factory = APIRequestFactory()

    statuses = [
        view(
            factory.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        ).status_code
        for n in range(3)
    ]
    other_client = view(factory.get("/", REMOTE_ADDR="198.51.100.8")).status_code

    # a fresh X-Forwarded-For per request does not reset the limit
    assert statuses == [200, 200, 429]
    assert other_client == 200


def test_drfs_stock_throttles_do_not_trust_x_forwarded_for():
    spoofed = APIRequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )

    assert StockThrottle().get_ident(spoofed) == "198.51.100.7"


def test_allauth_rate_limits_use_the_same_client_address(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    spoofed = request("198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    proxied = request("10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert get_adapter().get_client_ip(spoofed) == "198.51.100.7"
    assert get_adapter().get_client_ip(proxied) == "203.0.113.5"
