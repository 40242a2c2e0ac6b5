"""The real client address, believed from X-Forwarded-For only as far as trusted proxies go.

With TRUSTED_PROXY_COUNT = N, the N proxies in front of the app each append the address they
received the request from; the Nth address from the right was therefore written by our outermost
proxy and is the client. Anything further left was sent by the client and may be forged. With
N = 0 (the default) X-Forwarded-For is ignored. DRF's throttles use REST_FRAMEWORK["NUM_PROXIES"],
set from the same setting, and pick the same address.
"""
import ipaddress

from django.conf import settings


def client_address(meta, trusted_proxies):
    """Return the client's address from a WSGI environ (REMOTE_ADDR and X-Forwarded-For)."""
    remote = meta.get("REMOTE_ADDR", "")
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if trusted_proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    # The same choice as rest_framework.throttling.BaseThrottle.get_ident.
    candidate = hops[-min(trusted_proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # Our own proxy wrote something that is not an address: keep the connection's address.
        return remote


class TrustedProxyMiddleware:
    """Set REMOTE_ADDR to the real client address (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
        if trusted:
            request.META["REMOTE_ADDR"] = client_address(request.META, trusted)
        return self.get_response(request)
