"""The client address comes from X-Forwarded-For only as far as trusted proxies go, for the
app and for DRF's throttles alike."""
import pytest
from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from timeline.client_address import TrustedProxyMiddleware, client_address


def test_without_trusted_proxies_x_forwarded_for_is_ignored():
    meta = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
    assert client_address(meta, 0) == "203.0.113.9"


def test_with_one_trusted_proxy_the_rightmost_hop_is_the_client():
    # The client forged "1.2.3.4"; our proxy appended the address it saw, 198.51.100.7.
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"}
    assert client_address(meta, 1) == "198.51.100.7"
    assert client_address(meta, 2) == "1.2.3.4"


def test_a_malformed_hop_falls_back_to_the_connection_address():
    assert client_address({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-ip"}, 1) == "10.0.0.2"


def test_the_middleware_rewrites_remote_addr_only_when_proxies_are_trusted(rf, settings):
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    settings.TRUSTED_PROXY_COUNT = 0
    TrustedProxyMiddleware(view)(request)
    assert seen["addr"] == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    TrustedProxyMiddleware(view)(request)
    assert seen["addr"] == "198.51.100.7"


class OneRequestPerMinute(AnonRateThrottle):
    rate = "1/min"


class ThrottledView(APIView):
    permission_classes = []
    throttle_classes = [OneRequestPerMinute]

    def get(self, request):
        from rest_framework.response import Response

        return Response({"ok": True})


@pytest.fixture
def proxies(settings, monkeypatch):
    def configure(count):
        settings.TRUSTED_PROXY_COUNT = count
        monkeypatch.setattr(api_settings, "NUM_PROXIES", count)
        cache.clear()
    return configure


def test_the_project_sets_drfs_num_proxies_from_the_same_setting(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0


def test_a_throttled_client_cannot_dodge_the_limit_by_forging_x_forwarded_for(proxies):
    proxies(0)
    factory, view = APIRequestFactory(), ThrottledView.as_view()
    assert view(factory.get("/", REMOTE_ADDR="203.0.113.9")).status_code == 200
    forged = factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert view(forged).status_code == 429


def test_behind_one_proxy_clients_are_told_apart_but_forged_hops_do_not_help(proxies):
    proxies(1)
    factory, view = APIRequestFactory(), ThrottledView.as_view()
    first = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert view(first).status_code == 200
    # Same real client, a forged address on the left: still the same client.
    forged = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert view(forged).status_code == 429
    # Another real client behind the same proxy has its own allowance.
    other = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert view(other).status_code == 200


# Issue 17 item 16: X-Forwarded-Proto is believed only from the configured proxies.

@pytest.fixture
def https_redirect(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_without_trusted_proxies_a_client_cannot_claim_https(client, https_redirect, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get("/about/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_behind_a_trusted_proxy_its_x_forwarded_proto_is_believed(client, https_redirect, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/about/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/about/", HTTP_X_FORWARDED_PROTO="http").status_code == 301
    # The client's own claim sits left of what our proxy appended: the proxy's "http" wins.
    assert client.get("/about/", HTTP_X_FORWARDED_PROTO="https, http").status_code == 301
