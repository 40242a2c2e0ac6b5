"""The real client address, believed from X-Forwarded-For only as far as trusted proxies go.

With TRUSTED_PROXY_COUNT = N, the N proxies in front of the app each append the address they
received the request from; the Nth address from the right was therefore written by our outermost
proxy and is the client. Anything further left was sent by the client and may be forged. With
N = 0 (the default) X-Forwarded-For is ignored. DRF's throttles use REST_FRAMEWORK["NUM_PROXIES"],
set from the same setting, and pick the same address.

X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER: is the request HTTPS?) is believed on the same terms:
dropped without trusted proxies, else the value our outermost proxy wrote is kept, so a client
on plain HTTP cannot claim HTTPS and skip the redirect or get secure-only behaviour.
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


def forwarded_proto(meta, trusted_proxies):
    """Return the scheme our outermost trusted proxy saw, or None when it cannot be believed."""
    forwarded = meta.get("HTTP_X_FORWARDED_PROTO", "")
    hops = [hop.strip().lower() for hop in forwarded.split(",") if hop.strip()]
    if trusted_proxies <= 0 or not hops:
        return None
    scheme = hops[-min(trusted_proxies, len(hops))]
    return scheme if scheme in ("http", "https") else None


class TrustedProxyMiddleware:
    """Set REMOTE_ADDR and X-Forwarded-Proto from trusted proxies only (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
        if trusted:
            request.META["REMOTE_ADDR"] = client_address(request.META, trusted)
        scheme = forwarded_proto(request.META, trusted)
        if scheme is None:
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        else:
            request.META["HTTP_X_FORWARDED_PROTO"] = scheme
        return self.get_response(request)
