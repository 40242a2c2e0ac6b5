"""The site's public base URL, for every absolute address it writes (cite blocks, Atom, the
sitemap, the dump manifest).

SITE_URL when it is set; otherwise the scheme, host and port of the request being answered, so
`PORT=9000 bin/run` cites :9000. `request.get_host()` checks the host against ALLOWED_HOSTS (a
forged Host header is a 400), and the page cache keys pages by host, so one host's addresses are
never served to another.
"""
from django.conf import settings


def site_url(request=None):
    """Return the base URL without a trailing slash ('' when neither SITE_URL nor a request)."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is None:
        return ""
    return f"{request.scheme}://{request.get_host()}"


def absolute_url(request, path):
    """Return the absolute address of a path on this site."""
    return site_url(request) + path

