"""Security headers on every response, above all a Content-Security-Policy without 'unsafe-inline'.

Pages load scripts, styles, images and fonts from this site only. A template that truly needs an
inline <script> or <style> block marks it with nonce="{{ csp_nonce }}"; the nonce is generated
only when a template asks for it, and only then named in the header, so pages without inline
blocks stay cacheable byte for byte. Inline style="" attributes and event handlers never run.
"""
import secrets

from django.conf import settings
from django.utils.functional import SimpleLazyObject, empty

# One policy for the whole site: the admin and the API docs (Swagger UI from the sidecar package,
# with its inline blocks nonced by templates/drf_spectacular/) work under it too.
BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # Swagger UI and the admin draw small icons from data: URIs in their stylesheets.
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Relaxations for single pages, still without 'unsafe-inline': Redoc (/api/v1/redoc/) runs its
# search in a worker built from a blob: URL, and creates two fixed <style> blocks without its
# nonce (allowed by their hashes only: an empty one and one fixed rule set).
# tests/browser/test_csp_in_chromium.py fails if a page needs more.
PATH_EXTRA_SOURCES = {
    "/api/v1/redoc/": {
        "worker-src": ["'self'", "blob:"],
        "style-src": [
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
            "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
        ],
    },
}

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def build_policy(nonce=None, extra=None, path=None):
    """Return the Content-Security-Policy header value (with the nonce, when one was used)."""
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for extras in (extra or {}, PATH_EXTRA_SOURCES.get(path, {})):
        for name, sources in extras.items():
            policy.setdefault(name, []).extend(sources)
    if nonce:
        policy["script-src"].append(f"'nonce-{nonce}'")
        policy["style-src"].append(f"'nonce-{nonce}'")
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def csp_nonce(request):
    """Template context processor: {{ csp_nonce }} (generated on first use)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


class SecurityHeadersMiddleware:
    """Add CSP, Permissions-Policy and frame denial to every response.

    Django's SecurityMiddleware adds HSTS (production), nosniff, Referrer-Policy and
    Cross-Origin-Opener-Policy; this one sits beside it, before WhiteNoise, so static files
    carry the same headers as pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = SimpleLazyObject(lambda: secrets.token_urlsafe(18))
        response = self.get_response(request)
        nonce_used = request.csp_nonce._wrapped is not empty
        policy = build_policy(str(request.csp_nonce) if nonce_used else None,
                              getattr(settings, "CSP_EXTRA_SOURCES", None), request.path)
        # In development the policy reports instead of blocking, so Django's debug pages work.
        header = "Content-Security-Policy-Report-Only" if settings.DEBUG else "Content-Security-Policy"
        response.headers.setdefault(header, policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
