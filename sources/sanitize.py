"""Make feed HTML safe to show: the one sanitiser for everything that came from a feed.

Reports store HTML exactly as feeds sent it; pass it through `sanitize_html` (or the
`|sanitize` template filter in `sources_html`) wherever it is shown. Links are kept only when
they are http or https, so `javascript:`, `data:` and `vbscript:` URLs (entity-encoded or not)
are dropped; scripts, styles, event handlers, forms, MathML, SVG and images are removed
(remote images would let a feed's publisher see who reads our pages).
"""
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS - {"img", "map", "area"})
ALLOWED_ATTRIBUTES = {
    tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag in ALLOWED_TAGS
}
# Removed together with their content (other unknown tags are removed, their text kept).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math"})
LINK_SCHEMES = frozenset({"http", "https"})


def sanitize_html(html, base_url=""):
    """Return `html` with only harmless markup left; links open without referrer or opener.

    Relative links are made absolute against `base_url` (the report's link or its feed's URL:
    reports store HTML as the feed sent it) and dropped when there is no base.
    """
    if not html:
        return ""

    def absolute_links(tag, attribute, value):
        if attribute not in ("href", "cite"):
            return value
        try:
            value = urljoin(base_url, value.strip()) if base_url else value.strip()
        except ValueError:
            return None
        return safe_link(value) or None

    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(LINK_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        attribute_filter=absolute_links,
    )


def html_to_text(html):
    """Return the text of an HTML fragment with every tag removed (for titles and plain text)."""
    if not html:
        return ""
    return nh3.clean(html, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT), strip_comments=True)


def safe_link(url):
    """Return `url` if it is an absolute http(s) URL with a host, else "" (never a script URL)."""
    if not url:
        return ""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return ""
    if any(ch in url for ch in "\x00\r\n\t<>\"'` "):
        return ""
    return url
