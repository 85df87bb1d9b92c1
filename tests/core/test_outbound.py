import http.server
import threading

import pytest

from apps.core.outbound import (
    OutboundUrlRefused,
    address_is_allowed,
    outbound_request,
    outbound_target,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://127.0.0.1:8000/",
        "http://localhost/",
        "http://2130706433/",  # 127.0.0.1 as a decimal
        "http://0177.0.0.1/",  # octal
        "http://0x7f000001/",  # hex
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://[::ffff:169.254.169.254]/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://0.0.0.0/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://224.0.0.1/",  # multicast
    ],
)
def test_internal_addresses_are_refused(url):
    with pytest.raises(OutboundUrlRefused) as refused:
        outbound_target(url, field="endpoint_url")

    assert refused.value.code == "url_not_allowed"
    assert list(refused.value.details) == ["endpoint_url"]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://example.com/",
        "ftp://example.com/",
        "//example.com",
        "nonsense",
    ],
)
def test_non_http_schemes_are_refused(url):
    with pytest.raises(OutboundUrlRefused, match="Only http and https"):
        outbound_target(url)


def test_credentials_in_the_url_are_refused():
    with pytest.raises(OutboundUrlRefused, match="Credentials"):
        outbound_target("https://user:pw@93.184.216.34/")


def test_public_literal_addresses_pass_and_are_pinned():
    target = outbound_target("https://93.184.216.34:8443/hook?x=1")

    assert (target.address, target.port, target.path) == ("93.184.216.34", 8443, "/hook?x=1")


def test_operator_allow_list_opens_a_network(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]

    assert address_is_allowed("127.0.0.1")
    assert not address_is_allowed("10.0.0.1")


class _RedirectingHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_requests_go_to_the_pinned_address_and_do_not_follow_redirects(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    server = http.server.HTTPServer(("127.0.0.1", 0), _RedirectingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        target = outbound_target(f"http://localhost:{server.server_port}/hook")
        response = outbound_request(
            target, body=b"{}", headers={"Content-Type": "application/json"}
        )
    finally:
        server.shutdown()
        server.server_close()

    assert target.address in ("127.0.0.1", "::1")
    assert response.status == 302  # reported, not followed
