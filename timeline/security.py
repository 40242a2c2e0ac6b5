"""The site's Content-Security-Policy (served by django-csp) and the headers Django does not send.

The policy has no 'unsafe-inline': pages load scripts, styles, images and fonts from this site
only. A template that truly needs an inline <script> or <style> block marks it with
nonce="{{ CSP_NONCE }}" (django-csp's context processor); the nonce is made only when a template
asks for it, and only then named in the header, so pages without inline blocks stay cacheable
byte for byte. Inline style="" attributes and event handlers never run. django-csp's middleware
sits before WhiteNoise, so static files carry the policy too; with DEBUG on it leaves Django's
debug pages (404, 500) alone.

Settings: CONTENT_SECURITY_POLICY in config/settings.py is built by `policy_directives()` from
BASE_DIRECTIVES and CSP_EXTRA_SOURCES (a deployment's additions). A view needing more names it
with django-csp's `csp_update` (the Redoc page: REDOC_EXTRA_SOURCES).

PermissionsPolicyMiddleware adds Permissions-Policy and X-Frame-Options to every response,
static files and /healthz included, which Django's XFrameOptionsMiddleware never sees.
"""
from csp.constants import NONCE, NONE, SELF

# One policy for the whole site: the admin and the API docs (Swagger UI from the sidecar package,
# with its inline blocks nonced by templates/drf_spectacular/) work under it too.
BASE_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, NONCE],
    # Swagger UI and the admin draw small icons from data: URIs in their stylesheets.
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [NONE],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}

# Redoc (/api/v1/redoc/) runs its search in a worker built from a blob: URL, and creates two
# fixed <style> blocks without its nonce (allowed by their hashes only: an empty one and one
# fixed rule set). tests/browser/test_csp_in_chromium.py fails if a page needs more.
REDOC_EXTRA_SOURCES = {
    "worker-src": [SELF, "blob:"],
    "style-src": [
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    ],
}

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def policy_directives(extra=None):
    """Return BASE_DIRECTIVES with `extra` ({directive: [sources]}) added, for django-csp."""
    directives = {name: list(sources) for name, sources in BASE_DIRECTIVES.items()}
    for name, sources in (extra or {}).items():
        directives.setdefault(name, []).extend(sources)
    return directives


class PermissionsPolicyMiddleware:
    """Add Permissions-Policy and frame denial to every response (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
